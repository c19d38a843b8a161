"""Records: get, create, update (merge), replace, JSON Patch and delete of whole aggregates.

A record is a *document*: a dict of catalog field names, with each child collection as a list
of child documents. Writes load the aggregate, build the new document in memory, run the
entity's business rules, validate, and write the difference in the caller's transaction.
Roots carry ``revision`` (bumped on every write; the UPDATE is conditional on it, so two
concurrent writers can never both win) and ``last_saved`` (the client-visible concurrency token).
"""

from __future__ import annotations

import copy
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar, cast

import jsonpatch
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .auth import Principal, scope
from .catalog import CATALOG, Entity, FieldType
from .clock import naive_utc, now, parse_iso
from .errors import Conflict, FieldError, Invalid, NotFound
from .numbering import next_change
from .store import fastread
from .store.tables import ENTITY_TABLES

Doc = dict[str, Any]

# Whole numbers are stored as 32-bit integers (PostgreSQL's INTEGER).
INT_MIN, INT_MAX = -(2**31), 2**31 - 1

# Transient markers on in-memory documents; never stored, never returned.
GIVEN = "__given__"  # the set of field names the caller supplied for this (new) item
NEW_KEY = "__new_key__"  # a key the caller chose in advance for an item it appends


def int_key(value: int) -> str:
    """An integer key (events, bookings, time entries) as ``get``/``update``/``delete`` take keys: they
    are typed as text, and an integer-keyed entity's key is its int."""
    return cast(str, value)


def new_key() -> str:
    """A 20-character identifier, the width of Jiwa's generated IDs."""
    return uuid.uuid4().hex[:20]


def table_of(entity: Entity) -> sa.Table:
    return ENTITY_TABLES[entity.name]


# --- reading ---------------------------------------------------------------------------


def load(conn: Connection, entity_name: str, key: str) -> Doc | None:
    """The whole aggregate under ``key``, or None."""
    entity = CATALOG.entity(entity_name)
    doc = fastread.row_by_key(conn, table_of(entity), entity.key, key)
    if doc is None:
        return None
    _load_children(conn, entity, [doc])
    return doc


def _load_children(conn: Connection, entity: Entity, docs: list[Doc]) -> None:
    if not docs or not entity.children:
        return
    keys = [d[entity.key] for d in docs]
    for child in entity.children:
        child_entity = CATALOG.entity(child.entity)
        rows = fastread.rows_where(
            conn, table_of(child_entity), child.fk, keys,
            extra=("owner_type", child.owner_type) if child.owner_type else None,
            order_by=(*child.order_by, child_entity.key))
        by_parent: dict[str, list[Doc]] = defaultdict(list)
        for r in rows:
            by_parent[r[child.fk]].append(r)
        for d in docs:
            d[child.name] = by_parent.get(d[entity.key], [])
        _load_children(conn, child_entity, rows)


def get(conn: Connection, actor: Principal, entity_name: str, key: str) -> Doc:
    entity = CATALOG.entity(entity_name)
    doc = load(conn, entity_name, key)
    if doc is None or not scope.may_see(actor, entity, doc):
        raise NotFound(f"{entity_name} with key {key} not found", code="RecordNotFound")
    # A freshly loaded document is nobody else's: redact it in place.
    return scope.redact(actor, entity, doc)


def present(actor: Principal, entity: Entity, doc: Doc) -> Doc:
    """What the actor may see of a document, with transient markers removed (on a copy)."""
    return scope.redact(actor, entity, strip_transient(copy.deepcopy(doc)))


def strip_transient(doc: Doc) -> Doc:
    for marker in (GIVEN, NEW_KEY):
        doc.pop(marker, None)
    for value in doc.values():
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    strip_transient(item)
    return doc


