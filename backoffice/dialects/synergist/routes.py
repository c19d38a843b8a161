"""The Synergist XML/JSON API v3 at ``/jsonapi/{module}.json``, ``/xmlapi/{module}.xml`` and
``/csvapi/{module}.csv``.

Paths match in any case (``/jsonAPI/diary.json``). The extension chooses the format; the api
prefix must agree with it, except that ``/jsonapi/{module}.xml`` is also taken (issue 6 names that
spelling): any other pairing, a path of another shape, an unknown module or a method other than
GET/HEAD/POST is 404004 "request not recognised". POST takes the same parameters as an
``application/x-www-form-urlencoded`` body (added to those of the query string, the body's winning).
Parameter names match in any case.

A call is checked in this order: the path, the size (404008), credentials (404001-404003), the
version (404005), ``username`` (404006/404007), the action (404500), ``style``, ``page``, ``rows``,
``company`` (4045xx), then the module's handler runs. Errors are HTTP 404 in the call's format
(envelopes.py); the handler's work is committed only after its answer is written.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import timedelta
from urllib.parse import parse_qsl

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ...core import errors
from ...core.auth import allowed
from ...core.auth import service as auth_service
from ...core.store import Database
from ...core.store.tables import ENTITY_TABLES
from ...settings import Settings
from ...wire.bodies import BodyTooLarge, read_limited
from . import auth, envelopes
from . import modules as _modules  # noqa: F401  (registers the modules' actions)
from .host import (
    BAD_COMPANY,
    BAD_MODEL,
    BAD_PARAMETER,
    BAD_VERSION,
    CHANGED,
    FORBIDDEN,
    INVALID_ACTION,
    INVALID_CREDENTIALS,
    INVALID_DATA,
    MODULES,
    NOT_FOUND,
    NOT_LIST,
    NOT_RECOGNISED,
    TOO_LARGE,
    Action,
    Call,
    CompanyRef,
    Result,
    SynergistError,
)
from .shapes import MODEL_STRUCTURE, MODELS

log = logging.getLogger("backoffice.synergist")

FORMATS = {"jsonapi": "json", "xmlapi": "xml", "csvapi": "csv"}
# (api prefix, extension) pairs that are answered; the extension gives the format.
PAIRS = {("jsonapi", "json"), ("jsonapi", "xml"), ("xmlapi", "xml"), ("csvapi", "csv")}
_PATH = re.compile(r"^/(jsonapi|xmlapi|csvapi)/([a-z0-9_]+)\.(json|xml|csv)$")
VERSIONS = re.compile(r"^(3(\.[0-9])?|4(\.0)?)$")
_MAX_INT = 2**31 - 1


class Synergist:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.ttl = timedelta(seconds=settings.session_ttl_seconds)

    def matches(self, path: str) -> bool:
        first = path.lstrip("/").split("/", 1)[0].lower()
        return first in FORMATS

    async def handle(self, request: Request) -> Response:
        path = request.url.path.lower()
        found = _PATH.match(path)
        fmt = found.group(3) if found else FORMATS.get(path.lstrip("/").split("/", 1)[0], "xml")
        fmt_errors = "xml" if fmt == "csv" else fmt
        if (found is None or (found.group(1), found.group(3)) not in PAIRS or request.method not in
                ("GET", "HEAD", "POST") or found.group(2) not in MODULES):
            return envelopes.error(fmt_errors, NOT_RECOGNISED, "request not recognised")
        limit = self.settings.max_body_bytes
        query = request.scope.get("query_string", b"")
        if len(query) > limit:
            return envelopes.error(fmt_errors, TOO_LARGE, "request too large")
        params: dict[str, str] = {}
        try:
            for name, value in parse_qsl(query.decode("utf-8"), keep_blank_values=True):
                params.setdefault(name.lower(), value)
            if request.method == "POST":
                body = await read_limited(request, limit)
                kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
                if body and kind not in ("", "application/x-www-form-urlencoded"):
                    return envelopes.error(fmt_errors, NOT_RECOGNISED, "request not recognised")
                for name, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
                    params[name.lower()] = value
        except BodyTooLarge:
            return envelopes.error(fmt_errors, TOO_LARGE, "request too large")
        except UnicodeDecodeError:
            return envelopes.error(fmt_errors, NOT_RECOGNISED, "request not recognised")
        return await run_in_threadpool(self.invoke, fmt, found.group(2), params)

    def invoke(self, fmt: str, module: str, params: Mapping[str, str]) -> Response:
        fmt_errors = "xml" if fmt == "csv" else fmt
        try:
            return self._invoke(fmt, module, params)
        except SynergistError as exc:
            return envelopes.error(fmt_errors, exc.error_id, exc.text)
        except errors.CoreError as exc:
            error_id, text = _core_error(exc)
            return envelopes.error(fmt_errors, error_id, text)
        except Exception:
            log.exception("synergist %s failed", module)
            return envelopes.error(fmt_errors, 404900, "the request could not be processed")

    def _invoke(self, fmt: str, module: str, params: Mapping[str, str]) -> Response:
        with self.db.read() as conn:
            login = auth.authenticate(conn, params, self.ttl)
        if login.slide and login.session:
            with self.db.write() as conn:
                auth_service.touch_session(conn, login.session, self.ttl)
        version = params.get("version", "").strip()
        if not version:
            raise SynergistError(BAD_VERSION, "no version supplied")
        if not VERSIONS.match(version):
            raise SynergistError(BAD_VERSION, f"version {version} not supported")
        name = params.get("action", "").strip().lower()
        act = MODULES[module].get(name)
        if act is None:
            raise SynergistError(INVALID_ACTION, f"invalid action {name}" if name else "no action supplied")
        style = params.get("style", "").strip().lower() or "modeldata"
        if style not in ("modeldata", "modelstructure"):
            raise SynergistError(BAD_PARAMETER, f"invalid style {params['style']}")
        page = _whole(params, "page")
        rows = _whole(params, "rows")
        write = act.write and style == "modeldata"
        with (self.db.write() if write else self.db.read()) as conn:
            principal = auth.on_behalf(conn, login.principal, params.get("username", ""))
            # Who may use which module: staff with a permission list need "Synergist.<module>".
            if not (allowed(login.principal, f"Synergist.{module}") and allowed(principal, f"Synergist.{module}")):
                raise SynergistError(FORBIDDEN, f"not permitted to use {module}")
            companies = _companies(conn)
            call = Call(conn=conn, principal=principal, login=login.principal, module=module, action=name,
                        params=params, company=_company(params, companies), companies=companies, page=page,
                        rows=rows, style=style, modelstructure=params.get("modelstructure", "").strip().lower(),
                        version=version, format=fmt, settings=self.settings, session=login.session)
            result = _structure(call, act) if style == "modelstructure" else act.handler(call)
            if fmt == "csv" and result.total_rows is None:
                raise SynergistError(NOT_LIST, "csv is only available for lists")
            # Written inside the transaction: an answer that cannot be written undoes the work.
            return envelopes.success(fmt, result, page, rows)


def _structure(call: Call, act: Action) -> Result:
    name = call.modelstructure or (act.model or "")
    if not name:
        raise SynergistError(BAD_MODEL, "no modelstructure supplied")
    model = MODELS.get(name)
    if model is None:
        raise SynergistError(BAD_MODEL, f"invalid modelstructure {call.param('modelstructure')}")
    # As the vendor's metadata answers: the fields as rows, totalrows 0 (no records were selected).
    return Result(model.structure(), total_rows=0, model=MODEL_STRUCTURE)


def _whole(params: Mapping[str, str], name: str) -> int:
    text = params.get(name, "").strip()
    if not text:
        return 0
    if not (text.isascii() and text.isdigit()) or int(text) > _MAX_INT:
        raise SynergistError(BAD_PARAMETER, f"invalid {name} {params[name]}")
    return int(text)


def _companies(conn: Connection) -> list[CompanyRef]:
    company = ENTITY_TABLES["Company"]
    rows = conn.execute(sa.select(company.c.number, company.c.company_id, company.c.title)
                        .where(company.c.number.is_not(None)).order_by(company.c.number)).all()
    return [CompanyRef(r.number, r.company_id, r.title) for r in rows]


def _company(params: Mapping[str, str], companies: list[CompanyRef]) -> CompanyRef:
    """The ``company`` parameter's company, else the lowest numbered (everyone's default)."""
    text = params.get("company", "").strip()
    if not text:
        return companies[0] if companies else CompanyRef(1, "", "")
    for company in companies:
        if text.isascii() and text.isdigit() and len(text) <= 10 and company.number == int(text):
            return company
    raise SynergistError(BAD_COMPANY, f"invalid company {text}")


def _core_error(exc: errors.CoreError) -> tuple[int, str]:
    if isinstance(exc, errors.NotFound):
        return NOT_FOUND, exc.message
    if isinstance(exc, errors.Conflict):
        return CHANGED, exc.message
    if isinstance(exc, errors.Forbidden):
        return FORBIDDEN, exc.message
    if isinstance(exc, errors.Unauthenticated):
        return INVALID_CREDENTIALS, "invalid credentials supplied"
    return INVALID_DATA, exc.message


