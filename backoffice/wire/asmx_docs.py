"""The ASMX host's documentation protocol: the service page, the ``?op=`` pages, ``?WSDL`` and ``?disco``.

The pages follow ASP.NET's ``DefaultWsdlHelpGenerator.aspx``: the operation page has the "Click here"
link back, the name, the description, a Test form (for operations HTTP POST serves) and the SOAP 1.1,
SOAP 1.2, HTTP GET and HTTP POST samples, whose placeholders are xsd type names (``string`` for every
GET/POST value), ``Content-Length: length``, the request's own ``Host`` and the real path. Every text is
HTML-escaped. The WSDL is WSDL 1.1 document/literal wrapped with the ``{name}Soap`` and ``{name}Soap12``
bindings only (real ASMX adds HttpGet/HttpPost bindings; generated SOAP clients use these two).
"""

from __future__ import annotations

import html
from urllib.parse import quote

from lxml import etree

from .asmx import XSD_NS, XSI_NS, ComplexType, ListOf, Operation, Service, WireType, Xsd, type_name

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP_NS = "http://schemas.xmlsoap.org/wsdl/soap/"
WSDL_SOAP12_NS = "http://schemas.xmlsoap.org/wsdl/soap12/"
SOAP_HTTP_TRANSPORT = "http://schemas.xmlsoap.org/soap/http"
DISCO_NS = "http://schemas.xmlsoap.org/disco/"
DISCO_SCL_NS = "http://schemas.xmlsoap.org/disco/scl/"
DISCO_SOAP_NS = "http://schemas.xmlsoap.org/disco/soap/"

_ENVELOPES = {
    "soap": 'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"',
    "soap12": 'xmlns:soap12="http://www.w3.org/2003/05/soap-envelope"',
}
_XSI_XSD = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"'

# ---------------------------------------------------------------------------------------------------------------------
# HTML pages

_STYLE = (
    "body{color:#000;background-color:white;font-family:Verdana;margin-left:0;margin-top:0}"
    "#content{margin-left:30px;font-size:.70em;padding-bottom:2em}"
    "a:link,a:visited{color:#336699;font-weight:bold;text-decoration:underline}"
    "a:hover{color:#cc3300;font-weight:bold;text-decoration:underline}"
    "p{color:#000;margin-top:0;margin-bottom:12px;font-family:Verdana}"
    "pre{background-color:#e5e5cc;padding:5px;font-family:Courier New;font-size:x-small;margin-top:-5px;"
    "border:1px #f0f0e0 solid}"
    "h2{font-size:1.5em;font-weight:bold;margin-top:25px;margin-bottom:10px;border-top:1px solid #003366;"
    "margin-left:-15px;color:#003366}"
    "h3{font-size:1.1em;color:#000;margin-left:-15px;margin-top:10px;margin-bottom:10px}"
    "ul{margin-top:10px;margin-left:20px}li{margin-top:10px;color:#000}"
    ".heading1{color:#fff;font-family:Tahoma;font-size:26px;font-weight:normal;background-color:#003366;"
    "margin-top:0;margin-bottom:0;margin-left:-30px;padding-top:10px;padding-bottom:3px;padding-left:15px;"
    "width:105%}"
    ".intro{margin-left:-15px}.frmHeader{color:#000;background:#dcdcdc;font-family:Verdana;font-size:.70em;"
    "font-weight:normal;border-bottom:1px solid #dcdcdc;padding-top:2px;padding-bottom:2px}"
    ".frmText{font-family:Verdana;font-size:.70em;margin-top:8px;margin-bottom:0;margin-left:32px}"
    ".frmInput{font-family:Verdana;font-size:1em}"
)


def _page(service: Service, body: str) -> str:
    title = html.escape(f"{service.title} Web Service")
    return ('<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>' + title + "</title>"
            f"<style>{_STYLE}</style></head>\n<body><div id=\"content\">\n"
            f'<p class="heading1">{html.escape(service.title)}</p><br>\n{body}</div></body></html>\n')