def find_child(entity: Entity, doc: Doc, path: Iterable[tuple[str, str]]) -> Doc | None:
    """Follow (collection, key) steps down a document; None if a step is missing."""
    current: Doc | None = doc
    for collection, key in path:
        if current is None:
            return None
        child = entity.child(collection)
        child_entity = CATALOG.entity(child.entity)
        current = next((i for i in current.get(collection, []) if i.get(child_entity.key) == key), None)
        entity = child_entity
    return current


# --- building the new document ----------------------------------------------------------


def merge(entity: Entity, old: Doc | None, changes: Doc, *, replace: bool = False,
          allow_system: bool = False) -> Doc:
    """The document after applying ``changes`` to ``old`` (None when creating).

    Merge (``replace=False``, a PATCH): fields not mentioned keep their value; items in a
    child collection that name an existing item (by key, or the collection's ``match_on``
    field) update it, the others are appended; items not mentioned stay.
    Replace (``replace=True``, a PUT): fields not mentioned fall back to their default, and
    a child collection that is given becomes exactly the items given.
    """
    if not isinstance(changes, dict):
        raise Invalid(f"A {entity.name} must be an object")
    child_names = {c.name for c in entity.children}
    new: Doc = {k: v for k, v in (old or {}).items() if k not in child_names}
    if old is None:
        new[entity.key] = changes.get(NEW_KEY) or new_key()
        new[GIVEN] = {k for k in changes if k not in child_names}
    for f in entity.fields:
        if f.name == entity.key:
            continue
        if f.system and not allow_system:
            if old is None:
                new.setdefault(f.name, f.default)
            continue
        if f.name in changes:
            new[f.name] = changes[f.name]
        elif old is None or replace:
            new[f.name] = f.default
    # Paths such as "debtor_id.account_no" name a referenced record by its alternate key.
    for name, value in changes.items():
        if "." in name and name.split(".", 1)[0] in entity.field_map:
            new[name] = value
    for child in entity.children:
        child_entity = CATALOG.entity(child.entity)
        old_items = [dict(i) for i in (old or {}).get(child.name, [])]
        if child.name not in changes or changes[child.name] is None:
            new[child.name] = old_items
            continue
        incoming = changes[child.name]
        if not isinstance(incoming, list):
            raise Invalid.field(child.name, f"{child.name} must be a list", "InvalidList")
        match = child.match_on or child_entity.key
        result: list[Doc] = [] if replace else old_items
        existing = {i.get(match): i for i in old_items}
        for item in incoming:
            if not isinstance(item, dict):
                raise Invalid.field(child.name, f"Each item of {child.name} must be an object", "InvalidItem")
            wanted = item.get(match)
            base = existing.get(wanted) if wanted not in (None, "") else None
            if base is not None:
                merged = merge(child_entity, base, item, replace=replace, allow_system=allow_system)
                if replace:
                    result.append(merged)
                else:
                    result[result.index(base)] = merged
                    existing[wanted] = merged
            elif match == child_entity.key and wanted not in (None, ""):
                raise NotFound(f"{child_entity.name} with key {wanted} not found", code="RecordNotFound")
            else:
                result.append(merge(child_entity, None, item, allow_system=allow_system))
        new[child.name] = result
    # Children belong to this parent whatever they said.
    for child in entity.children:
        for item in new[child.name]:
            item[child.fk] = new[entity.key]
            if child.owner_type:
                item["owner_type"] = child.owner_type
    return new


# --- validation -------------------------------------------------------------------------


