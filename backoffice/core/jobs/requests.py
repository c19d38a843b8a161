"""Import and export requests: submitted, queued as jobs, run by the worker, looked at, cancelled.

A request belongs to one organization and is made by one of its members. Its work runs as a job
of kind ``ie.request`` on the job queue (exactly once, whichever server's worker claims it). An
export writes its CSV as the request's ``output`` file; an import reads its ``input`` file, writes
the ``snapshot`` of the rows it touches and, when rows fail, an ``errors`` file, all in the same
transaction as the data and the request's final status, so a crash leaves everything as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..auth.tokens import OrgPrincipal
from ..catalog.menu import InterchangeType, interchange_type
from ..clock import now
from ..errors import FieldError, Invalid, NotFound
from ..numbering import reserve
from ..store import Database
from ..store.db import insert_unless_present
from ..store.tables import ENTITY_TABLES
from . import queue, transfer
from .csvfiles import CsvSink
from .tables import ie_file_chunk, ie_request, ie_schedule

log = logging.getLogger("backoffice.requests")

JOB_KIND = "ie.request"

EXPORT, IMPORT = 0, 1
CSV = 0
# RequestOrigin
WEB_APPLICATION, WEB_API, INTERNAL_APPLICATION, SCHEDULER, OTHER = range(5)
# RequestStatus
(INVALID, NEW, RECEIVED, PROCESSING, COMPLETE, COMPLETED_WITH_ERRORS, ERROR, UNKNOWN, UNAUTHORIZED,
 SCHEDULED) = range(10)
FINISHED = (COMPLETE, COMPLETED_WITH_ERRORS, ERROR)
STATUS_NAMES = ("Invalid", "New", "Received", "Processing", "Complete", "CompletedWithErrors", "Error", "Unknown",
                "UnAuthorized", "Scheduled")
LEVELS = 4
MAX_DAYS = 30
# Share of failed rows up to which an import still writes its good rows (CompletedWithErrors).
FAILURE_THRESHOLD = 0.10

node_t = ENTITY_TABLES["HierarchyNode"]


@dataclass
class RequestSpec:
    """What a client asks for (SubmitImportExportRequest), before it is checked."""

    operation: int
    object_type: str
    hier_struc_id: int | None = None
    language_id: int | None = None
    level: int = 0
    object_number_filter: str | None = None
    members: list[str] | None = None
    sort: list[tuple[str, str]] | None = None
    data_since: datetime | None = None
    origin: int = WEB_API
    schedule_id: int | None = None
    request_name: str | None = None
    request_date: datetime | None = None
    file_format: int = CSV
    data: bytes | None = None


@dataclass
class RequestRecord:
    """A request as clients see it (GetRequestStatus, GetRequests)."""

    request_id: int
    org_code: str
    user_name: str
    request_name: str | None
    operation: int
    file_format: int
    object_type: str
    hier_struc_id: int | None
    language_id: int | None
    level: int
    object_number_filter: str | None
    members: list[str]
    sort: list[tuple[str, str]]
    data_since: datetime | None
    origin: int
    original_request_id: int | None
    schedule_id: int | None
    status: int
    request_date: datetime
    rows_total: int | None = None
    rows_failed: int | None = None
    message: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def type(self) -> InterchangeType:
        return interchange_type(self.object_type)


def _record(row: Any, org_code: str) -> RequestRecord:
    return RequestRecord(
        row.request_id, org_code, row.user_name, row.request_name, row.operation, row.file_format, row.object_type,
        row.hier_struc_id, row.language_id, row.level, row.object_number_filter, list(row.selected_members or []),
        [(a, b) for a, b in (row.sort_expressions or [])], row.data_since, row.origin, row.original_request_id,
        row.schedule_id, row.status, row.request_date, row.rows_total, row.rows_failed, row.message,
    )


def _check(conn: Connection, principal: OrgPrincipal, spec: RequestSpec) -> InterchangeType:
    """Every reason the request cannot run, at once, as one Invalid."""
    problems: list[tuple[str, str]] = []
    kind: InterchangeType | None = None
    try:
        kind = interchange_type(spec.object_type or "")
    except KeyError:
        problems.append(("ObjectType", f"Unknown object type {spec.object_type!r}; GetExportableTypes lists them"))
    if spec.operation not in (EXPORT, IMPORT):
        problems.append(("SelectedOperation", "SelectedOperation must be 0 (Export) or 1 (Import)"))
    if spec.file_format != CSV:
        problems.append(("SelectedFormat", "SelectedFormat must be 0 (CSV)"))
    if not 0 <= spec.level < LEVELS:
        problems.append(("Level", "Level must be 0 to 3"))
    if spec.origin not in (WEB_APPLICATION, WEB_API, INTERNAL_APPLICATION, OTHER):
        problems.append(("Origin", "Origin must be 0, 1, 2 or 4 (3 is the scheduler's)"))
    if kind is not None and spec.operation == EXPORT and not kind.exportable:
        problems.append(("ObjectType", f"{kind.short_name} cannot be exported"))
    if kind is not None and spec.operation == IMPORT and not kind.importable:
        problems.append(("ObjectType", f"{kind.short_name} cannot be imported"))
    if spec.operation == IMPORT and not spec.data:
        problems.append(("DataForImport", "An import needs the file's bytes in DataForImport"))
    if spec.operation == IMPORT and spec.schedule_id is not None:
        problems.append(("ScheduleId", "Only exports can be scheduled"))
    org = principal.org
    if spec.hier_struc_id is not None and conn.execute(sa.select(node_t.c.id).where(
            node_t.c.id == spec.hier_struc_id, node_t.c.org_id == org.org_id)).first() is None:
        problems.append(("HierStrucId", f"No hierarchy node {spec.hier_struc_id} in organization {org.code}"))
    if spec.schedule_id is not None and conn.execute(sa.select(ie_schedule.c.schedule_id).where(
            ie_schedule.c.schedule_id == spec.schedule_id, ie_schedule.c.org_id == org.org_id)).first() is None:
        problems.append(("ScheduleId", f"No schedule {spec.schedule_id} in organization {org.code}"))
    if spec.object_number_filter:
        try:
            transfer.parse_number_filter(spec.object_number_filter)
        except Invalid as exc:
            problems.append(("ObjectNumberFilter", f"ObjectNumberFilter: {exc}"))
    if kind is not None:
        names = {c.name.lower() for c in kind.columns}
        for member in spec.members or []:
            if member.lower() not in names:
                problems.append(("SelectedObjectMembers", f"{kind.short_name} has no column {member!r}"))
        for column, direction in spec.sort or []:
            if column.lower() not in names:
                problems.append(("SortExpressions", f"{kind.short_name} has no column {column!r} to sort on"))
            if (direction or "asc").lower() not in ("asc", "desc"):
                problems.append(("SortExpressions", f"Sort direction {direction!r} is not asc or desc"))
    if problems:
        raise Invalid("; ".join(message for _, message in problems),
                      [FieldError(name, "Invalid", message) for name, message in problems])
    assert kind is not None
    return kind


def submit(conn: Connection, principal: OrgPrincipal, spec: RequestSpec) -> tuple[int, int]:
    """Record and queue a request; returns (RequestId, Status). A request linked to a schedule waits
    for its schedule (Scheduled); any other is Received and queued for the worker at once."""
    kind = _check(conn, principal, spec)
    request_id = reserve(conn, "ImportExportRequest")
    stamp = now()
    status = SCHEDULED if spec.schedule_id is not None else RECEIVED
    conn.execute(ie_request.insert().values(
        request_id=request_id, org_id=principal.org.org_id, staff_id=principal.staff_id,
        user_name=principal.user_name, request_name=(spec.request_name or "")[:200] or None,
        operation=spec.operation, file_format=spec.file_format, object_type=kind.short_name,
        hier_struc_id=spec.hier_struc_id, language_id=spec.language_id, level=spec.level,
        object_number_filter=spec.object_number_filter or None, selected_members=spec.members or None,
        sort_expressions=[list(s) for s in spec.sort] if spec.sort else None, data_since=spec.data_since,
        origin=spec.origin, schedule_id=spec.schedule_id, status=status, request_date=spec.request_date or stamp,
        created_at=stamp,
    ))
    if spec.data:
        transfer.store_file(conn, request_id, "input", spec.data)
    if status == RECEIVED:
        _queue(conn, request_id, principal.staff_id)
    return request_id, status


def _queue(conn: Connection, request_id: int, owner: str, key: str | None = None) -> None:
    job_id = queue.enqueue(conn, JOB_KIND, {"request_id": request_id}, owner, key=key)
    conn.execute(ie_request.update().where(ie_request.c.request_id == request_id).values(job_id=job_id))


def start_scheduled_run(conn: Connection, original: Any, slot: datetime) -> int | None:
    """Start one scheduled run of ``original`` (a Scheduled request row) for the time ``slot``: a new
    request (Origin Scheduler, OriginalRequestId the original) queued for the worker. Returns its id,
    or None when another server already started this slot (the run key is unique)."""
    run_key = f"schedule:{original.schedule_id}:{original.request_id}:{slot:%Y%m%d%H%M}"
    if conn.execute(sa.select(ie_request.c.request_id).where(ie_request.c.run_key == run_key)).first() is not None:
        return None
    request_id = reserve(conn, "ImportExportRequest")
    values = {c.name: getattr(original, c.name) for c in ie_request.columns
              if c.name not in ("request_id", "job_id", "started_at", "finished_at", "rows_total", "rows_failed",
                                "message", "run_key", "status", "created_at", "request_date", "origin",
                                "original_request_id")}
    stamp = now()
    insert = insert_unless_present(conn, ie_request, ["run_key"]).values(
        **values, request_id=request_id, status=RECEIVED, origin=SCHEDULER, original_request_id=original.request_id,
        created_at=stamp, request_date=slot, run_key=run_key,
    )
    if not conn.execute(insert).rowcount:
        return None
    _queue(conn, request_id, original.staff_id, key=f"ie:{run_key}")
    return request_id


# --- looking -------------------------------------------------------------------------------


def _row(conn: Connection, principal: OrgPrincipal, request_id: int) -> Any:
    row = conn.execute(sa.select(ie_request).where(ie_request.c.request_id == request_id,
                                                   ie_request.c.org_id == principal.org.org_id)).first()
    if row is None:  # another organization's request is as unknown as one that never was
        raise NotFound(f"No request {request_id} in organization {principal.org.code}")
    return row


def get(conn: Connection, principal: OrgPrincipal, request_id: int) -> RequestRecord:
    return _record(_row(conn, principal, request_id), principal.org.code)


def recent(conn: Connection, principal: OrgPrincipal, days: int) -> list[RequestRecord]:
    """The organization's requests of the last ``days`` days (0 = today, at most 30), newest first,
    and every request still waiting on an active schedule however old."""
    if days < 0:
        raise Invalid.field("days", "days must be 0 to 30", "InvalidValue")
    days = min(days, MAX_DAYS)
    since = now().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days)
    active = sa.select(ie_schedule.c.schedule_id).where(ie_schedule.c.active.is_(True))
    rows = conn.execute(sa.select(ie_request).where(
        ie_request.c.org_id == principal.org.org_id,
        sa.or_(ie_request.c.created_at >= since,
               sa.and_(ie_request.c.status == SCHEDULED, ie_request.c.schedule_id.in_(active))),
    ).order_by(ie_request.c.request_id.desc())).all()
    return [_record(r, principal.org.code) for r in rows]


def file_kind_for(record: RequestRecord) -> str:
    """Which file GetFileData answers: an export's CSV, or an import's failed rows."""
    return "output" if record.operation == EXPORT and record.status != ERROR else "errors"


def file(conn: Connection, principal: OrgPrincipal, request_id: int, kind: str) -> Iterator[bytes]:
    """The request's file of ``kind`` in chunks. NotFound when the request has none (yet)."""
    _row(conn, principal, request_id)
    if conn.execute(sa.select(ie_file_chunk.c.seq).where(ie_file_chunk.c.request_id == request_id,
                                                         ie_file_chunk.c.kind == kind).limit(1)).first() is None:
        raise NotFound(f"Request {request_id} has no {kind} file")
    return transfer.iter_chunks(conn, request_id, kind)


