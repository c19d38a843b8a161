"""Submitting, looking at and cancelling requests; errors; one organization never reaching another's
data (S13, S14, S19, S20 and the issue's rules)."""

from __future__ import annotations

import csv
import io

import pytest
from starlette.testclient import TestClient

from backoffice.core import orgs
from backoffice.core.auth.service import find_staff
from backoffice.core.jobs.worker import run_pending
from backoffice.core.store import Database

from .conftest import TYPE_PREFIX, Symphony, login

REQUEST_KEYS = ["DataForImport", "DataSince", "HierStrucId", "HierStruclds", "LanguageId", "Level",
                "ObjectNumberFilter", "ObjectType", "OrgCode", "Origin", "OriginalRequestId", "RequestDate",
                "RequestId", "RequestName", "ScheduleId", "SelectedFormat", "SelectedObjectMembers",
                "SelectedOperation", "SortExpressions", "Status", "UserName"]


def _export(symphony: Symphony, **fields: object) -> dict[str, int]:
    body = {"ObjectType": "MajorGroup", "SelectedOperation": 0, "UserName": "Admin", **fields}
    return symphony.ok(symphony.post("SubmitImportExportRequest", body))  # type: ignore[no-any-return]


def _file(symphony: Symphony, request_id: int) -> list[dict[str, str]]:
    data = symphony.ok(symphony.get(f"GetFileData/{request_id}/Admin/DEMO"))
    return list(csv.DictReader(io.StringIO(bytes(data).decode())))


def test_s13_s14_a_request_in_wcf_json(symphony: Symphony, db: Database) -> None:
    submitted = _export(symphony, ObjectNumberFilter="1-200,230", SortExpressions=[
        {"m_Item1": "ObjectNumber", "m_Item2": "desc"}], SelectedObjectMembers=["ObjectNumber", "Name"],
        DataSince="\\/Date(928167600000-0500)\\/", LanguageId=2)
    status = symphony.get(f"GetRequestStatus/{submitted['RequestId']}/Admin/DEMO")
    assert "\\/Date(" in status.text  # WCF escapes the slashes of its dates
    record = status.json()
    assert list(record) == REQUEST_KEYS
    assert record["Status"] == 2 and record["ObjectType"] == TYPE_PREFIX + "MajorGroup"
    assert record["SortExpressions"] == [{"m_Item1": "ObjectNumber", "m_Item2": "desc"}]
    assert record["DataSince"].startswith("/Date(928167600000") and record["OrgCode"] == "DEMO"
    assert record["DataForImport"] is None and record["UserName"] == "Admin"
    run_pending(db)
    rows = _file(symphony, submitted["RequestId"])
    # The filter, the order, the columns and the language all honoured.
    assert [r["ObjectNumber"] for r in rows] == ["230", "3", "2", "1"]
    assert list(rows[0]) == ["ObjectNumber", "Name"] and rows[-1]["Name"] == "Speisen"
    listed = symphony.ok(symphony.get("GetRequests/30/Admin/DEMO"))
    assert listed[0]["RequestId"] == submitted["RequestId"] and listed[0]["Status"] == 4


@pytest.mark.parametrize("fields, message", [
    ({"ObjectType": "Nothing"}, "Unknown object type"),
    ({"SelectedOperation": 7}, "SelectedOperation"),
    ({"SelectedFormat": 1}, "SelectedFormat"),
    ({"Level": 4}, "Level"),
    ({"ObjectNumberFilter": "1-x"}, "ObjectNumberFilter"),
    ({"SelectedObjectMembers": ["Id", "Colour"]}, "Colour"),
    ({"SortExpressions": [{"m_Item1": "Colour", "m_Item2": "asc"}]}, "Colour"),
    ({"SortExpressions": [{"m_Item1": "Name", "m_Item2": "sideways"}]}, "sideways"),
    ({"HierStrucId": 987654321}, "No hierarchy node"),
    ({"ScheduleId": 987654321}, "No schedule"),
    ({"ObjectType": "Hierarchy", "SelectedOperation": 1, "DataForImport": [65]}, "cannot be imported"),
    ({"SelectedOperation": 1}, "DataForImport"),
    ({"Origin": 3}, "Origin"),
])
def test_requests_that_cannot_run_are_refused_with_the_reason(symphony: Symphony, fields: dict[str, object],
                                                              message: str) -> None:
    response = symphony.post("SubmitImportExportRequest", {"ObjectType": "MajorGroup", "SelectedOperation": 0,
                                                           **fields})
    assert response.status_code == 400
    assert message in response.json()


def test_a_body_for_another_user_or_organization_is_refused(symphony: Symphony) -> None:
    assert symphony.post("SubmitImportExportRequest", {"ObjectType": "MajorGroup", "UserName": "Sarah"}
                         ).status_code == 403
    assert symphony.post("SubmitImportExportRequest", {"ObjectType": "MajorGroup", "OrgCode": "ELSEWHERE"}
                         ).status_code == 403


