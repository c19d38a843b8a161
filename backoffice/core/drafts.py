"""Stateful editing: a record held per owner (a session or key), changed in place, then saved or abandoned.

The held document lives in the database, so it survives a restart and is shared by every
server process. Saving writes it as one transaction; if someone else saved the record since it
was taken, the save is a Conflict instead of a lost update.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import records
from .auth import Principal, scope
from .catalog import CATALOG
from .clock import now
from .errors import Conflict, NotFound
from .records import Doc
from .store.tables import draft


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"__dt__": value.isoformat()}
    if isinstance(value, date):
        return {"__d__": value.isoformat()}
    if isinstance(value, set):
        return {"__set__": sorted(value)}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "__dt__" in value:
            return datetime.fromisoformat(value["__dt__"])
        if "__d__" in value:
            return date.fromisoformat(value["__d__"])
        if "__set__" in value:
            return set(value["__set__"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _where(owner: str, entity_name: str, key: str) -> sa.ColumnElement[bool]:
    return sa.and_(draft.c.owner == owner, draft.c.entity == entity_name, draft.c.record_key == key)


def _held(conn: Connection, owner: str, entity_name: str, key: str) -> tuple[Doc, int | None] | None:
    row = conn.execute(sa.select(draft.c.document, draft.c.base_revision)
                       .where(_where(owner, entity_name, key))).first()
    if row is None:
        return None
    return _decode(row.document), row.base_revision


def _store(conn: Connection, owner: str, entity_name: str, key: str, doc: Doc, base_revision: int | None,
           existed: bool) -> None:
    values = {"document": _encode(doc), "base_revision": base_revision, "updated_at": now()}
    if existed:
        conn.execute(draft.update().where(_where(owner, entity_name, key)).values(**values))
    else:
        conn.execute(draft.insert().values(owner=owner, entity=entity_name, record_key=key, **values))


def expire(conn: Connection, idle: timedelta) -> int:
    """Drop drafts nobody touched for ``idle``; returns how many."""
    return conn.execute(draft.delete().where(draft.c.updated_at < now() - idle)).rowcount or 0


def take(conn: Connection, owner: str, actor: Principal, entity_name: str, key: str) -> Doc:
    """The held document, taking hold of the stored record first if it is not held yet."""
    entity = CATALOG.entity(entity_name)
    held = _held(conn, owner, entity_name, key)
    if held is not None:
        # Reading a held record counts as using it: it is not dropped as idle.
        conn.execute(draft.update().where(_where(owner, entity_name, key)).values(updated_at=now()))
        return records.present(actor, entity, held[0])
    doc = records.load(conn, entity_name, key)
    if doc is None or not scope.may_see(actor, entity, doc):
        raise NotFound(f"{entity_name} with key {key} not found", code="RecordNotFound")
    _store(conn, owner, entity_name, key, doc, doc["revision"], existed=False)
    return records.present(actor, entity, doc)


def change(conn: Connection, owner: str, actor: Principal, entity_name: str, key: str, changes: Doc) -> Doc:
    """Apply ``changes`` to the held document (taking hold first); nothing is saved."""
    entity = CATALOG.entity(entity_name)
    held = _held(conn, owner, entity_name, key)
    if held is None:
        take(conn, owner, actor, entity_name, key)
        held = _held(conn, owner, entity_name, key)
        assert held is not None
    doc, base_revision = held
    new = records.prepare(conn, actor, entity, doc, changes)
    new["revision"] = doc.get("revision")
    new["last_saved"] = doc.get("last_saved")
    _store(conn, owner, entity_name, key, new, base_revision, existed=True)
    return records.present(actor, entity, new)


def held_keys(conn: Connection, owner: str, entity_name: str) -> list[str]:
    return list(conn.execute(sa.select(draft.c.record_key).where(
        draft.c.owner == owner, draft.c.entity == entity_name)).scalars())


def save(conn: Connection, owner: str, actor: Principal, entity_name: str, key: str) -> Doc:
    """Write the held document and let go of it. Conflict if the record changed meanwhile."""
    entity = CATALOG.entity(entity_name)
    held = _held(conn, owner, entity_name, key)
    if held is None:
        raise NotFound(f"No {entity_name} {key} is held in this session", code="RecordNotFound")
    doc, base_revision = held
    current = records.load(conn, entity_name, key)
    if current is None:
        conn.execute(draft.delete().where(_where(owner, entity_name, key)))
        raise NotFound(f"{entity_name} with key {key} no longer exists", code="RecordNotFound")
    if current["revision"] != base_revision:
        raise Conflict(f"The {entity_name} was changed by someone else after it was read; abandon and retry",
                       code="ConcurrencyConflict")
    saved = records.commit(conn, entity, doc, current)
    conn.execute(draft.delete().where(_where(owner, entity_name, key)))
    return records.present(actor, entity, saved)


def abandon(conn: Connection, owner: str, entity_name: str, key: str) -> bool:
    """Let go of the held document without saving; False if none was held."""
    return bool(conn.execute(draft.delete().where(_where(owner, entity_name, key))).rowcount)