def service_page(service: Service) -> str:
    """The page at the service's path: its operations in alphabetical order, each with its description."""
    path = html.escape(service.path)
    items = "".join(
        f'<li><a href="{path}?op={html.escape(quote(op.name))}">{html.escape(op.name)}</a><br>'
        f"<span>{html.escape(op.description)}</span></li>\n"
        for op in sorted(service.operations, key=lambda o: o.name))
    return _page(service, '<p class="intro">The following operations are supported. For a formal definition, '
                          f'please review the <a href="{path}?WSDL">Service Description</a>.</p>\n'
                          f"<ul>\n{items}</ul>\n")


def operation_page(service: Service, op: Operation, host: str) -> str:
    """The ``?op=`` page of ``op``; ``host`` is the request's Host header, shown in the samples."""
    parts = [
        f'<p class="intro">Click <a href="{html.escape(service.path)}">here</a> '
        "for a complete list of operations.</p>\n",
        f"<h2>{html.escape(op.name)}</h2>\n",
        f'<p class="intro">{html.escape(op.description)}</p>\n',
        "<h3>Test</h3>\n",
        _test_form(service, op),
    ]
    for heading, blocks in samples(service, op, host):
        parts.append(f"<h3>{html.escape(heading)}</h3>\n<p>The following is a sample {html.escape(heading)} request "
                     "and response. The placeholders shown need to be replaced with actual values.</p>\n")
        parts.extend(f"<pre>{html.escape(block)}</pre>\n" for block in blocks)
    return _page(service, "".join(parts))


def _test_form(service: Service, op: Operation) -> str:
    if not op.http_allowed:
        return "<p>No test form is available as this service or method does not support the HTTP POST protocol.</p>\n"
    # The header's members ride along as form fields, which is how the host authenticates HTTP POST.
    names = [p.name for p in op.params] + ([m.name for m in service.header.members] if service.header else [])
    rows = "".join(
        f'<tr><td class="frmText">{html.escape(name)}:</td>'
        f'<td><input class="frmInput" type="text" size="50" name="{html.escape(name)}"></td></tr>\n'
        for name in names)
    action = html.escape(f"{service.path}/{op.name}")
    return ("<p>To test the operation using the HTTP POST protocol, click the 'Invoke' button.</p>\n"
            f'<form target="_blank" action="{action}" method="POST">\n'
            '<table cellspacing="0" cellpadding="4">\n'
            '<tr><td class="frmHeader">Parameter</td><td class="frmHeader">Value</td></tr>\n'
            f"{rows}"
            '<tr><td></td><td align="right"><input type="submit" value="Invoke" class="button"></td></tr>\n'
            "</table></form>\n")


# ---------------------------------------------------------------------------------------------------------------------
# Samples (plain text; escaped when put in a page)


def samples(service: Service, op: Operation, host: str) -> list[tuple[str, list[str]]]:
    """``(heading, [request, response])`` for SOAP 1.1, SOAP 1.2 and, when ``op.http_allowed``, HTTP GET
    and HTTP POST, as the help page shows them (lines joined with ``\\n``, no final newline)."""
    sections = [("SOAP 1.1", _soap_samples(service, op, host, "soap")),
                ("SOAP 1.2", _soap_samples(service, op, host, "soap12"))]
    if op.http_allowed:
        query = "&".join(f"{p.name}=string" for p in op.params for _ in range(2 if isinstance(p.type, ListOf) else 1))
        url = f"{service.path}/{op.name}"
        answer = _bare_sample(service, op)
        sections.append(("HTTP GET", [
            "\n".join([f"GET {url}{'?' + query if query else ''} HTTP/1.1", f"Host: {host}"]), answer]))
        sections.append(("HTTP POST", [
            "\n".join([f"POST {url} HTTP/1.1", f"Host: {host}", "Content-Type: application/x-www-form-urlencoded",
                       "Content-Length: length", "", query]), answer]))
    return sections


