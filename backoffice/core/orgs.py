"""Organizations (tenants), who may work in them, their hierarchy and their languages.

An organization is what a Symphony client logs in to (its ``orgCode``). Its data hangs off its
hierarchy: one Enterprise, Properties under it, Revenue Centers under those, Zones under any of
them. Every menu and configuration object belongs to one node, so an organization sees only rows
whose node is one of its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .clock import now
from .errors import Invalid, NotFound
from .numbering import next_change, reserve
from .store.tables import ENTITY_TABLES, org_user

organization_t = ENTITY_TABLES["Organization"]
node_t = ENTITY_TABLES["HierarchyNode"]
language_t = ENTITY_TABLES["Language"]
staff_t = ENTITY_TABLES["Staff"]

ENTERPRISE, PROPERTY, REVENUE_CENTER, ZONE = 0, 1, 2, 3
# The language every organization's base names are kept in (LangId 1).
BASE_LANGUAGE = 1


@dataclass(frozen=True)
class Org:
    org_id: int
    code: str
    name: str


@dataclass(frozen=True)
class Node:
    """A hierarchy node; ``names`` by language id (the base name under BASE_LANGUAGE)."""

    id: int
    org_id: int
    object_number: int
    unit_type: int
    parent_id: int | None
    names: dict[int, str] = field(default_factory=dict)

    @property
    def defined_at(self) -> int:
        """Where the node itself is defined: its parent's node (the Enterprise defines itself)."""
        return self.parent_id if self.parent_id is not None else self.id


@dataclass(frozen=True)
class Language:
    id: int
    org_id: int
    hierarchy_id: int
    object_number: int
    names: dict[int, str]
    code: str | None


def names_of(base: str | None, l10n: str | None, column: str) -> dict[int, str]:
    """A translated column's text by language id: the base language, then any others kept."""
    names = {BASE_LANGUAGE: base or ""}
    for lang, columns in (json.loads(l10n) if l10n else {}).items():
        if column in columns:
            names[int(lang)] = columns[column]
    return names


def _l10n(names: dict[int, str], column: str) -> str | None:
    others = {str(lang): {column: text} for lang, text in names.items() if lang != BASE_LANGUAGE}
    return json.dumps(others, ensure_ascii=False) if others else None


def _org(row: Any) -> Org:
    return Org(row.org_id, row.code, row.name)


def find(conn: Connection, code: str | None) -> Org | None:
    """The organization with this code (any case). An empty code means the first organization:
    clients of a single-organization installation log in with ``orgCode: ""``."""
    query = sa.select(organization_t)
    if code and code.strip():
        query = query.where(sa.func.lower(organization_t.c.code) == code.strip().lower())
    else:
        query = query.order_by(organization_t.c.org_id).limit(1)
    row = conn.execute(query).first()
    return _org(row) if row is not None else None


def get(conn: Connection, org_id: int) -> Org:
    row = conn.execute(sa.select(organization_t).where(organization_t.c.org_id == org_id)).first()
    if row is None:
        raise NotFound(f"No organization {org_id}")
    return _org(row)


def create(conn: Connection, code: str, name: str, *, enterprise_name: str | None = None) -> Org:
    """A new organization with its Enterprise node and its base language (English)."""
    if not code.strip() or "/" in code:
        raise Invalid.field("code", "An organization code is required and may not contain '/'", "InvalidValue")
    if find(conn, code) is not None and code.strip():
        raise Invalid.field("code", f"An organization {code} already exists", "AlreadyExists")
    org_id = int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(organization_t.c.org_id), 0))).scalar_one()) + 1
    conn.execute(organization_t.insert().values(org_id=org_id, code=code.strip(), name=name, revision=1,
                                                last_saved=now(), change_no=next_change(conn)))
    enterprise = add_node(conn, org_id, ENTERPRISE, None, 1, {BASE_LANGUAGE: enterprise_name or name})
    add_language(conn, org_id, enterprise, BASE_LANGUAGE, {BASE_LANGUAGE: "English"}, "en-US")
    return Org(org_id, code.strip(), name)


def add_node(conn: Connection, org_id: int, unit_type: int, parent_id: int | None, object_number: int,
             names: dict[int, str]) -> int:
    if unit_type != ENTERPRISE and parent_id is None:
        raise Invalid.field("parent_id", "Only the Enterprise has no parent", "NotEmpty")
    node_id = reserve(conn, "SymphonyObject")
    conn.execute(node_t.insert().values(
        id=node_id, org_id=org_id, object_number=object_number, unit_type=unit_type, parent_id=parent_id,
        name=names.get(BASE_LANGUAGE, ""), l10n=_l10n(names, "HierarchyName"), revision=1, last_saved=now(),
        change_no=next_change(conn),
    ))
    return node_id


def add_language(conn: Connection, org_id: int, hierarchy_id: int, lang_id: int, names: dict[int, str],
                 code: str | None) -> int:
    language_id = reserve(conn, "SymphonyObject")
    conn.execute(language_t.insert().values(
        id=language_id, org_id=org_id, hierarchy_id=hierarchy_id, object_number=lang_id,
        name=names.get(BASE_LANGUAGE, ""), l10n=_l10n(names, "Name"), language_code=code, revision=1,
        last_saved=now(), change_no=next_change(conn),
    ))
    return language_id


def hierarchy(conn: Connection, org_id: int) -> list[Node]:
    """Every node of the organization, parents before children."""
    rows = conn.execute(sa.select(node_t).where(node_t.c.org_id == org_id)
                        .order_by(node_t.c.unit_type, node_t.c.object_number, node_t.c.id)).all()
    return [Node(r.id, r.org_id, r.object_number, r.unit_type, r.parent_id, names_of(r.name, r.l10n, "HierarchyName"))
            for r in rows]


def enterprise(conn: Connection, org_id: int) -> int:
    node_id = conn.execute(sa.select(node_t.c.id).where(node_t.c.org_id == org_id, node_t.c.parent_id.is_(None))
                           .order_by(node_t.c.id).limit(1)).scalar()
    if node_id is None:
        raise NotFound(f"Organization {org_id} has no Enterprise")
    return int(node_id)


def languages(conn: Connection, org_id: int) -> list[Language]:
    rows = conn.execute(sa.select(language_t).where(language_t.c.org_id == org_id)
                        .order_by(language_t.c.object_number)).all()
    return [Language(r.id, r.org_id, r.hierarchy_id, r.object_number, names_of(r.name, r.l10n, "Name"),
                     r.language_code) for r in rows]


# --- membership ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    org: Org
    staff_id: str
    user_name: str
    email: str | None
    mfa_required: bool
    language_id: int


def member(conn: Connection, org: Org, staff_id: str) -> Member | None:
    row = conn.execute(
        sa.select(org_user, staff_t.c.username, staff_t.c.email_address)
        .join(staff_t, staff_t.c.staff_id == org_user.c.staff_id)
        .where(org_user.c.org_id == org.org_id, org_user.c.staff_id == staff_id)
    ).first()
    if row is None:
        return None
    return Member(org, staff_id, row.username, row.email_address, bool(row.mfa_required), row.language_id)


def add_member(conn: Connection, org: Org, staff_id: str, *, mfa_required: bool = False,
               language_id: int = BASE_LANGUAGE) -> None:
    """Let a staff member work in an organization (or change how): idempotent."""
    conn.execute(org_user.delete().where(org_user.c.org_id == org.org_id, org_user.c.staff_id == staff_id))
    conn.execute(org_user.insert().values(org_id=org.org_id, staff_id=staff_id, mfa_required=mfa_required,
                                          language_id=language_id))
