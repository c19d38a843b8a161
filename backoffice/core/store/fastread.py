"""Key lookups on the hot read path, compiled once and run straight on the database driver.

SQLAlchemy builds, caches and post-processes every statement; for the handful of primary- and
foreign-key SELECTs behind every GET that overhead is most of the request. Here each such
SELECT is compiled once per dialect and executed on the DBAPI cursor, and rows are converted
to Python values with per-column converters (SQLite hands back text dates and integer bools).
The results are the same dicts ``conn.execute(select(...)).mappings()`` would give.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

Converter = Callable[[Any], Any] | None


def _converter(column: sa.Column[Any], sqlite: bool) -> Converter:
    if not sqlite:
        return None  # psycopg already returns datetime, date and bool
    return sqlite_converter(column.type)


def sqlite_converter(kind: sa.types.TypeEngine[Any]) -> Converter:
    """How to turn what SQLite returns for a column of this type into the Python value (``fetch``
    leaves NULLs alone, so these see text or numbers only: the builtins do, without a wrapper call)."""
    if isinstance(kind, sa.DateTime):
        return datetime.fromisoformat
    if isinstance(kind, sa.Date):
        return date.fromisoformat
    if isinstance(kind, sa.Boolean):
        return bool
    if isinstance(kind, sa.JSON):
        return json.loads
    return None


class _Compiled:
    def __init__(self, compiled: sa.engine.Compiled, table: sa.Table, sqlite: bool) -> None:
        self.sql = str(compiled)
        self.names = [c.name for c in table.columns]
        self.converters: list[tuple[int, Callable[[Any], Any]]] = [
            (i, c) for i, c in enumerate(_converter(col, sqlite) for col in table.columns) if c is not None]
        # Positional paramstyles (SQLite's qmark) need the parameters in the order they appear.
        positions = getattr(compiled, "positiontup", None)
        self.param_order: list[str] | None = list(positions) if positions else None


_cache: dict[tuple[str, str, str, str, int, str], _Compiled] = {}


def _compile(conn: Connection, table: sa.Table, column: str, count: int, extra: str | None,
             order_by: Sequence[str]) -> _Compiled:
    dialect = conn.dialect
    key = (dialect.name, table.name, column, extra or "", count, ",".join(order_by))
    compiled = _cache.get(key)
    if compiled is None:
        params: list[sa.BindParameter[Any]] = [sa.bindparam(f"k{i}") for i in range(count)]
        condition = table.c[column] == params[0] if count == 1 else table.c[column].in_(params)
        stmt = sa.select(table).where(condition)
        if extra:
            stmt = stmt.where(table.c[extra] == sa.bindparam("extra"))
        if order_by:
            stmt = stmt.order_by(*[table.c[name] for name in order_by])
        compiled = _Compiled(stmt.compile(dialect=dialect), table, dialect.name == "sqlite")
        if len(_cache) >= 1024:  # IN lists of many lengths would otherwise grow it without end
            _cache.clear()
        _cache[key] = compiled
    return compiled


def rows_where(conn: Connection, table: sa.Table, column: str, values: Sequence[Any], *,
               extra: tuple[str, Any] | None = None, order_by: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Every row of ``table`` whose ``column`` is one of ``values`` (and ``extra`` column equals its value)."""
    if not values:
        return []
    compiled = _compile(conn, table, column, len(values), extra[0] if extra else None, order_by)
    named = {f"k{i}": v for i, v in enumerate(values)}
    if extra:
        named["extra"] = extra[1]
    params: Any = [named[p] for p in compiled.param_order] if compiled.param_order is not None else named
    return fetch(conn, compiled.sql, params, compiled.names, compiled.converters)


def fetch(conn: Connection, sql: str, params: Any, names: list[str],
          converters: list[tuple[int, Callable[[Any], Any]]]) -> list[dict[str, Any]]:
    """Run ``sql`` on the driver's cursor; rows as dicts under ``names``, columns converted."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, params)
        raw = cursor.fetchall()
    finally:
        cursor.close()
    if not converters:
        return [dict(zip(names, row, strict=True)) for row in raw]
    out: list[dict[str, Any]] = []
    append = out.append
    for row in raw:
        values = list(row)
        for i, convert in converters:
            value = values[i]
            if value is not None:
                values[i] = convert(value)
        append(dict(zip(names, values, strict=True)))
    return out


def row_by_key(conn: Connection, table: sa.Table, column: str, value: Any) -> dict[str, Any] | None:
    found = rows_where(conn, table, column, [value])
    return found[0] if found else None
