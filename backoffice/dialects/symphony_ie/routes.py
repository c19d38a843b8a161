"""The Symphony Import/Export API's three WCF services, routed as WCF webHttp routes them.

``/ImportExportAPI/{SecurityService|DataService|DownloadService}.svc/web/{Operation}/{...}``:

* service and operation names match in any case (``/getschedules/``, ``GETFILEDATA``);
* empty segments right after ``/web/`` are skipped (clients append ``/Operation`` to a base URL
  that already ends in ``/``); other segments keep their place, so ``GetSchedules//ORG`` has an
  empty user name, and an empty or absent ``{userName}`` or ``{orgCode}`` means the token's own;
* ``{*orgCode}`` is WCF's catch-all: the rest of the path, possibly empty;
* segments are percent-decoded one by one (``api%20spec``).

Every operation but the security service's and the help pages needs the ``AuthenticationToken``
header. Errors are answered the two ways a WCF REST service answers them: the infrastructure's
HTML "Request Error" page for a request it cannot dispatch or deserialise (404, 405, 400, 413), and
a JSON string with the message and the right status for a business fault (WCF's
``WebFaultException<string>``). No stack trace ever reaches a client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from ...core import errors
from ...core.auth import tokens
from ...core.store import Database
from ...settings import Settings
from ...wire import wcf
from . import handlers as h
from . import shapes

log = logging.getLogger("backoffice.symphony_ie")

PREFIX = "ImportExportAPI"
SECURITY, DATA, DOWNLOAD = "SecurityService", "DataService", "DownloadService"
JSON = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Operation:
    service: str
    name: str
    methods: tuple[str, ...]
    params: tuple[str, ...]  # positional segments after the name; a trailing "*orgCode" is the catch-all
    handler: Callable[[h.Call], h.Reply]
    description: str
    token: bool = True
    large_body: bool = False

    @property
    def uri(self) -> str:
        return "/" + "/".join([self.name, *(f"{{{p}}}" for p in self.params)])


def _op(service: str, name: str, method: str, params: str, handler: Callable[[h.Call], h.Reply], description: str,
        **kw: bool) -> Operation:
    methods = tuple(m.strip() for m in method.split("|"))
    return Operation(service, name, methods, tuple(p for p in params.split("/") if p), handler, description, **kw)


# The tables of the document (1-1, 1-2, 1-3), in its order and words.
OPERATIONS: tuple[Operation, ...] = (
    _op(SECURITY, "GetUserAuthenticationToken", "POST", "", h.get_token,
        "Authenticates user and returns a token.", token=False),
    _op(SECURITY, "SignOffToken", "POST", "", h.sign_off, "Invalidates the valid token.", token=False),
    _op(SECURITY, "GenerateOneTimeCode", "POST", "", h.generate_code, "Generates one time passcode.", token=False),
    _op(SECURITY, "ValidateToken", "POST", "", h.validate_code, "Validates token for user at a given org.",
        token=False),
    _op(DATA, "AddSchedule", "POST", "", h.add_schedule,
        "Adds a new schedule. Returns positive schedule Id if successful, otherwise returns -1."),
    _op(DATA, "GetBuildVersion", "GET", "", h.build_version, "Returns the Build version of API."),
    _op(DATA, "GetExportableTypes", "GET", "userName/*orgCode", h.exportable_types,
        "Returns the type of objects exportable from this service."),
    _op(DATA, "GetFileData", "GET", "requestId/userName/*orgCode", h.file_data,
        "Returns the file bytes for a given export request, or an error file if an error occurs."),
    _op(DATA, "GetHierarchyStructure", "GET", "userName/*orgCode", h.hierarchy,
        "Returns all Hierarchy objects (Enterprise, Properties, RVC's, and Zones) available for the current user "
        "in a given organization."),
    _op(DATA, "GetImportableTypes", "GET", "userName/*orgCode", h.importable_types,
        "Returns the type of objects importable from this service."),
    _op(DATA, "GetObjectInfo", "GET", "userName/*orgCode", h.object_info, "Help Info: returns object information."),
    _op(DATA, "GetPropertiesForType", "GET", "fullyQualifiedTypeName/userName/*orgCode", h.properties_for_type,
        "Returns the attributes (Columns) of objects available on a given object."),
    _op(DATA, "GetRequests", "GET", "days/userName/*orgCode", h.recent_requests,
        "Returns all requests made by this user's org for specified up to 30 days with latest status. Includes "
        "originally scheduled active requests."),
    _op(DATA, "GetRequestStatus", "GET", "requestId/userName/*orgCode", h.request_status,
        "Returns the request object with latest status."),
    _op(DATA, "GetSchedules", "GET", "userName/*orgCode", h.list_schedules,
        "Returns all schedules available in this organization."),
    _op(DATA, "GetServerTimeWithZone", "GET", "", h.server_time, "Returns server current time and time zone."),
    _op(DATA, "GetSnapshotBeforeImport", "GET", "requestId/userName/*orgCode", h.snapshot,
        "Returns the original snap-shot of backed up data in bytes before the given import is processed."),
    _op(DATA, "GetSupportedLanguages", "GET", "userName/*orgCode", h.supported_languages,
        "Returns all the Symphony configured languages for a given organization."),
    _op(DATA, "SubmitImportExportRequest", "POST", "", h.submit, "Submit a request for Import or Export.",
        large_body=True),
    _op(DATA, "UpdateRequestStatus", "POST", "", h.update_request_status,
        "Updates the status of a request, enabling it to be cancelled."),
    _op(DATA, "UpdateScheduleStatus", "POST", "", h.update_schedule_status, "Enables or disables a schedule."),
    # The table says POST without parameters, the section GET with {USERNAME}/{ORGCODE}: both work.
    _op(DATA, "GetEmployeeLanguageId", "GET|POST", "userName/*orgCode", h.employee_language,
        "Returns the LanguageID of a given user."),
    _op(DOWNLOAD, "GetZipEMCClientFiles", "POST", "userName/*orgCode", h.zip_emc_files,
        "Accepts EMC file names in the request body and returns a Stream containing a zip of all requested EMC "
        "files."),
    _op(DOWNLOAD, "GetEMCManifest", "GET", "userName/*orgCode", h.emc_manifest,
        "Returns a Stream containing contents of EMC Manifest file."),
    _op(DOWNLOAD, "GetBinaries", "GET", "userName/downloadType/*orgCode", h.binaries,
        "Accepts the type of download to be performed and returns bytes containing contents of the downloaded "
        "file."),
    _op(DOWNLOAD, "GetSelfUpdateVersion", "GET", "userName/*orgCode", h.self_update_version,
        "Returns the current version of the self-update download mechanism."),
)
_BY_NAME = {(op.service.lower(), op.name.lower()): op for op in OPERATIONS}
_SERVICES = {s.lower(): s for s in (SECURITY, DATA, DOWNLOAD)}

FAULT_STATUS = {errors.NotFound: 404, errors.Invalid: 400, errors.Conflict: 409, errors.Forbidden: 403,
                errors.Unauthenticated: 401}


class Dispatch(Exception):
    """A request WCF's dispatcher itself turns away (answered with its HTML error page)."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.title = title


