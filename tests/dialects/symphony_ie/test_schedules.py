"""Schedules (S5, S15, S21): adding with the client's own validation, listing, enabling and
disabling, and when they fire (the clock moved, never slept)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from backoffice.core import clock
from backoffice.core.jobs import schedules
from backoffice.core.store import Database

from .conftest import Symphony

SCHEDULE_KEYS = ["Active", "DaysOfMonth", "Friday", "Id", "Monday", "Name", "OrgCode", "Saturday", "StartDate",
                 "Sunday", "Thursday", "TimeOfDay", "Tuesday", "UserName", "Wednesday"]
DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


def _ms(moment: datetime) -> int:
    return int((moment - datetime(1970, 1, 1)).total_seconds() * 1000)


def _schedule(**fields: object) -> dict[str, object]:
    body: dict[str, object] = {day: False for day in DAYS}
    body.update({"Active": True, "DaysOfMonth": [], "Name": "Monday exports", "OrgCode": "DEMO", "UserName": "Admin",
                 "StartDate": f"\\/Date({_ms(datetime(2026, 1, 1))}-0500)\\/",
                 # 08:00 at UTC-5 is 13:00 UTC.
                 "TimeOfDay": f"\\/Date({_ms(datetime(2000, 1, 1, 13, 0))}-0500)\\/", "Monday": True})
    body.update(fields)
    return body


def test_s5_s15_add_and_list(symphony: Symphony) -> None:
    schedule_id = symphony.ok(symphony.post("AddSchedule", _schedule()))
    assert schedule_id > 0
    listed = symphony.ok(symphony.get("GetSchedules/Admin/DEMO"))
    assert [s["Id"] for s in listed] == [schedule_id]
    assert list(listed[0]) == SCHEDULE_KEYS
    item = listed[0]
    assert item["Monday"] is True and item["Tuesday"] is False and item["Name"] == "Monday exports"
    assert item["OrgCode"] == "DEMO" and item["StartDate"].endswith("-0500)/")
    # The time of day on the start date as the client sees it (31 December at UTC-5).
    assert item["TimeOfDay"] == f"/Date({_ms(datetime(2025, 12, 31, 13, 0))}-0500)/"


@pytest.mark.parametrize("fields, reason", [
    ({"Name": ""}, "Schedule Needs a Name."),
    ({"Name": "x" * 41}, "Schedule Name exceeds Max length of 40 chars."),
    ({"Monday": False}, "Either Days of Week or Days of Month need to be on the schedule."),
    ({"DaysOfMonth": [2147483647]}, "Invalid days found on request."),
    ({"DaysOfMonth": [0]}, "Invalid days found on request."),
    ({"StartDate": "tomorrow"}, "StartDate"),
    ({"Monday": "yes"}, "Monday"),
])
def test_an_unusable_schedule_is_minus_one(symphony: Symphony, fields: dict[str, object], reason: str) -> None:
    response = symphony.post("AddSchedule", _schedule(**fields))
    assert response.status_code == 200 and response.json() == -1
    assert reason in response.headers["X-Error-Message"]
    assert symphony.ok(symphony.get("GetSchedules/Admin/DEMO")) == []


def test_s21_enable_and_disable(symphony: Symphony, db: Database) -> None:
    schedule_id = symphony.ok(symphony.post("AddSchedule", _schedule(DaysOfMonth=[1, 15])))
    listed = symphony.ok(symphony.get("GetSchedules/Admin/DEMO"))[0]
    assert symphony.ok(symphony.post("UpdateScheduleStatus", {**listed, "Active": False})) is True
    assert symphony.ok(symphony.get("GetSchedules/Admin/DEMO"))[0]["Active"] is False
    assert symphony.post("UpdateScheduleStatus", {**listed, "Id": 999999}).status_code == 404
    waiting = symphony.ok(symphony.post("SubmitImportExportRequest", {
        "ObjectType": "Discount", "SelectedOperation": 0, "ScheduleId": schedule_id}))
    assert waiting["Status"] == 9
    # Disabled: the 1st of the month comes and goes without a run.
    with clock.moved_to(datetime(2026, 12, 1, 13, 5)):
        assert schedules.tick(db) == []
    symphony.ok(symphony.post("UpdateScheduleStatus", {**listed, "Active": True}))
    with clock.moved_to(datetime(2026, 12, 1, 13, 5)):
        assert len(schedules.tick(db)) == 1
    # Only exports can be scheduled.
    refused = symphony.post("SubmitImportExportRequest", {"ObjectType": "Discount", "SelectedOperation": 1,
                                                          "ScheduleId": schedule_id, "DataForImport": [65]})
    assert refused.status_code == 400


def test_when_a_schedule_fires(symphony: Symphony, db: Database) -> None:
    """Mondays and the 15th, at 08:00 in the client's zone (UTC-5), from the start date on."""
    symphony.ok(symphony.post("AddSchedule", _schedule(DaysOfMonth=[15])))
    with db.read() as conn:
        row = conn.execute(schedules.ie_schedule.select()).first()
    slots = schedules.due_slots(row, datetime(2026, 11, 29), datetime(2026, 12, 16))
    assert slots == [datetime(2026, 11, 30, 13), datetime(2026, 12, 7, 13), datetime(2026, 12, 14, 13),
                     datetime(2026, 12, 15, 13)]
    assert schedules.due_slots(row, datetime(2025, 12, 1), datetime(2025, 12, 31)) == []  # before its start
    # A server that was down for a day does not replay the missed runs.
    waiting = symphony.ok(symphony.post("SubmitImportExportRequest", {
        "ObjectType": "Discount", "SelectedOperation": 0, "ScheduleId": symphony.ok(
            symphony.get("GetSchedules/Admin/DEMO"))[0]["Id"]}))
    assert waiting["Status"] == 9
    with clock.moved_to(datetime(2026, 12, 8, 13, 0)):
        assert schedules.tick(db) == []
    with clock.moved_to(datetime(2026, 12, 7, 13, 0) + timedelta(minutes=14)):
        assert len(schedules.tick(db)) == 1
