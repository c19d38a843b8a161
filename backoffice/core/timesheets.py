"""Jobs and time (the business behind Synergist's jobs, timesheets, tspending, time and diary
modules): jobs and phases by their codes, pending time entries and their workflow, posting, and
the lookups a timesheet screen offers.

Jobs, pending time, posted time and diary bookings are records like any other (``records``), so
the rules below check them whichever way they are written:

- a job's number is the next of the ``Job`` sequence in eight digits (``00000510``), unique in its
  company; a job stays with its company; its contact must be its client's; when it becomes
  Complete without a completed date it gets today's. A phase without a number gets the one after
  the job's highest (``001``, ``002``); a stage without a code the next ``W0000000918``.
- a pending entry (``PendingTime``) is booked to a phase that is open (not closed, its job a Quote
  or Live); it names a stage exactly when the phase is two-tier (and then one of the phase's); it
  names one of the phase's task descriptions exactly when the phase has some (matched without
  case, stored as the phase spells it); without a charge code it takes the resource's default
  (``Staff.default_charge_code``, a code of the job's company), and is refused when there is none;
  a charge code must be of the job's company; the resource must be enabled; each of the three
  hours is from 0 to 24 and together at most 24; start and end times are ``HH:MM`` with the end
  after the start.
- statuses: a new entry is W (pending). Only a W entry may be changed or deleted (Conflict
  otherwise); its status changes only by the workflow: ``submit_pending`` (W -> S) and posting.
  A, Q, R and H are the approvers' (set by the demo; no approval operation yet). P ("being
  posted") is never left behind: ``post_time`` turns S and A entries into posted time and removes
  them from pending time, so pending time is exactly what has not been posted.
- posted time (``PostedTime``) is written only by ``post_time`` (and the demo), and never changed
  or deleted here.

Every batch operation is all-or-nothing: it runs in a savepoint, every item is checked, and the
first error undoes everything it wrote. Results are plain dicts with catalog names; pending and
posted entries are rows of the ``PendingTimeList`` and ``PostedTimeList`` views plus
``job_and_phase`` (``00000510.001``), ``resource_name`` and (pending) ``status_description``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import query, records
from .auth import Principal
from .catalog import CATALOG
from .catalog.jobs import APPROVED, PENDING_STATUSES, POSTING, SUBMITTED, WAITING
from .clock import now
from .errors import Conflict, Invalid, NotFound
from .numbering import next_number
from .records import NEW_KEY, RuleContext, delete_guard, rule
from .store.tables import ENTITY_TABLES

QUOTE, LIVE, COMPLETE, CANCELLED = 1, 2, 3, 4
BOOKABLE_JOB_STATUSES = (QUOTE, LIVE)
MAX_HOURS = 24.0
HOURS = ("hours_normal", "hours_otime1", "hours_otime2")
TIMES = ("start_time_normal", "end_time_normal", "start_time_ot1", "end_time_ot1", "start_time_ot2", "end_time_ot2")
# What a pending entry request may carry (catalog names); updates also name entry_no and may
# carry the revision they expect.
PENDING_INPUTS = ("phase_id", "stage_id", "charge_code_id", "staff_id", "time_date", *HOURS, "material_code",
                  "mat_quantity", "task_desc", "work_done", "approval_notes_resubmit", *TIMES)
# What a copy or a posting carries over from a pending entry.
_TIME_FIELDS = ("company_id", "phase_id", "stage_id", "charge_code_id", "staff_id", "time_date", *HOURS,
                "material_code", "mat_quantity", "task_desc", "work_done", *TIMES)
# The business operations that move an entry through its statuses (records' ``action``).
SUBMIT, POST, DEMO = "SubmitPending", "PostTime", "DemoLoad"
_WORKFLOW = (SUBMIT, POST, DEMO)

_company = ENTITY_TABLES["Company"]
_debtor = ENTITY_TABLES["Debtor"]
_contact = ENTITY_TABLES["DebtorContactName"]
_staff = ENTITY_TABLES["Staff"]
_job = ENTITY_TABLES["Job"]
_phase = ENTITY_TABLES["JobPhase"]
_stage = ENTITY_TABLES["JobStage"]
_charge = ENTITY_TABLES["ChargeCode"]
_pending = ENTITY_TABLES["PendingTime"]
_posted = ENTITY_TABLES["PostedTime"]
_diary = ENTITY_TABLES["DiaryBooking"]
_STATUS = CATALOG.enums["JobStatus"]
_HH_MM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")



def job_number_text(number: int) -> str:
    return f"{number:08d}"


def first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0].strip() if (text or "").strip() else ""


def task_list(text: str | None) -> list[str]:
    """A phase's task descriptions: its non-blank lines, trimmed."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _status_name(code: int | None) -> str:
    try:
        return _STATUS.by_code(int(code or LIVE)).name
    except (KeyError, ValueError):
        return str(code)


def _person(first: str | None, surname: str | None, fallback: str = "") -> str:
    return " ".join(p for p in (first, surname) if p) or fallback


# --- companies, jobs and phases by their codes ------------------------------------------------------


def company_id_of(conn: Connection, company_number: int) -> str:
    """The key of the company with that number (Synergist's ``company=1``), or NotFound."""
    found = conn.execute(sa.select(_company.c.company_id).where(_company.c.number == company_number)).scalar() \
        if isinstance(company_number, int) and not isinstance(company_number, bool) else None
    if found is None:
        raise NotFound(f"Company {company_number} was not found.", code="CompanyNotFound")
    return str(found)


