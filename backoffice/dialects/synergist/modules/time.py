"""Time: pending time entries (``tspending.json``, and ``timesheets.json`` as v3.0/3.1 had it), posted
time (``time.json``) and the lookups a time entry is checked against (phases, charge codes,
resources). Entries are the core's ``PendingTime`` / ``PostedTime``; the core checks every rule.

An entry's codes arrive company-prefixed (``1/00000510.001``, ``1/ART``, ``1/Admin``); without a
resource the entry is the acting user's. The ``input`` rows of one call are written all or none.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from ....core import errors, timesheets
from ....core import query as q
from ....core.auth import allowed
from ..auth import ACT_ON_BEHALF
from ..host import (
    BAD_INPUT,
    BAD_MODEL,
    BAD_PARAMETER,
    CHANGED,
    INVALID_DATA,
    NOT_FOUND,
    ON_BEHALF_REFUSED,
    Call,
    Result,
    SynergistError,
    action,
)
from ..job_shapes import (
    PENDING_SORTS,
    POSTED_LIST,
    POSTED_SORTS,
    TIMESHEETS_LIST,
    TS_CHARGE_CODES,
    TS_COMPANIES,
    TS_PHASES,
    TS_RESOURCES,
    TSPENDING_DETAILS,
    TSPENDING_KEYS,
    TSPENDING_LIST,
)
from ..shapes import Model, as_uuid, wire_uuid
from .clients import split_code
from .general import static_page

_HH_MM = re.compile(r"^(\d{2}):(\d{2})(?::00)?$")


# --- the two spellings of an entry ----------------------------------------------------------

class Spelling:
    """How one API generation names an entry's fields (``tspJobAndPhase`` or ``tspending_jobandphase``)."""

    def __init__(self, *, codes: Mapping[str, str], values: Mapping[str, str], numbers: tuple[str, ...],
                 times: tuple[str, ...], date_field: str, date_format: str, entry: str, version: str | None,
                 username: str | None = None) -> None:
        self.codes, self.values, self.numbers, self.times = codes, values, numbers, times
        self.date_field, self.date_format, self.entry, self.version = date_field, date_format, entry, version
        self.username = username

    @property
    def hours(self) -> str:
        """The normal hours' field, which a new entry must give (the reference marks it required)."""
        return self.numbers[0]

    @property
    def writable(self) -> set[str]:
        names = {*self.codes, *self.values, self.date_field}
        return names | ({self.username} if self.username else set())

    def core_name(self, wire: str) -> str:
        if wire in self.codes:
            return self.codes[wire]
        return {**self.values, self.date_field: "time_date"}.get(wire, wire)


NEW_STYLE = Spelling(
    codes={"tspJobAndPhase": "phase", "tspStageCode": "stage", "tspChargeCode": "charge",
           "tspResourceCode": "resource"},
    values={"tspHoursNormal": "hours_normal", "tspHoursOtime1": "hours_otime1", "tspHoursOtime2": "hours_otime2",
            "tspMaterialCode": "material_code", "tspMatQuantity": "mat_quantity", "tspTaskDescription": "task_desc",
            "tspWorkDone": "work_done", "tspApprovalNotesReSubmit": "approval_notes_resubmit",
            "tspStartTimeNormal": "start_time_normal", "tspEndTimeNormal": "end_time_normal",
            "tspStartTimeOT1": "start_time_ot1", "tspEndTimeOT1": "end_time_ot1",
            "tspStartTimeOT2": "start_time_ot2", "tspEndTimeOT2": "end_time_ot2"},
    numbers=("tspHoursNormal", "tspHoursOtime1", "tspHoursOtime2", "tspMatQuantity"),
    times=("tspStartTimeNormal", "tspEndTimeNormal", "tspStartTimeOT1", "tspEndTimeOT1", "tspStartTimeOT2",
           "tspEndTimeOT2"),
    date_field="tspTimeDate", date_format="%Y-%m-%d", entry="tspEntryNo", version="tspRecordVersionNumber")
