"""An ASP.NET ASMX web service (``System.Web.Services``, .NET 2.0+) on Starlette, knowing nothing of any vendor.

A dialect describes its service with :class:`Service` (operations, parameters and result types as
:class:`Xsd` scalars, :class:`ComplexType` records and :class:`ListOf` arrays) and hands every request
under ``service.path`` to :func:`handle` with a synchronous ``invoke(Call) -> result``. The host answers
the way ASMX does:

- ``GET path``: the service page; ``?op=Name``: the operation's help page with its Test form and the
  SOAP 1.1 / SOAP 1.2 / HTTP GET / HTTP POST samples; ``?WSDL`` (any case): the WSDL 1.1 description
  (document/literal wrapped, two SOAP bindings); ``?disco``: the DISCO document (:mod:`.asmx_docs`).
- ``POST path``: SOAP 1.1 (``text/xml``, dispatched by ``SOAPAction``, else by the body element) or
  SOAP 1.2 (``application/soap+xml``, by its ``action`` parameter, else by the body element). Answers are
  the envelope of the request's version; errors are faults with HTTP 500 in that version.
- ``GET path/Op?x=..`` and ``POST path/Op`` (form): HTTP GET / HTTP POST, for operations whose parameters
  are all simple (:attr:`Operation.http_allowed`). Answers are the bare result document; errors are
  HTTP 500 ``text/plain`` one-line messages.

Values the handler receives (:attr:`Call.params`): ``str`` (``None`` when a string is absent), ``int``,
``bool``, ``datetime`` (naive when no zone was given), ``Decimal``, ``float``, ``list``, and ``dict`` for
a complex type (only the members present). Values it returns: a ``dict`` (member name -> value; ``None``
or a missing key omits the element, never ``xsi:nil``), a ``list`` / iterable, a scalar, or ``None``.
No response ever carries a stack trace; unexpected exceptions are logged to ``backoffice.asmx``.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from email.message import Message
from enum import StrEnum
from typing import Any, Literal
from urllib.parse import parse_qsl

from lxml import etree
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from . import safexml
from .bodies import BodyTooLarge, read_limited

logger = logging.getLogger("backoffice.asmx")

SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XSD_NS = "http://www.w3.org/2001/XMLSchema"

XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'
# ASMX marks every answer private, so no shared cache keeps one caller's result for another.
CACHE_CONTROL = "private, max-age=0"
SERVER_ERROR = "Server was unable to process request."

# ---------------------------------------------------------------------------------------------------------------------
# The service description


class Xsd(StrEnum):
    """The XML Schema built-in types a parameter, member or result may have (value = the xsd name)."""

    STRING = "string"
    INT = "int"
    LONG = "long"
    BOOLEAN = "boolean"
    DATETIME = "dateTime"
    DECIMAL = "decimal"
    DOUBLE = "double"


@dataclass(frozen=True)
class ComplexType:
    """A record type (an XmlSerializer class): its members in wire order, in the service namespace."""

    name: str
    members: tuple[Member, ...]


@dataclass(frozen=True)
class ListOf:
    """An array. On the wire: a wrapper element holding one element per item, named after the item type
    (``<int>`` for ``Xsd.INT``, ``<BookingResponse>`` for that complex type); schema type ``ArrayOf<Item>``."""

    item: Xsd | ComplexType

    @property
    def name(self) -> str:
        """The schema type name: ``ArrayOfInt``, ``ArrayOfString``, ``ArrayOfBookingResponse``."""
        item = type_name(self.item)
        return f"ArrayOf{item[:1].upper()}{item[1:]}"


@dataclass(frozen=True)
class Member:
    """A parameter of an operation or a member of a complex type."""

    name: str
    type: Xsd | ComplexType | ListOf


WireType = Xsd | ComplexType | ListOf


def type_name(wire_type: WireType) -> str:
    """The element/type name ASMX gives ``wire_type``: the xsd name, the class name or ``ArrayOfX``."""
    if isinstance(wire_type, Xsd):
        return wire_type.value
    return wire_type.name


@dataclass(frozen=True)
class Operation:
    """A web method. ``result`` None is a ``void`` method (an empty ``<OpResponse />``)."""

    name: str
    description: str
    params: tuple[Member, ...]
    result: Xsd | ComplexType | ListOf | None

    @property
    def http_allowed(self) -> bool:
        """Whether HTTP GET and HTTP POST serve this operation: ASMX's rule, every parameter a simple
        type or an array of one (a complex parameter cannot be written as form fields)."""
        return all(isinstance(p.type, Xsd) or (isinstance(p.type, ListOf) and isinstance(p.type.item, Xsd))
                   for p in self.params)


# XML names as ASMX would emit them unencoded; anything else would need XmlConvert.EncodeName.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*", re.ASCII)


@dataclass(frozen=True)
class Service:
    """An ASMX service: ``name`` is the class name (``wsdl:service``, bindings ``{name}Soap`` /
    ``{name}Soap12``), ``title`` the pages' heading, ``path`` where it is served (no trailing slash).
    ``header`` is the SOAP header every operation accepts (its members must be strings), or None.

    Construction checks the description, so a typo fails at import rather than on the wire: XML names,
    unique operation names, one definition per complex type name, string-only header members.
    """

    name: str
    title: str
    namespace: str
    path: str
    operations: tuple[Operation, ...]
    header: ComplexType | None = None

    def __post_init__(self) -> None:
        if not self.namespace:
            raise ValueError("a service needs a namespace")
        if not self.path.startswith("/") or self.path.endswith("/"):
            raise ValueError(f"service path {self.path!r} must start with / and not end with /")
        _check_name(self.name, "service")
        seen: set[str] = set()
        for op in self.operations:
            _check_name(op.name, "operation")
            if op.name in seen:
                raise ValueError(f"operation {op.name} is declared twice")
            seen.add(op.name)
            for param in op.params:
                _check_name(param.name, f"parameter of {op.name}")
        if self.header is not None:
            for member in self.header.members:
                if member.type is not Xsd.STRING:
                    raise ValueError(f"header member {member.name} must be a string")
        by_name: dict[str, ComplexType] = {}
        for complex_type in self.complex_types():
            _check_name(complex_type.name, "complex type")
            for member in complex_type.members:
                _check_name(member.name, f"member of {complex_type.name}")
            if by_name.setdefault(complex_type.name, complex_type) != complex_type:
                raise ValueError(f"two different complex types are named {complex_type.name}")

    def operation(self, name: str) -> Operation | None:
        """The operation called exactly ``name`` (ASMX method names are case-sensitive), or None."""
        for op in self.operations:
            if op.name == name:
                return op
        return None

    def complex_types(self) -> list[ComplexType]:
        """Every complex type the service uses (header, parameters, results, nested), first use first."""
        found: list[ComplexType] = []

        def visit(wire_type: WireType | None) -> None:
            if isinstance(wire_type, ListOf):
                visit(wire_type.item)
            elif isinstance(wire_type, ComplexType) and wire_type not in found:
                found.append(wire_type)
                for member in wire_type.members:
                    visit(member.type)

        visit(self.header)
        for op in self.operations:
            for param in op.params:
                visit(param.type)
            visit(op.result)
        return found


def _check_name(name: str, what: str) -> None:
    if not _NAME.fullmatch(name):
        raise ValueError(f"{what} name {name!r} is not an XML name")


@dataclass(frozen=True)
class Call:
    """One decoded request: ``params`` maps every declared parameter name to its value (None when an
    optional one is absent); ``header`` maps the header's members to their text (None when absent), or is
    None when no header was sent."""

    operation: Operation
    params: dict[str, Any]
    header: dict[str, str | None] | None
    protocol: Literal["soap11", "soap12", "get", "post"]
    # Writes a result as this call's answer (see Rendered); set by the host.
    render: Callable[[Any], Rendered] = field(default=lambda result: Rendered(b""), repr=False, compare=False)


@dataclass(frozen=True)
class Rendered:
    """An answer already written by ``Call.render``. ``invoke`` returns one when its work must not
    outlive an answer that cannot be written: rendered inside the transaction, a failure to write the
    result undoes the work, and the client's fault then means that nothing was done."""

    content: bytes