def cancel(conn: Connection, principal: OrgPrincipal, request_id: int) -> list[str]:
    """Stop a request that has not finished (and a scheduled one's future runs); its status becomes
    Error. A running import's work is rolled back: its worker loses the job and cannot commit."""
    row = _row(conn, principal, request_id)
    # Conditional, so a worker finishing at this moment wins cleanly (PostgreSQL re-reads the row
    # after the worker's commit): a finished request is never reported cancelled.
    cancelled = conn.execute(ie_request.update().where(
        ie_request.c.request_id == request_id, ie_request.c.status.not_in(FINISHED),
    ).values(status=ERROR, finished_at=now(), message=f"Cancelled by {principal.user_name}")).rowcount
    if not cancelled:
        status = conn.execute(sa.select(ie_request.c.status).where(ie_request.c.request_id == request_id)).scalar()
        raise Invalid.field("RequestId", f"Request {request_id} has already finished "
                            f"({STATUS_NAMES[status or 0]}) and cannot be cancelled", "AlreadyFinished")
    if row.job_id:
        # A running worker loses its job and cannot commit: its work is rolled back.
        queue.cancel(conn, row.job_id)
    return [f"Request {request_id} cancelled"]


# --- running -------------------------------------------------------------------------------

# Who wants to see a request's progress in this process (the command line's progress bar): called
# with the bytes of file read (import) or written (export) so far.
_watchers: dict[int, Callable[[int], None]] = {}


