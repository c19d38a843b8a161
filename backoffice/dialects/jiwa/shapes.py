"""Jiwa DTOs <-> catalog documents.

Most DTO properties map to the catalog field of the same name in snake case
(``CreditLimit`` -> ``credit_limit``); the exceptions are listed per DTO. A DTO property with
no backing field is written as its type's default, so every response carries the full DTO.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from ...core.catalog import CATALOG, Entity
from ...core.rules import cartage_gst
from ...core.store import fastread
from ...core.store.tables import ENTITY_TABLES
from ..servicestack.formats import Dto
from ..servicestack.types import SCALAR_DEFAULTS, TypeRegistry
from .dtos import DTO_SPECS

NS = "http://schemas.datacontract.org/2004/07/JiwaFinancials.Jiwa.JiwaServiceModel"
TABLES_NS = NS + ".Tables"
MISSING = object()


def snake(name: str) -> str:
    """``CreditLimit`` -> ``credit_limit``, ``DebtorID`` -> ``debtor_id``, ``Period1Balance`` -> ``period1_balance``."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return name.lower()


# Enumerations as Jiwa spells them on the wire, by the catalog's codes.
ENUM_NAMES: dict[str, dict[int, str]] = {
    "SalesOrderStatus": {0: "e_SalesOrderEntered", 1: "e_SalesOrderClosed", 2: "e_SalesOrderProcessed"},
    "SalesQuoteStatus": {0: "e_SalesQuoteEntered", 1: "e_SalesQuoteClosed", 2: "e_SalesQuoteOrdered"},
    "TradingStatus": {0: "e_DebtorTradingStatusActive", 1: "e_DebtorTradingStatusInactive",
                      2: "e_DebtorTradingStatusClosed"},
    "InventoryStatus": {0: "e_InventoryStatusActive", 1: "e_InventoryStatusDiscontinued",
                        2: "e_InventoryStatusInactive"},
}


def enum_code(enum: str, value: Any) -> Any:
    """A wire enum value (``e_SalesOrderEntered``, ``Entered`` or ``0``) as the catalog's code."""
    if isinstance(value, str):
        for code, name in ENUM_NAMES[enum].items():
            if value.strip().lower() in (name.lower(), CATALOG.enums[enum].by_code(code).name.lower()):
                return code
    return value  # the core validates whatever is left


