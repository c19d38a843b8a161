"""Jobs, pending and posted time, the time lookups and the diary, in JSON and XML, on the demo's
jobs (docs/demo.md): the reference's own calls as cases."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from backoffice.demo.jobs import (
    BUILD_PHASE,
    CATALOGUE_JOB,
    CONCEPTS_STAGE,
    COPY_PHASE,
    DESIGN_PHASE,
    DISCOVERY_PHASE,
    PENDING_SUBMITTED,
    PENDING_WAITING,
    POSTED,
    PRINT_PHASE,
)

from .conftest import Synergist

C = "1"  # the company number of every demo job


def _input(*rows: dict[str, Any]) -> str:
    return json.dumps({"data": list(rows)})


# --- jobs.json ---------------------------------------------------------------------------------

def test_job_details_as_the_reference_lists_them(syn: Synergist) -> None:
    body = syn.json("jobs", company=C, job=f"1/{CATALOGUE_JOB}", style="modeldata", modelstructure="jobdetails")
    job = body["data"][0]
    assert list(job)[:6] == ["jobUuid", "jobTimeStampModified", "jobRecommendedVersionNumber",
                             "jobDescription1stLine", "jobWonBy", "jobCustomField290"]
    assert (job["jobNumber"], job["jobClientCode"], job["jobClientName"]) == \
        ("1/00000510", "1/C00001", "Bayside Hardware Pty Ltd")
    assert (job["jobStatus"], job["jobStatusDescription"], job["jobDescription1stLine"]) == \
        (2, "Live", "Spring catalogue")
    assert (job["jobContactFullName"], job["jobDateDue"], job["jobCurrencySymbol"]) == \
        ("Alex Buyer1", "2026-12-18", "$")
    root = syn.xml("jobs", company=C, job=f"1/{CATALOGUE_JOB}")
    assert root.tag == "Jobs" and root.find("Job").findtext("jobOrderNumber") == "PO-7781"
    code, message = syn.json_error("jobs", company=C, job="1/00009999")
    assert code == 404503 and "00009999" in message


def test_job_list_paged(syn: Synergist) -> None:
    body = syn.json("jobs", company=C, rows=2, page=1)
    assert (body["totalrows"], body["totalpages"], body["pagenumber"], body["pagerows"]) == (3, 2, 2, 2)
    assert [j["jobNumber"] for j in body["data"]] == ["1/00000512"]


# --- tspending.json ----------------------------------------------------------------------------

def test_the_references_create_then_update_then_delete(syn: Synergist) -> None:
    created = syn.json("tspending", version="3.9", action="create", input=_input(
        {"tspJobAndPhase": f"1/{DISCOVERY_PHASE}", "tspTimeDate": "2026-11-19", "tspResourceCode": "1/Admin",
         "tspChargeCode": "1/MEET", "tspHoursNormal": 2}))
    assert (created["totalrows"], created["totalpages"], created["pagerows"]) == (1, 1, 0)
    entry = created["data"][0]
    assert len(entry["tspUuid"]) == 32 and entry["tspJobAndPhase"] == f"1/{DISCOVERY_PHASE}"
    assert (entry["tspHoursNormal"], entry["tspChargeCode"], entry["tspRecordVersionNumber"]) == (2.0, "1/MEET", 1)
    number = entry["tspEntryNo"]

    updated = syn.json("tspending", action="update", input=_input({"tspEntryNo": number, "tspHoursNormal": 1.2}))
    assert updated["data"][0]["tspHoursNormal"] == 1.2 and updated["data"][0]["tspRecordVersionNumber"] == 2
    code, message = syn.json_error("tspending", action="update", input=_input(
        {"tspEntryNo": number, "tspHoursNormal": 3, "tspRecordVersionNumber": 1}))
    assert code == 404508

    deleted = syn.json("tspending", action="delete", input=_input({"tspEntryNo": number}))
    assert deleted["responsemessage"] == "data processed successfully."
    assert deleted["data"] == [{"tspEntryNo": number, "tspUuid": entry["tspUuid"]}]
    assert syn.json_error("tspending", tspending=number)[0] == 404503


@pytest.mark.parametrize(("row", "expected"), [
    ({"tspJobAndPhase": f"1/{DESIGN_PHASE}", "tspTimeDate": "2026-11-19", "tspHoursNormal": 1},
     "stage"),  # a two-tier phase needs a stage
    ({"tspJobAndPhase": f"1/{COPY_PHASE}", "tspTimeDate": "2026-11-19", "tspHoursNormal": 1},
     "task"),  # the phase has task descriptions
    ({"tspJobAndPhase": f"1/{PRINT_PHASE}", "tspTimeDate": "2026-11-19", "tspHoursNormal": 1}, "closed"),
    ({"tspJobAndPhase": f"1/{BUILD_PHASE}", "tspTimeDate": "2026-11-19", "tspHoursNormal": 25}, "24"),
    ({"tspJobAndPhase": f"1/{BUILD_PHASE}", "tspTimeDate": "19/11/2026", "tspHoursNormal": 1}, "tspTimeDate"),
    ({"tspJobAndPhase": f"1/{BUILD_PHASE}", "tspTimeDate": "2026-11-19", "tspHoursNormal": "lots"}, "number"),
    ({"tspJobAndPhase": f"1/{BUILD_PHASE}", "tspTimeDate": "2026-11-19", "tspHoursNormal": 1, "tspBogus": 1},
     "tspBogus"),
])
def test_create_refusals_name_the_problem(syn: Synergist, row: dict[str, Any], expected: str) -> None:
    before = syn.json("tspending", company=C)["totalrows"]
    for fmt in ("json", "xml"):
        code, message = (syn.json_error if fmt == "json" else syn.xml_error)(
            "tspending", action="create", input=_input({**row, "tspResourceCode": "1/Admin"}))
        assert code in (404507, 404510, 404503) and expected.lower() in message.lower(), message
    assert syn.json("tspending", company=C)["totalrows"] == before


def test_a_batch_is_all_or_nothing(syn: Synergist) -> None:
    before = syn.json("tspending", company=C)["totalrows"]
    good = {"tspJobAndPhase": f"1/{BUILD_PHASE}", "tspTimeDate": "2026-11-19", "tspResourceCode": "1/Admin",
            "tspHoursNormal": 1}
    code, _ = syn.json_error("tspending", action="create", input=_input(good, {**good, "tspHoursNormal": 30}))
    assert code == 404510
    assert syn.json("tspending", company=C)["totalrows"] == before
    code, _ = syn.json_error("tspending", action="create", input='{"data":[{"tspHoursNormal":')
    assert code == 404507


def test_pending_lists_details_and_statuses(syn: Synergist) -> None:
    waiting = syn.json("tspending", company=C, status="W")
    assert [e["tspEntryNo"] for e in waiting["data"]] == list(PENDING_WAITING)
    assert syn.json("tspending", company=C, status="S")["totalrows"] == len(PENDING_SUBMITTED)
    detail = syn.json("tspending", company=C, tspending=PENDING_WAITING[0])["data"][0]
    assert (detail["tspApprovalStatus"], detail["tspStageCode"], detail["tspStartTimeNormal"]) == \
        ("W", f"1/{CONCEPTS_STAGE}", "09:00:00")
    root = syn.xml("tspending", company=C, status="W", rows=2)
    assert (root.get("TotalRows"), root.get("TotalPages"), root.get("MorePages")) == ("3", "2", "True")
    structure = syn.json("tspending", style="modelstructure", modelstructure="tspendingdetails")
    names = [f["data"] for f in structure["data"]]
    assert names[:4] == ["tspUuid", "tspTimeStampModified", "tspRecordVersionNumber", "tspEntryNo"]
    assert "tspApprovalStatus" in names


def test_copy_and_submit(syn: Synergist) -> None:
    copied = syn.json("tspending", company=C, action="pendingcopy", tspending=PENDING_SUBMITTED[0])
    new = copied["data"][0]["tspEntryNo"]
    assert copied["responsemessage"] == f"TS pending {PENDING_SUBMITTED[0]} record copied to {new}"
    # Submitting by day: Admin's waiting entries of 16 November (3001) become submitted.
    submitted = syn.json("timesheets", company=C, action="pendingsubmit", date="2026/11/16")
    assert submitted["responsemessage"] == "TS pending record(s) submitted"
    assert syn.json("tspending", tspending=PENDING_WAITING[0])["data"][0]["tspApprovalStatus"] == "S"
    root = syn.xml("timesheets", company=C, action="pendingsubmit", datefrom="2026/11/17", dateto="2026/11/17")
    assert root.tag == "Responses" and root.findtext("Success/SuccessText") == "TS pending record(s) submitted"
    code, _ = syn.json_error("tspending", action="update", input=_input(
        {"tspEntryNo": PENDING_WAITING[0], "tspHoursNormal": 1}))
    assert code == 404508  # a submitted entry no longer changes


# --- timesheets.json (v3.0 / 3.1) --------------------------------------------------------------

def test_the_v30_create_with_its_own_names(syn: Synergist) -> None:
    created = syn.json("timesheets", company=C, action="create", input=_input(
        {"tspending_jobandphase": f"1/{COPY_PHASE}", "tspending_resourcecode": "1/Sarah",
         "tspending_taskdesc": "proofreading", "tspending_timedate": "19/11/2026", "tspending_hoursnormal": "1.5",
         "tspending_workdone": "Second proof"}))
    entry = created["data"][0]
    # The charge code is the resource's default; the task takes the phase's spelling.
    assert (entry["tspChargeCode"], entry["tspResourceCode"], entry["tspTimeDate"]) == \
        ("1/COPY", "1/Sarah", "2026-11-19")
    detail = syn.json("tspending", tspending=entry["tspEntryNo"])["data"][0]
    assert detail["tspTaskDescription"] == "Proofreading"


def test_the_lookups(syn: Synergist) -> None:
    companies = syn.json("timesheets", action="companylist")["data"]
    assert [c["control_number"] for c in companies] == [1, 4, 6]
    phases = syn.json("timesheets", company=C, action="phaseslist", resource="1/Admin")["data"]
    assert [p["jobphase_jobandphase"] for p in phases] == [
        f"1/{DESIGN_PHASE}", f"1/{COPY_PHASE}", f"1/{DISCOVERY_PHASE}", f"1/{BUILD_PHASE}"]
    assert phases[0]["variable_jobnumber__jobphase_jobnumber"] == "1/00000510"
    searched = syn.json("timesheets", company=C, action="phaseslist", resource="1/Admin", search="website")
    assert {p["jobphase_jobandphase"] for p in searched["data"]} == {f"1/{DISCOVERY_PHASE}", f"1/{BUILD_PHASE}"}
    codes = syn.json("timesheets", company=C, action="chargecodelist", resource="1/Sarah")["data"]
    defaults = [c["chargecodes_chargecode"] for c in codes if c["array_chargecodeuserdefault__chargecodes_chargecode"]]
    assert defaults == ["1/COPY"]
    active = syn.json("timesheets", action="resourcelist", userid="allactive")["data"]
    assert "1/Sarah" in [r["resources_resourcecode"] for r in active]
    assert syn.json_error("timesheets", action="resourcelist", userid="everyone")[0] == 404501
    assert syn.json_error("timesheets", company=C, action="phaseslist")[0] == 404501  # resource is mandatory


def test_timesheets_changed_since(syn: Synergist) -> None:
    listed = syn.json("timesheets", company=C, timestampfrom=0, timestampto=4102444800)
    assert listed["totalrows"] == 6 and list(listed["data"][0])[:4] == [
        "tsUuid", "tsTimeStampModified", "tspending_recordversionnumber", "tsEntryNo"]
    assert syn.json("timesheets", company=C, timestampfrom=4102444800)["totalrows"] == 0


# --- time.json ------------------------------------------------------------------------------

def test_posted_time(syn: Synergist, client: TestClient) -> None:
    posted = syn.json("time", company=C, sort="DATE")
    assert [t["tsTimeDate"] for t in posted["data"]] == ["2026-10-20", "2026-11-02", "2026-11-03"]
    first = next(t for t in posted["data"] if t["tsSalesInvNo"] == "INV-2210")
    assert (first["tsClientCode"], first["tsHoursTotal"], first["tsResource"]) == ("1/C00001", 5.0, "Admin")
    answer = syn.get("time", "csv", company=C)
    table = list(csv.reader(io.StringIO(answer.text)))
    assert answer.status_code == 200 and table[0][:2] == ["tsUuid", "tsTimestampModified"]
    # A phase description of two lines stays one field.
    assert len(table) == 1 + len(POSTED) and "Design\nConcepts and final artwork" in [r[4] for r in table]
    assert syn.json("time", company=C, resource="1/Sarah")["totalrows"] == 1


# --- diary.json, calendar.json ------------------------------------------------------------------

def test_the_diary(syn: Synergist) -> None:
    compact = syn.json("diary", company=C, action="calendardisplaycompact", datefrom="2026-11-16",
                       dateto="2026-11-30")["data"]
    assert [b["calRequisitionId"] for b in compact] == [1201]
    booking = compact[0]
    assert (booking["calJobAndPhase"], booking["calStageCode"], booking["calNumberOfDays"]) == \
        (f"1/{DESIGN_PHASE}", f"1/{CONCEPTS_STAGE}", 3)
    lines = syn.json("diary", company=C, action="timesheet", datefrom="2026-11-16", dateto="2026-11-30")["data"]
    # 4 hours a day for 3 days; 3.5 hours of pending time already on that phase and stage.
    assert (lines[0]["array_diaryunits__tspending_entryno"], lines[0]["array_existingunits__tspending_entryno"]) == \
        (12.0, 3.5)
    root = syn.xml("diary", company=C, action="timesheet", datefrom="2026-11-16", dateto="2026-11-30")
    assert root.tag == "calendartimesheets" and root[0].tag == "calendartimesheet"
    sarah = syn.json("calendar", company=C, style="modeldata", modelstructure="MyCalendar", resource="1/Sarah",
                     datefrom="2026-12-01", dateto="2026-12-31")["data"]
    assert [b["calIsoDateTimeStart"] for b in sarah] == ["2026-12-01T09:00:00"]
    assert syn.json_error("diary", action="timesheet", datefrom="2026-12-01", dateto="2026-11-01")[0] == 404501


def test_contacts(syn: Synergist) -> None:
    every = syn.json("contacts", rows=0)
    assert every["totalrows"] >= 12
    mine = syn.json("contacts", client="1/C00001")["data"]
    assert [c["clientcontactFullName"] for c in mine] == ["Alex Buyer1", "Sam Payer1"]
    assert mine[0]["clientcontactInternalRef"] == 1001  # the contact number the SOAP API calls ContactId
    root = syn.xml("contacts", client="1/C00002")
    assert root.tag == "Contacts" and root.get("TotalRows") == "2"
