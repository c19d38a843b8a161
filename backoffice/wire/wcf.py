"""WCF ``webHttpBinding`` JSON conventions (DataContractJsonSerializer), as the Symphony dialect needs them.

- Dates: ``"\\/Date(928167600000-0500)\\/"``: milliseconds since the Unix epoch (UTC) and an optional
  ``±hhmm`` that only says which zone to display the instant in (:func:`format_date`, :func:`parse_date`).
- ``/`` is written escaped as ``\\/`` in every JSON string (:func:`dumps`, :func:`json_escape_slashes`).
- ``byte[]`` is a JSON array of numbers 0-255 (:func:`encode_byte_array`, :func:`decode_byte_array`,
  :func:`extract_byte_array`). Files travel this way, so these are built for hundreds of megabytes:
  encoding streams, and decoding a request body never holds the whole array as Python ints.
- Errors and ``/help`` are small HTML pages, never JSON and never a stack trace (:func:`error_page`,
  :func:`help_page`).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, NoReturn

import orjson

from .dates import parse_wcf, to_wcf

# ---------------------------------------------------------------------------------------------------------------------
# Dates

# Spaces are tolerated between the parts because the vendor document's own examples carry them
# ("\/Date(928167600000- 0500) \/"), and a client copying them should not be refused for it.
_DATE = re.compile(r"^\s*\\?/Date\(\s*(-?\d+)\s*(?:([+-])\s*(\d\d)(\d\d)\s*)?\)\s*\\?/\s*$", re.ASCII)


def format_date(value: datetime, offset_minutes: int = 0) -> str:
    """``value`` as ``/Date(ms±hhmm)/`` (unescaped; :func:`dumps` writes it as ``\\/Date(...)\\/``).

    A naive ``value`` is taken as UTC; an aware one is converted to UTC. The milliseconds are always
    the UTC instant; ``offset_minutes`` only becomes the ``±hhmm`` suffix (``+0000`` for 0, as .NET
    writes a local time in a UTC zone).
    """
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    if not -24 * 60 < offset_minutes < 24 * 60:
        raise ValueError(f"offset of {offset_minutes} minutes is not a time zone offset")
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return to_wcf(value, offset=f"{sign}{hours:02d}{minutes:02d}")


def parse_date(text: str) -> tuple[datetime, int]:
    """``(naive UTC instant, offset in minutes)`` from a WCF date string; ValueError if it is not one.

    Accepts ``/Date(ms)/``, ``/Date(ms+hhmm)/``, ``/Date(ms-hhmm)/``, with ``\\/`` or ``/``, negative
    milliseconds, and whitespace between the parts. The instant comes from the milliseconds alone: the
    public sample client writes ``+hhmm`` even for zones west of UTC, so the offset cannot be trusted to
    correct anything; it is returned (0 when absent) only to say which zone the sender displays.
    """
    match = _DATE.match(text)
    if match is None:
        raise ValueError(f"'{text}' is not a WCF date such as \\/Date(928167600000-0500)\\/")
    ms, sign, hours, minutes = match.groups()
    offset = 0
    if sign:
        if int(minutes) >= 60 or int(hours) >= 24:
            raise ValueError(f"'{text}' has an offset that is not a time zone (hhmm)")
        offset = (int(hours) * 60 + int(minutes)) * (-1 if sign == "-" else 1)
    instant = parse_wcf(f"/Date({ms})/")
    assert instant is not None  # the pattern above is stricter than parse_wcf's
    return instant, offset


# ---------------------------------------------------------------------------------------------------------------------
# JSON text as WCF writes it


def json_escape_slashes(text: bytes) -> bytes:
    """JSON text with every ``/`` written as ``\\/``, as DataContractJsonSerializer writes it.

    Correct for any JSON text whose writer never escapes ``/`` itself (orjson, ``json.dumps``):
    ``/`` is not a structural character and no UTF-8 multi-byte sequence contains the byte 0x2F,
    so every ``/`` byte is a literal slash inside a string, and ``\\/`` is its valid escape.
    """
    return text.replace(b"/", b"\\/")


def _wcf_default(offset_minutes: int) -> Any:
    def default(value: object) -> object:
        if isinstance(value, datetime):
            return format_date(value, offset_minutes)
        raise TypeError(f"{type(value).__name__} is not JSON serializable")

    return default


def dumps(value: object, *, offset_minutes: int = 0) -> bytes:
    """``value`` as WCF writes JSON: compact, keys in the given order, ``/`` escaped, datetimes as
    ``\\/Date(ms±hhmm)\\/`` with ``offset_minutes`` (naive datetimes are UTC). Integers keep full 64-bit
    precision (ids such as 9223372036854775807 are never routed through a float)."""
    text = orjson.dumps(value, default=_wcf_default(offset_minutes), option=orjson.OPT_PASSTHROUGH_DATETIME)
    return json_escape_slashes(text)


# ---------------------------------------------------------------------------------------------------------------------
# byte[] as a JSON array of numbers

# Encoding and decoding go through orjson (already a dependency, written in C) one bounded window at a
# time: measured on 50 MB it is 2-4x faster than the best pure-Python table lookups (see the tests'
# throughput check), and a window's list of small ints (CPython shares the objects for 0-255) costs
# 8 bytes a byte, so memory stays flat whatever the file size.
_ENCODE_WINDOW = 1 << 20
# Text per decode step; the array text averages ~3.6 characters a byte, so <= ~600k ints per step.
_DECODE_WINDOW = 1 << 21
_ARRAY_CHARS = b"0123456789, \t\r\n"


def encode_byte_array(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Stream the JSON text ``[81,109,70]`` of the bytes given as ``chunks``.

    Chunks may be any size (a single 60 MB ``bytes`` is cut into windows); memory is bounded by the
    window, not the file. The concatenated output is exactly what WCF writes: no spaces, ``[]`` when empty.
    """
    yield b"["
    first = True
    for chunk in chunks:
        view = memoryview(chunk).cast("B")
        for start in range(0, len(view), _ENCODE_WINDOW):
            piece = orjson.dumps(view[start:start + _ENCODE_WINDOW].tolist())
            if not first:
                yield b","
            first = False
            yield piece[1:-1]
    yield b"]"


