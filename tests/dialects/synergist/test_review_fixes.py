"""What a review of the Synergist API found, kept as tests: time booked, changed or deleted for another
resource needs the right to act on behalf; a disabled account is refused at once; hostile numbers,
dates, nesting and text are clear errors; CSV cells are never formulas; hours are required; an
activity's contact follows its client; the diary's allowed units. (Each docstring tells what was
wrong before the fix.)"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import sqlalchemy as sa

from backoffice.core.auth import service
from backoffice.core.store import Database
from backoffice.core.store.tables import ENTITY_TABLES
from backoffice.demo.jobs import DISCOVERY_PHASE, PENDING_WAITING

from .conftest import ADMIN, Synergist

UNEXPECTED = 404900


def _input(*rows: dict[str, Any]) -> str:
    return json.dumps({"data": list(rows)})


def _code(response: Any) -> int:
    if response.status_code == 200:
        return 0
    if response.headers["content-type"].startswith("application/json"):
        return int(response.json()["errorcode"])
    return -1


def _clerk(db: Database) -> dict[str, str]:
    """A timesheet user: may use tspending, may not act on behalf of anyone."""
    with db.write() as conn:
        service.add_user(conn, "Clerk", "clerk-password", permissions=["Synergist.tspending"])
    return {"user": "Clerk", "password": "clerk-password"}


# --- security -----------------------------------------------------------------------------------

def test_time_for_another_resource_needs_act_on_behalf(syn: Synergist, db: Database) -> None:
    """`username=Sarah` is refused to the Clerk (404006), but naming Sarah as the entry's resource
    books time in her name all the same."""
    clerk = _clerk(db)
    assert syn.json_error("tspending", username="Sarah", **clerk)[0] == 404006
    row = {"tspJobAndPhase": f"1/{DISCOVERY_PHASE}", "tspTimeDate": "2026-11-19", "tspResourceCode": "1/Sarah",
           "tspHoursNormal": 1}
    response = syn.get("tspending", action="create", input=_input(row), **clerk)
    assert response.status_code == 404, response.text


def test_another_users_time_cannot_be_deleted_without_act_on_behalf(syn: Synergist, db: Database) -> None:
    """Entry 3001 is Admin's; the Clerk, who may not act for Admin, deletes (or changes) it."""
    clerk = _clerk(db)
    number = PENDING_WAITING[0]
    owner = syn.json("tspending", tspending=str(number))["data"][0]["tspResourceCode"]
    assert owner == "1/Admin"
    changed = syn.get("tspending", action="update", input=_input({"tspEntryNo": number, "tspHoursNormal": 9}),
                      **clerk)
    assert changed.status_code == 404, changed.text
    deleted = syn.get("tspending", action="delete", input=_input({"tspEntryNo": number}), **clerk)
    assert deleted.status_code == 404, deleted.text


def test_account_disabled_elsewhere_is_refused_at_once(syn: Synergist, db: Database) -> None:
    """check_login remembers a success for a minute in the server process; `backoffice users disable`
    (another process: its _verified.clear() does not reach the server) is ignored meanwhile."""
    sarah = {"user": "Sarah", "password": "sarah-password"}
    assert syn.json("system", action="version", **sarah)["success"] is True
    staff = ENTITY_TABLES["Staff"]
    with db.write() as conn:  # what set_enabled writes, as another process would
        conn.execute(staff.update().where(staff.c.username == "Sarah").values(enabled=False))
    assert syn.json_error("system", action="version", **sarah)[0] == 404003


# --- input that reaches an unexpected fault (404900) -------------------------------------------------

def test_deeply_nested_input_is_invalid_input(syn: Synergist) -> None:
    """json.loads raises RecursionError (not ValueError) on deep nesting: 404900 instead of 404507."""
    deep = '{"data":' + "[" * 100_000 + "]" * 100_000 + "}"
    response = syn.client.post("/jsonapi/tspending.json", data={**ADMIN, "action": "create", "input": deep})
    assert _code(response) == 404507, response.text


def test_huge_integer_hours_is_invalid_input(syn: Synergist) -> None:
    """float(10**400) raises OverflowError in _number."""
    row = _input({"tspJobAndPhase": f"1/{DISCOVERY_PHASE}", "tspTimeDate": "2026-11-19", "tspChargeCode": "1/MEET",
                  "tspHoursNormal": 0})
    text = row.replace('"tspHoursNormal": 0', '"tspHoursNormal": ' + "9" * 400)
    response = syn.get("tspending", action="create", input=text)
    assert _code(response) in (404507, 404510), response.text


def test_huge_entry_numbers_in_parameters(syn: Synergist) -> None:
    """pendingcopy's tspending and pendingsubmit's input are any ASCII digits: beyond SQL's integers
    they crash the query (404900) instead of 404501/404503 (the list's tspending= answers 404510)."""
    huge = "99999999999999999999"
    copy = syn.get("tspending", action="pendingcopy", tspending=huge)
    submit = syn.get("tspending", action="pendingsubmit", input=huge)
    assert _code(copy) != UNEXPECTED, copy.text
    assert _code(submit) != UNEXPECTED, submit.text


def test_company_and_codes_with_thousands_of_digits(syn: Synergist) -> None:
    """int() of more than 4300 digits raises ValueError in _company and split_code."""
    company = syn.get("clients", company="9" * 5000)
    assert _code(company) == 404502, company.text
    client = syn.get("clients", client="9" * 5000 + "/C00001")
    assert _code(client) in (404501, 404503), client.text


