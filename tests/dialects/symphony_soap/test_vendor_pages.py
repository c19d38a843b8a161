"""The vendor's other pages: CheckLogOn's ?op= page as the reference copied it, and Help.aspx's
CancelAttendee request, sent byte for byte over a socket (absolute request URI, no XML declaration)."""

from __future__ import annotations

import html
import socket
from urllib.parse import urlsplit

from lxml import etree
from starlette.testclient import TestClient

from backoffice.core.auth import signing
from backoffice.core.clock import moved_to
from backoffice.core.store import Database

from .conftest import NOON, PATH, SymphonySoap, q

# The reference's copy of the vendor's ?op=CheckLogOn page, SOAP 1.1 request (its two-per-line
# header children are whitespace only, and the page's own Host is the vendor's).
CHECK_LOG_ON_REQUEST_BODY = """\
    <CheckLogOn xmlns="https://developer.sym-online.com/API/1_0/SOAP/">
      <emailAddress>string</emailAddress>
      <password>string</password>
    </CheckLogOn>"""
CHECK_LOG_ON_RESULT = """\
      <CheckLogOnResult>
        <ContactID>int</ContactID>
        <ContactName>string</ContactName>
        <ContactRegStatus>int</ContactRegStatus>
      </CheckLogOnResult>"""


def test_the_check_log_on_page_shows_the_vendors_samples(client: TestClient) -> None:
    page = client.get(PATH, params={"op": "CheckLogOn"}, headers={"Host": "developer.sym-online.com"})
    assert page.status_code == 200
    shown = html.unescape(page.text)
    assert 'SOAPAction: "https://developer.sym-online.com/API/1_0/SOAP/CheckLogOn"' in shown
    assert "Host: developer.sym-online.com" in shown
    assert CHECK_LOG_ON_REQUEST_BODY in shown
    assert CHECK_LOG_ON_RESULT in shown
    assert "emailAddress=string&password=string" in shown


HELP_ASPX_REQUEST = """\
POST {url} HTTP/1.1\r
Content-Type: text/xml; charset=utf-8\r
SOAPAction: "https://developer.sym-online.com/API/1_0/SOAP/CancelAttendee"\r
Host: {host}\r
Content-Length: {length}\r
Connection: close\r
\r
"""
HELP_ASPX_BODY = """\
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <soap:Header>
    <AuthenticationHeader xmlns="https://developer.sym-online.com/API/1_0/SOAP/">
      <Timestamp>{timestamp}</Timestamp>
      <Operation>CancelAttendee</Operation>
      <Signature>{signature}</Signature>
      <APIKey>{api_key}</APIKey>
    </AuthenticationHeader>
  </soap:Header>
  <soap:Body>
    <CancelAttendee xmlns="https://developer.sym-online.com/API/1_0/SOAP/">
      <attendeeReference>A00001</attendeeReference>
    </CancelAttendee>
  </soap:Body>
</soap:Envelope>"""


def test_the_help_pages_cancel_attendee_request(live_server: str, db: Database, soap_key: signing.IssuedSoapKey,
                                                soap: SymphonySoap) -> None:
    address = urlsplit(live_server)
    with moved_to(NOON):
        timestamp = "2026-03-02T12:00:00.000Z"  # the page's format: yyyy-MM-ddTHH:mm:ss.fffZ
        body = HELP_ASPX_BODY.format(timestamp=timestamp, api_key=soap_key.api_key,
                                     signature=signing.signature(soap_key.secret_key, "CancelAttendee", timestamp))
        head = HELP_ASPX_REQUEST.format(url=f"{live_server}{PATH}", host=address.netloc,
                                        length=len(body.encode("utf-8")))
        with socket.create_connection((address.hostname, address.port), timeout=10) as conn:
            conn.sendall(head.encode("ascii") + body.encode("utf-8"))
            answer = b""
            while chunk := conn.recv(65536):
                answer += chunk
    status, _, rest = answer.partition(b"\r\n")
    assert status == b"HTTP/1.1 200 OK", answer[:500]
    headers, _, content = rest.partition(b"\r\n\r\n")
    assert b"content-type: text/xml; charset=utf-8" in headers.lower()
    response = etree.fromstring(content)
    assert response.find(f".//{q('CancelAttendeeResponse')}") is not None
    # A00001 is cancelled (read back through SOAP).
    booking = soap.call("GetBooking", {"bookingId": 1})
    statuses = {a.findtext(q("AttendeeReference")): a.findtext(q("AttendeeStatus"))
                for a in booking.iter(q("AttendeeResponse"))}
    assert statuses["A00001"] == "Cancelled"
