"""The demo's jobs and time (what the Synergist API shows), in Best Market SA (company 1). Docs
and tests name these codes and numbers, so keep them stable: numbers come from the sequences'
starts in a new database, keys are fixed.

- Charge codes of company 1: ADMIN, ART (the Admin's default), COPY (Sarah's default), MEET;
  company 4 (Best Market Services) has its own ART.
- Job 00000510 "Spring catalogue" for Bayside Hardware (C00001, contact Alex Buyer1), Live, handled
  by Admin: phase 001 "Design" is two-tier, with stages W0000000918 "Concepts" and W0000000919
  "Final artwork"; phase 002 "Copy and proofing" has task descriptions (Copywriting, Proofreading,
  Client amends); phase 003 "Print management" is closed.
- Job 00000511 "Website refresh" for Northern Building Supplies (C00002), Live, handled by Sarah:
  phases 001 "Discovery" and 002 "Build", neither two-tier nor with task descriptions.
- Job 00000512 "Trade show stand" for Coastal Cafe Group (C00003), Complete: no time can be booked.
- Pending time 3001-3006 (W: 3001-3003; S: 3004, 3005; A: 3006), in November 2026.
- Posted time 9001-9003 (from pending entries of earlier weeks).
- Diary bookings 1201-1204, November and December 2026.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Connection

from ..core import records, timesheets
from ..core.auth import Principal
from ..core.auth.service import find_staff
from ..core.numbering import next_number
from ..core.records import NEW_KEY
from .galaxy import BEST_MARKET, BEST_MARKET_SERVICES

COMPANY_NUMBER = 1
CATALOGUE_JOB, WEBSITE_JOB, TRADE_SHOW_JOB = "00000510", "00000511", "00000512"
DESIGN_PHASE, COPY_PHASE, PRINT_PHASE = "00000510.001", "00000510.002", "00000510.003"
DISCOVERY_PHASE, BUILD_PHASE, STAND_PHASE = "00000511.001", "00000511.002", "00000512.001"
CONCEPTS_STAGE, ARTWORK_STAGE = "W0000000918", "W0000000919"
COPY_TASKS = ("Copywriting", "Proofreading", "Client amends")
ADMIN_DEFAULT, SARAH_DEFAULT = "ART", "COPY"
# (code, description, activity code, hourly rate) of company 1.
CHARGE_CODES = [("ADMIN", "Administration", "INT", 45.0), ("ART", "Artwork and design", "DES", 95.0),
                ("COPY", "Copywriting", "WRI", 85.0), ("MEET", "Client meetings", "MEE", 60.0)]
PENDING_WAITING, PENDING_SUBMITTED, PENDING_APPROVED = (3001, 3002, 3003), (3004, 3005), (3006,)
POSTED = (9001, 9002, 9003)
BOOKINGS = (1201, 1202, 1203, 1204)

JOB_KEYS = {CATALOGUE_JOB: "JB000000000000000001", WEBSITE_JOB: "JB000000000000000002",
            TRADE_SHOW_JOB: "JB000000000000000003"}
PHASE_KEYS = {DESIGN_PHASE: "JP000000000000000001", COPY_PHASE: "JP000000000000000002",
              PRINT_PHASE: "JP000000000000000003", DISCOVERY_PHASE: "JP000000000000000004",
              BUILD_PHASE: "JP000000000000000005", STAND_PHASE: "JP000000000000000006"}
STAGE_KEYS = {CONCEPTS_STAGE: "JS000000000000000001", ARTWORK_STAGE: "JS000000000000000002"}
CHARGE_CODE_KEYS = {code: f"CC{n:018d}" for n, (code, *_) in enumerate(CHARGE_CODES, start=1)}
OTHER_COMPANY_ART = "CC000000000000000099"

_BAYSIDE, _NORTHERN, _COASTAL = "0000000061000000001V", "0000000061000000002V", "0000000061000000003V"
_ALEX_BUYER1 = "CN000000000000000011"


def load_jobs(conn: Connection, actor: Principal) -> None:
    """Charge codes, resources' defaults, three jobs, pending and posted time and diary bookings."""
    admin, sarah = find_staff(conn, "Admin"), find_staff(conn, "Sarah")
    assert admin is not None and sarah is not None

    def create(entity: str, key: Any, data: dict[str, Any]) -> None:
        records.create(conn, actor, entity, {**data, NEW_KEY: key}, allow_system=True, action=timesheets.DEMO)

    for code, description, activity, rate in CHARGE_CODES:
        create("ChargeCode", CHARGE_CODE_KEYS[code], {"company_id": BEST_MARKET, "code": code,
                                                      "description": description, "activity_code": activity,
                                                      "rate": rate})
    create("ChargeCode", OTHER_COMPANY_ART, {"company_id": BEST_MARKET_SERVICES, "code": "ART",
                                             "description": "Artwork (Services)", "rate": 90.0})
    for row, code in ((admin, ADMIN_DEFAULT), (sarah, SARAH_DEFAULT)):
        records.update(conn, actor, "Staff", row.staff_id, {"default_charge_code": code})

    create("Job", JOB_KEYS[CATALOGUE_JOB], {
        "company_id": BEST_MARKET, "debtor_id": _BAYSIDE, "contact_name_id": _ALEX_BUYER1,
        "description": "Spring catalogue\nA 24-page catalogue of the spring range, print and PDF.", "status": 2,
        "handler_staff_id": admin.staff_id, "date_in": date(2026, 10, 1), "date_due": date(2026, 12, 18),
        "order_number": "PO-7781", "quoted_price": 4800.0, "currency_code": "AUD", "exchange_rate": 1.0,
        "job_type_code": "PRINT", "job_type_description": "Print design", "project_code": "SPRING27",
        "comments": "Proofs to Alex by the end of November.", "won_by": "Admin", "tax_code": "GST",
        "phases": [
            {NEW_KEY: PHASE_KEYS[DESIGN_PHASE], "description": "Design\nConcepts and final artwork",
             "handler_staff_id": admin.staff_id, "start_date": date(2026, 10, 1), "end_date": date(2026, 12, 4),
             "two_tier": True, "stages": [
                 {NEW_KEY: STAGE_KEYS[CONCEPTS_STAGE], "description": "Concepts",
                  "start_date": date(2026, 10, 1), "end_date": date(2026, 11, 20)},
                 {NEW_KEY: STAGE_KEYS[ARTWORK_STAGE], "description": "Final artwork",
                  "start_date": date(2026, 11, 16), "end_date": date(2026, 12, 4)}]},
            {NEW_KEY: PHASE_KEYS[COPY_PHASE], "description": "Copy and proofing", "handler_staff_id": sarah.staff_id,
             "start_date": date(2026, 10, 15), "end_date": date(2026, 11, 30),
             "task_descriptions": "\n".join(COPY_TASKS)},
            {NEW_KEY: PHASE_KEYS[PRINT_PHASE], "description": "Print management", "closed": True,
             "start_date": date(2026, 12, 7), "end_date": date(2026, 12, 18)},
        ]})
    create("Job", JOB_KEYS[WEBSITE_JOB], {
        "company_id": BEST_MARKET, "debtor_id": _NORTHERN, "description": "Website refresh\nNew product pages.",
        "status": 2, "handler_staff_id": sarah.staff_id, "date_in": date(2026, 11, 2), "date_due": date(2027, 1, 29),
        "quoted_price": 12500.0, "currency_code": "AUD", "job_type_code": "WEB", "job_type_description": "Website",
        "phases": [
            {NEW_KEY: PHASE_KEYS[DISCOVERY_PHASE], "description": "Discovery", "start_date": date(2026, 11, 2),
             "end_date": date(2026, 11, 27)},
            {NEW_KEY: PHASE_KEYS[BUILD_PHASE], "description": "Build", "start_date": date(2026, 11, 16),
             "end_date": date(2027, 1, 29)},
        ]})
    create("Job", JOB_KEYS[TRADE_SHOW_JOB], {
        "company_id": BEST_MARKET, "debtor_id": _COASTAL, "description": "Trade show stand", "status": 3,
        "handler_staff_id": admin.staff_id, "date_in": date(2026, 9, 1), "date_due": date(2026, 10, 23),
        "completed_date": date(2026, 10, 23), "quoted_price": 3200.0, "currency_code": "AUD",
        "phases": [{NEW_KEY: PHASE_KEYS[STAND_PHASE], "description": "Stand design"}]})

    art, copy, meet = CHARGE_CODE_KEYS["ART"], CHARGE_CODE_KEYS["COPY"], CHARGE_CODE_KEYS["MEET"]
    pending: list[tuple[int, Any, str, str | None, str | None, date, float, float, str | None, str, str]] = [
        # entry, resource, phase, stage, charge code (None: the default), day, normal, overtime 1, task, work, status
        (3001, admin, DESIGN_PHASE, CONCEPTS_STAGE, art, date(2026, 11, 16), 3.5, 0.0, None, "First concepts", "W"),
        (3002, admin, COPY_PHASE, None, copy, date(2026, 11, 17), 2.0, 0.0, "Copywriting", "Cover copy", "W"),
        (3003, sarah, DISCOVERY_PHASE, None, None, date(2026, 11, 16), 4.0, 0.0, None, "Stakeholder notes", "W"),
        (3004, sarah, DISCOVERY_PHASE, None, meet, date(2026, 11, 17), 1.5, 0.0, None, "Kick-off meeting", "S"),
        (3005, admin, BUILD_PHASE, None, art, date(2026, 11, 18), 6.0, 1.0, None, "Page templates", "S"),
        (3006, sarah, COPY_PHASE, None, copy, date(2026, 11, 18), 2.0, 0.0, "Proofreading", "First proof", "A"),
    ]
    for entry_no, who, phase, stage, charge, day, normal, overtime, task, work, status in pending:
        create("PendingTime", _numbered(conn, "PendingTime", entry_no), {
            "phase_id": PHASE_KEYS[phase], "stage_id": STAGE_KEYS[stage] if stage else None,
            "charge_code_id": charge, "staff_id": who.staff_id, "time_date": day, "hours_normal": normal,
            "hours_otime1": overtime, "task_desc": task, "work_done": work, "status": status,
            "start_time_normal": "09:00" if entry_no == 3001 else None,
            "end_time_normal": "12:30" if entry_no == 3001 else None})
    posted: list[tuple[int, Any, str, str | None, str, date, float, str | None]] = [
        (9001, admin, DESIGN_PHASE, CONCEPTS_STAGE, art, date(2026, 11, 2), 5.0, "INV-2210"),
        (9002, sarah, DISCOVERY_PHASE, None, copy, date(2026, 11, 3), 3.0, None),
        (9003, admin, STAND_PHASE, None, art, date(2026, 10, 20), 7.0, "INV-2198"),
    ]
    for n, (entry_no, who, phase, stage, charge, day, normal, invoice) in enumerate(posted):
        create("PostedTime", _numbered(conn, "PostedTime", entry_no), {
            "phase_id": PHASE_KEYS[phase], "stage_id": STAGE_KEYS[stage] if stage else None,
            "charge_code_id": charge, "staff_id": who.staff_id, "time_date": day, "hours_normal": normal,
            "work_done": "Posted demo time", "pending_entry_no": 2990 + n, "sales_inv_no": invoice,
            "posted_at": datetime(2026, 11, 9, 18, 0)})
    bookings: list[tuple[int, Any, dict[str, Any]]] = [
        (1201, admin, {"phase_id": PHASE_KEYS[DESIGN_PHASE], "stage_id": STAGE_KEYS[CONCEPTS_STAGE],
                       "charge_code_id": art, "start_at": datetime(2026, 11, 16, 9),
                       "end_at": datetime(2026, 11, 18, 17),
                       "hours_per_day": 4.0, "status": "Confirmed", "colour_hex": "#3366CC",
                       "subject": "Spring catalogue concepts"}),
        (1202, sarah, {"phase_id": PHASE_KEYS[DISCOVERY_PHASE], "charge_code_id": copy, "all_day": True,
                       "start_at": datetime(2026, 11, 16), "end_at": datetime(2026, 11, 17, 23, 59),
                       "hours_per_day": 7.5, "status": "Confirmed", "colour_hex": "#33AA66",
                       "subject": "Website discovery"}),
        (1203, admin, {"company_id": BEST_MARKET, "all_day": True, "internal": True,
                       "start_at": datetime(2026, 12, 24), "end_at": datetime(2026, 12, 24, 23, 59),
                       "status": "Confirmed", "subject": "Office closed", "feedback": "Christmas Eve"}),
        (1204, sarah, {"phase_id": PHASE_KEYS[COPY_PHASE], "charge_code_id": copy, "important": True,
                       "start_at": datetime(2026, 12, 1, 9), "end_at": datetime(2026, 12, 2, 17),
                       "hours_per_day": 3.0, "status": "Provisional", "colour_hex": "#CC3333",
                       "subject": "Client amends"}),
    ]
    for booking_id, who, data in bookings:
        create("DiaryBooking", _numbered(conn, "DiaryBooking", booking_id), {**data, "staff_id": who.staff_id})


def _numbered(conn: Connection, sequence: str, expected: int) -> int:
    """The sequence's next number, which in a new database is the one the demo documents."""
    number = int(next_number(conn, sequence))
    if number != expected:
        raise RuntimeError(f"The demo expected {sequence} {expected}, the sequence gave {number}")
    return number
