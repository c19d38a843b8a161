"""Running reports in the background: execute (queue a run), the job that computes and pages it,
its status, waiting for it, its pages, its renderings, and the owner's history.

A run is a ``report_run`` row (its DocumentId is a GUID) and a job in the queue. The job reads the
rows in one read transaction (so a long report holds no write lock), splits them into pages of a
fixed number of rows, renders each page's HTML table, and stores pages and status in one write
transaction together with the job's completion — a run is finished exactly once.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import IntEnum
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..auth import Principal
from ..catalog import FieldType
from ..clock import now
from ..errors import Conflict, CoreError, Invalid, NotFound
from ..jobs import queue
from ..query import Filter, Op, Query, Sort, compile_query
from ..store import Database
from . import render, views
from .definitions import Report, ReportColumn, get_report
from .params import may_run, output_columns, owner_of, parse_pages, query_filter, resolve_filters
from .tables import report_page, report_run

log = logging.getLogger("backoffice.reports")

JOB_KIND = "report"
ROWS_PER_PAGE = 30
MAX_ROWS_PER_PAGE = 1000
# A4 landscape in CSS pixels (1/96 inch), the page size the seed's execution answer shows.
PAGE_WIDTH, PAGE_HEIGHT = 1122.52, 793.7008
# A report this long is refused (narrow the filters) rather than filling the database.
MAX_ROWS = 100_000


class Status(IntEnum):
    """A run's status; the numbers are the history's ``StatusID`` (the seed shows 2 = Finished)."""

    QUEUED = 0
    RUNNING = 1
    FINISHED = 2
    FAILED = 3
    CANCELLED = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()


ENDED = (Status.FINISHED, Status.FAILED, Status.CANCELLED)


@dataclass(frozen=True)
class RunStatus:
    """A run as its owner sees it (execution answer, history entry)."""

    document_id: str
    report: str
    view: str | None
    title: str
    language: str
    status: Status
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    page_count: int | None
    row_count: int | None
    page_width: float
    page_height: float
    error: str | None
    filters: list[list[Any]]

    @property
    def status_name(self) -> str:
        return self.status.label

    @property
    def ended(self) -> bool:
        return self.status in ENDED

    @property
    def duration(self) -> timedelta | None:
        if self.started_at is None:
            return None
        return (self.finished_at or now()) - self.started_at

    @property
    def pages(self) -> list[tuple[float, float]]:
        """(height, width) of each page, once finished (every page has the same size)."""
        return [(self.page_height, self.page_width)] * (self.page_count or 0)

    def history_title(self, language: str | None = None) -> str:
        """``"<title> on 25/2/2019 3:31:01 μμ"`` — when it was asked for, in UTC, the seed's form."""
        lang = (language or self.language).split("-")[0].lower()
        stamp = self.created_at
        hour = stamp.hour % 12 or 12
        marker = ("πμ" if stamp.hour < 12 else "μμ") if lang == "el" else ("AM" if stamp.hour < 12 else "PM")
        return f"{self.title} on {stamp.day}/{stamp.month}/{stamp.year} {hour}:{stamp:%M:%S} {marker}"

    def history_description(self, language: str | None = None) -> str:
        """``"Κατάσταση: Finished, Λεπτομέρειες: Σελίδες: 1 (00:00:03)"``, or the error of a failed run."""
        greek = (language or self.language).split("-")[0].lower() == "el"
        status_word, details_word, pages_word = (("Κατάσταση", "Λεπτομέρειες", "Σελίδες") if greek
                                                 else ("Status", "Details", "Pages"))
        text = f"{status_word}: {self.status_name}"
        if self.status is Status.FINISHED:
            seconds = int(self.duration.total_seconds()) if self.duration else 0
            took = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
            text += f", {details_word}: {pages_word}: {self.page_count} ({took})"
        elif self.status is Status.FAILED and self.error:
            text += f", {details_word}: {self.error}"
        return text


@dataclass(frozen=True)
class PageContent:
    number: int
    content: str  # an HTML table fragment starting with U+FEFF


@dataclass(frozen=True)
class ReportPages:
    """Pages of a finished run: the seed's ``{Title, TotalPages, DocumentId, PageContents}``."""

    document_id: str
    title: str
    total_pages: int
    pages: list[PageContent]


def _status(row: Any) -> RunStatus:
    return RunStatus(
        document_id=row.document_id, report=row.report, view=row.view_name, title=row.title, language=row.language,
        status=Status(row.status), created_at=row.created_at, started_at=row.started_at,
        finished_at=row.finished_at, page_count=row.page_count, row_count=row.row_count,
        page_width=row.page_width, page_height=row.page_height, error=row.error, filters=list(row.filters or []),
    )


