"""Malformed, hostile and oversized requests at the real service: faults with plain messages,
nothing written, no stack trace."""

from __future__ import annotations

import pytest

from .conftest import PATH, SOAP11, Fault, SymphonySoap, result_of

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<CancelAttendee xmlns="https://developer.sym-online.com/API/1_0/SOAP/"><attendeeReference>&lol2;</attendeeReference>
</CancelAttendee></soap:Body></soap:Envelope>"""

HEADERS = {"Content-Type": "text/xml; charset=utf-8",
           "SOAPAction": '"https://developer.sym-online.com/API/1_0/SOAP/CancelAttendee"'}


def _fault(response: object, operation: str = "CancelAttendee") -> Fault:
    with pytest.raises(Fault) as raised:
        result_of(response, operation)
    return raised.value


def test_a_doctype_is_refused(soap: SymphonySoap) -> None:
    fault = _fault(soap.client.post(PATH, content=LAUGHS, headers=HEADERS))
    assert fault.status == 500 and fault.code == "soap:Client" and "DOCTYPE" in fault.message


@pytest.mark.parametrize("body", [b"<soap:Envelope", b"\xff\xfe garbage", b"", b"<a/>"])
def test_malformed_bodies_are_client_faults(soap: SymphonySoap, body: bytes) -> None:
    response = soap.client.post(PATH, content=body, headers=HEADERS)
    assert response.status_code == 500 and "Traceback" not in response.text and 'File "' not in response.text
    fault = _fault(response)
    assert fault.code == "soap:Client"


def test_an_oversized_body_is_refused_unread(soap: SymphonySoap) -> None:
    huge = soap.envelope("GetContactEventHistory", {"email": "x" * (11 * 1024 * 1024)})
    response = soap.post_envelope("GetContactEventHistory", huge)
    assert response.status_code == 413


@pytest.mark.parametrize(("params", "message"), [
    ({"bookingId": "one"}, "bookingId"),
    ({"bookingId": "99999999999"}, "bookingId"),
    ({}, "Missing parameter: bookingId"),
])
def test_wrongly_typed_parameters_are_named(soap: SymphonySoap, params: dict[str, object], message: str) -> None:
    with pytest.raises(Fault) as raised:
        soap.call("GetBooking", params)
    assert raised.value.code == "soap:Client" and message in raised.value.message


def test_a_failed_booking_writes_nothing(soap: SymphonySoap) -> None:
    before = soap.call("GetBookingsBatch", {"eventId": 101, "skip": 0, "size": 500})
    assert before is not None
    with pytest.raises(Fault):
        # The second attendee's ticket type is another event's: the first must not be booked either.
        soap.call("SubmitBooking2", {"eventId": 101, "attendees": ("AttendeeRequest3", [
            {"AttendeeTypeId": 201, "ContactId": 1011, "TicketTypeId": 301, "MarketingOptOut": False},
            {"AttendeeTypeId": 201, "ContactId": 1002, "TicketTypeId": 305, "MarketingOptOut": False}])})
    after = soap.call("GetBookingsBatch", {"eventId": 101, "skip": 0, "size": 500})
    assert after is not None and len(after) == len(before)


def test_the_envelope_namespace_is_checked(soap: SymphonySoap) -> None:
    text = soap.envelope("GetBooking", {"bookingId": 1}).replace(SOAP11, "urn:not-soap")
    response = soap.post_envelope("GetBooking", text)
    assert response.status_code == 500 and "VersionMismatch" in response.text


def test_messages_name_fields_as_the_caller_sent_them(soap: SymphonySoap) -> None:
    with pytest.raises(Fault) as too_long:
        soap.call("SetEventExternalSystemId", {"request": {"EventId": 101, "ExternalSystemId": "x" * 200}})
    assert too_long.value.message == "ExternalSystemId must be at most 100 characters"
