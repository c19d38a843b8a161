"""Synergist models (``clientslist``, ``activitydetails``...): wire field names over catalog fields.

A :class:`Model` is an ordered list of :class:`WireField`; each names the catalog field it shows by a
path from the model's entity (``debtor_id.account_no`` follows a reference), so its type, and
whether it is required, come from the catalog; ``style=modelstructure`` describes a model from
here and lists read it through one core view built from the same paths. A field without a source
is worked out by its ``render`` (or blank): the list of blanks is in docs/synergist.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ...core.catalog import CATALOG, FieldType, View, ViewColumn
from ...core.query import column_field

if TYPE_CHECKING:
    from .host import Call

Row = dict[str, Any]
Render = Callable[[Any, Row, "Call"], Any]

_NAMESPACE = uuid.UUID("5b3d3c1e-7f0a-4c8e-9a61-2d2f5e0b9c41")

# Synergist's field types for the catalog's.
FIELD_TYPES = {FieldType.STRING: "text", FieldType.TEXT: "memo", FieldType.INT: "int", FieldType.FLOAT: "number",
               FieldType.MONEY: "money", FieldType.BOOL: "boolean", FieldType.DATETIME: "datetime",
               FieldType.DATE: "date"}
EMPTY_DATE, EMPTY_TIME = "0000-00-00", "00:00:00"


def wire_uuid(entity: str, key: str) -> str:
    """A record's uuid on the wire: 32 upper-case hex digits, stable, derived from entity and key."""
    return uuid.uuid5(_NAMESPACE, f"{entity}\x1f{key}").hex.upper()


def column_name(source: str) -> str:
    return source.replace(".", "__")


@dataclass(frozen=True)
class WireField:
    name: str
    source: str | None = None  # a catalog path from the model's entity
    render: Render | None = None  # the wire value from the source's value (and the whole row)
    label: str = ""
    fieldtype: str | None = None  # when there is no source, or the wire type differs
    editable: bool = False
    mandatory: bool | None = None  # None: as the catalog field's required
    xml: str | None = ""  # the XML element name ("" the wire name, None not written in XML)
    attribute: bool = False  # XML: an attribute of the row element (the uuid)


@dataclass(frozen=True)
class Model:
    name: str
    entity: str | None
    fields: Sequence[WireField]
    root: str
    row: str
    extra: tuple[str, ...] = ()  # further catalog paths renders read from the row
    default_sort: tuple[str, ...] = ()  # view columns

    @cached_property
    def view(self) -> View:
        """A core view over the entity with a column per source path (named by ``column_name``)."""
        assert self.entity is not None, f"{self.name} is not over an entity"
        entity = CATALOG.entity(self.entity)
        paths = [entity.key, *(f.source for f in self.fields if f.source), *self.extra]
        columns = [ViewColumn(column_name(p), p) for p in dict.fromkeys(paths)]
        return View(f"Synergist.{self.name}", self.entity, columns,
                    default_sort=self.default_sort or (column_name(entity.key),))

    def catalog_type(self, wire: WireField) -> FieldType | None:
        if wire.source is None or self.entity is None:
            return None
        view = self.view
        return column_field(view, view.column(column_name(wire.source))).type

    def render(self, rows: list[Row], call: Call) -> list[Row]:
        out = []
        for row in rows:
            shown: Row = {}
            for wire in self.fields:
                value = row.get(column_name(wire.source)) if wire.source else None
                if wire.render is not None:
                    shown[wire.name] = wire.render(value, row, call)
                else:
                    shown[wire.name] = plain(value, self.catalog_type(wire))
            out.append(shown)
        return out

    def structure(self) -> list[Row]:
        """The model's fields as ``style=modelstructure`` describes them."""
        out = []
        for order, wire in enumerate(self.fields, start=1):
            kind = self.catalog_type(wire)
            fieldtype = wire.fieldtype or (FIELD_TYPES[kind] if kind else "text")
            required = wire.source is not None and self.entity is not None and _required(self, wire)
            out.append({
                "data": wire.name, "label": wire.label or _label(wire.name),
                "align": "right" if fieldtype in ("int", "number", "money") else "",
                "editable": wire.editable, "fieldtype": fieldtype, "displayorder": order,
                "mandatory": wire.mandatory if wire.mandatory is not None else required,
            })
        return out


def _required(model: Model, wire: WireField) -> bool:
    assert wire.source is not None
    view = model.view
    return column_field(view, view.column(column_name(wire.source))).required and "." not in wire.source


