"""Row scoping and field redaction for debtor principals, driven by catalog flags."""

from __future__ import annotations

from typing import Any

from ..catalog import CATALOG, Entity
from .principal import Principal


def debtor_scope(principal: Principal, entity: Entity) -> str | None:
    """The debtor a principal is confined to for this entity, or None when unconfined."""
    if principal.is_debtor and entity.debtor_field:
        return principal.debtor_id or ""
    return None


def may_see(principal: Principal, entity: Entity, record: dict[str, Any]) -> bool:
    scope = debtor_scope(principal, entity)
    return scope is None or record.get(entity.debtor_field or "") == scope


def redact(principal: Principal, entity: Entity, document: dict[str, Any]) -> dict[str, Any]:
    """Remove what a debtor principal must not see: hidden fields, other debtors' rows."""
    if not principal.is_debtor:
        return document
    for f in entity.fields:
        if f.hidden_from_debtor:
            document.pop(f.name, None)
    for child in entity.children:
        items = document.get(child.name)
        if not isinstance(items, list):
            continue
        child_entity = CATALOG.entity(child.entity)
        document[child.name] = [
            redact(principal, child_entity, item) for item in items if may_see(principal, child_entity, item)
        ]
    return document


def filter_request(principal: Principal, entity: Entity, data: dict[str, Any]) -> dict[str, Any]:
    """Drop what a debtor principal may not set, and pin their own debtor where one belongs."""
    if not principal.is_debtor:
        return data
    for f in entity.fields:
        if f.debtor_readonly:
            data.pop(f.name, None)
    if entity.debtor_field and entity.debtor_field != entity.key:
        data.pop(f"{entity.debtor_field}.account_no", None)
        data[entity.debtor_field] = principal.debtor_id
    for child in entity.children:
        if child.debtor_readonly:
            data.pop(child.name, None)
            continue
        items = data.get(child.name)
        if isinstance(items, list):
            child_entity = CATALOG.entity(child.entity)
            data[child.name] = [filter_request(principal, child_entity, dict(i)) for i in items
                                if isinstance(i, dict)]
    return data