def _coerce(entity: Entity, name: str, value: Any, errors: list[FieldError]) -> Any:
    f = entity.field(name)
    if value is None:
        return None
    try:
        if f.type in (FieldType.STRING, FieldType.TEXT):
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise TypeError
            text = str(value)
            if "\x00" in text:
                raise ValueError  # no database keeps NUL characters in text alike
            if f.length and len(text) > f.length:
                errors.append(FieldError(name, "MaxLength", f"{name} must be at most {f.length} characters"))
            return text
        if f.type is FieldType.BOOL:
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
                return value.lower() in ("true", "1")
            if isinstance(value, int) and value in (0, 1):
                return bool(value)
            raise TypeError
        if f.type is FieldType.INT:
            if isinstance(value, bool):
                raise TypeError
            if f.enum and isinstance(value, str) and not value.lstrip("-").isdigit():
                return CATALOG.enums[f.enum].by_name(value).code
            if f.big:
                # 64-bit ids: never through a float, which holds only 53 bits exactly.
                whole = int(value) if isinstance(value, int) else int(str(value).strip())
                if not -(2 ** 63) <= whole < 2 ** 63:
                    raise ValueError
                return whole
            number = float(value)
            if number != number or number in (float("inf"), float("-inf")) or number != int(number):
                raise ValueError
            if not INT_MIN <= number <= INT_MAX:
                raise ValueError
            if f.enum:
                CATALOG.enums[f.enum].by_code(int(number))
            return int(number)
        if f.type in (FieldType.FLOAT, FieldType.MONEY):
            if isinstance(value, bool):
                raise TypeError
            number = float(value)
            if number != number or number in (float("inf"), float("-inf")):
                raise ValueError
            return number
        if f.type is FieldType.DATETIME:
            if isinstance(value, datetime):
                value = naive_utc(value)
                return value.replace(microsecond=value.microsecond // 1000 * 1000)
            if isinstance(value, date):
                return datetime(value.year, value.month, value.day)
            if isinstance(value, str):
                return parse_iso(value)
            raise TypeError
        if f.type is FieldType.DATE:
            if isinstance(value, datetime):
                return value.date()
            if isinstance(value, date):
                return value
            return date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError, KeyError, OverflowError):
        kind = f"one of {', '.join(v.name for v in CATALOG.enums[f.enum].values)}" if f.enum else f.type.value
        errors.append(FieldError(name, "InvalidValue", f"{name}: {value!r} is not a valid {kind}"))
        return None
    return value


def validate(entity: Entity, doc: Doc, errors: list[FieldError] | None = None, prefix: str = "") -> None:
    """Coerce every field to its type and check required fields; raise Invalid listing all faults."""
    own = errors is None
    errors = [] if errors is None else errors
    for f in entity.fields:
        before = len(errors)
        doc[f.name] = _coerce(entity, f.name, doc.get(f.name), errors)
        for i in range(before, len(errors)):
            errors[i] = FieldError(prefix + errors[i].field, errors[i].code, errors[i].message)
        if f.required and (doc[f.name] is None or doc[f.name] == "") and len(errors) == before:
            errors.append(FieldError(prefix + f.name, "NotEmpty", f"{prefix}{f.name} is required"))
    for child in entity.children:
        child_entity = CATALOG.entity(child.entity)
        for i, item in enumerate(doc.get(child.name, [])):
            validate(child_entity, item, errors, f"{prefix}{child.name}[{i}].")
    if own and errors:
        raise Invalid(errors[0].message if len(errors) == 1 else f"{len(errors)} fields are invalid: "
                      + "; ".join(e.message for e in errors), errors, code=errors[0].code)


# --- business rules ---------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """Something a user should hear about a write that did not stop it (a warning, a note)."""

    subject: str  # what it is about, as a person would say it: "Company", "Warehouse locations"
    message: str
    kind: str = "Warning"  # or "Information"


@dataclass
class RuleContext:
    conn: Connection
    actor: Principal
    entity: Entity
    new: Doc
    old: Doc | None
    errors: list[FieldError] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    # Set when a business operation (core/actions.py) makes the change, not a plain edit.
    action: str | None = None

    @property
    def creating(self) -> bool:
        return self.old is None


Rule = Callable[[RuleContext], None]
_RULES: dict[str, list[Rule]] = defaultdict(list)
DeleteGuard = Callable[[Connection, Principal, Doc], None]
_DELETE_GUARDS: dict[str, list[DeleteGuard]] = defaultdict(list)
_Hook = TypeVar("_Hook", bound=Callable[..., None])