OLD_STYLE = Spelling(
    codes={"tspending_jobandphase": "phase", "tspending_workflowcode": "stage", "tspending_chargecode": "charge",
           "tspending_resourcecode": "resource"},
    values={"tspending_hoursnormal": "hours_normal", "tspending_hoursotime1": "hours_otime1",
            "tspending_hoursotime2": "hours_otime2", "tspending_materialcode": "material_code",
            "tspending_matquantity": "mat_quantity", "tspending_taskdesc": "task_desc",
            "tspending_workdone": "work_done"},
    numbers=("tspending_hoursnormal", "tspending_hoursotime1", "tspending_hoursotime2", "tspending_matquantity"),
    times=(), date_field="tspending_timedate", date_format="%d/%m/%Y", entry="tspending_entryno", version=None,
    username="variable_timesheetpendingusername")


def _bad(i: int, name: str, why: str) -> SynergistError:
    return SynergistError(BAD_INPUT, f"invalid input: data[{i}].{name} {why}")


def _code(call: Call, value: Any, i: int, name: str) -> tuple[int, str]:
    if not isinstance(value, str) or not value.strip():
        raise _bad(i, name, "must be a code")
    number, rest = split_code(call, value)
    call.company_by_number(number)
    return number, rest


def _entry(call: Call, row: Mapping[str, Any], spelling: Spelling, i: int, *, creating: bool) -> dict[str, Any]:
    """One input row as the core's pending-time fields (codes resolved to the records they name)."""
    for name in row:
        if name not in spelling.writable and name not in (spelling.entry, spelling.version, "tspending_uuid"):
            raise _bad(i, name, "is not a field that can be written")
    out: dict[str, Any] = {}
    codes: dict[str, str] = {}
    companies: set[int] = set()
    for wire, kind in spelling.codes.items():
        if wire in row and row[wire] not in (None, ""):
            number, codes[kind] = _code(call, row[wire], i, wire)
            companies.add(number)
        elif wire in row and kind == "stage":
            out["stage_id"] = None  # an empty stage clears it
    if len(companies) > 1:
        raise _bad(i, "codes", "name different companies: an entry's codes are all of its job's company")
    company = companies.pop() if companies else call.company.number
    if spelling.username and row.get(spelling.username):
        codes["resource"] = str(row[spelling.username]).strip()
    if creating and "resource" not in codes:
        codes["resource"] = call.principal.username  # the acting user's own time
    resolved = timesheets.resolve_codes(call.conn, company, job_and_phase=codes.get("phase"),
                                        stage_code=codes.get("stage"), charge_code=codes.get("charge"),
                                        resource_code=codes.get("resource"))
    for kind, field in (("phase", "phase_id"), ("stage", "stage_id"), ("charge", "charge_code_id"),
                        ("resource", "staff_id")):
        if kind in codes:
            out[field] = resolved[field]
    for wire, field in spelling.values.items():
        if wire not in row:
            continue
        value = row[wire]
        if wire in spelling.numbers:
            out[field] = _number(value, i, wire)
        elif wire in spelling.times:
            out[field] = _time(value, i, wire)
        else:
            if value is not None and not isinstance(value, str | int | float):
                raise _bad(i, wire, "must be text")
            out[field] = None if value is None else str(value)
    if spelling.date_field in row:
        out["time_date"] = _date(row[spelling.date_field], spelling.date_format, i, spelling.date_field)
    return out


