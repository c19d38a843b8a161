"""Every operation over SOAP, on the demo's events, bookings and contacts (docs/demo.md)."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from backoffice.core import mail
from backoffice.demo.events import (
    ABSTRACTS_PASSWORD,
    ABSTRACTS_USERNAME,
    ALEX,
    ALEX_EMAIL,
    ANNUAL_CONFERENCE,
    ARCHIVED_EVENT,
    CONTACT_PASSWORDS,
    INVOICE_SECURE_KEY,
    JAMIE,
    JAMIE_EMAIL,
    NO_EMAIL_CONTACT,
    SAM,
    TEST_EVENT,
)
from backoffice.settings import Settings

from .conftest import Fault, SymphonySoap, items, q, text

DELEGATE, SPEAKER, STANDARD, EARLY_BIRD = 201, 202, 301, 302
B00001 = 1


def _int(element: etree._Element | None) -> int:
    assert element is not None and element.text is not None
    return int(element.text)


# --- contacts, log-on, tokens ----------------------------------------------------------

def test_check_log_on(soap: SymphonySoap) -> None:
    result = soap.call("CheckLogOn", {"emailAddress": ALEX_EMAIL.upper(), "password": CONTACT_PASSWORDS[ALEX_EMAIL]})
    assert [child.tag for child in result] == [q("ContactID"), q("ContactName"), q("ContactRegStatus")]
    assert (text(result, "ContactID"), text(result, "ContactName"), text(result, "ContactRegStatus")) == \
        (str(ALEX), "Alex Buyer1", "1")
    for email, password in ((ALEX_EMAIL, "wrong"), ("nobody@example.com", "x"), ("", "")):
        with pytest.raises(Fault) as refused:
            soap.call("CheckLogOn", {"emailAddress": email, "password": password})
        assert refused.value.code == "soap:Client"
        assert refused.value.message == "The email address or password is incorrect."


def test_check_attendee_log_on(soap: SymphonySoap) -> None:
    result = soap.call("CheckAttendeeLogOn", {"emailAddress": ALEX_EMAIL, "password": CONTACT_PASSWORDS[ALEX_EMAIL],
                                              "attendeeId": 1, "bookingId": B00001})
    assert [c.tag for c in result][:4] == [q("AttendeeID"), q("BookingID"), q("Forename"), q("Surname")]
    assert (text(result, "AttendeeID"), text(result, "Surname"), text(result, "AttendeeReference")) == \
        ("1", "Buyer1", "A00001")
    right = CONTACT_PASSWORDS[ALEX_EMAIL]
    for attendee, booking, password in ((2, B00001, right), (1, 2, right), (1, B00001, "wrong")):
        with pytest.raises(Fault, match="The email address or password is incorrect."):
            soap.call("CheckAttendeeLogOn", {"emailAddress": ALEX_EMAIL, "password": password,
                                             "attendeeId": attendee, "bookingId": booking})


def test_authenticate_abstracts_user(soap: SymphonySoap) -> None:
    result = soap.call("AuthenticateAbstractsUser", {"username": ABSTRACTS_USERNAME, "password": ABSTRACTS_PASSWORD})
    assert text(result, "ClientUserId") == "501"
    with pytest.raises(Fault, match="The username or password is incorrect."):
        soap.call("AuthenticateAbstractsUser", {"username": ABSTRACTS_USERNAME, "password": "nope"})


CONTACT = {"email": "lee.new@events.example.com", "title": "Ms", "forename": "Lee", "surname": "New",
           "organisation": "New & Co <Ltd>", "occupation": "Buyer", "paName": "Pat", "marketingOptOut": True,
           "line1": "1 Main St", "line2": "", "line3": "", "town": "Ballarat", "county": "VIC",
           "postcode": "3350", "country": "Australia", "telephone": "03 5000 0000", "fax": "",
           "mobile": "0400 000 000", "website": "https://new.example.com", "reference": "REF-1", "code": "C1",
           "dateOfBirth": "1985-02-03T00:00:00"}


def test_submit_contact_then_update_it(soap: SymphonySoap) -> None:
    contact_id = _int(soap.call("SubmitContact", CONTACT))
    assert contact_id > JAMIE
    with pytest.raises(Fault, match="already exists"):
        soap.call("SubmitContact", {**CONTACT, "email": "LEE.NEW@events.example.com"})
    with pytest.raises(Fault, match="Missing parameter: marketingOptOut"):
        soap.call("SubmitContact", {k: v for k, v in CONTACT.items() if k != "marketingOptOut"})
    # UpdateContact: an omitted string leaves the field, an empty one clears it; the password is set.
    update = {"contactId": contact_id, "email": "lee.new@events.example.com", "forename": "Leigh", "surname": "New",
              "organisation": "", "marketingOptOut": False, "dateOfBirth": "1985-02-04", "password": "lee-pw",
              "reg_status": 1, "profile_string": "vip;speaker"}
    assert _int(soap.call("UpdateContact", update)) == contact_id
    logon = soap.call("CheckLogOn", {"emailAddress": "lee.new@events.example.com", "password": "lee-pw"})
    assert (text(logon, "ContactName"), text(logon, "ContactRegStatus")) == ("Leigh New", "1")
    with pytest.raises(Fault, match="not a date"):
        soap.call("UpdateContact", {**update, "dateOfBirth": "next Tuesday"})
    with pytest.raises(Fault, match="was not found"):
        soap.call("UpdateContact", {**update, "contactId": 999999})
    # UpdateContact2 with its profile values.
    changed = soap.call("UpdateContact2", {
        "contactId": contact_id, "email": "lee.new@events.example.com", "forename": "Lee", "surname": "New",
        "country": "New Zealand", "marketingOptOut": True, "password": "", "reg_status": 0,
        "profileValueIds": ("int", [7, 9])})
    assert _int(changed) == contact_id
    again = soap.call("CheckLogOn", {"emailAddress": "lee.new@events.example.com", "password": "lee-pw"})
    assert text(again, "ContactRegStatus") == "0"  # an empty password left the old one


def test_generate_token_deletes_the_others_and_single_use_works_once(soap: SymphonySoap, settings: Settings) -> None:
    def generate(single: bool) -> str:
        result = soap.call("GenerateTokenForContact", {"tokenType": "ContactRegistration", "contactId": JAMIE,
                                                       "isSingleUse": single})
        assert (text(result, "ContactId"), text(result, "ContactEmail")) == (str(JAMIE), JAMIE_EMAIL)
        body = [m for m in mail.outbox(settings.mail()) if m.to == JAMIE_EMAIL][-1].body()
        found = re.search(r"[A-Za-z0-9_-]{40,}", body)
        assert found
        return found.group(0)

    first = generate(False)
    second = generate(True)
    verify = {"tokenType": "ContactRegistration"}
    with pytest.raises(Fault, match="The token is not valid."):
        soap.call("VerifyTokenForContact", {**verify, "tokenValue": first})  # replaced by the second
    result = soap.call("VerifyTokenForContact", {**verify, "tokenValue": second})
    assert (text(result, "ContactId"), text(result, "ContactEmail")) == (str(JAMIE), JAMIE_EMAIL)
    with pytest.raises(Fault, match="The token is not valid."):
        soap.call("VerifyTokenForContact", {**verify, "tokenValue": second})  # single use
    with pytest.raises(Fault, match="Unknown tokenType 'PasswordReset'. Options are \\[ContactRegistration\\]"):
        soap.call("GenerateTokenForContact", {"tokenType": "PasswordReset", "contactId": JAMIE, "isSingleUse": True})
    with pytest.raises(Fault, match="has no e-mail address"):
        soap.call("GenerateTokenForContact", {"tokenType": "ContactRegistration", "contactId": NO_EMAIL_CONTACT,
                                              "isSingleUse": True})
    with pytest.raises(Fault, match="was not found"):
        soap.call("GenerateTokenForContact", {"tokenType": "ContactRegistration", "contactId": 424242,
                                              "isSingleUse": True})


# --- events, sessions, ticket types ----------------------------------------------------

def _events(soap: SymphonySoap, contact: int, archived: bool, test: bool) -> list[str | None]:
    found = soap.call("GetEventsByContactId", {"contactId": contact, "includeArchived": archived,
                                               "isTestBookingForm": test})
    return [text(e, "EventId") for e in items(found, "ContactEventResponse")]


def test_get_events_by_contact_id(soap: SymphonySoap) -> None:
    assert _events(soap, ALEX, False, False) == [str(ANNUAL_CONFERENCE)]
    assert _events(soap, JAMIE, False, False) == []
    assert _events(soap, JAMIE, False, True) == [str(TEST_EVENT)]
    # Sam's only booking is cancelled (and its event archived).
    assert _events(soap, SAM, True, False) == []
    found = soap.call("GetEventsByContactId", {"contactId": ALEX, "includeArchived": False, "isTestBookingForm": False})
    first = items(found, "ContactEventResponse")[0]
    assert [c.tag for c in first][:3] == [q("ContactId"), q("EventId"), q("EventName")]
    assert text(first, "EventName") == "Annual Trade Conference"
    assert text(first, "StartDate") == "2027-03-15T09:00:00"


@pytest.mark.parametrize(("operation", "type_name"), [("GetContactEventHistory", "ContactEventHistoryResponse"),
                                                      ("GetContactEventHistory2", "ContactEventHistoryResponse2")])
def test_get_contact_event_history(soap: SymphonySoap, operation: str, type_name: str) -> None:
    history = items(soap.call(operation, {"email": "SAM@c00001.example.com"}), type_name)
    assert [c.tag for c in history[0]][:6] == [q(n) for n in ("EventId", "EventTitle", "Description", "EndDate",
                                                                "StartDate", "AttendeeStatus")]
    # Sam's one attendance: the booking was cancelled, and so the attendee.
    assert [(text(h, "EventId"), text(h, "AttendeeStatus"), text(h, "BookingReference")) for h in history] == \
        [(str(ARCHIVED_EVENT), "Cancelled", "B00003")]
    assert items(soap.call(operation, {"email": "nobody@example.com"}), type_name) == []


def test_get_bookable_sessions(soap: SymphonySoap) -> None:
    sessions = items(soap.call("GetBookableSessions", {"eventId": ANNUAL_CONFERENCE}), "BookableSessionResponse")
    assert [(text(s, "Code"), text(s, "AllowGuests")) for s in sessions] == [("KEY1", "true"), ("WS1", "false")]
    assert text(sessions[0], "EndDateTime") == "2027-03-15T10:30:00"
    with pytest.raises(Fault, match="Event 999 was not found"):
        soap.call("GetBookableSessions", {"eventId": 999})


def test_ticket_types(soap: SymphonySoap) -> None:
    listed = items(soap.call("GetTicketTypes2", {"eventId": ANNUAL_CONFERENCE}), "TicketTypeResponse")
    assert [(text(t, "Name"), text(t, "GrossPrice"), text(t, "TaxRate")) for t in listed] == \
        [("Standard", "220.00", "10.00"), ("Early Bird", "176.00", "10.00")]
    assert text(listed[1], "MinAge") == "18" and text(listed[0], "ExternalSite", ).startswith("https://")
    one = soap.call("GetTicketTypeById", {"ticketTypeId": STANDARD})
    kinds = one.find(q("AttendeeTypes"))
    assert [text(k, "Name") for k in items(kinds, "AttendeeTypeResponse")] == ["Delegate", "Speaker"]
    with pytest.raises(Fault, match="not found"):
        soap.call("GetTicketTypeById", {"ticketTypeId": 1})


def test_set_event_external_system_id(soap: SymphonySoap) -> None:
    assert soap.call("SetEventExternalSystemId", {"request": {"EventId": ANNUAL_CONFERENCE,
                                                              "ExternalSystemId": "CRM-77"}}) is None
    found = soap.call("GetEventsByContactId", {"contactId": ALEX, "includeArchived": False, "isTestBookingForm": False})
    assert text(items(found, "ContactEventResponse")[0], "ExternalSystemId") == "CRM-77"
    with pytest.raises(Fault, match="not found"):
        soap.call("SetEventExternalSystemId", {"request": {"EventId": 5, "ExternalSystemId": "x"}})


# --- bookings --------------------------------------------------------------------------

def test_get_booking(soap: SymphonySoap) -> None:
    booking = soap.call("GetBooking", {"bookingId": B00001})
    assert [c.tag for c in booking][:8] == [q(n) for n in ("BookingId", "BookingReference", "BookingStatus",
                                                            "CreatedDate", "GrossCost", "NetCost", "Tax", "IsTest")]
    assert (text(booking, "BookingReference"), text(booking, "BookingStatus"), text(booking, "GrossCost"),
            text(booking, "IsTest")) == ("B00001", "Completed", "616.00", "false")
    assert text(booking, "CreatedDate") == "2026-11-20T10:00:00Z"
    attendees = items(booking.find(q("Attendees")), "AttendeeResponse")
    assert [text(a, "AttendeeReference") for a in attendees] == ["A00001", "A00002", "A00003"]
    with pytest.raises(Fault, match="was not found"):
        soap.call("GetBooking", {"bookingId": 999})


def test_bookings_by_email_and_in_batches(soap: SymphonySoap) -> None:
    found = items(soap.call("GetBookingsByEmail", {"eventId": ANNUAL_CONFERENCE, "email": ALEX_EMAIL}),
                  "BookingResponse")
    assert [text(b, "BookingReference") for b in found] == ["B00001"]
    for n in range(3):
        soap.call("SubmitSimpleBooking", {"eventid": ANNUAL_CONFERENCE, "attendeeTypeId": DELEGATE,
                                          "ticketTypeId": STANDARD, "contactId": SAM if n else JAMIE})
    page = items(soap.call("GetBookingsBatch", {"eventId": ANNUAL_CONFERENCE, "skip": 1, "size": 2}),
                 "BookingResponse")
    assert [text(b, "BookingReference") for b in page] == ["B00004", "B00005"]
    ext = items(soap.call("GetExtBookingsBatch", {"eventId": ANNUAL_CONFERENCE, "skip": 0, "size": 500}),
                "BookingExtResponse")
    assert [text(b, "BookingReference") for b in ext] == ["B00001", "B00004", "B00005", "B00006"]
    assert (text(ext[0], "EventName"), text(ext[0], "AttendeeCount")) == ("Annual Trade Conference", "3")
    assert items(soap.call("GetBookingsBatch", {"eventId": ANNUAL_CONFERENCE, "skip": 10, "size": 5}),
                 "BookingResponse") == []
    for size in (0, 501):
        with pytest.raises(Fault):
            soap.call("GetBookingsBatch", {"eventId": ANNUAL_CONFERENCE, "skip": 0, "size": size})


@pytest.mark.parametrize(("operation", "status", "subject"), [
    ("SubmitSimpleBooking", "Provisional", "updated"), ("SubmitSimpleBooking2", "Completed", "completed")])
def test_simple_bookings_and_their_mails(soap: SymphonySoap, settings: Settings, operation: str, status: str,
                                         subject: str) -> None:
    made = soap.call(operation, {"eventid": ANNUAL_CONFERENCE, "attendeeTypeId": SPEAKER, "ticketTypeId": EARLY_BIRD,
                                 "contactId": JAMIE})
    assert [c.tag for c in made][:2] == [q("BookingId"), q("AttendeeId")]
    booking = soap.call("GetBooking", {"bookingId": _int(made.find(q("BookingId")))})
    assert (text(booking, "BookingStatus"), text(booking, "GrossCost"), text(booking, "Tax")) == \
        (status, "176.00", "16.00")
    sent = [m for m in mail.outbox(settings.mail()) if m.to == JAMIE_EMAIL]
    assert len(sent) == 1 and subject in sent[0].subject.lower() and text(made, "BookingReference") in sent[0].subject
    # The eventid spelling is the vendor's: eventId is not it.
    with pytest.raises(Fault, match="Missing parameter: eventid"):
        soap.call(operation, {"eventId": ANNUAL_CONFERENCE, "attendeeTypeId": SPEAKER, "ticketTypeId": EARLY_BIRD,
                              "contactId": JAMIE})


def test_simple_booking_with_a_status(soap: SymphonySoap) -> None:
    made = soap.call("SubmitSimpleBookingWithBookingStatus2", {
        "eventId": ANNUAL_CONFERENCE, "attendeeTypeId": DELEGATE, "ticketTypeId": STANDARD, "bookingStatusId": 3,
        "contactId": ALEX})
    assert text(soap.call("GetBooking", {"bookingId": _int(made.find(q("BookingId")))}), "BookingStatus") == \
        "Cancelled"
    with pytest.raises(Fault, match="bookingStatusId 9"):
        soap.call("SubmitSimpleBookingWithBookingStatus2", {
            "eventId": ANNUAL_CONFERENCE, "attendeeTypeId": DELEGATE, "ticketTypeId": STANDARD,
            "bookingStatusId": 9, "contactId": ALEX})
    with pytest.raises(Fault, match="archived"):
        soap.call("SubmitSimpleBookingWithBookingStatus2", {
            "eventId": ARCHIVED_EVENT, "attendeeTypeId": 203, "ticketTypeId": 303, "bookingStatusId": 1,
            "contactId": ALEX})
    with pytest.raises(Fault):  # a ticket type of another event
        soap.call("SubmitSimpleBookingWithBookingStatus2", {
            "eventId": ANNUAL_CONFERENCE, "attendeeTypeId": DELEGATE, "ticketTypeId": 305, "bookingStatusId": 1,
            "contactId": ALEX})


def _attendee(item_type: str, **values: object) -> dict[str, object]:
    base: dict[str, object] = {"AttendeeTypeId": DELEGATE, "ContactId": 0, "TicketTypeId": STANDARD,
                               "MarketingOptOut": False}
    return {item_type: {**base, **values}}


def test_bookings_with_attendees(soap: SymphonySoap) -> None:
    global_contact = soap.call("SubmitBookingWithGlobalContact", {
        "eventId": ANNUAL_CONFERENCE,
        "attendees": ("AttendeeRequest2", [
            {"AttendeeTypeId": DELEGATE, "ContactId": SAM, "TicketTypeId": STANDARD, "MarketingOptOut": False},
            {"AttendeeTypeId": SPEAKER, "ContactId": 0, "TicketTypeId": EARLY_BIRD, "Title": "Prof",
             "Forename": "Quinn", "Surname": "Ng", "MarketingOptOut": True, "Email": "quinn@example.org"}])})
    attendees = items(global_contact.find(q("Attendees")), "AttendeeResponse")
    assert [(text(a, "Surname"), text(a, "ContactId")) for a in attendees] == [("Payer1", str(SAM)), ("Ng", "0")]
    assert text(global_contact, "GrossCost") == "396.00"

    second = soap.call("SubmitBooking2", {
        "eventId": ANNUAL_CONFERENCE,
        "attendees": ("AttendeeRequest3", [{"AttendeeTypeId": DELEGATE, "ContactId": 0, "TicketTypeId": STANDARD,
                                            "Forename": "Ari", "Surname": "Lo", "MarketingOptOut": False,
                                            "Email": "ari@example.org", "Reference": "EXT-9", "Code": "VIP"}]),
        "purchaseOrderNumber": "PO-77", "notes": "Wheelchair access"})
    assert (text(second, "PurchaseOrderNumber"), text(second, "Notes")) == ("PO-77", "Wheelchair access")
    booking_id = _int(second.find(q("BookingId")))

    grown = soap.call("AddAttendeesToBooking", {
        "bookingId": booking_id, "eventId": ANNUAL_CONFERENCE,
        "attendees": ("AttendeeRequest", [{"AttendeeTypeId": DELEGATE, "ContactId": JAMIE, "TicketTypeId": EARLY_BIRD,
                                           "MarketingOptOut": False}])})
    assert [text(a, "Surname") for a in items(grown.find(q("Attendees")), "AttendeeResponse")] == ["Lo", "Delegate"]
    assert text(grown, "GrossCost") == "396.00"
    with pytest.raises(Fault):  # the booking is not of that event
        soap.call("AddAttendeesToBooking", {"bookingId": booking_id, "eventId": TEST_EVENT, "attendees": (
            "AttendeeRequest", [{"AttendeeTypeId": DELEGATE, "ContactId": JAMIE, "TicketTypeId": STANDARD,
                                 "MarketingOptOut": False}])})
    with pytest.raises(Fault):  # nobody to book
        soap.call("SubmitBooking2", {"eventId": ANNUAL_CONFERENCE, "attendees": ("AttendeeRequest3", [])})


# --- attendees, abstracts, invoices ----------------------------------------------------

def test_get_attendees_by_event_surname(soap: SymphonySoap) -> None:
    found = items(soap.call("GetAttendeesByEventSurname", {"eventId": ANNUAL_CONFERENCE, "surname": "smi"}),
                  "AttendeeSurnameSearchResponse")
    assert [(text(a, "Forename"), text(a, "AttendeeReference"), text(a, "BookingReference")) for a in found] == \
        [("Morgan", "A00002", "B00001"), ("Taylor", "A00003", "B00001")]
    assert [c.tag for c in found[0]][:3] == [q("AttendeeId"), q("AttendeeReference"), q("BookingId")]
    with pytest.raises(Fault, match="surname"):
        soap.call("GetAttendeesByEventSurname", {"eventId": ANNUAL_CONFERENCE, "surname": ""})


def test_cancel_attendee_as_on_the_help_page(soap: SymphonySoap) -> None:
    # Help.aspx's own example cancels A00001.
    assert soap.call("CancelAttendee", {"attendeeReference": "A00001"}) is None
    booking = soap.call("GetBooking", {"bookingId": B00001})
    statuses = [text(a, "AttendeeStatus") for a in items(booking.find(q("Attendees")), "AttendeeResponse")]
    assert statuses == ["Cancelled", "Booked", "Booked"]
    assert text(booking, "GrossCost") == "396.00"
    assert soap.call("CancelAttendee", {"attendeeReference": "A00001"}) is None  # again: no error
    with pytest.raises(Fault, match="A09999 was not found"):
        soap.call("CancelAttendee", {"attendeeReference": "A09999"})


def test_get_submission_detail(soap: SymphonySoap) -> None:
    detail = soap.call("GetSubmissionDetail", {"bookingId": B00001})
    assert [c.tag for c in detail][:5] == [q(n) for n in ("AbstractUrl", "AbstractFileKey", "AbstractText",
                                                           "AbstractRtfText", "AbstractVotes")]
    votes = items(detail.find(q("AbstractVotes")), "AbstractVoteResponse")
    assert [text(v, "Score") for v in votes] == ["4", "5"]
    with pytest.raises(Fault):
        soap.call("GetSubmissionDetail", {"bookingId": 2})


def test_get_invoice_details(soap: SymphonySoap) -> None:
    invoice = soap.call("GetInvoiceDetails", {"secureKey": INVOICE_SECURE_KEY})
    assert (text(invoice, "InvoiceReference"), text(invoice, "TotalGross"), text(invoice, "PaymentStatus")) == \
        ("INV00001", "616.00", "PartPaid")
    payments = items(invoice.find(q("InvoicePayments")), "InvoicePaymentResponse")
    assert [(text(p, "Amount"), text(p, "PaymentMethod")) for p in payments] == [("300.00", "Card")]
    with pytest.raises(Fault, match="No invoice has that secure key"):
        soap.call("GetInvoiceDetails", {"secureKey": INVOICE_SECURE_KEY + "x"})
