"""Dynamic details: detail tables an administrator adds to an entity at run time.

Each definition becomes a real table (``dyn_<name>``): a key column, a column holding the parent
record's key, and the administrator's columns. Rows are read and written through this module only,
always under a parent record the caller may see; they are deleted with their parent.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import records
from .auth import Principal, require
from .catalog import CATALOG
from .clock import now, parse_iso
from .errors import Conflict, FieldError, Invalid, NotFound
from .store.tables import dynamic_detail

PREFIX = "dyn_"  # the stored tables' names begin so (the schema check leaves them alone)
# PostgreSQL names are at most 63 bytes: with the dyn_ prefix a table name may have 59 characters.
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,58}")
TYPES = {"string": sa.String, "text": sa.Text, "integer": sa.Integer, "number": sa.Float, "boolean": sa.Boolean,
         "datetime": sa.DateTime}
MAX_COLUMNS = 60
MAX_ROWS_PER_PARENT = 10_000


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "string"
    length: int | None = 200
    required: bool = False


@dataclass(frozen=True)
class DetailTable:
    """A dynamic detail table of an entity, as defined."""

    name: str
    entity: str
    key_column: str
    parent_column: str
    columns: tuple[Column, ...]

    @property
    def all_columns(self) -> list[str]:
        return [self.key_column, self.parent_column, *(c.name for c in self.columns)]

    def table(self) -> sa.Table:
        """The stored table (a fresh, detached description each time: it is not part of the fixed schema)."""
        meta = sa.MetaData()
        table_name = PREFIX + self.name.lower()
        # The index is named from a digest: "ix_<table>_<column>" could be the same for table a, column
        # b_c and table a_b, column c.
        digest = hashlib.sha256(f"{table_name}\x00{self.parent_column}".encode()).hexdigest()[:16]
        cols: list[Any] = [sa.Column(self.key_column, sa.String(36), primary_key=True),
                           sa.Column(self.parent_column, sa.String(36), nullable=False),
                           sa.Index(f"ix_dyn_{digest}", self.parent_column)]
        for c in self.columns:
            kind = TYPES[c.type]
            cols.append(sa.Column(c.name, kind(c.length or 200) if kind is sa.String else kind(), nullable=True))
        return sa.Table(table_name, meta, *cols)


def _check_identifier(what: str, name: str) -> None:
    if not _IDENTIFIER.fullmatch(name or ""):
        raise Invalid.field(what, f"{what} {name!r}: 1 to 59 letters, digits or '_', starting with a letter",
                            "InvalidName")


def define(conn: Connection, actor: Principal, entity: str, name: str, columns: list[Column], *,
           key_column: str = "dyID", parent_column: str | None = None) -> DetailTable:
    """Add a dynamic detail table to ``entity`` (a root entity of the catalog), creating its table."""
    require(actor, "DynamicDetail.Define")
    if entity not in CATALOG.entities or not CATALOG.entity(entity).root:
        raise NotFound(f"No entity {entity} to add details to", code="NotFound")
    parent_column = parent_column or f"{entity}ID"
    for what, value in (("Name", name), ("KeyColumn", key_column), ("ParentColumn", parent_column)):
        _check_identifier(what, value)
    if not columns or len(columns) > MAX_COLUMNS:
        raise Invalid.field("Columns", f"A detail table has 1 to {MAX_COLUMNS} columns", "InvalidValue")
    seen = {key_column.lower(), parent_column.lower()}
    if len(seen) < 2:
        raise Invalid.field("ParentColumn", "The key and parent columns must differ", "InvalidName")
    problems: list[FieldError] = []
    for i, column in enumerate(columns):
        if not _IDENTIFIER.fullmatch(column.name or ""):
            problems.append(FieldError(f"Columns[{i}].Name", "InvalidName", f"Column {column.name!r}: 1 to 59 "
                                       "letters, digits or '_', starting with a letter"))
        elif column.name.lower() in seen:
            problems.append(FieldError(f"Columns[{i}].Name", "Duplicate", f"Column {column.name} is named twice"))
        seen.add((column.name or "").lower())
        if column.type not in TYPES:
            problems.append(FieldError(f"Columns[{i}].Type", "InvalidType",
                                       f"Column {column.name}: type {column.type!r} is not one of {', '.join(TYPES)}"))
        if column.length is not None and not 1 <= column.length <= 4000:
            problems.append(FieldError(f"Columns[{i}].Length", "InvalidValue", "Length is 1 to 4000"))
    if problems:
        raise Invalid("; ".join(p.message for p in problems), problems, code=problems[0].code)
    if conn.execute(sa.select(dynamic_detail.c.name).where(
            sa.func.lower(dynamic_detail.c.name) == name.lower())).first() is not None:
        raise Conflict(f"A dynamic detail table {name} already exists", code="AlreadyExists")
    definition = DetailTable(name, entity, key_column, parent_column, tuple(columns))
    conn.execute(dynamic_detail.insert().values(
        name=name, entity=entity, key_column=key_column, parent_column=parent_column,
        columns=[[c.name, c.type, c.length, c.required] for c in columns], created_at=now()))
    # Created in the same transaction as its definition: both are there, or neither.
    definition.table().create(conn)
    return definition


def drop(conn: Connection, actor: Principal, name: str) -> None:
    """Remove a dynamic detail table, with its rows."""
    require(actor, "DynamicDetail.Define")
    definition = get(conn, name)
    conn.execute(dynamic_detail.delete().where(dynamic_detail.c.name == definition.name))
    definition.table().drop(conn)


def _loaded(row: Any) -> DetailTable:
    return DetailTable(row.name, row.entity, row.key_column, row.parent_column,
                       tuple(Column(n, t, length, bool(req)) for n, t, length, req in row.columns))


def tables(conn: Connection, entity: str | None = None) -> list[DetailTable]:
    query = sa.select(dynamic_detail).order_by(dynamic_detail.c.name)
    if entity is not None:
        query = query.where(dynamic_detail.c.entity == entity)
    return [_loaded(r) for r in conn.execute(query)]


def get(conn: Connection, name: str, entity: str | None = None) -> DetailTable:
    row = conn.execute(sa.select(dynamic_detail).where(sa.func.lower(dynamic_detail.c.name) == name.lower())).first()
    if row is None or (entity is not None and row.entity != entity):
        raise NotFound(f"No dynamic detail table {name}" + (f" on {entity}" if entity else ""), code="NotFound")
    return _loaded(row)


def _parent(conn: Connection, actor: Principal, definition: DetailTable, parent_key: str) -> None:
    # The parent must exist and be the caller's to see: details are part of their record.
    records.get(conn, actor, definition.entity, parent_key)


def _coerce(column: Column, value: Any, problems: list[FieldError]) -> Any:
    if value is None:
        return None
    try:
        if column.type in ("string", "text"):
            if not isinstance(value, str) or "\x00" in value:
                raise ValueError("text")
            if column.type == "string" and len(value) > (column.length or 200):
                raise ValueError(f"at most {column.length} characters")
            return value
        if column.type == "integer":
            if isinstance(value, bool) or not isinstance(value, int) or not -(2**31) <= value < 2**31:
                raise ValueError("a whole number")
            return value
        if column.type == "number":
            if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
                raise ValueError("a number")
            return float(value)
        if column.type == "boolean":
            if not isinstance(value, bool):
                raise ValueError("true or false")
            return value
        if not isinstance(value, str):
            raise ValueError("a date")
        return parse_iso(value)
    except ValueError as exc:
        problems.append(FieldError(column.name, "InvalidValue", f"{column.name}: {value!r} is not {exc}"))
        return None


def _values(definition: DetailTable, data: Any, parent_key: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise Invalid("A dynamic detail row is a JSON object", code="InvalidBody")
    given = {k.lower(): v for k, v in data.items()}
    problems: list[FieldError] = []
    known = {c.lower() for c in definition.all_columns}
    problems += [FieldError(k, "UnknownColumn", f"{definition.name} has no column {k}") for k in data
                 if k.lower() not in known]
    claimed = given.get(definition.parent_column.lower())
    if claimed not in (None, parent_key):
        problems.append(FieldError(definition.parent_column, "WrongParent",
                                   f"{definition.parent_column} must be the record in the URL ({parent_key})"))
    out: dict[str, Any] = {definition.parent_column: parent_key}
    for column in definition.columns:
        value = _coerce(column, given.get(column.name.lower()), problems)
        if column.required and value in (None, ""):
            problems.append(FieldError(column.name, "Required", f"{column.name} is required"))
        out[column.name] = value
    if problems:
        raise Invalid("; ".join(p.message for p in problems), problems, code=problems[0].code)
    return out


def _shown(definition: DetailTable, row: Any) -> dict[str, Any]:
    mapping = row._mapping
    return {name: (value.isoformat() if isinstance(value, datetime) else value)
            for name, value in ((c, mapping[c]) for c in definition.all_columns)}


def rows(conn: Connection, actor: Principal, definition: DetailTable, parent_key: str) -> list[dict[str, Any]]:
    require(actor, f"{definition.entity}.Get")
    _parent(conn, actor, definition, parent_key)
    table = definition.table()
    found = conn.execute(sa.select(table).where(table.c[definition.parent_column] == parent_key)
                         .order_by(table.c[definition.key_column]))
    return [_shown(definition, r) for r in found]


def all_rows(conn: Connection, actor: Principal, entity: str, parent_key: str) -> dict[str, list[dict[str, Any]]]:
    """Every dynamic detail table of ``entity`` with this record's rows (``includeDynDetails``)."""
    return {d.name: rows(conn, actor, d, parent_key) for d in tables(conn, entity)}


