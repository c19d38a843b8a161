"""A SOAP client generated from the served WSDL (zeep, as a .NET or Java client would be from
``?WSDL``), over a real socket, through both bindings."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from zeep import Client
from zeep.exceptions import Fault as ZeepFault

from backoffice.core.auth import signing
from backoffice.core.clock import moved_to
from backoffice.demo.events import ANNUAL_CONFERENCE

from .conftest import NOON, PATH


class Signer:
    def __init__(self, key: signing.IssuedSoapKey) -> None:
        self.key = key
        self.ms = 0

    def header(self, operation: str, *, secret: str | None = None) -> dict[str, dict[str, str]]:
        self.ms += 1
        ts = signing.utc_timestamp(NOON.replace(microsecond=self.ms * 1000))
        return {"AuthenticationHeader": {
            "Timestamp": ts, "Operation": operation, "APIKey": self.key.api_key,
            "Signature": signing.signature(secret or self.key.secret_key, operation, ts)}}


@pytest.fixture
def generated(live_server: str) -> Iterator[Client]:
    with moved_to(NOON):
        yield Client(f"{live_server}{PATH}?WSDL")


@pytest.mark.parametrize("port", ["SymphonyAPISoap", "SymphonyAPISoap12"])
def test_a_generated_client_works_through_both_bindings(generated: Client, soap_key: signing.IssuedSoapKey,
                                                         live_server: str, port: str) -> None:
    sign = Signer(soap_key)
    service = generated.bind("SymphonyAPI", port)
    # The service addresses itself where it was called, so the generated client needs no base URL.
    assert generated.wsdl.services["SymphonyAPI"].ports[port].binding_options["address"] == f"{live_server}{PATH}"

    contact_id = service.SubmitContact(
        email=f"generated.{port.lower()}@events.example.com", forename="Gen", surname="Client",
        marketingOptOut=True, dateOfBirth="1990-05-17T00:00:00", _soapheaders=sign.header("SubmitContact"))
    assert isinstance(contact_id, int) and contact_id > 0

    logon = service.UpdateContact2(contactId=contact_id, email=f"generated.{port.lower()}@events.example.com",
                                   forename="Gen", surname="Client", marketingOptOut=True,
                                   password="generated-pw", reg_status=1, profileValueIds={"int": [3, 5]},
                                   _soapheaders=sign.header("UpdateContact2"))
    assert logon == contact_id
    checked = service.CheckLogOn(emailAddress=f"generated.{port.lower()}@events.example.com",
                                 password="generated-pw", _soapheaders=sign.header("CheckLogOn"))
    assert (checked.ContactID, checked.ContactName, checked.ContactRegStatus) == (contact_id, "Gen Client", 1)

    events = service.GetEventsByContactId(contactId=contact_id, includeArchived=True, isTestBookingForm=False,
                                          _soapheaders=sign.header("GetEventsByContactId"))
    assert events == [] or events is None

    tickets = service.GetTicketTypes2(eventId=ANNUAL_CONFERENCE, _soapheaders=sign.header("GetTicketTypes2"))
    assert tickets, "the demo's first event has ticket types"
    first = tickets[0]
    assert isinstance(first.GrossPrice, Decimal) and first.AttendeeTypes.AttendeeTypeResponse

    booking = service.SubmitSimpleBooking2(
        eventid=ANNUAL_CONFERENCE, attendeeTypeId=first.AttendeeTypes.AttendeeTypeResponse[0].AttendeeTypeId,
        ticketTypeId=first.TicketTypeId, contactId=contact_id, _soapheaders=sign.header("SubmitSimpleBooking2"))
    assert booking.BookingReference.startswith("B") and booking.AttendeeReference.startswith("A")

    full = service.GetBooking(bookingId=booking.BookingId, _soapheaders=sign.header("GetBooking"))
    assert full.BookingStatus == "Completed" and full.GrossCost == first.GrossPrice
    assert [a.AttendeeReference for a in full.Attendees.AttendeeResponse] == [booking.AttendeeReference]

    # A void operation with a complex parameter, then a void operation with a simple one.
    assert service.SetEventExternalSystemId(request={"EventId": ANNUAL_CONFERENCE, "ExternalSystemId": f"CRM-{port}"},
                                            _soapheaders=sign.header("SetEventExternalSystemId")) is None
    assert service.CancelAttendee(attendeeReference=booking.AttendeeReference,
                                  _soapheaders=sign.header("CancelAttendee")) is None
    again = service.GetBooking(bookingId=booking.BookingId, _soapheaders=sign.header("GetBooking"))
    assert again.Attendees.AttendeeResponse[0].AttendeeStatus == "Cancelled"


def test_a_generated_client_sees_faults(generated: Client, soap_key: signing.IssuedSoapKey) -> None:
    sign = Signer(soap_key)
    with pytest.raises(ZeepFault) as bad_signature:
        generated.service.GetBooking(bookingId=1, _soapheaders=sign.header("GetBooking", secret="wrong"))
    assert "Authentication failed" in bad_signature.value.message
    header = sign.header("GetBooking")
    generated.service.GetBooking(bookingId=1, _soapheaders=header)
    with pytest.raises(ZeepFault) as replayed:
        generated.service.GetBooking(bookingId=1, _soapheaders=header)
    assert "already received" in replayed.value.message
    with pytest.raises(ZeepFault) as unknown:
        generated.service.GetBooking(bookingId=987654, _soapheaders=sign.header("GetBooking"))
    assert "987654" in unknown.value.message
