"""The document's own requests, in its four protocols, sent as written with the placeholders filled
in; the answers have the document's shapes, and the token reaches the contact by mail."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from lxml import etree

from backoffice.core import mail
from backoffice.settings import Settings

from . import seed_examples as seed
from .conftest import NS, PATH, Fault, SymphonySoap, q, result_of


def fill(template: str, values: dict[str, str]) -> str:
    """The seed's XML with each ``<Name>placeholder</Name>`` given a real value."""
    for name, value in values.items():
        template, n = re.subn(rf"<{name}>\w+</{name}>", f"<{name}>{value}</{name}>", template)
        assert n == 1, name
    return template


def seed_headers(block: str) -> dict[str, str]:
    """The request's headers as the page lists them, less Host and the Content-Length placeholder."""
    headers = {}
    for line in block.strip().splitlines()[1:]:
        name, _, value = line.partition(": ")
        if name not in ("Host", "Content-Length"):
            headers[name] = value
    return headers


def same_shape(ours: etree._Element, page: etree._Element) -> None:
    """Our answer has the page's elements, in its order and namespaces, with values of its types."""
    assert ours.tag == page.tag
    assert [c.tag for c in ours] == [c.tag for c in page], (etree.tostring(ours), etree.tostring(page))
    for mine, theirs in zip(ours, page, strict=True):
        same_shape(mine, theirs)
    if len(page) == 0:
        kind = (page.text or "").strip()
        if kind == "int":
            assert re.fullmatch(r"-?\d+", ours.text or ""), ours.text
        elif kind == "string":
            assert ours.text is not None


@pytest.fixture
def contact(soap: SymphonySoap) -> int:
    made = soap.call("SubmitContact", {"email": "pat.reader@events.example.com", "forename": "Pat",
                                       "surname": "Reader", "marketingOptOut": False,
                                       "dateOfBirth": "0001-01-01T00:00:00"})
    assert made is not None and made.text is not None
    return int(made.text)


def _token_mail(settings: Settings, to: str) -> str:
    sent = [m for m in mail.outbox(settings.mail()) if m.to == to]
    assert len(sent) == 1, sent
    found = re.search(r"[A-Za-z0-9_-]{40,}", sent[0].body())
    assert found, sent[0].body()
    return found.group(0)


def _auth(soap: SymphonySoap, operation: str) -> dict[str, str]:
    return soap.auth(operation)


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_the_documents_soap_request(soap: SymphonySoap, contact: int, settings: Settings, version: str) -> None:
    request, headers_block, response_page = (
        (seed.SOAP11_REQUEST, seed.SOAP11_REQUEST_HEADERS, seed.SOAP11_RESPONSE) if version == "1.1"
        else (seed.SOAP12_REQUEST, seed.SOAP12_REQUEST_HEADERS, seed.SOAP12_RESPONSE))
    body = fill(request, {**_auth(soap, "GenerateTokenForContact"), "tokenType": "ContactRegistration",
                          "contactId": str(contact), "isSingleUse": "true"})
    response = soap.client.post(PATH, content=body.encode("utf-8"), headers=seed_headers(headers_block))
    assert response.status_code == 200, response.text
    expected_type = "text/xml" if version == "1.1" else "application/soap+xml"
    assert response.headers["content-type"] == f"{expected_type}; charset=utf-8"
    ours = etree.fromstring(response.content)
    same_shape(ours, etree.fromstring(response_page.encode("utf-8")))
    result = result_of(response, "GenerateTokenForContact", version)
    assert result is not None
    assert result.findtext(q("ContactId")) == str(contact)
    assert result.findtext(q("ContactEmail")) == "pat.reader@events.example.com"
    # The token itself is never in the answer: it reaches the contact by mail, and verifies.
    token = _token_mail(settings, "pat.reader@events.example.com")
    assert token not in response.text
    verified = soap.call("VerifyTokenForContact", {"tokenType": "ContactRegistration", "tokenValue": token},
                         version=version)
    assert verified is not None and verified.findtext(q("ContactId")) == str(contact)


def _bare(response: Any, page: str) -> etree._Element:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert response.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    ours = etree.fromstring(response.content)
    same_shape(ours, etree.fromstring(page.encode("utf-8")))
    return ours


def test_the_documents_http_get_request(soap: SymphonySoap, contact: int, settings: Settings) -> None:
    line = seed.HTTP_GET_REQUEST_LINE.split()[1]
    address = urlsplit(line)
    assert address.path == f"{PATH}/GenerateTokenForContact"
    values = {"tokenType": "ContactRegistration", "contactId": str(contact), "isSingleUse": "false"}
    query = [(name, values[name]) for name, _ in parse_qsl(address.query)]
    query += list(_auth(soap, "GenerateTokenForContact").items())
    ours = _bare(soap.client.get(address.path, params=query), seed.HTTP_GET_RESPONSE)
    assert ours.tag == q("ContactTokenResponse")
    assert ours.findtext(q("ContactId")) == str(contact)
    token = _token_mail(settings, "pat.reader@events.example.com")
    # A token that is not single-use verifies again and again.
    for _ in range(2):
        again = soap.http("GET", "VerifyTokenForContact", {"tokenType": "ContactRegistration", "tokenValue": token})
        assert etree.fromstring(again.content).findtext(q("ContactEmail")) == "pat.reader@events.example.com"


