"""The Symphony API V1.0 at ``/API/1_0/SOAP/SymphonyAPI.asmx``: an ASMX service (wire/asmx.py
does SOAP 1.1, SOAP 1.2, HTTP GET and POST, the WSDL and the help pages) whose every call is
signed (core/auth/signing.py) and answered by one core call (handlers.py).

Each call runs in two transactions: the signature check, which records the signature as used and
is committed whatever follows (a captured header must not be replayed with another body, even if
the first call failed), then the operation's work, all or nothing.

HTTP GET and POST carry the four ``AuthenticationHeader`` values as extra fields of the query or
form (or as HTTP headers of the same names) and are checked exactly like the SOAP header.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from ...core import errors
from ...core.auth import require, signing
from ...core.mail import MailUnavailable
from ...core.store import Database
from ...settings import Settings
from ...wire import asmx
from . import handlers, shapes
from .service import PATH, SERVICE

log = logging.getLogger("backoffice.symphony_soap")

# Every operation of the service has a handler, and no handler lacks an operation.
assert {op.name for op in SERVICE.operations} == set(handlers.HANDLERS), "operations and handlers differ"


class SymphonySoap:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.master = settings.master_key()
        self.skew = timedelta(seconds=settings.soap_skew_seconds)
        self.mail = settings.mail()

    def matches(self, path: str) -> bool:
        # IIS paths are case-insensitive.
        lowered = path.lower()
        return lowered == PATH.lower() or lowered.startswith(PATH.lower() + "/")

    async def handle(self, request: Request) -> Response:
        return await asmx.handle(request, SERVICE, self.invoke, max_body=self.settings.max_body_bytes)

    def invoke(self, call: asmx.Call) -> object:
        name = call.operation.name
        try:
            with self.db.write() as conn:
                principal = signing.verify(conn, self.master, call.header, name, skew=self.skew)
            require(principal, f"SymphonyAPI.{name}")
            with self.db.write() as conn:
                result = handlers.HANDLERS[name](handlers.Context(conn, principal, self.mail), call.params)
                # Written before the commit: an answer that cannot be written undoes the work, so a
                # fault always means nothing was done and a client may retry (re-signed).
                return call.render(result)
        except MailUnavailable as exc:
            log.warning("%s: mail could not be sent: %s", name, exc.message)
            raise asmx.Fault(exc.message, client=False) from None
        except errors.CoreError as exc:
            raise asmx.Fault(shapes.in_wire_names(exc.message)) from None
