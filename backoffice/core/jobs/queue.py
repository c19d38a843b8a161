"""A job queue in the database: each job runs to completion exactly once, whichever of several
server processes (or worker threads) picks it up.

How exactly-once is kept:

* ``claim`` hands a job to one worker. On PostgreSQL it selects with ``FOR UPDATE SKIP LOCKED`` (two
  claimers never wait on or take the same row); on SQLite it runs inside the database's write
  transaction, which is exclusive across threads and processes. The claimed row records the worker
  and an attempt number: together they are the *fence* every later change of the job checks.
* A claim is a lease. While a handler runs, a heartbeat thread extends the lease; if the process dies
  the heartbeats stop, the lease runs out, and another worker claims the job again (a new attempt).
* A handler that writes to the database should make its writes and its completion one transaction
  (``JobContext.finish(conn, result)`` inside its own ``db.write()``). Completion is conditional on the
  fence, so a worker whose lease was lost (taken over, or the job cancelled) has its whole
  transaction rolled back: the job's effects are committed once, by the attempt that completed it.
  Effects outside the database (a file sent, a mail) cannot be fenced this way: such handlers should
  record what they did in the same transaction, or be idempotent.
* ``enqueue(..., key=...)`` makes a job unique by a name (e.g. ``"export:nightly:2026-01-05"``): several
  schedulers on several servers can all enqueue the same scheduled run and only the first insert wins.

Statuses are ``queued``, ``running``, ``done``, ``failed`` and ``cancelled``.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..clock import now
from ..errors import CoreError, Invalid, NotFound
from ..store import Database
from ..store.db import insert_unless_present
from .tables import job

log = logging.getLogger("backoffice.jobs")

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
FINAL = (DONE, FAILED, CANCELLED)

MAX_PAYLOAD_BYTES = 64 * 1024  # jobs carry references and parameters, never documents
MAX_ERROR_CHARS = 2000

# The job table lives in jobs/tables.py (imported by store/tables.py for the migrations).


class LeaseLost(CoreError):
    """The job is no longer this worker's: its lease ran out and another took it, or it was cancelled."""

    code = "LeaseLost"


class RetryLater(Exception):
    """Raised by a handler for a passing failure: the job is queued again after ``delay``
    (while attempts remain; then it fails with this message)."""

    def __init__(self, message: str, delay: timedelta = timedelta(seconds=30)) -> None:
        super().__init__(message)
        self.delay = delay


@dataclass(frozen=True)
class Job:
    """A job as a worker holds it after ``claim``: ``worker`` and ``attempt`` are its fence."""

    id: str
    kind: str
    payload: dict[str, Any]
    owner: str | None
    attempt: int
    worker: str
    lease_expires_at: datetime


@dataclass(frozen=True)
class JobInfo:
    """A job as anyone may look at it."""

    id: str
    kind: str
    key: str | None
    status: str
    owner: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    attempts: int
    error: str | None
    result: Any


# --- registry ---------------------------------------------------------------------------

Handler = Callable[["JobContext"], Any]
# Called, in the claim's transaction, when the queue gives a job up (its leases ran out too often),
# so the handler's own records can say so too.
GiveUp = Callable[[Connection, Job, str], None]


@dataclass(frozen=True)
class Registration:
    kind: str
    handler: Handler
    lease: timedelta
    max_attempts: int
    on_give_up: GiveUp | None


_HANDLERS: dict[str, Registration] = {}


def register(kind: str, handler: Handler, *, lease: timedelta = timedelta(seconds=60), max_attempts: int = 3,
             on_give_up: GiveUp | None = None) -> None:
    """Make ``handler`` run jobs of ``kind`` in this process. A process claims only kinds it has
    registered, so a server without some module never takes that module's jobs."""
    if lease < timedelta(seconds=1) or max_attempts < 1:
        raise ValueError("a lease of at least a second and at least one attempt are needed")
    _HANDLERS[kind] = Registration(kind, handler, lease, max_attempts, on_give_up)


def unregister(kind: str) -> None:
    _HANDLERS.pop(kind, None)


def registered_kinds() -> list[str]:
    return sorted(_HANDLERS)


# --- enqueue and look ----------------------------------------------------------------------


