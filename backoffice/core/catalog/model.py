"""The building blocks of the catalog: fields, child collections, entities, enums and views.

Everything else (tables, validation, DTO shapes, view metadata, CSV columns, redaction)
is derived from these definitions, so they say *what* a thing is, never how a vendor spells it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# Text in several languages: language code ("en", "el", ...) -> text.
Labels = Mapping[str, str]

# Every comparison a list filter can make, by the names the vendors' documents use.
ALL_OPERATORS = ("Equal", "Greater", "GreaterOrEqual", "Less", "LessOrEqual", "NotEqual", "Like", "In", "NotIn")


def localized(labels: Labels, language: str, fallback: str = "") -> str:
    """The text in ``language`` (``el-GR`` falls back to ``el``), else English, else ``fallback``."""
    if not labels:
        return fallback
    for candidate in (language, language.split("-")[0].lower(), "en"):
        if candidate in labels:
            return labels[candidate]
    return fallback or next(iter(labels.values()))


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
    # An INT that needs 64 bits (Symphony's object ids).
    big: bool = False

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
    # Combinations of fields no two records share (a job number within its company).
    unique_together: Sequence[tuple[str, ...]] = ()
    # The field tying a record to one debtor: a debtor principal sees only its own.
    debtor_field: str | None = None
    # Whether change numbers are indexed (for sync clients' "changed since" listings). Tables
    # written a million rows at a time and never listed that way (Symphony's menu objects) go without.
    change_index: bool = True

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
    labels: Labels = field(default_factory=dict)  # what a user is shown, per language


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
class SortField:
    name: str
    descending: bool = False


@dataclass(frozen=True)
class AcceptedValues:
    """Where the values a column holds (or a filter accepts) come from: an enum or a lookup.

    ``source`` is ``"enum:<EnumName>"`` or ``"lookup:<LookupName>"``; the key field is the one a
    value is matched against, the display fields what a picker shows.
    """

    source: str
    display_field1: str = "Code"
    display_field2: str | None = None
    key_field: str = "ID"
    sort_fields: tuple[SortField, ...] | None = None

    @property
    def kind(self) -> str:
        return self.source.split(":", 1)[0]

    @property
    def target(self) -> str:
        return self.source.split(":", 1)[1]


@dataclass(frozen=True)
class PredefinedValues:
    """A filter's preset: one value, or a from/to range."""

    value: Any = None
    low: Any = None
    high: Any = None


@dataclass(frozen=True)
class ViewFilter:
    """A named filter a listing offers its users (Galaxy's Quick and Misc filters).

    ``column`` is the view column it compares; ``operators`` the comparisons it allows.
    """

    name: str
    column: str
    labels: Labels = field(default_factory=dict)
    kind: str = "Quick"  # Quick: shown with the list; Misc: in the advanced panel
    display_as: str = "Text"
    required: bool = False
    visible: bool = True
    operators: tuple[str, ...] = ALL_OPERATORS
    accepted: AcceptedValues | None = None
    predefined: PredefinedValues | None = None


@dataclass(frozen=True)
class DetailView:
    """A listing shown under one row of another (a dynamic view): the rows of ``view`` whose
    ``link_column`` holds the master row's identity (e.g. a sales document's lines)."""

    name: str
    view: str
    link_column: str
    labels: Labels = field(default_factory=dict)


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
    labels: Labels = field(default_factory=dict)  # the column's caption per language
    width: int = 100  # preferred width on a screen, in pixels
    accepted: AcceptedValues | None = None
    # Only there to be filtered or sorted on: not part of a row unless asked for by name.
    hidden: bool = False


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
    labels: Labels = field(default_factory=dict)  # the view's title per language
    filters: Sequence[ViewFilter] = ()
    # The column holding each row's unique id (what a detail view is keyed by).
    identity: str | None = None
    # Columns offered for sorting on a screen (any column may be sorted on).
    sortable: tuple[str, ...] = ()
    # Views showing related or complementary information.
    related: tuple[str, ...] = ()
    # Listings under one row of this one (dynamic views).
    details: Sequence[DetailView] = ()

    def filter(self, name: str) -> ViewFilter | None:
        """The named filter called ``name`` in any case, or None."""
        by_name = self._maps()[1]
        return by_name.get(name) or by_name.get(name.lower())

    def column_named(self, name: str) -> ViewColumn | None:
        """The column called ``name`` in any case, or None."""
        by_name = self._maps()[0]
        return by_name.get(name) or by_name.get(name.lower())

    def _maps(self) -> tuple[dict[str, ViewColumn], dict[str, ViewFilter]]:
        # Made once per view (list pages look names up on every request), under each name's own
        # spelling and folded, so a name written as declared needs no folding.
        cached = self.__dict__.get("_name_maps")
        if cached is None:
            columns = {c.name.lower(): c for c in self.columns} | {c.name: c for c in self.columns}
            filters = {f.name.lower(): f for f in self.filters} | {f.name: f for f in self.filters}
            cached = (columns, filters)
            object.__setattr__(self, "_name_maps", cached)
        return cached

    def column(self, name: str) -> ViewColumn:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


@dataclass(frozen=True)
class Lookup:
    """A list of values pickers choose from: the rows of an entity, with its child collections.

    ``fields`` limits and orders the fields shown (default: all); ``order_by`` the row order.
    """

    name: str
    entity: str
    fields: tuple[str, ...] = ()
    order_by: tuple[str, ...] = ()
    labels: Labels = field(default_factory=dict)


@dataclass
class Catalog:
    entities: dict[str, Entity] = field(default_factory=dict)
    enums: dict[str, EnumDef] = field(default_factory=dict)
    views: dict[str, View] = field(default_factory=dict)
    lookups: dict[str, Lookup] = field(default_factory=dict)

    def entity(self, name: str) -> Entity:
        return self.entities[name]

    def add(self, *items: Entity | EnumDef | View | Lookup) -> None:
        for item in items:
            if isinstance(item, Entity):
                self.entities[item.name] = item
            elif isinstance(item, EnumDef):
                self.enums[item.name] = item
            elif isinstance(item, Lookup):
                self.lookups[item.name] = item
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
