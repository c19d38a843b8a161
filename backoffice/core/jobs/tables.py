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