def test_the_documents_http_post_request(soap: SymphonySoap, contact: int) -> None:
    headers = seed_headers(seed.HTTP_POST_REQUEST_HEADERS)
    assert headers == {"Content-Type": "application/x-www-form-urlencoded"}
    names = [name for name, _ in parse_qsl(seed.HTTP_POST_BODY.strip())]
    values = {"tokenType": "ContactRegistration", "contactId": str(contact), "isSingleUse": "true"}
    form = {**{name: values[name] for name in names}, **_auth(soap, "GenerateTokenForContact")}
    response = soap.client.post(f"{PATH}/GenerateTokenForContact", data=form, headers=headers)
    ours = _bare(response, seed.HTTP_POST_RESPONSE)
    assert ours.findtext(q("ContactEmail")) == "pat.reader@events.example.com"


def test_http_get_and_post_need_the_signature_too(soap: SymphonySoap, contact: int) -> None:
    params = {"tokenType": "ContactRegistration", "contactId": contact, "isSingleUse": True}
    for method in ("GET", "POST"):
        response = soap.http(method, "GenerateTokenForContact", params, auth=False)
        assert response.status_code == 500
        assert response.headers["content-type"].startswith("text/plain")
        assert "AuthenticationHeader is required" in response.text
        wrong = soap.auth("GenerateTokenForContact", secret="guessed")
        response = soap.http(method, "GenerateTokenForContact", params, auth=wrong)
        assert response.status_code == 500 and "Authentication failed" in response.text
        # The same four values as HTTP headers work too.
        response = soap.client.request(method, f"{PATH}/GenerateTokenForContact",
                                       params=params if method == "GET" else None,
                                       data=params if method == "POST" else None,
                                       headers=soap.auth("GenerateTokenForContact"))
        assert response.status_code == 200, response.text


def test_a_replayed_request_is_refused_in_every_protocol(soap: SymphonySoap, contact: int) -> None:
    header = soap.auth("GenerateTokenForContact")
    params = {"tokenType": "ContactRegistration", "contactId": contact, "isSingleUse": True}
    assert soap.call("GenerateTokenForContact", params, auth=header) is not None
    with pytest.raises(Fault) as refused:
        soap.call("GenerateTokenForContact", params, auth=header, version="1.2")
    assert refused.value.status == 500 and refused.value.code.endswith("Sender")
    assert "already received" in refused.value.message
    response = soap.http("POST", "GenerateTokenForContact", params, auth=header)
    assert response.status_code == 500 and "already received" in response.text


def test_a_replay_with_another_body_is_refused_even_after_a_failed_call(soap: SymphonySoap) -> None:
    header = soap.auth("GetBooking")
    with pytest.raises(Fault, match="was not found"):
        soap.call("GetBooking", {"bookingId": 999999}, auth=header)
    with pytest.raises(Fault, match="already received"):
        soap.call("GetBooking", {"bookingId": 1}, auth=header)


@pytest.mark.parametrize(("change", "message"), [
    ({"secret": "not-the-secret"}, "Authentication failed"),
    ({"api_key": "XYZ"}, "Authentication failed"),
    ({"timestamp": "2026-03-02T11:50:00.000Z"}, "away from the server's time"),
    ({"timestamp": "2026-03-02T12:10:00.000Z"}, "away from the server's time"),
    ({"signed_as": "CheckLogOn"}, "not the operation called"),
])
def test_bad_signatures_are_soap_faults(soap: SymphonySoap, change: dict[str, str], message: str) -> None:
    for version in ("1.1", "1.2"):
        with pytest.raises(Fault) as refused:
            soap.call("GetBookableSessions", {"eventId": 1}, auth=soap.auth("GetBookableSessions", **change),
                      version=version)
        assert refused.value.status == 500
        assert refused.value.code == ("soap:Client" if version == "1.1" else "soap12:Sender")
        assert message in refused.value.message


def test_a_missing_header_is_a_fault(soap: SymphonySoap) -> None:
    with pytest.raises(Fault, match="AuthenticationHeader is required"):
        soap.call("GetBookableSessions", {"eventId": 1}, auth=False)


def test_the_help_pages_and_wsdl_need_no_key(soap: SymphonySoap) -> None:
    page = soap.client.get(PATH)
    assert page.status_code == 200 and "Symphony API V1.0" in page.text
    for name in ("GenerateTokenForContact", "CancelAttendee", "SetEventExternalSystemId", "GetInvoiceDetails"):
        assert f"?op={name}" in page.text
    op_page = soap.client.get(PATH, params={"op": "GenerateTokenForContact"})
    assert op_page.status_code == 200
    assert "Options for &#x27;tokenType&#x27; are [ContactRegistration]" in op_page.text or \
        "Options for 'tokenType' are [ContactRegistration]" in op_page.text
    wsdl = soap.client.get(f"{PATH}?WSDL")
    assert wsdl.status_code == 200
    root = etree.fromstring(wsdl.content)
    ns = {"wsdl": "http://schemas.xmlsoap.org/wsdl/", "soap": "http://schemas.xmlsoap.org/wsdl/soap/",
          "soap12": "http://schemas.xmlsoap.org/wsdl/soap12/"}
    assert root.get("targetNamespace") == NS
    assert root.find("wsdl:service/wsdl:port/soap:address", ns).get("location") == f"http://testserver{PATH}"
    assert root.find("wsdl:service/wsdl:port/soap12:address", ns) is not None
    operations = root.findall("wsdl:binding[@name='SymphonyAPISoap']/wsdl:operation", ns)
    assert len(operations) == 29
