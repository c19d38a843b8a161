"""Jobs and time (core/timesheets.py) over the demo's jobs 00000510-00000512, pending time
3001-3006, posted time 9001-9003 and diary bookings 1201-1204 (demo/jobs.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from backoffice.core import errors, records, timesheets
from backoffice.core.auth import Principal
from backoffice.core.auth.service import find_staff
from backoffice.core.store import Database
from backoffice.core.store.tables import ENTITY_TABLES
from backoffice.demo.galaxy import BEST_MARKET, BEST_MARKET_SERVICES
from backoffice.demo.jobs import (
    ARTWORK_STAGE,
    BUILD_PHASE,
    CATALOGUE_JOB,
    CHARGE_CODE_KEYS,
    CONCEPTS_STAGE,
    COPY_PHASE,
    COPY_TASKS,
    DESIGN_PHASE,
    DISCOVERY_PHASE,
    JOB_KEYS,
    OTHER_COMPANY_ART,
    PHASE_KEYS,
    PRINT_PHASE,
    STAGE_KEYS,
    STAND_PHASE,
    TRADE_SHOW_JOB,
    WEBSITE_JOB,
)
from tests.core.migrating import upgrade

ACTOR = Principal(kind="staff", staff_id="", username="tester")
_pending = ENTITY_TABLES["PendingTime"]
_posted = ENTITY_TABLES["PostedTime"]
_staff = ENTITY_TABLES["Staff"]


@pytest.fixture
def conn(db: Database) -> Iterator[Connection]:
    with db.write() as connection:
        yield connection


def _staff_id(conn: Connection, username: str) -> str:
    row = find_staff(conn, username)
    assert row is not None
    return str(row.staff_id)


def _entry(conn: Connection, username: str = "Sarah", **more: Any) -> dict[str, Any]:
    return {"phase_id": PHASE_KEYS[DISCOVERY_PHASE], "staff_id": _staff_id(conn, username),
            "time_date": "2026-11-19", "hours_normal": 2, **more}


def _statuses(conn: Connection) -> dict[int, str]:
    return dict(conn.execute(sa.select(_pending.c.entry_no, _pending.c.status)).all())


# --- jobs and phases ----------------------------------------------------------------------------------


def test_a_job_by_its_code(conn: Connection) -> None:
    job = timesheets.job_by_code(conn, 1, CATALOGUE_JOB)
    assert (job["job_id"], job["job_number"], job["company_number"], job["client_code"], job["client_name"]) == (
        JOB_KEYS[CATALOGUE_JOB], "00000510", 1, "C00001", "Bayside Hardware Pty Ltd")
    assert (job["contact_name"], job["handler_code"], job["handler_name"]) == ("Alex Buyer1", "Admin", "Admin")
    assert (job["status"], job["status_description"], job["description_1st_line"]) == (2, "Live", "Spring catalogue")
    assert (job["quoted_price"], job["order_number"], job["date_due"], job["revision"]) == (
        4800.0, "PO-7781", date(2026, 12, 18), 1)
    assert [(p["phase_number"], p["two_tier"], p["closed"], p["bookable"]) for p in job["phases"]] == [
        ("001", True, False, True), ("002", False, False, True), ("003", False, True, False)]
    assert [(s["stage_code"], s["description"]) for s in job["phases"][0]["stages"]] == [
        (CONCEPTS_STAGE, "Concepts"), (ARTWORK_STAGE, "Final artwork")]
    assert job["phases"][1]["task_descriptions"] == list(COPY_TASKS)
    assert timesheets.job_by_code(conn, 1, TRADE_SHOW_JOB)["status_description"] == "Complete"
    with pytest.raises(errors.NotFound, match=r"^Job 1/00000999 was not found\.$"):
        timesheets.job_by_code(conn, 1, "00000999")
    with pytest.raises(errors.NotFound, match=r"^Job 4/00000510 was not found\.$"):
        timesheets.job_by_code(conn, 4, CATALOGUE_JOB)
    with pytest.raises(errors.NotFound, match=r"^Company 77 was not found\.$"):
        timesheets.job_by_code(conn, 77, CATALOGUE_JOB)


def test_a_phase_by_its_code(conn: Connection) -> None:
    phase = timesheets.phase_by_code(conn, 1, DESIGN_PHASE)
    assert (phase["phase_id"], phase["job_and_phase"], phase["description_1st_line"],
            phase["job_description_1st_line"], phase["client_code"]) == (
        PHASE_KEYS[DESIGN_PHASE], "00000510.001", "Design", "Spring catalogue", "C00001")
    assert [s["stage_id"] for s in phase["stages"]] == [STAGE_KEYS[CONCEPTS_STAGE], STAGE_KEYS[ARTWORK_STAGE]]
    with pytest.raises(errors.NotFound, match=r"^Job phase 1/00000510.009 was not found\.$"):
        timesheets.phase_by_code(conn, 1, "00000510.009")
    with pytest.raises(errors.Invalid, match="is not a job and phase"):
        timesheets.phase_by_code(conn, 1, "00000510")


def test_codes_resolve_to_keys(conn: Connection) -> None:
    keys = timesheets.resolve_codes(conn, 1, job_and_phase=DESIGN_PHASE, stage_code=CONCEPTS_STAGE,
                                    charge_code="ART", resource_code="sarah")
    assert keys == {"phase_id": PHASE_KEYS[DESIGN_PHASE], "stage_id": STAGE_KEYS[CONCEPTS_STAGE],
                    "charge_code_id": CHARGE_CODE_KEYS["ART"], "staff_id": _staff_id(conn, "Sarah")}
    assert timesheets.resolve_codes(conn, 4, charge_code="ART") == {"charge_code_id": OTHER_COMPANY_ART}
    assert timesheets.resolve_codes(conn, 1, stage_code="", charge_code="") == {"stage_id": None,
                                                                                "charge_code_id": None}
    for kw, message in ((dict(job_and_phase="00000510.009"), "Job phase 1/00000510.009 was not found"),
                        (dict(stage_code="W9"), "Stage W9 was not found"),
                        (dict(charge_code="NOPE"), "Charge code 1/NOPE was not found"),
                        (dict(resource_code="nobody"), "Resource nobody was not found")):
        with pytest.raises(errors.Invalid, match=message):
            timesheets.resolve_codes(conn, 1, **kw)


def test_job_rules_number_phases_and_stages(conn: Connection) -> None:
    made = records.create(conn, ACTOR, "Job", {
        "company_id": BEST_MARKET, "debtor_id": "0000000061000000004V", "description": "Brochure",
        "phases": [{"description": "One", "two_tier": True, "stages": [{"description": "Draft"}]},
                   {"description": "Two"}]})
    assert made["job_number"] == "00000513" and made["status"] == 2
    assert [p["phase_number"] for p in made["phases"]] == ["001", "002"]
    assert made["phases"][0]["stages"][0]["stage_code"] == "W0000000920"
    more = records.update(conn, ACTOR, "Job", made["job_id"], {"phases": [
        {"description": "Seven", "phase_number": "007"}, {"description": "Eight"}]})
    assert [p["phase_number"] for p in more["phases"]] == ["001", "002", "007", "008"]
    done = records.update(conn, ACTOR, "Job", made["job_id"], {"status": "Complete"})
    assert done["completed_date"] is not None and done["revision"] == 3
    refusals: list[tuple[dict[str, Any], str]] = [
        ({"phases": [{"phase_number": "1"}]}, "A phase number is three digits"),
        ({"phases": [{"phase_number": "007"}]}, "The job has phase 007 twice"),
        ({"contact_name_id": "CN000000000000000021"}, "The job's contact must be one of its client's"),
        ({"company_id": BEST_MARKET_SERVICES}, "A job stays with its company"),
    ]
    for changes, message in refusals:
        with pytest.raises(errors.Invalid, match=message):
            records.update(conn, ACTOR, "Job", made["job_id"], changes)
    with pytest.raises(errors.Conflict, match=f"A stage with code {CONCEPTS_STAGE} already exists"):
        records.update(conn, ACTOR, "Job", made["job_id"], {"phases": [
            {"phase_id": made["phases"][0]["phase_id"], "stages": [{"stage_code": CONCEPTS_STAGE}]}]})


def test_a_job_number_is_unique_in_its_company(conn: Connection) -> None:
    data = {"debtor_id": "0000000061000000004V", "job_number": CATALOGUE_JOB}
    with pytest.raises(errors.Conflict, match="A Job with company_id .* and job_number 00000510 already exists"):
        records.create(conn, ACTOR, "Job", {**data, "company_id": BEST_MARKET}, allow_system=True)
    other = records.create(conn, ACTOR, "Job", {**data, "company_id": BEST_MARKET_SERVICES}, allow_system=True)
    assert other["job_number"] == CATALOGUE_JOB
    assert timesheets.job_by_code(conn, 4, CATALOGUE_JOB)["job_id"] == other["job_id"]


def test_a_charge_code_is_unique_in_its_company(conn: Connection) -> None:
    with pytest.raises(errors.Conflict, match="A ChargeCode with company_id .* and code ART already exists"):
        records.create(conn, ACTOR, "ChargeCode", {"company_id": BEST_MARKET, "code": " ART "})
    with pytest.raises(errors.Invalid, match="code is required"):
        records.create(conn, ACTOR, "ChargeCode", {"company_id": BEST_MARKET, "code": "  "})


def test_a_phase_with_time_stays(conn: Connection) -> None:
    # Job 00000511 given with its Build phase alone: its Discovery phase, which has time, would go.
    with pytest.raises(errors.Conflict, match="The JobPhase cannot be deleted because a .* refers to it") as caught:
        records.replace(conn, ACTOR, "Job", JOB_KEYS[WEBSITE_JOB], {
            "company_id": BEST_MARKET, "debtor_id": "0000000061000000002V",
            "phases": [{"phase_id": PHASE_KEYS[BUILD_PHASE], "phase_number": "002"}]})
    assert caught.value.code == "RecordInUse"


# --- creating pending time ------------------------------------------------------------------------------


def test_create_takes_the_resources_default_charge_code(conn: Connection) -> None:
    made = timesheets.create_pending(conn, ACTOR, [_entry(conn, work_done="Notes")])
    assert len(made) == 1
    entry = made[0]
    assert (entry["entry_no"], entry["status"], entry["charge_code"], entry["job_and_phase"], entry["company_number"],
            entry["resource_code"], entry["resource_name"], entry["revision"], entry["hours_total"]) == (
        3007, "W", "COPY", DISCOVERY_PHASE, 1, "Sarah", "Sarah Jones", 1, 2.0)
    assert (entry["time_date"], entry["client_code"], entry["work_done"]) == (date(2026, 11, 19), "C00002", "Notes")
    # A new entry is W whatever it says.
    with pytest.raises(errors.Invalid, match="unknown field"):
        timesheets.create_pending(conn, ACTOR, [_entry(conn, status="A")])


def test_create_on_a_two_tier_phase_and_a_phase_with_tasks(conn: Connection) -> None:
    made = timesheets.create_pending(conn, ACTOR, [
        _entry(conn, "Admin", phase_id=PHASE_KEYS[DESIGN_PHASE], stage_id=STAGE_KEYS[ARTWORK_STAGE],
               start_time_normal="13:00", end_time_normal="15:00"),
        _entry(conn, "Admin", phase_id=PHASE_KEYS[COPY_PHASE], task_desc=" client AMENDS ", hours_otime2=1.5)])
    assert [(e["entry_no"], e["stage_code"], e["task_desc"], e["charge_code"]) for e in made] == [
        (3007, ARTWORK_STAGE, None, "ART"), (3008, None, "Client amends", "ART")]
    assert made[1]["hours_total"] == 3.5


REFUSALS: list[tuple[dict[str, Any], str, str]] = [
    ({"phase_id": PHASE_KEYS[PRINT_PHASE]}, "PhaseClosed",
     r"^Phase 00000510\.003 is closed: no time can be booked to it\.$"),
    ({"phase_id": PHASE_KEYS[STAND_PHASE]}, "JobNotOpen",
     r"^Job 00000512 is Complete: no time can be booked to it\.$"),
    ({"phase_id": PHASE_KEYS[DESIGN_PHASE]}, "StageRequired",
     r"^Phase 00000510\.001 is two-tier: a stage is required\.$"),
    ({"stage_id": STAGE_KEYS[CONCEPTS_STAGE]}, "StageNotAllowed",
     r"^Phase 00000511\.001 is not two-tier: it has no stages\.$"),
    ({"phase_id": PHASE_KEYS[COPY_PHASE]}, "TaskRequired",
     r"^Phase 00000510\.002 has task descriptions: one is required\.$"),
    ({"phase_id": PHASE_KEYS[COPY_PHASE], "task_desc": "Typesetting"}, "TaskNotOfPhase",
     r"^'Typesetting' is not a task description of phase 00000510\.002\.$"),
    ({"charge_code_id": OTHER_COMPANY_ART}, "ChargeCodeNotOfCompany",
     r"^Charge code ART is not a charge code of company 1\.$"),
    ({"hours_normal": 24.5}, "HoursOutOfRange", r"^hours_normal must be from 0 to 24 hours\.$"),
    ({"hours_otime1": -1}, "HoursOutOfRange", r"^hours_otime1 must be from 0 to 24 hours\.$"),
    ({"hours_normal": 20, "hours_otime1": 3, "hours_otime2": 2}, "TooManyHours",
     r"^An entry's hours add up to at most 24 \(these add up to 25\)\.$"),
    ({"start_time_normal": "9:00"}, "InvalidTime",
     r"^start_time_normal must be a time of day as HH:MM, not '9:00'\.$"),
    ({"start_time_ot1": "18:00", "end_time_ot1": "17:30"}, "InvalidTime",
     r"^end_time_ot1 must be after start_time_ot1\.$"),
    ({"mat_quantity": -2}, "InvalidValue", r"^mat_quantity must not be negative\.$"),
    ({"phase_id": None}, "NotEmpty", r"^phase_id is required$"),
    ({"time_date": None}, "NotEmpty", r"^time_date is required$"),
    ({"time_date": "19/11/2026"}, "InvalidValue", r"time_date: '19/11/2026' is not a valid date"),
    ({"phase_id": "nope"}, "NotFound", r"^No JobPhase with key nope$"),
]


@pytest.mark.parametrize("changes, code, message", REFUSALS, ids=[r[1] + str(i) for i, r in enumerate(REFUSALS)])
def test_create_refusals(conn: Connection, changes: dict[str, Any], code: str, message: str) -> None:
    with pytest.raises(errors.Invalid, match=message) as caught:
        timesheets.create_pending(conn, ACTOR, [_entry(conn, **changes)])
    assert caught.value.code == code
    assert set(_statuses(conn)) == {3001, 3002, 3003, 3004, 3005, 3006}


def test_a_stage_of_another_phase_is_refused(conn: Connection) -> None:
    records.update(conn, ACTOR, "Job", JOB_KEYS[WEBSITE_JOB], {"phases": [
        {"phase_id": PHASE_KEYS[BUILD_PHASE], "two_tier": True, "stages": [{"description": "Templates"}]}]})
    with pytest.raises(errors.Invalid, match=r"^Stage W0000000918 is not a stage of phase 00000511\.002\.$"):
        timesheets.create_pending(conn, ACTOR, [_entry(conn, phase_id=PHASE_KEYS[BUILD_PHASE],
                                                       stage_id=STAGE_KEYS[CONCEPTS_STAGE])])


def test_without_a_default_charge_code(conn: Connection) -> None:
    sarah = _staff_id(conn, "Sarah")
    records.update(conn, ACTOR, "Staff", sarah, {"default_charge_code": None})
    with pytest.raises(errors.Invalid, match=r"^No charge code was given and resource Sarah has no default charge "
                                             r"code\.$"):
        timesheets.create_pending(conn, ACTOR, [_entry(conn)])
    assert timesheets.create_pending(conn, ACTOR, [_entry(conn, charge_code_id=CHARGE_CODE_KEYS["MEET"])])[0][
        "charge_code"] == "MEET"
    records.update(conn, ACTOR, "Staff", sarah, {"default_charge_code": "PHOTO"})
    with pytest.raises(errors.Invalid, match=r"^The default charge code PHOTO of resource Sarah is not a charge code "
                                             r"of company 1\.$"):
        timesheets.create_pending(conn, ACTOR, [_entry(conn)])


def test_a_disabled_resource_books_no_time(conn: Connection) -> None:
    records.update(conn, ACTOR, "Staff", _staff_id(conn, "Sarah"), {"enabled": False})
    with pytest.raises(errors.Invalid, match=r"^Resource Sarah is disabled\.$"):
        timesheets.create_pending(conn, ACTOR, [_entry(conn)])


def test_a_batch_is_all_or_nothing(conn: Connection) -> None:
    good = _entry(conn)
    with pytest.raises(errors.Invalid, match="is closed"):
        timesheets.create_pending(conn, ACTOR, [good, good, _entry(conn, phase_id=PHASE_KEYS[PRINT_PHASE])])
    # Still in the same transaction: the savepoint undid the first two, and their numbers.
    assert set(_statuses(conn)) == {3001, 3002, 3003, 3004, 3005, 3006}
    assert timesheets.create_pending(conn, ACTOR, [good])[0]["entry_no"] == 3007
    with pytest.raises(errors.Invalid, match="At least one entry is required"):
        timesheets.create_pending(conn, ACTOR, [])
    with pytest.raises(errors.Invalid, match="Item 2 must be an object"):
        timesheets.create_pending(conn, ACTOR, [good, "x"])  # type: ignore[list-item]


# --- changing, deleting and copying ---------------------------------------------------------------------


def test_a_partial_update(conn: Connection) -> None:
    [entry] = timesheets.update_pending(conn, ACTOR, [{"entry_no": 3001, "hours_normal": 4.25, "revision": 1}])
    assert (entry["hours_normal"], entry["work_done"], entry["stage_code"], entry["revision"]) == (
        4.25, "First concepts", CONCEPTS_STAGE, 2)
    with pytest.raises(errors.Conflict, match="has been changed by someone else") as caught:
        timesheets.update_pending(conn, ACTOR, [{"entry_no": 3001, "hours_normal": 5, "revision": 1}])
    assert caught.value.code == "ConcurrencyConflict"
    # An update is checked as a whole: the stage stays required.
    with pytest.raises(errors.Invalid, match="is two-tier: a stage is required"):
        timesheets.update_pending(conn, ACTOR, [{"entry_no": 3001, "stage_id": None}])


def test_update_refusals(conn: Connection) -> None:
    with pytest.raises(errors.Conflict, match=r"^Pending time entry 3004 has status S: only pending \(W\) entries may "
                                              r"be changed\.$") as caught:
        timesheets.update_pending(conn, ACTOR, [{"entry_no": 3001, "hours_normal": 1}, {"entry_no": 3004,
                                                                                       "hours_normal": 1}])
    assert caught.value.code == "NotPending"
    assert conn.execute(sa.select(_pending.c.hours_normal).where(_pending.c.entry_no == 3001)).scalar() == 3.5
    with pytest.raises(errors.NotFound, match=r"^Pending time entry 4242 was not found\.$"):
        timesheets.update_pending(conn, ACTOR, [{"entry_no": 4242, "hours_normal": 1}])
    with pytest.raises(errors.Invalid, match="must name the entry_no it changes"):
        timesheets.update_pending(conn, ACTOR, [{"hours_normal": 1}])
    with pytest.raises(errors.Invalid, match=r"unknown field\(s\) status"):
        timesheets.update_pending(conn, ACTOR, [{"entry_no": 3001, "status": "S"}])
    with pytest.raises(errors.Invalid, match="changes only by submitting or posting"):
        records.update(conn, ACTOR, "PendingTime", 3001, {"status": "A"})  # type: ignore[arg-type]


def test_delete(conn: Connection) -> None:
    with pytest.raises(errors.Conflict, match=r"^Pending time entry 3004 has status S: only pending \(W\) entries may "
                                              r"be deleted\.$"):
        timesheets.delete_pending(conn, ACTOR, [3001, 3004])
    assert 3001 in _statuses(conn)
    gone = timesheets.delete_pending(conn, ACTOR, [3001, 3002])
    assert [(g["entry_no"], g["job_and_phase"]) for g in gone] == [(3001, DESIGN_PHASE), (3002, COPY_PHASE)]
    assert set(_statuses(conn)) == {3003, 3004, 3005, 3006}
    with pytest.raises(errors.NotFound, match=r"^Pending time entry 3001 was not found\.$"):
        timesheets.delete_pending(conn, ACTOR, [3001])


def test_copy(conn: Connection) -> None:
    copied = timesheets.copy_pending(conn, ACTOR, 3004)
    assert (copied["entry_no"], copied["status"], copied["charge_code"], copied["hours_normal"], copied["work_done"],
            copied["time_date"]) == (3007, "W", "MEET", 1.5, "Kick-off meeting", date(2026, 11, 17))
    assert _statuses(conn)[3004] == "S"
    with pytest.raises(errors.NotFound, match=r"^Pending time entry 4242 was not found\.$"):
        timesheets.copy_pending(conn, ACTOR, 4242)
    records.update(conn, ACTOR, "Job", JOB_KEYS[WEBSITE_JOB], {"status": "Cancelled"})
    with pytest.raises(errors.Invalid, match="Job 00000511 is Cancelled"):
        timesheets.copy_pending(conn, ACTOR, 3004)


# --- submitting and posting -----------------------------------------------------------------------------


def test_submit_one_entry(conn: Connection) -> None:
    admin, sarah = _staff_id(conn, "Admin"), _staff_id(conn, "Sarah")
    assert timesheets.submit_pending(conn, ACTOR, staff_id=admin, entry_no=3001) == 1
    assert _statuses(conn)[3001] == "S"
    with pytest.raises(errors.Conflict, match=r"^Pending time entry 3001 has status S: only pending \(W\) entries are "
                                              r"submitted\.$"):
        timesheets.submit_pending(conn, ACTOR, staff_id=admin, entry_no=3001)
    with pytest.raises(errors.NotFound, match=r"^Pending time entry 3002 was not found\.$"):
        timesheets.submit_pending(conn, ACTOR, staff_id=sarah, entry_no=3002)
    # A submitted entry is no longer the resource's to change.
    with pytest.raises(errors.Conflict, match="only pending"):
        timesheets.update_pending(conn, ACTOR, [{"entry_no": 3001, "work_done": "x"}])


def test_submit_a_day_and_a_range(conn: Connection) -> None:
    admin, sarah = _staff_id(conn, "Admin"), _staff_id(conn, "Sarah")
    assert timesheets.submit_pending(conn, ACTOR, staff_id=admin, date="2026-11-17") == 1
    assert timesheets.submit_pending(conn, ACTOR, staff_id=admin, date=date(2026, 11, 17)) == 0
    assert _statuses(conn) == {3001: "W", 3002: "S", 3003: "W", 3004: "S", 3005: "S", 3006: "A"}
    assert timesheets.submit_pending(conn, ACTOR, staff_id=sarah, date_from="2026/11/01", date_to="2026/11/30") == 1
    assert timesheets.submit_pending(conn, ACTOR, staff_id=admin, date_from=date(2026, 11, 16),
                                     date_to=date(2026, 11, 16)) == 1
    assert set(_statuses(conn).values()) == {"S", "A"}
    for kw, message in ((dict(), "Give one of"), (dict(entry_no=3001, date="2026-11-16"), "Give one of"),
                        (dict(date_from="2026-11-01"), "needs both date_from and date_to"),
                        (dict(date_from="2026-11-30", date_to="2026-11-01"), "must not be before"),
                        (dict(date="soon"), "is not a date")):
        with pytest.raises(errors.Invalid, match=message):
            timesheets.submit_pending(conn, ACTOR, staff_id=admin, **kw)
    with pytest.raises(errors.NotFound, match="Resource nobody was not found"):
        timesheets.submit_pending(conn, ACTOR, staff_id="nobody", date="2026-11-16")


def test_post(conn: Connection) -> None:
    posted = timesheets.post_time(conn, ACTOR, [3004, 3006])
    assert [(p["entry_no"], p["pending_entry_no"], p["job_and_phase"], p["charge_code"], p["task_desc"],
             p["hours_total"], p["sales_inv_no"]) for p in posted] == [
        (9004, 3004, DISCOVERY_PHASE, "MEET", None, 1.5, None), (9005, 3006, COPY_PHASE, "COPY", "Proofreading", 2.0,
                                                                 None)]
    assert posted[0]["posted_at"] is not None and posted[0]["revision"] == 1
    assert set(_statuses(conn)) == {3001, 3002, 3003, 3005}
    with pytest.raises(errors.Conflict, match=r"^Pending time entry 3001 has status W: only submitted \(S\) or "
                                              r"approved \(A\) time is posted\.$"):
        timesheets.post_time(conn, ACTOR, [3005, 3001])
    assert _statuses(conn)[3005] == "S"
    assert conn.execute(sa.select(sa.func.count()).select_from(_posted)).scalar() == 5
    with pytest.raises(errors.Invalid, match="An entry is listed twice"):
        timesheets.post_time(conn, ACTOR, [3005, 3005])
    with pytest.raises(errors.NotFound, match=r"^Pending time entry 3004 was not found\.$"):
        timesheets.post_time(conn, ACTOR, [3004])


def test_posted_time_is_written_only_by_posting(conn: Connection) -> None:
    with pytest.raises(errors.Conflict, match="Posted time is written only by posting pending time"):
        records.update(conn, ACTOR, "PostedTime", 9001, {"work_done": "x"})  # type: ignore[arg-type]
    with pytest.raises(errors.Conflict, match="Posted time is written only by posting pending time"):
        records.create(conn, ACTOR, "PostedTime", {"phase_id": PHASE_KEYS[DISCOVERY_PHASE], records.NEW_KEY: 9100,
                                                   "staff_id": _staff_id(conn, "Admin"), "time_date": "2026-11-02"})
    with pytest.raises(errors.Conflict, match=r"^Posted time entry 9001 cannot be deleted\.$"):
        records.delete(conn, ACTOR, "PostedTime", 9001)  # type: ignore[arg-type]


# --- listings and lookups -------------------------------------------------------------------------------


def test_listings(conn: Connection) -> None:
    from backoffice.core.query import Filter, Op, Sort

    page = timesheets.list_pending(conn, ACTOR, [Filter("status", Op.EQUAL, "S")], count=True)
    assert ([r["entry_no"] for r in page.rows], page.total) == ([3004, 3005], 2)
    page = timesheets.list_pending(conn, ACTOR, [Filter("resource_code", Op.EQUAL, "Sarah")],
                                   sort=[Sort("time_date", True)], take=2, count=True)
    assert ([r["entry_no"] for r in page.rows], page.total) == ([3006, 3004], 3)
    posted = timesheets.list_posted(conn, ACTOR, [Filter("company_number", Op.EQUAL, 1)])
    assert [(r["entry_no"], r["job_and_phase"], r["sales_inv_no"], r["client_name"]) for r in posted.rows] == [
        (9001, DESIGN_PHASE, "INV-2210", "Bayside Hardware Pty Ltd"), (9002, DISCOVERY_PHASE, None,
                                                                       "Northern Building Supplies"),
        (9003, STAND_PHASE, "INV-2198", "Coastal Cafe Group")]
    assert [e["entry_no"] for e in timesheets.pending_entries(conn, ACTOR, [3006, 3001])] == [3006, 3001]


def test_bookable_phases(conn: Connection) -> None:
    def codes(**kw: Any) -> list[str]:
        return [p["job_and_phase"] for p in timesheets.bookable_phases(conn, 1, **kw)]

    assert codes() == [DESIGN_PHASE, COPY_PHASE, DISCOVERY_PHASE, BUILD_PHASE]
    assert [p["display_order"] for p in timesheets.bookable_phases(conn, 1)] == [1, 2, 3, 4]
    assert codes(client_code="C00002") == [DISCOVERY_PHASE, BUILD_PHASE]
    assert codes(job_number=CATALOGUE_JOB) == [DESIGN_PHASE, COPY_PHASE]
    assert codes(search="CATALOGUE") == [DESIGN_PHASE, COPY_PHASE]
    assert codes(search="discov") == [DISCOVERY_PHASE]
    assert codes(search="northern") == [DISCOVERY_PHASE, BUILD_PHASE]
    assert codes(search="100%") == []
    assert timesheets.bookable_phases(conn, 4) == []
    sarah = _staff_id(conn, "Sarah")
    assert len(codes(staff_id=sarah)) == 4
    records.update(conn, ACTOR, "Staff", sarah, {"enabled": False})
    assert codes(staff_id=sarah) == []


def test_charge_codes_and_resources(conn: Connection) -> None:
    sarah = _staff_id(conn, "Sarah")
    found = timesheets.charge_codes(conn, 1, staff_id=sarah)
    assert [(c["code"], c["is_default"]) for c in found] == [("ADMIN", False), ("ART", False), ("COPY", True),
                                                             ("MEET", False)]
    assert (found[1]["description"], found[1]["activity_code"], found[1]["rate"]) == ("Artwork and design", "DES", 95.0)
    assert [c["code"] for c in timesheets.charge_codes(conn, 4)] == ["ART"]
    # (The demo's other staff, Maria, the API spec's user and the Synergist example's "user", have no
    # default charge code.)
    assert [(r["resource_code"], r["resource_name"], r["default_charge_code"]) for r in timesheets.resources(conn)] == [
        ("Admin", "Admin", "ART"), ("api spec", "API Spec", None), ("Maria", "Maria Keller", None),
        ("Sarah", "Sarah Jones", "COPY"), ("user", "Example User", None)]
    assert timesheets.resources(conn, enabled=False) == []
    records.update(conn, ACTOR, "Staff", sarah, {"enabled": False})
    assert [r["resource_code"] for r in timesheets.resources(conn)] == ["Admin", "api spec", "Maria", "user"]
    assert [r["resource_code"] for r in timesheets.resources(conn, enabled=False)] == ["Sarah"]
    assert len(timesheets.resources(conn, enabled=None)) == 5


def test_diary_bookings_with_units(conn: Connection) -> None:
    admin, sarah = _staff_id(conn, "Admin"), _staff_id(conn, "Sarah")
    found = timesheets.diary_bookings(conn, staff_id=admin, date_from=date(2026, 11, 1), date_to=date(2026, 12, 31))
    assert [(b["booking_id"], b["job_and_phase"], b["stage_code"], b["number_of_days"], b["units_available"],
             b["units_allocated"]) for b in found] == [(1201, DESIGN_PHASE, CONCEPTS_STAGE, 3, 12.0, 3.5),
                                                       (1203, None, None, 1, 0.0, 0.0)]
    assert (found[1]["internal"], found[1]["company_number"], found[1]["subject"]) == (True, 1, "Office closed")
    found = timesheets.diary_bookings(conn, staff_id=sarah, date_from=date(2026, 11, 17), date_to=date(2026, 12, 1))
    assert [(b["booking_id"], b["units_available"], b["units_allocated"], b["task_date_indicator"], b["important"])
            for b in found] == [(1202, 15.0, 5.5, "", False), (1204, 6.0, 0.0, "AFTER", True)]
    assert timesheets.diary_bookings(conn, staff_id=sarah, date_from="2026-11-18", date_to="2026-11-30") == []
    # New pending time on the booking's days counts against it.
    timesheets.create_pending(conn, ACTOR, [_entry(conn, time_date="2026-11-17", hours_normal=3)])
    assert timesheets.diary_bookings(conn, staff_id=sarah, date_from=date(2026, 11, 16),
                                     date_to=date(2026, 11, 16))[0]["units_allocated"] == 8.5
    with pytest.raises(errors.Invalid, match="must not be before"):
        timesheets.diary_bookings(conn, staff_id=sarah, date_from=date(2026, 12, 1), date_to=date(2026, 11, 1))


def test_diary_rules(conn: Connection) -> None:
    base = {"staff_id": _staff_id(conn, "Admin"), "start_at": "2026-12-03T09:00:00", "end_at": "2026-12-03T17:00:00"}
    made = records.create(conn, ACTOR, "DiaryBooking", {**base, "phase_id": PHASE_KEYS[BUILD_PHASE],
                                                        records.NEW_KEY: 1299})
    assert made["company_id"] == BEST_MARKET
    for changes, message in (
            ({"company_id": BEST_MARKET}, "A booking without a job phase names its company"),
            ({"phase_id": PHASE_KEYS[BUILD_PHASE], "end_at": "2026-12-02T09:00:00"}, "A booking ends after it starts"),
            ({"stage_id": STAGE_KEYS[CONCEPTS_STAGE], "company_id": BEST_MARKET},
             "A booking names a stage only with its phase"),
            ({"phase_id": PHASE_KEYS[BUILD_PHASE], "stage_id": STAGE_KEYS[CONCEPTS_STAGE]},
             "The stage is not a stage of phase 00000511.002"),
            ({"phase_id": PHASE_KEYS[BUILD_PHASE], "company_id": BEST_MARKET_SERVICES},
             "A booking to a job phase is in the job's company"),
            ({"phase_id": PHASE_KEYS[BUILD_PHASE], "hours_per_day": 25}, "hours_per_day must be from 0 to 24"),
            ({"phase_id": PHASE_KEYS[BUILD_PHASE], "colour_hex": "blue"}, "colour_hex is #RRGGBB")):
        data = {**base, **changes}
        if message == "A booking without a job phase names its company":
            data.pop("company_id")
        with pytest.raises(errors.Invalid, match=message):
            records.create(conn, ACTOR, "DiaryBooking", {**data, records.NEW_KEY: 1298})


# --- the demo and the migration -------------------------------------------------------------------------


def test_the_demo(conn: Connection) -> None:
    counts = {name: conn.execute(sa.select(sa.func.count()).select_from(ENTITY_TABLES[name])).scalar()
              for name in ("Job", "JobPhase", "JobStage", "ChargeCode", "PendingTime", "PostedTime", "DiaryBooking")}
    assert counts == {"Job": 3, "JobPhase": 6, "JobStage": 2, "ChargeCode": 5, "PendingTime": 6, "PostedTime": 3,
                      "DiaryBooking": 4}
    assert _statuses(conn) == {3001: "W", 3002: "W", 3003: "W", 3004: "S", 3005: "S", 3006: "A"}
    defaults = dict(conn.execute(sa.select(_staff.c.username, _staff.c.default_charge_code)).all())
    assert defaults == {"Admin": "ART", "Sarah": "COPY", "Maria": None, "api spec": None, "user": None}
    assert [j["job_number"] for j in (timesheets.job_by_code(conn, 1, n) for n in (
        CATALOGUE_JOB, WEBSITE_JOB, TRADE_SHOW_JOB))] == ["00000510", "00000511", "00000512"]


def test_the_migration_keeps_staff_and_adds_jobs_and_time(empty_url: str) -> None:
    upgrade(empty_url, "0011")
    engine = sa.create_engine(empty_url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO staff (staff_id, username, enabled, revision) VALUES ('S1', 'kat', true, 1)"))
        conn.execute(sa.text("INSERT INTO company (company_id, code, title, number, active, active_date, is_system, "
                             "revision) VALUES ('C1', '001', 'T', 1, 1, '2020-01-01', 0, 1)"))
        conn.execute(sa.text("INSERT INTO debtor (debtor_id, account_no, name, revision) VALUES ('D1', 'A1', 'A', 1)"))
        conn.execute(sa.text("INSERT INTO activity (activity_id, subject, owner_id, revision) "
                             "VALUES ('AC1', 'Call', 'S1', 1)"))
    engine.dispose()
    upgrade(empty_url, "head")
    engine = sa.create_engine(empty_url)
    with engine.begin() as conn:
        assert conn.execute(sa.text("SELECT username, default_charge_code FROM staff")).one() == ("kat", None)
        assert conn.execute(sa.text("SELECT owner_id FROM activity")).scalar() == "S1"
        conn.execute(sa.text("UPDATE staff SET default_charge_code = 'ART'"))
        conn.execute(sa.text("INSERT INTO client_job (job_id, company_id, job_number, debtor_id, status, revision) "
                             "VALUES ('J1', 'C1', '00000510', 'D1', 2, 1)"))
        with pytest.raises(sa.exc.IntegrityError):
            with conn.begin_nested():
                conn.execute(sa.text("INSERT INTO client_job (job_id, company_id, job_number, debtor_id, revision) "
                                     "VALUES ('J2', 'C1', '00000510', 'D1', 1)"))
        tables = set(sa.inspect(conn).get_table_names())
    engine.dispose()
    assert {"client_job", "client_job_phase", "client_job_stage", "charge_code", "timesheet_pending",
            "timesheet_posted", "diary_booking"} <= tables