def insert(conn: Connection, actor: Principal, definition: DetailTable, parent_key: str, data: Any) -> dict[str, Any]:
    require(actor, f"{definition.entity}.Update")
    _parent(conn, actor, definition, parent_key)
    values = _values(definition, data, parent_key)
    key = next((v for k, v in data.items() if k.lower() == definition.key_column.lower()), None) or str(uuid.uuid4())
    if not isinstance(key, str) or not 0 < len(key) <= 36:
        raise Invalid.field(definition.key_column, f"{definition.key_column} is text of 1 to 36 characters",
                            "InvalidValue")
    table = definition.table()
    if conn.execute(sa.select(table.c[definition.key_column]).where(table.c[definition.key_column] == key)).first():
        raise Conflict(f"A {definition.name} row {key} already exists", code="AlreadyExists")
    count = conn.execute(sa.select(sa.func.count()).select_from(table).where(
        table.c[definition.parent_column] == parent_key)).scalar() or 0
    if count >= MAX_ROWS_PER_PARENT:
        raise Invalid(f"At most {MAX_ROWS_PER_PARENT} {definition.name} rows per record", code="TooMany")
    conn.execute(table.insert().values(**values, **{definition.key_column: key}))
    return _shown(definition, conn.execute(sa.select(table).where(table.c[definition.key_column] == key)).one())