def _column_json(report: Report, column: ReportColumn, language: str) -> dict[str, Any]:
    field_type, enum = report.column_type(column)
    return render.Column(column.name, column.caption(language), field_type.value, enum, column.width).as_json()


# --- executing -----------------------------------------------------------------------------------------


def execute(conn: Connection, actor: Principal, report_name: str, filters: Iterable[Sequence[Any]] = (),
            view: str | None = None, *, language: str = "en", rows_per_page: int = ROWS_PER_PAGE) -> RunStatus:
    """Queue a run of ``report_name`` (with the custom report ``view``, if named) and return it, Queued.

    ``filters`` are (filter name, operator, value) triples; they are checked now, so a bad request
    fails here and never reaches the worker (see ``params.resolve_filters``). The run exists, and the
    worker can start it, once the caller's transaction commits.
    """
    report = get_report(report_name)
    may_run(actor, report)
    if not 1 <= rows_per_page <= MAX_ROWS_PER_PAGE:
        raise Invalid.field("rows_per_page", f"Rows per page must be 1 to {MAX_ROWS_PER_PAGE}", "InvalidValue")
    chosen: list[str] | None = None
    presets: list[list[Any]] = []
    view_name = None
    if view is not None:
        found = views.get_view(conn, actor, report.name, view)
        chosen, presets, view_name = found.columns, found.filters, found.name
    resolved = resolve_filters(report, actor, filters, presets)
    columns = output_columns(report, actor, chosen)
    document_id = str(uuid.uuid4())
    stamp = now()
    owner = owner_of(actor)
    conn.execute(report_run.insert().values(
        document_id=document_id, report=report.name, view_name=view_name, owner=owner,
        actor={"kind": actor.kind, "staff_id": actor.staff_id, "username": actor.username,
               "debtor_id": actor.debtor_id},
        filters=resolved, columns=[_column_json(report, c, language) for c in columns], language=language[:10],
        status=int(Status.QUEUED), title=report.title(language)[:300], created_at=stamp,
        rows_per_page=rows_per_page, page_width=PAGE_WIDTH, page_height=PAGE_HEIGHT,
    ))
    job_id = queue.enqueue(conn, JOB_KIND, {"document_id": document_id}, owner)
    conn.execute(report_run.update().where(report_run.c.document_id == document_id).values(job_id=job_id))
    return _load(conn, actor, document_id)


def _load(conn: Connection, actor: Principal | None, document_id: str) -> RunStatus:
    row = _row(conn, actor, document_id)
    return _status(row)


def _row(conn: Connection, actor: Principal | None, document_id: str) -> Any:
    row = conn.execute(sa.select(report_run).where(report_run.c.document_id == str(document_id)[:36])).first()
    # Someone else's run is as absent as one that never was.
    if row is None or (actor is not None and row.owner != owner_of(actor)):
        raise NotFound(f"No report run {document_id}", code="ReportNotFound")
    return row


def status(conn: Connection, actor: Principal, document_id: str) -> RunStatus:
    return _load(conn, actor, document_id)


def wait(db: Database, document_id: str, timeout: float, *, actor: Principal | None = None,
         poll: float = 0.05) -> RunStatus:
    """Poll until the run has ended or ``timeout`` seconds pass; returns its status either way.

    Blocking: call it off the event loop. With ``actor``, only the owner's run is found.
    """
    deadline = time.monotonic() + max(timeout, 0.0)
    interval = poll
    while True:
        with db.read() as conn:
            run = _load(conn, actor, document_id)
        remaining = deadline - time.monotonic()
        if run.ended or remaining <= 0:
            return run
        time.sleep(min(interval, remaining))
        interval = min(interval * 2, 0.5)


def cancel(conn: Connection, actor: Principal, document_id: str) -> RunStatus:
    """Stop a queued or running run (it becomes Cancelled and its pages are never stored); an ended
    run is left as it is."""
    row = _row(conn, actor, document_id)
    if Status(row.status) not in ENDED:
        conn.execute(report_run.update().where(report_run.c.document_id == row.document_id).values(
            status=int(Status.CANCELLED), finished_at=now()))
        if row.job_id:
            queue.cancel(conn, row.job_id)
    return _load(conn, actor, document_id)