def _soap_samples(service: Service, op: Operation, host: str, prefix: str) -> list[str]:
    media = "text/xml" if prefix == "soap" else "application/soap+xml"
    ns = html.escape(service.namespace, quote=True)
    request = [f"POST {service.path} HTTP/1.1", f"Host: {host}", f"Content-Type: {media}; charset=utf-8",
               "Content-Length: length"]
    if prefix == "soap":
        request.append(f'SOAPAction: "{service.namespace}{op.name}"')
    request += ["", '<?xml version="1.0" encoding="utf-8"?>',
                f"<{prefix}:Envelope {_XSI_XSD} {_ENVELOPES[prefix]}>"]
    if service.header is not None:
        request.append(f"  <{prefix}:Header>")
        request += _element_sample(service.header.name, service.header, 4, f' xmlns="{ns}"')
        request.append(f"  </{prefix}:Header>")
    request.append(f"  <{prefix}:Body>")
    if op.params:
        request.append(f'    <{op.name} xmlns="{ns}">')
        for param in op.params:
            request += _element_sample(param.name, param.type, 6)
        request.append(f"    </{op.name}>")
    else:
        request.append(f'    <{op.name} xmlns="{ns}" />')
    request += [f"  </{prefix}:Body>", f"</{prefix}:Envelope>"]
    response = ["HTTP/1.1 200 OK", f"Content-Type: {media}; charset=utf-8", "Content-Length: length", "",
                '<?xml version="1.0" encoding="utf-8"?>', f"<{prefix}:Envelope {_XSI_XSD} {_ENVELOPES[prefix]}>",
                f"  <{prefix}:Body>"]
    if op.result is None:
        response.append(f'    <{op.name}Response xmlns="{ns}" />')
    else:
        response.append(f'    <{op.name}Response xmlns="{ns}">')
        response += _element_sample(f"{op.name}Result", op.result, 6)
        response.append(f"    </{op.name}Response>")
    response += [f"  </{prefix}:Body>", f"</{prefix}:Envelope>"]
    return ["\n".join(request), "\n".join(response)]


def _bare_sample(service: Service, op: Operation) -> str:
    lines = ["HTTP/1.1 200 OK", "Content-Type: text/xml; charset=utf-8", "Content-Length: length"]
    if op.result is not None:
        ns = html.escape(service.namespace, quote=True)
        lines += ["", '<?xml version="1.0" encoding="utf-8"?>']
        lines += _element_sample(type_name(op.result), op.result, 0, f' xmlns="{ns}"')
    return "\n".join(lines)


def _element_sample(name: str, wire_type: WireType, indent: int, attributes: str = "") -> list[str]:
    """``<name>placeholder</name>`` with complex types expanded and lists shown with two items."""
    pad = " " * indent
    if isinstance(wire_type, Xsd):
        return [f"{pad}<{name}{attributes}>{wire_type.value}</{name}>"]
    if isinstance(wire_type, ComplexType):
        inner = [line for m in wire_type.members for line in _element_sample(m.name, m.type, indent + 2)]
    else:
        item = type_name(wire_type.item)
        inner = _element_sample(item, wire_type.item, indent + 2) * 2
    if not inner:
        return [f"{pad}<{name}{attributes} />"]
    return [f"{pad}<{name}{attributes}>", *inner, f"{pad}</{name}>"]


# ---------------------------------------------------------------------------------------------------------------------
# WSDL and DISCO


def _q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def _xsd_ref(wire_type: WireType) -> str:
    return f"s:{wire_type.value}" if isinstance(wire_type, Xsd) else f"tns:{type_name(wire_type)}"


