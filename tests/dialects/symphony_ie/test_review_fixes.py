"""Defects a review found, each kept from coming back: requests that never ended, 500s from odd
addresses and dates, schedules replaying the past, one-time codes' tries reset by asking again."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from backoffice.core import clock, mail
from backoffice.core.jobs import schedules, transfer
from backoffice.core.jobs.worker import run_pending
from backoffice.core.store import Database
from backoffice.settings import Settings

from .conftest import SECURITY, Symphony


def test_a_request_that_fails_unexpectedly_ends_in_error(symphony: Symphony, db: Database,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any, **__: Any) -> int:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(transfer, "export_csv", broken)
    submitted = symphony.ok(symphony.post("SubmitImportExportRequest", {"ObjectType": "Role"}))
    run_pending(db)
    assert symphony.ok(symphony.get(f"GetRequestStatus/{submitted['RequestId']}/Admin/DEMO"))["Status"] == 6
    reason = bytes(symphony.ok(symphony.get(f"GetFileData/{submitted['RequestId']}/Admin/DEMO"))).decode()
    assert "failed on the server" in reason and "disk on fire" not in reason


@pytest.mark.parametrize("fields", [{"ObjectNumberFilter": "99999999999999999999"},
                                    {"SortExpressions": [{"m_Item1": "Name", "m_Item2": "ascending"}]}])
def test_what_an_export_cannot_do_is_refused_at_submit(symphony: Symphony, fields: dict[str, Any]) -> None:
    assert symphony.post("SubmitImportExportRequest", {"ObjectType": "Role", **fields}).status_code == 400


@pytest.mark.parametrize("path", ["GetRequestStatus/%C2%B2/Admin/DEMO", "GetRequests/%C2%B2/Admin/DEMO",
                                  "GetRequests/" + "9" * 5000 + "/Admin/DEMO", "GetFileData/-1/Admin/DEMO"])
def test_odd_numbers_in_the_address_are_400s(symphony: Symphony, path: str) -> None:
    assert symphony.get(path).status_code == 400


@pytest.mark.parametrize("start", ["\\/Date(-62135596800000-0500)\\/", "\\/Date(253402300799000+1400)\\/"])
def test_schedules_at_the_edge_of_the_calendar_are_minus_one(symphony: Symphony, start: str) -> None:
    body = {"Name": "Edge", "UserName": "Admin", "Monday": True, "StartDate": start}
    assert symphony.ok(symphony.post("AddSchedule", body)) == -1
    assert symphony.get("GetSchedules/Admin/DEMO").status_code == 200


def _daily(symphony: Symphony, at: datetime) -> int:
    ms = int((at - datetime(1970, 1, 1)).total_seconds() * 1000)
    days = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
    schedule_id = symphony.ok(symphony.post("AddSchedule", {
        "Name": "Every day", "UserName": "Admin", **{d: True for d in days},
        "StartDate": f"\\/Date({ms - 86_400_000}+0000)\\/", "TimeOfDay": f"\\/Date({ms}+0000)\\/"}))
    symphony.ok(symphony.post("SubmitImportExportRequest", {"ObjectType": "Role", "ScheduleId": schedule_id}))
    return int(schedule_id)


def test_a_schedule_never_runs_a_slot_from_before_it_was_made(symphony: Symphony, db: Database) -> None:
    _daily(symphony, clock.now().replace(second=0, microsecond=0) - timedelta(minutes=5))
    assert schedules.tick(db) == []  # five minutes ago the schedule did not exist yet


def test_a_slot_missed_while_disabled_stays_missed(symphony: Symphony, db: Database) -> None:
    start = clock.now()
    _daily(symphony, start.replace(second=0, microsecond=0) + timedelta(minutes=10))
    listed = symphony.ok(symphony.get("GetSchedules/Admin/DEMO"))[0]
    symphony.ok(symphony.post("UpdateScheduleStatus", {**listed, "Active": False}))
    with clock.moved_to(start + timedelta(minutes=11)):
        assert schedules.tick(db) == []
    with clock.moved_to(start + timedelta(minutes=12)):
        symphony.ok(symphony.post("UpdateScheduleStatus", {**listed, "Active": True}))
        assert schedules.tick(db) == []  # the 10-minute slot came while it was off
    with clock.moved_to(start + timedelta(days=1, minutes=11)):
        assert len(schedules.tick(db)) == 1  # the next day's runs as usual


def test_asking_for_a_new_code_gives_no_new_tries(client: TestClient, settings: Settings) -> None:
    maria = {"orgCode": "DEMO", "password": "maria-password", "userName": "Maria"}
    for _ in range(3):
        assert client.post(f"{SECURITY}/GenerateOneTimeCode", json=maria).status_code == 200
        for _ in range(5):
            client.post(f"{SECURITY}/ValidateToken", json=maria, headers={"OneTimeCode": "000000"})
    client.post(f"{SECURITY}/GenerateOneTimeCode", json=maria)
    body = mail.outbox(settings.mail())[-1].body()
    code = re.search(r"\b(\d{6})\b", body).group(1)  # type: ignore[union-attr]
    # Five wrong tries spent: even the right code of a new mail no longer works within the window.
    assert client.post(f"{SECURITY}/ValidateToken", json=maria, headers={"OneTimeCode": code}).json() is False
    # And codes cannot be asked for without end: five in the window, then no more.
    assert client.post(f"{SECURITY}/GenerateOneTimeCode", json=maria).status_code == 200
    assert client.post(f"{SECURITY}/GenerateOneTimeCode", json=maria).status_code == 401
