"""The dialect-neutral Query, compiled to one SQL statement over a catalog view.

Every dialect's list syntax parses into a ``Query`` (ServiceStack AutoQuery, Galaxy filters,
Synergist paging, Symphony number ranges); ``run`` compiles it to a single SELECT with its
joins, filters, sort, paging and (when asked) the total count as a window column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .auth import Principal
from .catalog import CATALOG, Entity, Field, FieldType, View, ViewColumn
from .errors import FieldError, Invalid
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


_ROOT_COLUMNS = {"revision": Field("revision", FieldType.INT), "last_saved": Field("last_saved", FieldType.DATETIME)}


def _field(entity: Entity, name: str) -> Field:
    if name in entity.field_map:
        return entity.field_map[name]
    if entity.root and name in _ROOT_COLUMNS:
        return _ROOT_COLUMNS[name]
    raise KeyError(name)


def column_field(view: View, column: ViewColumn) -> Field:
    """The catalog field a view column shows (following references)."""
    entity = CATALOG.entity(view.entity)
    *hops, last = column.source.split(".")
    for hop in hops:
        ref = entity.field(hop).ref
        assert ref, f"{view.name}.{column.name}: {hop} is not a reference"
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


class _Compiler:
    def __init__(self, view: View) -> None:
        self.view = view
        self.entity = CATALOG.entity(view.entity)
        self.base = ENTITY_TABLES[self.entity.name].alias("t0")
        self.joins: dict[str, tuple[sa.FromClause, Entity]] = {}
        self.from_: sa.FromClause = self.base

    def column(self, column: ViewColumn) -> sa.ColumnElement[Any]:
        *hops, last = column.source.split(".")
        table: sa.FromClause = self.base
        entity = self.entity
        path = ""
        for hop in hops:
            path = f"{path}.{hop}" if path else hop
            if path not in self.joins:
                target = CATALOG.entity(entity.field(hop).ref or "")
                alias = ENTITY_TABLES[target.name].alias(f"t{len(self.joins) + 1}")
                self.from_ = self.from_.join(alias, alias.c[target.key] == table.c[hop], isouter=True)
                self.joins[path] = (alias, target)
            table, entity = self.joins[path]
        return table.c[last]


def _coerce(view: View, column: ViewColumn, value: Any) -> Any:
    f = column_field(view, column)
    if value is None:
        return None
    try:
        if f.type in (FieldType.STRING, FieldType.TEXT):
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
            return int(str(value).strip())
        if f.type in (FieldType.FLOAT, FieldType.MONEY):
            return float(str(value).strip())
        if f.type is FieldType.DATETIME:
            if isinstance(value, datetime):
                return value
            if isinstance(value, date):
                return datetime(value.year, value.month, value.day)
            return datetime.fromisoformat(str(value).strip().replace("Z", "+00:00")).replace(tzinfo=None)
        if f.type is FieldType.DATE:
            return value if isinstance(value, date) else date.fromisoformat(str(value).strip()[:10])
    except (ValueError, KeyError) as exc:
        raise Invalid.field(column.name, f"{column.name}: {value!r} is not a valid {f.type.value}",
                            "InvalidValue") from exc
    return value


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _condition(col: sa.ColumnElement[Any], view: View, column: ViewColumn, flt: Filter) -> sa.ColumnElement[bool]:
    op, value = flt.op, flt.value
    if op is Op.IS_NULL:
        return col.is_(None)
    if op is Op.IS_NOT_NULL:
        return col.is_not(None)
    if op in (Op.IN, Op.NOT_IN):
        values = value if isinstance(value, list | tuple) else [value]
        coerced = [_coerce(view, column, v) for v in values]
        return col.in_(coerced) if op is Op.IN else col.not_in(coerced)
    if op is Op.BETWEEN:
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise Invalid.field(column.name, f"{column.name}: Between needs exactly two values", "InvalidValue")
        return col.between(_coerce(view, column, value[0]), _coerce(view, column, value[1]))
    if op is Op.PATTERN:
        return sa.cast(col, sa.String).ilike(str(value))
    if op in (Op.LIKE, Op.STARTS_WITH, Op.ENDS_WITH):
        text = _like_escape(str(value))
        pattern = {Op.LIKE: f"%{text}%", Op.STARTS_WITH: f"{text}%", Op.ENDS_WITH: f"%{text}"}[op]
        return sa.cast(col, sa.String).ilike(pattern, escape="\\")
    coerced = _coerce(view, column, value)
    if op is Op.EQUAL:
        return col.is_(None) if coerced is None else col == coerced
    if op is Op.NOT_EQUAL:
        return col.is_not(None) if coerced is None else col != coerced
    comparisons = {Op.GREATER: col > coerced, Op.GREATER_OR_EQUAL: col >= coerced,
                   Op.LESS: col < coerced, Op.LESS_OR_EQUAL: col <= coerced}
    return comparisons[op]


def compile_query(view: View, query: Query, actor: Principal, max_take: int) -> tuple[sa.Select[Any], int | None]:
    """The SELECT for ``query`` over ``view``, and the page size used."""
    compiler = _Compiler(view)
    by_name = {c.name.lower(): c for c in view.columns}

    def lookup(name: str, what: str) -> ViewColumn:
        column = by_name.get(name.lower())
        if column is None:
            raise Invalid.field(name, f"Unknown {what} '{name}' for {view.name}", "InvalidField")
        return column

    wanted = [lookup(n, "field") for n in query.fields] if query.fields else list(view.columns)
    selected = [compiler.column(c).label(c.name) for c in wanted]
    conditions = []
    errors: list[FieldError] = []
    for flt in query.filters:
        try:
            column = lookup(flt.field, "field")
            conditions.append(_condition(compiler.column(column), view, column, flt))
        except Invalid as exc:
            errors.extend(exc.errors)
    if errors:
        raise Invalid("; ".join(e.message for e in errors), errors, code=errors[0].code)
    if actor.is_debtor and CATALOG.entity(view.entity).debtor_field:
        if not view.debtor_column:
            conditions.append(sa.false())
        else:
            conditions.append(compiler.column(view.column(view.debtor_column)) == actor.debtor_id)
    order = []
    sorts = query.sort or [Sort(name) for name in view.default_sort]
    for s in sorts:
        col = compiler.column(lookup(s.field, "sort field"))
        order.append(col.desc() if s.descending else col.asc())
    # A stable tie-break so paging never repeats or skips a row.
    order.append(compiler.base.c[CATALOG.entity(view.entity).key].asc())
    if query.count:
        selected.append(sa.func.count().over().label("__total"))
    stmt = sa.select(*selected).select_from(compiler.from_).where(*conditions).order_by(*order)
    take = min(query.take, max_take) if query.take is not None else max_take
    if query.skip < 0 or (query.take is not None and query.take < 0):
        raise Invalid("Skip and Take must not be negative", code="InvalidValue")
    stmt = stmt.offset(query.skip).limit(take)
    return stmt, take


def run(conn: Connection, actor: Principal, view_name: str, query: Query, *, max_take: int = 1000) -> Page:
    view = CATALOG.views.get(view_name) or entity_view(view_name)
    stmt, _ = compile_query(view, query, actor, max_take)
    rows = [dict(r) for r in conn.execute(stmt).mappings()]
    total = None
    if query.count:
        if rows:
            total = int(rows[0]["__total"])
            for r in rows:
                r.pop("__total")
        elif query.skip == 0:
            total = 0
        else:
            # Past the last page the window count has no row to ride on: count separately.
            counted = stmt.with_only_columns(sa.func.count()).order_by(None).offset(None).limit(None)
            total = int(conn.execute(counted).scalar() or 0)
    return Page(rows=rows, total=total, skip=query.skip)