class Fault(Exception):
    """Raised by a handler to answer a fault with ``message``: the caller's error (``soap:Client``, SOAP 1.2
    ``Sender``) by default, the server's (``soap:Server`` / ``Receiver``) with ``client=False``. Over HTTP
    GET/POST it is an HTTP 500 ``text/plain`` answer with the message."""

    def __init__(self, message: str, client: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.client = client


# ---------------------------------------------------------------------------------------------------------------------
# Scalars: text <-> Python

_INT = re.compile(r"[+-]?[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
_DOUBLE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN", re.ASCII)
_DATETIME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?"
                       r"(Z|[+-][0-9]{2}:[0-9]{2})?", re.ASCII)
# HTTP GET/POST values go through .NET's DateTime.Parse, which also takes a date alone or a space for T.
_DATETIME_LENIENT = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})"
                               r"(?::([0-9]{2})(?:\.([0-9]+))?)?)?(Z|[+-][0-9]{2}:[0-9]{2})?", re.ASCII)
_RANGE = {Xsd.INT: (-(2**31), 2**31 - 1), Xsd.LONG: (-(2**63), 2**63 - 1)}
_XML_SPACE = " \t\r\n"
# The .NET type each xsd type becomes, for ASMX's HTTP GET/POST conversion message.
_DOTNET_TYPE = {Xsd.STRING: "System.String", Xsd.INT: "System.Int32", Xsd.LONG: "System.Int64",
               Xsd.BOOLEAN: "System.Boolean", Xsd.DATETIME: "System.DateTime", Xsd.DECIMAL: "System.Decimal",
               Xsd.DOUBLE: "System.Double"}


