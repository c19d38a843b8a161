"""The background worker: runs periodic housekeeping and the queued jobs (``jobs/queue.py``).

It runs in its own process (``backoffice worker``) or as a thread inside ``serve``. Every task
is safe to run from several workers at once: housekeeping is one short transaction, and each
queued job is claimed by exactly one worker.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

import sqlalchemy as sa

from .. import drafts
from ..auth import tokens
from ..clock import now
from ..reports import engine as _report_engine  # noqa: F401  (imported to register the report job handler)
from ..store import Database
from ..store.tables import auth_session
from . import queue, schedules
from . import requests as _requests  # noqa: F401  (imported to register the import/export job handler)
from .queue import run_pending  # run every due job now, in this thread (tests, commands)

__all__ = ["Worker", "housekeeping", "run_pending"]

log = logging.getLogger("backoffice.worker")


# Ended jobs are kept this long (for looking at), then deleted.
JOB_RETENTION = timedelta(days=7)


def housekeeping(db: Database, *, draft_idle: timedelta, job_retention: timedelta = JOB_RETENTION) -> dict[str, int]:
    """Drop expired sessions, abandoned drafts and long-ended jobs; returns what was removed."""
    with db.write() as conn:
        sessions = conn.execute(auth_session.delete().where(auth_session.c.expires_at < now())).rowcount or 0
        held = drafts.expire(conn, draft_idle)
        jobs = queue.purge(conn, job_retention)
        tokens_gone = tokens.purge(conn)
    return {"sessions": sessions, "drafts": held, "jobs": jobs, "tokens": tokens_gone}


class Worker:
    """Housekeeping every ``interval`` seconds; queued jobs polled every ``job_poll`` seconds.

    A job runs in the worker's thread (one at a time per worker); a long report therefore never
    blocks the server's event loop, and several processes' workers share the queue.
    """

    def __init__(self, db: Database, *, draft_idle: timedelta, interval: float = 60.0, job_poll: float = 0.5,
                 run_jobs: bool = True, schedule_interval: float = 30.0) -> None:
        self.db = db
        self.draft_idle = draft_idle
        self.interval = interval
        self.job_poll = job_poll
        self.run_jobs = run_jobs
        self.schedule_interval = schedule_interval
        self.worker_id = queue.worker_name("worker")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> dict[str, int]:
        return housekeeping(self.db, draft_idle=self.draft_idle)

    def run_jobs_once(self) -> int:
        """Run the jobs due now; returns how many ran. Stops early when the worker is stopped."""
        ran = 0
        while not self._stop.is_set() and queue.run_pending(self.db, worker_id=self.worker_id, limit=1):
            ran += 1
        return ran

    def run_forever(self) -> None:
        next_housekeeping = 0.0
        next_schedules = 0.0
        while not self._stop.is_set():
            if time.monotonic() >= next_schedules:
                try:
                    schedules.tick(self.db)
                except sa.exc.SQLAlchemyError:
                    log.exception("starting scheduled requests failed; will retry")
                next_schedules = time.monotonic() + self.schedule_interval
            if time.monotonic() >= next_housekeeping:
                try:
                    removed = self.run_once()
                    if any(removed.values()):
                        log.info("housekeeping removed %s", removed)
                except sa.exc.SQLAlchemyError:
                    log.exception("housekeeping failed; will retry")
                next_housekeeping = time.monotonic() + self.interval
            if self.run_jobs:
                try:
                    self.run_jobs_once()
                except sa.exc.SQLAlchemyError:
                    log.exception("claiming a job failed; will retry")
            wait = self.job_poll if self.run_jobs else max(next_housekeeping - time.monotonic(), 0.0)
            self._stop.wait(min(wait, max(next_housekeeping - time.monotonic(), 0.0)))

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="backoffice-worker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
