"""The Symphony side of the back office: organizations, their hierarchy (Enterprise > Property >
Revenue Center > Zone), languages and the menu and configuration objects, plus how each object
type is imported and exported (its CSV columns, their types and keys).

Menu item masters are not a table of their own: they are the core's inventory items (an item
carries its Symphony object number, hierarchy node and groups), so a price imported here is the
price the other dialects show. Every other object here is a catalog entity like any other.

Every object row belongs to one hierarchy node (``hierarchy_id``) and through it to one
organization: that is how one organization's data is kept from another's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Catalog, Entity, EnumDef, EnumValue, Field
from .model import FieldType as T

# Wire names of the object types start with this (the names real clients search for).
TYPE_PREFIX = "com.oracle.pos.fb.simphony.ObjectModel.ImpExpObjects."


def _big(name: str, **kw: object) -> Field:
    return Field(name, T.INT, big=True, **kw)  # type: ignore[arg-type]


def _int(name: str, **kw: object) -> Field:
    return Field(name, T.INT, **kw)  # type: ignore[arg-type]


def _s(name: str, length: int = 100, **kw: object) -> Field:
    return Field(name, T.STRING, length=length, **kw)  # type: ignore[arg-type]


def _money(name: str, **kw: object) -> Field:
    return Field(name, T.MONEY, **kw)  # type: ignore[arg-type]


# Names in languages other than the organization's first, as JSON {"<LangId>": {"<column>": text}}.
L10N = Field("l10n", T.TEXT, system=True, description="Names in other languages (JSON by language id)")


def menu_item_fields() -> list[Field]:
    """What an inventory item carries to be a Symphony menu item master."""
    return [
        _big("menu_item_id", unique=True, system=True, description="The Symphony object id of the item"),
        _int("object_number", description="The Symphony object number, unique within its hierarchy node"),
        _big("hierarchy_id", ref="HierarchyNode", index=True, description="The hierarchy node that owns the item"),
        _s("master_name", 100),
        _int("report_group"), _s("menu_item_status", 40),
        _int("major_group", description="Object number of the item's major group"),
        _int("family_group", description="Object number of the item's family group"),
        _int("recipe_link"),
        L10N,
    ]


def _numbered(name: str, table: str, description: str, *extra: Field, key: str = "id") -> Entity:
    """An object with an object number and a name, defined at one hierarchy node."""
    return Entity(name, table, key, [
        _big(key),
        _big("hierarchy_id", ref="HierarchyNode", required=True),
        _int("object_number", required=True),
        _s("name", 100),
        *extra,
        L10N,
    ], indexes=[("hierarchy_id", "object_number")], description=description, change_index=False)


def add_menu_entities(catalog: Catalog) -> None:
    catalog.add(EnumDef("UnitType", [
        EnumValue(0, "Enterprise"), EnumValue(1, "Property"), EnumValue(2, "RevenueCenter"), EnumValue(3, "Zone"),
    ]))
    catalog.add(Entity("Organization", "organization", "org_id", [
        _int("org_id"),
        _s("code", 40, required=True, unique=True, description="The orgCode clients log in to"),
        _s("name", 100, required=True),
    ], description="A tenant: a hospitality enterprise with its own hierarchy, users and data."))
    catalog.add(Entity("HierarchyNode", "hierarchy_node", "id", [
        _big("id"),
        Field("org_id", T.INT, ref="Organization", required=True, index=True),
        _int("object_number", required=True),
        Field("unit_type", T.INT, enum="UnitType", required=True),
        _big("parent_id", description="The node above (none for the Enterprise)"),
        _s("name", 100),
        L10N,
    ], change_index=False,
        description="A node of an organization's hierarchy: its Enterprise, a Property, a Revenue Center or a Zone."))
    catalog.add(Entity("Language", "language", "id", [
        _big("id"),
        Field("org_id", T.INT, ref="Organization", required=True, index=True),
        _big("hierarchy_id", ref="HierarchyNode", required=True),
        _int("object_number", required=True, description="Also the LangId clients use"),
        _s("name", 100),
        _s("language_code", 20),
        L10N,
    ], change_index=False, description="A language the organization's names are kept in."))
    catalog.add(_numbered("MajorGroup", "major_group", "A major group of menu items (reporting).",
                          _int("report_group")))
    catalog.add(_numbered("FamilyGroup", "family_group", "A family group of menu items (reporting).",
                          _int("report_group"), _int("parent_major_group")))
    catalog.add(_numbered(
        "MenuItemClass", "menu_item_class", "How a class of menu items is taxed, printed and itemized.",
        _int("tax_class"), _s("option_bits", 64), _s("main_menu_level", 32), _s("sub_menu_level", 32),
        _s("printing_option_bits", 32), _int("print_group"), _int("privilege_group"), _int("sales_itemizer"),
        _int("discount_itemizer"), _int("service_charge_itemizer"), _money("high_amount_lockout")))
    catalog.add(Entity("MenuItemDefinition", "menu_item_definition", "id", [
        _big("id"),
        _big("hierarchy_id", ref="HierarchyNode", required=True),
        _big("menu_item_master_id", required=True, index=True),
        _int("definition_sequence", required=True),
        _s("first_name", 100), _s("second_name", 100), _s("third_name", 100), _s("long_descriptor", 200),
        _int("menu_item_class"), _int("slu"), _int("slu_sort"), _int("nlu"), _int("nlu_group"), _int("mobile_slu"),
        _int("surcharge"), _int("special_count"), _int("icon"), _money("tare"), _int("prep_time"),
        _int("move_flag"), _s("main_menu_level", 32), _s("sub_menu_level", 32), _int("prefix_level_override"),
        _int("print_class_override"), _s("definition_option_bits", 64),
        L10N,
    ], indexes=[("hierarchy_id", "menu_item_master_id", "definition_sequence")], change_index=False,
        description="How a menu item master is sold at one hierarchy node: its names, class and keys."))
    catalog.add(Entity("MenuItemPrice", "menu_item_price", "id", [
        _big("id"),
        _big("hierarchy_id", ref="HierarchyNode", required=True),
        _big("menu_item_def_id", required=True, index=True),
        _int("price_sequence", required=True),
        _money("price"), _money("prep_cost"), _int("menu_level"), _int("tax_class"), _int("effectivity_group"),
        _int("service_charge_group"), _s("price_option_bits", 64),
    ], indexes=[("hierarchy_id", "menu_item_def_id", "price_sequence")], change_index=False,
        description="A price of a menu item definition at one hierarchy node."))
    catalog.add(_numbered("EmployeeClass", "employee_class", "A class of employees and what they may do.",
                          _s("option_bits", 64), _int("privilege_group")))
    catalog.add(_numbered("Role", "role", "A role employees are given.", _int("level"), _s("option_bits", 64)))
    catalog.add(_numbered("TenderMedia", "tender_media", "A way of paying (cash, card, room charge).",
                          _int("tender_type"), _s("option_bits", 64)))
    catalog.add(_numbered("Discount", "discount", "A discount that can be applied to a check.",
                          Field("percentage", T.FLOAT), _money("amount"), _s("option_bits", 64)))
    catalog.add(_numbered("ServiceCharge", "service_charge", "A service charge added to a check.",
                          Field("percentage", T.FLOAT), _money("amount"), _s("option_bits", 64)))


# --- how each type is imported and exported -----------------------------------------------------


@dataclass(frozen=True)
class InterchangeColumn:
    """One CSV column of an object type: its wire name, the entity field it holds, its .NET type."""

    name: str
    field: str
    kind: str  # Int64, Int32, String, Decimal, Boolean
    key: bool = False
    export_only: bool = False
    nullable: bool = True
    default: str | None = None
    translated: bool = False  # kept per language (see L10N)

    @property
    def column_type(self) -> str:
        return f"System.{self.kind}"


@dataclass(frozen=True)
class InterchangeType:
    """An object type clients import and export as CSV.

    ``natural_key`` names the columns that find an existing row when a file carries no ``Id``
    (they always include ``HierarchyId``); ``number_column`` is what ObjectNumberFilter filters on
    (for definitions and prices, the object number of their menu item master).
    """

    short_name: str
    entity: str
    columns: tuple[InterchangeColumn, ...]
    natural_key: tuple[str, ...]
    id_field: str = "id"
    importable: bool = True
    exportable: bool = True
    description: str = ""
    aliases: tuple[str, ...] = field(default=())

    @property
    def full_name(self) -> str:
        return TYPE_PREFIX + self.short_name

    def column(self, name: str) -> InterchangeColumn:
        for column in self.columns:
            if column.name.lower() == name.lower():
                return column
        raise KeyError(name)


def _c(name: str, field_name: str, kind: str = "Int32", **kw: object) -> InterchangeColumn:
    return InterchangeColumn(name, field_name, kind, **kw)  # type: ignore[arg-type]


_ID = _c("Id", "id", "Int64", key=True)
_NUMBER = _c("ObjectNumber", "object_number", key=True, nullable=False)
_HIERARCHY = _c("HierarchyId", "hierarchy_id", "Int64", key=True, nullable=False)
_NAME = _c("Name", "name", "String", nullable=False, translated=True)
_NUMBERED_KEY = ("HierarchyId", "ObjectNumber")


def _numbered_type(short: str, *extra: InterchangeColumn, description: str = "") -> InterchangeType:
    return InterchangeType(short, short, (_ID, _NUMBER, _HIERARCHY, _NAME, *extra), _NUMBERED_KEY,
                           description=description)


INTERCHANGE_TYPES: tuple[InterchangeType, ...] = (
    # Ordered so a client's case-insensitive substring search finds the right type first:
    # "MenuItem" must hit MenuItemMaster before MenuItemClass/Definition/Price.
    InterchangeType("Hierarchy", "HierarchyNode", (
        _ID, _NUMBER, _HIERARCHY,
        _c("HierarchyName", "name", "String", nullable=False, translated=True),
        _c("OrganizationId", "org_id", export_only=True),
        _c("UnitType", "unit_type", nullable=False),
        _c("ParentHierarchyId", "parent_id", "Int64"),
    ), _NUMBERED_KEY, importable=False, description="Enterprise, properties, revenue centers and zones"),
    InterchangeType("LanguageInformation", "Language", (
        _ID, _NUMBER, _HIERARCHY, _NAME, _c("LanguageCode", "language_code", "String"),
    ), _NUMBERED_KEY, importable=False, description="The languages names are kept in"),
    _numbered_type("MajorGroup", _c("ReportGroup", "report_group"), description="Major groups"),
    _numbered_type("FamilyGroup", _c("ReportGroup", "report_group"), _c("ParentMajorGroup", "parent_major_group"),
                   description="Family groups"),
    InterchangeType("MenuItemMaster", "InventoryItem", (
        _c("Id", "menu_item_id", "Int64", key=True), _NUMBER, _HIERARCHY,
        _c("MenuItemName", "description", "String", nullable=False, translated=True),
        _c("MasterName", "master_name", "String", translated=True),
        _c("ReportGroup", "report_group"), _c("Status", "menu_item_status", "String"),
        _c("MajorGroup", "major_group"), _c("FamilyGroup", "family_group"), _c("RecipeLink", "recipe_link"),
    ), _NUMBERED_KEY, id_field="menu_item_id", aliases=("MenuItem",),
        description="Menu item masters (the back office's inventory items)"),
    InterchangeType("MenuItemDefinition", "MenuItemDefinition", (
        _ID, _HIERARCHY,
        _c("MenuItemMasterId", "menu_item_master_id", "Int64", key=True, nullable=False),
        _c("DefinitionSequence", "definition_sequence", key=True, nullable=False),
        _c("FirstName", "first_name", "String", translated=True),
        _c("SecondName", "second_name", "String", translated=True),
        _c("ThirdName", "third_name", "String", translated=True),
        _c("LongDescriptor", "long_descriptor", "String", translated=True),
        _c("MenuItemClass", "menu_item_class"), _c("SLU", "slu"), _c("SLUSort", "slu_sort"), _c("NLU", "nlu"),
        _c("NLUGroup", "nlu_group"), _c("MobileSLU", "mobile_slu"), _c("Surcharge", "surcharge"),
        _c("SpecialCount", "special_count"), _c("Icon", "icon"), _c("Tare", "tare", "Decimal"),
        _c("PrepTime", "prep_time"), _c("MoveFlag", "move_flag"), _c("MainMenuLevel", "main_menu_level", "String"),
        _c("SubMenuLevel", "sub_menu_level", "String"), _c("PrefixLevelOverride", "prefix_level_override"),
        _c("PrintClassOverride", "print_class_override"),
        _c("DefinitionOptionBits", "definition_option_bits", "String"),
    ), ("HierarchyId", "MenuItemMasterId", "DefinitionSequence"), description="Menu item definitions"),
    InterchangeType("MenuItemPrice", "MenuItemPrice", (
        _ID, _HIERARCHY,
        _c("MenuItemDefID", "menu_item_def_id", "Int64", key=True, nullable=False),
        _c("PriceSequence", "price_sequence", key=True, nullable=False),
        _c("Price", "price", "Decimal", nullable=False), _c("PrepCost", "prep_cost", "Decimal"),
        _c("MenuLevel", "menu_level"), _c("TaxClass", "tax_class"), _c("EffectivityGroup", "effectivity_group"),
        _c("ServiceChargeGroup", "service_charge_group"), _c("PriceOptionBits", "price_option_bits", "String"),
    ), ("HierarchyId", "MenuItemDefID", "PriceSequence"), description="Menu item prices"),
    InterchangeType("MenuItemClass", "MenuItemClass", (
        _ID, _NAME, _c("TaxClass", "tax_class"), _c("OptionBits", "option_bits", "String"),
        _c("MainMenuLevel", "main_menu_level", "String"), _c("SubMenuLevel", "sub_menu_level", "String"),
        _c("PrintingOptionBits", "printing_option_bits", "String"), _c("PrintGroup", "print_group"),
        _c("PrivilegeGroup", "privilege_group"), _c("SalesItemizer", "sales_itemizer"),
        _c("DiscountItemizer", "discount_itemizer"), _c("ServiceChargeItemizer", "service_charge_itemizer"),
        _c("HighAmountLockout", "high_amount_lockout", "Decimal"), _NUMBER, _HIERARCHY,
    ), _NUMBERED_KEY, description="Menu item classes"),
    _numbered_type("EmployeeClass", _c("OptionBits", "option_bits", "String"),
                   _c("PrivilegeGroup", "privilege_group"), description="Employee classes"),
    _numbered_type("Role", _c("Level", "level"), _c("OptionBits", "option_bits", "String"), description="Roles"),
    _numbered_type("TenderMedia", _c("TenderType", "tender_type"), _c("OptionBits", "option_bits", "String"),
                   description="Tender media"),
    _numbered_type("Discount", _c("Percentage", "percentage", "Decimal"), _c("Amount", "amount", "Decimal"),
                   _c("OptionBits", "option_bits", "String"), description="Discounts"),
    _numbered_type("ServiceCharge", _c("Percentage", "percentage", "Decimal"), _c("Amount", "amount", "Decimal"),
                   _c("OptionBits", "option_bits", "String"), description="Service charges"),
)


def interchange_type(name: str) -> InterchangeType:
    """The type a client names: its short name, an alias, or its fully qualified name (any case)."""
    folded = name.strip().lower()
    if folded.startswith(TYPE_PREFIX.lower()):
        folded = folded[len(TYPE_PREFIX):]
    for kind in INTERCHANGE_TYPES:
        if folded == kind.short_name.lower() or folded in (a.lower() for a in kind.aliases):
            return kind
    raise KeyError(name)