def history(conn: Connection, actor: Principal, *, limit: int = 100) -> list[RunStatus]:
    """The actor's runs, newest first."""
    rows = conn.execute(sa.select(report_run).where(report_run.c.owner == owner_of(actor))
                        .order_by(report_run.c.created_at.desc(), report_run.c.document_id)
                        .limit(max(1, min(limit, 1000)))).all()
    return [_status(row) for row in rows]


# --- reading a finished run ---------------------------------------------------------------------------


def _finished(conn: Connection, actor: Principal, document_id: str) -> Any:
    row = _row(conn, actor, document_id)
    state = Status(row.status)
    if state is Status.FAILED:
        raise Conflict(f"The report failed: {row.error}", code="ReportFailed")
    if state is not Status.FINISHED:
        raise Conflict(f"The report is {state.label.lower()}; its pages are not ready", code="ReportNotReady")
    return row


def pages(conn: Connection, actor: Principal, document_id: str, selection: str | None = None) -> ReportPages:
    """The selected pages' HTML (``"1,3,5-7"``; none: the first page). Raises NotFound for another's or
    an unknown run, Conflict while it runs or if it failed, Invalid for a bad selection."""
    row = _finished(conn, actor, document_id)
    numbers = parse_pages(selection, row.page_count, default="first")
    found = conn.execute(sa.select(report_page.c.page_number, report_page.c.content)
                         .where(report_page.c.document_id == row.document_id,
                                report_page.c.page_number.in_(numbers))
                         .order_by(report_page.c.page_number)).all()
    return ReportPages(row.document_id, row.title, row.page_count, [PageContent(p.page_number, p.content)
                                                                     for p in found])


def document(conn: Connection, actor: Principal, document_id: str, selection: str | None = None) -> render.Document:
    """The selected pages' rows (none selected: every page), for the PDF, XLSX and HTML renderers."""
    row = _finished(conn, actor, document_id)
    numbers = parse_pages(selection, row.page_count, default="all")
    found = conn.execute(sa.select(report_page.c.page_number, report_page.c.rows)
                         .where(report_page.c.document_id == row.document_id,
                                report_page.c.page_number.in_(numbers))
                         .order_by(report_page.c.page_number)).all()
    return render.Document(row.document_id, row.title, row.language,
                           [render.Column.from_json(c) for c in row.columns], row.page_count,
                           [(p.page_number, list(p.rows)) for p in found])


def render_html(conn: Connection, actor: Principal, document_id: str, selection: str | None = None) -> str:
    """The selected pages (none: all) as one UTF-8 HTML document."""
    doc = document(conn, actor, document_id, selection)
    fragments = [render.page_fragment(doc.document_id, doc.title, doc.language, doc.columns, rows, number,
                                      doc.total_pages) for number, rows in doc.pages]
    return render.html_document(doc, fragments)


def render_pdf(conn: Connection, actor: Principal, document_id: str, selection: str | None = None, *,
               font_path: Path | None = None) -> bytes:
    """The selected pages (none: all) as a PDF with an embedded Unicode font (Greek renders)."""
    return render.render_pdf(document(conn, actor, document_id, selection), font_path=font_path)


def render_xlsx(conn: Connection, actor: Principal, document_id: str, selection: str | None = None) -> bytes:
    """The selected pages' rows (none: all) as an XLSX workbook."""
    return render.render_xlsx(document(conn, actor, document_id, selection))


# --- producing rows --------------------------------------------------------------------------------------


def _clean(value: Any, field_type: FieldType) -> Any:
    if isinstance(value, Decimal):
        value = float(value)
    if field_type in (FieldType.FLOAT, FieldType.MONEY) and isinstance(value, int | float) \
            and not isinstance(value, bool):
        return round(float(value), 6)
    return value


