"""The job queue's table (see ``queue.py`` for how it is used)."""

from __future__ import annotations

import sqlalchemy as sa

from ..store.tables import metadata

job = sa.Table(
    "job", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("kind", sa.String(60), nullable=False),
    # Optional unique name: a second enqueue under the same key returns the first job.
    sa.Column("unique_key", sa.String(200), nullable=True, unique=True),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("owner", sa.String(80), nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    # Not claimed before this moment (a delayed or retried job).
    sa.Column("run_after", sa.DateTime, nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=True),
    sa.Column("finished_at", sa.DateTime, nullable=True),
    # Claims so far; with ``worker`` it fences a claim (see the module docstring).
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("max_attempts", sa.Integer, nullable=False, server_default="3"),
    sa.Column("worker", sa.String(120), nullable=True),
    sa.Column("lease_expires_at", sa.DateTime, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("result", sa.JSON, nullable=True),
    sa.Index(None, "status", "run_after"),
    sa.Index(None, "owner", "created_at"),
)


# --- Symphony import/export requests and schedules ----------------------------------------

# A request to import or export one object type of one organization. Its work runs as a job
# (``job_id``); its files (the data to import, the export, the failed rows, the snapshot taken
# before an import) are kept in ``ie_file_chunk``.
ie_request = sa.Table(
    "ie_request", metadata,
    sa.Column("request_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("org_id", sa.Integer, sa.ForeignKey("organization.org_id"), nullable=False),
    sa.Column("staff_id", sa.String(36), nullable=False),
    sa.Column("user_name", sa.String(60), nullable=False),
    sa.Column("request_name", sa.String(200), nullable=True),
    sa.Column("operation", sa.Integer, nullable=False),  # 0 export, 1 import
    sa.Column("file_format", sa.Integer, nullable=False, server_default="0"),  # 0 CSV
    sa.Column("object_type", sa.String(60), nullable=False),  # the type's short name
    sa.Column("hier_struc_id", sa.BigInteger, nullable=True),
    sa.Column("language_id", sa.Integer, nullable=True),
    sa.Column("level", sa.Integer, nullable=False, server_default="0"),
    sa.Column("object_number_filter", sa.String(4000), nullable=True),
    sa.Column("selected_members", sa.JSON, nullable=True),
    sa.Column("sort_expressions", sa.JSON, nullable=True),
    sa.Column("data_since", sa.DateTime, nullable=True),
    sa.Column("origin", sa.Integer, nullable=False, server_default="1"),
    sa.Column("original_request_id", sa.BigInteger, nullable=True),
    sa.Column("schedule_id", sa.BigInteger, nullable=True, index=True),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("request_date", sa.DateTime, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=True),
    sa.Column("finished_at", sa.DateTime, nullable=True),
    sa.Column("job_id", sa.String(36), nullable=True),
    sa.Column("rows_total", sa.Integer, nullable=True),
    sa.Column("rows_failed", sa.Integer, nullable=True),
    sa.Column("message", sa.Text, nullable=True),
    # A scheduled run's name (schedule, request, slot): unique, so a slot runs once however many
    # servers see it come due.
    sa.Column("run_key", sa.String(120), nullable=True, unique=True),
    sa.Index(None, "org_id", "created_at"),
)

ie_file_chunk = sa.Table(
    "ie_file_chunk", metadata,
    sa.Column("request_id", sa.BigInteger, sa.ForeignKey("ie_request.request_id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("kind", sa.String(12), primary_key=True),  # input, output, errors, snapshot
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

ie_schedule = sa.Table(
    "ie_schedule", metadata,
    sa.Column("schedule_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("org_id", sa.Integer, sa.ForeignKey("organization.org_id"), nullable=False, index=True),
    sa.Column("name", sa.String(40), nullable=False),
    sa.Column("user_name", sa.String(60), nullable=False),
    sa.Column("start_date", sa.DateTime, nullable=False),
    # Minutes after midnight UTC at which the schedule runs.
    sa.Column("minute_of_day", sa.Integer, nullable=False),
    # The offset (minutes) the client gave its times in, to show them back the same way.
    sa.Column("utc_offset", sa.Integer, nullable=False, server_default="0"),
    sa.Column("weekdays", sa.String(7), nullable=False),  # Sunday..Saturday as 0/1
    sa.Column("days_of_month", sa.JSON, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    # When it was last made active: slots before it never run (a disabled schedule misses them).
    sa.Column("active_since", sa.DateTime, nullable=False),
)
