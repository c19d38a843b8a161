"""Galaxy's names for the catalog: business domains, entities with their field names and detail
collections, lookups, enums and views.

Everything a Galaxy client reads about a record (its fields, their order and spelling, the
``gx...`` names of detail definitions, which field points at the parent) is here; what the
fields *are* (types, defaults, required, references) comes from the catalog.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ...core.catalog import CATALOG, Entity, FieldType
from ...core.clock import parse_iso
from ...core.errors import FieldError, Invalid

# A value shown but never written: computed from the record (and its parent) as the client sees it.
Computed = Callable[[dict[str, Any], dict[str, Any] | None], Any]


@dataclass(frozen=True)
class Prop:
    """One property of a Galaxy object: its wire name and the catalog field behind it."""

    name: str
    source: str | None = None  # catalog field; None with ``computed`` or for an unmodelled collection
    computed: Computed | None = None

    @property
    def read_only(self) -> bool:
        return self.computed is not None or self.source in ("revision",)


@dataclass(frozen=True)
class Detail:
    """A detail collection: its wire name, the catalog child collection and its item shape."""

    name: str
    collection: str | None  # None: shown empty, not kept by backoffice (listed in docs/galaxy.md)
    shape: ObjectShape | None = None


@dataclass(frozen=True)
class ObjectShape:
    """How one catalog entity looks to a Galaxy client."""

    entity: str
    definition: str  # the gx... name Galaxy's schemas use
    props: tuple[Prop, ...]
    details: tuple[Detail, ...] = ()
    # Where detail arrays sit among the properties (before the named property; default: at the end).
    details_before: str | None = None
    parent_key: str | None = None  # the wire name of the field that points at the parent (FKey)

    def entity_def(self) -> Entity:
        return CATALOG.entity(self.entity)

    def prop(self, name: str) -> Prop | None:
        folded = name.lower()
        return next((p for p in self.props if p.name.lower() == folded), None)

    def wire_name(self, source: str) -> str:
        """The client's name for a catalog field path such as ``sites[0].code``."""
        head, _, rest = source.partition(".")
        base, bracket, index = head.partition("[")
        for p in self.props:
            if p.source == base:
                return p.name
        for d in self.details:
            if d.collection == base and d.shape is not None:
                inner = d.shape.wire_name(rest) if rest else ""
                return f"{d.name}{bracket}{index}" + (f".{inner}" if inner else "")
        return source


def _p(*names: str) -> tuple[Prop, ...]:
    """Props written as "Wire=source" or just "Wire" (source: the snake-case of... given explicitly)."""
    out = []
    for item in names:
        wire, _, source = item.partition("=")
        out.append(Prop(wire, source or None))
    return tuple(out)


def _parent_title(doc: dict[str, Any], parent: dict[str, Any] | None) -> Any:
    return (parent or {}).get("title")


SITE_WAREHOUSE = ObjectShape("SiteWarehouse", "gxWarehouse", _p("ID=site_warehouse_id", "CmpsID=site_id",
                                                                  "WrhsID=logical_id"), parent_key="CmpsID")
SITE_LOCATION = ObjectShape("SiteLocation", "gxCompanySiteLoc", _p(
    "ID=site_location_id", "CmpsID=site_id", "AsLoID=location_id", "AsLoCode=code", "AsLoDescr=description"),
    parent_key="CmpsID")
COMPANY_SITE = ObjectShape(
    "CompanySite", "gxCompanySite",
    (*_p("ID=site_id", "CompID=company_id", "IsSystem=is_system", "Code=code", "Description=description",
         "Active=active", "ActiveDate=active_date", "IsPrimary=is_primary"),
     Prop("CompanyTitle", computed=_parent_title)),
    details=(Detail("Warehouses", "warehouses", SITE_WAREHOUSE), Detail("SiteLocation", "locations", SITE_LOCATION),
             Detail("WorkshopUnits", None), Detail("SocialInsInstitution", None)),
    parent_key="CompID",
)
TAX_CREDENTIAL = ObjectShape("CompanyTaxCredential", "gxCompTaxCred",
                             _p("ID=tax_credential_id", "CompID=company_id", "TaxService=tax_service"),
                             parent_key="CompID")
