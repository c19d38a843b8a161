"""What a review of the Symphony SOAP API found, kept as tests: signed calls on PostgreSQL, a
fault that must mean nothing was done, text the other APIs accept, timestamps out of range, and
deleting a contact that bookings name."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from backoffice.core.store import Database
from backoffice.core.store.tables import ENTITY_TABLES
from backoffice.demo.events import (
    ALEX_EMAIL,
    ANNUAL_CONFERENCE,
    CONTACT_PASSWORDS,
    JAMIE_EMAIL,
)

from .conftest import Fault, SymphonySoap, q, text

DELEGATE, STANDARD = 201, 301
JSON = {"Accept": "application/json"}


def _events_debtor(admin: TestClient) -> str:
    found = admin.get("/Queries/DebtorList", params={"AccountNo": "EVENTS"}, headers=JSON)
    assert found.status_code == 200, found.text
    return str(found.json()["Results"][0]["DebtorID"])


def _jiwa_contact(admin: TestClient, debtor_id: str, email: str) -> str:
    listed = admin.get(f"/Debtors/{debtor_id}/ContactNames", headers=JSON).json()
    return str(next(c["ContactNameID"] for c in listed if c.get("EmailAddress") == email))


# --- signed calls on PostgreSQL ------------------------------------------------------------------

def test_two_signed_calls_both_pass(soap: SymphonySoap) -> None:
    """Each signature is recorded as seen with INSERT ... ON CONFLICT DO NOTHING and its row count;
    PostgreSQL's came back as -1 unless asked for, and every first use read as a replay there."""
    first = soap.call("GetBooking", {"bookingId": 1})
    assert text(first, "BookingReference") == "B00001"
    second = soap.call("GetBooking", {"bookingId": 1})
    assert text(second, "BookingReference") == "B00001"


# --- a fault means nothing was done -------------------------------------------------------------

def _booking_count(db: Database) -> int:
    booking = ENTITY_TABLES["Booking"]
    with db.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(booking)).scalar_one())


def test_a_fault_answer_means_nothing_was_booked(soap: SymphonySoap, admin: TestClient, db: Database) -> None:
    """A fault must mean nothing was written, or a client that retries on a fault books twice: the
    answer is written before the work is committed. Here the contact's first name (edited through
    the Jiwa API) holds a vertical tab, which XML 1.0 cannot carry."""
    contact = int(soap.call("SubmitContact", {
        "email": "vt@events.example.com", "forename": "Vee", "surname": "Tab", "marketingOptOut": False,
        "dateOfBirth": "0001-01-01T00:00:00"}).text)  # type: ignore[union-attr]
    debtor = _events_debtor(admin)
    edited = admin.patch(f"/Debtors/{debtor}/ContactNames/{_jiwa_contact(admin, debtor, 'vt@events.example.com')}",
                         json={"FirstName": "Vee\x0bTab"})
    assert edited.status_code == 200, edited.text
    before = _booking_count(db)
    attendee = {"AttendeeTypeId": DELEGATE, "ContactId": contact, "TicketTypeId": STANDARD, "MarketingOptOut": False}
    try:
        soap.call("SubmitBookingWithGlobalContact",
                  {"eventId": ANNUAL_CONFERENCE, "attendees": ("AttendeeRequest2", [attendee])})
    except Fault as fault:
        # A fault must mean "not done": nothing may have been written.
        assert _booking_count(db) == before, f"booking written although the client got: {fault}"
    else:
        assert _booking_count(db) == before + 1


# --- text the other APIs accept ------------------------------------------------------------------

def test_a_contact_edited_through_jiwa_with_a_control_character_can_still_log_on(
        soap: SymphonySoap, admin: TestClient) -> None:
    """The Jiwa API stores a first name with a vertical tab (pasted from a spreadsheet); SOAP answers
    showing it still go out, the character written as "?"."""
    debtor = admin.get("/Queries/DebtorList", params={"AccountNo": "C00001"}, headers=JSON).json()["Results"][0]
    contact_id = _jiwa_contact(admin, debtor["DebtorID"], ALEX_EMAIL)
    edited = admin.patch(f"/Debtors/{debtor['DebtorID']}/ContactNames/{contact_id}", json={"FirstName": "Al\x0bex"})
    assert edited.status_code == 200, edited.text
    result = soap.call("CheckLogOn", {"emailAddress": ALEX_EMAIL, "password": CONTACT_PASSWORDS[ALEX_EMAIL]})
    assert result is not None and result.findtext(q("ContactName")) == "Al?ex Buyer1"


# --- timestamps out of range ---------------------------------------------------------------------

@pytest.mark.parametrize("timestamp", ["0001-01-01T00:00+01:00", "9999-12-31T23:59-01:00"])
def test_an_out_of_range_timestamp_is_a_client_fault(soap: SymphonySoap, caplog: pytest.LogCaptureFixture,
                                                      timestamp: str) -> None:
    """A timestamp whose offset takes it outside the calendar is the caller's error, and logs nothing
    (no caller without a key may fill the error log)."""
    with caplog.at_level(logging.ERROR, logger="backoffice.asmx"), pytest.raises(Fault) as refused:
        soap.call("GetBooking", {"bookingId": 1},
                  auth=soap.auth("GetBooking", timestamp=timestamp, api_key="XYZ", secret="guess"))
    assert refused.value.code == "soap:Client", refused.value
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# --- deleting a booked contact -------------------------------------------------------------------

def test_deleting_a_booked_contact_through_jiwa_says_it_is_in_use(soap: SymphonySoap, admin: TestClient) -> None:
    """Jamie (EVENTS) leads and attends a booking: deleting the contact is RecordInUse, not a clash to
    "reload and retry"."""
    debtor = _events_debtor(admin)
    response = admin.delete(f"/Debtors/{debtor}/ContactNames/{_jiwa_contact(admin, debtor, JAMIE_EMAIL)}",
                            headers=JSON)
    assert response.status_code == 409, response.text
    assert response.json()["ResponseStatus"]["ErrorCode"] == "RecordInUse", response.text