class Lookup:
    """Related rows a shape shows (debtor names, staff names, note types), fetched once per request."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._rows: dict[tuple[str, str], dict[str, Any] | None] = {}
        self._custom_fields: dict[str, list[dict[str, Any]]] = {}

    def row(self, entity: str, key: Any) -> dict[str, Any]:
        if not key:
            return {}
        cache_key = (entity, str(key))
        if cache_key not in self._rows:
            e = CATALOG.entity(entity)
            self._rows[cache_key] = fastread.row_by_key(self.conn, ENTITY_TABLES[entity], e.key, key)
        return self._rows[cache_key] or {}

    def custom_fields(self, owner_type: str) -> list[dict[str, Any]]:
        if owner_type not in self._custom_fields:
            self._custom_fields[owner_type] = fastread.rows_where(
                self.conn, ENTITY_TABLES["CustomField"], "owner_type", [owner_type],
                order_by=("display_order", "setting_name"))
        return self._custom_fields[owner_type]


Getter = Callable[[dict[str, Any], Lookup], Any]


@dataclass
class Shape:
    """How one DTO is made from (and read into) one catalog entity."""

    dto: str
    entity: str
    namespace: str = NS
    # DTO property -> catalog field, when the snake-case rule does not give it.
    renames: dict[str, str] = field(default_factory=dict)
    # DTO property -> a computed value (read-only on the way in).
    computed: dict[str, Getter] = field(default_factory=dict)
    # DTO property -> (child collection, shape of its items).
    children: dict[str, tuple[str, str]] = field(default_factory=dict)
    # DTO property -> catalog input path, for properties that name a related record on the way in.
    inputs: dict[str, str] = field(default_factory=dict)
    # Properties that are never read from a request.
    read_only: frozenset[str] = frozenset({"LastSavedDateTime"})
    enums: dict[str, str] = field(default_factory=dict)
    # Custom field values are shown for every field defined for this kind of record.
    custom_owner: str | None = None

    def entity_def(self) -> Entity:
        return CATALOG.entity(self.entity)

    def field_for(self, prop: str) -> str | None:
        if prop in self.renames:
            return self.renames[prop]
        name = snake(prop)
        entity = self.entity_def()
        if name in entity.field_map or (entity.root and name in ("last_saved",)):
            return name
        return None


class Shapes:
    def __init__(self, types: TypeRegistry) -> None:
        self.types = types
        self.shapes: dict[str, Shape] = {}
        self._plans: dict[str, list[tuple[Any, ...]]] = {}

    def add(self, shape: Shape) -> None:
        self.shapes[shape.dto] = shape

    # --- out: document -> DTO ----------------------------------------------------------------

    def _plan(self, shape_name: str) -> list[tuple[Any, ...]]:
        """How to fill each DTO property, worked out once per shape (this runs on every GET)."""
        plan = self._plans.get(shape_name)
        if plan is not None:
            return plan
        shape = self.shapes[shape_name]
        dto_type = self.types.get(shape.dto)
        assert dto_type is not None, shape.dto
        plan = []
        for prop in dto_type.props:
            if prop.name in shape.computed:
                plan.append(("computed", prop.name, shape.computed[prop.name]))
            elif prop.name in shape.children:
                collection, item_shape = shape.children[prop.name]
                owner = shape.custom_owner or shape.entity
                plan.append(("children", prop.name, collection, item_shape,
                             owner if item_shape == "CustomFieldValue" else None))
            else:
                name = shape.field_for(prop.name)
                if name is None:
                    plan.append(("default", prop.name, [] if prop.is_list else SCALAR_DEFAULTS.get(prop.type)))
                else:
                    enum_names = ENUM_NAMES[shape.enums[prop.name]] if prop.name in shape.enums else None
                    plan.append(("field", prop.name, name, SCALAR_DEFAULTS.get(prop.type), enum_names))
        self._plans[shape_name] = plan
        return plan

    def to_dto(self, shape_name: str, doc: dict[str, Any], lookup: Lookup) -> Dto:
        shape = self.shapes[shape_name]
        out = Dto(shape.dto, namespace=shape.namespace)
        for step in self._plan(shape_name):
            kind, prop = step[0], step[1]
            if kind == "field":
                value = doc.get(step[2], MISSING)
                if value is MISSING:
                    # Withheld from this caller (redacted): left out of the answer.
                    out[prop] = None
                    continue
                if value is None:
                    value = step[3]
                elif step[4] is not None and isinstance(value, int):
                    value = step[4].get(value, value)
                out[prop] = value
            elif kind == "default":
                # Not kept by backoffice: the type's default, so the DTO is complete.
                out[prop] = list(step[2]) if isinstance(step[2], list) else step[2]
            elif kind == "computed":
                out[prop] = step[2](doc, lookup)
            else:
                items = doc.get(step[2], MISSING)
                if items is MISSING:
                    out[prop] = None
                elif step[4] is not None:
                    out[prop] = self.custom_values(step[4], items, lookup)
                else:
                    out[prop] = [self.to_dto(step[3], item, lookup) for item in items]
        return out

    def custom_values(self, owner_type: str, values: list[dict[str, Any]], lookup: Lookup) -> list[Dto]:
        """Every custom field of this kind of record, with this record's contents where set."""
        contents = {v.get("setting_id"): v.get("contents") for v in values}
        return [
            Dto("CustomFieldValue", {
                "SettingID": f["setting_id"], "SettingName": f["setting_name"],
                "Contents": contents.get(f["setting_id"], ""), "PluginID": f["plugin_id"],
                "PluginName": f["plugin_name"]}, namespace=NS)
            for f in lookup.custom_fields(owner_type)
        ]

    # --- in: bound request DTO -> changes ------------------------------------------------------

    def from_dto(self, shape_name: str, values: dict[str, Any]) -> dict[str, Any]:
        shape = self.shapes[shape_name]
        dto_type = self.types.get(shape.dto)
        changes: dict[str, Any] = {}
        for prop_name, value in values.items():
            prop = dto_type.prop(prop_name) if dto_type else None
            if prop is None or prop.name in shape.read_only:
                continue
            if prop.name in shape.inputs:
                if isinstance(value, dict):
                    # A related object (e.g. a NoteType) names its record by its ...ID property.
                    value = next((v for k, v in value.items() if k.endswith("ID") and v), None)
                if isinstance(value, str):
                    value = value.strip()
                if value not in (None, ""):
                    changes[shape.inputs[prop.name]] = value
                continue
            if prop.name in shape.children:
                collection, item_shape = shape.children[prop.name]
                if isinstance(value, list):
                    changes[collection] = [self.from_dto(item_shape, v) for v in value if isinstance(v, dict)]
                continue
            if prop.name in shape.computed:
                continue
            name = shape.field_for(prop.name)
            if name is None:
                continue
            if prop.name in shape.enums:
                value = enum_code(shape.enums[prop.name], value)
            if prop.name.endswith("ID") and isinstance(value, str):
                # Jiwa's keys are fixed-width char columns; clients often send them space-padded.
                value = value.strip()
            changes[name] = value
        return changes

    def wire_name(self, shape_name: str, path: str) -> str:
        """A core field path (``lines[0].quantity_ordered``) in this DTO's names (``Lines[0].QuantityOrdered``)."""
        shape = self.shapes.get(shape_name)
        if shape is None:
            return path
        head, dot, rest = path.partition(".")
        index = ""
        match = re.fullmatch(r"(\w+)(\[\d+\])", head)
        if match:
            head, index = match.group(1), match.group(2)
        for prop, (collection, item_shape) in shape.children.items():
            if collection == head:
                return prop + index + ("." + self.wire_name(item_shape, rest) if dot else "")
        for prop, target in shape.inputs.items():
            if target == path:
                return prop
        for prop, name in shape.renames.items():
            if name == head:
                return prop
        dto_type = self.types.get(shape.dto)
        if dto_type:
            for prop_def in dto_type.props:
                if snake(prop_def.name) == head:
                    return prop_def.name
        return path


