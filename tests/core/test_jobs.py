"""The job queue: claiming exactly once across threads and database handles, leases, fencing,
cancelling, retries, unique keys, and the worker thread running queued jobs."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from backoffice.core.clock import now
from backoffice.core.errors import Invalid, NotFound
from backoffice.core.jobs import queue
from backoffice.core.jobs.worker import Worker, housekeeping, run_pending
from backoffice.core.store import Database
from backoffice.core.store.tables import sequence

KIND = "test-job"


@pytest.fixture
def ran() -> Iterator[Counter[str]]:
    """Registers a handler for KIND that counts its runs per job and writes a row per job (in the
    same transaction as its completion), so a rolled-back run leaves no row."""
    counts: Counter[str] = Counter()
    lock = threading.Lock()

    def handler(ctx: queue.JobContext) -> Any:
        if ctx.payload.get("fail"):
            raise ValueError(ctx.payload["fail"])
        if ctx.payload.get("retry"):
            raise queue.RetryLater("not yet", timedelta(hours=1))
        pause = float(ctx.payload.get("pause", 0))
        if pause:
            time.sleep(pause)
        with lock:
            counts[ctx.job.id] += 1
        with ctx.db.write() as conn:
            conn.execute(sequence.insert().values(name=f"job-{ctx.job.id[:30]}", next_value=ctx.job.attempt))
            ctx.finish(conn, {"n": ctx.payload.get("n")})
        return None

    queue.register(KIND, handler, lease=timedelta(seconds=30), max_attempts=2)
    yield counts
    queue.unregister(KIND)


def _marks(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(sequence)
                                .where(sequence.c.name.like("job-%"))).scalar() or 0)


def test_a_job_runs_and_records_its_result(db: Database, ran: Counter[str]) -> None:
    with db.write() as conn:
        job_id = queue.enqueue(conn, KIND, {"n": 7}, owner="staff:x")
        assert queue.get(conn, job_id).status == queue.QUEUED
    assert run_pending(db) == 1
    with db.read() as conn:
        info = queue.get(conn, job_id)
    assert (info.status, info.result, info.attempts, info.owner) == (queue.DONE, {"n": 7}, 1, "staff:x")
    assert info.started_at is not None and info.finished_at is not None
    assert ran[job_id] == 1 and _marks(db) == 1
    assert run_pending(db) == 0  # nothing left


def test_claims_are_exactly_once_across_threads_and_handles(db: Database, db_url: str, ran: Counter[str]) -> None:
    """Six workers, on two database handles (as two server processes would be), drain 60 jobs at once."""
    with db.write() as conn:
        ids = [queue.enqueue(conn, KIND, {"n": n}) for n in range(60)]
    other = Database(db_url)
    claimed: list[tuple[str, str]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def work(handle: Database, name: str) -> None:
        try:
            start.wait()
            while (job := queue.claim(handle, name, [KIND])) is not None:
                claimed.append((job.id, name))
                queue.run_job(handle, job)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(db if i % 2 else other, f"w{i}")) for i in range(6)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        other.dispose()
    assert not errors
    assert sorted(job_id for job_id, _ in claimed) == sorted(ids)  # each claimed once, none missed
    assert all(ran[job_id] == 1 for job_id in ids)
    assert len({name for _, name in claimed}) > 1  # the work really was shared
    with db.read() as conn:
        statuses = Counter(conn.execute(sa.select(queue.job.c.status)).scalars())
    assert statuses == Counter({queue.DONE: 60})
    assert _marks(db) == 60


def test_an_expired_lease_is_claimed_again_and_the_old_claim_is_fenced_off(db: Database,
                                                                          ran: Counter[str]) -> None:
    with db.write() as conn:
        job_id = queue.enqueue(conn, KIND, {})
    first = queue.claim(db, "crashed", [KIND])
    assert first is not None and first.attempt == 1
    assert queue.claim(db, "other", [KIND]) is None  # leased: nobody else takes it
    with db.write() as conn:  # the crashed worker stops renewing; its lease runs out
        conn.execute(queue.job.update().values(lease_expires_at=now() - timedelta(seconds=1)))
    second = queue.claim(db, "rescuer", [KIND])
    assert second is not None and (second.id, second.attempt, second.worker) == (job_id, 2, "rescuer")
    # The first worker comes back and tries to finish: its whole transaction is refused.
    with pytest.raises(queue.LeaseLost), db.write() as conn:
        conn.execute(sequence.insert().values(name="job-late", next_value=1))
        queue.complete(conn, first, "late")
    assert queue.run_job(db, second) == queue.DONE
    with db.read() as conn:
        info = queue.get(conn, job_id)
        assert conn.execute(sa.select(sequence.c.name).where(sequence.c.name == "job-late")).first() is None
    assert (info.status, info.attempts) == (queue.DONE, 2)
    assert _marks(db) == 1


def test_a_job_whose_workers_keep_dying_is_given_up(db: Database, ran: Counter[str]) -> None:
    given_up: list[tuple[str, str]] = []
    registration = queue._HANDLERS[KIND]
    queue.register(KIND, registration.handler, lease=registration.lease, max_attempts=2,
                   on_give_up=lambda conn, job, error: given_up.append((job.id, error)))
    with db.write() as conn:
        job_id = queue.enqueue(conn, KIND, {})
    for _ in range(2):
        assert queue.claim(db, "dies", [KIND]) is not None
        with db.write() as conn:
            conn.execute(queue.job.update().values(lease_expires_at=now() - timedelta(seconds=1)))
    assert queue.claim(db, "next", [KIND]) is None
    with db.read() as conn:
        info = queue.get(conn, job_id)
    assert info.status == queue.FAILED and "Gave up after 2 attempt(s)" in (info.error or "")
    assert given_up == [(job_id, info.error)]
    assert ran[job_id] == 0


def test_a_long_job_keeps_its_lease_with_heartbeats(db: Database, ran: Counter[str]) -> None:
    registration = queue._HANDLERS[KIND]
    # A 1.2 s lease renewed every 0.4 s: a 2 s job outlives three leases and is never taken over.
    queue.register(KIND, registration.handler, lease=timedelta(seconds=1.2), max_attempts=1)
    with db.write() as conn:
        job_id = queue.enqueue(conn, KIND, {"pause": 2})
    job = queue.claim(db, "slow", [KIND])
    assert job is not None
    rival: list[queue.Job | None] = []
    runner = threading.Thread(target=queue.run_job, args=(db, job))
    runner.start()
    time.sleep(1.5)
    rival.append(queue.claim(db, "rival", [KIND]))
    runner.join(timeout=10)
    assert rival == [None]
    with db.read() as conn:
        assert queue.get(conn, job_id).status == queue.DONE
    assert ran[job_id] == 1


def test_cancelling(db: Database, ran: Counter[str]) -> None:
    with db.write() as conn:
        queued = queue.enqueue(conn, KIND, {})
        assert queue.cancel(conn, queued)
    assert run_pending(db) == 0
    with db.write() as conn:
        running = queue.enqueue(conn, KIND, {})
    job = queue.claim(db, "w", [KIND])
    assert job is not None and job.id == running
    with db.write() as conn:
        assert queue.cancel(conn, running)
        assert not queue.cancel(conn, running)  # already ended
    # The worker finishes anyway: its writes are rolled back with the refused completion.
    assert queue.run_job(db, job) == queue.CANCELLED
    with db.read() as conn:
        assert queue.get(conn, running).status == queue.CANCELLED
        assert queue.get(conn, queued).status == queue.CANCELLED
    assert _marks(db) == 0


def test_failures_and_retries(db: Database, ran: Counter[str]) -> None:
    with db.write() as conn:
        failing = queue.enqueue(conn, KIND, {"fail": "boom"})
        retrying = queue.enqueue(conn, KIND, {"retry": True})
    assert run_pending(db) == 2
    with db.read() as conn:
        failed, later = queue.get(conn, failing), queue.get(conn, retrying)
    assert (failed.status, failed.error) == (queue.FAILED, "ValueError: boom")
    assert (later.status, later.error) == (queue.QUEUED, "not yet")
    assert run_pending(db) == 0  # not due for an hour
    with db.write() as conn:
        conn.execute(queue.job.update().where(queue.job.c.id == retrying).values(run_after=now()))
    assert run_pending(db) == 1
    with db.read() as conn:  # the second (last) attempt asked again: failed for good
        assert queue.get(conn, retrying).status == queue.FAILED


def test_only_registered_kinds_are_claimed_and_delayed_jobs_wait(db: Database, ran: Counter[str]) -> None:
    with db.write() as conn:
        foreign = queue.enqueue(conn, "nobody-here-handles-this", {})
        delayed = queue.enqueue(conn, KIND, {}, run_after=now() + timedelta(minutes=5))
    assert run_pending(db) == 0
    with db.read() as conn:
        assert queue.get(conn, foreign).status == queue.QUEUED
        assert queue.get(conn, delayed).status == queue.QUEUED


def test_a_unique_key_makes_one_job_however_many_enqueue_it(db: Database, db_url: str) -> None:
    """Several schedulers (threads on two handles) enqueue the same scheduled run at once."""
    other = Database(db_url)
    got: list[str] = []
    start = threading.Barrier(6)

    def schedule(handle: Database) -> None:
        start.wait()
        with handle.write() as conn:
            got.append(queue.enqueue(conn, KIND, {}, key="nightly:2026-01-05"))

    threads = [threading.Thread(target=schedule, args=(db if i % 2 else other,)) for i in range(6)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    finally:
        other.dispose()
    assert len(got) == 6 and len(set(got)) == 1
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(queue.job)).scalar() == 1


def test_payloads_are_checked(db: Database) -> None:
    with db.write() as conn, pytest.raises(Invalid):
        queue.enqueue(conn, KIND, {"when": object()})
    with db.write() as conn, pytest.raises(Invalid):
        queue.enqueue(conn, KIND, {"big": "x" * (queue.MAX_PAYLOAD_BYTES + 1)})


def test_the_worker_thread_runs_queued_jobs(db: Database, ran: Counter[str]) -> None:
    worker = Worker(db, draft_idle=timedelta(hours=1), job_poll=0.05)
    worker.start()
    try:
        with db.write() as conn:
            job_id = queue.enqueue(conn, KIND, {})
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with db.read() as conn:
                if queue.get(conn, job_id).status == queue.DONE:
                    break
            time.sleep(0.05)
    finally:
        worker.stop()
    assert ran[job_id] == 1


def test_housekeeping_purges_long_ended_jobs(db: Database, ran: Counter[str]) -> None:
    with db.write() as conn:
        old = queue.enqueue(conn, KIND, {})
        recent = queue.enqueue(conn, KIND, {})
    run_pending(db)
    with db.write() as conn:
        conn.execute(queue.job.update().where(queue.job.c.id == old)
                     .values(finished_at=now() - timedelta(days=8)))
    assert housekeeping(db, draft_idle=timedelta(hours=1))["jobs"] == 1
    with db.read() as conn:
        assert queue.get(conn, recent).status == queue.DONE
        with pytest.raises(NotFound):
            queue.get(conn, old)