def test_dates_at_the_end_of_the_calendar(syn: Synergist) -> None:
    """date + timedelta past 9999-12-31 raises OverflowError (diary's default week, activities'
    dateto + 1 day, diary_bookings' high + 1 day)."""
    for module, params in (("diary", {"action": "calendardisplaycompact", "datefrom": "9999-12-31"}),
                           ("diary", {"action": "timesheet", "datefrom": "9999-12-30", "dateto": "9999-12-31"}),
                           ("activities", {"dateto": "9999-12-31"})):
        response = syn.get(module, **params)
        assert _code(response) in (0, 404501), (module, params, response.text)


def test_lone_surrogate_in_input(syn: Synergist) -> None:
    """json.loads lets "\\ud800" through; the database driver (or orjson) then fails: 404900."""
    activity = ('{"data":[{"activityActivitytypeCode":"VIS","activityClientCode":"1/C00001",'
                '"activitySubject":"a\\ud800b"}]}')
    response = syn.get("activities", action="create", input=activity)
    assert _code(response) in (0, 404507), response.text
    entry = '{"data":[{"tspEntryNo":' + str(PENDING_WAITING[0]) + ',"tspWorkDone":"a\\ud800b"}]}'
    response = syn.get("tspending", action="update", input=entry)
    assert _code(response) in (0, 404507), response.text


# --- answers a client would notice --------------------------------------------------------------

def test_csv_cells_are_not_spreadsheet_formulas(syn: Synergist) -> None:
    """A subject typed as =HYPERLINK(...) through any API comes out of csvapi as a live formula."""
    formula = '=HYPERLINK("http://example.invalid/x","Click")'
    created = syn.json("activities", action="create", input=_input(
        {"activityActivitytypeCode": "VIS", "activityClientCode": "1/C00001", "activitySubject": formula}))
    number = created["data"][0]["activityID"]
    response = syn.get("activities", "csv", activityid=str(number), modelstructure="activitylist")
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows[0]["activitySubject"][:1] not in ("=", "+", "-", "@"), rows[0]["activitySubject"]


def test_create_without_hours_is_refused(syn: Synergist) -> None:
    """The reference marks tspHoursNormal (req) on tspending create; a row without it makes a
    0-hour entry."""
    response = syn.get("tspending", action="create", input=_input(
        {"tspJobAndPhase": f"1/{DISCOVERY_PHASE}", "tspTimeDate": "2026-11-19", "tspChargeCode": "1/MEET"}))
    assert response.status_code == 404, response.text
    assert response.json()["errorcode"] in (404507, 404510)


def test_diary_allowed_is_the_units_left(syn: Synergist) -> None:
    """docs/synergist.md: array_allowed__tspending_entryno is the "units left"; the answer is a boolean."""
    lines = syn.json("diary", company="1", action="timesheet", datefrom="2026-11-16", dateto="2026-11-30")["data"]
    line = lines[0]
    left = line["array_diaryunits__tspending_entryno"] - line["array_existingunits__tspending_entryno"]
    assert not isinstance(line["array_allowed__tspending_entryno"], bool)
    assert line["array_allowed__tspending_entryno"] == left


def test_activity_contact_follows_its_client(syn: Synergist, db: Database) -> None:
    """Moving an activity to another client keeps the old client's contact (Alex Buyer1 of C00001
    on a C00002 activity); activityContactInternalRef is checked against the client only when sent."""
    created = syn.json("activities", action="create", input=_input(
        {"activityActivitytypeCode": "VIS", "activityClientCode": "1/C00001", "activityContactInternalRef": 1001}))
    number = created["data"][0]["activityID"]
    syn.json("activities", action="update", input=_input({"activityID": number, "activityClientCode": "1/C00002"}))
    activity = ENTITY_TABLES["Activity"]
    contact = ENTITY_TABLES["DebtorContactName"]
    with db.read() as conn:
        row = conn.execute(sa.select(activity.c.debtor_id, contact.c.debtor_id.label("contact_debtor"))
                           .select_from(activity.outerjoin(contact, contact.c.contact_name_id
                                                           == activity.c.contact_name_id))
                           .where(activity.c.activity_number == number)).one()
    assert row.contact_debtor is None or row.contact_debtor == row.debtor_id


def test_an_activity_time_with_an_offset_is_refused(syn: Synergist) -> None:
    """10:00+05:00 was stored as 05:00 without a word; activity times carry no offset."""
    code, message = syn.json_error("activities", action="create", input=_input(
        {"activityActivitytypeCode": "VIS", "activityClientCode": "1/C00001", "activityStartDate": "2026-11-20",
         "activityStartTime": "10:00+05:00"}))
    assert code == 404507 and "without an offset" in message


def test_an_entrys_codes_are_of_one_company(syn: Synergist) -> None:
    """A charge code of company 4 sent with a company 1 job made the phase be looked up in company 4."""
    code, message = syn.json_error("tspending", action="create", input=_input(
        {"tspJobAndPhase": f"1/{DISCOVERY_PHASE}", "tspTimeDate": "2026-11-19", "tspChargeCode": "4/ART",
         "tspHoursNormal": 1}))
    assert code == 404507 and "different companies" in message