def _label(name: str) -> str:
    """``clientCategoryName`` -> ``Category Name``: the words after the model's lower-case prefix."""
    words: list[str] = []
    for ch in name.split("__")[0]:
        if ch.isupper() and words and not words[-1][-1:].isupper():
            words.append(ch)
        elif ch == "_":
            words.append("")
        elif words:
            words[-1] += ch
        else:
            words.append(ch)
    words = [w for w in words if w]
    if len(words) > 1 and words[0].islower():
        words = words[1:]
    return " ".join(w[:1].upper() + w[1:] for w in words)


# --- values -----------------------------------------------------------------------------------


def plain(value: Any, kind: FieldType | None) -> Any:
    """A catalog value as Synergist JSON writes it; blanks typed as the field is."""
    if value is None:
        return {FieldType.INT: 0, FieldType.FLOAT: 0.0, FieldType.MONEY: 0.0, FieldType.BOOL: False,
                FieldType.DATE: EMPTY_DATE, FieldType.DATETIME: f"{EMPTY_DATE} {EMPTY_TIME}"}.get(kind, "") \
            if kind else ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return value


def as_uuid(entity: str) -> Render:
    return lambda value, row, call: wire_uuid(entity, str(value)) if value else ""


def as_code(value: Any, row: Row, call: Call) -> str:
    """A company-prefixed code (``1/C00001``); blank when there is nothing to prefix."""
    return f"{call.company.number}/{value}" if value not in (None, "") else ""


def as_date(value: Any, row: Row, call: Call) -> str:
    return value.strftime("%Y-%m-%d") if isinstance(value, date) else EMPTY_DATE


def as_time(value: Any, row: Row, call: Call) -> str:
    return value.strftime("%H:%M:%S") if isinstance(value, datetime) else EMPTY_TIME


def as_timestamp(value: Any, row: Row, call: Call) -> int:
    """A modification stamp as Unix seconds (what ``timestampfrom``/``timestampto`` compare)."""
    return int(value.replace(tzinfo=UTC).timestamp()) if isinstance(value, datetime) else 0


def first_line(value: Any, row: Row, call: Call) -> str:
    return str(value or "").strip().splitlines()[0] if str(value or "").strip() else ""


def blank(kind: str = "text") -> Render:
    value: Any = {"int": 0, "number": 0.0, "money": 0.0, "boolean": False}.get(kind, "")
    return lambda _value, row, call: value


def full_name(first: str, last: str, fallback: str = "") -> Render:
    def render(value: Any, row: Row, call: Call) -> str:
        name = " ".join(p for p in (row.get(column_name(first)), row.get(column_name(last))) if p)
        return name or (str(row.get(column_name(fallback)) or "") if fallback else "")
    return render


# --- the models -------------------------------------------------------------------------------

MODELS: dict[str, Model] = {}


def model(m: Model) -> Model:
    MODELS[m.name.lower()] = m
    return m


def _company_default(value: Any, row: Row, call: Call) -> bool:
    return bool(call.companies) and value == call.companies[0].number


COMPANIES = model(Model("companies", "Company", [
    WireField("uuid", "company_id", as_uuid("Company"), xml="uuid", attribute=True),
    WireField("control_country", render=blank(), label="Country", xml=None),
    WireField("control_number", "number", label="Number", xml="Number"),
    WireField("control_ourname", "title", label="Our Name", xml="Our-Name"),
    WireField("control_timezonecode", render=blank(), label="Time Zone", xml=None),
    WireField("array_controldefault__control_number", "number", _company_default, label="Default",
              fieldtype="boolean", xml="Default"),
], root="Companies", row="Company", default_sort=("number",)))


def _inactive(value: Any, row: Row, call: Call) -> bool:
    return value not in (None, 0)


_CLIENT_LIST_FIELDS = [
    WireField("clientUuid", "debtor_id", as_uuid("Debtor"), label="Uuid", attribute=True),
    WireField("clientTimeStampModified", "last_saved", as_timestamp, label="Modified", fieldtype="int"),
    WireField("clientRecordVersionNumber", "revision", label="Version"),
    WireField("clientCustomField323", render=blank(), label="Custom Field 323"),
    WireField("clientCode", "account_no", as_code, label="Client"),
    WireField("clientName", "name", label="Name"),
    WireField("clientCategoryName", "classification_id.description", label="Category"),
    WireField("clientPhone", "phone", label="Phone"),
    WireField("clientCategory", render=blank("int"), label="Category Number", fieldtype="int"),
    WireField("clientHandlerUserID", render=blank(), label="Handler"),
    WireField("clientWebURL", render=blank(), label="Web"),
    WireField("clientEmail", "email_address", label="Email"),
    WireField("clientInactive", "trading_status", _inactive, label="Inactive", fieldtype="boolean"),
    WireField("clientType", render=blank(), label="Type"),
    WireField("clientOpStatus", render=blank(), label="Op Status"),
    WireField("clientMarketSector", render=blank(), label="Market Sector"),
    WireField("clientOnHold", "account_on_hold", label="On Hold"),
    WireField("clientHandlerFullName", render=blank(), label="Handler Name"),
]
CLIENT_SORTS = {"CLIENT": "account_no", "CODE": "account_no", "NAME": "name",
                "CATEGORY": "classification_id__description", "MODIFIED": "last_saved"}