def test_unknown_requests_and_files(symphony: Symphony, db: Database) -> None:
    assert symphony.get("GetRequestStatus/999999/Admin/DEMO").status_code == 404
    assert symphony.get("GetRequestStatus/abc/Admin/DEMO").status_code == 400
    assert symphony.get("GetRequests/x/Admin/DEMO").status_code == 400
    submitted = _export(symphony)
    assert symphony.get(f"GetFileData/{submitted['RequestId']}/Admin/DEMO").status_code == 404  # not run yet
    run_pending(db)
    snapshot = symphony.get(f"GetSnapshotBeforeImport/{submitted['RequestId']}/Admin/DEMO")
    assert snapshot.status_code == 404 and "export" in snapshot.json()


def test_s20_cancelling_a_request_that_has_not_run(symphony: Symphony, db: Database) -> None:
    submitted = _export(symphony)
    body = {"OrgCode": "DEMO", "RequestId": submitted["RequestId"], "RequestStatus": 6, "UserName": "Admin"}
    answer = symphony.ok(symphony.post("UpdateRequestStatus", body))
    assert answer == [f"Request {submitted['RequestId']} cancelled"]
    run_pending(db)
    assert symphony.ok(symphony.get(f"GetRequestStatus/{submitted['RequestId']}/Admin/DEMO"))["Status"] == 6
    assert symphony.get(f"GetFileData/{submitted['RequestId']}/Admin/DEMO").status_code == 404
    finished = symphony.post("UpdateRequestStatus", body)
    assert finished.status_code == 400 and "already finished" in finished.json()


def test_get_requests_covers_at_most_thirty_days(symphony: Symphony) -> None:
    assert symphony.get("GetRequests/365/Admin/DEMO").status_code == 200
    assert symphony.get("GetRequests/-1/Admin/DEMO").status_code == 400


def test_an_import_with_failed_rows_reports_them(symphony: Symphony, db: Database) -> None:
    good = ["Id,ObjectNumber,HierarchyId,Name,ReportGroup"]
    enterprise = next(n for n in symphony.ok(symphony.get("GetHierarchyStructure/Admin/DEMO")) if n["UnitType"] == 0)
    lines = good + [f",{500 + i},{enterprise['Id']},Group {i},1" for i in range(20)] + [
        f",600,{enterprise['Id']},Bad group,not-a-number"]
    submitted = symphony.ok(symphony.post("SubmitImportExportRequest", {
        "ObjectType": "MajorGroup", "SelectedOperation": 1, "HierStrucId": enterprise["Id"],
        "DataForImport": list("\r\n".join(lines).encode())}))
    run_pending(db)
    assert symphony.ok(symphony.get(f"GetRequestStatus/{submitted['RequestId']}/Admin/DEMO"))["Status"] == 5
    failed = _file(symphony, submitted["RequestId"])
    assert len(failed) == 1 and failed[0]["ObjectNumber"] == "600" and failed[0]["Error"]


def test_one_organization_never_reaches_anothers(client: TestClient, db: Database, symphony: Symphony) -> None:
    with db.write() as conn:
        other = orgs.create(conn, "OTHER", "Other Group")
        orgs.add_member(conn, other, find_staff(conn, "Sarah").staff_id)
    sarah = Symphony(client, login(client, "Sarah", "sarah-password", "OTHER"), "Sarah", "OTHER")
    demo_request = _export(symphony)["RequestId"]
    run_pending(db)
    assert sarah.get(f"GetRequestStatus/{demo_request}/Sarah/OTHER").status_code == 404
    assert sarah.get(f"GetFileData/{demo_request}/Sarah/OTHER").status_code == 404
    assert sarah.get(f"GetRequestStatus/{demo_request}/Sarah/DEMO").status_code == 403
    assert all(r["OrgCode"] == "OTHER" for r in sarah.ok(sarah.get("GetRequests/30/Sarah/OTHER")))
    nodes = sarah.ok(sarah.get("GetHierarchyStructure/Sarah/OTHER"))
    assert len(nodes) == 1 and nodes[0]["HierarchyName"][0]["Text"] == "Other Group"
    demo_node = next(n for n in symphony.ok(symphony.get("GetHierarchyStructure/Admin/DEMO")))
    refused = sarah.post("SubmitImportExportRequest", {"ObjectType": "MajorGroup", "HierStrucId": demo_node["Id"]})
    assert refused.status_code == 400
    own = sarah.ok(sarah.post("SubmitImportExportRequest", {"ObjectType": "MajorGroup", "UserName": "Sarah"}))
    run_pending(db)
    data = sarah.ok(sarah.get(f"GetFileData/{own['RequestId']}/Sarah/OTHER"))
    assert bytes(data).decode().strip() == "Id,ObjectNumber,HierarchyId,Name,ReportGroup"
    assert sarah.ok(sarah.get("GetSchedules/Sarah/OTHER")) == []
