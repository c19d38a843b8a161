"""What import and export share: the request's scope in an organization's hierarchy, how an
object type's CSV columns map onto its table, and the ObjectNumberFilter.

Every row of an object type belongs to a hierarchy node, and through it to one organization; only
the nodes of the scope's organization are ever named in a statement, so no other organization's
row is read or written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..catalog import CATALOG
from ..catalog.menu import InterchangeColumn, InterchangeType
from ..errors import Invalid
from ..orgs import BASE_LANGUAGE, ENTERPRISE
from ..store.tables import ENTITY_TABLES

node_t = ENTITY_TABLES["HierarchyNode"]
language_t = ENTITY_TABLES["Language"]
master_t = ENTITY_TABLES["InventoryItem"]
definition_t = ENTITY_TABLES["MenuItemDefinition"]
price_t = ENTITY_TABLES["MenuItemPrice"]

# DataLevel: which hierarchy levels a request covers.
SELECTED, WITH_ANCESTORS, WITH_INHERITED, ANCESTORS_AND_INHERITED = 0, 1, 2, 3


@dataclass
class Scope:
    """Where a request works: an organization, one of its hierarchy nodes (None: its Enterprise),
    the levels around that node (DataLevel 0-3) and the language of translated columns (None: 1)."""

    org_id: int
    hier_struc_id: int | None
    level: int
    language_id: int | None


@dataclass(frozen=True)
class Place:
    """A scope resolved against the organization's hierarchy.

    ``chain`` is the node followed by its ancestors up to the Enterprise (nearest first);
    ``subtree`` the node and every node below it; ``org_nodes`` every node of the organization.
    """

    org_id: int
    node_id: int
    chain: tuple[int, ...]
    subtree: frozenset[int]
    org_nodes: frozenset[int]
    level: int
    language: int


def resolve(conn: Connection, scope: Scope) -> Place:
    """Check the scope against the organization; raises Invalid for an unknown node, level or language."""
    if scope.level not in (SELECTED, WITH_ANCESTORS, WITH_INHERITED, ANCESTORS_AND_INHERITED):
        raise Invalid.field("Level", f"Level {scope.level} is not 0, 1, 2 or 3", "InvalidValue")
    rows = conn.execute(sa.select(node_t.c.id, node_t.c.parent_id, node_t.c.unit_type)
                        .where(node_t.c.org_id == scope.org_id)).all()
    parents = {int(r.id): (None if r.parent_id is None else int(r.parent_id)) for r in rows}
    if scope.hier_struc_id is None:
        roots = sorted(int(r.id) for r in rows if r.parent_id is None and r.unit_type == ENTERPRISE)
        if not roots:
            raise Invalid.field("HierStrucId", f"Organization {scope.org_id} has no Enterprise", "NotFound")
        node = roots[0]
    elif scope.hier_struc_id in parents:
        node = scope.hier_struc_id
    else:
        raise Invalid.field("HierStrucId", f"HierStrucId {scope.hier_struc_id} is not a node of this organization",
                            "NotFound")
    chain: list[int] = []
    step: int | None = node
    while step is not None and step not in chain:  # (a cycle would be bad data; stop rather than loop)
        chain.append(step)
        step = parents.get(step)
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    subtree = {node}
    todo = [node]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in subtree:
                subtree.add(child)
                todo.append(child)
    language = BASE_LANGUAGE if scope.language_id is None else scope.language_id
    if language != BASE_LANGUAGE:
        known = conn.execute(sa.select(language_t.c.id).where(
            language_t.c.org_id == scope.org_id, language_t.c.object_number == language).limit(1)).first()
        if known is None:
            raise Invalid.field("LanguageId", f"LanguageId {language} is not a language of this organization",
                                "NotFound")
    return Place(scope.org_id, node, tuple(chain), frozenset(subtree), frozenset(parents), scope.level, language)


# --- the object type over its table ------------------------------------------------------------


@dataclass(frozen=True)
class Binding:
    """An object type bound to its table: the SQL expression behind each column."""

    kind: InterchangeType
    table: sa.Table
    id_column: sa.ColumnElement[Any]
    hierarchy: sa.ColumnElement[Any]  # the node a row belongs to
    has_l10n: bool

    def expr(self, column: InterchangeColumn) -> sa.ColumnElement[Any]:
        if column.field == "hierarchy_id":
            return self.hierarchy
        return self.table.c[column.field]

    def field_length(self, column: InterchangeColumn) -> int | None:
        entity = CATALOG.entity(self.kind.entity)
        field = entity.field_map.get(column.field)
        return field.length if field is not None else None

    @property
    def is_master(self) -> bool:
        return self.kind.entity == "InventoryItem"

    def row_filter(self) -> sa.ColumnElement[bool]:
        """What makes a row of the table a row of this type (items without a menu item id are not masters)."""
        if self.is_master:
            return self.table.c.menu_item_id.is_not(None)
        return sa.true()


@cache
def bind(kind: InterchangeType) -> Binding:
    table = ENTITY_TABLES[kind.entity]
    if "hierarchy_id" in table.c:
        hierarchy: sa.ColumnElement[Any] = table.c.hierarchy_id
    else:
        # A hierarchy node is defined at its parent (the Enterprise at itself).
        hierarchy = sa.func.coalesce(table.c.parent_id, table.c.id)
    return Binding(kind, table, table.c[kind.id_field], hierarchy, "l10n" in table.c)


def column_named(kind: InterchangeType, name: str, what: str) -> InterchangeColumn:
    try:
        return kind.column(name.strip())
    except KeyError:
        raise Invalid.field(what, f"{kind.short_name} has no column '{name}'", "UnknownColumn") from None


def id_column(kind: InterchangeType) -> InterchangeColumn:
    return next(c for c in kind.columns if c.field == kind.id_field)


# --- ObjectNumberFilter ---------------------------------------------------------------------------

_RANGE = re.compile(r"\s*(-?\d+)\s*(?:-\s*(-?\d+)\s*)?", re.ASCII)


INT32_MAX = 2**31 - 1


def parse_number_filter(text: str) -> list[tuple[int, int]]:
    """``"1-200, 230,300-350"`` as inclusive ranges [(1, 200), (230, 230), (300, 350)]; empty or blank
    text is no filter ([]). A reversed range, an empty item or anything else raises Invalid."""
    if not text or not text.strip():
        return []
    ranges: list[tuple[int, int]] = []
    for item in text.split(","):
        match = _RANGE.fullmatch(item)
        if match is None:
            raise Invalid.field("ObjectNumberFilter", f"'{item.strip()}' is not a number or a range like 1-200",
                                "InvalidFilter")
        low = int(match.group(1)[:12])
        high = int(match.group(2)[:12]) if match.group(2) is not None else low
        if max(low, high) > INT32_MAX or len(match.group(1)) > 12 or len(match.group(2) or "") > 12:
            raise Invalid.field("ObjectNumberFilter", f"'{item.strip()[:40]}' is beyond the object numbers "
                                f"there are (at most {INT32_MAX})", "InvalidFilter")
        if high < low:
            raise Invalid.field("ObjectNumberFilter", f"The range {low}-{high} runs backwards", "InvalidFilter")
        ranges.append((low, high))
    return ranges


def number_condition(binding: Binding, ranges: list[tuple[int, int]]) -> sa.ColumnElement[bool]:
    """The rows whose object number (for definitions and prices: their menu item master's) is in ``ranges``."""

    def within(column: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
        return sa.or_(*(column == low if low == high else column.between(low, high) for low, high in ranges))

    name = binding.kind.entity
    if name not in ("MenuItemDefinition", "MenuItemPrice"):
        return within(binding.table.c.object_number)
    definitions = (sa.select(definition_t.c.id)
                   .join(master_t, master_t.c.menu_item_id == definition_t.c.menu_item_master_id)
                   .where(within(master_t.c.object_number)))
    if name == "MenuItemDefinition":
        return binding.table.c.id.in_(definitions)
    return binding.table.c.menu_item_def_id.in_(definitions)


def level_condition(binding: Binding, place: Place) -> sa.ColumnElement[bool]:
    """The rows the request's Level covers (see the module docs of ``transfer``)."""
    hierarchy = binding.hierarchy
    if place.level == SELECTED:
        return hierarchy == place.node_id
    chain_rows = hierarchy.in_(place.chain)
    if place.level in (WITH_ANCESTORS, ANCESTORS_AND_INHERITED) or len(place.chain) == 1:
        return chain_rows
    # WithInherited: a row of an ancestor is hidden by a row with the same identity (the natural key
    # without HierarchyId) at a nearer node of the chain.
    depth = {node: i for i, node in enumerate(place.chain)}
    nearer = binding.table.alias("nearer")
    nearer_hierarchy = (nearer.c.hierarchy_id if "hierarchy_id" in nearer.c
                        else sa.func.coalesce(nearer.c.parent_id, nearer.c.id))
    identity = [binding.kind.column(n) for n in binding.kind.natural_key]
    same_identity = [nearer.c[c.field] == binding.expr(c) for c in identity if c.field != "hierarchy_id"]
    if binding.is_master:
        same_identity.append(nearer.c.menu_item_id.is_not(None))
    hidden = sa.exists().where(*same_identity, nearer_hierarchy.in_(place.chain),
                               sa.case(depth, value=nearer_hierarchy) < sa.case(depth, value=hierarchy))
    return sa.and_(chain_rows, ~hidden)