def watch(request_id: int, callback: Callable[[int], None] | None) -> None:
    if callback is None:
        _watchers.pop(request_id, None)
    else:
        _watchers[request_id] = callback


def _counted(chunks: Iterable[bytes], request_id: int) -> Iterator[bytes]:
    done = 0
    for chunk in chunks:
        done += len(chunk)
        if request_id in _watchers:
            _watchers[request_id](done)
        yield chunk


def _scope(row: Any) -> transfer.Scope:
    return transfer.Scope(row.org_id, row.hier_struc_id, row.level, row.language_id)


def run(ctx: queue.JobContext) -> None:
    """The job handler: run one request to its final status in one transaction."""
    request_id = int(ctx.payload["request_id"])
    db: Database = ctx.db
    with db.write() as conn:
        row = conn.execute(sa.select(ie_request).where(ie_request.c.request_id == request_id)).first()
        # Only a request still waiting (or one a crashed attempt left Processing) is started: a
        # cancel that came first stays a cancel.
        started = conn.execute(ie_request.update().where(
            ie_request.c.request_id == request_id, ie_request.c.status.in_((RECEIVED, PROCESSING)),
        ).values(status=PROCESSING, started_at=now())).rowcount
        if row is None or not started:
            ctx.finish(conn, {"skipped": True})
            return
    try:
        with db.write() as conn:
            # A new attempt after a crash starts from nothing: drop what an earlier one left.
            conn.execute(ie_file_chunk.delete().where(ie_file_chunk.c.request_id == request_id,
                                                      ie_file_chunk.c.kind.in_(("output", "errors", "snapshot"))))
            values = _perform(conn, row)
            conn.execute(ie_request.update().where(ie_request.c.request_id == request_id,
                                                   ie_request.c.status == PROCESSING)
                         .values(**values, finished_at=now()))
            ctx.finish(conn, {"status": values["status"]})
    except queue.LeaseLost:
        raise
    except Invalid as exc:
        # The request cannot run as asked (e.g. a file without a mandatory column): say why in its
        # error file, write nothing else.
        _end_in_error(ctx, request_id, str(exc))
    except Exception:
        # Anything else is the server's fault: the request must still end (clients poll until it
        # does), and the details stay in the server log.
        log.exception("import/export request %s failed", request_id)
        _end_in_error(ctx, request_id, "The request failed on the server; the server log has the details")