def decode_byte_array(value: object, *, name: str = "value") -> bytes:
    """The bytes of an already-parsed JSON array of integers 0-255; ValueError naming ``name`` otherwise.

    Booleans are refused although Python counts them as ints: JSON ``true`` is not a byte.
    """
    if not isinstance(value, list):
        raise ValueError(f"{name} must be an array of numbers 0-255, not {_json_kind(value)}")
    if set(map(type, value)) <= {int}:
        try:
            return bytes(value)
        except ValueError:
            pass  # out of range: name the first offender below
    for index, item in enumerate(value):
        if type(item) is not int:
            raise ValueError(f"{name}[{index}] must be a number 0-255, not {_json_kind(item)}")
        if not 0 <= item <= 255:
            raise ValueError(f"{name}[{index}] is {item}, outside 0-255")
    raise AssertionError("unreachable: bytes() refused a list of ints 0-255")


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, float):
        return f"the non-integer {value!r}"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


_WS = re.compile(rb"[ \t\r\n]*")


def _skip_ws(body: bytes, pos: int) -> int:
    """The first position at or after ``pos`` that is not JSON whitespace."""
    match = _WS.match(body, pos)
    assert match is not None  # the pattern matches the empty string
    return match.end()

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_STRUCTURE = re.compile(rb'["\[\]{}]')
_SCALAR = re.compile(rb"[^,}\]\s]+")
_NOT_ARRAY_CHAR = re.compile(rb"[^0-9,\s]")
_NUMBER_AROUND = re.compile(rb"[^,\s\[\]]*")


def extract_byte_array(body: bytes, member: str) -> tuple[bytes, bytes | None]:
    """Cut a byte-array member out of a raw JSON object body without parsing it into Python ints.

    Returns ``(body with that member's value replaced by null, the decoded bytes)``; the bytes are None
    when the member is absent or null. Only a member of the top-level object counts (a same-named key in
    a nested object, or the name inside a string, does not). The array may hold JSON whitespace
    (newlines included); each element must be an integer 0-255 written as JSON writes it. Anything else
    (a float, an exponent, a string, a boolean, a nested array, a leading zero, an empty element, a body
    that is not one JSON object) raises ValueError with a message fit to show the client.

    The rest of the body is only scanned for structure here; the caller parses the returned body
    (small once the array is gone), which validates it fully. Memory: the body, the decoded bytes twice
    (pieces, then joined) and one bounded window of ints.
    """
    # .NET writers may start the body with a UTF-8 byte order mark; it is kept in the returned body.
    pos = _skip_ws(body, 3 if body.startswith(b"\xef\xbb\xbf") else 0)
    if body[pos:pos + 1] != b"{":
        raise ValueError("The request body must be a JSON object")
    pos = _skip_ws(body, pos + 1)
    found: tuple[int, int, bytes | None] | None = None
    if body[pos:pos + 1] == b"}":
        pos += 1
    else:
        while True:
            key_match = _STRING.match(body, pos)
            if key_match is None:
                raise ValueError(f"Malformed JSON at byte {pos}: expected a member name in quotes")
            key = _key_text(key_match.group())
            pos = _skip_ws(body, key_match.end())
            if body[pos:pos + 1] != b":":
                raise ValueError(f"Malformed JSON at byte {pos}: expected ':' after \"{key}\"")
            value_start = _skip_ws(body, pos + 1)
            if key == member:
                if found is not None:
                    raise ValueError(f"{member} appears twice in the request body")
                pos, data = _member_value(body, value_start, member)
                found = (value_start, pos, data)
            else:
                pos = _skip_value(body, value_start)
            pos = _skip_ws(body, pos)
            separator = body[pos:pos + 1]
            pos += 1
            if separator == b"}":
                break
            if separator != b",":
                raise ValueError(f"Malformed JSON at byte {pos - 1}: expected ',' or '}}' after \"{key}\"")
            pos = _skip_ws(body, pos)
    if _skip_ws(body, pos) != len(body):
        raise ValueError(f"Malformed JSON at byte {pos}: content after the end of the object")
    if found is None:
        return body, None
    start, end, data = found
    return body[:start] + b"null" + body[end:], data


