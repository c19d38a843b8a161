"""The Symphony Import/Export operations: each reads its call, asks the core, and says what to answer.

Handlers run in a worker thread with the call's principal already established (routes.py); they
return a ``Reply`` (a JSON value, or bytes streamed as a byte array or as a raw stream).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import Any

from starlette.datastructures import Headers

from ... import __version__
from ...core import downloads, orgs
from ...core.auth import tokens
from ...core.auth.tokens import OrgPrincipal
from ...core.catalog.menu import INTERCHANGE_TYPES, interchange_type
from ...core.clock import now
from ...core.errors import Forbidden, Invalid, NotFound, Unauthenticated
from ...core.jobs import requests, schedules
from ...core.store import Database
from ...settings import Settings
from . import shapes

# The header that carries the one-time code to ValidateToken and (for multi-factor users) to
# GetUserAuthenticationToken. The document says only "in the headers"; OTP is accepted too.
CODE_HEADERS = ("OneTimeCode", "OTP")
# What GetBuildVersion answers: the Symphony release the document describes, then ours.
SYMPHONY_RELEASE = "19.6"


@dataclass
class Call:
    db: Database
    settings: Settings
    headers: Headers
    params: dict[str, str]
    body: bytes
    principal: OrgPrincipal | None = None
    # For an import request: the file already taken out of the body (see routes.py).
    data: bytes | None = None


@dataclass
class Reply:
    """What to answer: ``json`` (any JSON value), or ``chunks`` as a byte array (``as_array``) or a
    raw stream of ``content_type``. ``after`` runs once the answer is written (outside the request's
    transaction: e.g. committing a failed-login count)."""

    json: Any = None
    chunks: Iterable[bytes] | None = None
    as_array: bool = True
    content_type: str = "application/octet-stream"
    filename: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _who(call: Call) -> OrgPrincipal:
    assert call.principal is not None  # routes.py establishes it for every operation needing a token
    return call.principal


def _credentials(call: Call) -> tuple[str, str, str]:
    body = shapes.load_object(call.body, "{userName, password, orgCode}")
    return (shapes.text(body, "userName", 200) or "", shapes.text(body, "password", 1000) or "",
            shapes.text(body, "orgCode", 200) or "")


def _code_header(call: Call) -> str | None:
    for name in CODE_HEADERS:
        if call.headers.get(name):
            return call.headers[name]
    return None


# --- security service ----------------------------------------------------------------------------


def get_token(call: Call) -> Reply:
    user, password, org = _credentials(call)
    failure: Unauthenticated | None = None
    token = ""
    with call.db.write() as conn:
        try:
            token = tokens.issue(conn, user, password, org, one_time_code=_code_header(call),
                                 ttl=timedelta(seconds=call.settings.token_ttl_seconds))
        except Unauthenticated as exc:
            # Kept, not raised here: a wrong one-time code's count must be committed.
            failure = exc
    if failure is not None:
        raise failure
    return Reply(json=token)


def sign_off(call: Call) -> Reply:
    token = shapes.load_string(call.body, "the token to sign off")
    with call.db.write() as conn:
        ended = tokens.sign_off(conn, token)
    return Reply(json=ended)


def generate_code(call: Call) -> Reply:
    user, password, org = _credentials(call)
    with call.db.write() as conn:
        tokens.send_code(conn, call.settings.mail(), user, password, org)
    return Reply(json="A one-time code has been sent to the user's registered e-mail address")


def validate_code(call: Call) -> Reply:
    user, password, org = _credentials(call)
    with call.db.write() as conn:
        valid = tokens.validate_code(conn, user, password, org, _code_header(call))
    return Reply(json=valid)


# --- data service: about the server and the organization ---------------------------------------


def build_version(call: Call) -> Reply:
    return Reply(json=[f"{SYMPHONY_RELEASE} (backoffice {__version__})"])


def server_time(call: Call) -> Reply:
    stamp = now().replace(tzinfo=UTC)
    return Reply(json=[stamp.strftime("%Y-%m-%dT%H:%M:%S"), "(UTC+00:00) Coordinated Universal Time"])


def supported_languages(call: Call) -> Reply:
    with call.db.read() as conn:
        return Reply(json=[shapes.language(lang) for lang in orgs.languages(conn, _who(call).org.org_id)])


def employee_language(call: Call) -> Reply:
    return Reply(json=_who(call).language_id)


def hierarchy(call: Call) -> Reply:
    with call.db.read() as conn:
        return Reply(json=[shapes.hierarchy_node(n) for n in orgs.hierarchy(conn, _who(call).org.org_id)])


def exportable_types(call: Call) -> Reply:
    return Reply(json=[kind.full_name for kind in INTERCHANGE_TYPES if kind.exportable])


def importable_types(call: Call) -> Reply:
    return Reply(json=[kind.full_name for kind in INTERCHANGE_TYPES if kind.importable])


def object_info(call: Call) -> Reply:
    return Reply(json=[shapes.object_info(kind) for kind in INTERCHANGE_TYPES])


def properties_for_type(call: Call) -> Reply:
    name = call.params.get("fullyQualifiedTypeName", "")
    try:
        kind = interchange_type(name)
    except KeyError:
        raise NotFound(f"Unknown object type {name!r}; GetExportableTypes lists them") from None
    return Reply(json=[c.name for c in kind.columns])


# --- data service: requests ----------------------------------------------------------------------


def _same_user(call: Call, body: dict[str, Any]) -> None:
    """A body's UserName/OrgCode, when given, must be the token's (as the URL's must)."""
    who = _who(call)
    user = shapes.text(body, "UserName", 200)
    org = shapes.text(body, "OrgCode", 200)
    if user and user.strip().lower() != who.user_name.lower():
        raise Forbidden(f"UserName {user!r} is not the user of this token")
    if org and org.strip().lower() != who.org.code.lower():
        raise Forbidden(f"OrgCode {org!r} is not the organization of this token")


def submit(call: Call) -> Reply:
    body = shapes.load_object(call.body, "an import/export request")
    _same_user(call, body)
    spec = shapes.request_spec(body, call.data)
    with call.db.write() as conn:
        request_id, status = requests.submit(conn, _who(call), spec)
    return Reply(json={"RequestId": request_id, "Status": status})


_NUMBER = re.compile(r"[0-9]{1,19}", re.ASCII)


def _number(call: Call, name: str) -> int:
    """A numeric address segment: ASCII digits only (str.isdigit would take '²'), 64 bits at most."""
    raw = call.params.get(name, "").strip()
    if _NUMBER.fullmatch(raw) is None or int(raw) >= 2**63:
        raise shapes.WireError(f"{name} must be a number, not {raw[:40]!r}")
    return int(raw)


def _request_id(call: Call) -> int:
    return _number(call, "requestId")


def request_status(call: Call) -> Reply:
    with call.db.read() as conn:
        return Reply(json=shapes.request_record(requests.get(conn, _who(call), _request_id(call))))


def recent_requests(call: Call) -> Reply:
    days = _number(call, "days")
    with call.db.read() as conn:
        return Reply(json=[shapes.request_record(r) for r in requests.recent(conn, _who(call), days)])


def _file(call: Call, kind_for: Callable[[requests.RequestRecord], str]) -> Reply:
    request_id = _request_id(call)
    with call.db.read() as conn:
        record = requests.get(conn, _who(call), request_id)
        kind = kind_for(record)
        # Fail now (404) rather than half way through the answer.
        requests.file(conn, _who(call), request_id, kind)

    def stream() -> Iterator[bytes]:
        with call.db.read() as conn:
            yield from requests.file(conn, _who(call), request_id, kind)

    return Reply(chunks=stream())


def file_data(call: Call) -> Reply:
    return _file(call, requests.file_kind_for)


def snapshot(call: Call) -> Reply:
    def kind(record: requests.RequestRecord) -> str:
        if record.operation != requests.IMPORT:
            raise NotFound(f"Request {record.request_id} is an export: only imports keep a snapshot")
        return "snapshot"

    return _file(call, kind)


def update_request_status(call: Call) -> Reply:
    body = shapes.load_object(call.body, "{OrgCode, RequestId, RequestStatus, UserName}")
    _same_user(call, body)
    request_id = shapes.required_id(body, "RequestId", "the request to cancel")
    # Only a cancel can be asked for (the document: "enabling it to be cancelled"); RequestStatus
    # is read for its type only, as there is no Cancelled status to name.
    shapes.integer(body, "RequestStatus", shapes.INT32)
    with call.db.write() as conn:
        return Reply(json=requests.cancel(conn, _who(call), request_id))


# --- data service: schedules ---------------------------------------------------------------------


def add_schedule(call: Call) -> Reply:
    body = shapes.load_object(call.body, "a schedule")
    _same_user(call, body)
    try:
        spec = shapes.schedule(body, _who(call).user_name)
        with call.db.write() as conn:
            return Reply(json=schedules.add(conn, _who(call), spec))
    except (Invalid, shapes.WireError) as exc:
        # The document: "Returns positive schedule Id if successful, otherwise returns -1"; why is
        # said in a response header, as the answer itself is only a number.
        return Reply(json=-1, extra={"X-Error-Message": str(exc)[:500]})


def list_schedules(call: Call) -> Reply:
    with call.db.read() as conn:
        return Reply(json=[shapes.schedule_record(s) for s in schedules.listing(conn, _who(call))])


def update_schedule_status(call: Call) -> Reply:
    body = shapes.load_object(call.body, "a schedule")
    _same_user(call, body)
    schedule_id = shapes.required_id(body, "Id", "the schedule's")
    with call.db.write() as conn:
        return Reply(json=schedules.set_active(conn, _who(call), schedule_id, shapes.boolean(body, "Active", True)))


# --- download service ----------------------------------------------------------------------------


def _downloads(call: Call) -> downloads.Downloads:
    return downloads.Downloads(call.settings.downloads_dir)


def zip_emc_files(call: Call) -> Reply:
    names: list[str] | None = None
    if call.body.strip():
        value = shapes.load_json(call.body)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            raise shapes.WireError("The request body is a JSON array of EMC file names (or empty for all)")
        names = value
    return Reply(chunks=_downloads(call).stream_emc_zip(names), as_array=False, content_type="application/zip",
                 filename="EMCClientFiles.zip")


def emc_manifest(call: Call) -> Reply:
    return Reply(chunks=[_downloads(call).emc_manifest()], as_array=False, content_type="application/xml")


def binaries(call: Call) -> Reply:
    # Bytes, as the document's example shows: a JSON array of numbers.
    name, _, content = _downloads(call).stream_binary(call.params.get("downloadType", ""))
    return Reply(chunks=content, extra={"Content-Disposition": f'inline; filename="{name}"'})


def self_update_version(call: Call) -> Reply:
    return Reply(chunks=[_downloads(call).self_update_version()], as_array=False, content_type="text/plain")