def _registrar(table: dict[str, list[Any]], entity_names: tuple[str, ...]) -> Callable[[_Hook], _Hook]:
    def register(fn: _Hook) -> _Hook:
        for name in entity_names:
            table[name].append(fn)
        return fn
    return register


def delete_guard(*entity_names: str) -> Callable[[DeleteGuard], DeleteGuard]:
    """Register a check run before a record of these entities is deleted (raise to refuse)."""
    return _registrar(_DELETE_GUARDS, entity_names)


def rule(*entity_names: str) -> Callable[[Rule], Rule]:
    """Register a business rule run before every write of these root entities."""
    return _registrar(_RULES, entity_names)


def resolve_references(conn: Connection, entity: Entity, doc: Doc, errors: list[FieldError],
                       prefix: str = "") -> None:
    """Turn ``ref.alternate`` inputs into keys, and check that every reference exists.

    When both the key and the alternate are given, the key wins.
    """
    for f in entity.fields:
        if not f.ref:
            continue
        target = CATALOG.entity(f.ref)
        alt_name = f"{f.name}.{target.alternate_key}" if target.alternate_key else None
        alt = doc.pop(alt_name, None) if alt_name else None
        value = doc.get(f.name)
        if value in (None, "") and alt not in (None, ""):
            found = _by_alternate(conn, target, str(alt))
            if found is None:
                errors.append(FieldError(prefix + (alt_name or f.name), "NotFound",
                                         f"No {target.name} with {target.alternate_key} {alt}"))
                continue
            doc[f.name] = found
        elif value not in (None, "") and not f.system:
            t = table_of(target)
            key_value: object = str(value)
            if target.field(target.key).type is FieldType.INT:
                try:
                    key_value = int(value)
                except (TypeError, ValueError):
                    errors.append(FieldError(prefix + f.name, "NotFound", f"No {target.name} with key {value}"))
                    continue
            exists = conn.execute(sa.select(t.c[target.key]).where(t.c[target.key] == key_value)).first()
            if exists is None:
                errors.append(FieldError(prefix + f.name, "NotFound", f"No {target.name} with key {value}"))
    for child in entity.children:
        child_entity = CATALOG.entity(child.entity)
        for i, item in enumerate(doc.get(child.name, [])):
            resolve_references(conn, child_entity, item, errors, f"{prefix}{child.name}[{i}].")


def _by_alternate(conn: Connection, entity: Entity, value: str) -> str | None:
    t = table_of(entity)
    assert entity.alternate_key
    return conn.execute(sa.select(t.c[entity.key]).where(t.c[entity.alternate_key] == value)).scalar()


def _check_unique(conn: Connection, entity: Entity, new: Doc, old: Doc | None) -> None:
    t = table_of(entity)
    for f in entity.fields:
        if not f.unique or new.get(f.name) in (None, ""):
            continue
        if old is not None and old.get(f.name) == new[f.name]:
            continue
        clash = conn.execute(sa.select(t.c[entity.key]).where(
            t.c[f.name] == new[f.name], t.c[entity.key] != new[entity.key])).first()
        if clash is not None:
            raise Conflict(f"A {entity.name} with {f.name} {new[f.name]} already exists", code="DuplicateKey")
    for names in entity.unique_together:
        values = [new.get(n) for n in names]
        if any(v in (None, "") for v in values):
            continue
        if old is not None and all(old.get(n) == new.get(n) for n in names):
            continue
        clash = conn.execute(sa.select(t.c[entity.key]).where(
            *(t.c[n] == v for n, v in zip(names, values, strict=True)), t.c[entity.key] != new[entity.key])).first()
        if clash is not None:
            said = " and ".join(f"{n} {v}" for n, v in zip(names, values, strict=True))
            raise Conflict(f"A {entity.name} with {said} already exists", code="DuplicateKey")