def parse_value(text: str, xsd: Xsd, *, lenient: bool = False) -> Any:
    """``text`` as a value of ``xsd``; ValueError when it is not one.

    SOAP values follow the xsd lexical forms (surrounding XML whitespace allowed except for strings):
    int/long in range, boolean ``true``/``false``/``1``/``0``, xsd:dateTime with or without a fraction
    (kept to microseconds) and a zone (naive without one), decimal without exponent (-> Decimal), double
    with ``INF``/``NaN``. ``lenient`` (HTTP GET/POST, where .NET parses form text) also takes booleans in
    any case and a dateTime given as a date alone or with a space for ``T``.
    """
    if xsd is Xsd.STRING:
        return text
    value = text.strip(_XML_SPACE)
    if xsd in _RANGE:
        if not _INT.fullmatch(value):
            raise ValueError(value)
        number = int(value)
        low, high = _RANGE[xsd]
        if not low <= number <= high:
            raise ValueError(value)
        return number
    if xsd is Xsd.BOOLEAN:
        key = value.lower() if lenient else value
        if key in ("true", "1"):
            return True
        if key in ("false", "0"):
            return False
        raise ValueError(value)
    if xsd is Xsd.DECIMAL:
        if not _DECIMAL.fullmatch(value):
            raise ValueError(value)
        return Decimal(value)
    if xsd is Xsd.DOUBLE:
        if not _DOUBLE.fullmatch(value):
            raise ValueError(value)
        return float(value.replace("INF", "inf"))
    return _parse_datetime(value, lenient)


def _parse_datetime(value: str, lenient: bool) -> datetime:
    match = (_DATETIME_LENIENT if lenient else _DATETIME).fullmatch(value)
    if match is None:
        raise ValueError(value)
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    tz: timezone | None = None
    if zone == "Z":
        tz = UTC
    elif zone:
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if minutes >= 60 or hours * 60 + minutes > 14 * 60:
            raise ValueError(value)
        tz = timezone((-1 if zone[0] == "-" else 1) * timedelta(hours=hours, minutes=minutes))
    return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro,
                    tzinfo=tz)