def _end_in_error(ctx: queue.JobContext, request_id: int, reason: str) -> None:
    with ctx.db.write() as conn:
        _record_error(conn, request_id, reason)
        ctx.finish(conn, {"status": ERROR})


def _record_error(conn: Connection, request_id: int, reason: str) -> None:
    """End an unfinished request in Error, with ``reason`` as its error file."""
    conn.execute(ie_file_chunk.delete().where(ie_file_chunk.c.request_id == request_id,
                                              ie_file_chunk.c.kind.in_(("output", "errors", "snapshot"))))
    writer = transfer.ChunkWriter(conn, request_id, "errors")
    lines = CsvSink(writer.write)
    lines.write(["Error"])
    lines.write([reason])
    lines.flush()
    writer.close()
    conn.execute(ie_request.update().where(ie_request.c.request_id == request_id,
                                           ie_request.c.status.not_in(FINISHED))
                 .values(status=ERROR, finished_at=now(), message=reason[:2000]))


def _given_up(conn: Connection, job: queue.Job, error: str) -> None:
    """The queue gave the job up (its workers kept dying): the request ends in Error too."""
    _record_error(conn, int(job.payload["request_id"]),
                  "The request was given up after its workers stopped answering several times")


def _perform(conn: Connection, row: Any) -> dict[str, Any]:
    kind = interchange_type(row.object_type)
    scope = _scope(row)
    if row.operation == EXPORT:
        writer = transfer.ChunkWriter(conn, row.request_id, "output")
        written = 0

        def sink(data: bytes) -> None:
            nonlocal written
            writer.write(data)
            written += len(data)
            if row.request_id in _watchers:
                _watchers[row.request_id](written)

        count = transfer.export_csv(
            conn, kind, scope, members=row.selected_members, sort=[(a, b) for a, b in row.sort_expressions or []],
            number_filter=row.object_number_filter, data_since=row.data_since, sink=sink)
        writer.close()
        return {"status": COMPLETE, "rows_total": count, "rows_failed": 0, "message": f"{count} rows exported"}
    snapshot = transfer.ChunkWriter(conn, row.request_id, "snapshot")
    errors = transfer.ChunkWriter(conn, row.request_id, "errors")
    source = _counted(transfer.iter_chunks(conn, row.request_id, "input"), row.request_id)
    outcome = transfer.import_csv(conn, kind, scope, source,
                                  failure_threshold=FAILURE_THRESHOLD, snapshot=snapshot.write, errors=errors.write)
    snapshot.close()
    errors.close()
    return {"status": outcome.status, "rows_total": outcome.rows_total, "rows_failed": outcome.rows_failed,
            "message": outcome.message}


queue.register(JOB_KIND, run, lease=timedelta(minutes=5), max_attempts=3, on_give_up=_given_up)
