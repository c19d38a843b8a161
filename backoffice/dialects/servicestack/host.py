"""A ServiceStack-style host: routes, request DTO binding, auth, content negotiation and errors.

Dialects (Jiwa, later Galaxy) register ``Operation``s; the host finds the operation for a
request (custom route, ``.ext`` suffix, or a pre-defined ``/json/reply/{Dto}`` / ``/api/{Dto}``
route), binds the request DTO from body, form, query string and path, authenticates, checks
the permission, runs the handler in a worker thread, and writes the result in the negotiated
format. Core errors become ServiceStack ``ResponseStatus`` envelopes.
"""

from __future__ import annotations

import base64
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...core import errors
from ...core.auth import Principal, allowed
from ...core.auth import service as auth
from ...core.auth.access import AccessControlFile, AccessPolicy
from ...core.store import Database
from ...settings import Settings
from ...wire import safexml
from ...wire.dates import parse_datetime
from .formats import XSI, Dto, JsConfig, parse_jsconfig, render_csv, render_html, render_json, render_xml
from .types import DtoType, Prop, TypeRegistry

log = logging.getLogger("backoffice.servicestack")

FORMATS = {"json": "application/json; charset=utf-8", "xml": "application/xml; charset=utf-8",
           "csv": "text/csv; charset=utf-8", "html": "text/html; charset=utf-8"}
_PREDEFINED = re.compile(r"^/(?:(json|xml|csv|html|jsv)/(?:reply|oneway)|api)/([A-Za-z0-9_]+)(\[\])?$",
                         re.IGNORECASE)
_SUFFIX = re.compile(r"^(.*)\.(json|xml|csv|html)$", re.IGNORECASE)
_RESERVED_QUERY = {"format", "jsconfig", "apikey", "callback"}
STATUS_FOR = {errors.NotFound: 404, errors.Invalid: 400, errors.Conflict: 409, errors.Forbidden: 403,
              errors.Unauthenticated: 401}


class BindingError(errors.Invalid):
    """The request could not be turned into its DTO (a wrong type, malformed body)."""


class PayloadTooLarge(errors.CoreError):
    code = "RequestEntityTooLarge"


@dataclass
class Call:
    """Everything a handler needs about one request."""

    op: Operation
    dto: dict[str, Any]
    principal: Principal | None
    session_id: str | None
    headers: Headers
    db: Database
    settings: Settings
    raw_query: list[tuple[str, str]]
    cookies: list[tuple[str, str, int | None]] = field(default_factory=list)
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    base_url: str = ""  # scheme://host[:port] the client called, for self-describing pages
    body: bytes = b""  # the raw request body (what an operation with raw_body reads itself)
    path_params: dict[str, str] = field(default_factory=dict)
    # The path and query exactly as sent (still percent-encoded), e.g. for request signatures.
    raw_target: bytes = b""
    access: AccessPolicy | None = None
    context: Any = None  # the operation's context (see Operation.context)

    @property
    def language(self) -> str:
        """The language the client reads (Accept-Language's first choice), else the server's."""
        accepted = self.headers.get("accept-language", "").split(",")[0].split(";")[0].strip()
        return accepted if accepted and accepted != "*" else self.settings.language

    @property
    def owner(self) -> str:
        """Whose stateful drafts these are: the session, or the API key."""
        if self.session_id:
            return auth.session_owner(self.session_id)
        if self.principal is not None and self.principal.key_id:
            return auth.session_owner("apikey:" + self.principal.key_id)
        # HTTP Basic: one staff member's requests share their held records.
        return auth.session_owner("staff:" + (self.principal.staff_id if self.principal else ""))

    def actor(self) -> Principal:
        if self.principal is None:
            raise errors.Unauthenticated("Not Authenticated", code="Unauthorized")
        return self.principal


Handler = Callable[[Call], Any]
# (status, error code, message, field errors with client-side names) -> the body to render
ErrorStyle = Callable[[int, str, str, list[dict[str, str]]], Any]