def _key_text(raw: bytes) -> str:
    # Member names are short; only escaped ones ("Data\u0046orImport") need a real JSON decode.
    if b"\\" in raw:
        try:
            return str(json.loads(raw))
        except ValueError as exc:
            raise ValueError(f"Malformed JSON: bad escape in member name {raw[:80]!r}") from exc
    try:
        return raw[1:-1].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError("The request body is not UTF-8") from exc


def _skip_value(body: bytes, pos: int) -> int:
    """The end of the JSON value starting at ``pos`` (bracket matching only; strings skipped whole)."""
    first = body[pos:pos + 1]
    if first == b'"':
        match = _STRING.match(body, pos)
        if match is None:
            raise ValueError(f"Malformed JSON at byte {pos}: unterminated string")
        return match.end()
    if first in (b"{", b"["):
        depth = 0
        while True:
            found = _STRUCTURE.search(body, pos)
            if found is None:
                raise ValueError(f"Malformed JSON: the value at byte {pos} is never closed")
            char = found.group()
            if char == b'"':
                pos = _skip_value(body, found.start())
                continue
            depth += 1 if char in (b"{", b"[") else -1
            pos = found.end()
            if depth == 0:
                return pos
    scalar = _SCALAR.match(body, pos)
    if scalar is None:
        raise ValueError(f"Malformed JSON at byte {pos}: expected a value")
    return scalar.end()


def _member_value(body: bytes, pos: int, member: str) -> tuple[int, bytes | None]:
    if body.startswith(b"null", pos):
        return pos + 4, None
    if body[pos:pos + 1] != b"[":
        end = _skip_value(body, pos)
        shown = body[pos:min(end, pos + 40)].decode("utf-8", "replace")
        raise ValueError(f"{member} must be an array of numbers 0-255 or null, not {shown}")
    # No element may contain ']' (or '[': refused below), so the first ']' closes the array.
    close = body.find(b"]", pos)
    if close < 0:
        raise ValueError(f"{member}: the array is never closed")
    return close + 1, _decode_span(body, pos + 1, close, member)


def _decode_span(body: bytes, start: int, end: int, member: str) -> bytes:
    """Decode the array text ``body[start:end]`` (between the brackets) window by window."""
    if _skip_ws(body, start) >= end:
        return b""
    pieces: list[bytes] = []
    pos = start
    while True:
        cut = end
        if end - pos > _DECODE_WINDOW:
            # Windows end at a comma so no number is split; a window without one (megabytes of
            # spaces) simply runs on to the next comma.
            cut = body.rfind(b",", pos, pos + _DECODE_WINDOW)
            if cut < 0:
                cut = body.find(b",", pos + _DECODE_WINDOW, end)
                cut = end if cut < 0 else cut
        text = body[pos:cut]
        if text.translate(None, _ARRAY_CHARS):
            bad = _NOT_ARRAY_CHAR.search(text)
            assert bad is not None  # translate() just found such a character
            _raise_bad_element(body, pos + bad.start(), start, member)
        try:
            values = orjson.loads(b"[" + text + b"]")
            if not values:
                raise ValueError("empty element")
            pieces.append(bytes(values))
        except (ValueError, TypeError):
            _raise_bad_window(body, pos, cut, start, member, last=cut == end)
        if cut == end:
            return b"".join(pieces)
        pos = cut + 1
        if pos >= end or _skip_ws(body, pos) >= end:
            raise ValueError(f"{member}: the array ends with a comma")


