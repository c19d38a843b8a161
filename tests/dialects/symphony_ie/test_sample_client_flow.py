"""The public sample client's whole flow over HTTP, as the issue's "done when" names it: token,
hierarchy, exportable types, object info, export, poll, fetch the file, change it, import it, read
the snapshot, roll back with it, schedule an export and see the scheduled run (the clock moved, not
slept). The item changed is the Jiwa API's inventory item 1172: one fact, two dialects."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from starlette.testclient import TestClient

from backoffice.core import clock
from backoffice.core.jobs import schedules
from backoffice.core.jobs.worker import run_pending
from backoffice.core.store import Database

from .conftest import TYPE_PREFIX, Symphony, login

ITEM = "IN000000000000000001"  # part 1172, "Labour - hourly rate", 95.00


def _date(moment: datetime, offset: str = "") -> str:
    return f"/Date({int((moment - datetime(1970, 1, 1)).total_seconds() * 1000)}{offset})/"


def _rows(data: list[int]) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(bytes(data).decode("utf-8"))))


def _csv(rows: list[dict[str, str]]) -> list[int]:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return list(out.getvalue().encode("utf-8"))


def _wait(symphony: Symphony, db: Database, request_id: int) -> dict[str, object]:
    """Poll as the client does; the worker's turn is taken in between."""
    status = symphony.ok(symphony.get(f"GetRequestStatus/{request_id}/Admin"))
    assert status["Status"] in (2, 3)
    run_pending(db)
    status = symphony.ok(symphony.get(f"GetRequestStatus/{request_id}/Admin/DEMO"))
    assert status["Status"] in (4, 5, 6)
    return status  # type: ignore[no-any-return]


def _jiwa_price(client: TestClient) -> float:
    jiwa = client.get("/auth", params={"username": "Admin", "password": "password"})
    assert jiwa.status_code == 200
    return float(client.get(f"/Inventory/{ITEM}").json()["DefaultPrice"])


def test_the_sample_clients_flow_end_to_end(client: TestClient, db: Database) -> None:
    symphony = Symphony(client, login(client, org=""))
    nodes = symphony.ok(symphony.get("GetHierarchyStructure/Admin/"))
    enterprise = next(n for n in nodes if n["UnitType"] == 0)
    types = symphony.ok(symphony.get("GetExportableTypes/Admin/"))
    price_type = next(t for t in types if "menuitemprice" in t.lower())
    assert price_type == TYPE_PREFIX + "MenuItemPrice"
    info = symphony.ok(symphony.get("GetObjectInfo/Admin/DEMO"))
    assert any(t["FullTypeName"] == price_type for t in info)
    members = symphony.ok(symphony.get(f"GetPropertiesForType/{price_type}/Admin/"))

    # Export the Enterprise's prices.
    submitted = symphony.ok(symphony.post("SubmitImportExportRequest", {
        "HierStrucId": enterprise["Id"], "LanguageId": enterprise["HierarchyName"][0]["LangId"], "Level": 0,
        "ObjectType": price_type, "SelectedObjectMembers": members, "Origin": 1,
        "RequestDate": _date(clock.now()), "RequestName": "DemoImportRequest", "SelectedFormat": 0,
        "SelectedOperation": 0, "UserName": "Admin"}))
    assert list(submitted) == ["RequestId", "Status"] and submitted["Status"] == 2
    export_id = submitted["RequestId"]
    status = _wait(symphony, db, export_id)
    assert status["Status"] == 4 and status["RequestName"] == "DemoImportRequest" and status["Origin"] == 1
    assert status["ObjectType"] == price_type and status["SelectedOperation"] == 0
    raw = symphony.get(f"GetFileData/{export_id}/Admin/DEMO")
    assert raw.status_code == 200 and raw.text.startswith("[")
    rows = _rows(raw.json())
    assert list(rows[0]) == members
    assert {r["HierarchyId"] for r in rows} == {str(enterprise["Id"])}
    labour = next(r for r in rows if float(r["Price"]) == 95.0)

    # Change the labour rate and import the file back.
    labour["Price"] = "99.5"
    imported = symphony.ok(symphony.post("SubmitImportExportRequest", {
        "DataForImport": _csv(rows), "DataSince": _date(clock.now() - timedelta(days=30), "+0500"),
        "HierStrucId": enterprise["Id"], "LanguageId": 1, "Level": 0, "ObjectType": price_type, "OrgCode": "DEMO",
        "Origin": 1, "RequestDate": _date(clock.now()), "RequestName": "DemoImportRequest", "SelectedFormat": 0,
        "SelectedOperation": 1, "UserName": "Admin"}))
    import_id = imported["RequestId"]
    assert _wait(symphony, db, import_id)["Status"] == 4
    assert _jiwa_price(client) == 99.5  # the price the other API shows

    # The snapshot holds the rows as they were; importing it rolls the change back.
    snapshot = symphony.ok(symphony.get(f"GetSnapshotBeforeImport/{import_id}/Admin/DEMO"))
    before = {r["Id"]: r for r in _rows(snapshot)}
    assert float(before[labour["Id"]]["Price"]) == 95.0
    rollback = symphony.ok(symphony.post("SubmitImportExportRequest", {
        "DataForImport": snapshot, "HierStrucId": enterprise["Id"], "ObjectType": price_type,
        "SelectedOperation": 1, "UserName": "Admin"}))
    assert _wait(symphony, db, rollback["RequestId"])["Status"] == 4
    assert _jiwa_price(client) == 95.0

    # Schedule the export every day at 08:00 (the sample's NewManualSchedule2) and see it run.
    today = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    schedule_id = symphony.ok(symphony.post("AddSchedule", {
        "Active": True, "DaysOfMonth": [], "Friday": True, "Monday": True, "Saturday": True, "Sunday": True,
        "Thursday": True, "Tuesday": True, "Wednesday": True, "Name": "NewManualSchedule2", "OrgCode": "DEMO",
        "UserName": "Admin", "StartDate": _date(today, "+0000"),
        "TimeOfDay": _date(datetime(2000, 1, 1, 8, 0), "+0000")}))
    assert isinstance(schedule_id, int) and schedule_id > 0
    scheduled = symphony.ok(symphony.post("SubmitImportExportRequest", {
        "HierStrucId": enterprise["Id"], "ObjectType": price_type, "SelectedOperation": 0, "ScheduleId": schedule_id,
        "RequestName": "Nightly prices", "UserName": "Admin"}))
    assert scheduled["Status"] == 9
    with clock.moved_to(today + timedelta(days=1, hours=8, minutes=1)):
        started = schedules.tick(db)
        assert len(started) == 1
        assert schedules.tick(db) == []  # the same slot never runs twice
        run_pending(db)
    listed = symphony.ok(symphony.get("GetRequests/0/Admin/DEMO"))
    run = next(r for r in listed if r["RequestId"] == started[0])
    assert run["Origin"] == 3 and run["OriginalRequestId"] == scheduled["RequestId"] and run["Status"] == 4
    assert run["ScheduleId"] == schedule_id and run["RequestName"] == "Nightly prices"
    assert any(r["RequestId"] == scheduled["RequestId"] and r["Status"] == 9 for r in listed)
    assert _rows(symphony.ok(symphony.get(f"GetFileData/{started[0]}/Admin/DEMO"))) == _rows(raw.json())