def produce(conn: Connection, actor: Principal, report: Report,
            filters: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    """The report's rows for ``actor`` with resolved ``filters`` (see ``resolve_filters``), each a dict
    holding every output column by name (and, for list reports, the base view's columns too)."""
    conditions = [*report.fixed, *(query_filter(report, f) for f in filters)]
    if actor.is_debtor:
        # Confined to the debtor's own rows whatever the base entity (a line has no debtor of its own).
        assert report.debtor_column is not None
        conditions.append(Filter(report.debtor_column, Op.EQUAL, actor.debtor_id or ""))
    if report.aggregate:
        rows = _aggregate(conn, actor, report, conditions)
    else:
        take = MAX_ROWS + 1
        stmt, values = compile_query(report.base, Query(filters=conditions, sort=[Sort(s) for s in report.sort],
                                                        take=take), actor, take)
        rows = [dict(r) for r in conn.execute(stmt, values).mappings()]
        for row in rows:
            for column in report.columns:
                if column.source is not None:
                    row[column.name] = row[column.source]
    if len(rows) > MAX_ROWS:
        raise Invalid(f"The report has more than {MAX_ROWS} rows: narrow its filters", code="TooManyRows")
    if report.derive is not None:
        rows = report.derive(rows)
    types = {c.name: report.column_type(c)[0] for c in report.columns}
    return [{name: _clean(value, types.get(name, FieldType.STRING)) for name, value in row.items()} for row in rows]


def _aggregate(conn: Connection, actor: Principal, report: Report, conditions: list[Filter]) -> list[dict[str, Any]]:
    # The filtered base rows come from core.query (joins, typed values, scoping); the grouping wraps them.
    stmt, values = compile_query(report.base, Query(filters=conditions), actor, 1)
    values = {k: v for k, v in values.items() if k not in ("skip", "take")}
    base = stmt.order_by(None).limit(None).offset(None).subquery("base")
    keys = [c for c in report.columns if c.source is not None and c.measure is None]
    selected: dict[str, sa.ColumnElement[Any]] = {c.name: base.c[c.source] for c in keys if c.source}
    for column in report.columns:
        if column.measure is not None:
            selected[column.name] = column.measure(base.c)
    order = [selected[name] for name in report.sort]
    grouped = (sa.select(*(expr.label(name) for name, expr in selected.items()))
               .group_by(*(base.c[c.source] for c in keys if c.source)).order_by(*order).limit(MAX_ROWS + 1))
    return [dict(r) for r in conn.execute(grouped, values).mappings()]


# --- the job ---------------------------------------------------------------------------------------------


def _actor(data: dict[str, Any]) -> Principal:
    return Principal(kind=str(data.get("kind") or "staff"), staff_id=str(data.get("staff_id") or ""),
                     username=str(data.get("username") or ""), debtor_id=data.get("debtor_id"))


def _paginate(run: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    columns = [render.Column.from_json(c) for c in run.columns]
    size = run.rows_per_page
    chunks = [rows[i:i + size] for i in range(0, len(rows), size)] or [[]]
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        values = [[render.to_json(row.get(c.name)) for c in columns] for row in chunk]
        content = render.page_fragment(run.document_id, run.title, run.language, columns, values, number, len(chunks))
        pages.append({"document_id": run.document_id, "page_number": number, "content": content, "rows": values})
    return pages


def _run(ctx: queue.JobContext) -> Any:
    document_id = str(ctx.payload.get("document_id", ""))
    with ctx.db.write() as conn:
        run = conn.execute(sa.select(report_run).where(report_run.c.document_id == document_id)).first()
        if run is None or Status(run.status) in ENDED:
            ctx.finish(conn, {"skipped": "no such run" if run is None else Status(run.status).label})
            return None
        started = now()
        conn.execute(report_run.update().where(report_run.c.document_id == document_id)
                     .values(status=int(Status.RUNNING), started_at=started))
    try:
        report = get_report(run.report)
        with ctx.db.read() as conn:
            rows = produce(conn, _actor(run.actor), report, run.filters)
        pages = _paginate(run, rows)
    except Exception as exc:  # the run records why it failed; the worker goes on
        if not isinstance(exc, CoreError):
            log.exception("report %s (%s) failed", document_id, run.report)
        error = queue.describe_error(exc)
        with ctx.db.write() as conn:
            conn.execute(report_run.update().where(report_run.c.document_id == document_id).values(
                status=int(Status.FAILED), error=error, finished_at=now()))
            ctx.fail(conn, error)
        return None
    with ctx.db.write() as conn:
        conn.execute(report_page.delete().where(report_page.c.document_id == document_id))
        conn.execute(report_page.insert(), pages)
        conn.execute(report_run.update().where(report_run.c.document_id == document_id).values(
            status=int(Status.FINISHED), finished_at=now(), page_count=len(pages), row_count=len(rows), error=None))
        # Fenced: if the run was cancelled or another worker took the job over meanwhile, this raises
        # and the pages above are rolled back.
        ctx.finish(conn, {"pages": len(pages), "rows": len(rows)})
    return None


def _give_up(conn: Connection, job: queue.Job, error: str) -> None:
    conn.execute(report_run.update().where(report_run.c.document_id == str(job.payload.get("document_id", "")),
                                           report_run.c.status.in_((int(Status.QUEUED), int(Status.RUNNING))))
                 .values(status=int(Status.FAILED), error=error, finished_at=now()))


queue.register(JOB_KIND, _run, lease=timedelta(seconds=60), max_attempts=3, on_give_up=_give_up)
