"""Schedules: when an organization's scheduled export requests run.

A schedule says on which days (weekdays, days of the month, or both: either one makes a day) and at
which time of day it fires, from its start date on. A request submitted with its ``ScheduleId``
waits (Scheduled); each time the schedule fires, a new request copied from it runs (Origin
Scheduler, OriginalRequestId the waiting one).

Days and the time of day are read in the zone the client gave its TimeOfDay in (the offset of its
WCF date), so "08:00 on Mondays" means the client's Monday morning. Firing is driven by ``tick``,
which the worker calls every half minute: it starts the runs whose time came in the last
``CATCH_UP`` (a server that was down longer does not replay a backlog). Each run has a unique run
key, so with several servers on one database every slot runs exactly once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..auth.tokens import OrgPrincipal
from ..clock import now
from ..errors import FieldError, Invalid, NotFound
from ..numbering import reserve
from ..store import Database
from . import requests
from .tables import ie_request, ie_schedule

log = logging.getLogger("backoffice.schedules")

MAX_NAME = 40
CATCH_UP = timedelta(minutes=15)
WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


@dataclass
class Schedule:
    """A schedule as clients send and see it. Times are naive UTC instants; ``offset_minutes`` is the
    zone the client gave them in (east of UTC positive)."""

    name: str
    user_name: str
    start_date: datetime
    time_of_day: datetime | None
    weekdays: tuple[bool, ...]  # Sunday .. Saturday
    days_of_month: list[int]
    active: bool
    offset_minutes: int = 0
    schedule_id: int = 0
    org_code: str = ""


def _check(spec: Schedule) -> None:
    """The rules of the public client's own validation, with its messages."""
    problems: list[tuple[str, str]] = []
    if not spec.name or not spec.name.strip():
        problems.append(("Name", "Schedule Needs a Name."))
    elif len(spec.name) > MAX_NAME:
        problems.append(("Name", f"Schedule Name exceeds Max length of {MAX_NAME} chars."))
    if not spec.user_name or not spec.user_name.strip():
        problems.append(("UserName", "User missing on schedule addition/modification."))
    if any(not 1 <= day <= 31 for day in spec.days_of_month):
        problems.append(("DaysOfMonth", "Invalid days found on request."))
    if len(spec.weekdays) != 7 or (not any(spec.weekdays) and not spec.days_of_month):
        problems.append(("Sunday", "Either Days of Week or Days of Month need to be on the schedule."))
    if problems:
        raise Invalid(" ".join(m for _, m in problems), [FieldError(f, "Invalid", m) for f, m in problems])


def add(conn: Connection, principal: OrgPrincipal, spec: Schedule) -> int:
    """Record a schedule for the principal's organization; returns its id (Invalid if unusable)."""
    _check(spec)
    schedule_id = reserve(conn, "ImportExportSchedule")
    local_time = (spec.time_of_day or spec.start_date) + timedelta(minutes=spec.offset_minutes)
    conn.execute(ie_schedule.insert().values(
        schedule_id=schedule_id, org_id=principal.org.org_id, name=spec.name.strip(),
        user_name=spec.user_name.strip()[:60], start_date=spec.start_date,
        minute_of_day=local_time.hour * 60 + local_time.minute, utc_offset=spec.offset_minutes,
        weekdays="".join("1" if d else "0" for d in spec.weekdays),
        days_of_month=sorted(set(spec.days_of_month)), active=spec.active, created_at=now(), active_since=now(),
    ))
    return schedule_id


def _schedule(row: Any, org_code: str) -> Schedule:
    # The time of day as a moment on the start date, in the client's zone (only hours and minutes count).
    local_start = row.start_date + timedelta(minutes=row.utc_offset)
    local_time = local_start.replace(hour=row.minute_of_day // 60, minute=row.minute_of_day % 60, second=0,
                                     microsecond=0)
    return Schedule(row.name, row.user_name, row.start_date, local_time - timedelta(minutes=row.utc_offset),
                    tuple(c == "1" for c in row.weekdays), list(row.days_of_month or []), bool(row.active),
                    row.utc_offset, row.schedule_id, org_code)


def listing(conn: Connection, principal: OrgPrincipal) -> list[Schedule]:
    """Every schedule of the organization, active or not, oldest first."""
    rows = conn.execute(sa.select(ie_schedule).where(ie_schedule.c.org_id == principal.org.org_id)
                        .order_by(ie_schedule.c.schedule_id)).all()
    return [_schedule(r, principal.org.code) for r in rows]


def set_active(conn: Connection, principal: OrgPrincipal, schedule_id: int, active: bool) -> bool:
    """Enable or disable one of the organization's schedules."""
    mine = sa.and_(ie_schedule.c.schedule_id == schedule_id, ie_schedule.c.org_id == principal.org.org_id)
    # Enabled again: the slots it missed while disabled stay missed.
    done = conn.execute(ie_schedule.update().where(mine).values(
        active=active, active_since=sa.case((sa.and_(sa.literal(active), ie_schedule.c.active.is_(False)), now()),
                                            else_=ie_schedule.c.active_since))).rowcount
    if not done:
        raise NotFound(f"No schedule {schedule_id} in organization {principal.org.code}")
    return True


def due_slots(row: Any, after: datetime, until: datetime) -> list[datetime]:
    """The moments (naive UTC) in (after, until] at which the schedule fires, from its start date on."""
    offset = timedelta(minutes=row.utc_offset)
    weekdays = row.weekdays
    days_of_month = set(row.days_of_month or [])
    slots: list[datetime] = []
    day = (after + offset).date()
    last = (until + offset).date()
    while day <= last:
        # Python's Monday is 0; the schedule's flags start on Sunday.
        if weekdays[(day.weekday() + 1) % 7] == "1" or day.day in days_of_month:
            local = datetime(day.year, day.month, day.day, row.minute_of_day // 60, row.minute_of_day % 60)
            slot = local - offset
            if after < slot <= until and slot >= row.start_date:
                slots.append(slot)
        day += timedelta(days=1)
    return slots


def tick(db: Database, *, catch_up: timedelta = CATCH_UP) -> list[int]:
    """Start every scheduled run that came due in the last ``catch_up``; returns the new request ids.
    Safe to call from any number of servers at once."""
    until = now()
    after = until - catch_up
    started: list[int] = []
    with db.read() as conn:
        schedules = conn.execute(sa.select(ie_schedule).where(ie_schedule.c.active.is_(True),
                                                              ie_schedule.c.start_date <= until)).all()
    for schedule in schedules:
        slots = due_slots(schedule, after, until)
        if not slots:
            continue
        with db.write() as conn:
            if not conn.execute(sa.select(ie_schedule.c.active).where(
                    ie_schedule.c.schedule_id == schedule.schedule_id)).scalar():
                continue  # disabled meanwhile
            waiting = conn.execute(sa.select(ie_request).where(
                ie_request.c.schedule_id == schedule.schedule_id, ie_request.c.status == requests.SCHEDULED,
                ie_request.c.org_id == schedule.org_id)).all()
            for original in waiting:
                for slot in slots:
                    # Never a slot from before the schedule was made active, or the request was made.
                    if slot <= schedule.active_since or slot <= original.created_at:
                        continue
                    request_id = requests.start_scheduled_run(conn, original, slot)
                    if request_id is not None:
                        log.info("schedule %s started request %s for %s", schedule.schedule_id, request_id, slot)
                        started.append(request_id)
    return started
