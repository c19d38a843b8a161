"""ServiceStack's response formats: JSON (with ?jsconfig=), DataContract XML, CSV and the HTML report.

Handlers return trees of ``Dto`` (an ordered dict that knows its .NET type name and namespace),
lists and plain values; these writers put them on the wire as ServiceStack would.
"""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
from lxml import etree

from ...wire.dates import to_iso, to_ms, to_wcf

XSI = "http://www.w3.org/2001/XMLSchema-instance"
SERVICESTACK_NS = "http://schemas.servicestack.net/types"
ARRAYS_NS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"


class Dto(dict[str, Any]):
    """A response object: its members in declaration order, and its .NET type for XML."""

    def __init__(self, type_name: str, members: dict[str, Any] | None = None, *,
                 namespace: str = SERVICESTACK_NS) -> None:
        super().__init__(members or {})
        self.type_name = type_name
        self.namespace = namespace


# --- ?jsconfig= --------------------------------------------------------------------------


@dataclass(frozen=True)
class JsConfig:
    text_case: str = "default"  # default (as declared: PascalCase), camel, snake
    exclude_defaults: bool = False
    include_nulls: bool = False
    date_handler: str = "timestampoffset"
    indent: bool = False


_DATE_HANDLERS = {
    "timestampoffset": "timestampoffset", "to": "timestampoffset", "dcjscompatible": "dcjscompatible",
    "dcjsc": "dcjscompatible", "iso8601": "iso8601", "iso8601dateonly": "iso8601dateonly",
    "iso8601do": "iso8601dateonly", "iso8601datetime": "iso8601datetime", "iso8601dt": "iso8601datetime",
    "rfc1123": "rfc1123", "unixtime": "unixtime", "ut": "unixtime", "unixtimems": "unixtimems",
    "utm": "unixtimems",
}
_TEXT_CASES = {"default": "default", "d": "default", "pascalcase": "default", "pc": "default",
               "camelcase": "camel", "cc": "camel", "snakecase": "snake", "sc": "snake"}


def parse_jsconfig(value: str | None) -> JsConfig:
    """Parse ServiceStack's ``?jsconfig=`` the way it does: comma items, first ':' splits, case-insensitive.

    A key alone means true; ``false`` or ``0`` mean false. Unknown keys are ignored.
    """
    if not value:
        return JsConfig()
    settings: dict[str, Any] = {}
    for item in value.split(","):
        key, _, raw = item.strip().partition(":")
        key, raw = key.strip().lower(), raw.strip().lower()
        flag = raw not in ("false", "0")
        if key in ("textcase", "tc"):
            settings["text_case"] = _TEXT_CASES.get(raw, "default")
        elif key in ("emitcamelcasenames", "eccn") and flag:
            settings["text_case"] = "camel"
        elif key in ("emitlowercaseunderscorenames", "elun") and flag:
            settings["text_case"] = "snake"
        elif key in ("excludedefaultvalues", "edv"):
            settings["exclude_defaults"] = flag
        elif key in ("includenullvalues", "inv"):
            settings["include_nulls"] = flag
        elif key in ("datehandler", "dh"):
            settings["date_handler"] = _DATE_HANDLERS.get(raw, "timestampoffset")
        elif key in ("indent", "i", "pp"):
            settings["indent"] = flag
    return JsConfig(**settings)


def camel_case(name: str) -> str:
    """ServiceStack's ToCamelCase: lower the leading capitals that start the name.

    A capital is lowered when it is the first character or the next one is also a capital
    (the end counts as a capital): ``DebtorID`` -> ``debtorID``, ``ID`` -> ``id``,
    ``IDNumber`` -> ``idNumber``.
    """
    chars = list(name)
    for i, ch in enumerate(chars):
        nxt = chars[i + 1] if i + 1 < len(chars) else "A"
        if ch.isupper() and (i == 0 or nxt.isupper()):
            chars[i] = ch.lower()
        else:
            break
    return "".join(chars)


def snake_case(name: str) -> str:
    out = []
    for ch in camel_case(name):
        if ch.islower() or ch.isdigit() or ch == "_":
            out.append(ch)
        else:
            out.append("_" + ch.lower())
    return "".join(out)


def _date_value(value: datetime | date, handler: str) -> Any:
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if handler == "iso8601dateonly":
        return value.date().isoformat()
    if handler in ("iso8601", "iso8601datetime"):
        return to_iso(value)
    if handler == "rfc1123":
        return value.strftime("%a, %d %b %Y %H:%M:%S GMT")
    if handler == "unixtime":
        return to_ms(value) // 1000
    if handler == "unixtimems":
        return to_ms(value)
    if handler == "dcjscompatible":
        return to_wcf(value, offset="")
    return to_wcf(value)


def _is_default(value: Any) -> bool:
    return value is None or value is False or value == 0 and not isinstance(value, bool) or value == ""


def json_tree(value: Any, cfg: JsConfig) -> Any:
    """Plain JSON data for ``value``: names cased, nulls (and defaults, if asked) dropped, dates formatted."""
    if isinstance(value, dict):
        rename = camel_case if cfg.text_case == "camel" else snake_case if cfg.text_case == "snake" else None
        out = {}
        for key, item in value.items():
            if item is None and not cfg.include_nulls:
                continue
            if cfg.exclude_defaults and _is_default(item):
                continue
            out[rename(key) if rename else key] = json_tree(item, cfg)
        return out
    if isinstance(value, list | tuple):
        return [json_tree(item, cfg) for item in value]
    if isinstance(value, datetime | date):
        return _date_value(value, cfg.date_handler)
    return value


