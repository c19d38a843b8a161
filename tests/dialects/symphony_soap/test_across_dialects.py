"""One core: a contact written through the SOAP API is a debtor's contact in the Jiwa API, and a
contact added through Jiwa is a Symphony contact at once."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from backoffice.demo.events import ANNUAL_CONFERENCE

from .conftest import Fault, SymphonySoap, items, q, text

DEBTOR = "0000000061000000001V"  # the demo's C00001


def _events_debtor(admin: TestClient) -> dict[str, object]:
    listing = admin.get("/Queries/DebtorList", params={"AccountNo": "EVENTS"}).json()["Results"]
    assert len(listing) == 1
    debtor = admin.get(f"/Debtors/{listing[0]['DebtorID']}").json()
    assert isinstance(debtor, dict)
    return debtor


def test_a_contact_submitted_through_soap_is_a_jiwa_contact(soap: SymphonySoap, admin: TestClient) -> None:
    contact_id = soap.call("SubmitContact", {
        "email": "drew.soap@events.example.com", "title": "Dr", "forename": "Drew", "surname": "Soap",
        "telephone": "03 9999 0000", "mobile": "0411 111 111", "marketingOptOut": False,
        "dateOfBirth": "0001-01-01T00:00:00"})
    assert contact_id is not None
    debtor = _events_debtor(admin)
    assert debtor["Name"] == "Event contacts"
    drew = next(c for c in debtor["ContactNames"] if c["Surname"] == "Soap")
    assert (drew["FirstName"], drew["Title"], drew["EmailAddress"], drew["Phone"], drew["Mobile"]) == \
        ("Drew", "Dr", "drew.soap@events.example.com", "03 9999 0000", "0411 111 111")

    # A Jiwa edit is the Symphony contact's too, and keeps its number and password.
    soap.call("UpdateContact2", {"contactId": int(contact_id.text or 0), "email": "drew.soap@events.example.com",
                                 "forename": "Drew", "surname": "Soap", "marketingOptOut": False,
                                 "password": "drew-pw", "reg_status": 1})
    path = f"/Debtors/{debtor['DebtorID']}/ContactNames/{drew['ContactNameID']}"
    assert admin.patch(path, json={"FirstName": "Andrew"}).status_code == 200
    logon = soap.call("CheckLogOn", {"emailAddress": "drew.soap@events.example.com", "password": "drew-pw"})
    assert (text(logon, "ContactID"), text(logon, "ContactName")) == (contact_id.text, "Andrew Soap")


def test_a_contact_added_through_jiwa_is_a_symphony_contact(soap: SymphonySoap, admin: TestClient) -> None:
    added = admin.post(f"/Debtors/{DEBTOR}/ContactNames",
                       json={"FirstName": "Kim", "Surname": "Lee", "EmailAddress": "kim.lee@c00001.example.com"})
    assert added.status_code == 201, added.text
    # The address is taken: SOAP sees the Jiwa contact.
    with pytest.raises(Fault, match="already exists"):
        soap.call("SubmitContact", {"email": "KIM.LEE@c00001.example.com", "surname": "Lee",
                                    "marketingOptOut": False, "dateOfBirth": "0001-01-01T00:00:00"})
    # Booked by its number (the contact has one, though Jiwa never shows it), it books as itself.
    bookings_before = items(soap.call("GetBookingsByEmail", {"eventId": ANNUAL_CONFERENCE,
                                                             "email": "kim.lee@c00001.example.com"}),
                            "BookingResponse")
    assert bookings_before == []
    history = soap.call("GetContactEventHistory", {"email": "kim.lee@c00001.example.com"})
    assert items(history, "ContactEventHistoryResponse") == []
    made = soap.call("SubmitBooking2", {
        "eventId": ANNUAL_CONFERENCE,
        "attendees": ("AttendeeRequest3", [{"AttendeeTypeId": 201, "ContactId": 0, "TicketTypeId": 301,
                                            "MarketingOptOut": False, "Forename": "Kim", "Surname": "Lee",
                                            "Email": "kim.lee@c00001.example.com"}])})
    assert made is not None and made.find(q("Attendees")) is not None
    history = items(soap.call("GetContactEventHistory", {"email": "kim.lee@c00001.example.com"}),
                    "ContactEventHistoryResponse")
    assert [text(h, "EventTitle") for h in history] == ["Annual Trade Conference"]