def _page(status: int, title: str, message: str, extra: dict[str, str] | None = None) -> Response:
    return Response(wcf.error_page(status, title, message), status_code=status, media_type="text/html",
                    headers=extra)


def _fault(status: int, message: str) -> Response:
    return Response(shapes.dumps(message), status_code=status, media_type=JSON)


def bind(operation: Operation, args: list[str]) -> dict[str, str]:
    """The operation's parameters from the path segments after its name (see the module docstring)."""
    names = list(operation.params)
    catch_all = names[-1][1:] if names and names[-1].startswith("*") else None
    positional = names[:-1] if catch_all else names
    if positional and positional[0] == "days":
        # GetRequests//7/user/ORG: the public client puts an empty segment before the days.
        while args and args[0] == "" and len(args) > 1:
            args = args[1:]
    if not names and any(args):
        raise Dispatch(400, "Request Error", f"{operation.name} takes no parameters in its address")
    values = {name: (args[i] if i < len(args) else "") for i, name in enumerate(positional)}
    if catch_all:
        values[catch_all] = "/".join(args[len(positional):]).strip("/")
    elif len(args) > len(positional) and any(args[len(positional):]):
        raise Dispatch(400, "Request Error", f"Too many segments in the address of {operation.name}")
    return values


def _split(raw_path: str) -> tuple[str, list[str]] | None:
    """(service, segments after /web/) for an Import/Export address, or None if it is not one."""
    parts = raw_path.split("/")
    # parts[0] is "" (the path starts with /); then ImportExportAPI, X.svc, web, ...
    if len(parts) < 4 or parts[1].lower() != PREFIX.lower():
        return None
    svc = parts[2]
    if not svc.lower().endswith(".svc") or svc[:-4].lower() not in _SERVICES:
        raise Dispatch(404, "Service", f"There is no service {unquote(svc)!r} here; the services are "
                                       "SecurityService.svc, DataService.svc and DownloadService.svc")
    if parts[3].lower() != "web":
        raise Dispatch(404, "Endpoint not found", "Endpoint not found. The services answer under .svc/web/")
    rest = [unquote(p) for p in parts[4:]]
    while rest and rest[0] == "":
        rest = rest[1:]
    return _SERVICES[svc[:-4].lower()], rest