def format_value(value: Any, xsd: Xsd) -> str:
    """``value`` as the text of an ``xsd`` element, as XmlSerializer writes it; TypeError/ValueError when
    the handler returned something that is not a value of that type.

    int/long: digits (bool refused); boolean ``true``/``false``; decimal: a Decimal as given, never with an
    exponent, a float with 2 places, an int as is; double: shortest round-trip text, ``INF``/``-INF``/``NaN``;
    dateTime: ISO 8601, fraction trimmed, an aware value with its offset (``Z`` when zero), a naive one
    without; a ``date`` is that day's midnight, naive; string: a str as is, anything else via ``str``.
    """
    if xsd is Xsd.STRING:
        text = value if isinstance(value, str) else str(value)
        # A character XML 1.0 cannot carry (a vertical tab pasted in through another API) would make the
        # whole answer unwritable; it is shown as "?" (XmlSerializer would throw instead).
        return _NOT_XML.sub("?", text)
    if xsd in _RANGE:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{value!r} is not an {xsd.value}")
        low, high = _RANGE[xsd]
        if not low <= value <= high:
            raise ValueError(f"{value} is outside the range of {xsd.value}")
        return str(value)
    if xsd is Xsd.BOOLEAN:
        if not isinstance(value, bool):
            raise TypeError(f"{value!r} is not a boolean")
        return "true" if value else "false"
    if xsd is Xsd.DECIMAL:
        if isinstance(value, Decimal) and value.is_finite():
            return format(value, "f")
        if isinstance(value, float) and math.isfinite(value):
            return f"{value:.2f}"
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        raise TypeError(f"{value!r} is not a decimal")
    if xsd is Xsd.DOUBLE:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise TypeError(f"{value!r} is not a double")
        number = float(value)
        if math.isnan(number):
            return "NaN"
        if math.isinf(number):
            return "INF" if number > 0 else "-INF"
        return repr(number) if isinstance(value, float) else str(value)
    if isinstance(value, datetime):
        return _format_datetime(value)
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00"
    raise TypeError(f"{value!r} is not a dateTime")


def _format_datetime(value: datetime) -> str:
    text = value.replace(tzinfo=None).isoformat()
    if "." in text:
        text = text.rstrip("0")
    offset = value.utcoffset()
    if offset is None:
        return text
    minutes = round(offset.total_seconds() / 60)
    if minutes == 0:
        return f"{text}Z"
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"


def _shown(text: str) -> str:
    """A caller's value quoted in a message, cut short so a message stays one readable line."""
    return text if len(text) <= 60 else f"{text[:60]}..."


# ---------------------------------------------------------------------------------------------------------------------
# Entry point


async def handle(request: Request, service: Service, invoke: Callable[[Call], Any], *, max_body: int) -> Response:
    """Answer one request to ``service.path`` or ``service.path/<Op>`` as ASMX would.

    ``invoke`` runs in the thread pool (it may touch a database). It returns the result (see the module
    docstring), raises :class:`Fault` for a fault the caller should see, and anything else it raises is
    logged and answered as ``Server was unable to process request.``. Request bodies over ``max_body``
    bytes are refused with 413 without being read further.
    """
    response = await _route(request, service, invoke, max_body)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


async def _route(request: Request, service: Service, invoke: Callable[[Call], Any], max_body: int) -> Response:
    path: str = request.scope["path"]
    base = service.path
    # IIS matches the .asmx path case-insensitively; operation names after it stay case-sensitive.
    if path.lower() == base.lower():
        if request.method in ("GET", "HEAD"):
            return _documentation(request, service)
        if request.method == "POST":
            return await _soap(request, service, invoke, max_body)
        return _not_allowed("GET, HEAD, POST")
    if not path.lower().startswith(base.lower() + "/"):
        return PlainTextResponse("Not Found", status_code=404)
    tail = path[len(base) + 1:]
    if request.method == "GET":
        return await _http(request, service, invoke, max_body, tail, "get")
    if request.method == "POST":
        return await _http(request, service, invoke, max_body, tail, "post")
    return _not_allowed("GET, POST")


def _not_allowed(allow: str) -> Response:
    # A plain 405 rather than ASMX's "Request format is unrecognized": the method, not the format, is wrong.
    return PlainTextResponse("Method Not Allowed", status_code=405, headers={"Allow": allow})


def _documentation(request: Request, service: Service) -> Response:
    from . import asmx_docs  # asmx_docs imports this module's types; importing it here avoids the cycle

    keys = {key.lower(): value for key, value in request.query_params.items()}
    # The Host header as Starlette validated it (the server's own address when it is not a host[:port]).
    # The scheme is the connection's own: uvicorn's --proxy-headers already rewrites it for trusted
    # proxies, and X-Forwarded-Host is not honoured, so a caller cannot point the WSDL at another host.
    host = request.url.netloc
    location = f"{request.url.scheme}://{host}{service.path}"
    if "wsdl" in keys:
        return Response(asmx_docs.wsdl(service, location), media_type="text/xml; charset=utf-8")
    if "disco" in keys:
        return Response(asmx_docs.disco(service, location), media_type="text/xml; charset=utf-8")
    wanted = keys.get("op")
    if wanted:
        op = service.operation(wanted) or next(
            (o for o in service.operations if o.name.lower() == wanted.lower()), None)
        # ASMX's help generator shows the operation list for a name it does not know, so do the same.
        if op is not None:
            return Response(asmx_docs.operation_page(service, op, host), media_type="text/html; charset=utf-8")
    return Response(asmx_docs.service_page(service), media_type="text/html; charset=utf-8")