def register_dto_types(types: TypeRegistry) -> None:
    for name, spec in DTO_SPECS.items():
        namespace = TABLES_NS if name in ("DBMain", "INMain", "SOMain", "DBTrans") else NS
        types.define(name, spec, namespace=namespace)
    # Types the reference names but does not spell out; the fields are backoffice's choice.
    types.define("DebtorClassification", "ClassificationID: string, Description: string, IsDefault: bool",
                 namespace=NS)
    types.define("InventoryDebtorPrice", "DebtorPriceID: string, DebtorID: string, DebtorAccountNo: string, "
                 "DebtorName: string, Price: double", namespace=NS)


def _lookup(entity: str, ref_field: str, column: str) -> Getter:
    return lambda doc, lookup: lookup.row(entity, doc.get(ref_field)).get(column)


def _staff_name(ref_field: str, column: str) -> Getter:
    return _lookup("Staff", ref_field, column)


def _note_type(doc: dict[str, Any], lookup: Lookup) -> Dto | None:
    row = lookup.row("NoteType", doc.get("note_type_id"))
    if not row:
        return None
    return Dto("NoteType", {"NoteTypeID": row["note_type_id"], "Description": row["description"],
                            "DefaultType": bool(row["default_type"]), "ItemNo": row["item_no"]}, namespace=NS)


def _classification(doc: dict[str, Any], lookup: Lookup) -> Dto | None:
    row = lookup.row("DebtorClassification", doc.get("classification_id"))
    if not row:
        return None
    return Dto("DebtorClassification", {"ClassificationID": row["classification_id"],
                                        "Description": row["description"],
                                        "IsDefault": bool(row["is_default"])}, namespace=NS)


def _tax_rate(doc: dict[str, Any], lookup: Lookup) -> Dto | None:
    if "tax_rate" not in doc:
        return None
    return Dto("TaxRate", {"Rate": doc.get("tax_rate") or 0.0}, namespace=NS)


def _cartage_gst(n: int) -> Getter:
    return lambda doc, lookup: cartage_gst(doc, n)


