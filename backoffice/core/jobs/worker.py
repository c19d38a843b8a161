"""The background worker: runs periodic housekeeping (and, as they arrive, queued jobs).

It runs in its own process (``backoffice worker``) or as a thread inside ``serve``. Every task
is safe to run from several workers at once: each is one short transaction.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import sqlalchemy as sa

from .. import drafts
from ..clock import now
from ..store import Database
from ..store.tables import auth_session

log = logging.getLogger("backoffice.worker")


def housekeeping(db: Database, *, draft_idle: timedelta) -> dict[str, int]:
    """Drop expired sessions and abandoned drafts; returns what was removed."""
    with db.write() as conn:
        sessions = conn.execute(auth_session.delete().where(auth_session.c.expires_at < now())).rowcount or 0
        held = drafts.expire(conn, draft_idle)
    return {"sessions": sessions, "drafts": held}


class Worker:
    def __init__(self, db: Database, *, draft_idle: timedelta, interval: float = 60.0) -> None:
        self.db = db
        self.draft_idle = draft_idle
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> dict[str, int]:
        return housekeeping(self.db, draft_idle=self.draft_idle)

    def run_forever(self) -> None:
        while not self._stop.is_set():
            try:
                removed = self.run_once()
                if any(removed.values()):
                    log.info("housekeeping removed %s", removed)
            except sa.exc.SQLAlchemyError:
                log.exception("housekeeping failed; will retry")
            self._stop.wait(self.interval)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="backoffice-worker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