def _content_type(request: Request) -> tuple[str, Message]:
    """(lower-case media type, the parsed header for its parameters); "" when there is none."""
    message = Message()
    raw = request.headers.get("content-type", "")
    message["content-type"] = raw
    return (message.get_content_type() if raw.strip() else ""), message


# ---------------------------------------------------------------------------------------------------------------------
# SOAP


@dataclass(frozen=True)
class _Version:
    protocol: Literal["soap11", "soap12"]
    envelope: str
    prefix: str
    media_type: str
    client: str
    server: str


_SOAP11 = _Version("soap11", SOAP11_NS, "soap", "text/xml; charset=utf-8", "Client", "Server")
_SOAP12 = _Version("soap12", SOAP12_NS, "soap12", "application/soap+xml; charset=utf-8", "Sender", "Receiver")


class _Refusal(Exception):
    """A fault raised by the host itself: ``code`` is a SOAP 1.1 fault code (Client, Server,
    VersionMismatch, MustUnderstand), mapped to its SOAP 1.2 name when answering 1.2."""

    def __init__(self, message: str, code: str = "Client", status: int = 500) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


async def _soap(request: Request, service: Service, invoke: Callable[[Call], Any], max_body: int) -> Response:
    media_type, content_type = _content_type(request)
    if media_type == "text/xml":
        version = _SOAP11
        # The SOAP 1.1 binding quotes the header ("..."); ASMX takes it quoted or bare, empty = not given.
        action = request.headers.get("soapaction", "").strip().strip('"').strip()
    elif media_type == "application/soap+xml":
        version = _SOAP12
        # SOAP 1.2 carries the action in the Content-Type; a stray SOAPAction header is ignored.
        param = content_type.get_param("action")
        action = param.strip() if isinstance(param, str) else ""
    else:
        return PlainTextResponse("Unsupported Media Type", status_code=415)
    try:
        body = await read_limited(request, max_body)
    except BodyTooLarge:
        return _fault(version, _Refusal(f"The request body is larger than the limit of {max_body} bytes.",
                                        status=413))
    try:
        call = _decode_envelope(service, version, body, action)
    except _Refusal as refusal:
        return _fault(version, refusal)
    op = call.operation
    call = replace(call, render=lambda result: Rendered(_soap_answer(service, version, op, result)))
    try:
        result = await run_in_threadpool(invoke, call)
        content = result.content if isinstance(result, Rendered) else _soap_answer(service, version, op, result)
    except Fault as fault:
        return _fault(version, _Refusal(fault.message, "Client" if fault.client else "Server"))
    except Exception:
        logger.exception("ASMX %s.%s failed (%s)", service.name, call.operation.name, version.protocol)
        return _fault(version, _Refusal(SERVER_ERROR, "Server"))
    return Response(content, media_type=version.media_type)


def _qname(element: etree._Element) -> tuple[str, str]:
    name = etree.QName(element)
    return name.namespace or "", name.localname


def _describe(element: etree._Element) -> str:
    namespace, local = _qname(element)
    return f"'{local}' in namespace '{namespace}'" if namespace else f"'{local}' in no namespace"


def _children(element: etree._Element) -> Iterable[etree._Element]:
    """Element children only: comments and processing instructions are not content."""
    return (child for child in element if isinstance(child.tag, str))


def _is_nil(element: etree._Element) -> bool:
    return element.get(f"{{{XSI_NS}}}nil", "").strip(_XML_SPACE) in ("true", "1")


def _find(parent: etree._Element, namespace: str, name: str) -> etree._Element | None:
    """The first child ``{namespace}name`` that is not ``xsi:nil``; None when absent (nil is absent)."""
    for child in _children(parent):
        if _qname(child) == (namespace, name):
            return None if _is_nil(child) else child
    return None