def prepare(conn: Connection, actor: Principal, entity: Entity, old: Doc | None, changes: Doc, *,
            replace: bool = False, allow_system: bool = False, action: str | None = None,
            notices: list[Notice] | None = None) -> Doc:
    """Build, complete and validate the new document, without writing it.

    The rules' notices (warnings that do not stop the write) are added to ``notices``.
    """
    changes = scope.filter_request(actor, entity, dict(changes))
    new = merge(entity, old, changes, replace=replace, allow_system=allow_system)
    ctx = RuleContext(conn, actor, entity, new, old, action=action)
    resolve_references(conn, entity, new, ctx.errors)
    if ctx.errors:
        raise Invalid("; ".join(e.message for e in ctx.errors), ctx.errors, code=ctx.errors[0].code)
    validate(entity, new)
    for fn in _RULES.get(entity.name, []):
        fn(ctx)
    if ctx.errors:
        raise Invalid("; ".join(e.message for e in ctx.errors), ctx.errors, code=ctx.errors[0].code)
    validate(entity, new)
    if not scope.may_see(actor, entity, new):
        raise NotFound(f"{entity.name} not found", code="RecordNotFound")
    _check_unique(conn, entity, new, old)
    if notices is not None:
        notices.extend(ctx.notices)
    return new


# --- writing ----------------------------------------------------------------------------


def check_precondition(entity: Entity, old: Doc, expected_last_saved: datetime | None,
                       expected_revision: int | None = None) -> None:
    if expected_revision is not None and old.get("revision") != expected_revision:
        raise Conflict(f"The {entity.name} has been changed by someone else since it was read",
                       code="ConcurrencyConflict")
    if expected_last_saved is not None and old.get("last_saved") != expected_last_saved:
        raise Conflict(f"The {entity.name} has been changed by someone else since it was read "
                       f"(last saved {old.get('last_saved')})", code="ConcurrencyConflict")


def commit(conn: Connection, entity: Entity, new: Doc, old: Doc | None) -> Doc:
    """Write ``new`` over ``old`` (insert when None); returns the stored document."""
    try:
        return _commit(conn, entity, new, old)
    except sa.exc.IntegrityError as exc:
        # A unique key taken, or a referenced record deleted, by a concurrent writer between our
        # checks and our write.
        raise Conflict(f"The {entity.name} clashes with a change saved at the same moment; reload and retry",
                       code="ConcurrencyConflict") from exc


# Writes are built once per table and given their values as parameters: a statement with the
# values inside would be a new statement, with its own cache key and compilation, every time.
_STATEMENTS: dict[tuple[str, str], Any] = {}


def _insert(entity: Entity) -> Any:
    stmt = _STATEMENTS.get(("insert", entity.name))
    if stmt is None:
        stmt = _STATEMENTS[("insert", entity.name)] = table_of(entity).insert()
    return stmt


def _update(entity: Entity) -> Any:
    """UPDATE ... WHERE key = :where_key [AND revision = :where_revision] SET (the parameters given)."""
    stmt = _STATEMENTS.get(("update", entity.name))
    if stmt is None:
        t = table_of(entity)
        condition = t.c[entity.key] == sa.bindparam("where_key")
        if entity.root:
            condition = sa.and_(condition, t.c.revision == sa.bindparam("where_revision"))
        stmt = _STATEMENTS[("update", entity.name)] = t.update().where(condition)
    return stmt


def _commit(conn: Connection, entity: Entity, new: Doc, old: Doc | None) -> Doc:
    values = {f.name: new.get(f.name) for f in entity.fields}
    stamp = now()
    if entity.root:
        values["change_no"] = new["change_no"] = next_change(conn)
    if old is None:
        values.update(revision=1, last_saved=stamp)
        conn.execute(_insert(entity), values)
    else:
        result = conn.execute(_update(entity), {
            **values, "revision": old["revision"] + 1, "last_saved": stamp,
            "where_key": old[entity.key], "where_revision": old["revision"]})
        if result.rowcount != 1:
            raise Conflict(f"The {entity.name} has been changed by someone else; reload it and try again",
                           code="ConcurrencyConflict")
    new["revision"] = 1 if old is None else old["revision"] + 1
    new["last_saved"] = stamp
    _write_children(conn, entity, new, old)
    return strip_transient(new)


