"""The tables of report runs, their pages, and custom report views."""

from __future__ import annotations

import sqlalchemy as sa

from ..jobs import tables as _job_tables  # noqa: F401  (the job table: report runs are jobs)
from ..store.tables import metadata

report_run = sa.Table(
    "report_run", metadata,
    sa.Column("document_id", sa.String(36), primary_key=True),  # a GUID: the seed's DocumentId
    sa.Column("report", sa.String(60), nullable=False),
    sa.Column("view_name", sa.String(100), nullable=True),  # the custom report view it ran with
    # Whose run it is ("staff:<id>" or "debtor:<id>"): only they see it, in their history.
    sa.Column("owner", sa.String(80), nullable=False),
    # Who it runs as in the worker: kind, staff id, user name, debtor id (no secrets, no permissions).
    sa.Column("actor", sa.JSON, nullable=False),
    # The filters it runs with, resolved and checked: [[filter, operator, value], ...].
    sa.Column("filters", sa.JSON, nullable=False),
    # The output columns as rendered: [{"name", "caption", "type", "enum"}, ...].
    sa.Column("columns", sa.JSON, nullable=False),
    sa.Column("language", sa.String(10), nullable=False),
    # 0 Queued, 1 Running, 2 Finished, 3 Failed, 4 Cancelled (see reports.engine.Status).
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=True),
    sa.Column("finished_at", sa.DateTime, nullable=True),
    sa.Column("rows_per_page", sa.Integer, nullable=False),
    sa.Column("page_count", sa.Integer, nullable=True),
    sa.Column("row_count", sa.Integer, nullable=True),
    sa.Column("page_width", sa.Float, nullable=False),
    sa.Column("page_height", sa.Float, nullable=False),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("job_id", sa.String(36), nullable=True),
    sa.Index(None, "owner", "created_at"),
)

report_page = sa.Table(
    "report_page", metadata,
    sa.Column("document_id", sa.String(36), sa.ForeignKey("report_run.document_id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("page_number", sa.Integer, primary_key=True),
    # The page as the seed serves it: an HTML table fragment starting with U+FEFF.
    sa.Column("content", sa.Text, nullable=False),
    # The page's rows as JSON values in column order, for rendering PDF and XLSX.
    sa.Column("rows", sa.JSON, nullable=False),
)

report_view = sa.Table(
    "report_view", metadata,
    sa.Column("view_id", sa.String(36), primary_key=True),
    sa.Column("report", sa.String(60), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("owner", sa.String(80), nullable=False),  # who made it
    sa.Column("public", sa.Boolean, nullable=False, server_default=sa.false()),  # offered to everyone
    sa.Column("columns", sa.JSON, nullable=True),  # chosen output columns in order; None: all
    sa.Column("filters", sa.JSON, nullable=False),  # preset filters: [[filter, operator, value], ...]
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("report", "owner", "name"),
)
