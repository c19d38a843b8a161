"""Speaking to SymphonyAPI.asmx the way the vendor's clients do: hand-written SOAP 1.1 and 1.2
envelopes as on the vendor's pages (an AuthenticationHeader signed with the secret key), and the
HTTP GET and POST protocols with the four header values as extra fields."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import count
from typing import Any
from xml.sax.saxutils import escape

import pytest
from lxml import etree
from starlette.testclient import TestClient

from backoffice.core.auth import signing
from backoffice.core.clock import moved_to
from backoffice.core.store import Database
from backoffice.settings import Settings

PATH = "/API/1_0/SOAP/SymphonyAPI.asmx"
NS = "https://developer.sym-online.com/API/1_0/SOAP/"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
# The clock every test runs at (moved, so timestamps are predictable and distinct).
NOON = datetime(2026, 3, 2, 12, 0, 0)

ENVELOPE11 = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">\n'
    '  <soap:Header>{header}</soap:Header>\n'
    '  <soap:Body>{body}</soap:Body>\n'
    '</soap:Envelope>')
ENVELOPE12 = ENVELOPE11.replace('xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"',
                                'xmlns:soap12="http://www.w3.org/2003/05/soap-envelope"').replace("soap:", "soap12:")


def q(name: str) -> str:
    return f"{{{NS}}}{name}"


def xml_params(params: dict[str, Any]) -> str:
    """Parameters as child elements (in the order given); lists of dicts or ints as the vendor nests them."""
    out = []
    for name, value in params.items():
        if value is None:
            continue
        out.append(f"<{name}>{_xml_value(value)}</{name}>")
    return "".join(out)


def _xml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):  # (item type, items): a list parameter
        item_type, items = value
        return "".join(f"<{item_type}>{_xml_value(i)}</{item_type}>" for i in items)
    if isinstance(value, dict):
        return xml_params(value)
    return escape(str(value))


class Fault(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


class SymphonySoap:
    """A client holding an API key and secret key. Each call is signed with a fresh timestamp."""

    def __init__(self, client: TestClient, key: signing.IssuedSoapKey) -> None:
        self.client = client
        self.key = key
        self._tick = count(1)

    def timestamp(self) -> str:
        # A millisecond apart each: two calls never share a signature.
        return signing.utc_timestamp(NOON.replace(microsecond=next(self._tick) * 1000))

    def auth(self, operation: str, *, timestamp: str | None = None, secret: str | None = None,
             api_key: str | None = None, signed_as: str | None = None) -> dict[str, str]:
        ts = timestamp or self.timestamp()
        op = signed_as or operation
        return {"Timestamp": ts, "Operation": op, "APIKey": api_key or self.key.api_key,
                "Signature": signing.signature(secret or self.key.secret_key, op, ts)}

    @staticmethod
    def header_xml(auth: dict[str, str] | None) -> str:
        if auth is None:
            return ""
        inner = "".join(f"<{k}>{escape(auth[k])}</{k}>" for k in ("Timestamp", "Operation", "Signature", "APIKey"))
        return f'<AuthenticationHeader xmlns="{NS}">{inner}</AuthenticationHeader>'

    def envelope(self, operation: str, params: dict[str, Any], *, version: str = "1.1",
                 auth: dict[str, str] | None | bool = True) -> str:
        header = self.auth(operation) if auth is True else (None if auth is False else auth)
        body = f'<{operation} xmlns="{NS}">{xml_params(params)}</{operation}>'
        template = ENVELOPE11 if version == "1.1" else ENVELOPE12
        return template.format(header=self.header_xml(header), body=body)  # type: ignore[arg-type]

    def post_envelope(self, operation: str, text: str, *, version: str = "1.1") -> Any:
        if version == "1.1":
            headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{NS}{operation}"'}
        else:
            headers = {"Content-Type": "application/soap+xml; charset=utf-8"}
        return self.client.post(PATH, content=text.encode("utf-8"), headers=headers)

    def raw(self, operation: str, params: dict[str, Any], *, version: str = "1.1",
            auth: dict[str, str] | None | bool = True) -> Any:
        return self.post_envelope(operation, self.envelope(operation, params, version=version, auth=auth),
                                  version=version)

    def call(self, operation: str, params: dict[str, Any] | None = None, *, version: str = "1.1",
             auth: dict[str, str] | None | bool = True) -> etree._Element | None:
        """The ``<Operation>Result`` element (None for a void operation); a fault raises ``Fault``."""
        response = self.raw(operation, params or {}, version=version, auth=auth)
        return result_of(response, operation, version)

    def http(self, method: str, operation: str, params: dict[str, Any], *,
             auth: dict[str, str] | None | bool = True) -> Any:
        fields = {k: ("true" if v is True else "false" if v is False else v) for k, v in params.items()}
        if auth is True:
            fields.update(self.auth(operation))
        elif isinstance(auth, dict):
            fields.update(auth)
        if method == "GET":
            return self.client.get(f"{PATH}/{operation}", params=fields)
        return self.client.post(f"{PATH}/{operation}", data=fields)


def result_of(response: Any, operation: str, version: str = "1.1") -> etree._Element | None:
    env = SOAP11 if version == "1.1" else SOAP12
    root = etree.fromstring(response.content)
    body = root.find(f"{{{env}}}Body")
    assert body is not None, response.text
    fault = body.find(f"{{{env}}}Fault")
    if fault is not None:
        if version == "1.1":
            code, text = fault.findtext("faultcode") or "", fault.findtext("faultstring") or ""
        else:
            code = fault.findtext(f"{{{env}}}Code/{{{env}}}Value") or ""
            text = fault.findtext(f"{{{env}}}Reason/{{{env}}}Text") or ""
        raise Fault(response.status_code, code, text)
    assert response.status_code == 200, response.text
    wrapper = body.find(q(f"{operation}Response"))
    assert wrapper is not None, response.text
    return wrapper.find(q(f"{operation}Result"))


def text(element: etree._Element | None, name: str) -> str | None:
    assert element is not None
    return element.findtext(q(name))


def items(element: etree._Element | None, type_name: str) -> list[etree._Element]:
    assert element is not None
    return element.findall(q(type_name))


@pytest.fixture
def soap_key(db: Database, settings: Settings) -> signing.IssuedSoapKey:
    with db.write() as conn:
        return signing.create_soap_key(conn, settings.master_key())


@pytest.fixture
def soap(client: TestClient, soap_key: signing.IssuedSoapKey) -> Iterator[SymphonySoap]:
    with moved_to(NOON):
        yield SymphonySoap(client, soap_key)