def _check_owner(call: h.Call) -> None:
    """A non-empty {userName}/{orgCode} in the address must be the token's own."""
    who = call.principal
    assert who is not None
    user = call.params.get("userName", "").strip()
    org = call.params.get("orgCode", "").strip()
    if user and user.lower() != who.user_name.lower():
        raise errors.Forbidden(f"The address names user {user!r}, but the token is {who.user_name!r}'s")
    if org and org.lower() != who.org.code.lower():
        raise errors.Forbidden(f"The address names organization {org!r}, but the token is for {who.org.code!r}")


class SymphonyImportExport:
    """The ASGI-facing host of the three services."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    def matches(self, path: str) -> bool:
        return path.lower().startswith(f"/{PREFIX.lower()}/")

    async def handle(self, request: Request) -> Response:
        try:
            raw = request.scope.get("raw_path", b"").decode("latin-1").split("?")[0] or request.url.path
            found = _split(raw)
            if found is None:
                raise Dispatch(404, "Endpoint not found", "Endpoint not found.")
            service, rest = found
            if not rest or rest[0].lower() == "help":
                return self._help(request, service, rest)
            operation = _BY_NAME.get((service.lower(), rest[0].lower()))
            if operation is None:
                raise Dispatch(404, "Endpoint not found", f"Endpoint not found: {service} has no operation "
                                                          f"{rest[0]!r}. See {service}.svc/web/help")
            if request.method not in operation.methods:
                raise Dispatch(405, "Method not allowed",
                               f"Method not allowed: {operation.name} takes {' or '.join(operation.methods)}")
            call = h.Call(self.db, self.settings, request.headers, bind(operation, rest[1:]), b"")
            limit = self.settings.import_max_bytes if operation.large_body else self.settings.max_body_bytes
            call.body = await self._body(request, limit)
            if operation.large_body and call.body:
                # A million-row import is hundreds of megabytes of JSON numbers: take the file out
                # without ever making a list of them.
                try:
                    call.body, call.data = wcf.extract_byte_array(call.body, "DataForImport")
                except ValueError as exc:
                    raise shapes.WireError(f"DataForImport: {exc}") from None
            return await run_in_threadpool(self._run, operation, call)
        except Dispatch as exc:
            return _page(exc.status, exc.title, str(exc))
        except shapes.WireError as exc:
            return _page(400, "Request Error", str(exc))
        except errors.CoreError as exc:
            return _fault(_status(exc), str(exc))
        except Exception:  # never a stack trace to a client
            log.exception("Import/Export request failed: %s %s", request.method, request.url.path)
            return _page(500, "Request Error", "The server encountered an error processing the request. "
                                               "See the server logs for more details.")

    async def _body(self, request: Request, limit: int) -> bytes:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise Dispatch(413, "Request Entity Too Large", f"The request body is larger than the {limit} bytes "
                                                            "allowed")
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise Dispatch(413, "Request Entity Too Large",
                               f"The request body is larger than the {limit} bytes allowed")
            chunks.append(chunk)
        return b"".join(chunks)

    def _run(self, operation: Operation, call: h.Call) -> Response:
        if operation.token:
            token = call.headers.get("AuthenticationToken")
            with self.db.read() as conn:
                call.principal = tokens.resolve(conn, token)
            _check_owner(call)
        reply = operation.handler(call)
        return self._answer(reply)

    def _answer(self, reply: h.Reply) -> Response:
        if reply.chunks is None:
            return Response(shapes.dumps(reply.json), media_type=JSON, headers=reply.extra or None)
        headers = dict(reply.extra)
        if reply.filename:
            headers["Content-Disposition"] = f'attachment; filename="{reply.filename}"'
        if reply.as_array:
            body: Iterator[bytes] = shapes.byte_array(reply.chunks)
            return StreamingResponse(iterate_in_threadpool(body), media_type=JSON, headers=headers)
        return StreamingResponse(iterate_in_threadpool(iter(reply.chunks)), media_type=reply.content_type,
                                 headers=headers)

    def _help(self, request: Request, service: str, rest: list[str]) -> Response:
        if request.method not in ("GET", "HEAD"):
            raise Dispatch(405, "Method not allowed", "Method not allowed: the help page is read with GET")
        base = f"{request.base_url}{PREFIX}/{service}.svc/web"
        rows = [(op.uri, "/".join(op.methods), op.description) for op in OPERATIONS if op.service == service]
        return Response(wcf.help_page(service, base, rows), media_type="text/html")


def _status(exc: errors.CoreError) -> int:
    for kind, status in FAULT_STATUS.items():
        if isinstance(exc, kind):
            return status
    return 400