def update(conn: Connection, actor: Principal, definition: DetailTable, parent_key: str, key: str,
           data: Any) -> dict[str, Any]:
    """Replace one row's values (a PUT: columns not sent become empty)."""
    require(actor, f"{definition.entity}.Update")
    _parent(conn, actor, definition, parent_key)
    values = _values(definition, data, parent_key)
    claimed = next((v for k, v in data.items() if k.lower() == definition.key_column.lower()), None)
    if claimed not in (None, key):
        raise Invalid.field(definition.key_column, f"{definition.key_column} must be the row in the URL ({key})",
                            "WrongKey")
    table = definition.table()
    where = sa.and_(table.c[definition.key_column] == key, table.c[definition.parent_column] == parent_key)
    if conn.execute(table.update().where(where).values(**values)).rowcount != 1:
        raise NotFound(f"No {definition.name} row {key} on {parent_key}", code="NotFound")
    return _shown(definition, conn.execute(sa.select(table).where(where)).one())


def delete(conn: Connection, actor: Principal, definition: DetailTable, parent_key: str,
           key: str | None = None) -> int:
    """Delete one row, or (``key`` None) every row of the record; answers how many went."""
    require(actor, f"{definition.entity}.Update")
    _parent(conn, actor, definition, parent_key)
    table = definition.table()
    where = table.c[definition.parent_column] == parent_key
    if key is not None:
        where = sa.and_(where, table.c[definition.key_column] == key)
    deleted = int(conn.execute(table.delete().where(where)).rowcount or 0)
    if key is not None and deleted == 0:
        raise NotFound(f"No {definition.name} row {key} on {parent_key}", code="NotFound")
    return deleted


def delete_with_parent(conn: Connection, entity: str, parent_key: str) -> None:
    """A record's dynamic details go with it."""
    for definition in tables(conn, entity):
        table = definition.table()
        conn.execute(table.delete().where(table.c[definition.parent_column] == parent_key))