def _schema_element(parent: etree._Element, name: str, wire_type: WireType) -> None:
    """A sequence member as ASMX declares it: value types required, strings/classes/arrays optional."""
    required = isinstance(wire_type, Xsd) and wire_type is not Xsd.STRING
    etree.SubElement(parent, _q(XSD_NS, "element"), {
        "minOccurs": "1" if required else "0", "maxOccurs": "1", "name": name, "type": _xsd_ref(wire_type)})


def _complex_type(schema: etree._Element, name: str, members: list[tuple[str, WireType]], *,
                  any_attribute: bool = False) -> None:
    complex_type = etree.SubElement(schema, _q(XSD_NS, "complexType"), {"name": name})
    sequence = etree.SubElement(complex_type, _q(XSD_NS, "sequence"))
    for member_name, member_type in members:
        _schema_element(sequence, member_name, member_type)
    if any_attribute:
        # ASMX adds this to every SoapHeader class (it keeps the unknown attributes a header arrives with).
        etree.SubElement(complex_type, _q(XSD_NS, "anyAttribute"))


def _schema(service: Service) -> etree._Element:
    schema = etree.Element(_q(XSD_NS, "schema"), {"elementFormDefault": "qualified",
                                                  "targetNamespace": service.namespace})
    for op in service.operations:
        for name, members in ((op.name, [(p.name, p.type) for p in op.params]),
                              (f"{op.name}Response", [] if op.result is None else [(f"{op.name}Result", op.result)])):
            element = etree.SubElement(schema, _q(XSD_NS, "element"), {"name": name})
            sequence = etree.SubElement(etree.SubElement(element, _q(XSD_NS, "complexType")), _q(XSD_NS, "sequence"))
            for member_name, member_type in members:
                _schema_element(sequence, member_name, member_type)
    for complex_type in service.complex_types():
        if complex_type != service.header:
            _complex_type(schema, complex_type.name, [(m.name, m.type) for m in complex_type.members])
    arrays: dict[str, ListOf] = {}
    for wire_type in _all_types(service):
        if isinstance(wire_type, ListOf):
            arrays.setdefault(wire_type.name, wire_type)
    for name, array in arrays.items():
        complex_type = etree.SubElement(schema, _q(XSD_NS, "complexType"), {"name": name})
        sequence = etree.SubElement(complex_type, _q(XSD_NS, "sequence"))
        item = {"minOccurs": "0", "maxOccurs": "unbounded", "name": type_name(array.item)}
        # Items that can be null in .NET (strings, classes) are nillable; int/bool/... items cannot be.
        if not isinstance(array.item, Xsd) or array.item is Xsd.STRING:
            item["nillable"] = "true"
        item["type"] = _xsd_ref(array.item)
        etree.SubElement(sequence, _q(XSD_NS, "element"), item)
    if service.header is not None:
        etree.SubElement(schema, _q(XSD_NS, "element"),
                         {"name": service.header.name, "type": f"tns:{service.header.name}"})
        _complex_type(schema, service.header.name, [(m.name, m.type) for m in service.header.members],
                      any_attribute=True)
    return schema


def _all_types(service: Service) -> list[WireType]:
    """Every parameter, result and member type, in first-use order."""
    found: list[WireType] = []
    for op in service.operations:
        found += [p.type for p in op.params]
        if op.result is not None:
            found.append(op.result)
    for complex_type in service.complex_types():
        found += [m.type for m in complex_type.members]
    return found