COMPANY = ObjectShape(
    "Company", "gxCompany",
    _p("ID=company_id", "RevNum=revision", "IsSystem=is_system", "Active=active", "ActiveDate=active_date",
       "Code=code", "Title=title", "DistinctiveTitle=distinctive_title", "CmpgID=company_group_id",
       "ClgtID=legal_type_id", "StartDate=start_date", "TIN=tin", "TaxoID=tax_office_id", "TaxRegNum=tax_reg_num",
       "TaxRecNum=tax_rec_num", "SscoID=social_security_office_id", "SocSecNum=social_security_num",
       "Comment=comment", "EANCode=ean_code", "ProfID=profession_id", "RelTrdrID=related_trader_id",
       "OilCompany=oil_company", "GROblTaxReg=gr_obliged_tax_registration", "Taxisnetuser=taxisnet_user",
       "Taxisnetpass=taxisnet_password", "Taxationuser=taxation_user", "Taxationpass=taxation_password",
       "myGlxUser=my_glx_user", "myGlxPass=my_glx_password", "VatSubOnCol=vat_on_collection",
       "VatSubOnColDate=vat_on_collection_date", "IExchangeSender=iexchange_sender",
       "myGlxProvID=my_glx_provider_id", "InternalFlags=internal_flags", "iExhPrincipal=iexchange_principal",
       "iExhTenant=iexchange_tenant", "myGlxSelected=my_glx_selected", "usEmail2=email2", "usEMail3=email3"),
    details=(Detail("Sites", "sites", COMPANY_SITE), Detail("TaxData", None),
             Detail("TaxCredentials", "tax_credentials", TAX_CREDENTIAL)),
    details_before="usEmail2",
)
BANK_BRANCH = ObjectShape("BankBranch", "gxBankBranch", _p(
    "ID=bank_branch_id", "BankID=bank_id", "Code=code", "Description=description", "BIC=bic", "Street=street",
    "CntrID=country_id", "PrefID=prefecture_id", "RegnID=region_id", "StreetNumber=street_number",
    "PostalCode=postal_code", "Phone1=phone1", "Phone2=phone2", "Email=email", "Fax=fax"), parent_key="BankID")
BANK = ObjectShape("Bank", "gxBank", _p("ID=bank_id", "RevNum=revision", "Code=code", "Description=description",
                                        "BIC=bic", "URL=url"),
                   details=(Detail("Branches", "branches", BANK_BRANCH),))
CONTACT_PERSON = ObjectShape("DebtorContactName", "gxTraderContact", _p(
    "ID=contact_name_id", "TrdrID=debtor_id", "Title=title", "FirstName=first_name", "LastName=surname",
    "Position=primary_position_name", "Phone=phone", "Mobile=mobile", "Email=email_address",
    "IsDefault=default_contact"), parent_key="TrdrID")
TRADER_ADDRESS = ObjectShape("DebtorDeliveryAddress", "gxTraderAddress", _p(
    "ID=delivery_address_id", "TrdrID=debtor_id", "Description=delivery_address_name",
    "Code=delivery_address_code", "Street=address1", "City=address2", "Region=address3", "Area=address4",
    "PostalCode=postcode", "Country=country", "IsDefault=is_default"), parent_key="TrdrID")
