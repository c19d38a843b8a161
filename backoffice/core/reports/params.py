"""What a report run is asked for: its filters, its columns, its pages — checked, with clear errors."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from ..auth import Principal
from ..catalog import ViewFilter
from ..errors import FieldError, Forbidden, Invalid
from ..query import Filter, Op, Query, column_field, compile_query
from .definitions import Report, ReportColumn

# A filter as callers send it: (filter name, operator, value). Several for one name all apply (a range).
FilterTriple = tuple[str, str, Any]

MAX_FILTERS = 50
MAX_VALUE_CHARS = 1000
MAX_LIST_VALUES = 500
MAX_SELECTION_CHARS = 2000

_OPERATORS = {op.value.lower(): op.value for op in Op}


def owner_of(actor: Principal) -> str:
    """Whose runs and views these are. A debtor principal's are its debtor's (whichever of that
    debtor's keys was used); a staff member's are theirs."""
    if actor.is_debtor:
        return f"debtor:{actor.debtor_id or ''}"
    return f"staff:{actor.staff_id}"


def may_run(actor: Principal, report: Report) -> None:
    """A debtor principal may run only reports that confine rows to one debtor."""
    if actor.is_debtor and (not report.for_debtors or report.debtor_column is None):
        raise Forbidden(f"The report {report.name} is not available to customers", code="Forbidden")


def _hidden_filter(report: Report, flt: ViewFilter, actor: Principal) -> bool:
    return actor.is_debtor and column_field(report.base, report.base.column(flt.column)).hidden_from_debtor


def _plain(name: str, value: Any, *, inner: bool = False) -> Any:
    """The value as JSON keeps it (dates as ISO text), size-limited."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, str):
        if len(value) > MAX_VALUE_CHARS:
            raise Invalid.field(name, f"Filter '{name}': a value is limited to {MAX_VALUE_CHARS} characters",
                                "TooLong")
        return value
    if isinstance(value, list | tuple) and not inner:
        if len(value) > MAX_LIST_VALUES:
            raise Invalid.field(name, f"Filter '{name}': at most {MAX_LIST_VALUES} values", "TooLong")
        return [_plain(name, v, inner=True) for v in value]
    raise Invalid.field(name, f"Filter '{name}': {type(value).__name__} is not a filter value", "InvalidValue")


def _operator(report: Report, flt: ViewFilter, given: Any) -> str:
    name = _OPERATORS.get(str(given or "").strip().lower())
    allowed = {o.lower(): o for o in flt.operators}
    if name is None or name.lower() not in allowed:
        raise Invalid.field(flt.name, f"Filter '{flt.name}' of {report.name} does not allow the operator "
                                      f"'{given}' (allowed: {', '.join(flt.operators)})", "InvalidOperator")
    return allowed[name.lower()]


def query_filter(report: Report, triple: Sequence[Any]) -> Filter:
    """A resolved (filter, operator, value) as a ``core.query`` filter over the base view."""
    flt = report.filter(str(triple[0]))
    assert flt is not None, triple
    return Filter(flt.column, Op(triple[1]), triple[2])


def _check_value(report: Report, actor: Principal, triple: list[Any]) -> None:
    """Type-check the value the way the query will (compiling it is cheap and shares the cache)."""
    try:
        compile_query(report.base, Query(filters=[query_filter(report, triple)]), actor, 1)
    except Invalid as exc:
        message = f"Filter '{triple[0]}': {exc.message}"
        raise Invalid(message, [FieldError(str(triple[0]), exc.code, message)], code=exc.code) from exc


def _defaults(report: Report, flt: ViewFilter) -> list[list[Any]]:
    """What a Required filter left out runs with: its preset value (or preset range), else Invalid."""
    preset = flt.predefined
    if preset is not None and preset.value is not None:
        op = "Equal" if "Equal" in flt.operators else flt.operators[0]
        return [[flt.name, op, _plain(flt.name, preset.value)]]
    if preset is not None and (preset.low is not None or preset.high is not None):
        found = []
        if preset.low is not None:
            found.append([flt.name, "GreaterOrEqual", _plain(flt.name, preset.low)])
        if preset.high is not None:
            found.append([flt.name, "LessOrEqual", _plain(flt.name, preset.high)])
        return found
    raise Invalid.field(flt.name, f"The filter '{flt.name}' of {report.name} is required", "Required")


def resolve_filters(report: Report, actor: Principal, given: Iterable[Sequence[Any]],
                    presets: Iterable[Sequence[Any]] = ()) -> list[list[Any]]:
    """The filters a run applies, as ``[filter name, operator, value]`` lists in the report's filter order.

    ``given`` are the caller's triples; ``presets`` a custom view's, used for each filter the caller
    did not give. A Required filter given by neither runs with its ``PredefinedValues``. Unknown
    filters, operators a filter does not allow, and values of the wrong type are ``Invalid``, naming
    the filter.
    """
    chosen: dict[str, list[list[Any]]] = {}
    problems: list[FieldError] = []  # every faulty filter is reported, not just the first
    count = 0
    for source, triples in (("given", given), ("preset", presets)):
        from_source: dict[str, list[list[Any]]] = {}
        for triple in triples:
            count += 1
            if count > MAX_FILTERS * 2:
                raise Invalid(f"At most {MAX_FILTERS} filters", code="TooManyFilters")
            if not isinstance(triple, list | tuple) or len(triple) != 3:
                raise Invalid("A filter is a (name, operator, value) triple", code="InvalidFilter")
            name = str(triple[0] or "")
            flt = report.filter(name)
            try:
                if flt is None or _hidden_filter(report, flt, actor):
                    known = ", ".join(f.name for f in report.filters) or "none"
                    raise Invalid.field(name, f"Unknown filter '{name}' for {report.name} (filters: {known})",
                                        "InvalidFilter")
                from_source.setdefault(flt.name, []).append(
                    [flt.name, _operator(report, flt, triple[1]), _plain(flt.name, triple[2])])
            except Invalid as exc:
                problems.extend(exc.errors or [FieldError(name, exc.code, exc.message)])
        for name, resolved in from_source.items():
            if source == "given" or name not in chosen:
                chosen[name] = resolved
    if problems:
        raise Invalid("; ".join(p.message for p in problems), problems, code=problems[0].code)
    if sum(len(v) for v in chosen.values()) > MAX_FILTERS:
        raise Invalid(f"At most {MAX_FILTERS} filters", code="TooManyFilters")
    ordered: list[list[Any]] = []
    for flt in report.filters:
        if flt.name in chosen:
            ordered.extend(chosen[flt.name])
        elif flt.required:
            ordered.extend(_defaults(report, flt))
    for triple in ordered:
        _check_value(report, actor, triple)
    return ordered


def output_columns(report: Report, actor: Principal, chosen: Sequence[str] | None = None) -> list[ReportColumn]:
    """The columns a run shows: ``chosen`` (in that order; unknown names are Invalid) or all, less
    those a debtor principal may not see."""
    if chosen is None:
        columns = list(report.columns)
    else:
        columns = []
        for name in chosen:
            try:
                column = report.column(str(name))
            except KeyError:
                known = ", ".join(c.name for c in report.columns)
                raise Invalid.field(str(name), f"Unknown column '{name}' for {report.name} (columns: {known})",
                                    "InvalidField") from None
            if column not in columns:
                columns.append(column)
        if not columns:
            raise Invalid("Choose at least one column", code="InvalidField")
    if actor.is_debtor:
        columns = [c for c in columns if not report.hidden_from_debtor(c)]
    return columns


_PAGE = re.compile(r"^\d+$", re.ASCII)
_RANGE = re.compile(r"^(\d+)\s*-\s*(\d+)$", re.ASCII)


def parse_pages(selection: str | None, total: int, *, default: str = "first") -> list[int]:
    """The pages ``selection`` names (``"1,3,5-7"``), ascending, each once.

    Empty or None selects the first page (``default="first"``, as the data endpoint does) or every
    page (``default="all"``, for downloads). A page past the last, page 0, a range that runs
    backwards, or anything that is not a page or range is ``Invalid`` (field ``page``).
    """
    text = (selection or "").strip()
    if not text:
        return [1] if default == "first" else list(range(1, total + 1))
    if len(text) > MAX_SELECTION_CHARS:
        raise Invalid.field("page", f"A page selection is limited to {MAX_SELECTION_CHARS} characters", "TooLong")
    pages: set[int] = set()
    for token in (t.strip() for t in text.split(",")):
        if _PAGE.match(token):
            low = high = int(token)
        elif (matched := _RANGE.match(token)) is not None:
            low, high = int(matched.group(1)), int(matched.group(2))
            if low > high:
                raise Invalid.field("page", f"The page range '{token}' runs backwards; write {high}-{low}",
                                    "InvalidPage")
        else:
            raise Invalid.field("page", f"'{token}' is not a page number or a range of pages (e.g. 1,3,5-7)",
                                "InvalidPage")
        if low < 1:
            raise Invalid.field("page", "Pages are numbered from 1", "InvalidPage")
        if high > total:
            raise Invalid.field("page", f"Page {high} is past the last page: the report has {total} page(s)",
                                "InvalidPage")
        pages.update(range(low, high + 1))
    return sorted(pages)