def _check_payload(payload: dict[str, Any]) -> None:
    if not isinstance(payload, dict):
        raise Invalid.field("payload", "A job's payload is a JSON object", "InvalidValue")
    try:
        size = len(json.dumps(payload))
    except (TypeError, ValueError) as exc:
        raise Invalid.field("payload", f"A job's payload must be plain JSON: {exc}", "InvalidValue") from exc
    if size > MAX_PAYLOAD_BYTES:
        raise Invalid.field("payload", f"A job's payload is limited to {MAX_PAYLOAD_BYTES} bytes", "TooLarge")


def enqueue(conn: Connection, kind: str, payload: dict[str, Any], owner: str | None = None, *,
            key: str | None = None, run_after: datetime | None = None, max_attempts: int | None = None) -> str:
    """Queue a job (in the caller's transaction: it exists once that commits) and return its id.

    With ``key``, a job already queued under that key (in any status) wins: its id is returned and
    nothing is added. ``max_attempts`` defaults to the kind's registration (else 3).
    """
    _check_payload(payload)
    if key is not None:
        existing = conn.execute(sa.select(job.c.id).where(job.c.unique_key == key)).scalar()
        if existing is not None:
            return str(existing)
    registration = _HANDLERS.get(kind)
    attempts = max_attempts or (registration.max_attempts if registration else 3)
    job_id = uuid.uuid4().hex
    stamp = now()
    values = dict(id=job_id, kind=kind, unique_key=key, payload=payload, status=QUEUED, owner=owner, created_at=stamp,
                  run_after=run_after or stamp, attempts=0, max_attempts=attempts)
    if key is None:
        conn.execute(job.insert().values(**values))
        return job_id
    # Two schedulers enqueueing the same key at once: the database's unique index decides, and the
    # loser takes the winner's id without failing its transaction.
    conn.execute(insert_unless_present(conn, job, ["unique_key"]).values(**values))
    return str(conn.execute(sa.select(job.c.id).where(job.c.unique_key == key)).scalar_one())


def get(conn: Connection, job_id: str) -> JobInfo:
    row = conn.execute(sa.select(job).where(job.c.id == job_id)).first()
    if row is None:
        raise NotFound(f"No job {job_id}")
    return JobInfo(row.id, row.kind, row.unique_key, row.status, row.owner, row.created_at, row.started_at,
                   row.finished_at, row.attempts, row.error, row.result)


# --- claiming and finishing -----------------------------------------------------------------


def worker_name(label: str = "") -> str:
    """A worker id unique across machines and processes (host, pid, a random part)."""
    base = f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    return f"{base}:{label[:30]}" if label else base


def _claimable(stamp: datetime, kinds: list[str], job_id: str | None = None) -> sa.ColumnElement[bool]:
    return sa.and_(
        job.c.kind.in_(kinds),
        job.c.id == job_id if job_id is not None else sa.true(),
        sa.or_(sa.and_(job.c.status == QUEUED, job.c.run_after <= stamp),
               # A running job whose worker stopped renewing its lease: the worker died.
               sa.and_(job.c.status == RUNNING, job.c.lease_expires_at < stamp)),
    )