@dataclass
class Operation:
    request: str  # the request DTO's name, e.g. "DebtorGETRequest"
    verb: str
    routes: list[str]
    handler: Handler
    response: str | None = None  # the response DTO's type name, for metadata and /types
    summary: str = ""
    permission: str | None = None  # the core operation name; None: no authentication needed
    created_status: int = 200
    tag: str = ""
    # The handler only reads (the host may then run it without a thread hop).
    read_only: bool = False
    # The handler reads the body itself (call.body); the host binds only path and query.
    raw_body: bool = False
    # Which error envelope the dialect's clients expect (see ServiceStackHost.error_styles).
    error_style: str = "servicestack"
    # What the dialect's handlers need beyond the request (its configuration), as call.context.
    context: Any = None


@dataclass
class _Route:
    template: str
    pattern: re.Pattern[str]
    names: list[str]
    op: Operation
    rank: tuple[int, int]


def _compile_route(template: str) -> tuple[re.Pattern[str], list[str], tuple[int, int]]:
    names: list[str] = []
    parts = []
    literals = 0
    segments = [s for s in template.strip("/").split("/") if s]
    for segment in segments:
        match = re.fullmatch(r"\{(\w+)\*?\}", segment)
        if match:
            names.append(match.group(1))
            parts.append(r"([^/]+)")
        else:
            literals += 1
            parts.append(re.escape(segment))
    pattern = re.compile("^/" + "/".join(parts) + "/?$", re.IGNORECASE)
    # ServiceStack prefers the route with more literal segments: /Debtors/Save over /Debtors/{DebtorID}.
    return pattern, names, (-len(segments), -literals)