def wsdl(service: Service, location: str) -> bytes:
    """The WSDL 1.1 document; ``location`` (scheme://host/path of the request) is both ports' address."""
    ns = service.namespace
    definitions = etree.Element(_q(WSDL_NS, "definitions"), {"targetNamespace": ns}, nsmap={
        "soap": WSDL_SOAP_NS, "tns": ns, "s": XSD_NS, "soap12": WSDL_SOAP12_NS, "wsdl": WSDL_NS})
    etree.SubElement(definitions, _q(WSDL_NS, "types")).append(_schema(service))
    header = service.header
    for op in service.operations:
        for suffix, element in (("SoapIn", op.name), ("SoapOut", f"{op.name}Response")):
            message = etree.SubElement(definitions, _q(WSDL_NS, "message"), {"name": f"{op.name}{suffix}"})
            etree.SubElement(message, _q(WSDL_NS, "part"), {"name": "parameters", "element": f"tns:{element}"})
        if header is not None:
            message = etree.SubElement(definitions, _q(WSDL_NS, "message"), {"name": f"{op.name}{header.name}"})
            etree.SubElement(message, _q(WSDL_NS, "part"), {"name": header.name, "element": f"tns:{header.name}"})
    port_type = etree.SubElement(definitions, _q(WSDL_NS, "portType"), {"name": f"{service.name}Soap"})
    for op in service.operations:
        operation = etree.SubElement(port_type, _q(WSDL_NS, "operation"), {"name": op.name})
        if op.description:
            etree.SubElement(operation, _q(WSDL_NS, "documentation")).text = op.description
        etree.SubElement(operation, _q(WSDL_NS, "input"), {"message": f"tns:{op.name}SoapIn"})
        etree.SubElement(operation, _q(WSDL_NS, "output"), {"message": f"tns:{op.name}SoapOut"})
    for suffix, soap_ns in (("Soap", WSDL_SOAP_NS), ("Soap12", WSDL_SOAP12_NS)):
        binding = etree.SubElement(definitions, _q(WSDL_NS, "binding"),
                                   {"name": f"{service.name}{suffix}", "type": f"tns:{service.name}Soap"})
        etree.SubElement(binding, _q(soap_ns, "binding"), {"transport": SOAP_HTTP_TRANSPORT})
        for op in service.operations:
            operation = etree.SubElement(binding, _q(WSDL_NS, "operation"), {"name": op.name})
            etree.SubElement(operation, _q(soap_ns, "operation"), {"soapAction": ns + op.name, "style": "document"})
            request = etree.SubElement(operation, _q(WSDL_NS, "input"))
            etree.SubElement(request, _q(soap_ns, "body"), {"use": "literal"})
            if header is not None:
                etree.SubElement(request, _q(soap_ns, "header"), {
                    "message": f"tns:{op.name}{header.name}", "part": header.name, "use": "literal"})
            etree.SubElement(etree.SubElement(operation, _q(WSDL_NS, "output")), _q(soap_ns, "body"),
                             {"use": "literal"})
    wsdl_service = etree.SubElement(definitions, _q(WSDL_NS, "service"), {"name": service.name})
    for suffix, soap_ns in (("Soap", WSDL_SOAP_NS), ("Soap12", WSDL_SOAP12_NS)):
        port = etree.SubElement(wsdl_service, _q(WSDL_NS, "port"),
                                {"name": f"{service.name}{suffix}", "binding": f"tns:{service.name}{suffix}"})
        etree.SubElement(port, _q(soap_ns, "address"), {"location": location})
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + etree.tostring(definitions, encoding="utf-8",
                                                                       pretty_print=True)


def disco(service: Service, location: str) -> bytes:
    """The DISCO document ASMX serves at ``?disco``: the contract (``?wsdl``) and both SOAP bindings."""
    root = etree.Element(_q(DISCO_NS, "discovery"), nsmap={"xsd": XSD_NS, "xsi": XSI_NS, None: DISCO_NS})
    etree.SubElement(root, _q(DISCO_SCL_NS, "contractRef"), {"ref": f"{location}?wsdl", "docRef": location},
                     nsmap={None: DISCO_SCL_NS})
    for suffix in ("Soap", "Soap12"):
        etree.SubElement(root, _q(DISCO_SOAP_NS, "soap"),
                         {"address": location, "binding": f"q1:{service.name}{suffix}"},
                         nsmap={None: DISCO_SOAP_NS, "q1": service.namespace})
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + etree.tostring(root, encoding="utf-8", pretty_print=True)