def claim(db: Database, worker_id: str, kinds: Iterable[str] | None = None, *,
          job_id: str | None = None) -> Job | None:
    """Hand one due job (of a registered kind, or of ``kinds``; only ``job_id`` when given) to
    ``worker_id``, or None if none is due.

    A job whose lease expired is claimed again as a new attempt; one that has used up its attempts is
    failed instead (and its kind's ``on_give_up`` told), and the next due job is looked for.
    """
    wanted = sorted(set(kinds) if kinds is not None else _HANDLERS)
    if not wanted:
        return None
    # An idle queue is the common case: find that out in a read, without taking the write lock
    # (which on SQLite every writer of every process waits for).
    with db.read() as conn:
        if conn.execute(sa.select(job.c.id).where(_claimable(now(), wanted, job_id)).limit(1)).first() is None:
            return None
    while True:
        with db.write() as conn:
            stamp = now()
            stmt = (sa.select(job.c.id, job.c.kind, job.c.payload, job.c.owner, job.c.attempts, job.c.max_attempts,
                              job.c.status)
                    .where(_claimable(stamp, wanted, job_id)).order_by(job.c.run_after, job.c.created_at).limit(1))
            if conn.dialect.name == "postgresql":
                # Rows other claimers hold are skipped, not waited for: claimers never queue up
                # behind one another and never take the same row.
                stmt = stmt.with_for_update(skip_locked=True)
            # (SQLite: db.write() is BEGIN IMMEDIATE under a process and file lock — no other writer
            # can run between this SELECT and the UPDATE below.)
            row = conn.execute(stmt).first()
            if row is None:
                return None
            if row.attempts >= row.max_attempts:
                message = (f"Gave up after {row.attempts} attempt(s): the worker running it stopped "
                           "before finishing (its lease expired)")
                conn.execute(job.update().where(job.c.id == row.id).values(
                    status=FAILED, finished_at=stamp, error=message, lease_expires_at=None))
                registration = _HANDLERS.get(row.kind)
                if registration and registration.on_give_up:
                    given_up = Job(row.id, row.kind, dict(row.payload), row.owner, row.attempts, "", stamp)
                    registration.on_give_up(conn, given_up, message)
                log.warning("job %s (%s) failed: %s", row.id, row.kind, message)
                continue
            registration = _HANDLERS.get(row.kind)
            lease = registration.lease if registration else timedelta(seconds=60)
            attempt = row.attempts + 1
            expires = stamp + lease
            conn.execute(job.update().where(job.c.id == row.id).values(
                status=RUNNING, worker=worker_id, attempts=attempt, lease_expires_at=expires,
                started_at=sa.func.coalesce(job.c.started_at, stamp)))
            if row.status == RUNNING:
                log.warning("job %s (%s): lease expired, claimed again (attempt %d)", row.id, row.kind, attempt)
            return Job(row.id, row.kind, dict(row.payload), row.owner, attempt, worker_id, expires)


def _fence(claimed: Job) -> sa.ColumnElement[bool]:
    return sa.and_(job.c.id == claimed.id, job.c.status == RUNNING, job.c.worker == claimed.worker,
                   job.c.attempts == claimed.attempt)


def _json_safe(value: Any) -> Any:
    try:
        return json.loads(json.dumps(value, default=str))
    except (TypeError, ValueError):
        return str(value)


def complete(conn: Connection, claimed: Job, result: Any = None) -> None:
    """Mark the job done, in the caller's transaction. Raises ``LeaseLost`` (so the caller's
    transaction, and with it the job's effects, roll back) if the job is no longer this claim's."""
    done = conn.execute(job.update().where(_fence(claimed)).values(
        status=DONE, finished_at=now(), result=_json_safe(result), error=None, lease_expires_at=None))
    if done.rowcount != 1:
        raise LeaseLost(f"Job {claimed.id} is no longer held by {claimed.worker}")


def fail(conn: Connection, claimed: Job, error: str, *, retry_in: timedelta | None = None) -> bool:
    """Record a failure of this claim. With ``retry_in`` and attempts left, the job is queued again
    (True); otherwise it is failed for good (False). Raises ``LeaseLost`` if the claim was lost."""
    row = conn.execute(sa.select(job.c.attempts, job.c.max_attempts).where(_fence(claimed))).first()
    if row is None:
        raise LeaseLost(f"Job {claimed.id} is no longer held by {claimed.worker}")
    message = error[:MAX_ERROR_CHARS]
    if retry_in is not None and row.attempts < row.max_attempts:
        conn.execute(job.update().where(_fence(claimed)).values(
            status=QUEUED, run_after=now() + retry_in, error=message, worker=None, lease_expires_at=None))
        return True
    conn.execute(job.update().where(_fence(claimed)).values(
        status=FAILED, finished_at=now(), error=message, lease_expires_at=None))
    return False


def heartbeat(db: Database, claimed: Job) -> bool:
    """Extend the claim's lease; False if the job is no longer this claim's."""
    registration = _HANDLERS.get(claimed.kind)
    lease = registration.lease if registration else timedelta(seconds=60)
    with db.write() as conn:
        renewed = conn.execute(job.update().where(_fence(claimed)).values(lease_expires_at=now() + lease))
        return renewed.rowcount == 1


def cancel(conn: Connection, job_id: str) -> bool:
    """Cancel a queued or running job; False if it had already ended. A running job's worker
    finds out when it tries to finish: its transaction is rolled back (see ``complete``)."""
    cancelled = conn.execute(job.update().where(job.c.id == job_id, job.c.status.in_((QUEUED, RUNNING)))
                             .values(status=CANCELLED, finished_at=now(), lease_expires_at=None))
    return cancelled.rowcount == 1


