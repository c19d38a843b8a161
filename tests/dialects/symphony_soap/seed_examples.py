"""The document's examples (tests/symphony_soap_seed.py), cut at the request/response boundaries
the flattening merged (docs/dev/symphony-soap-seed-digest.md, section 3.2). Placeholders are the XSD
type names, as on the page."""

from __future__ import annotations

from tests.symphony_soap_seed import lines

SOAP11_REQUEST_HEADERS = lines(22, 26)
SOAP11_REQUEST = lines(28, 45)
SOAP11_RESPONSE = lines(50, 60)
SOAP12_REQUEST_HEADERS = lines(66, 69)
SOAP12_REQUEST = lines(71, 88)
SOAP12_RESPONSE = lines(93, 103)
HTTP_GET_REQUEST_LINE = lines(109, 109)
HTTP_GET_RESPONSE = lines(115, 119)
HTTP_POST_REQUEST_HEADERS = lines(125, 128)
HTTP_POST_BODY = lines(130, 130)
HTTP_POST_RESPONSE = lines(135, 139)