def _decode_envelope(service: Service, version: _Version, body: bytes, action: str) -> Call:
    try:
        root = safexml.parse(body)
    except safexml.UnsafeXml as exc:
        raise _Refusal(str(exc)) from None
    except ValueError as exc:
        reason = str(exc).removeprefix("Malformed XML: ")
        raise _Refusal(f"Server was unable to read request. {reason}") from None
    namespace, local = _qname(root)
    if local != "Envelope":
        raise _Refusal(f"Server was unable to read request. The root element {_describe(root)} "
                       "is not a SOAP Envelope.")
    if namespace != version.envelope:
        expected = "SOAP 1.1" if version is _SOAP11 else "SOAP 1.2"
        raise _Refusal(f"The Envelope's namespace '{namespace}' is not the {expected} envelope namespace "
                       f"'{version.envelope}' that the Content-Type announces.", "VersionMismatch")
    header = _find(root, version.envelope, "Header")
    soap_body = _find(root, version.envelope, "Body")
    if soap_body is None:
        raise _Refusal("Server was unable to read request. The SOAP Envelope has no Body.")
    wrapper = next(iter(_children(soap_body)), None)
    op = _dispatch(service, version, wrapper, action)
    assert wrapper is not None  # _dispatch refuses an empty Body
    header_values = _decode_header(service, version, header)
    params: dict[str, Any] = {}
    for param in op.params:
        element = _find(wrapper, service.namespace, param.name)
        if element is None:
            if isinstance(param.type, Xsd) and param.type is not Xsd.STRING:
                # ASMX would silently use 0/false; a missing number is far likelier a client bug.
                raise _Refusal(f"Missing parameter: {param.name}.")
            params[param.name] = None
        else:
            params[param.name] = _decode(element, param.type, param.name, service.namespace)
    return Call(op, params, header_values, version.protocol)


def _dispatch(service: Service, version: _Version, wrapper: etree._Element | None, action: str) -> Operation:
    """The operation named by ``action`` (SOAPAction / action=) or else by the Body's first element."""
    if action:
        op = next((o for o in service.operations if service.namespace + o.name == action), None)
        if op is None:
            where = "HTTP Header SOAPAction" if version is _SOAP11 else "the Content-Type's action parameter"
            raise _Refusal(f"Server did not recognize the value of {where}: {action}.")
        if wrapper is None or _qname(wrapper) != (service.namespace, op.name):
            found = "nothing" if wrapper is None else f"the element {_describe(wrapper)}"
            raise _Refusal(f"The SOAP Body holds {found}, not the element '{op.name}' in namespace "
                           f"'{service.namespace}' that the action {action} calls.")
        return op
    if wrapper is None:
        raise _Refusal("Server was unable to read request. The SOAP Body is empty.")
    namespace, local = _qname(wrapper)
    op = service.operation(local) if namespace == service.namespace else None
    if op is None:
        raise _Refusal(f"Server did not recognize the request element {_describe(wrapper)}.")
    return op


def _decode_header(service: Service, version: _Version, header: etree._Element | None) -> dict[str, str | None] | None:
    """The service's header block as {member: text or None}; None when it was not sent. Any other block
    marked mustUnderstand (and not addressed to SOAP 1.2's "none" role) is a MustUnderstand fault."""
    if header is None:
        return None
    found: etree._Element | None = None
    for block in _children(header):
        if (service.header is not None and found is None
                and _qname(block) == (service.namespace, service.header.name)):
            found = block
            continue
        must = block.get(f"{{{version.envelope}}}mustUnderstand", "").strip(_XML_SPACE) in ("1", "true")
        role = block.get(f"{{{version.envelope}}}role", "")
        if must and role != f"{SOAP12_NS}/role/none":
            raise _Refusal(f"SOAP header {etree.QName(block).localname} was not understood.", "MustUnderstand")
    if found is None or _is_nil(found):
        return None
    assert service.header is not None
    values: dict[str, str | None] = {}
    for member in service.header.members:
        element = _find(found, service.namespace, member.name)
        values[member.name] = None if element is None else _text(element, f"{service.header.name}.{member.name}")
    return values


def _text(element: etree._Element, label: str) -> str:
    if any(True for _ in _children(element)):
        raise _Refusal(f"Parameter {label}: an element was found where text was expected.")
    return "".join(element.itertext())