def _number(value: Any, i: int, name: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise _bad(i, name, "must be a number") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(i, name, "must be a number")
    try:
        number = float(value)
    except OverflowError:  # a 400-digit integer
        raise _bad(i, name, "must be a number") from None
    if not math.isfinite(number):
        raise _bad(i, name, "must be a number")
    return number


def _time(value: Any, i: int, name: str) -> str | None:
    if value in (None, "", "00:00:00"):
        return None
    match = _HH_MM.match(str(value).strip())
    if match is None:
        raise _bad(i, name, "must be a time (HH:MM)")
    return f"{match.group(1)}:{match.group(2)}"


def _date(value: Any, pattern: str, i: int, name: str) -> date:
    shown = "YYYY-MM-DD" if pattern == "%Y-%m-%d" else "DD/MM/YYYY"
    if not isinstance(value, str):
        raise _bad(i, name, f"must be a date ({shown})")
    try:
        return datetime.strptime(value.strip(), pattern).date()
    except ValueError:
        raise _bad(i, name, f"must be a date ({shown})") from None


def _entry_no(call: Call, row: Mapping[str, Any], spelling: Spelling, i: int) -> int:
    value = row.get(spelling.entry)
    if value is None and row.get("tspending_uuid"):
        return _entry_by_uuid(call, str(row["tspending_uuid"]), i)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise _bad(i, spelling.entry, "is mandatory (a whole number)")
    return value


def _entry_by_uuid(call: Call, text: str, i: int) -> int:
    """The entry a ``tspending_uuid`` names. Uuids are derived from entry numbers, not stored, so the
    company's pending (W) entries, the only ones that may change, are searched."""
    wanted = text.strip().upper()
    page = q.run(call.conn, call.principal, TSPENDING_LIST.view,
                 q.Query(filters=[*_company_filter(call), q.Filter("status", q.Op.EQUAL, "W")]), max_take=2**31 - 1)
    for row in page.rows:
        if wire_uuid("PendingTime", str(row["entry_no"])) == wanted:
            return int(row["entry_no"])
    raise _bad(i, "tspending_uuid", f"{text} is not a pending entry of company {call.company.number}")


# Core field names a refusal may hold -> the names the caller sent.
_WIRE_NAMES = {
    NEW_STYLE: {"phase_id": "tspJobAndPhase", "stage_id": "tspStageCode", "charge_code_id": "tspChargeCode",
                "staff_id": "tspResourceCode", "time_date": "tspTimeDate", "entry_no": "tspEntryNo",
                **{core: wire for wire, core in NEW_STYLE.values.items()}},
    OLD_STYLE: {"phase_id": "tspending_jobandphase", "stage_id": "tspending_workflowcode",
                "charge_code_id": "tspending_chargecode", "staff_id": "tspending_resourcecode",
                "time_date": "tspending_timedate", "entry_no": "tspending_entryno",
                **{core: wire for wire, core in OLD_STYLE.values.items()}},
}


def _wire_message(message: str, spelling: Spelling) -> str:
    names = _WIRE_NAMES[spelling]
    return re.sub(r"\b(" + "|".join(sorted(names, key=len, reverse=True)) + r")\b", lambda m: names[m.group(1)],
                  message)


def _write(call: Call, spelling: Spelling, work: Callable[[], Any]) -> Any:
    """A core write; its refusals in the caller's names (the call's transaction undoes the rest)."""
    try:
        return work()
    except errors.NotFound as exc:
        raise SynergistError(NOT_FOUND, _wire_message(exc.message, spelling)) from None
    except errors.Conflict as exc:
        raise SynergistError(CHANGED, _wire_message(exc.message, spelling)) from None
    except errors.Invalid as exc:
        raise SynergistError(INVALID_DATA, _wire_message(exc.message, spelling)) from None


def _pending_page(call: Call, model: Model, entry_nos: list[int]) -> Result:
    page = q.run(call.conn, call.principal, model.view,
                 q.Query(filters=[q.Filter("entry_no", q.Op.IN, entry_nos)]), max_take=max(len(entry_nos), 1))
    by_no = {r["entry_no"]: r for r in page.rows}
    return Result(model.render([by_no[n] for n in entry_nos if n in by_no], call), model=model)


def _create(call: Call, spelling: Spelling) -> Result:
    rows = call.input_rows()
    for i, row in enumerate(rows):
        if row.get(spelling.hours) in (None, ""):
            raise _bad(i, spelling.hours, "is mandatory")
    items = [_entry(call, row, spelling, i, creating=True) for i, row in enumerate(rows)]
    for item in items:
        _may_book_for(call, item["staff_id"])
    made = _write(call, spelling, lambda: timesheets.create_pending(call.conn, call.principal, items))
    answer = _pending_page(call, TSPENDING_LIST, [m["entry_no"] for m in made])
    # The vendor's create answer carries the paging keys (totalrows 1, pagerows 0).
    answer.total_rows, answer.message = len(answer.rows), "data processed successfully."
    return answer


def _may_book_for(call: Call, staff_id: str) -> None:
    """Time is the acting user's own; another resource's needs the permission to act on behalf
    (as ``username=`` does)."""
    if staff_id != call.principal.staff_id and not allowed(call.login, ACT_ON_BEHALF):
        raise SynergistError(ON_BEHALF_REFUSED, "not permitted to act on behalf of another user")


def _owners_checked(call: Call, entry_nos: list[int]) -> None:
    """Each entry, and the resource it would move to, is one the caller may book for."""
    for entry in timesheets.pending_entries(call.conn, call.principal, entry_nos):
        _may_book_for(call, entry["staff_id"])


def _update(call: Call, spelling: Spelling) -> Result:
    items = []
    for i, row in enumerate(call.input_rows()):
        item = _entry(call, row, spelling, i, creating=False)
        item["entry_no"] = _entry_no(call, row, spelling, i)
        if spelling.version and row.get(spelling.version) is not None:
            version = row[spelling.version]
            if isinstance(version, bool) or not isinstance(version, int):
                raise _bad(i, spelling.version, "must be a whole number")
            item["revision"] = version
        items.append(item)
    _owners_checked(call, [item["entry_no"] for item in items])
    for item in items:
        if "staff_id" in item:
            _may_book_for(call, item["staff_id"])
    changed = _write(call, spelling, lambda: timesheets.update_pending(call.conn, call.principal, items))
    answer = _pending_page(call, TSPENDING_LIST, [c["entry_no"] for c in changed])
    answer.total_rows, answer.message = len(answer.rows), "data processed successfully."
    return answer


def _delete(call: Call, spelling: Spelling) -> Result:
    numbers = [_entry_no(call, row, spelling, i) for i, row in enumerate(call.input_rows())]
    for i, row in enumerate(call.input_rows()):
        extra = set(row) - {spelling.entry, "tspending_uuid"}
        if extra:
            raise _bad(i, sorted(extra)[0], "is not a field a delete takes")
    _owners_checked(call, numbers)
    gone = _write(call, spelling, lambda: timesheets.delete_pending(call.conn, call.principal, numbers))
    rows = [{"tspEntryNo": g["entry_no"], "tspUuid": wire_uuid("PendingTime", str(g["entry_no"]))} for g in gone]
    return Result(rows, message="data processed successfully.", model=TSPENDING_KEYS)


def _submit(call: Call) -> Result:
    """W -> S for the acting user's entries: ``input`` (an entry number), ``date``, or ``datefrom``+``dateto``
    (YYYY/MM/DD or YYYY-MM-DD)."""
    entry = call.param("input").strip()
    day, low, high = (call.param(n).strip() for n in ("date", "datefrom", "dateto"))
    chosen = [bool(entry), bool(day), bool(low or high)]
    if sum(chosen) != 1 or (bool(low) != bool(high)):
        raise SynergistError(BAD_PARAMETER, "give one of input (an entry number), date, or datefrom and dateto")
    if entry and (not (entry.isascii() and entry.isdigit()) or len(entry) > 9):
        raise SynergistError(BAD_PARAMETER, f"invalid input {entry}: an entry number")
    count = _write(call, NEW_STYLE, lambda: timesheets.submit_pending(
        call.conn, call.principal, staff_id=call.principal.staff_id, entry_no=int(entry) if entry else None,
        date=day or None, date_from=low or None, date_to=high or None))
    return Result([], message="TS pending record(s) submitted" if count else "no TS pending records to submit")


def _resource_filter(call: Call) -> list[q.Filter]:
    code = call.param("resource").strip()
    if not code:
        return []
    number, user = split_code(call, code)
    call.company_by_number(number)
    return [q.Filter("staff_id__username", q.Op.EQUAL, user)]


def _date_filters(call: Call, column: str) -> list[q.Filter]:
    filters = []
    for name, op in (("datefrom", q.Op.GREATER_OR_EQUAL), ("dateto", q.Op.LESS_OR_EQUAL)):
        text = call.param(name).strip()
        if text:
            try:
                filters.append(q.Filter(column, op, date.fromisoformat(text.replace("/", "-"))))
            except ValueError:
                raise SynergistError(BAD_PARAMETER, f"invalid {name} {text}: YYYY-MM-DD") from None
    return filters


def _company_filter(call: Call) -> list[q.Filter]:
    return [q.Filter("company_id", q.Op.EQUAL, call.company.company_id)]


# --- tspending.json --------------------------------------------------------------------------

TSPENDING_MODELS = {m.name: m for m in (TSPENDING_LIST, TSPENDING_DETAILS)}


@action("tspending", model="tspendingslist")
def tspending(call: Call) -> Result:
    """Pending entries: ``tspending=<entry no>`` one (details), else a list: ``status`` (W / S / A / Q / R / H),
    ``resource``, ``datefrom``/``dateto``, ``sort``, paged."""
    filters = _company_filter(call)
    default = TSPENDING_LIST
    entry = call.param("tspending").strip()
    if entry:
        if not (entry.isascii() and entry.isdigit()) or len(entry) > 9:
            raise SynergistError(BAD_PARAMETER, f"invalid tspending {entry}")
        filters.append(q.Filter("entry_no", q.Op.EQUAL, int(entry)))
        default = TSPENDING_DETAILS
    status = call.param("status").strip().upper()
    if status:
        if status not in ("W", "S", "A", "Q", "R", "H", "P"):
            raise SynergistError(BAD_PARAMETER, f"invalid status {status}")
        filters.append(q.Filter("status", q.Op.EQUAL, status))
    filters += _resource_filter(call) + _date_filters(call, "time_date")
    model = TSPENDING_MODELS.get(call.modelstructure) if call.modelstructure else default
    if model is None:
        raise SynergistError(BAD_MODEL, f"invalid modelstructure {call.param('modelstructure')}")
    result = call.page_of(model, filters=filters, sort=call.sort_from(PENDING_SORTS))
    if entry and not result.rows and call.page == 0:
        raise SynergistError(NOT_FOUND, f"tspending {entry} not found")
    return result


@action("tspending", "create", write=True, model="tspendingslist")
def tspending_create(call: Call) -> Result:
    return _create(call, NEW_STYLE)


@action("tspending", "update", write=True, model="tspendingslist")
def tspending_update(call: Call) -> Result:
    return _update(call, NEW_STYLE)


@action("tspending", "delete", write=True, model="tspendingkeys")
def tspending_delete(call: Call) -> Result:
    return _delete(call, NEW_STYLE)


@action("tspending", "pendingcopy", write=True, model="tspendingkeys")
def tspending_copy(call: Call) -> Result:
    entry = call.param("tspending").strip()
    if not (entry.isascii() and entry.isdigit()) or len(entry) > 9:
        raise SynergistError(BAD_PARAMETER, "tspending (an entry number) is mandatory")
    _owners_checked(call, [int(entry)])
    made = _write(call, NEW_STYLE, lambda: timesheets.copy_pending(call.conn, call.principal, int(entry)))
    rows = [{"tspEntryNo": made["entry_no"], "tspUuid": wire_uuid("PendingTime", str(made["entry_no"]))}]
    return Result(rows, message=f"TS pending {entry} record copied to {made['entry_no']}", model=TSPENDING_KEYS)


@action("tspending", "pendingsubmit", write=True)
def tspending_submit(call: Call) -> Result:
    return _submit(call)


# --- timesheets.json (v3.0 / 3.1) ------------------------------------------------------------

@action("timesheets", model="timesheetspendinglist")
def timesheets_list(call: Call) -> Result:
    """Pending entries changed between ``timestampfrom`` and ``timestampto`` (Unix seconds), paged."""
    filters = _company_filter(call)
    for name, op in (("timestampfrom", q.Op.GREATER_OR_EQUAL), ("timestampto", q.Op.LESS_OR_EQUAL)):
        text = call.param(name).strip()
        if text:
            if not (text.isascii() and text.isdigit()) or int(text) > 253402300799:
                raise SynergistError(BAD_PARAMETER, f"invalid {name} {text}: Unix seconds")
            moment = datetime.fromtimestamp(int(text), UTC).replace(tzinfo=None)
            filters.append(q.Filter("last_saved", op, moment))
    return call.page_of(TIMESHEETS_LIST, filters=filters, sort=call.sort_from(PENDING_SORTS))


@action("timesheets", "create", write=True, model="tspendingslist")
def timesheets_create(call: Call) -> Result:
    return _create(call, OLD_STYLE)


@action("timesheets", "update", write=True, model="tspendingslist")
def timesheets_update(call: Call) -> Result:
    return _update(call, OLD_STYLE)


@action("timesheets", "delete", write=True, model="tspendingkeys")
def timesheets_delete(call: Call) -> Result:
    return _delete(call, OLD_STYLE)


@action("timesheets", "pendingsubmit", write=True)
def timesheets_submit(call: Call) -> Result:
    return _submit(call)


@action("timesheets", "companylist", model="tscompanylist")
def company_list(call: Call) -> Result:
    rows = [{"control_uuid": as_uuid("Company")(c.company_id, {}, call), "control_number": c.number,
             "control_ourname": c.name} for c in call.companies]
    return static_page(call, TS_COMPANIES, rows)


def resource_of(call: Call, required: bool = True) -> str | None:
    """The staff id of ``resource=`` (a code or a user name), else the acting user's."""
    code = call.param("resource").strip()
    if not code:
        if required:
            raise SynergistError(BAD_PARAMETER, "resource is mandatory")
        return call.principal.staff_id
    number, user = split_code(call, code)
    found = next((r for r in timesheets.resources(call.conn, enabled=None) if r["resource_code"].lower()
                  == user.lower()), None)
    if found is None:
        raise SynergistError(NOT_FOUND, f"resource {code} not found")
    return str(found["staff_id"])


@action("timesheets", "phaseslist", model="phaseslist")
def phases_list(call: Call) -> Result:
    """The phases the resource may book time to: ``client``, ``job``, ``search`` narrow them."""
    staff_id = resource_of(call)
    client = call.param("client").strip()
    job = call.param("job").strip()
    phases = timesheets.bookable_phases(
        call.conn, call.company.number, staff_id=staff_id, client_code=split_code(call, client)[1] if client else None,
        job_number=split_code(call, job)[1] if job else None, search=call.param("search").strip() or None)
    number = call.company.number
    rows = [{"jobphase_uuid": wire_uuid("JobPhase", p["phase_id"]), "jobphase_displayorder": p["display_order"],
             "jobphase_jobandphase": f"{number}/{p['job_and_phase']}", "jobphase_phase": p["phase_number"],
             "variable_phasedescription1stline__jobphase_jobandphase": p["description_1st_line"],
             "variable_jobnumber__jobphase_jobnumber": f"{number}/{p['job_number']}",
             "variable_jobdescription1stline__jobphase_jobnumber": p["job_description_1st_line"]} for p in phases]
    return static_page(call, TS_PHASES, rows)


@action("timesheets", "chargecodelist", model="chargecodelist")
def charge_code_list(call: Call) -> Result:
    staff_id = resource_of(call)
    codes = timesheets.charge_codes(call.conn, call.company.number, staff_id=staff_id)
    activity = call.param("activitytype").strip()
    number = call.company.number
    rows = [{"chargecodes_uuid": wire_uuid("ChargeCode", c["charge_code_id"]),
             "chargecodes_activitycode": c["activity_code"] or "", "chargecodes_chargecode": f"{number}/{c['code']}",
             "array_chargecodeuserdefault__chargecodes_chargecode": c["is_default"],
             "chargecodes_description": c["description"] or ""}
            for c in codes if not activity or (c["activity_code"] or "").lower() == activity.lower()]
    return static_page(call, TS_CHARGE_CODES, rows)


@action("timesheets", "resourcelist", model="resourcelist")
def resource_list(call: Call) -> Result:
    """Resources: ``userid=allactive`` (the default) or ``allinactive``."""
    which = (call.param("userid").strip() or "allactive").lower()
    if which not in ("allactive", "allinactive"):
        raise SynergistError(BAD_PARAMETER, f"invalid userid {call.param('userid')}: allactive or allinactive")
    number = call.company.number
    rows = [{"resources_uuid": wire_uuid("Staff", r["staff_id"]),
             "resources_resourcecode": f"{number}/{r['resource_code']}", "resources_resourcename": r["resource_name"]}
            for r in timesheets.resources(call.conn, enabled=which == "allactive")]
    return static_page(call, TS_RESOURCES, rows)


# --- time.json (posted time) -----------------------------------------------------------------

@action("time", model="timesheetslist")
def posted_time(call: Call) -> Result:
    """Posted time: ``resource``, ``job``, ``datefrom``/``dateto``, ``sort``, paged (CSV too)."""
    if call.modelstructure and call.modelstructure != POSTED_LIST.name:
        raise SynergistError(BAD_MODEL, f"invalid modelstructure {call.param('modelstructure')}")
    filters = _company_filter(call) + _resource_filter(call) + _date_filters(call, "time_date")
    job = call.param("job").strip()
    if job:
        filters.append(q.Filter("phase_id__job_id__job_number", q.Op.EQUAL, split_code(call, job)[1]))
    return call.page_of(POSTED_LIST, filters=filters, sort=call.sort_from(POSTED_SORTS))