CLIENTS_LIST = model(Model("clientslist", "Debtor", _CLIENT_LIST_FIELDS, root="Clients", row="Client",
                           default_sort=("account_no",)))
CLIENT_DETAILS = model(Model("clientdetails", "Debtor", [
    *_CLIENT_LIST_FIELDS,
    WireField("clientTradingName", "trading_name", label="Trading Name"),
    WireField("clientAddress1", "address1", label="Address 1"),
    WireField("clientAddress2", "address2", label="Address 2"),
    WireField("clientAddress3", "address3", label="Address 3"),
    WireField("clientAddress4", "address4", label="Address 4"),
    WireField("clientPostcode", "postcode", label="Postcode"),
    WireField("clientCountry", "country", label="Country"),
    WireField("clientFax", "fax", label="Fax"),
    WireField("clientTaxNumber", "abn", label="Tax Number"),
    WireField("clientParentCode", "parent_debtor_id.account_no", as_code, label="Parent"),
], root="Clients", row="Client", default_sort=("account_no",)))
CLIENT_FINANCIAL = model(Model("clientfinancial", "Debtor", [
    WireField("clientUuid", "debtor_id", as_uuid("Debtor"), label="Uuid", attribute=True),
    WireField("clientCode", "account_no", as_code, label="Client"),
    WireField("clientName", "name", label="Name"),
    WireField("clientCreditLimit", "credit_limit", label="Credit Limit"),
    WireField("clientCurrentBalance", "current_balance", label="Current Balance"),
    WireField("clientPeriod1Balance", "period1_balance", label="Period 1"),
    WireField("clientPeriod2Balance", "period2_balance", label="Period 2"),
    WireField("clientPeriod3Balance", "period3_balance", label="Period 3"),
    WireField("clientPeriod4Balance", "period4_balance", label="Period 4"),
    WireField("clientTermsDays", "terms_days", label="Terms Days"),
    WireField("clientTermsType", "terms_type", label="Terms"),
    WireField("clientOnHold", "account_on_hold", label="On Hold"),
    WireField("clientCashOnly", "is_cash_only", label="Cash Only"),
    WireField("clientStandingDiscount", "standing_discount", label="Discount"),
    WireField("clientTaxExemptionNo", "tax_exemption_no", label="Tax Exemption"),
    WireField("clientLastPurchaseDate", "last_purchase_date", as_date, label="Last Purchase", fieldtype="date"),
    WireField("clientLastPaymentDate", "last_payment_date", as_date, label="Last Payment", fieldtype="date"),
], root="Clients", row="Client", extra=("trading_status",), default_sort=("account_no",)))

CLIENT_CONTACTS = model(Model("clientcontacts", "DebtorContactName", [
    WireField("clientcontactInternalRef", "contact_number", label="Internal Ref"),
    WireField("clientcontactFullName", render=full_name("first_name", "surname"), label="Full Name"),
    WireField("variable_selected", "default_contact", label="Selected"),
], root="Contacts", row="Contact", extra=("first_name", "surname", "debtor_id"),
    default_sort=("surname", "first_name")))


def _owner_name(value: Any, row: Row, call: Call) -> str:
    return full_name("owner_id.first_name", "owner_id.surname", "owner_id.username")(value, row, call)