TRADER = ObjectShape(
    "Debtor", "gxTrader",
    _p("ID=debtor_id", "RevNum=revision", "Code=account_no", "Name=name", "DistinctiveTitle=trading_name",
       "TIN=abn", "Street=address1", "City=address2", "Region=address3", "Area=address4", "PostalCode=postcode",
       "Country=country", "Phone1=phone", "Fax=fax", "Email=email_address", "MaxBalance=credit_limit",
       "OnHold=account_on_hold", "Balance=current_balance", "PaymentDays=terms_days"),
    details=(Detail("ContactPersons", "contact_names", CONTACT_PERSON),
             Detail("Addresses", "delivery_addresses", TRADER_ADDRESS)),
)
ITEM = ObjectShape(
    "InventoryItem", "gxItem",
    _p("ID=inventory_id", "RevNum=revision", "Code=part_no", "Description=description", "Price=default_price",
       "RetailPrice=rrp_price", "Unit=unit_measure", "Weight=weight", "Volume=cubic", "Balance=available_stock",
       "IsService=physical_item", "WebEnabled=web_enabled", "Picture=picture", "Status=status"),
)
SALES_ENTRY_LINE = ObjectShape("SalesOrderLine", "gxCommercialEntryLine", _p(
    "ID=invoice_line_id", "CentID=invoice_id", "LineNo=item_no", "ItemID=inventory_id", "ItemCode=part_no",
    "Description=description", "Qty=quantity_ordered", "Price=price_ex_gst", "DiscountPercent=discounted_percentage",
    "VatPercent=tax_rate", "NetValue=line_total"), parent_key="CentID")
SALES_ENTRY = ObjectShape(
    "SalesOrder", "gxCommercialEntry",
    _p("ID=invoice_id", "RevNum=revision", "CoetID=entry_type_id", "CompID=company_id", "CmpsID=company_site_id",
       "TrdrID=debtor_id", "CurrID=currency_id", "WrhsID=logical_id", "TradeCode=trade_code",
       "TradeDate=invoice_init_date", "OfficialDate=official_date", "Status=status", "Comment=so_reference",
       "CustomerOrderNo=order_no", "TotalValue=invoice_total", "IsPrinted=printed", "GLUpdated=ledger_posted"),
    details=(Detail("Lines", "lines", SALES_ENTRY_LINE),),
)
ACTIVITY = ObjectShape(
    "Activity", "cmActivities",
    _p("ID=activity_id", "ActivityTypeID=activity_type_id", "CreatorID=creator_id", "OwnerID=owner_id",
       "AccountID=debtor_id", "ContactPersontID=contact_name_id", "OriginActivityID=origin_activity_id",
       "RevNum=revision", "ReferenceNum=reference_num", "Subject=subject", "Description=description",
       "StartDate=start_date", "DueDate=due_date", "Status=status"),
    details=(Detail("ActivitiesToFollow", None),),
)


def _code_list(entity: str, definition: str, *extra: str, first: tuple[str, ...] = ()) -> ObjectShape:
    key = CATALOG.entity(entity).key
    return ObjectShape(entity, definition, _p(f"ID={key}", "RevNum=revision", *first, "Code=code",
                                              "Description=description", *extra))


ACQUAINT_SOURCE = _code_list("AcquaintSource", "gxAcquaintSource")
ADDRESS_TYPE = _code_list("AddressType", "gxAddressType", first=("Reserved=reserved",))
SALES_ENTRY_TYPE = _code_list("SalesEntryType", "gxCommEntryType", "Series=series", "Kind=kind")
ACTIVITY_TYPE = _code_list("ActivityType", "cmActivityType")
CURRENCY = _code_list("Currency", "gxCurrency", "Symbol=symbol")
CLASSIFICATION = ObjectShape("DebtorClassification", "gxTraderCategory", _p(
    "ID=classification_id", "RevNum=revision", "Description=description", "IsDefault=is_default"))
WAREHOUSE = ObjectShape("Warehouse", "gxWarehouse", _p("ID=logical_id", "RevNum=revision",
                                                       "Description=description",
                                                       "Location=physical_description"))