def purge(conn: Connection, older_than: timedelta) -> int:
    """Delete ended jobs that finished more than ``older_than`` ago; returns how many."""
    cutoff = now() - older_than
    deleted = conn.execute(job.delete().where(job.c.status.in_(FINAL), job.c.finished_at < cutoff))
    return deleted.rowcount or 0


# --- running ---------------------------------------------------------------------------------


@dataclass
class JobContext:
    """What a handler gets: the database, its job, and the way to finish it in its own transaction."""

    db: Database
    job: Job
    finished: bool = False
    # Set when a heartbeat finds the job is no longer ours (cancelled, or taken over).
    lost: threading.Event = field(default_factory=threading.Event)

    @property
    def payload(self) -> dict[str, Any]:
        return self.job.payload

    def finish(self, conn: Connection, result: Any = None) -> None:
        """Complete the job in ``conn``'s transaction, together with the handler's own writes."""
        complete(conn, self.job, result)
        self.finished = True

    def fail(self, conn: Connection, error: str) -> None:
        """Fail the job for good in ``conn``'s transaction, together with the handler's own writes."""
        fail(conn, self.job, error)
        self.finished = True


class _Heartbeat:
    """Renews a claim's lease every third of it while the handler runs."""

    def __init__(self, ctx: JobContext, interval: float) -> None:
        self.ctx = ctx
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"job-heartbeat-{ctx.job.id[:8]}", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                if not heartbeat(self.ctx.db, self.ctx.job):
                    self.ctx.lost.set()
                    return
            except sa.exc.SQLAlchemyError:
                log.exception("job %s: heartbeat failed; will retry", self.ctx.job.id)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def describe_error(exc: BaseException) -> str:
    """What a failure is recorded as: a core error's message; a database error is not described
    (its text may quote statements and values) — the server log has it."""
    if isinstance(exc, CoreError):
        return exc.message
    if isinstance(exc, sa.exc.SQLAlchemyError):
        return "A database error stopped the job (see the server log)"
    return f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]


def run_job(db: Database, claimed: Job) -> str:
    """Run one claimed job with its handler; returns the job's status afterwards as this worker saw it.

    A handler that returns without finishing is completed with its return value; one that raises
    ``RetryLater`` is queued again; any other exception fails the job with ``describe_error``.
    """
    registration = _HANDLERS.get(claimed.kind)
    ctx = JobContext(db, claimed)
    try:
        if registration is None:
            raise RuntimeError(f"No handler for jobs of kind {claimed.kind!r} in this process")
        with _Heartbeat(ctx, max(registration.lease.total_seconds() / 3, 0.2)):
            result = registration.handler(ctx)
        if not ctx.finished:
            with db.write() as conn:
                complete(conn, claimed, result)
        return DONE
    except LeaseLost:
        log.info("job %s (%s): no longer ours; its work was rolled back", claimed.id, claimed.kind)
        return CANCELLED
    except RetryLater as exc:
        with db.write() as conn:
            try:
                requeued = fail(conn, claimed, str(exc), retry_in=exc.delay)
            except LeaseLost:
                return CANCELLED
        return QUEUED if requeued else FAILED
    except Exception as exc:  # a handler's failure must not stop the worker
        log.exception("job %s (%s) failed", claimed.id, claimed.kind)
        try:
            with db.write() as conn:
                fail(conn, claimed, describe_error(exc))
        except LeaseLost:
            return CANCELLED
        return FAILED


def run_pending(db: Database, *, worker_id: str | None = None, kinds: Iterable[str] | None = None,
                limit: int | None = None, job_id: str | None = None) -> int:
    """Claim and run due jobs one after another until none is due (or ``limit`` ran); returns how many ran.

    The worker thread's loop, and the way tests (or a command) run queued work synchronously.
    """
    name = worker_id or worker_name("sync")
    wanted = list(kinds) if kinds is not None else None
    ran = 0
    while limit is None or ran < limit:
        claimed = claim(db, name, wanted, job_id=job_id)
        if claimed is None:
            break
        run_job(db, claimed)
        ran += 1
    return ran