_ACTIVITY_LIST_FIELDS = [
    WireField("activityuuid", "activity_id", as_uuid("Activity"), label="Uuid", attribute=True),
    WireField("activityID", "activity_number", label="ID"),
    WireField("activityTimeStampModified", "last_saved", as_timestamp, label="Modified", fieldtype="int"),
    WireField("activityRecordVersionNumber", "revision", label="Version", editable=True),
    WireField("activityActivitytypeCode", "activity_type_id.code", label="Type", editable=True, mandatory=True),
    WireField("activityActivitytypeDescription", "activity_type_id.description", label="Type Description"),
    WireField("activityClientCode", "debtor_id.account_no", as_code, label="Client", editable=True,
              mandatory=True),
    WireField("activityClientName", "debtor_id.name", label="Client Name"),
    WireField("activitySubject", "subject", label="Subject", editable=True, mandatory=False),
    WireField("activityDetails1stLine", "description", first_line, label="Details", fieldtype="text"),
    WireField("activityStartDate", "start_date", as_date, label="Start Date", fieldtype="date", editable=True),
    WireField("activityStartTime", "start_date", as_time, label="Start Time", fieldtype="time", editable=True),
    WireField("activityDueDate", "due_date", as_date, label="Due Date", fieldtype="date", editable=True),
    WireField("activityStatus", "status", label="Status", editable=True),
    WireField("activityOwnerID", "owner_id.username", label="Owner", editable=True),
    WireField("activityOwnerName", "owner_id.username", _owner_name, label="Owner Name"),
]
ACTIVITY_SORTS = {"ID": "activity_number", "DATE": "start_date", "CLIENT": "debtor_id__account_no",
                  "SUBJECT": "subject", "TYPE": "activity_type_id__code", "MODIFIED": "last_saved"}
_ACTIVITY_EXTRA = ("owner_id.first_name", "owner_id.surname", "debtor_id")

ACTIVITY_LIST = model(Model("activitylist", "Activity", _ACTIVITY_LIST_FIELDS, root="Activities", row="Activity",
                            extra=_ACTIVITY_EXTRA, default_sort=("activity_number",)))
ACTIVITY_DETAILS = model(Model("activitydetails", "Activity", [
    *_ACTIVITY_LIST_FIELDS,
    WireField("activityDetails", "description", label="Details", editable=True),
    WireField("activityContactInternalRef", "contact_name_id.contact_number", label="Contact", editable=True),
    WireField("activityContactFullName", render=full_name("contact_name_id.first_name", "contact_name_id.surname"),
              label="Contact Name"),
    WireField("activityCompanyNumber", render=lambda v, row, call: call.company.number, label="Company",
              fieldtype="int", editable=True),
], root="Activities", row="Activity",
    extra=(*_ACTIVITY_EXTRA, "contact_name_id.first_name", "contact_name_id.surname"),
    default_sort=("activity_number",)))

# Rows made by the host, not read from an entity.
VIEWS = model(Model("viewlist", None, [
    WireField("viewID", label="View", fieldtype="int"),
    WireField("viewDescription", label="Description", fieldtype="text"),
    WireField("viewModule", label="Module", fieldtype="text"),
    WireField("viewModel", label="Model", fieldtype="text"),
], root="Views", row="View"))
SYSTEM = model(Model("systemversion", None, [
    WireField("uuid", label="Uuid", fieldtype="text", attribute=True),
    WireField("systemparameters_versionno", label="Version", fieldtype="number"),
    WireField("systemparameters_versionrevision", label="Revision", fieldtype="text"),
    WireField("variable_apiversion", label="API Version", fieldtype="text"),
], root="Systems", row="System"))
SESSIONS = model(Model("session", None, [
    WireField("session", label="Session", fieldtype="text"),
], root="Sessions", row="Session"))
MODEL_STRUCTURE = Model("modelstructure", None, [
    WireField(name, fieldtype=kind) for name, kind in (
        ("data", "text"), ("label", "text"), ("align", "text"), ("editable", "boolean"), ("fieldtype", "text"),
        ("displayorder", "int"), ("mandatory", "boolean"))
], root="ModelStructure", row="Field")


def rows_of(m: Model, rows: list[Row]) -> list[Row]:
    """Rows made by hand, in the model's field order (missing fields blank)."""
    return [{f.name: r.get(f.name, "") for f in m.fields} for r in rows]


# What activities.json?action=create|update answers for each row written.
ACTIVITY_WRITTEN = model(Model("activitywritten", "Activity", [
    WireField("activityuuid", "activity_id", as_uuid("Activity"), label="Uuid", attribute=True),
    WireField("activityID", "activity_number", label="ID"),
    WireField("activityOwnerID", "owner_id.username", label="Owner"),
    WireField("activityOwnerName", "owner_id.username", _owner_name, label="Owner Name"),
    WireField("activityTimeStampModified", "last_saved", as_timestamp, label="Modified", fieldtype="int"),
    WireField("activityRecordVersionNumber", "revision", label="Version"),
], root="Activities", row="Activity", extra=_ACTIVITY_EXTRA, default_sort=("activity_number",)))