def _raise_bad_element(body: bytes, at: int, start: int, member: str) -> NoReturn:
    """Raise the ValueError for the element holding the byte at ``at`` (a character no byte value has)."""
    index = body.count(b",", start, at)
    char = body[at:at + 1]
    if char == b"[":
        raise ValueError(f"{member}[{index}] is a nested array; {member} must be a flat array of numbers 0-255")
    # Show the whole offending token (e.g. "1.5", "-3", "true") rather than the one character.
    left = body.rfind(b",", start, at) + 1 or start
    token = _NUMBER_AROUND.match(body, _skip_ws(body, left))
    shown = (token.group() if token else char)[:40].decode("utf-8", "replace")
    raise ValueError(f"{member}[{index}] is {shown!r}; {member} must hold integers 0-255 only")


def _raise_bad_window(body: bytes, pos: int, cut: int, start: int, member: str, *, last: bool) -> NoReturn:
    """The window holds only digits, commas and spaces yet did not decode: find the element, slowly.
    ``last``: the window ends the array (so an empty final element is a trailing comma)."""
    index = body.count(b",", start, pos)
    tokens = body[pos:cut].split(b",")
    for number, raw in enumerate(tokens, 1):
        token = raw.strip(b" \t\r\n")
        if not token and last and number == len(tokens) > 1:
            raise ValueError(f"{member}: the array ends with a comma")
        if not token:
            raise ValueError(f"{member}[{index}] is empty (two commas in a row, or a stray comma)")
        if b" " in token or b"\t" in token or b"\n" in token or b"\r" in token:
            raise ValueError(f"{member}[{index}]: numbers must be separated by commas")
        if len(token) > 1 and token.startswith(b"0"):
            raise ValueError(f"{member}[{index}] is {token[:40].decode()!r}; JSON numbers have no leading zeros")
        if int(token) > 255:
            raise ValueError(f"{member}[{index}] is {token[:40].decode()}, outside 0-255")
        index += 1
    raise ValueError(f"{member} is not a valid array of numbers 0-255")


# ---------------------------------------------------------------------------------------------------------------------
# HTML pages

# WCF's page names its exception in these words; clients and people grepping logs recognise them.
_DEFAULT_MESSAGES = {
    400: "The server encountered an error processing the request. See server logs for more details.",
    404: "Endpoint not found.",
    405: "Method not allowed.",
    413: "The maximum message size quota for incoming messages has been exceeded.",
    500: "The server encountered an error processing the request. See server logs for more details.",
}

_STYLE = ("body{color:#000;background:#fff;font-family:Verdana,sans-serif;margin:0}"
          "#content{margin-left:30px;font-size:.7em;padding-bottom:2em}"
          ".heading1{background:#036;color:#fff;font-family:Tahoma,sans-serif;font-size:2em;font-weight:normal;"
          "margin:0 -30px 1em -30px;padding:4px 0 4px 30px}"
          "table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}")


def exception_message(message: str) -> str:
    """WCF's sentence around an exception message, for a 400 or 500 :func:`error_page`. Say what was
    wrong with the request; internal details (paths, SQL, stack frames) must never be passed here."""
    return (f"The server encountered an error processing the request. The exception message is '{message}'. "
            "See server logs for more details.")


def error_page(status: int, title: str, message: str) -> str:
    """The small XHTML "Request Error" page WCF webHttp answers errors with (400, 404, 405, 413, 500, ...).

    ``title`` is the page's heading (WCF uses "Request Error", or "Service" for 404/405); ``message``
    is the one sentence shown, html-escaped; when empty, WCF's default sentence for ``status`` is used.
    The page never carries a stack trace: nothing but ``title`` and ``message`` reaches it.
    """
    if not 400 <= status <= 599:
        raise ValueError(f"{status} is not an error status")
    text = message or _DEFAULT_MESSAGES.get(status, _DEFAULT_MESSAGES[500 if status >= 500 else 400])
    return _page(title, f'<p class="heading1">{html.escape(title)}</p><p>{html.escape(text)}</p>')


def help_page(service_name: str, base_url: str, operations: list[tuple[str, str, str]]) -> str:
    """The WCF ``/help`` page of a service: "Operations at <base_url>" and a table of
    ``(uri, method, description)`` rows under the columns Uri, Method, Description; every text escaped."""
    rows = "".join(f"<tr><td>{html.escape(uri)}</td><td>{html.escape(method)}</td><td>{html.escape(text)}</td></tr>"
                   for uri, method, text in operations)
    body = (f'<p class="heading1">{html.escape(service_name)}</p>'
            f"<p>Operations at {html.escape(base_url)}</p>"
            "<p>This page describes the service operations at this endpoint.</p>"
            f"<table><tr><th>Uri</th><th>Method</th><th>Description</th></tr>{rows}</table>")
    return _page(f"Operations at {base_url}", body)


def _page(title: str, body: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
            '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
            f'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>{html.escape(title)}</title>'
            f'<style type="text/css">{_STYLE}</style></head>'
            f'<body><div id="content">{body}</div></body></html>\n')