def render_json(value: Any, cfg: JsConfig) -> bytes:
    option = orjson.OPT_INDENT_2 if cfg.indent else 0
    body = orjson.dumps(json_tree(value, cfg), option=option)
    # ServiceStack escapes the slashes of its dates: "\/Date(...)\/".
    if b'"/Date(' in body:
        body = body.replace(b'"/Date(', b'"\\/Date(').replace(b')/"', b')\\/"')
    return body


# --- XML (DataContractSerializer) ----------------------------------------------------------


def _xml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(timespec="milliseconds").removesuffix(".000")
    if isinstance(value, date):
        return value.isoformat() + "T00:00:00"
    if isinstance(value, float):
        return repr(value) if value != int(value) else str(int(value))
    return str(value)


def _xml_members(element: etree._Element, dto: dict[str, Any], ns: str) -> None:
    # DataContractSerializer writes members in alphabetical order.
    for key in sorted(dto, key=str.casefold):
        _xml_value(etree.SubElement(element, f"{{{ns}}}{key}"), dto[key], ns)


def _xml_value(element: etree._Element, value: Any, ns: str) -> None:
    if value is None:
        element.set(f"{{{XSI}}}nil", "true")
    elif isinstance(value, dict):
        _xml_members(element, value, ns)
    elif isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, Dto):
                child = etree.SubElement(element, f"{{{ns}}}{item.type_name}")
                _xml_members(child, item, ns)
            elif isinstance(item, dict):
                child = etree.SubElement(element, f"{{{ns}}}KeyValuePair")
                _xml_members(child, item, ns)
            else:
                kind = "string" if isinstance(item, str) else "int" if isinstance(item, int) else "double"
                child = etree.SubElement(element, f"{{{ARRAYS_NS}}}{kind}")
                child.text = _xml_scalar(item)
    else:
        element.text = _xml_scalar(value)


def render_xml(value: Any, root_name: str | None = None) -> bytes:
    if isinstance(value, Dto):
        ns, name = value.namespace, root_name or value.type_name
    else:
        ns, name = SERVICESTACK_NS, root_name or "ArrayOfObject"
    root = etree.Element(f"{{{ns}}}{name}", nsmap={"i": XSI, None: ns})
    _xml_value(root, value, ns)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


# --- CSV -----------------------------------------------------------------------------------


def _jsv(value: Any) -> str:
    """ServiceStack's JSV text for a nested value in a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return to_iso(value) if value.time() != datetime.min.time() else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}:{_jsv(v)}" for k, v in value.items() if v is not None) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_jsv(v) for v in value) + "]"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def csv_rows(value: Any) -> list[dict[str, Any]]:
    """The rows ServiceStack writes: a list's items, a query response's Results, or the object itself."""
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, dict)]
    if isinstance(value, dict):
        if isinstance(value.get("Results"), list):
            return [v for v in value["Results"] if isinstance(v, dict)]
        return [value]
    return []


def render_csv(value: Any) -> bytes:
    rows = csv_rows(value)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if rows:
        header = list(rows[0].keys())
        for row in rows[1:]:
            header += [k for k in row if k not in header]
        writer.writerow(header)
        for row in rows:
            writer.writerow([_jsv(row.get(k)) for k in header])
    return out.getvalue().encode("utf-8")


# --- HTML ----------------------------------------------------------------------------------


def _html_value(value: Any) -> str:
    if isinstance(value, dict):
        items = "".join(f"<dt>{html.escape(str(k))}</dt><dd>{_html_value(v)}</dd>"
                        for k, v in value.items() if v is not None)
        return f"<dl>{items}</dl>"
    if isinstance(value, list | tuple):
        if not value:
            return "<em>(none)</em>"
        if all(isinstance(v, dict) for v in value):
            header: list[str] = []
            for row in value:
                header += [k for k in row if k not in header]
            head = "".join(f"<th>{html.escape(k)}</th>" for k in header)
            body = "".join("<tr>" + "".join(f"<td>{_html_value(row.get(k))}</td>" for k in header) + "</tr>"
                           for row in value)
            return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        return "<ul>" + "".join(f"<li>{_html_value(v)}</li>" for v in value) + "</ul>"
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return html.escape(to_iso(value))
    return html.escape(str(value) if not isinstance(value, bool) else str(value).lower())


def render_html(value: Any, title: str, path: str) -> bytes:
    """A self-contained report page, with the data as JSON too and links to the other formats."""
    data = render_json(value, JsConfig()).decode()
    safe_path = html.escape(path)
    links = " ".join(f'<a href="{safe_path}?format={fmt}">{fmt}</a>' for fmt in ("json", "xml", "csv"))
    page = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;margin:1em 2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}}dt{{font-weight:bold}}
dd{{margin:0 0 .4em 1.5em}}</style></head>
<body><h1>{html.escape(title)}</h1><p>View as {links}</p>
{_html_value(value)}
<script id="dto" type="application/json">{html.escape(data, quote=False)}</script>
</body></html>"""
    return page.encode("utf-8")