def _write_children(conn: Connection, entity: Entity, new: Doc, old: Doc | None) -> None:
    parent_key = new[entity.key]
    gone_by_collection: list[tuple[Entity, list[str]]] = []
    for child in entity.children:
        child_entity = CATALOG.entity(child.entity)
        old_items = {i[child_entity.key]: i for i in (old or {}).get(child.name, [])}
        kept = set()
        for item in new.get(child.name, []):
            item[child.fk] = parent_key
            if child.owner_type:
                item["owner_type"] = child.owner_type
            values = {f.name: item.get(f.name) for f in child_entity.fields}
            key = item[child_entity.key]
            before = old_items.get(key)
            if before is None:
                conn.execute(_insert(child_entity), values)
            elif any(before.get(k) != v for k, v in values.items()):
                conn.execute(_update(child_entity), {**values, "where_key": key})
            kept.add(key)
            _write_children(conn, child_entity, item, before)
        gone_by_collection.append((child_entity, [k for k in old_items if k not in kept]))
    # Removals last, in reverse order of the collections: lines go before the histories they sit in.
    for child_entity, gone in reversed(gone_by_collection):
        if gone:
            # A child someone else refers to (a contact an attendee or activity names) stays: say so,
            # rather than let the database refuse it as if it were a clash.
            _refuse_if_referenced(conn, child_entity, gone)
            _delete_tree(conn, child_entity, gone)


def _refuse_if_referenced(conn: Connection, entity: Entity, keys: list[str]) -> None:
    """RecordInUse when a record other than the entity's own children refers to one of ``keys``."""
    own_children = {(c.entity, c.fk) for c in entity.children}
    for other, f in CATALOG.references_to(entity.name):
        if (other.name, f.name) in own_children:
            continue
        t = table_of(other)
        query = sa.select(sa.literal(1)).select_from(t).where(t.c[f.name].in_(keys))
        if other.name == entity.name:
            query = query.where(t.c[other.key].not_in(keys))
        if conn.execute(query.limit(1)).first() is not None:
            raise Conflict(f"The {entity.name} cannot be deleted because a {other.name} refers to it",
                           code="RecordInUse")


def _delete_tree(conn: Connection, entity: Entity, keys: list[str]) -> None:
    # Collections in reverse order, so rows go before the rows they refer to (lines, then histories).
    for child in reversed(entity.children):
        child_entity = CATALOG.entity(child.entity)
        ct = table_of(child_entity)
        query = sa.select(ct.c[child_entity.key]).where(ct.c[child.fk].in_(keys))
        if child.owner_type:
            query = query.where(ct.c.owner_type == child.owner_type)
        child_keys = list(conn.execute(query).scalars())
        if child_keys:
            _delete_tree(conn, child_entity, child_keys)
    t = table_of(entity)
    conn.execute(t.delete().where(t.c[entity.key].in_(keys)))


def _load_for_write(conn: Connection, actor: Principal, entity: Entity, key: str) -> Doc:
    old = load(conn, entity.name, key)
    if old is None or not scope.may_see(actor, entity, old):
        raise NotFound(f"{entity.name} with key {key} not found", code="RecordNotFound")
    return old


# --- the operations dialects call -------------------------------------------------------