def build_shapes(types: TypeRegistry) -> Shapes:
    register_dto_types(types)
    shapes = Shapes(types)
    note_children = {"Notes": ("notes", "Note"), "CustomFieldValues": ("custom_field_values", "CustomFieldValue")}

    shapes.add(Shape("Note", "Note", renames={"LastSavedDateTime": "last_saved"},
                     computed={"NoteType": _note_type,
                               "LastModifiedByStaffUsername": _staff_name("last_modified_by_staff_id", "username"),
                               "LastModifiedByStaffTitle": _staff_name("last_modified_by_staff_id", "title"),
                               "LastModifiedByStaffFirstName": _staff_name("last_modified_by_staff_id",
                                                                           "first_name"),
                               "LastModifiedByStaffSurname": _staff_name("last_modified_by_staff_id", "surname")},
                     inputs={"NoteType": "note_type_id"}))
    shapes.add(Shape("CustomFieldValue", "CustomFieldValue"))
    shapes.add(Shape("NoteType", "NoteType"))
    shapes.add(Shape("DebtorContactName", "DebtorContactName",
                     computed={"AccountNo": _lookup("Debtor", "debtor_id", "account_no")}))
    shapes.add(Shape("DebtorDeliveryAddress", "DebtorDeliveryAddress"))
    shapes.add(Shape(
        "Debtor", "Debtor",
        renames={"Postcode": "postcode", "StandingDiscountOnInvoices": "standing_discount",
                 "LastSavedDateTime": "last_saved"},
        computed={"Classification": _classification,
                  "PriceSchemeDescription": _lookup("PriceScheme", "price_scheme_id", "description"),
                  "ParentDebtorAccountNo": _lookup("Debtor", "parent_debtor_id", "account_no"),
                  "ParentDebtorName": _lookup("Debtor", "parent_debtor_id", "name")},
        children={"ContactNames": ("contact_names", "DebtorContactName"),
                  "DeliveryAddresses": ("delivery_addresses", "DebtorDeliveryAddress"), **note_children},
        inputs={"ParentDebtorAccountNo": "parent_debtor_id.account_no"},
        enums={"TradingStatus": "TradingStatus"},
    ))
    shapes.add(Shape("InventoryDebtorPrice", "InventoryDebtorPrice",
                     renames={"DebtorPriceID": "debtor_price_id"},
                     computed={"DebtorAccountNo": _lookup("Debtor", "debtor_id", "account_no"),
                               "DebtorName": _lookup("Debtor", "debtor_id", "name")},
                     inputs={"DebtorAccountNo": "debtor_id.account_no"}))
    shapes.add(Shape(
        "InventoryItem", "InventoryItem",
        renames={"SalesManCost": "salesman_cost", "GSTOutwardsID": "tax_outwards_id",
                 "LastSavedDateTime": "last_saved"},
        computed={"GSTOutwardsDescription": _lookup("TaxRate", "tax_outwards_id", "description"),
                  "GSTOutwardsRate": _lookup("TaxRate", "tax_outwards_id", "rate")},
        children={"DebtorPrices": ("debtor_prices", "InventoryDebtorPrice"), **note_children},
        enums={"Status": "InventoryStatus"},
    ))

    for kind in ("SalesOrder", "SalesQuote"):
        line_computed: dict[str, Getter] = {"QuantityOriginalOrdered": lambda d, lk: d.get("quantity_ordered")}
        if kind == "SalesOrder":
            line_computed["TaxRate"] = _tax_rate
        shapes.add(Shape(f"{kind}Line", f"{kind}Line", computed=line_computed,
                         inputs={"PartNo": "inventory_id.part_no"},
                         renames={"TaxRate": "tax_rate"} if kind == "SalesQuote" else {},
                         children={"CustomFieldValues": ("custom_field_values", "CustomFieldValue")},
                         custom_owner=f"{kind}Line"))
        shapes.add(Shape(f"{kind}History", f"{kind}History",
                         enums={"Status": f"{kind}Status"}))
        shapes.add(Shape(
            kind, kind,
            renames={"LastSavedDateTime": "last_saved", "DeliveryAddressSuburb": "delivery_address3",
                     "DeliveryAddressState": "delivery_address4", "DeliveryAddressPostcode": "delivery_postcode",
                     "DeliveryAddressCountry": "delivery_country", "DeliveryAddressNotes": "delivery_notes",
                     "DeliveryAddressCourierDetails": "delivery_courier_details",
                     "Cartage1GstRate": "cartage_gst_rate", "Cartage2GstRate": "cartage_gst_rate",
                     "Cartage3GstRate": "cartage_gst_rate", "SOReference": "so_reference"},
            computed={
                "DebtorAccountNo": _lookup("Debtor", "debtor_id", "account_no"),
                "DebtorName": _lookup("Debtor", "debtor_id", "name"),
                "DebtorEmailAddress": _lookup("Debtor", "debtor_id", "email_address"),
                "StaffUserName": _staff_name("staff_id", "username"),
                "StaffTitle": _staff_name("staff_id", "title"),
                "StaffFirstName": _staff_name("staff_id", "first_name"),
                "StaffSurname": _staff_name("staff_id", "surname"),
                "LogicalWarehouseDescription": _lookup("Warehouse", "logical_id", "description"),
                "PhysicalWarehouseDescription": _lookup("Warehouse", "logical_id", "physical_description"),
                "BranchName": _lookup("Branch", "branch_id", "name"),
                "BranchDescription": _lookup("Branch", "branch_id", "description"),
                "Cartage1Gst": _cartage_gst(1), "Cartage2Gst": _cartage_gst(2), "Cartage3Gst": _cartage_gst(3),
            },
            children={"Lines": ("lines", f"{kind}Line"), "Histories": ("histories", f"{kind}History"),
                      **note_children},
            inputs={"DebtorAccountNo": "debtor_id.account_no"},
            enums={"Status": f"{kind}Status"},
        ))
    return shapes
