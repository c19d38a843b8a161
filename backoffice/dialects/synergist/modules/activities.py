"""activities.json: the core's CRM activities (the ones Galaxy lists), read and written.

``create`` and ``update`` take ``input={"data":[{...}, ...]}``; every row is checked and written in
the call's one transaction, so an input with a bad row writes nothing. Fields a row may carry:
``activityActivitytypeCode`` (an activity type's code), ``activityClientCode`` (``1/C00001``), both
mandatory on create; ``activitySubject`` (default: the first line of the details, else the type's
description), ``activityDetails``, ``activityStartDate`` (``YYYY-MM-DD``), ``activityStartTime``
(``HH:MM[:SS]``), ``activityDueDate``, ``activityStatus`` (0 open, 1 in progress, 2 completed, or
those names), ``activityOwnerID`` (a user name), ``activityContactInternalRef`` (a contact number of
the client), ``activityCompanyNumber`` (checked to be a company; activities are not per company).
``update`` names the activity by ``activityID`` and may send ``activityRecordVersionNumber``: when it
is not the activity's current version the update is refused (404508) and nothing is written.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from ....core import errors, records
from ....core import query as q
from ....core.store.tables import ENTITY_TABLES
from ..host import (
    BAD_INPUT,
    BAD_MODEL,
    BAD_PARAMETER,
    CHANGED,
    INVALID_DATA,
    NOT_FOUND,
    Call,
    Result,
    SynergistError,
    action,
)
from ..shapes import ACTIVITY_DETAILS, ACTIVITY_LIST, ACTIVITY_SORTS, ACTIVITY_WRITTEN
from .clients import client_list, find_client
from .general import stored_view, view_list

ACTIVITY_MODELS = {m.name: m for m in (ACTIVITY_LIST, ACTIVITY_DETAILS)}
TEXT_FIELDS = {"activitySubject": "subject", "activityDetails": "description"}
WRITABLE = {"activityActivitytypeCode", "activityClientCode", "activitySubject", "activityDetails",
            "activityStartDate", "activityStartTime", "activityDueDate", "activityStatus", "activityOwnerID",
            "activityContactInternalRef", "activityCompanyNumber"}
IDENTITY = {"activityID", "activityRecordVersionNumber"}


def _date_param(call: Call, name: str) -> date | None:
    text = call.param(name).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SynergistError(BAD_PARAMETER, f"invalid {name} {text}") from None


@action("activities", model="activitylist")
def activities(call: Call) -> Result:
    """``activityid=`` one activity (details model by default); else the list: ``view``, ``sort``,
    ``client``, ``datefrom``/``dateto`` (start date, inclusive), paged."""
    filters: list[q.Filter] = []
    default = ACTIVITY_LIST
    wanted = call.param("activityid").strip()
    if wanted:
        if not (wanted.isascii() and wanted.isdigit()) or int(wanted) > 2**31 - 1:
            raise SynergistError(BAD_PARAMETER, f"invalid activityid {wanted}")
        filters.append(q.Filter("activity_number", q.Op.EQUAL, int(wanted)))
        default = ACTIVITY_DETAILS
    model = ACTIVITY_MODELS.get(call.modelstructure) if call.modelstructure else default
    if model is None:
        raise SynergistError(BAD_MODEL, f"invalid modelstructure {call.param('modelstructure')}")
    view = stored_view(call, "activities")
    if view is not None:
        filters += view.query_filters(call)
    client = call.param("client").strip()
    if client:
        filters.append(q.Filter("debtor_id", q.Op.EQUAL, find_client(call, client)["debtor_id"]))
    start, end = _date_param(call, "datefrom"), _date_param(call, "dateto")
    if start:
        filters.append(q.Filter("start_date", q.Op.GREATER_OR_EQUAL, datetime.combine(start, time())))
    if end:
        # The day's end; the calendar's last day has no day after it.
        until = datetime.combine(end + timedelta(days=1), time()) if end < date.max else datetime.max
        filters.append(q.Filter("start_date", q.Op.LESS, until))
    result = call.page_of(model, filters=filters, sort=call.sort_from(ACTIVITY_SORTS))
    if wanted and not result.rows and call.page == 0:
        raise SynergistError(NOT_FOUND, f"activity {wanted} not found")
    return result


@action("activities", "clientslist", model="clientslist")
def activity_clients(call: Call) -> Result:
    """The clients a new activity may be for (the client list, with the clients' views)."""
    return client_list(call)


@action("activities", "viewlist", model="viewlist")
def activity_views(call: Call) -> Result:
    return view_list(call, "activities")


@action("activities", "create", write=True, model="activitydetails")
def create(call: Call) -> Result:
    written = []
    for i, row in enumerate(call.input_rows()):
        _check_fields(row, i, WRITABLE)
        for name in ("activityActivitytypeCode", "activityClientCode"):
            if row.get(name) in (None, ""):
                raise SynergistError(BAD_INPUT, f"invalid input: data[{i}].{name} is mandatory")
        doc = _document(call, row, i, None)
        if not doc.get("subject"):
            details = str(doc.get("description") or "").strip()
            doc["subject"] = details.splitlines()[0][:200] if details else _type_description(call, doc)
        written.append(_core(i, lambda d=doc: records.create(call.conn, call.principal, "Activity", d)))
    return _answer(call, written)


@action("activities", "update", write=True, model="activitydetails")
def update(call: Call) -> Result:
    written = []
    for i, row in enumerate(call.input_rows()):
        _check_fields(row, i, WRITABLE | IDENTITY)
        number = _whole(row, i, "activityID", required=True)
        activity = ENTITY_TABLES["Activity"]
        found = call.conn.execute(sa.select(activity.c.activity_id, activity.c.revision)
                                  .where(activity.c.activity_number == number)).first()
        if found is None:
            raise SynergistError(NOT_FOUND, f"activity {number} not found")
        expected = _whole(row, i, "activityRecordVersionNumber", required=False)
        if expected is not None and expected != found.revision:
            raise SynergistError(CHANGED, f"activity {number} has been changed: activityRecordVersionNumber is "
                                          f"{found.revision}, not {expected}")
        existing = records.get(call.conn, call.principal, "Activity", found.activity_id)
        doc = _document(call, row, i, existing)
        written.append(_core(i, lambda key=found.activity_id, d=doc, rev=found.revision: records.update(
            call.conn, call.principal, "Activity", key, d, expected_revision=rev)))
    return _answer(call, written)


def _answer(call: Call, written: list[dict[str, Any]]) -> Result:
    keys = [w["activity_id"] for w in written]
    page = q.run(call.conn, call.principal, ACTIVITY_WRITTEN.view,
                 q.Query(filters=[q.Filter("activity_id", q.Op.IN, keys)]), max_take=len(keys))
    by_key = {r["activity_id"]: r for r in page.rows}
    rows = ACTIVITY_WRITTEN.render([by_key[k] for k in keys], call)
    return Result(rows, message="data processed successfully.", model=ACTIVITY_WRITTEN)


def _core(i: int, write: Any) -> dict[str, Any]:
    """A core write; its refusals name the row (what was written before is rolled back with the call)."""
    try:
        result: dict[str, Any] = write()
        return result
    except errors.Invalid as exc:
        raise SynergistError(INVALID_DATA, f"data[{i}]: {_wire_names(exc.message)}") from None
    except errors.Conflict as exc:
        raise SynergistError(CHANGED, f"data[{i}]: {exc.message}") from None


def _wire_names(message: str) -> str:
    for wire, core in (*TEXT_FIELDS.items(), ("activityStatus", "status"), ("activityStartDate", "start_date"),
                       ("activityDueDate", "due_date")):
        message = message.replace(core, wire)
    return message


def _check_fields(row: dict[str, Any], i: int, allowed: set[str]) -> None:
    for name in row:
        if name not in allowed:
            raise SynergistError(BAD_INPUT, f"invalid input: data[{i}].{name} is not a field that can be written")


def _text(row: dict[str, Any], i: int, name: str) -> str | None:
    value = row.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise SynergistError(BAD_INPUT, f"invalid input: data[{i}].{name} must be text")
    return value


def _whole(row: dict[str, Any], i: int, name: str, *, required: bool) -> int | None:
    value = row.get(name)
    if value is None:
        if required:
            raise SynergistError(BAD_INPUT, f"invalid input: data[{i}].{name} is mandatory")
        return None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 2**31 - 1:
        raise SynergistError(BAD_INPUT, f"invalid input: data[{i}].{name} must be a whole number")
    return value


def _document(call: Call, row: dict[str, Any], i: int, existing: dict[str, Any] | None) -> dict[str, Any]:
    """The core changes a row asks for (wire names checked and turned into catalog fields)."""
    doc: dict[str, Any] = {}
    conn = call.conn
    for wire, core in TEXT_FIELDS.items():
        if wire in row:
            doc[core] = _text(row, i, wire) or ""
    code = _text(row, i, "activityActivitytypeCode")
    if code:
        kind = ENTITY_TABLES["ActivityType"]
        found = conn.execute(sa.select(kind.c.activity_type_id).where(kind.c.code == code.strip())).first()
        if found is None:
            raise SynergistError(INVALID_DATA, f"data[{i}]: invalid activityActivitytypeCode {code}")
        doc["activity_type_id"] = found.activity_type_id
    client = _text(row, i, "activityClientCode")
    debtor_id = existing.get("debtor_id") if existing else None
    if client:
        try:
            debtor_id = doc["debtor_id"] = find_client(call, client)["debtor_id"]
        except SynergistError:
            raise SynergistError(INVALID_DATA, f"data[{i}]: invalid activityClientCode {client}") from None
    if "activityCompanyNumber" in row:
        number = _whole(row, i, "activityCompanyNumber", required=False)
        if number is not None and not any(c.number == number for c in call.companies):
            raise SynergistError(INVALID_DATA, f"data[{i}]: invalid activityCompanyNumber {number}")
    if "activityStartDate" in row or "activityStartTime" in row:
        day = _day(row, i, "activityStartDate")
        if day is None and existing and existing.get("start_date"):
            day = existing["start_date"].date()
        clock = _clock(row, i, "activityStartTime")
        if clock is None and existing and existing.get("start_date"):
            clock = existing["start_date"].time()
        doc["start_date"] = datetime.combine(day, clock or time()) if day else None
    if "activityDueDate" in row:
        due = _day(row, i, "activityDueDate")
        doc["due_date"] = datetime.combine(due, time()) if due else None
    if "activityStatus" in row:
        status = row["activityStatus"]
        if isinstance(status, bool) or not isinstance(status, int | str):
            raise SynergistError(BAD_INPUT, f"invalid input: data[{i}].activityStatus must be a status")
        doc["status"] = status
    owner = _text(row, i, "activityOwnerID")
    if owner is not None:
        staff = ENTITY_TABLES["Staff"]
        found = conn.execute(sa.select(staff.c.staff_id)
                             .where(sa.func.lower(staff.c.username) == owner.strip().lower())).first()
        if found is None:
            raise SynergistError(INVALID_DATA, f"data[{i}]: invalid activityOwnerID {owner}")
        doc["owner_id"] = found.staff_id
    if client and "activityContactInternalRef" not in row and existing and existing.get("contact_name_id"):
        # A contact belongs to one client: moved to another client, the activity keeps no contact of
        # the old one's.
        contact = ENTITY_TABLES["DebtorContactName"]
        owner_id = conn.execute(sa.select(contact.c.debtor_id).where(
            contact.c.contact_name_id == existing["contact_name_id"])).scalar()
        if owner_id != debtor_id:
            doc["contact_name_id"] = None
    if "activityContactInternalRef" in row:
        ref = _whole(row, i, "activityContactInternalRef", required=False)
        doc["contact_name_id"] = None
        if ref:
            contact = ENTITY_TABLES["DebtorContactName"]
            found = conn.execute(sa.select(contact.c.contact_name_id).where(
                contact.c.contact_number == ref, contact.c.debtor_id == debtor_id)).first()
            if found is None:
                raise SynergistError(INVALID_DATA, f"data[{i}]: invalid activityContactInternalRef {ref}")
            doc["contact_name_id"] = found.contact_name_id
    return doc


def _day(row: dict[str, Any], i: int, name: str) -> date | None:
    text = _text(row, i, name)
    if text is None or text.strip() in ("", "0000-00-00"):
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise SynergistError(BAD_INPUT, f"invalid input: data[{i}].{name} must be a date YYYY-MM-DD") from None


def _clock(row: dict[str, Any], i: int, name: str) -> time | None:
    text = _text(row, i, name)
    if text is None or not text.strip():
        return None
    try:
        clock = time.fromisoformat(text.strip())
    except ValueError:
        raise SynergistError(BAD_INPUT, f"invalid input: data[{i}].{name} must be a time HH:MM:SS") from None
    if clock.tzinfo is not None:
        # Activity times are the company's wall-clock times; an offset would be silently dropped.
        raise SynergistError(BAD_INPUT, f"invalid input: data[{i}].{name} must be a time HH:MM:SS, without an offset")
    return clock


def _type_description(call: Call, doc: dict[str, Any]) -> str:
    kind = ENTITY_TABLES["ActivityType"]
    found = call.conn.execute(sa.select(kind.c.description)
                              .where(kind.c.activity_type_id == doc.get("activity_type_id"))).first()
    return str(found.description) if found else "Activity"