def create(conn: Connection, actor: Principal, entity_name: str, data: Doc, *,
           allow_system: bool = False, action: str | None = None, notices: list[Notice] | None = None) -> Doc:
    entity = CATALOG.entity(entity_name)
    chosen = data.get(NEW_KEY)
    if chosen and fastread.row_by_key(conn, table_of(entity), entity.key, chosen) is not None:
        # A key the caller chose is taken: say so (a clash with a concurrent writer is caught at the write).
        raise Conflict(f"A {entity.name} with key {chosen} already exists", code="AlreadyExists")
    new = prepare(conn, actor, entity, None, data, allow_system=allow_system, action=action, notices=notices)
    return present(actor, entity, commit(conn, entity, new, None))


def update(conn: Connection, actor: Principal, entity_name: str, key: str, changes: Doc, *,
           expected_last_saved: datetime | None = None, expected_revision: int | None = None,
           action: str | None = None, notices: list[Notice] | None = None) -> Doc:
    """Merge ``changes`` into the record (a PATCH); ``action`` names the business operation making it."""
    entity = CATALOG.entity(entity_name)
    old = _load_for_write(conn, actor, entity, key)
    check_precondition(entity, old, expected_last_saved, expected_revision)
    new = prepare(conn, actor, entity, old, changes, action=action, notices=notices)
    return present(actor, entity, commit(conn, entity, new, old))


def replace(conn: Connection, actor: Principal, entity_name: str, key: str, document: Doc, *,
            expected_revision: int | None = None, notices: list[Notice] | None = None) -> Doc:
    """Replace the record with ``document`` (a PUT)."""
    entity = CATALOG.entity(entity_name)
    old = _load_for_write(conn, actor, entity, key)
    check_precondition(entity, old, None, expected_revision)
    new = prepare(conn, actor, entity, old, document, replace=True, notices=notices)
    return present(actor, entity, commit(conn, entity, new, old))


def json_patch(conn: Connection, actor: Principal, entity_name: str, key: str, operations: list[Any], *,
               to_document: Callable[[Doc], Doc] = lambda d: d,
               from_document: Callable[[Doc], Doc] = lambda d: d,
               expected_revision: int | None = None, notices: list[Notice] | None = None) -> Doc:
    """Apply RFC 6902 operations to the record as a dialect shows it, then replace it.

    ``to_document``/``from_document`` translate between the stored document and the
    dialect's shape, so paths in the patch use the names the client sees.
    """
    entity = CATALOG.entity(entity_name)
    old = _load_for_write(conn, actor, entity, key)
    check_precondition(entity, old, None, expected_revision)
    shown = to_document(present(actor, entity, old))
    try:
        patched = jsonpatch.apply_patch(shown, operations)
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, TypeError, ValueError) as exc:
        raise Invalid(f"The patch cannot be applied: {exc}", code="InvalidPatch") from exc
    new = prepare(conn, actor, entity, old, from_document(patched), replace=True, notices=notices)
    return present(actor, entity, commit(conn, entity, new, old))


def delete(conn: Connection, actor: Principal, entity_name: str, key: str) -> None:
    entity = CATALOG.entity(entity_name)
    old = _load_for_write(conn, actor, entity, key)
    for guard in _DELETE_GUARDS.get(entity_name, []):
        guard(conn, actor, old)
    _refuse_if_referenced(conn, entity, [key])
    from . import dynamic_details  # (imported here: it builds on this module)

    dynamic_details.delete_with_parent(conn, entity.name, key)
    try:
        _delete_tree(conn, entity, [key])
    except sa.exc.IntegrityError as exc:
        # Something came to refer to it between our check and the delete.
        raise Conflict(f"The {entity.name} cannot be deleted because a record refers to it",
                       code="RecordInUse") from exc


def add_child(conn: Connection, actor: Principal, entity_name: str, key: str,
              path: list[tuple[str, str]], collection: str, data: Doc) -> Doc:
    """Append one item to a child collection (``path`` leads to its parent item); returns it."""
    item_key = new_key()
    update(conn, actor, entity_name, key, nest(entity_name, path, {collection: [{**data, NEW_KEY: item_key}]}))
    return get_child(conn, actor, entity_name, key, [*path, (collection, item_key)])