def _decode(element: etree._Element, wire_type: WireType, label: str, namespace: str) -> Any:
    """The value of a (non-nil) element of ``wire_type``; ``label`` names it in fault messages."""
    if isinstance(wire_type, Xsd):
        text = _text(element, label)
        try:
            return parse_value(text, wire_type)
        except ValueError:
            raise _Refusal(f"Parameter {label}: '{_shown(text)}' is not a valid {wire_type.value}.") from None
    if isinstance(wire_type, ComplexType):
        record: dict[str, Any] = {}
        for member in wire_type.members:
            child = _find(element, namespace, member.name)
            if child is not None:
                record[member.name] = _decode(child, member.type, f"{label}.{member.name}", namespace)
        return record
    item_name = type_name(wire_type.item)
    items: list[Any] = []
    for child in _children(element):
        # A nil item carries nothing; dropping it spares every handler a None check.
        if _qname(child) == (namespace, item_name) and not _is_nil(child):
            items.append(_decode(child, wire_type.item, f"{label}[{len(items)}]", namespace))
    return items


# What a .NET value type holds when nothing was set (strings are references: null, omitted).
VALUE_DEFAULTS: dict[Xsd, Any] = {
    Xsd.INT: 0, Xsd.LONG: 0, Xsd.BOOLEAN: False, Xsd.DECIMAL: Decimal(0), Xsd.DOUBLE: 0.0,
    Xsd.DATETIME: datetime(1, 1, 1),
}


def _write(parent: etree._Element, name: str, wire_type: WireType, value: Any, namespace: str) -> None:
    """Append ``<name>`` holding ``value``; nothing at all for None (XmlSerializer omits nulls)."""
    if value is None:
        return
    _fill(etree.SubElement(parent, f"{{{namespace}}}{name}"), wire_type, value, namespace)


def _fill(element: etree._Element, wire_type: WireType, value: Any, namespace: str) -> None:
    if isinstance(wire_type, Xsd):
        element.text = format_value(value, wire_type)
    elif isinstance(wire_type, ComplexType):
        if not isinstance(value, Mapping):
            raise TypeError(f"{wire_type.name} needs a mapping, not {type(value).__name__}")
        # Keys that are not members are ignored: a handler may hand back a richer record than the wire shows.
        for member in wire_type.members:
            member_value = value.get(member.name)
            if member_value is None and isinstance(member.type, Xsd):
                # A .NET class's int, bool, decimal or DateTime member is never null: XmlSerializer
                # writes its default, and the WSDL (minOccurs="1") tells generated clients to expect it.
                member_value = VALUE_DEFAULTS.get(member.type)
            _write(element, member.name, member.type, member_value, namespace)
    else:
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
            raise TypeError(f"{wire_type.name} needs a list, not {type(value).__name__}")
        for item in value:
            _write(element, type_name(wire_type.item), wire_type.item, item, namespace)


def _envelope(version: _Version) -> tuple[etree._Element, etree._Element]:
    """A response envelope declaring xsi, xsd and the version's prefix, as the seed's samples do; its Body."""
    envelope = etree.Element(f"{{{version.envelope}}}Envelope",
                             nsmap={"xsi": XSI_NS, "xsd": XSD_NS, version.prefix: version.envelope})
    return envelope, etree.SubElement(envelope, f"{{{version.envelope}}}Body")


def _document(root: etree._Element) -> bytes:
    # Written by hand: lxml's own declaration uses single quotes, ASMX double.
    return XML_DECLARATION + etree.tostring(root, encoding="utf-8")


def _soap_answer(service: Service, version: _Version, op: Operation, result: Any) -> bytes:
    envelope, body = _envelope(version)
    wrapper = etree.SubElement(body, f"{{{service.namespace}}}{op.name}Response", nsmap={None: service.namespace})
    if op.result is not None:
        _write(wrapper, f"{op.name}Result", op.result, result, service.namespace)
    return _document(envelope)


# XML 1.0 cannot carry these; a handler's message could hold one, and a fault must still be well-formed.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _fault(version: _Version, refusal: _Refusal) -> Response:
    message = _NOT_XML.sub("?", refusal.message)
    envelope, body = _envelope(version)
    env = version.envelope
    fault = etree.SubElement(body, f"{{{env}}}Fault")
    if version is _SOAP11:
        etree.SubElement(fault, "faultcode").text = f"{version.prefix}:{refusal.code}"
        etree.SubElement(fault, "faultstring").text = message
        etree.SubElement(fault, "detail")
    else:
        code = {"Client": "Sender", "Server": "Receiver"}.get(refusal.code, refusal.code)
        value = etree.SubElement(etree.SubElement(fault, f"{{{env}}}Code"), f"{{{env}}}Value")
        value.text = f"{version.prefix}:{code}"
        text = etree.SubElement(etree.SubElement(fault, f"{{{env}}}Reason"), f"{{{env}}}Text")
        text.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
        text.text = message
        etree.SubElement(fault, f"{{{env}}}Detail")
    return Response(_document(envelope), status_code=refusal.status, media_type=version.media_type)