@dataclass(frozen=True)
class GalaxyEntity:
    """An entity of a domain: its URL name, shape and default collection (a catalog view)."""

    name: str
    shape: ObjectShape
    view: str
    # Entity actions: name -> the core operation's registry name (see dialects/galaxy/services.py).
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Domain:
    name: str
    entities: tuple[GalaxyEntity, ...]
    views: tuple[str, ...]
    # Galaxy enum name -> catalog enum name
    enums: dict[str, str] = field(default_factory=dict)
    # Galaxy lookup name -> (catalog lookup name, shape)
    lookups: dict[str, ObjectShape] = field(default_factory=dict)
    services: tuple[str, ...] = ()  # names of core services (core/services.py)

    def entity(self, name: str) -> GalaxyEntity | None:
        folded = name.lower()
        return next((e for e in self.entities if e.name.lower() == folded), None)

    def enum(self, name: str) -> tuple[str, str] | None:
        folded = name.lower()
        return next(((k, v) for k, v in self.enums.items() if k.lower() == folded), None)

    def enum_name(self, catalog_name: str) -> str:
        return next((k for k, v in self.enums.items() if v == catalog_name), catalog_name)

    def lookup(self, name: str) -> tuple[str, ObjectShape] | None:
        folded = name.lower()
        return next(((k, v) for k, v in self.lookups.items() if k.lower() == folded), None)

    def view(self, name: str) -> str | None:
        folded = name.lower()
        return next((v for v in self.views if v.lower() == folded), None)


DOMAINS = {
    "glx": Domain(
        "glx",
        entities=(
            GalaxyEntity("Item", ITEM, "Item"),
            GalaxyEntity("Company", COMPANY, "Company", actions=("CompanyTitle", "CompanySiteDescription")),
            GalaxyEntity("Trader", TRADER, "Customer"),
            GalaxyEntity("Customer", TRADER, "Customer"),
            GalaxyEntity("SalesEntry", SALES_ENTRY, "SalesEntry"),
            GalaxyEntity("CommercialEntry", SALES_ENTRY, "SalesEntry"),
            GalaxyEntity("Bank", BANK, "Bank"),
        ),
        views=("SalesEntry", "SalesEntryLine", "Company", "Customer", "Item"),
        enums={"Active": "Active", "IsOpen": "IsOpen", "IsSystem": "IsSystem", "TradeStatus": "SalesOrderStatus",
               "CommercialEntryKind": "CommercialEntryKind", "TradingStatus": "TradingStatus"},
        lookups={"AcquaintSource": ACQUAINT_SOURCE, "AddressType": ADDRESS_TYPE, "Bank": BANK,
                 "SalesEntryType": SALES_ENTRY_TYPE, "Company": COMPANY, "Currency": CURRENCY,
                 "Warehouse": WAREHOUSE, "Customer": TRADER, "Item": ITEM,
                 "DebtorClassification": CLASSIFICATION},
        services=("Messenger",),
    ),
    "crm": Domain(
        "crm",
        entities=(GalaxyEntity("Activities", ACTIVITY, "Activities"),),
        views=("Activities",),
        enums={"ActivityStatus": "ActivityStatus"},
        lookups={"ActivityType": ACTIVITY_TYPE},
    ),
}


# --- values on the wire ------------------------------------------------------------------


def wire_value(kind: FieldType, value: Any) -> Any:
    """A stored value as Galaxy writes it: flags as 0/1, dates as ISO text without a zone."""
    if value is None:
        return None
    if kind is FieldType.BOOL:
        return 1 if value else 0
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") if not value.microsecond else value.isoformat()
    if isinstance(value, date):
        return value.isoformat() + "T00:00:00"
    return value