def update_child(conn: Connection, actor: Principal, entity_name: str, key: str,
                 path: list[tuple[str, str]], data: Doc) -> Doc:
    """Merge ``data`` into the child item at ``path``; returns it."""
    get_child(conn, actor, entity_name, key, path)
    update(conn, actor, entity_name, key, nest(entity_name, path, data))
    return get_child(conn, actor, entity_name, key, path)


def delete_child(conn: Connection, actor: Principal, entity_name: str, key: str,
                 path: list[tuple[str, str]]) -> None:
    entity = CATALOG.entity(entity_name)
    old = _load_for_write(conn, actor, entity, key)
    if find_child(entity, old, path) is None:
        raise NotFound(f"{path[-1][0]} item {path[-1][1]} not found", code="RecordNotFound")
    new = copy.deepcopy(old)
    parent = find_child(entity, new, path[:-1]) if len(path) > 1 else new
    assert parent is not None
    collection, item_key = path[-1]
    child_entity = _entity_at(entity_name, path)
    parent[collection] = [i for i in parent[collection] if i.get(child_entity.key) != item_key]
    new = _prepare_from(conn, actor, entity, old, new)
    commit(conn, entity, new, old)


def _prepare_from(conn: Connection, actor: Principal, entity: Entity, old: Doc, new: Doc) -> Doc:
    """Run the rules over a document already edited in memory (e.g. an item removed)."""
    ctx = RuleContext(conn, actor, entity, new, old)
    validate(entity, new)
    for fn in _RULES.get(entity.name, []):
        fn(ctx)
    if ctx.errors:
        raise Invalid("; ".join(e.message for e in ctx.errors), ctx.errors, code=ctx.errors[0].code)
    return new


def children(conn: Connection, actor: Principal, entity_name: str, key: str, path: list[tuple[str, str]],
             collection: str, *, within: tuple[str, str, str] | None = None) -> list[Doc]:
    """The items of ``collection`` under the item ``path`` leads to (the record itself if empty).

    ``within=(container collection, container key, field)`` keeps the items that belong to one
    item of another collection of the record, such as the lines of one history; that item must exist.
    """
    entity = CATALOG.entity(entity_name)
    root = get(conn, actor, entity_name, key)
    parent = find_child(entity, root, path) if path else root
    if parent is None:
        raise NotFound(f"{path[-1][0]} item {path[-1][1]} not found", code="RecordNotFound")
    items: list[Doc] = parent.get(collection, [])
    if within is not None:
        container, container_key, field_name = within
        if find_child(entity, root, [(container, container_key)]) is None:
            raise NotFound(f"{container} item {container_key} not found", code="RecordNotFound")
        items = [i for i in items if i.get(field_name) == container_key]
    return items


def get_child(conn: Connection, actor: Principal, entity_name: str, key: str,
              path: list[tuple[str, str]]) -> Doc:
    doc = get(conn, actor, entity_name, key)
    item = find_child(CATALOG.entity(entity_name), doc, path)
    if item is None:
        raise NotFound(f"{path[-1][0]} item {path[-1][1]} not found", code="RecordNotFound")
    return item


def nest(entity_name: str, path: list[tuple[str, str]], change: Doc) -> Doc:
    """``change`` to the item that ``path`` leads to, as a merge change to the whole record."""
    nested = change
    for depth in range(len(path), 0, -1):
        collection, key = path[depth - 1]
        nested = {collection: [{**nested, _entity_at(entity_name, path[:depth]).key: key}]}
    return nested


def _entity_at(root: str, path: list[tuple[str, str]]) -> Entity:
    """The entity of the items the last step of ``path`` lands on."""
    entity = CATALOG.entity(root)
    for step_collection, _ in path:
        entity = CATALOG.entity(entity.child(step_collection).entity)
    return entity
