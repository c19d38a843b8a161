"""The building blocks of the catalog: fields, child collections, entities, enums and views.

Everything else (tables, validation, DTO shapes, view metadata, CSV columns, redaction)
is derived from these definitions, so they say *what* a thing is, never how a vendor spells it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class FieldType(StrEnum):
    STRING = "string"
    TEXT = "text"
    INT = "int"
    FLOAT = "float"
    MONEY = "money"
    BOOL = "bool"
    DATETIME = "datetime"
    DATE = "date"


@dataclass(frozen=True)
class Field:
    """One stored attribute of an entity."""

    name: str
    type: FieldType = FieldType.STRING
    length: int | None = None
    required: bool = False
    default: object = None
    ref: str | None = None  # the entity this field points at (a foreign key by business key)
    unique: bool = False
    index: bool = False
    enum: str | None = None  # name of a catalog Enum whose codes this INT field holds
    description: str = ""
    # A debtor (customer) principal never sees this field in a response.
    hidden_from_debtor: bool = False
    # A debtor principal may not set this field; it is dropped from their requests.
    debtor_readonly: bool = False
    # Set by the system (keys, totals, audit stamps); ignored when a client sends it.
    system: bool = False

    @property
    def is_text(self) -> bool:
        return self.type in (FieldType.STRING, FieldType.TEXT)


@dataclass(frozen=True)
class Child:
    """A collection of child records owned by the parent (deleted with it).

    ``fk`` is the child's field holding the parent key. For polymorphic children
    (notes, custom field values) ``owner_type`` is the value of the child's
    ``owner_type`` field that marks rows belonging to this parent entity.
    """

    name: str
    entity: str
    fk: str
    order_by: tuple[str, ...] = ()
    owner_type: str | None = None
    # Child collections a debtor principal may not send at all.
    debtor_readonly: bool = False
    # Incoming items are matched to existing ones on this field (default: the child's key).
    match_on: str | None = None


@dataclass(frozen=True)
class Entity:
    name: str
    table: str
    key: str
    fields: Sequence[Field]
    children: Sequence[Child] = ()
    description: str = ""
    # Unique business key a caller may use instead of the generated key (e.g. AccountNo).
    alternate_key: str | None = None
    # Roots carry a revision and last-saved stamp that guard against lost updates.
    root: bool = True
    # Composite indexes for the lists people filter and sort by.
    indexes: Sequence[tuple[str, ...]] = ()
    # The field tying a record to one debtor: a debtor principal sees only its own.
    debtor_field: str | None = None

    def field(self, name: str) -> Field:
        return self.field_map[name]

    @property
    def field_map(self) -> dict[str, Field]:
        cached = self.__dict__.get("_field_map")
        if cached is None:
            cached = {f.name: f for f in self.fields}
            object.__setattr__(self, "_field_map", cached)
        return cached

    def child(self, name: str) -> Child:
        for child in self.children:
            if child.name == name:
                return child
        raise KeyError(name)


@dataclass(frozen=True)
class EnumValue:
    code: int
    name: str
    description: str = ""


@dataclass(frozen=True)
class EnumDef:
    name: str
    values: Sequence[EnumValue]

    def by_code(self, code: int) -> EnumValue:
        for value in self.values:
            if value.code == code:
                return value
        raise KeyError(code)

    def by_name(self, name: str) -> EnumValue:
        folded = name.lower()
        for value in self.values:
            if value.name.lower() == folded:
                return value
        raise KeyError(name)


@dataclass(frozen=True)
class ViewColumn:
    """A column of a view: ``source`` is a field path from the view's entity.

    A path of ``"debtor_id.name"`` follows the reference field ``debtor_id`` to the
    referenced entity and takes its ``name``.
    """

    name: str
    source: str
    type: FieldType | None = None
    description: str = ""


@dataclass(frozen=True)
class View:
    """A flat, filterable, sortable listing over an entity and what it references."""

    name: str
    entity: str
    columns: Sequence[ViewColumn]
    default_sort: tuple[str, ...] = ()
    description: str = ""
    # The column that ties a row to a debtor, for scoping a debtor principal's lists.
    debtor_column: str | None = None

    def column(self, name: str) -> ViewColumn:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


@dataclass
class Catalog:
    entities: dict[str, Entity] = field(default_factory=dict)
    enums: dict[str, EnumDef] = field(default_factory=dict)
    views: dict[str, View] = field(default_factory=dict)

    def entity(self, name: str) -> Entity:
        return self.entities[name]

    def add(self, *items: Entity | EnumDef | View) -> None:
        for item in items:
            if isinstance(item, Entity):
                self.entities[item.name] = item
            elif isinstance(item, EnumDef):
                self.enums[item.name] = item
            else:
                self.views[item.name] = item

    def references_to(self, entity: str) -> list[tuple[Entity, Field]]:
        """Every (entity, field) whose field refers to ``entity``."""
        found = []
        for other in self.entities.values():
            for f in other.fields:
                if f.ref == entity:
                    found.append((other, f))
        return found