def view_value(kind: FieldType | None, value: Any) -> Any:
    """A view cell: as ``wire_value``, with dates written the way Galaxy's views write them (``.0``)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + str(value.microsecond // 100000)
    if isinstance(value, bool):
        return 1 if value else 0
    return wire_value(kind or FieldType.STRING, value)


def _field_type(entity: Entity, source: str) -> FieldType:
    if source == "revision":
        return FieldType.INT
    return entity.field(source).type


def render(shape: ObjectShape, doc: dict[str, Any], depth: int | None = None,
           parent: dict[str, Any] | None = None) -> dict[str, Any]:
    """A catalog document as the Galaxy object; ``depth`` 0 leaves detail arrays empty (None: all)."""
    entity = shape.entity_def()
    out: dict[str, Any] = {}

    def details() -> None:
        for detail in shape.details:
            items = doc.get(detail.collection, []) if detail.collection and detail.shape else []
            if depth is not None and depth <= 0:
                items = []
            assert detail.shape is not None or not items
            out[detail.name] = [render(detail.shape, item, None if depth is None else depth - 1, doc)
                                for item in items] if detail.shape else []

    for prop in shape.props:
        if shape.details_before == prop.name:
            details()
        if prop.computed is not None:
            out[prop.name] = prop.computed(doc, parent)
        elif prop.source is not None:
            out[prop.name] = wire_value(_field_type(entity, prop.source), doc.get(prop.source))
    if shape.details_before is None:
        details()
    return out


def template(shape: ObjectShape, parent: dict[str, Any] | None = None) -> dict[str, Any]:
    """A new object with every default filled in and a fresh ID (what ``/template`` answers)."""
    entity = shape.entity_def()
    doc: dict[str, Any] = {}
    for prop in shape.props:
        if prop.source is None:
            continue
        if prop.source == entity.key:
            doc[prop.source] = str(uuid.uuid4())
        elif prop.source == "revision":
            doc[prop.source] = 1
        else:
            doc[prop.source] = entity.field(prop.source).default
    return render(shape, doc, depth=0, parent=parent)


def _parse(entity: Entity, prop: Prop, value: Any, path: str, errors: list[FieldError]) -> Any:
    assert prop.source is not None
    kind = _field_type(entity, prop.source)
    if value is None:
        return None
    try:
        if kind is FieldType.BOOL:
            if isinstance(value, bool):
                return value
            if isinstance(value, int | float) and value in (0, 1):
                return bool(value)
            if isinstance(value, str) and value.strip().lower() in ("0", "1", "true", "false"):
                return value.strip().lower() in ("1", "true")
            raise ValueError
        if kind in (FieldType.DATETIME, FieldType.DATE):
            if not isinstance(value, str):
                raise ValueError
            return parse_iso(value)
    except ValueError:
        errors.append(FieldError(path, "InvalidValue", f"{path}: {value!r} is not a valid {kind.value}"))
        return None
    return value  # the core checks the rest (types, lengths, ranges) and says which field


def parse(shape: ObjectShape, body: Any, path: str = "", errors: list[FieldError] | None = None) -> dict[str, Any]:
    """A Galaxy object from a client as a catalog document (unknown and read-only properties ignored).

    Several faults are collected and reported together.
    """
    top = errors is None
    errors = [] if errors is None else errors
    if not isinstance(body, dict):
        where = path.rstrip(".")
        if not where:
            raise Invalid("The request body must be a JSON object", code="InvalidBody")
        errors.append(FieldError(where, "InvalidItem", f"{where} must be a JSON object"))
        return {}
    entity = shape.entity_def()
    lowered = {k.lower(): v for k, v in body.items()}
    doc: dict[str, Any] = {}
    for prop in shape.props:
        if prop.read_only or prop.source is None or prop.name.lower() not in lowered:
            continue
        if prop.source != entity.key and entity.field(prop.source).system:
            continue
        doc[prop.source] = _parse(entity, prop, lowered[prop.name.lower()], f"{path}{prop.name}", errors)
    for detail in shape.details:
        if detail.collection is None or detail.shape is None or detail.name.lower() not in lowered:
            continue
        items = lowered[detail.name.lower()]
        if items is None:
            continue
        if not isinstance(items, list):
            errors.append(FieldError(f"{path}{detail.name}", "InvalidList", f"{path}{detail.name} must be an array"))
            continue
        doc[detail.collection] = [parse(detail.shape, item, f"{path}{detail.name}[{i}].", errors)
                                  for i, item in enumerate(items)]
    if top and errors:
        raise Invalid("; ".join(e.message for e in errors), errors, code=errors[0].code)
    return doc
