"""Exporting an object type as CSV, streamed: rows are fetched in partitions (a server-side cursor
on PostgreSQL) and written in pieces, so memory stays flat however many rows there are."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..catalog.menu import InterchangeColumn, InterchangeType
from ..clock import naive_utc
from ..errors import Invalid
from ..orgs import BASE_LANGUAGE
from .csvfiles import CsvSink, few_collections, format_decimal
from .interchange import (
    Scope,
    bind,
    column_named,
    id_column,
    level_condition,
    number_condition,
    parse_number_filter,
    resolve,
)

# Rows fetched per round trip; a partition of this many rows is the most memory holds at once.
PARTITION = 5000


def select_columns(kind: InterchangeType, members: list[str] | None) -> list[InterchangeColumn]:
    """The columns a request names (any case, in its order, duplicates dropped); none: all of them."""
    if not members:
        return list(kind.columns)
    chosen: list[InterchangeColumn] = []
    for name in members:
        column = column_named(kind, name, "SelectedObjectMembers")
        if column not in chosen:
            chosen.append(column)
    return chosen


def export_csv(conn: Connection, kind: InterchangeType, scope: Scope, *, members: list[str] | None,
               sort: list[tuple[str, str]] | None, number_filter: str | None, data_since: datetime | None,
               sink: Callable[[bytes], None]) -> int:
    """Write the type's rows in the scope as CSV to ``sink`` (a header, then one line per row);
    returns the number of rows written.

    Raises Invalid (before anything is written) for a type that is not exportable, an unknown
    member or sort column, a sort direction other than asc/desc, a bad ObjectNumberFilter or a scope
    that does not fit the organization. Reads only; the caller owns the transaction.
    """
    if not kind.exportable:
        raise Invalid.field("ObjectType", f"{kind.short_name} cannot be exported", "NotExportable")
    place = resolve(conn, scope)
    columns = select_columns(kind, members)
    ranges = parse_number_filter(number_filter or "")
    binding = bind(kind)
    order: list[sa.ColumnElement[Any]] = []
    for name, direction in sort or []:
        column = column_named(kind, name, "SortExpressions")
        folded = (direction or "asc").strip().lower()
        if folded not in ("asc", "desc"):
            raise Invalid.field("SortExpressions", f"Sort direction '{direction}' is not asc or desc", "InvalidValue")
        expr = binding.expr(column)
        order.append(expr.desc() if folded == "desc" else expr.asc())
    # The id last (or alone): the same request gives the same file.
    order.append(binding.expr(id_column(kind)).asc())

    # Translated columns come from the row's l10n for any language but the base one.
    translated = place.language != BASE_LANGUAGE and binding.has_l10n and any(c.translated for c in columns)
    selected: list[sa.ColumnElement[Any]] = [binding.expr(c).label(f"c{i}") for i, c in enumerate(columns)]
    if translated:
        selected.append(binding.table.c.l10n)
    query = sa.select(*selected).where(binding.row_filter(), level_condition(binding, place))
    if ranges:
        query = query.where(number_condition(binding, ranges))
    if data_since is not None:
        query = query.where(binding.table.c.last_saved >= naive_utc(data_since))
    query = query.order_by(*order)

    out = CsvSink(sink)
    out.write([c.name for c in columns])
    decimals = [i for i, c in enumerate(columns) if c.kind == "Decimal"]
    languages = [(i, c.name) for i, c in enumerate(columns) if translated and c.translated]
    language_key = str(place.language)
    count = 0
    # Options on the statement, not the connection (Connection.execution_options() changes the
    # connection itself, and the sink may write on it): a server-side cursor on PostgreSQL.
    result = conn.execute(query.execution_options(stream_results=True, yield_per=PARTITION))
    try:
        with few_collections():
            for partition in result.partitions():
                count += len(partition)
                if not decimals and not languages:
                    out.writerows(partition)
                    continue
                rows: list[Any] = []
                for row in partition:
                    values = list(row)
                    for i in decimals:
                        if values[i] is not None:
                            values[i] = format_decimal(values[i])
                    if languages and values[-1]:
                        names = json.loads(values[-1]).get(language_key) or {}
                        for i, name in languages:
                            text = names.get(name)
                            if text is not None:
                                values[i] = text
                    rows.append(values[:len(columns)] if translated else values)
                out.writerows(rows)
    finally:
        result.close()
    out.flush()
    return count
