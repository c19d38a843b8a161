"""Two server processes on one database: every request and every scheduled run is carried out
exactly once (on PostgreSQL with SKIP LOCKED claims; on SQLite through its write lock)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from backoffice.core import orgs
from backoffice.core.auth.service import find_staff
from backoffice.core.auth.tokens import OrgPrincipal
from backoffice.core.jobs import requests, schedules
from backoffice.core.jobs.tables import ie_file_chunk, ie_request, job
from backoffice.core.store import Database

WORKER = textwrap.dedent("""
    import sys, time
    from datetime import datetime
    from backoffice.core import clock
    from backoffice.core.jobs import schedules
    from backoffice.core.jobs.worker import run_pending
    from backoffice.core.store import Database
    url, start, moment = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    clock.set_now(datetime.fromisoformat(moment))
    db = Database(url)
    while time.time() < start:
        time.sleep(0.005)
    for _ in range(3):
        schedules.tick(db)
        run_pending(db)
    db.dispose()
""")


def test_each_request_and_scheduled_run_is_done_exactly_once(db: Database, db_url: str, tmp_path: Path) -> None:
    with db.write() as conn:
        org = orgs.find(conn, "DEMO")
        assert org is not None
        admin = find_staff(conn, "Admin")
        principal = OrgPrincipal(admin.staff_id, "Admin", org, 1)
        submitted = [requests.submit(conn, principal, requests.RequestSpec(0, kind))[0]
                     for kind in ("MajorGroup", "FamilyGroup", "Discount", "Role", "TenderMedia", "MenuItemPrice") * 4]
        schedule_id = schedules.add(conn, principal, schedules.Schedule(
            "Every day", "Admin", datetime(2026, 1, 1), datetime(2000, 1, 1, 6, 0), (True,) * 7, [], True))
        for kind in ("MajorGroup", "Discount"):
            requests.submit(conn, principal, requests.RequestSpec(0, kind, schedule_id=schedule_id))
    moment = datetime(2026, 12, 2, 6, 3)
    start = __import__("time").time() + 2.0
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, db_url, str(start), moment.isoformat()], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
    for worker in workers:
        output, _ = worker.communicate(timeout=240)
        assert worker.returncode == 0, output.decode()[-3000:]
    with db.read() as conn:
        runs = conn.execute(sa.select(ie_request).where(ie_request.c.origin == requests.SCHEDULER)).all()
        assert len(runs) == 2  # one run per scheduled request for the 06:00 slot, not one per process
        done = conn.execute(sa.select(ie_request.c.request_id, ie_request.c.status)
                            .where(ie_request.c.request_id.in_(submitted + [r.request_id for r in runs]))).all()
        assert {status for _, status in done} == {requests.COMPLETE} and len(done) == len(submitted) + 2
        attempts = conn.execute(sa.select(job.c.attempts).where(job.c.kind == requests.JOB_KIND)).scalars().all()
        assert attempts and set(attempts) == {1}
        outputs = conn.execute(sa.select(ie_file_chunk.c.request_id, sa.func.count())
                               .where(ie_file_chunk.c.kind == "output", ie_file_chunk.c.seq == 0)
                               .group_by(ie_file_chunk.c.request_id)).all()
        assert len(outputs) == len(submitted) + 2 and {n for _, n in outputs} == {1}


CRASHING_WORKER = textwrap.dedent("""
    import os, sys
    from backoffice.core.jobs import importing
    from backoffice.core.jobs.worker import run_pending
    from backoffice.core.store import Database
    importing.BATCH = 50
    original = importing._Import.run_batch
    done = []

    def run_batch(self, batch, failures):
        original(self, batch, failures)
        done.append(len(batch))
        if len(done) == 2:  # two batches written, in the transaction: the process dies here
            os._exit(17)

    importing._Import.run_batch = run_batch
    run_pending(Database(sys.argv[1]))
""")


def test_a_crash_mid_import_leaves_the_data_as_before_and_the_import_runs_once_later(
        db: Database, db_url: str) -> None:
    from backoffice.core import clock
    from backoffice.core.auth import tokens
    from backoffice.core.catalog.menu import interchange_type
    from backoffice.core.jobs.worker import run_pending
    from backoffice.core.store.tables import ENTITY_TABLES

    majors = ENTITY_TABLES["MajorGroup"]
    with db.write() as conn:
        principal = tokens.member_principal(conn, "DEMO")
        enterprise = orgs.enterprise(conn, principal.org.org_id)
        before = conn.execute(sa.select(sa.func.count()).select_from(majors)).scalar_one()
        lines = ["ObjectNumber,HierarchyId,Name"] + [f"{1000 + n},{enterprise},Group {n}" for n in range(200)]
        request_id, _ = requests.submit(conn, principal, requests.RequestSpec(
            requests.IMPORT, interchange_type("MajorGroup").full_name, data="\r\n".join(lines).encode()))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    crashed = subprocess.run([sys.executable, "-c", CRASHING_WORKER, db_url], env=env, capture_output=True, timeout=120)
    assert crashed.returncode == 17, crashed.stdout.decode()[-2000:] + crashed.stderr.decode()[-2000:]
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(majors)).scalar_one() == before
        row = conn.execute(sa.select(ie_request).where(ie_request.c.request_id == request_id)).one()
        assert row.status == requests.PROCESSING
        assert conn.execute(sa.select(sa.func.count()).select_from(ie_file_chunk).where(
            ie_file_chunk.c.request_id == request_id, ie_file_chunk.c.kind == "snapshot")).scalar_one() == 0
    # Another worker takes the job over once the dead one's lease has run out, and imports it once.
    assert run_pending(db) == 0  # the lease still holds
    with clock.moved_to(clock.now() + timedelta(minutes=6)):
        assert run_pending(db) == 1
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(majors)).scalar_one() == before + 200
        row = conn.execute(sa.select(ie_request).where(ie_request.c.request_id == request_id)).one()
        assert row.status == requests.COMPLETE and row.rows_total == 200
        assert conn.execute(sa.select(job.c.attempts).where(job.c.id == row.job_id)).scalar_one() == 2
