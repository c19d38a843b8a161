"""WCF JSON conventions: dates, escaped slashes, byte arrays (streamed, and cut out of raw bodies), HTML pages."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser

import orjson
import pytest
from lxml import etree

from backoffice.wire import wcf

# The seed's placeholder: 1999-05-31T16:20:00Z shown at -05:00.
SEED_INSTANT = datetime(1999, 5, 31, 16, 20)

# S19's request as the seed shows it (repaired fences), the byte array spread over lines.
S19_BODY = b"""{
    "DataForImport": [81,
        109,
        70,
        122,
        90,
        83,
        65,
        50,
        78,
        67,
        66,
        84,
        100,
        72,
        74,
        108,
        89,
        87,
        48,
        61],
    "DataSince": "\\/Date(928167600000-0500)\\/",
    "HierStrucId": 9223372036854775807,
    "ObjectType": "String content",
    "SelectedObjectMembers": ["String content"],
    "SortExpressions": [{
        "m_Item1": "String content",
        "m_Item2": "String content"
    }],
    "Status": 0,
    "UserName": "String content"
}"""

# S8's answer, with the blank line the seed keeps after the first number.
S8_ANSWER = (b"[ 81,\n\n109,\n70,\n122,\n90,\n83,\n65,\n50,\n78,\n67,\n66,\n84,\n100,\n72,\n74,\n108,\n89,\n87,\n48,"
             b"\n61]")


# ---------------------------------------------------------------------------------------------------------------------
# Dates


def test_format_date_writes_the_seed_placeholder() -> None:
    assert wcf.format_date(SEED_INSTANT, -300) == "/Date(928167600000-0500)/"


def test_format_date_zero_offset_is_plus_and_aware_values_are_converted_to_utc() -> None:
    assert wcf.format_date(SEED_INSTANT) == "/Date(928167600000+0000)/"
    eastern = SEED_INSTANT.replace(tzinfo=UTC).astimezone(timezone(timedelta(hours=-5)))
    assert wcf.format_date(eastern, 90) == "/Date(928167600000+0130)/"


def test_format_date_before_the_epoch() -> None:
    assert wcf.format_date(datetime(1969, 12, 31, 23, 59, 59)) == "/Date(-1000+0000)/"


def test_format_date_refuses_an_offset_of_a_day() -> None:
    with pytest.raises(ValueError):
        wcf.format_date(SEED_INSTANT, 24 * 60)


@pytest.mark.parametrize(("text", "offset"), [
    ("/Date(928167600000-0500)/", -300),
    ("\\/Date(928167600000-0500)\\/", -300),
    ("/Date(928167600000+0500)/", 300),
    ("/Date(928167600000+0530)/", 330),
    ("/Date(928167600000)/", 0),
    ("\\/Date(928167600000)\\/", 0),
    # The flattening in the seed (L302, L305, L757).
    ("\\/Date(928167600000- 0500) \\/", -300),
    ("/Date(928167600000- 0500) /", -300),
])
def test_parse_date_keeps_the_instant_whatever_the_offset(text: str, offset: int) -> None:
    assert wcf.parse_date(text) == (SEED_INSTANT, offset)


def test_parse_date_negative_milliseconds() -> None:
    assert wcf.parse_date("/Date(-86400000+0000)/") == (datetime(1969, 12, 31), 0)


@pytest.mark.parametrize("text", [
    "", "Date(1)", "/Date()/", "/Date(12a)/", "/Date(1+05)/", "/Date(1+0560)/", "/Date(1+2500)/",
    "2024-01-01", "/Date(1.5)/", "/Date(99999999999999999999)/", "/Date(\u0661)/",
])
def test_parse_date_refuses_what_is_not_a_wcf_date(text: str) -> None:
    with pytest.raises(ValueError):
        wcf.parse_date(text)


def test_dates_round_trip() -> None:
    for offset in (-720, -300, 0, 60, 345):
        value = datetime(2024, 2, 29, 23, 59, 58, 123000)
        assert wcf.parse_date(wcf.format_date(value, offset)) == (value, offset)


# ---------------------------------------------------------------------------------------------------------------------
# JSON as WCF writes it


def test_dumps_escapes_slashes_and_writes_dates_the_wcf_way() -> None:
    text = wcf.dumps({"RequestDate": SEED_INSTANT, "Path": "a/b", "Id": 9223372036854775807}, offset_minutes=-300)
    assert text == (b'{"RequestDate":"\\/Date(928167600000-0500)\\/","Path":"a\\/b","Id":9223372036854775807}')
    assert json.loads(text) == {"RequestDate": "/Date(928167600000-0500)/", "Path": "a/b", "Id": 9223372036854775807}


def test_escaping_slashes_keeps_backslashes_and_non_ascii_intact() -> None:
    value = {"k/ey": ["back\\/slash", "Ελληνικά/ü", "</script>"]}
    text = wcf.json_escape_slashes(orjson.dumps(value))
    assert b"/" not in text.replace(b"\\/", b"")
    assert json.loads(text) == value


def test_dumps_refuses_what_json_cannot_hold() -> None:
    with pytest.raises(TypeError):
        wcf.dumps({"x": object()})


# ---------------------------------------------------------------------------------------------------------------------
# Byte arrays: encoding


def test_encode_byte_array_is_what_wcf_writes() -> None:
    assert b"".join(wcf.encode_byte_array([b"QmFz", b"", b"ZSA2NCBTdHJlYW0="])) == (
        b"[81,109,70,122,90,83,65,50,78,67,66,84,100,72,74,108,89,87,48,61]")
    assert b"".join(wcf.encode_byte_array([])) == b"[]"
    assert b"".join(wcf.encode_byte_array([b"", b""])) == b"[]"


def test_encode_byte_array_crosses_windows_and_accepts_any_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wcf, "_ENCODE_WINDOW", 5)
    data = bytes(range(256)) * 3
    chunks = [data[:7], bytearray(data[7:100]), memoryview(data)[100:]]
    assert json.loads(b"".join(wcf.encode_byte_array(chunks))) == list(data)  # type: ignore[arg-type]


def test_encode_byte_array_streams_a_large_chunk_in_bounded_pieces() -> None:
    data = random.Random(1).randbytes(3 * wcf._ENCODE_WINDOW + 5)
    pieces = list(wcf.encode_byte_array([data]))
    assert max(len(piece) for piece in pieces) <= 4 * wcf._ENCODE_WINDOW
    assert bytes(json.loads(b"".join(pieces))) == data


# ---------------------------------------------------------------------------------------------------------------------
# Byte arrays: already parsed


def test_decode_byte_array_of_the_seed_answers() -> None:
    assert wcf.decode_byte_array(json.loads(S8_ANSWER)) == b"QmFzZSA2NCBTdHJlYW0="
    assert wcf.decode_byte_array([]) == b""


@pytest.mark.parametrize(("value", "message"), [
    ([1, 256], r"x\[1\] is 256, outside 0-255"),
    ([-1], r"x\[0\] is -1, outside 0-255"),
    ([1, 2.0], r"x\[1\] must be a number 0-255, not the non-integer 2.0"),
    ([True], r"x\[0\] must be a number 0-255, not a boolean"),
    ([None], r"x\[0\] must be a number 0-255, not null"),
    (["81"], r"x\[0\] must be a number 0-255, not a string"),
    ([[1]], r"x\[0\] must be a number 0-255, not an array"),
    ("QmFz", r"x must be an array of numbers 0-255, not a string"),
    ({"a": 1}, r"x must be an array of numbers 0-255, not an object"),
])
def test_decode_byte_array_names_what_is_wrong(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        wcf.decode_byte_array(value, name="x")


# ---------------------------------------------------------------------------------------------------------------------
# Byte arrays: cut out of a raw body


def test_extract_byte_array_from_the_seed_request() -> None:
    rest, data = wcf.extract_byte_array(S19_BODY, "DataForImport")
    assert data == b"QmFzZSA2NCBTdHJlYW0="
    parsed = json.loads(rest)
    assert parsed["DataForImport"] is None
    assert parsed["HierStrucId"] == 9223372036854775807
    assert parsed["SortExpressions"] == [{"m_Item1": "String content", "m_Item2": "String content"}]
    # Only the member's value changed.
    assert rest.replace(b"null", b"") == S19_BODY[:S19_BODY.index(b"[")] + S19_BODY[S19_BODY.index(b"]") + 1:]


@pytest.mark.parametrize("body", [
    b'{"UserName":"a"}',
    b'{"DataForImport":null,"UserName":"a"}',
    b'{}',
    b' { } ',
    # Not at the top level, or not a member name.
    b'{"Inner":{"DataForImport":[1,2]},"UserName":"DataForImport"}',
    b'{"List":[{"DataForImport":[1]}],"Text":"\\"DataForImport\\":[1]"}',
])
def test_extract_byte_array_absent_or_null(body: bytes) -> None:
    rest, data = wcf.extract_byte_array(body, "DataForImport")
    assert data is None
    assert json.loads(rest) == json.loads(body)


def test_extract_byte_array_at_the_end_first_or_alone() -> None:
    for body in (b'{"A":1,"DataForImport":[1,2]}', b'{"DataForImport":[1,2],"A":1}', b'{"DataForImport":[1,2]}'):
        rest, data = wcf.extract_byte_array(body, "DataForImport")
        assert data == b"\x01\x02"
        assert json.loads(rest)["DataForImport"] is None


def test_extract_byte_array_empty_and_spaced_arrays() -> None:
    assert wcf.extract_byte_array(b'{"D":[]}', "D")[1] == b""
    assert wcf.extract_byte_array(b'{"D":[ \r\n\t ]}', "D")[1] == b""
    assert wcf.extract_byte_array(b'{"D" : [ 0 ,\r\n 255\t] }', "D")[1] == b"\x00\xff"


def test_extract_byte_array_matches_an_escaped_member_name_and_keeps_a_bom() -> None:
    rest, data = wcf.extract_byte_array(b'\xef\xbb\xbf{"Data\\u0046orImport":[65]}', "DataForImport")
    assert data == b"A"
    assert rest == b'\xef\xbb\xbf{"Data\\u0046orImport":null}'


def test_extract_byte_array_skips_strings_and_nested_values_holding_brackets() -> None:
    body = b'{"A":"]}[{\\"","B":[[1,{"c":"]"}],[]],"C":{"d":{"e":"}"}},"D":[7],"E":-1.5e3,"F":true}'
    rest, data = wcf.extract_byte_array(body, "D")
    assert data == b"\x07"
    assert json.loads(rest) == {**json.loads(body), "D": None}


@pytest.mark.parametrize(("body", "message"), [
    (b'{"D":[1,2.5]}', r"D\[1\] is '2.5'; D must hold integers 0-255 only"),
    (b'{"D":[1,1e2]}', r"D\[1\] is '1e2'"),
    (b'{"D":[-1]}', r"D\[0\] is '-1'"),
    (b'{"D":[1,256]}', r"D\[1\] is 256, outside 0-255"),
    (b'{"D":[99999999999999999999999]}', r"D\[0\] is 99999999999999999999999, outside 0-255"),
    (b'{"D":[1,[2],3]}', r"D\[1\] is a nested array"),
    (b'{"D":[[1]]}', r"D\[0\] is a nested array"),
    (b'{"D":[true]}', r"D\[0\] is 'true'"),
    (b'{"D":[null]}', r"D\[0\] is 'null'"),
    (b'{"D":["81"]}', r"""D\[0\] is '"81"'"""),
    (b'{"D":[1,{"a":2}]}', r"D\[1\] is '{\"a\":2}'"),
    (b'{"D":[1,,2]}', r"D\[1\] is empty"),
    (b'{"D":[,1]}', r"D\[0\] is empty"),
    (b'{"D":[1,2,]}', r"D: the array ends with a comma"),
    (b'{"D":[1 2]}', r"D\[0\]: numbers must be separated by commas"),
    (b'{"D":[01]}', r"D\[0\] is '01'; JSON numbers have no leading zeros"),
    (b'{"D":[1,2', r"D: the array is never closed"),
    (b'{"D":"QmFz"}', r'D must be an array of numbers 0-255 or null, not "QmFz"'),
    (b'{"D":5}', r"D must be an array of numbers 0-255 or null, not 5"),
    (b'{"D":[1],"D":[2]}', r"D appears twice"),
])
def test_extract_byte_array_refuses_what_is_not_a_byte(body: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        wcf.extract_byte_array(body, "D")


@pytest.mark.parametrize("body", [
    b"", b"[1,2]", b'"text"', b"{", b'{"A"}', b'{"A":1 "B":2}', b'{"A":1,}', b'{"A":"x}', b'{"A":[1,2}',
    b'{"A":1} {"B":2}', b'{A:1}', b'{"A":}',
])
def test_extract_byte_array_refuses_a_body_that_is_not_one_object(body: bytes) -> None:
    with pytest.raises(ValueError):
        wcf.extract_byte_array(body, "D")


@pytest.mark.parametrize("window", [2, 3, 7, 64])
def test_extract_byte_array_across_decode_windows(monkeypatch: pytest.MonkeyPatch, window: int) -> None:
    monkeypatch.setattr(wcf, "_DECODE_WINDOW", window)
    rng = random.Random(window)
    data = rng.randbytes(500)
    # Irregular whitespace, including runs longer than a window with no comma in them.
    array = ",".join(" " * rng.choice([0, 0, 1, 9]) + str(b) + "\n" * rng.choice([0, 2]) for b in data)
    body = b'{"A":1,"D":[' + array.encode() + b'],"Z":"end"}'
    rest, decoded = wcf.extract_byte_array(body, "D")
    assert decoded == data
    assert json.loads(rest) == {"A": 1, "D": None, "Z": "end"}


@pytest.mark.parametrize("window", [2, 5, 64])
def test_extract_byte_array_finds_errors_in_any_window(monkeypatch: pytest.MonkeyPatch, window: int) -> None:
    monkeypatch.setattr(wcf, "_DECODE_WINDOW", window)
    good = ",".join(str(i) for i in range(100))
    with pytest.raises(ValueError, match=r"D\[100\] is 300"):
        wcf.extract_byte_array(b'{"D":[' + good.encode() + b",300]}", "D")
    with pytest.raises(ValueError, match=r"D\[100\] is empty|the array ends with a comma"):
        wcf.extract_byte_array(b'{"D":[' + good.encode() + b",   ]}", "D")
    with pytest.raises(ValueError, match=r"D\[50\] is '1.5'"):
        wcf.extract_byte_array(b'{"D":[' + good.replace(",50,", ",1.5,").encode() + b"]}", "D")


def test_encode_and_extract_round_trip_a_megabyte() -> None:
    data = random.Random(7).randbytes((1 << 20) + 3)
    body = b'{"DataForImport":' + b"".join(wcf.encode_byte_array([data])) + b',"UserName":"api spec"}'
    rest, decoded = wcf.extract_byte_array(body, "DataForImport")
    assert decoded == data
    assert rest == b'{"DataForImport":null,"UserName":"api spec"}'


# ---------------------------------------------------------------------------------------------------------------------
# HTML pages


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _visible(page: str) -> list[str]:
    parser = _Text()
    parser.feed(page)
    return parser.parts


def test_error_page_is_wellformed_xhtml_with_the_escaped_message() -> None:
    message = wcf.exception_message("Expecting element 'root' <from> \"namespace\" & more")
    page = wcf.error_page(400, "Request Error", message)
    root = etree.fromstring(page.encode(), parser=etree.XMLParser(load_dtd=False, resolve_entities=False))
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    assert root.findtext("h:head/h:title", namespaces=ns) == "Request Error"
    paragraphs = [p.xpath("string()") for p in root.iterfind(".//h:p", ns)]
    assert paragraphs == ["Request Error", "The server encountered an error processing the request. The exception "
                          "message is 'Expecting element 'root' <from> \"namespace\" & more'. See server logs for "
                          "more details."]
    assert "<from>" not in page


@pytest.mark.parametrize(("status", "sentence"), [
    (404, "Endpoint not found."), (405, "Method not allowed."), (500, "See server logs"), (418, "See server logs"),
])
def test_error_page_default_sentences(status: int, sentence: str) -> None:
    assert any(sentence in text for text in _visible(wcf.error_page(status, "Service", "")))


def test_error_page_refuses_a_success_status() -> None:
    with pytest.raises(ValueError):
        wcf.error_page(200, "Request Error", "fine")


def test_help_page_lists_the_operations_escaped() -> None:
    page = wcf.help_page("DownloadService", "https://h/ImportExportAPI/DownloadService.svc/web",
                         [("GetEMCManifest/{userName}/{*orgCode}", "GET", "Returns a <Stream> & more"),
                          ("GetZipEMCClientFiles", "POST", "Zip")])
    root = etree.fromstring(page.encode(), parser=etree.XMLParser(load_dtd=False, resolve_entities=False))
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    rows = [[cell.text for cell in row] for row in root.iterfind(".//h:tr", ns)]
    assert rows == [["Uri", "Method", "Description"],
                    ["GetEMCManifest/{userName}/{*orgCode}", "GET", "Returns a <Stream> & more"],
                    ["GetZipEMCClientFiles", "POST", "Zip"]]
    assert "Operations at https://h/ImportExportAPI/DownloadService.svc/web" in _visible(page)
    assert "<Stream>" not in page
