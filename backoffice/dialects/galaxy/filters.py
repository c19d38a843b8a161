"""The ``filters=`` grammar of Galaxy views, and the other list parameters (fields, sortBy, skip, take).

The document's form is a JSON-like object with bare words, ``{QTRADECODE:[6201,Like],QCoetID:[<guid>,In]}``;
real clients send an array of such objects, ``[{THIRDPARTYREVNUM:[4946904,Greater]}]``, with or
without double quotes around names, values and operators. All of these parse the same way:

    filters  := object | "[" object ("," object)* "]"
    object   := "{" entry ("," entry)* "}"
    entry    := name ":" "[" value ("," value)* "," operator "]"
    value    := quoted | bare | "[" value ("," value)* "]"

A bare word runs up to the next ``,`` ``]`` or ``}`` (so GUIDs, dates and codes with spaces need no
quotes); ``null`` is no value. Several values (``[a,b,In]`` or ``[[a,b],In]``) are for In and NotIn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...core.catalog import ALL_OPERATORS, View, ViewFilter
from ...core.errors import FieldError, Invalid
from ...core.query import Filter, Op, Query, Sort

MAX_FILTER_TEXT = 8192


@dataclass(frozen=True)
class Condition:
    name: str
    values: list[Any]
    operator: str


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, what: str) -> Invalid:
        return Invalid.field("filters", f"filters: {what} at character {self.pos + 1} of {self.text!r}",
                             "InvalidFilter")

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            found = repr(self.text[self.pos]) if self.pos < len(self.text) else "the end"
            raise self.fail(f"expected {char!r}, found {found}")
        self.pos += 1

    def word(self, stops: str) -> tuple[str, bool]:
        """A quoted string or a bare word (trimmed); the flag says whether it was quoted."""
        if self.peek() == '"':
            self.pos += 1
            out = []
            while self.pos < len(self.text):
                char = self.text[self.pos]
                self.pos += 1
                if char == "\\" and self.pos < len(self.text):
                    escaped = self.text[self.pos]
                    self.pos += 1
                    out.append({"n": "\n", "t": "\t", "r": "\r"}.get(escaped, escaped))
                elif char == '"':
                    return "".join(out), True
                else:
                    out.append(char)
            raise self.fail("a quoted text is not closed")
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in stops:
            self.pos += 1
        return self.text[start:self.pos].strip(), False


# The form nearly every request has (bare words, no quotes, no nested lists), read with plain
# string searches: list pages are the hot path, and the general reader below walks the text a
# character at a time. Anything else (quotes, nested lists, an array of several objects, any
# irregularity) goes to the general reader, which also gives the error messages.
def _plain(text: str) -> list[Condition] | None:
    if '"' in text:
        return None
    body = text.strip()
    if body.startswith("["):
        if not body.endswith("]"):
            return None
        body = body[1:-1].strip()
    if not (body.startswith("{") and body.endswith("}")) or body.count("{") != 1 or body.count("}") != 1:
        return None
    body = body[1:-1]
    out: list[Condition] = []
    pos = 0
    while True:
        colon = body.find(":", pos)
        opening = body.find("[", colon + 1) if colon >= 0 else -1
        closing = body.find("]", opening + 1) if opening >= 0 else -1
        if closing < 0 or body[colon + 1:opening].strip():
            return None
        name = body[pos:colon].strip()
        inner = body[opening + 1:closing]
        if not name or any(c in name for c in ",[]") or "[" in inner or ":" in inner:
            return None
        items = [item.strip() for item in inner.split(",")]
        if len(items) < 2 or not items[-1]:
            return None
        out.append(Condition(name, [None if v == "null" else v for v in items[:-1]], items[-1]))
        rest = body[closing + 1:].lstrip()
        if not rest:
            return out
        if not rest.startswith(","):
            return None
        pos = len(body) - len(rest) + 1


def parse_filters(text: str) -> list[Condition]:
    """The conditions written in a ``filters=`` value, in order; a malformed value is a 400."""
    if len(text) > MAX_FILTER_TEXT:
        raise Invalid.field("filters", f"filters: longer than {MAX_FILTER_TEXT} characters", "InvalidFilter")
    if "\x00" in text:
        raise Invalid.field("filters", "filters: contains a NUL character", "InvalidFilter")
    plain = _plain(text)
    if plain is not None:
        return plain
    reader = _Reader(text)
    conditions: list[Condition] = []
    if reader.peek() == "":
        return conditions
    if reader.peek() == "[":
        reader.expect("[")
        if reader.peek() == "]":
            reader.expect("]")
        else:
            while True:
                conditions += _object(reader)
                if reader.peek() == ",":
                    reader.expect(",")
                    continue
                reader.expect("]")
                break
    else:
        conditions += _object(reader)
    if reader.peek() != "":
        raise reader.fail("unexpected text after the filters")
    return conditions


def _object(reader: _Reader) -> list[Condition]:
    reader.expect("{")
    out: list[Condition] = []
    if reader.peek() == "}":
        reader.expect("}")
        return out
    while True:
        name, _ = reader.word(":,[]{}")
        if not name:
            raise reader.fail("a filter name is missing")
        reader.expect(":")
        reader.expect("[")
        items: list[Any] = []
        while True:
            if reader.peek() == "[":
                reader.expect("[")
                nested: list[Any] = []
                while reader.peek() != "]":
                    value, quoted = reader.word(",]")
                    nested.append(None if value == "null" and not quoted else value)
                    if reader.peek() == ",":
                        reader.expect(",")
                reader.expect("]")
                items.append(nested)
            else:
                value, quoted = reader.word(",]{}")
                items.append(None if value == "null" and not quoted else value)
            if reader.peek() == ",":
                reader.expect(",")
                continue
            reader.expect("]")
            break
        if len(items) < 2 or not isinstance(items[-1], str) or not items[-1]:
            raise reader.fail(f"{name} needs [value, Operator]")
        values: list[Any] = []
        for item in items[:-1]:
            values.extend(item if isinstance(item, list) else [item])
        out.append(Condition(name, values, items[-1]))
        if reader.peek() == ",":
            reader.expect(",")
            continue
        reader.expect("}")
        return out


def _operator(condition: Condition, allowed: tuple[str, ...]) -> Op:
    wanted = condition.operator.lower()
    match = next((o for o in ALL_OPERATORS if o.lower() == wanted), None)
    if match is None:
        raise Invalid.field(condition.name, f"{condition.name}: unknown operator '{condition.operator}' "
                            f"(one of {', '.join(ALL_OPERATORS)})", "InvalidOperator")
    if match not in allowed:
        raise Invalid.field(condition.name, f"{condition.name}: operator {match} is not allowed "
                            f"(allowed: {', '.join(allowed)})", "InvalidOperator")
    return Op(match)


def to_filters(view: View, conditions: list[Condition]) -> list[Filter]:
    """Conditions on a view's named filters (``QTRADECODE``) or, as clients also write, on its columns.

    Every fault is collected (unknown filter, operator not allowed, a value missing) and reported
    at once; a required filter that is absent takes its predefined value, or is itself a fault.
    """
    out: list[Filter] = []
    problems: list[FieldError] = []
    used: set[str] = set()
    for condition in conditions:
        named: ViewFilter | None = view.filter(condition.name)
        try:
            if named is not None:
                column, allowed = named.column, named.operators
                used.add(named.name)
            elif (found := view.column_named(condition.name)) is not None:
                column, allowed = found.name, ALL_OPERATORS
            else:
                raise Invalid.field(condition.name, f"Unknown filter '{condition.name}' for view {view.name}",
                                    "InvalidFilter")
            op = _operator(condition, allowed)
            if op in (Op.IN, Op.NOT_IN):
                out.append(Filter(column, op, [v for v in condition.values]))
            elif len(condition.values) != 1:
                raise Invalid.field(condition.name, f"{condition.name}: {op} takes one value", "InvalidFilter")
            else:
                out.append(Filter(column, op, condition.values[0]))
        except Invalid as exc:
            problems.extend(exc.errors)
    for named in view.filters:
        if named.required and named.name not in used:
            if named.predefined is not None and named.predefined.value is not None:
                out.append(Filter(named.column, Op.EQUAL, named.predefined.value))
            else:
                problems.append(FieldError(named.name, "RequiredFilter", f"The filter {named.name} is required"))
    if problems:
        raise Invalid("; ".join(p.message for p in problems), problems, code=problems[0].code)
    return out


MAX_WHOLE = 2**31 - 1


def _whole(name: str, text: str) -> int:
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_WHOLE:
        raise Invalid.field(name, f"{name}: {text!r} is not a whole number from 0 to {MAX_WHOLE}", "InvalidValue")
    return int(text)


def list_query(view: View, params: dict[str, str]) -> Query:
    """The core Query for a view request's ``fields``, ``sortBy``, ``skip``, ``take`` and ``filters``."""
    problems: list[FieldError] = []
    query = Query()
    try:
        if params.get("filters"):
            query.filters = to_filters(view, parse_filters(params["filters"]))
        else:
            query.filters = to_filters(view, [])
    except Invalid as exc:
        problems.extend(exc.errors)
    if params.get("fields"):
        query.fields = [f.strip() for f in params["fields"].split(",") if f.strip()]
        if not query.fields:
            problems.append(FieldError("fields", "InvalidField", "fields: names no column"))
    if params.get("sortby"):
        for item in params["sortby"].split(","):
            name, _, direction = item.strip().rpartition(".")
            if not name:
                name, direction = direction, "asc"
            if direction.lower() not in ("asc", "desc"):
                problems.append(FieldError("sortBy", "InvalidSort",
                                           f"sortBy: '{item}' must be Field.asc or Field.desc"))
                continue
            query.sort.append(Sort(name, direction.lower() == "desc"))
    for name in ("skip", "take"):
        if params.get(name) not in (None, ""):
            try:
                setattr(query, name, _whole(name, params[name]))
            except Invalid as exc:
                problems.extend(exc.errors)
    if problems:
        raise Invalid("; ".join(p.message for p in problems), problems, code=problems[0].code)
    return query