# ---------------------------------------------------------------------------------------------------------------------
# HTTP GET / HTTP POST


async def _http(request: Request, service: Service, invoke: Callable[[Call], Any], max_body: int, tail: str,
                protocol: Literal["get", "post"]) -> Response:
    op = service.operation(tail)
    if op is None or not op.http_allowed:
        ending = tail.rsplit("/", 1)[-1]
        return _plain_error(f"Request format is unrecognized for URL unexpectedly ending in '/{ending}'.")
    if protocol == "get":
        pairs = request.query_params.multi_items()
    else:
        media_type, _ = _content_type(request)
        if media_type != "application/x-www-form-urlencoded":
            return _plain_error(f"Request format is invalid: {request.headers.get('content-type', '')}.")
        try:
            body = await read_limited(request, max_body)
        except BodyTooLarge:
            return PlainTextResponse(f"The request body is larger than the limit of {max_body} bytes.",
                                     status_code=413)
        pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    # ASP.NET's QueryString and Form collections look names up case-insensitively.
    fields: dict[str, list[str]] = {}
    for key, value in pairs:
        fields.setdefault(key.lower(), []).append(value)
    try:
        params = {param.name: _field(fields, param) for param in op.params}
    except _Refusal as refusal:
        return _plain_error(refusal.message)
    header: dict[str, str | None] | None = None
    if service.header is not None:
        values: dict[str, str | None] = {}
        for member in service.header.members:
            given = fields.get(member.name.lower())
            values[member.name] = given[0] if given else request.headers.get(member.name)
        header = values if any(v is not None for v in values.values()) else None
    def render(result: Any) -> Rendered:
        return Rendered(b"" if op.result is None else _bare_answer(service, op.result, result))

    call = Call(op, params, header, protocol, render)
    try:
        result = await run_in_threadpool(invoke, call)
        content = result.content if isinstance(result, Rendered) else render(result).content
        if op.result is None:
            return Response(b"", status_code=200)
    except Fault as fault:
        return _plain_error(fault.message)
    except Exception:
        logger.exception("ASMX %s.%s failed (%s)", service.name, op.name, protocol)
        return _plain_error(SERVER_ERROR)
    return Response(content, media_type="text/xml; charset=utf-8")


def _field(fields: dict[str, list[str]], param: Member) -> Any:
    """A GET/POST parameter: every one is required (ASMX); an array repeats its name."""
    values = fields.get(param.name.lower())
    if values is None:
        raise _Refusal(f"Missing parameter: {param.name}.")
    if isinstance(param.type, ListOf):
        assert isinstance(param.type.item, Xsd)  # http_allowed
        return [_convert(value, param.type.item, param.name) for value in values]
    assert isinstance(param.type, Xsd)
    # A repeated scalar takes its first value (ASP.NET would join them with commas, which parses as nothing).
    return _convert(values[0], param.type, param.name)


def _convert(text: str, xsd: Xsd, name: str) -> Any:
    try:
        return parse_value(text, xsd, lenient=True)
    except ValueError:
        raise _Refusal(f"Cannot convert {_shown(text)} to {_DOTNET_TYPE[xsd]}. Parameter name: {name}.") from None


def _plain_error(message: str) -> Response:
    return PlainTextResponse(message, status_code=500)


def _bare_answer(service: Service, wire_type: WireType, result: Any) -> bytes:
    """The HTTP GET/POST answer: the result alone, its root named after its type (``ContactTokenResponse``,
    ``ArrayOfX``, ``int``) in the service namespace."""
    name = f"{{{service.namespace}}}{type_name(wire_type)}"
    if result is None:
        # The document needs its root even for a null result; XmlSerializer marks it nil.
        root = etree.Element(name, nsmap={None: service.namespace, "xsi": XSI_NS})
        root.set(f"{{{XSI_NS}}}nil", "true")
    else:
        root = etree.Element(name, nsmap={None: service.namespace})
        _fill(root, wire_type, result, service.namespace)
    return _document(root)
