"""The Synergist envelopes: a Result or an error as JSON, XML or CSV.

JSON keys are lower case, in the order of the vendor's examples (its tables capitalise them,
``Success``, ``Responsemessage``..., but every example is lower case). Lists add ``totalrows``,
``totalpages`` (after ``errormessage``) and ``pagerows``, ``pagenumber`` (after
``responsemessage``). ``pagenumber`` is the 1-based ordinal of the page returned (``page=0`` is
page number 1, as the vendor's answers to calls without ``page`` show); ``totalpages`` is
``ceil(totalrows / rows)``, and with ``rows=0`` (all) 1, or 0 when there are no rows.

XML: a list is its model's root element (``<Companies>``) with ``TotalRows``, ``TotalPages`` and
``MorePages`` (``True``/``False``), one row element per row (``<Company uuid="...">``) whose uuid
field is an attribute and whose other fields are child elements; a single answer is the same
without the paging attributes; an answer without rows is ``<Responses><Success><SuccessText>``.
Errors are HTTP 404: ``<Responses><Error ErrorID="..."><ErrorText>`` in XML (and for CSV calls),
and in JSON ``success:false`` with ``responsecode`` 0, ``responsestatus`` ``"ERROR"``,
``errorcode`` and ``errormessage``, the other keys as on success and ``data`` empty.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

import orjson
from lxml import etree
from starlette.responses import Response

from .host import Result
from .shapes import Model, WireField

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
CSV_TYPE = "text/csv; charset=utf-8"
DEFAULT_SUCCESS = "data processed successfully."

# XML 1.0 cannot carry these; such a character (pasted in through another API) is written as "?".
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Paging:
    total_rows: int
    total_pages: int
    page_number: int  # 1-based
    page_rows: int
    more_pages: bool


def paging(total_rows: int, page: int, rows: int) -> Paging:
    if rows:
        pages = -(-total_rows // rows)
    else:
        pages = 1 if total_rows else 0
    return Paging(total_rows, pages, page + 1, rows, page + 1 < pages)


# --- JSON ---------------------------------------------------------------------------------------


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS), status_code=status, media_type=JSON_TYPE)


def json_success(result: Result, page: int, rows: int) -> Response:
    body: dict[str, Any] = {"responsecode": 1, "responsestatus": "OK", "errorcode": 0, "errormessage": ""}
    p = paging(result.total_rows, page, rows) if result.total_rows is not None else None
    if p:
        body.update(totalrows=p.total_rows, totalpages=p.total_pages)
    body["responsemessage"] = result.message
    if p:
        body.update(pagerows=p.page_rows, pagenumber=p.page_number)
    body.update(warningmessage=result.warning, success=True, data=result.rows)
    return _json(body)


def json_error(error_id: int, text: str) -> Response:
    return _json({"responsecode": 0, "responsestatus": "ERROR", "errorcode": error_id, "errormessage": text,
                  "responsemessage": "", "warningmessage": "", "success": False, "data": []}, status=404)


# --- XML ----------------------------------------------------------------------------------------


def xml_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    return _NOT_XML.sub("?", value if isinstance(value, str) else str(value))


def _document(root: etree._Element, status: int = 200) -> Response:
    body = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return Response(body, status_code=status, media_type=XML_TYPE)


def _fields(result: Result) -> list[WireField]:
    if result.model is not None:
        return list(result.model.fields)
    names = dict.fromkeys(k for row in result.rows for k in row)
    return [WireField(name) for name in names]


def _names(result: Result) -> tuple[str, str]:
    model: Model | None = result.model
    return (result.root or (model.root if model else "Rows"), result.row or (model.row if model else "Row"))


def xml_success(result: Result, page: int, rows: int) -> Response:
    if not result.rows and result.total_rows is None:
        responses = etree.Element("Responses")
        success = etree.SubElement(responses, "Success")
        etree.SubElement(success, "SuccessText").text = xml_text(result.message or DEFAULT_SUCCESS)
        return _document(responses)
    root_name, row_name = _names(result)
    root = etree.Element(root_name)
    if result.total_rows is not None:
        p = paging(result.total_rows, page, rows)
        root.set("TotalRows", str(p.total_rows))
        root.set("TotalPages", str(p.total_pages))
        root.set("MorePages", xml_text(p.more_pages))
    fields = _fields(result)
    for data in result.rows:
        element = etree.SubElement(root, row_name)
        for wire in fields:
            if wire.xml is None:
                continue
            name = wire.xml or wire.name
            if wire.attribute:
                element.set(name, xml_text(data.get(wire.name)))
            else:
                etree.SubElement(element, name).text = xml_text(data.get(wire.name))
    return _document(root)


def xml_error(error_id: int, text: str) -> Response:
    responses = etree.Element("Responses")
    error = etree.SubElement(responses, "Error", ErrorID=str(error_id))
    etree.SubElement(error, "ErrorText").text = xml_text(text)
    return _document(responses, status=404)


# --- CSV ----------------------------------------------------------------------------------------


def _cell(value: object) -> str:
    """A CSV cell; text a spreadsheet would run as a formula (=, +, -, @, a tab or CR first) is
    written after a quote mark, as spreadsheet programs themselves mark text."""
    text = xml_text(value)
    if isinstance(value, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def csv_success(result: Result) -> Response:
    """A list as CSV: a header row of the model's field names, then the rows (UTF-8)."""
    fields = _fields(result)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f.name for f in fields])
    for data in result.rows:
        writer.writerow([_cell(data.get(f.name)) for f in fields])
    return Response(out.getvalue().encode("utf-8"), media_type=CSV_TYPE)


def success(fmt: str, result: Result, page: int, rows: int) -> Response:
    if fmt == "json":
        return json_success(result, page, rows)
    if fmt == "csv":
        return csv_success(result)
    return xml_success(result, page, rows)


def error(fmt: str, error_id: int, text: str) -> Response:
    return json_error(error_id, text) if fmt == "json" else xml_error(error_id, text)
