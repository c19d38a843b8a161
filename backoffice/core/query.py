"""The dialect-neutral Query, compiled to one SQL statement over a catalog view.

Every dialect's list syntax parses into a ``Query`` (ServiceStack AutoQuery, Galaxy filters,
Synergist paging, Symphony number ranges); ``run`` compiles it to a single SELECT with its
joins, filters, sort, paging and (when asked) the total count as a window column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .auth import Principal
from .catalog import CATALOG, Entity, Field, FieldType, View, ViewColumn
from .clock import naive_utc, parse_iso
from .errors import FieldError, Invalid
from .records import INT_MAX, INT_MIN
from .store import fastread
from .store.tables import ENTITY_TABLES


class Op(StrEnum):
    EQUAL = "Equal"
    NOT_EQUAL = "NotEqual"
    GREATER = "Greater"
    GREATER_OR_EQUAL = "GreaterOrEqual"
    LESS = "Less"
    LESS_OR_EQUAL = "LessOrEqual"
    LIKE = "Like"  # contains
    STARTS_WITH = "StartsWith"
    ENDS_WITH = "EndsWith"
    IN = "In"
    NOT_IN = "NotIn"
    BETWEEN = "Between"
    PATTERN = "Pattern"  # a LIKE pattern with the caller's own % and _ wildcards
    IS_NULL = "IsNull"
    IS_NOT_NULL = "IsNotNull"


@dataclass(frozen=True)
class Filter:
    field: str
    op: Op
    value: Any = None


@dataclass(frozen=True)
class Sort:
    field: str
    descending: bool = False


@dataclass
class Query:
    fields: list[str] | None = None
    filters: list[Filter] = field(default_factory=list)
    sort: list[Sort] = field(default_factory=list)
    skip: int = 0
    take: int | None = None
    count: bool = False


@dataclass
class Page:
    rows: list[dict[str, Any]]
    total: int | None
    skip: int


_ROOT_COLUMNS = {"revision": Field("revision", FieldType.INT), "last_saved": Field("last_saved", FieldType.DATETIME),
                 "change_no": Field("change_no", FieldType.INT)}


def _field(entity: Entity, name: str) -> Field:
    if name in entity.field_map:
        return entity.field_map[name]
    if entity.root and name in _ROOT_COLUMNS:
        return _ROOT_COLUMNS[name]
    raise KeyError(name)


def column_field(view: View, column: ViewColumn) -> Field:
    """The catalog field a view column shows (following references)."""
    return _column_field(view.entity, column.source)


@lru_cache(maxsize=4096)
def _column_field(entity_name: str, source: str) -> Field:
    entity = CATALOG.entity(entity_name)
    *hops, last = source.split(".")
    for hop in hops:
        ref = entity.field(hop).ref
        assert ref, f"{entity_name}.{source}: {hop} is not a reference"
        entity = CATALOG.entity(ref)
    return _field(entity, last)


def entity_view(entity_name: str) -> View:
    """The implicit view of an entity: every field, under its own name."""
    entity = CATALOG.entity(entity_name)
    columns = [ViewColumn(f.name, f.name) for f in entity.fields]
    if entity.root:
        columns += [ViewColumn("last_saved", "last_saved")]
    return View(entity.name, entity.name, columns, default_sort=(entity.key,),
                debtor_column=entity.debtor_field)


@lru_cache(maxsize=256)
def _alias(entity_name: str, name: str) -> sa.FromClause:
    """Aliases are immutable and costly to make (one proxy per column): make each once."""
    return ENTITY_TABLES[entity_name].alias(name)


class _Compiler:
    """Resolves view columns to SQL, joining each referenced table once (left outer)."""

    def __init__(self, view: View) -> None:
        self.view = view
        self.entity = CATALOG.entity(view.entity)
        self.base = _alias(self.entity.name, "t0")
        # path -> (alias, entity, join condition), in the order the joins were made
        self.joins: dict[str, tuple[sa.FromClause, Entity, sa.ColumnElement[bool]]] = {}
        self.used: set[str] = set()

    def column(self, column: ViewColumn) -> sa.ColumnElement[Any]:
        *hops, last = column.source.split(".")
        table: sa.FromClause = self.base
        entity = self.entity
        path = ""
        for hop in hops:
            path = f"{path}.{hop}" if path else hop
            if path not in self.joins:
                target = CATALOG.entity(entity.field(hop).ref or "")
                alias = _alias(target.name, f"t{len(self.joins) + 1}")
                self.joins[path] = (alias, target, alias.c[target.key] == table.c[hop])
            self.used.add(path)
            table, entity = self.joins[path][0], self.joins[path][1]
        return table.c[last]

    def from_clause(self, paths: set[str] | None = None) -> sa.FromClause:
        """The base table joined to every table used (or only to those ``paths`` need)."""
        clause: sa.FromClause = self.base
        for path, (alias, _, onclause) in self.joins.items():
            if paths is None or any(p == path or p.startswith(path + ".") for p in paths):
                clause = clause.join(alias, onclause, isouter=True)
        return clause


def _coerce(view: View, column: ViewColumn, value: Any) -> Any:
    f = column_field(view, column)
    if value is None:
        return None
    try:
        if f.type in (FieldType.STRING, FieldType.TEXT):
            if "\x00" in str(value):
                raise ValueError
            return str(value)
        if f.type is FieldType.BOOL:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text not in ("true", "false", "1", "0"):
                raise ValueError
            return text in ("true", "1")
        if f.type is FieldType.INT:
            if f.enum and isinstance(value, str) and not value.strip().lstrip("-").isdigit():
                return CATALOG.enums[f.enum].by_name(value.strip()).code
            whole = int(str(value).strip())
            if not INT_MIN <= whole <= INT_MAX:
                raise ValueError
            return whole
        if f.type in (FieldType.FLOAT, FieldType.MONEY):
            number = float(str(value).strip())
            if number != number or number in (float("inf"), float("-inf")):
                raise ValueError
            return number
        if f.type is FieldType.DATETIME:
            if isinstance(value, datetime):
                return naive_utc(value)
            if isinstance(value, date):
                return datetime(value.year, value.month, value.day)
            return parse_iso(str(value))
        if f.type is FieldType.DATE:
            return value if isinstance(value, date) else date.fromisoformat(str(value).strip()[:10])
    except (ValueError, KeyError, OverflowError) as exc:
        raise Invalid.field(column.name, f"{column.name}: {value!r} is not a valid {f.type.value}",
                            "InvalidValue") from exc
    return value


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filter_values(view: View, column: ViewColumn, flt: Filter) -> tuple[str, list[Any]]:
    """What shape of condition a filter needs, and its bind values in order.

    Shapes: ``null``/``notnull`` (no value), ``value`` (one), ``pair`` (Between), ``list`` (In).
    """
    op, value = flt.op, flt.value
    if op is Op.IS_NULL:
        return "null", []
    if op is Op.IS_NOT_NULL:
        return "notnull", []
    if op in (Op.IN, Op.NOT_IN):
        values = value if isinstance(value, list | tuple) else [value]
        return "list", [[_coerce(view, column, v) for v in values]]
    if op is Op.BETWEEN:
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise Invalid.field(column.name, f"{column.name}: Between needs exactly two values", "InvalidValue")
        return "pair", [_coerce(view, column, value[0]), _coerce(view, column, value[1])]
    if op in (Op.PATTERN, Op.LIKE, Op.STARTS_WITH, Op.ENDS_WITH) and not column_field(view, column).is_text:
        # Text matching on numbers, flags or dates means different things in SQLite and PostgreSQL.
        raise Invalid.field(column.name, f"{column.name}: {op} applies to text only", "InvalidOperator")
    if op is Op.PATTERN:
        return "value", [_coerce(view, column, value)]
    if op in (Op.LIKE, Op.STARTS_WITH, Op.ENDS_WITH):
        text = _like_escape(_coerce(view, column, value))
        return "value", [{Op.LIKE: f"%{text}%", Op.STARTS_WITH: f"{text}%", Op.ENDS_WITH: f"%{text}"}[op]]
    coerced = _coerce(view, column, value)
    if coerced is None and op in (Op.EQUAL, Op.NOT_EQUAL):
        return ("null" if op is Op.EQUAL else "notnull"), []
    return "value", [coerced]


def _condition(col: sa.ColumnElement[Any], op: Op, arity: str, names: list[str]) -> sa.ColumnElement[bool]:
    """The SQL condition for one filter of this shape, bound to parameters ``names``."""
    if arity == "null":
        return col.is_(None)
    if arity == "notnull":
        return col.is_not(None)
    if arity == "list":
        bound: sa.BindParameter[Any] = sa.bindparam(names[0], expanding=True, type_=col.type)
        return col.in_(bound) if op is Op.IN else col.not_in(bound)
    if arity == "pair":
        return col.between(sa.bindparam(names[0], type_=col.type), sa.bindparam(names[1], type_=col.type))
    # Typed like the column, so values are converted the way the column stores them.
    one: sa.BindParameter[Any] = sa.bindparam(names[0], type_=col.type)
    if op in (Op.PATTERN, Op.LIKE, Op.STARTS_WITH, Op.ENDS_WITH):
        # One escape character on both databases (PostgreSQL has a default one, SQLite none).
        return col.ilike(sa.bindparam(names[0], type_=sa.String()), escape="\\")
    comparisons = {Op.EQUAL: col == one, Op.NOT_EQUAL: col != one, Op.GREATER: col > one,
                   Op.GREATER_OR_EQUAL: col >= one, Op.LESS: col < one, Op.LESS_OR_EQUAL: col <= one}
    return comparisons[op]


# Compiled statements by the shape of the query (not its values): building a SELECT with its
# joins costs far more than running it, and list screens repeat the same few shapes.
_statements: dict[tuple[Any, ...], sa.Select[Any]] = {}
_STATEMENT_CACHE_SIZE = 512


def compile_query(view: View, query: Query, actor: Principal, max_take: int) -> tuple[sa.Select[Any], dict[str, Any]]:
    """The SELECT for ``query`` over ``view`` (with bind parameters), and the parameter values.

    Values are worked out first and the statement is built only for a shape not seen before.
    """
    _, stmt, values = _compile(view, query, actor, max_take)
    return stmt, values


def _compile(view: View, query: Query, actor: Principal,
             max_take: int) -> tuple[tuple[Any, ...], sa.Select[Any], dict[str, Any]]:
    def lookup(name: str, what: str) -> ViewColumn:
        column = view.column_named(name)
        if column is None:
            raise Invalid.field(name, f"Unknown {what} '{name}' for {view.name}", "InvalidField")
        return column

    if query.skip < 0 or (query.take is not None and query.take < 0):
        raise Invalid("Skip and Take must not be negative", code="InvalidValue")
    wanted = [lookup(n, "field") for n in query.fields] if query.fields else [c for c in view.columns if not c.hidden]
    shape: list[Any] = [view.name, tuple(c.name for c in wanted)]
    values: dict[str, Any] = {}
    planned: list[tuple[ViewColumn, Op, str, list[str]]] = []
    errors: list[FieldError] = []
    for flt in query.filters:
        try:
            column = lookup(flt.field, "field")
            arity, bound = _filter_values(view, column, flt)
        except Invalid as exc:
            errors.extend(exc.errors)
            continue
        names = []
        for value in bound:
            names.append(f"p{len(values)}")
            values[names[-1]] = value
        planned.append((column, flt.op, arity, names))
        shape.append((column.name, flt.op, arity))
    if errors:
        raise Invalid("; ".join(e.message for e in errors), errors, code=errors[0].code)
    scope = None
    if actor.is_debtor and CATALOG.entity(view.entity).debtor_field:
        scope = "debtor" if view.debtor_column else "nothing"
        values["scope"] = actor.debtor_id
    shape.append(scope)
    sorts = [(lookup(s.field, "sort field"), s.descending)
             for s in (query.sort or [Sort(name) for name in view.default_sort])]
    shape.append(tuple((column.name, descending) for column, descending in sorts))
    shape.append(query.count)
    take = min(query.take, max_take) if query.take is not None else max_take
    values.update(skip=query.skip, take=take)
    key = tuple(shape)
    cached = _statements.get(key)
    if cached is not None:
        return key, cached, values

    compiler = _Compiler(view)
    conditions = [_condition(compiler.column(column), op, arity, names) for column, op, arity, names in planned]
    if scope == "nothing":
        conditions.append(sa.false())
    elif scope == "debtor":
        assert view.debtor_column
        scope_column = compiler.column(view.column(view.debtor_column))
        conditions.append(scope_column == sa.bindparam("scope", type_=scope_column.type))
    filter_paths = set(compiler.used)
    selected = [compiler.column(c).label(c.name) for c in wanted]
    order = [compiler.column(column).desc() if descending else compiler.column(column).asc()
             for column, descending in sorts]
    # Rows equal on the sort keep the view's natural order (its default sort), read in the
    # direction asked for, and the key makes it total so paging never repeats or skips a row.
    reverse = bool(sorts) and sorts[0][1]
    chosen = {column.name for column, _ in sorts}
    for name in view.default_sort:
        if name not in chosen:
            natural = compiler.column(view.column(name))
            order.append(natural.desc() if reverse else natural.asc())
    key_column = compiler.base.c[CATALOG.entity(view.entity).key]
    order.append(key_column.desc() if reverse else key_column.asc())
    if query.count:
        # The total rides along as an uncorrelated scalar subquery: the database counts once
        # over just the tables the filters need, while the page itself can stop after Take rows
        # (a count(*) OVER () window would force every matching row through the joins and sort).
        total = (sa.select(sa.func.count()).select_from(compiler.from_clause(filter_paths))
                 .where(*conditions).correlate(None).scalar_subquery())
        selected.append(total.label("__total"))
    stmt = (sa.select(*selected).select_from(compiler.from_clause()).where(*conditions).order_by(*order)
            .offset(sa.bindparam("skip", type_=sa.Integer())).limit(sa.bindparam("take", type_=sa.Integer())))
    if len(_statements) >= _STATEMENT_CACHE_SIZE:
        _statements.clear()
    _statements[key] = stmt
    return key, stmt, values


class _DriverStatement:
    """A cached statement compiled for SQLite, run on the driver's cursor.

    For a list page SQLAlchemy's execution and row processing cost as much as SQLite's own
    work; this does the same conversions (datetimes to and from text, integers to booleans)
    with per-parameter and per-column functions worked out once.
    """

    def __init__(self, stmt: sa.Select[Any], dialect: sa.Dialect) -> None:
        compiled = stmt.compile(dialect=dialect)
        self.sql = str(compiled)
        self.order = list(compiled.positiontup or [])
        self.processors = {name: bind.type.dialect_impl(dialect).bind_processor(dialect)
                           for name, bind in compiled.binds.items()}
        self.keys = [str(c.key) for c in stmt.selected_columns]
        self.converters = [(i, convert) for i, convert in
                           ((i, fastread.sqlite_converter(c.type)) for i, c in enumerate(stmt.selected_columns))
                           if convert is not None]

    def run(self, conn: Connection, values: dict[str, Any]) -> list[dict[str, Any]]:
        params = []
        for name in self.order:
            process = self.processors.get(name)
            params.append(process(values[name]) if process else values[name])
        return fastread.fetch(conn, self.sql, params, self.keys, self.converters)


# None: a shape that stays with SQLAlchemy. (Read once with get: another thread may clear it.)
_driver_statements: dict[tuple[Any, ...], Any] = {}
_UNSEEN = object()


def _execute(conn: Connection, key: tuple[Any, ...], stmt: sa.Select[Any],
             values: dict[str, Any]) -> list[dict[str, Any]]:
    if conn.dialect.name == "sqlite":
        driver = _driver_statements.get(key, _UNSEEN)
        if driver is _UNSEEN:
            # IN lists expand per call, so those shapes stay with SQLAlchemy.
            expanding = any(getattr(b, "expanding", False) for b in stmt.compile().binds.values())
            driver = None if expanding else _DriverStatement(stmt, conn.dialect)
            if len(_driver_statements) >= _STATEMENT_CACHE_SIZE:
                _driver_statements.clear()
            _driver_statements[key] = driver
        if driver is not None:
            return driver.run(conn, values)
    result = conn.execute(stmt, values)
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


def run(conn: Connection, actor: Principal, view_name: str | View, query: Query, *, max_take: int = 1000) -> Page:
    """One page of ``query`` over a catalog view, an entity (its implicit view), or a ``View`` a
    dialect defines for itself (its name must be unique: compiled statements are cached by it)."""
    if isinstance(view_name, View):
        view = view_name
    else:
        view = CATALOG.views.get(view_name) or entity_view(view_name)
    key, stmt, values = _compile(view, query, actor, max_take)
    rows = _execute(conn, key, stmt, values)
    total = None
    if query.count:
        if rows:
            total = int(rows[0]["__total"])
            for r in rows:
                r.pop("__total")
        else:
            # No row to ride on (past the last page, or Take=0 asking for the count alone).
            counted = stmt.with_only_columns(sa.func.count()).order_by(None).offset(None).limit(None)
            total = int(conn.execute(counted, values).scalar() or 0)
    return Page(rows=rows, total=total, skip=query.skip)