class ServiceStackHost:
    """The routing table and request pipeline one ServiceStack-style service shares."""

    def __init__(self, db: Database, settings: Settings, *, service_name: str,
                 field_namer: Callable[[Operation | None, str], str] | None = None) -> None:
        self.db = db
        self.settings = settings
        self.service_name = service_name
        self.types = TypeRegistry()
        self.operations: dict[str, Operation] = {}
        # Every registration, in order: one request DTO may be served on several verbs (/auth).
        self.registered: list[Operation] = []
        self._routes: list[_Route] = []
        # Turns a core field path into the name the client used, for ResponseError.FieldName.
        self.field_namer = field_namer or (lambda op, name: name)
        # Which requests are pure reads (the dialect knows: e.g. not a stateful GET, which writes).
        self.runs_inline: Callable[[Request, Operation], bool] = lambda request, op: False
        # Error envelopes by style name, and the style for paths no operation matched (by prefix).
        self.error_styles: dict[str, ErrorStyle] = {}
        self.path_styles: list[tuple[re.Pattern[str], str]] = []
        # Client address rules and login signatures (the Galaxy API configuration file), if any.
        self.access: AccessControlFile | None = None

    # --- registration -------------------------------------------------------------------

    def register(self, op: Operation) -> Operation:
        self.operations[op.request.lower()] = op
        self.registered.append(op)
        for template in op.routes:
            pattern, names, rank = _compile_route(template)
            self._routes.append(_Route(template, pattern, names, op, rank))
        self._routes.sort(key=lambda r: r.rank)
        return op

    def operation(self, request: str) -> Operation | None:
        return self.operations.get(request.lower())

    # --- routing --------------------------------------------------------------------------

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str], str | None] | None:
        """The operation for a request, its path variables and any format the path chose."""
        predefined = _PREDEFINED.match(path)
        if predefined:
            name = predefined.group(2).lower()
            served = [op for op in self.registered if op.request.lower() == name]
            if not served:
                return None
            # As in ServiceStack, the verb still picks the service method: a GET cannot delete.
            wanted = "GET" if method == "HEAD" else method
            op = next((o for o in served if o.verb == wanted and (method != "HEAD" or o.read_only)), None)
            if op is None:
                raise _MethodNotAllowed(method, path)
            fmt = (predefined.group(1) or "json").lower()
            return op, {}, None if predefined.group(1) is None else fmt
        # A format suffix wins over a path variable that would swallow it: /Debtors/{DebtorID}.xml
        suffix = _SUFFIX.match(path)
        if suffix:
            found = self._match_route(method, suffix.group(1))
            if found is not None:
                return found[0], found[1], suffix.group(2).lower()
        found = self._match_route(method, path)
        if found is not None:
            return found[0], found[1], None
        return None

    def _match_route(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        verb_mismatch = None
        for route in self._routes:
            match = route.pattern.match(path)
            if match is None:
                continue
            # HEAD is answered like GET, but only where GET changes nothing (not /Process, /Save).
            if route.op.verb != method and not (method == "HEAD" and route.op.verb == "GET" and route.op.read_only):
                verb_mismatch = route
                continue
            return route.op, dict(zip(route.names, match.groups(), strict=True))
        if verb_mismatch is not None:
            raise _MethodNotAllowed(method, path)
        return None

    # --- the pipeline ---------------------------------------------------------------------

    async def handle(self, request: Request) -> Response:
        fmt = "json"
        jsconfig = JsConfig()
        op: Operation | None = None
        try:
            query = list(parse_qsl(request.url.query, keep_blank_values=True))
            qmap = {k.lower(): v for k, v in query}
            jsconfig = parse_jsconfig(qmap.get("jsconfig"))
            fmt = self._format(request, qmap.get("format"), None)
            policy = self.access.current() if self.access is not None else None
            if policy is not None and not policy.client_allowed(request.client.host if request.client else None):
                # Only the connecting address counts: a forwarded-for header is the client's own claim.
                raise errors.Forbidden("Access denied by security policy", code="Forbidden")
            method = request.method
            override = request.headers.get("x-http-method-override", "").upper()
            if method == "POST" and override in ("PUT", "PATCH", "DELETE", "GET"):
                method = override  # what clients behind verb-limited proxies send
            try:
                matched = self.match(method, request.url.path)
            except _MethodNotAllowed as exc:
                raise errors.CoreError(str(exc), code="NotImplementedException") from exc
            if matched is None:
                if request.url.path == "/" and method in ("GET", "HEAD"):
                    # As a ServiceStack service with no default page: the root shows what it offers.
                    return RedirectResponse("/metadata", status_code=302)
                raise errors.NotFound(f"Handler for Request not found: {request.method} {request.url.path}",
                                      code="NotFound")
            op, path_params, path_fmt = matched
            fmt = self._format(request, qmap.get("format"), path_fmt)
            body = await self._read_body(request)
            basic = request.headers.get("authorization", "").lower().startswith("basic ")
            if self.db.is_sqlite and not basic and self.runs_inline(request, op):
                # A pure read on SQLite takes well under a millisecond and never waits on a lock
                # (WAL readers do not block): running it on the event loop saves the thread hop.
                # (Not with HTTP Basic: checking a password is slow on purpose.)
                return self._run(request, op, path_params, query, body, fmt, jsconfig, policy)
            return await run_in_threadpool(self._run, request, op, path_params, query, body, fmt, jsconfig,
                                           policy)
        except Exception as exc:  # every failure leaves as a ResponseStatus, never a stack trace
            return self.error_response(exc, fmt, jsconfig, op, request.url.path)

    def _format(self, request: Request, query_format: str | None, path_format: str | None) -> str:
        if path_format:
            return path_format if path_format in FORMATS else "json"
        if query_format and query_format.lower() in FORMATS:
            return query_format.lower()
        accept = request.headers.get("accept", "").lower()
        for fmt, token in (("json", "json"), ("xml", "xml"), ("csv", "csv"), ("html", "text/html")):
            if token in accept.split(",")[0]:
                return fmt
        if "text/html" in accept:
            return "html"
        return "json"

    async def _read_body(self, request: Request) -> bytes:
        limit = self.settings.max_body_bytes
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge(f"The request body is larger than the {limit} bytes allowed")
        chunks = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"The request body is larger than the {limit} bytes allowed")
            chunks.append(chunk)
        return b"".join(chunks)

    def _run(self, request: Request, op: Operation, path_params: dict[str, str], query: list[tuple[str, str]],
             body: bytes, fmt: str, jsconfig: JsConfig, policy: AccessPolicy | None = None) -> Response:
        dto_type = self.types.get(op.request)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        form: list[tuple[str, str]] = []
        values: dict[str, Any] = {}
        # Some Windows clients start UTF-8 text with a byte-order mark.
        body = body.removeprefix(b"\xef\xbb\xbf")
        if body.strip() and not op.raw_body:
            if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                if content_type == "multipart/form-data":
                    raise BindingError("multipart/form-data bodies are not accepted here; send JSON or a form",
                                       code="SerializationException")
                form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
            elif "xml" in content_type:
                try:
                    root = safexml.parse(body)
                except ValueError as exc:
                    raise BindingError(f"The request body is not acceptable XML: {exc}",
                                       code="SerializationException") from exc
                values.update(self.bind_object(self.xml_values(root, dto_type), dto_type, "", from_text=True))
            else:
                try:
                    parsed = orjson.loads(body)
                except orjson.JSONDecodeError as exc:
                    raise BindingError(f"The request body is not valid JSON: {exc}",
                                       code="SerializationException") from exc
                if not isinstance(parsed, dict):
                    raise BindingError("The request body must be a JSON object", code="SerializationException")
                values.update(self.bind_object(parsed, dto_type, "", from_text=False))
        for pairs in (form, [(k, v) for k, v in query if k.lower() not in _RESERVED_QUERY]):
            values.update(self.bind_object(dict(pairs), dto_type, "", from_text=True))
        values.update(self.bind_object(path_params, dto_type, "", from_text=True))
        principal, session_id, touch = self._authenticate(request, query, form, op)
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        raw_query = request.scope.get("query_string") or b""
        call = Call(op=op, dto=values, principal=principal, session_id=session_id, headers=request.headers,
                    db=self.db, settings=self.settings, raw_query=query,
                    base_url=str(request.base_url).rstrip("/"), body=body, path_params=path_params,
                    raw_target=raw_path + (b"?" + raw_query if raw_query else b""), access=policy,
                    context=op.context)
        result = op.handler(call)
        status = call.status or (204 if result is None else op.created_status)
        if isinstance(result, Response):
            # Pages and generated source (/metadata, /types) are already in their final form.
            response = result
        elif status == 204:
            response = Response(status_code=204)
        else:
            response = self.render(result, fmt, jsconfig, status, op, request.url.path)
        for name, value, max_age in call.cookies:
            if max_age == 0:
                response.delete_cookie(name, path="/")
            else:
                response.set_cookie(name, value, max_age=max_age, path="/", httponly=True,
                                     secure=self.settings.secure_cookies, samesite="strict")
        response.headers.update(call.response_headers)
        if touch and session_id:
            # Sliding the expiry is a write: it runs after the answer is sent, off the event loop.
            response.background = BackgroundTask(self._touch_session, session_id)
        return response

    def _touch_session(self, session_id: str) -> None:
        with self.db.write() as conn:
            auth.touch_session(conn, session_id, timedelta(seconds=self.settings.session_ttl_seconds))

    # --- binding ---------------------------------------------------------------------------

    def bind_object(self, data: dict[str, Any], dto_type: DtoType | None, path: str, *,
                    from_text: bool) -> dict[str, Any]:
        """Request values under their declared names and types; unknown names are kept as given."""
        out: dict[str, Any] = {}
        for key, value in data.items():
            prop = dto_type.prop(key) if dto_type else None
            if prop is None:
                out[key] = value
                continue
            out[prop.name] = self.bind_value(value, prop, f"{path}{prop.name}", from_text=from_text)
        return out

    def bind_value(self, value: Any, prop: Prop, path: str, *, from_text: bool) -> Any:
        if value is None:
            return None
        try:
            if prop.is_list:
                if from_text and isinstance(value, str):
                    text = value.strip()
                    if text.startswith("[") and text.endswith("]"):
                        text = text[1:-1]
                    value = [v.strip() for v in text.split(",")] if text else []
                if not isinstance(value, list):
                    raise TypeError("a list")
                item = Prop(prop.name, prop.item_type)
                return [self.bind_value(v, item, f"{path}[{i}]", from_text=from_text) for i, v in enumerate(value)]
            kind = prop.item_type
            if kind == "string" or kind == "Guid":
                if isinstance(value, dict | list):
                    raise TypeError("text")
                if isinstance(value, str) and "\x00" in value:
                    raise TypeError("text without NUL characters")
                return value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) \
                    else str(value)
            if kind in ("int", "long"):
                if isinstance(value, bool):
                    raise TypeError("a whole number")
                number = float(value) if isinstance(value, str | int | float) else None
                limit = 2**31 if kind == "int" else 2**63
                if number is None or not -limit <= number < limit or number != int(number):
                    raise TypeError("a whole number in range")
                return int(number)
            if kind in ("double", "decimal"):
                if isinstance(value, bool) or not isinstance(value, str | int | float):
                    raise TypeError("a number")
                number = float(value)
                if number != number or number in (float("inf"), float("-inf")):
                    raise TypeError("a finite number")
                return number
            if kind == "bool":
                if isinstance(value, bool):
                    return value
                if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", ""):
                    return value.strip().lower() in ("true", "1")
                if isinstance(value, int) and value in (0, 1):
                    return bool(value)
                raise TypeError("true or false")
            if kind == "DateTime":
                if isinstance(value, datetime):
                    return value
                if not isinstance(value, str):
                    raise TypeError("a date")
                return parse_datetime(value)
            nested = self.types.get(kind)
            if nested is not None:
                if from_text and isinstance(value, str):
                    value = orjson.loads(value)
                if not isinstance(value, dict):
                    raise TypeError(f"a {kind} object")
                return self.bind_object(value, nested, path + ".", from_text=from_text)
            return value
        except (TypeError, ValueError, orjson.JSONDecodeError) as exc:
            expected = str(exc) if isinstance(exc, TypeError) else f"a valid {prop.item_type}"
            message = f"{path}: {value!r} is not {expected}"
            raise BindingError(message, [errors.FieldError(path, "SerializationException", message)],
                               code="SerializationException") from exc

    def xml_values(self, element: Any, dto_type: DtoType | None) -> dict[str, Any]:
        """A DataContract XML element as plain values (text for scalars), matched by local name."""
        out: dict[str, Any] = {}
        for child in element:
            if not isinstance(child.tag, str):
                continue  # comments and processing instructions
            name = safexml.local_name(child)
            prop = dto_type.prop(name) if dto_type else None
            if child.get(f"{{{XSI}}}nil") == "true":
                out[name] = None
            elif prop is not None and prop.is_list:
                nested = self.types.get(prop.item_type)
                out[name] = [self.xml_values(item, nested) if not prop.is_scalar else (item.text or "")
                             for item in child if isinstance(item.tag, str)]
            elif prop is not None and not prop.is_scalar:
                out[name] = self.xml_values(child, self.types.get(prop.item_type))
            else:
                out[name] = child.text or ""
        return out

    # --- auth ------------------------------------------------------------------------------

    def _authenticate(self, request: Request, query: list[tuple[str, str]], form: list[tuple[str, str]],
                      op: Operation) -> tuple[Principal | None, str | None, bool]:
        principal: Principal | None = None
        session_id: str | None = None
        key = None
        basic: tuple[str, str] | None = None
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            key = header[7:].strip()
        elif header.lower().startswith("basic "):
            basic = _basic_credentials(header[6:])
            if basic is not None and basic[1] == "":
                # ServiceStack also takes an API key as the Basic user name with no password.
                key, basic = basic[0], None
        else:
            key = next((v for k, v in [*query, *form] if k.lower() == "apikey"), None)
        ttl = timedelta(seconds=self.settings.session_ttl_seconds)
        touch = False
        with self.db.read() as conn:
            if basic is not None:
                try:
                    principal = auth.check_credentials_repeatedly(conn, *basic)
                except errors.Unauthenticated:
                    if op.permission is not None:
                        raise
            elif key:
                try:
                    principal = auth.resolve_api_key(conn, key)
                except errors.Unauthenticated:
                    if op.permission is not None:
                        raise
            else:
                session_id = self.session_id_of(request)
                if session_id:
                    principal, touch = auth.resolve_session(conn, session_id, ttl)
                    if principal is None:
                        session_id = None
        if op.permission is None:
            return principal, session_id, touch
        if principal is None:
            raise errors.Unauthenticated("Not Authenticated", code="Unauthorized")
        if not allowed(principal, op.permission):
            raise errors.Forbidden(f"Forbidden: you may not call {op.request}", code="Forbidden")
        return principal, session_id, touch

    @staticmethod
    def session_id_of(request: Request) -> str | None:
        header = request.headers.get("x-ss-id") or request.headers.get("x-ss-pid")
        if header:
            return header
        cookies = request.cookies
        if cookies.get("ss-opt") == "perm" and cookies.get("ss-pid"):
            return cookies["ss-pid"]
        return cookies.get("ss-id") or None

    # --- rendering -------------------------------------------------------------------------

    def render(self, result: Any, fmt: str, jsconfig: JsConfig, status: int, op: Operation | None,
               path: str) -> Response:
        headers = {}
        if fmt == "xml":
            body = render_xml(result)
        elif fmt == "csv":
            body = render_csv(result)
            headers["Content-Disposition"] = f"attachment;filename={op.request if op else 'Response'}.csv"
        elif fmt == "html":
            body = render_html(result, op.request if op else self.service_name, path)
        else:
            body = render_json(result, jsconfig)
        return Response(body, status_code=status, media_type=FORMATS[fmt], headers=headers)

    def error_response(self, exc: Exception, fmt: str, jsconfig: JsConfig, op: Operation | None,
                       path: str) -> Response:
        if isinstance(exc, PayloadTooLarge):
            status = 413
        elif isinstance(exc, errors.CoreError) and exc.code == "NotImplementedException":
            status = 405
        else:
            status = next((s for kind, s in STATUS_FOR.items() if isinstance(exc, kind)), 500)
        if status == 500:
            log.exception("Unhandled error on %s", path)
            code, message = "InternalServerError", "An unexpected error occurred; it has been logged."
        else:
            assert isinstance(exc, errors.CoreError)
            code, message = exc.code, exc.message
        style = op.error_style if op is not None else next(
            (name for pattern, name in self.path_styles if pattern.match(path)), "servicestack")
        if style in self.error_styles:
            details = [{"ErrorCode": e.code, "FieldName": e.field, "Message": e.message}
                       for e in getattr(exc, "errors", [])]
            body: Any = self.error_styles[style](status, code, message, details)
            fmt = "json"  # the dialect's clients read JSON errors
        else:
            field_errors = [
                Dto("ResponseError",
                    {"ErrorCode": e.code, "FieldName": self.field_namer(op, e.field), "Message": e.message})
                for e in getattr(exc, "errors", [])
            ]
            body = Dto("ErrorResponse", {"ResponseStatus": Dto("ResponseStatus", {
                "ErrorCode": code, "Message": message, "Errors": field_errors})})
        response = self.render(body, fmt if fmt != "csv" else "json", jsconfig, status, op, path)
        if status == 401:
            response.headers["WWW-Authenticate"] = 'credentials realm="/auth/credentials"'
        return response


def _basic_credentials(encoded: str) -> tuple[str, str] | None:
    """User name and password from an HTTP Basic header value; None if it is not well formed."""
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    if "\x00" in decoded:
        return None
    return (username, password) if sep else None


class _MethodNotAllowed(Exception):
    def __init__(self, method: str, path: str) -> None:
        super().__init__(f"Could not find a handler for {method} {path}; the route exists for other verbs")


def new_cookie_id() -> str:
    return secrets.token_urlsafe(15)[:20]