def split_job_and_phase(code: str) -> tuple[str, str]:
    """``00000510.001`` -> (``00000510``, ``001``); Invalid for anything else."""
    job_number, dot, phase_number = (code or "").strip().rpartition(".")
    if not dot or not job_number or not phase_number:
        raise Invalid.field("phase_id", f"{code!r} is not a job and phase (00000510.001).", "InvalidJobAndPhase")
    return job_number, phase_number


def _phase_query() -> sa.Select[Any]:
    return (sa.select(_phase, _job.c.job_number, _job.c.company_id, _job.c.status.label("job_status"),
                      _job.c.description.label("job_description"), _job.c.debtor_id, _company.c.number,
                      _debtor.c.account_no, _debtor.c.name.label("client_name"))
            .select_from(_phase.join(_job, _job.c.job_id == _phase.c.job_id)
                         .join(_company, _company.c.company_id == _job.c.company_id)
                         .join(_debtor, _debtor.c.debtor_id == _job.c.debtor_id)))


def _stages_of(conn: Connection, phase_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    ids = list(phase_ids)
    if not ids:
        return found
    for s in conn.execute(sa.select(_stage).where(_stage.c.phase_id.in_(ids))
                          .order_by(_stage.c.stage_code, _stage.c.stage_id)):
        found.setdefault(s.phase_id, []).append({
            "stage_id": s.stage_id, "stage_code": s.stage_code, "description": s.description,
            "start_date": s.start_date, "end_date": s.end_date})
    return found


def _phase_dict(r: Any, stages: list[dict[str, Any]]) -> dict[str, Any]:
    return {"phase_id": r.phase_id, "job_id": r.job_id, "company_id": r.company_id, "company_number": r.number,
            "job_number": r.job_number, "phase_number": r.phase_number,
            "job_and_phase": f"{r.job_number}.{r.phase_number}", "description": r.description,
            "description_1st_line": first_line(r.description), "job_description": r.job_description,
            "job_description_1st_line": first_line(r.job_description), "client_code": r.account_no,
            "client_name": r.client_name, "handler_staff_id": r.handler_staff_id, "start_date": r.start_date,
            "end_date": r.end_date, "two_tier": bool(r.two_tier), "task_descriptions": task_list(r.task_descriptions),
            "closed": bool(r.closed), "job_status": r.job_status,
            "bookable": not r.closed and r.job_status in BOOKABLE_JOB_STATUSES, "stages": stages}


def job_by_code(conn: Connection, company_number: int, job_number: str) -> dict[str, Any]:
    """The job with that number in the company: every Job field, plus company_number, client_code,
    client_name, contact_number, contact_name, handler_code, handler_name, status_description,
    description_1st_line, revision, last_saved and phases (as ``phase_by_code``'s, in number order).
    NotFound when the company or the job does not exist."""
    company_id = company_id_of(conn, company_number)
    handler = _staff.alias("handler")
    row = conn.execute(
        sa.select(_job, _debtor.c.account_no, _debtor.c.name.label("client_name"), _contact.c.contact_number,
                  _contact.c.first_name, _contact.c.surname, handler.c.username.label("handler_code"),
                  handler.c.first_name.label("handler_first"), handler.c.surname.label("handler_surname"))
        .select_from(_job.join(_debtor, _debtor.c.debtor_id == _job.c.debtor_id)
                     .outerjoin(_contact, _contact.c.contact_name_id == _job.c.contact_name_id)
                     .outerjoin(handler, handler.c.staff_id == _job.c.handler_staff_id))
        .where(_job.c.company_id == company_id, _job.c.job_number == (job_number or "").strip())).first()
    if row is None:
        raise NotFound(f"Job {company_number}/{job_number} was not found.", code="JobNotFound")
    job = {c.name: getattr(row, c.name) for c in _job.c if c.name != "change_no"}
    phases = conn.execute(_phase_query().where(_phase.c.job_id == row.job_id)
                          .order_by(_phase.c.phase_number, _phase.c.phase_id)).all()
    stages = _stages_of(conn, (p.phase_id for p in phases))
    return {**job, "company_number": company_number, "client_code": row.account_no, "client_name": row.client_name,
            "contact_number": row.contact_number, "contact_name": _person(row.first_name, row.surname) or None,
            "handler_code": row.handler_code,
            "handler_name": _person(row.handler_first, row.handler_surname, row.handler_code or "") or None,
            "status_description": _status_name(row.status), "description_1st_line": first_line(row.description),
            "phases": [_phase_dict(p, stages.get(p.phase_id, [])) for p in phases]}


def phase_by_code(conn: Connection, company_number: int, job_and_phase: str) -> dict[str, Any]:
    """The phase ``00000510.001`` of the company: phase_id, job_id, company_id, company_number,
    job_number, phase_number, job_and_phase, description, description_1st_line, job_description,
    job_description_1st_line, client_code, client_name, handler_staff_id, start_date, end_date,
    two_tier, task_descriptions (a list), closed, job_status, bookable and stages [{stage_id,
    stage_code, description, start_date, end_date}]. NotFound when there is no such phase."""
    company_id = company_id_of(conn, company_number)
    job_number, phase_number = split_job_and_phase(job_and_phase)
    row = conn.execute(_phase_query().where(_job.c.company_id == company_id, _job.c.job_number == job_number,
                                            _phase.c.phase_number == phase_number)).first()
    if row is None:
        raise NotFound(f"Job phase {company_number}/{job_and_phase} was not found.", code="PhaseNotFound")
    return _phase_dict(row, _stages_of(conn, [row.phase_id]).get(row.phase_id, []))


def resolve_codes(conn: Connection, company_number: int, *, job_and_phase: str | None = None,
                  stage_code: str | None = None, charge_code: str | None = None,
                  resource_code: str | None = None) -> dict[str, Any]:
    """The keys a pending entry takes, from the codes a caller knows: phase_id, stage_id,
    charge_code_id and staff_id, for each code given (blank: None). Invalid, naming the field, for a
    code that names nothing (a stage code anywhere; a charge code of the company; a resource by
    user name, without case)."""
    company_id = company_id_of(conn, company_number)
    keys: dict[str, Any] = {}
    if job_and_phase is not None:
        if not job_and_phase.strip():
            keys["phase_id"] = None
        else:
            try:
                keys["phase_id"] = phase_by_code(conn, company_number, job_and_phase)["phase_id"]
            except NotFound as exc:
                raise Invalid.field("phase_id", exc.message, "PhaseNotFound") from exc
    if stage_code is not None:
        keys["stage_id"] = conn.execute(sa.select(_stage.c.stage_id).where(
            _stage.c.stage_code == stage_code.strip())).scalar() if stage_code.strip() else None
        if stage_code.strip() and keys["stage_id"] is None:
            raise Invalid.field("stage_id", f"Stage {stage_code} was not found.", "StageNotFound")
    if charge_code is not None:
        keys["charge_code_id"] = _charge_code_id(conn, company_id, charge_code) if charge_code.strip() else None
        if charge_code.strip() and keys["charge_code_id"] is None:
            raise Invalid.field("charge_code_id", f"Charge code {company_number}/{charge_code} was not found.",
                                "ChargeCodeNotFound")
    if resource_code is not None:
        keys["staff_id"] = conn.execute(sa.select(_staff.c.staff_id).where(
            sa.func.lower(_staff.c.username) == resource_code.strip().lower())).scalar() \
            if resource_code.strip() else None
        if resource_code.strip() and keys["staff_id"] is None:
            raise Invalid.field("staff_id", f"Resource {resource_code} was not found.", "ResourceNotFound")
    return keys


def _charge_code_id(conn: Connection, company_id: str, code: str) -> str | None:
    return conn.execute(sa.select(_charge.c.charge_code_id).where(
        _charge.c.company_id == company_id, _charge.c.code == code.strip())).scalar()


# --- reading time -------------------------------------------------------------------------------------


def _time_rows(rows: list[dict[str, Any]], pending: bool) -> list[dict[str, Any]]:
    for r in rows:
        r["job_and_phase"] = f"{r['job_number']}.{r['phase_number']}"
        r["resource_name"] = _person(r["resource_first_name"], r["resource_surname"], r["resource_code"] or "")
        r["hours_total"] = round(sum(float(r[h] or 0.0) for h in HOURS), 4)
        if pending:
            r["status_description"] = PENDING_STATUSES.get(r["status"] or "", r["status"])
    return rows


def list_pending(conn: Connection, actor: Principal, filters: Sequence[query.Filter] = (), *,
                 sort: Sequence[query.Sort] = (), skip: int = 0, take: int | None = None,
                 count: bool = False) -> query.Page:
    """A page of pending entries (``PendingTimeList`` rows, as the module's documentation says),
    filtered on view columns (``company_number``, ``resource_code``, ``status``, ``time_date`` ...)."""
    page = query.run(conn, actor, "PendingTimeList", query.Query(
        filters=list(filters), sort=list(sort), skip=skip, take=take, count=count), max_take=100_000)
    _time_rows(page.rows, True)
    return page


def list_posted(conn: Connection, actor: Principal, filters: Sequence[query.Filter] = (), *,
                sort: Sequence[query.Sort] = (), skip: int = 0, take: int | None = None,
                count: bool = False) -> query.Page:
    """A page of posted entries (``PostedTimeList`` rows), as ``list_pending``."""
    page = query.run(conn, actor, "PostedTimeList", query.Query(
        filters=list(filters), sort=list(sort), skip=skip, take=take, count=count), max_take=100_000)
    _time_rows(page.rows, False)
    return page


def pending_entries(conn: Connection, actor: Principal, entry_nos: Sequence[int]) -> list[dict[str, Any]]:
    """The pending entries, in the order asked; NotFound for one that does not exist."""
    return _entries(conn, actor, entry_nos, list_pending, "Pending time entry")


def posted_entries(conn: Connection, actor: Principal, entry_nos: Sequence[int]) -> list[dict[str, Any]]:
    """The posted entries, in the order asked; NotFound for one that does not exist."""
    return _entries(conn, actor, entry_nos, list_posted, "Posted time entry")


def _entries(conn: Connection, actor: Principal, entry_nos: Sequence[int], lister: Any,
             what: str) -> list[dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    wanted = list(dict.fromkeys(entry_nos))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        for r in lister(conn, actor, [query.Filter("entry_no", query.Op.IN, chunk)]).rows:
            found[r["entry_no"]] = r
    missing = [n for n in entry_nos if n not in found]
    if missing:
        raise NotFound(f"{what} {missing[0]} was not found.", code="EntryNotFound")
    return [found[n] for n in entry_nos]


# --- writing pending time ----------------------------------------------------------------------------


def _entry_no(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        raise Invalid.field(f"{where}entry_no", f"{where}entry_no must be a whole number.", "InvalidValue")
    return value


def _checked_item(item: Any, i: int, allowed: Iterable[str]) -> dict[str, Any]:
    if not isinstance(item, Mapping):
        raise Invalid.field(f"items[{i}]", f"Item {i + 1} must be an object.", "InvalidItem")
    unknown = sorted(set(item) - set(allowed))
    if unknown:
        raise Invalid(f"Item {i + 1}: unknown field(s) {', '.join(unknown)}.", code="UnknownField")
    return dict(item)


def _batch(items: Any) -> list[Any]:
    if not isinstance(items, list | tuple) or not items:
        raise Invalid.field("items", "At least one entry is required.", "NotEmpty")
    return list(items)


def _pending_row(conn: Connection, entry_no: int) -> Any:
    row = conn.execute(sa.select(_pending).where(_pending.c.entry_no == entry_no)).first()
    if row is None:
        raise NotFound(f"Pending time entry {entry_no} was not found.", code="EntryNotFound")
    return row


def create_pending(conn: Connection, actor: Principal, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Create pending entries (dicts of PENDING_INPUTS), status W, numbered from the
    ``PendingTime`` sequence; all or none. Returns them (as ``pending_entries``)."""
    made: list[int] = []
    with conn.begin_nested():
        for i, item in enumerate(_batch(items)):
            data = _checked_item(item, i, PENDING_INPUTS)
            entry_no = int(next_number(conn, "PendingTime"))
            records.create(conn, actor, "PendingTime", {**data, NEW_KEY: entry_no})
            made.append(entry_no)
    return pending_entries(conn, actor, made)


def update_pending(conn: Connection, actor: Principal, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Change pending entries: each item names ``entry_no`` and the fields it changes (of
    PENDING_INPUTS; the others keep their values), and may carry the ``revision`` it read (Conflict
    when the entry has changed since). Only W entries change. All or none; returns them."""
    changed: list[int] = []
    with conn.begin_nested():
        for i, item in enumerate(_batch(items)):
            data = _checked_item(item, i, (*PENDING_INPUTS, "entry_no", "revision"))
            if "entry_no" not in data:
                raise Invalid.field("entry_no", f"Item {i + 1} must name the entry_no it changes.", "NotEmpty")
            entry_no = _entry_no(data.pop("entry_no"), "")
            expected = data.pop("revision", None)
            _pending_row(conn, entry_no)
            records.update(conn, actor, "PendingTime", records.int_key(entry_no), data,
                           expected_revision=None if expected is None else int(expected))
            changed.append(entry_no)
    return pending_entries(conn, actor, changed)


def delete_pending(conn: Connection, actor: Principal, entry_nos: Sequence[int]) -> list[dict[str, Any]]:
    """Delete pending entries (only W ones); all or none. Returns them as they were."""
    numbers = [_entry_no(n, "") for n in _batch(entry_nos)]
    with conn.begin_nested():
        gone = pending_entries(conn, actor, numbers)
        for entry_no in dict.fromkeys(numbers):
            records.delete(conn, actor, "PendingTime", records.int_key(entry_no))
    return gone


def copy_pending(conn: Connection, actor: Principal, entry_no: int) -> dict[str, Any]:
    """A new W entry with the entry's data (whatever its status), checked as any new entry is."""
    row = _pending_row(conn, _entry_no(entry_no, ""))
    data = {f: getattr(row, f) for f in _TIME_FIELDS if f != "company_id"}
    with conn.begin_nested():
        new_no = int(next_number(conn, "PendingTime"))
        records.create(conn, actor, "PendingTime", {**data, NEW_KEY: new_no})
    return pending_entries(conn, actor, [new_no])[0]


def _as_date(value: Any, name: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip().replace("/", "-"))
    except ValueError:
        raise Invalid.field(name, f"{name}: {value!r} is not a date (YYYY-MM-DD).", "InvalidValue") from None


def submit_pending(conn: Connection, actor: Principal, *, staff_id: str, entry_no: int | None = None,
                   date: date | str | None = None, date_from: date | str | None = None,
                   date_to: date | str | None = None) -> int:
    """Submit the resource's pending (W) entries: one entry, a day's, or a range of days'
    (inclusive); exactly one of these is given. W becomes S. Returns how many were submitted (0
    when a day or range has none); a named entry that is not the resource's is NotFound, one not W
    a Conflict."""
    chosen = [entry_no is not None, date is not None, date_from is not None or date_to is not None]
    if sum(chosen) != 1:
        raise Invalid("Give one of an entry number, a date, or a date range.", code="InvalidSelection")
    if conn.execute(sa.select(_staff.c.staff_id).where(_staff.c.staff_id == staff_id)).first() is None:
        raise NotFound(f"Resource {staff_id} was not found.", code="ResourceNotFound")
    where: list[sa.ColumnElement[bool]] = [_pending.c.staff_id == staff_id]
    if entry_no is not None:
        row = _pending_row(conn, _entry_no(entry_no, ""))
        if row.staff_id != staff_id:
            raise NotFound(f"Pending time entry {entry_no} was not found.", code="EntryNotFound")
        if row.status != WAITING:
            raise Conflict(f"Pending time entry {row.entry_no} has status {row.status}: only pending (W) entries "
                           "are submitted.", code="NotPending")
        where.append(_pending.c.entry_no == row.entry_no)
    elif date is not None:
        where.append(_pending.c.time_date == _as_date(date, "date"))
    else:
        if date_from is None or date_to is None:
            raise Invalid("A date range needs both date_from and date_to.", code="InvalidSelection")
        low, high = _as_date(date_from, "date_from"), _as_date(date_to, "date_to")
        if high < low:
            raise Invalid.field("date_to", "date_to must not be before date_from.", "InvalidRange")
        where += [_pending.c.time_date >= low, _pending.c.time_date <= high]
    numbers = list(conn.execute(sa.select(_pending.c.entry_no).where(*where, _pending.c.status == WAITING)
                                .order_by(_pending.c.entry_no)).scalars())
    with conn.begin_nested():
        for number in numbers:
            records.update(conn, actor, "PendingTime", records.int_key(number), {"status": SUBMITTED}, action=SUBMIT)
    return len(numbers)


def post_time(conn: Connection, actor: Principal, entry_nos: Sequence[int]) -> list[dict[str, Any]]:
    """Post submitted (S) or approved (A) pending entries: each becomes a posted entry (numbered
    from the ``PostedTime`` sequence, with ``pending_entry_no`` and ``posted_at``) and leaves
    pending time. All or none (a W, Q, R or H entry is a Conflict). Returns the posted entries."""
    numbers = [_entry_no(n, "") for n in _batch(entry_nos)]
    if len(set(numbers)) != len(numbers):
        raise Invalid.field("entry_nos", "An entry is listed twice.", "Duplicate")
    posted: list[int] = []
    stamp = now()
    with conn.begin_nested():
        for number in numbers:
            row = _pending_row(conn, number)
            if row.status not in (SUBMITTED, APPROVED):
                raise Conflict(f"Pending time entry {number} has status {row.status}: only submitted (S) or "
                               "approved (A) time is posted.", code="NotPostable")
            # P while it is being posted (in this transaction only): nothing else may change it meanwhile.
            records.update(conn, actor, "PendingTime", records.int_key(number), {"status": POSTING}, action=POST)
            posted_no = int(next_number(conn, "PostedTime"))
            records.create(conn, actor, "PostedTime", {
                **{f: getattr(row, f) for f in _TIME_FIELDS}, NEW_KEY: posted_no, "pending_entry_no": number,
                "approval_notes": row.approval_notes, "posted_at": stamp}, allow_system=True, action=POST)
            conn.execute(_pending.delete().where(_pending.c.entry_no == number))
            posted.append(posted_no)
    return posted_entries(conn, actor, posted)


# --- lookups --------------------------------------------------------------------------------------------


def bookable_phases(conn: Connection, company_number: int, *, staff_id: str | None = None,
                    client_code: str | None = None, job_number: str | None = None,
                    search: str | None = None) -> list[dict[str, Any]]:
    """The phases time may be booked to in the company (not closed, their job a Quote or Live),
    as ``phase_by_code``'s plus display_order (1, 2, ...), ordered by job and phase number.
    ``client_code`` (account number) and ``job_number`` narrow them; ``search`` keeps those whose job
    number, job or phase description or client name contains it (without case). Every enabled
    resource may book to every open phase: for a disabled one (``staff_id``) the list is empty."""
    company_id = company_id_of(conn, company_number)
    if staff_id is not None and not _enabled(conn, staff_id):
        return []
    where: list[sa.ColumnElement[bool]] = [
        _job.c.company_id == company_id, sa.func.coalesce(_phase.c.closed, sa.false()) == sa.false(),
        _job.c.status.in_(BOOKABLE_JOB_STATUSES)]
    if client_code:
        where.append(_debtor.c.account_no == client_code.strip())
    if job_number:
        where.append(_job.c.job_number == job_number.strip())
    if search and search.strip():
        text = search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{text}%"
        where.append(sa.or_(*(sa.func.lower(c).like(pattern, escape="\\") for c in (
            _job.c.job_number, _job.c.description, _phase.c.description, _debtor.c.name))))
    rows = conn.execute(_phase_query().where(*where).order_by(_job.c.job_number, _phase.c.phase_number)).all()
    stages = _stages_of(conn, (r.phase_id for r in rows))
    return [{**_phase_dict(r, stages.get(r.phase_id, [])), "display_order": n}
            for n, r in enumerate(rows, start=1)]


def _enabled(conn: Connection, staff_id: str) -> bool:
    return bool(conn.execute(sa.select(_staff.c.enabled).where(_staff.c.staff_id == staff_id)).scalar())


def charge_codes(conn: Connection, company_number: int, *, staff_id: str | None = None) -> list[dict[str, Any]]:
    """The company's charge codes by code: charge_code_id, company_number, code, description,
    activity_code, rate and is_default (the resource's default charge code, when ``staff_id`` is given)."""
    company_id = company_id_of(conn, company_number)
    default = conn.execute(sa.select(_staff.c.default_charge_code).where(_staff.c.staff_id == staff_id)).scalar() \
        if staff_id else None
    rows = conn.execute(sa.select(_charge).where(_charge.c.company_id == company_id).order_by(_charge.c.code))
    return [{"charge_code_id": r.charge_code_id, "company_number": company_number, "code": r.code,
             "description": r.description, "activity_code": r.activity_code, "rate": float(r.rate or 0.0),
             "is_default": default is not None and r.code == default} for r in rows]


def resources(conn: Connection, *, enabled: bool | None = True) -> list[dict[str, Any]]:
    """Staff as resources, by user name (without case): staff_id, resource_code (the user name),
    resource_name, enabled, default_charge_code. ``enabled`` True: the active ones, False: the
    inactive ones, None: all."""
    q = sa.select(_staff)
    if enabled is not None:
        flag = sa.func.coalesce(_staff.c.enabled, sa.false())
        q = q.where(flag == (sa.true() if enabled else sa.false()))
    rows = conn.execute(q.order_by(sa.func.lower(_staff.c.username), _staff.c.staff_id))
    return [{"staff_id": r.staff_id, "resource_code": r.username,
             "resource_name": _person(r.first_name, r.surname, r.username), "enabled": bool(r.enabled),
             "default_charge_code": r.default_charge_code} for r in rows]


def diary_bookings(conn: Connection, *, staff_id: str, date_from: date | str, date_to: date | str,
                   company_number: int | None = None) -> list[dict[str, Any]]:
    """The resource's diary bookings that overlap the days ``date_from`` to ``date_to`` (inclusive),
    by start: every DiaryBooking field, plus company_number, job_number, phase_number, job_and_phase,
    job_description_1st_line, phase_description_1st_line, client_code, client_name, stage_code,
    stage_description, charge_code, charge_code_description, number_of_days (calendar days from its
    start to its end), units_available (hours_per_day x number_of_days), units_allocated (the
    resource's pending hours on the booking's phase, and stage when it names one, on its days) and
    task_date_indicator (BEFORE / AFTER when it starts before or ends after its stage's, else its
    phase's, dates; "" otherwise)."""
    low, high = _as_date(date_from, "date_from"), _as_date(date_to, "date_to")
    if high < low:
        raise Invalid.field("date_to", "date_to must not be before date_from.", "InvalidRange")
    where: list[sa.ColumnElement[bool]] = [
        _diary.c.staff_id == staff_id,
        _diary.c.start_at < (datetime.combine(high + timedelta(days=1), time()) if high < date.max else datetime.max),
        _diary.c.end_at >= datetime.combine(low, time())]
    if company_number is not None:
        where.append(_diary.c.company_id == company_id_of(conn, company_number))
    q = (sa.select(_diary, _company.c.number, _job.c.job_number, _job.c.description.label("job_description"),
                   _phase.c.phase_number, _phase.c.description.label("phase_description"),
                   _phase.c.start_date.label("phase_start"), _phase.c.end_date.label("phase_end"),
                   _debtor.c.account_no, _debtor.c.name.label("client_name"), _stage.c.stage_code,
                   _stage.c.description.label("stage_description"), _stage.c.start_date.label("stage_start"),
                   _stage.c.end_date.label("stage_end"), _charge.c.code.label("charge_code"),
                   _charge.c.description.label("charge_code_description"))
         .select_from(_diary.outerjoin(_company, _company.c.company_id == _diary.c.company_id)
                      .outerjoin(_phase, _phase.c.phase_id == _diary.c.phase_id)
                      .outerjoin(_job, _job.c.job_id == _phase.c.job_id)
                      .outerjoin(_debtor, _debtor.c.debtor_id == _job.c.debtor_id)
                      .outerjoin(_stage, _stage.c.stage_id == _diary.c.stage_id)
                      .outerjoin(_charge, _charge.c.charge_code_id == _diary.c.charge_code_id))
         .where(*where).order_by(_diary.c.start_at, _diary.c.booking_id))
    found = []
    for r in conn.execute(q):
        first_day, last_day = r.start_at.date(), r.end_at.date()
        days = (last_day - first_day).days + 1
        allocated = 0.0
        if r.phase_id:
            hours = sum(_pending.c[h] for h in HOURS)
            cond = [_pending.c.staff_id == r.staff_id, _pending.c.phase_id == r.phase_id,
                    _pending.c.time_date >= first_day, _pending.c.time_date <= last_day]
            if r.stage_id:
                cond.append(_pending.c.stage_id == r.stage_id)
            allocated = float(conn.execute(sa.select(sa.func.coalesce(sa.func.sum(hours), 0.0)).where(*cond))
                              .scalar() or 0.0)
        task_start = r.stage_start if r.stage_id else r.phase_start
        task_end = r.stage_end if r.stage_id else r.phase_end
        indicator = ("BEFORE" if task_start is not None and first_day < task_start else
                     "AFTER" if task_end is not None and last_day > task_end else "")
        booking = {c.name: getattr(r, c.name) for c in _diary.c if c.name != "change_no"}
        found.append({
            **booking, "company_number": r.number, "job_number": r.job_number, "phase_number": r.phase_number,
            "job_and_phase": f"{r.job_number}.{r.phase_number}" if r.phase_id else None,
            "job_description_1st_line": first_line(r.job_description),
            "phase_description_1st_line": first_line(r.phase_description), "client_code": r.account_no,
            "client_name": r.client_name, "stage_code": r.stage_code, "stage_description": r.stage_description,
            "charge_code": r.charge_code, "charge_code_description": r.charge_code_description,
            "number_of_days": days, "units_available": round(float(r.hours_per_day or 0.0) * days, 4),
            "units_allocated": round(allocated, 4), "task_date_indicator": indicator})
    return found


# --- the rules ------------------------------------------------------------------------------------------


@rule("Job")
def job_rules(ctx: RuleContext) -> None:
    """Numbering of jobs, phases and stages; a job's company, contact and completion (see the module's text)."""
    new, old, conn = ctx.new, ctx.old, ctx.conn
    if old is not None and old.get("company_id") != new.get("company_id"):
        raise Invalid.field("company_id", "A job stays with its company.", "Immutable")
    if not new.get("job_number"):
        new["job_number"] = job_number_text(int(next_number(conn, "Job")))
    if new.get("contact_name_id"):
        owner = conn.execute(sa.select(_contact.c.debtor_id).where(
            _contact.c.contact_name_id == new["contact_name_id"])).scalar()
        if owner != new.get("debtor_id"):
            raise Invalid.field("contact_name_id", "The job's contact must be one of its client's.",
                                "ContactNotOfClient")
    if new.get("status") == COMPLETE and new.get("completed_date") is None and (
            old is None or old.get("status") != COMPLETE):
        new["completed_date"] = now().date()
    phases: list[dict[str, Any]] = new.setdefault("phases", [])
    numbers: set[str] = set()
    for i, phase in enumerate(phases):
        number = (phase.get("phase_number") or "").strip()
        if number and not re.fullmatch(r"\d{3}", number):
            raise Invalid.field(f"phases[{i}].phase_number", f"A phase number is three digits (001), not {number!r}.",
                                "InvalidPhaseNumber")
        if number in numbers:
            raise Invalid.field(f"phases[{i}].phase_number", f"The job has phase {number} twice.", "DuplicatePhase")
        if number:
            numbers.add(number)
        phase["phase_number"] = number or None
    for phase in phases:
        if not phase["phase_number"]:
            following = max((int(n) for n in numbers), default=0) + 1
            if following > 999:
                raise Invalid.field("phases", "A job has at most 999 phases.", "TooManyPhases")
            phase["phase_number"] = f"{following:03d}"
            numbers.add(phase["phase_number"])
    codes: set[str] = set()
    for i, phase in enumerate(phases):
        for j, stage in enumerate(phase.setdefault("stages", [])):
            where = f"phases[{i}].stages[{j}].stage_code"
            code = (stage.get("stage_code") or "").strip()
            if not code:
                code = f"W{int(next_number(conn, 'JobStage')):010d}"
            elif conn.execute(sa.select(_stage.c.stage_id).where(
                    _stage.c.stage_code == code, _stage.c.stage_id != stage["stage_id"])).first() is not None:
                raise Conflict(f"A stage with code {code} already exists.", code="DuplicateKey")
            if code in codes:
                raise Invalid.field(where, f"Stage code {code} is given twice.", "DuplicateStage")
            codes.add(code)
            stage["stage_code"] = code


@rule("ChargeCode")
def charge_code_rules(ctx: RuleContext) -> None:
    code = (ctx.new.get("code") or "").strip()
    if not code:
        raise Invalid.field("code", "code is required", "NotEmpty")
    ctx.new["code"] = code
    if ctx.old is not None and ctx.old.get("company_id") != ctx.new.get("company_id"):
        raise Invalid.field("company_id", "A charge code stays with its company.", "Immutable")


def _phase_for_time(conn: Connection, phase_id: str) -> Any:
    return conn.execute(_phase_query().where(_phase.c.phase_id == phase_id)).one()


def _check_time(conn: Connection, new: dict[str, Any], old: dict[str, Any] | None) -> None:
    """The create-timesheet rules (see the module's text); fills company, charge code and task spelling."""
    phase = _phase_for_time(conn, new["phase_id"])
    code = f"{phase.job_number}.{phase.phase_number}"
    new["company_id"] = phase.company_id
    if phase.closed:
        raise Invalid.field("phase_id", f"Phase {code} is closed: no time can be booked to it.", "PhaseClosed")
    if phase.job_status not in BOOKABLE_JOB_STATUSES:
        raise Invalid.field("phase_id", f"Job {phase.job_number} is {_status_name(phase.job_status)}: no time can "
                            "be booked to it.", "JobNotOpen")
    if old is None or old.get("staff_id") != new["staff_id"]:
        staff = conn.execute(sa.select(_staff.c.enabled, _staff.c.username).where(
            _staff.c.staff_id == new["staff_id"])).one()
        if not staff.enabled:
            raise Invalid.field("staff_id", f"Resource {staff.username} is disabled.", "ResourceDisabled")
    stage_id = new.get("stage_id") or None
    new["stage_id"] = stage_id
    if phase.two_tier and not stage_id:
        raise Invalid.field("stage_id", f"Phase {code} is two-tier: a stage is required.", "StageRequired")
    if stage_id and not phase.two_tier:
        raise Invalid.field("stage_id", f"Phase {code} is not two-tier: it has no stages.", "StageNotAllowed")
    if stage_id:
        stage = conn.execute(sa.select(_stage.c.phase_id, _stage.c.stage_code).where(
            _stage.c.stage_id == stage_id)).one()
        if stage.phase_id != phase.phase_id:
            raise Invalid.field("stage_id", f"Stage {stage.stage_code} is not a stage of phase {code}.",
                                "StageNotOfPhase")
    tasks = task_list(phase.task_descriptions)
    task = (new.get("task_desc") or "").strip()
    if tasks:
        if not task:
            raise Invalid.field("task_desc", f"Phase {code} has task descriptions: one is required.", "TaskRequired")
        matched = next((t for t in tasks if t.lower() == task.lower()), None)
        if matched is None:
            raise Invalid.field("task_desc", f"{task!r} is not a task description of phase {code}.",
                                "TaskNotOfPhase")
        task = matched
    new["task_desc"] = task or None
    if not new.get("charge_code_id"):
        staff = conn.execute(sa.select(_staff.c.username, _staff.c.default_charge_code).where(
            _staff.c.staff_id == new["staff_id"])).one()
        if not staff.default_charge_code:
            raise Invalid.field("charge_code_id", f"No charge code was given and resource {staff.username} has no "
                                "default charge code.", "ChargeCodeRequired")
        default = _charge_code_id(conn, phase.company_id, staff.default_charge_code)
        if default is None:
            raise Invalid.field("charge_code_id", f"The default charge code {staff.default_charge_code} of resource "
                                f"{staff.username} is not a charge code of company {phase.number}.",
                                "ChargeCodeNotFound")
        new["charge_code_id"] = default
    else:
        charge = conn.execute(sa.select(_charge.c.company_id, _charge.c.code).where(
            _charge.c.charge_code_id == new["charge_code_id"])).one()
        if charge.company_id != phase.company_id:
            raise Invalid.field("charge_code_id", f"Charge code {charge.code} is not a charge code of company "
                                f"{phase.number}.", "ChargeCodeNotOfCompany")
    for name in HOURS:
        value = new.get(name)
        new[name] = 0.0 if value is None else value
        if not 0.0 <= new[name] <= MAX_HOURS:
            raise Invalid.field(name, f"{name} must be from 0 to 24 hours.", "HoursOutOfRange")
    total = sum(new[h] for h in HOURS)
    if total > MAX_HOURS:
        raise Invalid.field("hours_normal", f"An entry's hours add up to at most 24 (these add up to {total:g}).",
                            "TooManyHours")
    for name in TIMES:
        value = new.get(name)
        new[name] = value.strip() if isinstance(value, str) and value.strip() else None
        if new[name] is not None and not _HH_MM.match(new[name]):
            raise Invalid.field(name, f"{name} must be a time of day as HH:MM, not {value!r}.", "InvalidTime")
    for start, end in zip(TIMES[::2], TIMES[1::2], strict=True):
        if new[start] and new[end] and new[end] <= new[start]:
            raise Invalid.field(end, f"{end} must be after {start}.", "InvalidTime")
    if (new.get("mat_quantity") or 0.0) < 0:
        raise Invalid.field("mat_quantity", "mat_quantity must not be negative.", "InvalidValue")


@rule("PendingTime")
def pending_rules(ctx: RuleContext) -> None:
    """The statuses of a pending entry and the create-timesheet rules (see the module's text)."""
    new, old = ctx.new, ctx.old
    if old is None:
        if ctx.action != DEMO:
            new["status"] = WAITING
    elif ctx.action not in _WORKFLOW:
        if old.get("status") != WAITING:
            raise Conflict(f"Pending time entry {old['entry_no']} has status {old.get('status')}: only pending (W) "
                           "entries may be changed.", code="NotPending")
        if new.get("status") != WAITING:
            raise Invalid.field("status", "A pending entry's status changes only by submitting or posting it.",
                                "Immutable")
    if new.get("status") not in PENDING_STATUSES:
        raise Invalid.field("status", f"A pending entry's status is one of {', '.join(PENDING_STATUSES)}.",
                            "InvalidValue")
    # The workflow moves an entry on as it is; its content is checked when it is written.
    if old is None or ctx.action not in _WORKFLOW:
        _check_time(ctx.conn, new, old)


@delete_guard("PendingTime")
def pending_delete_guard(conn: Connection, actor: Principal, doc: dict[str, Any]) -> None:
    if doc.get("status") != WAITING:
        raise Conflict(f"Pending time entry {doc['entry_no']} has status {doc.get('status')}: only pending (W) "
                       "entries may be deleted.", code="NotPending")


@rule("PostedTime")
def posted_rules(ctx: RuleContext) -> None:
    if ctx.action not in (POST, DEMO):
        raise Conflict("Posted time is written only by posting pending time.", code="PostedTime")
    ctx.new["company_id"] = _phase_for_time(ctx.conn, ctx.new["phase_id"]).company_id


@delete_guard("PostedTime")
def posted_delete_guard(conn: Connection, actor: Principal, doc: dict[str, Any]) -> None:
    raise Conflict(f"Posted time entry {doc['entry_no']} cannot be deleted.", code="PostedTime")


@rule("DiaryBooking")
def diary_rules(ctx: RuleContext) -> None:
    """A booking's company is its phase's; its stage is its phase's; it ends after it starts."""
    new, conn = ctx.new, ctx.conn
    if new.get("phase_id"):
        phase = _phase_for_time(conn, new["phase_id"])
        if new.get("company_id") and new["company_id"] != phase.company_id:
            raise Invalid.field("company_id", "A booking to a job phase is in the job's company.", "CompanyNotOfPhase")
        new["company_id"] = phase.company_id
        if new.get("stage_id") and conn.execute(sa.select(_stage.c.phase_id).where(
                _stage.c.stage_id == new["stage_id"])).scalar() != phase.phase_id:
            raise Invalid.field("stage_id", f"The stage is not a stage of phase {phase.job_number}."
                                f"{phase.phase_number}.", "StageNotOfPhase")
    elif new.get("stage_id"):
        raise Invalid.field("stage_id", "A booking names a stage only with its phase.", "StageNotAllowed")
    if not new.get("company_id"):
        raise Invalid.field("company_id", "A booking without a job phase names its company.", "NotEmpty")
    if new["end_at"] < new["start_at"]:
        raise Invalid.field("end_at", "A booking ends after it starts.", "InvalidRange")
    if not 0.0 <= float(new.get("hours_per_day") or 0.0) <= MAX_HOURS:
        raise Invalid.field("hours_per_day", "hours_per_day must be from 0 to 24 hours.", "HoursOutOfRange")
    colour = new.get("colour_hex")
    if colour and not re.fullmatch(r"#[0-9A-Fa-f]{6}", colour):
        raise Invalid.field("colour_hex", f"colour_hex is #RRGGBB, not {colour!r}.", "InvalidValue")
