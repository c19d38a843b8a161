"""The business entities of the back office and the listings over them."""

from __future__ import annotations

from .events import add_event_entities
from .jobs import add_job_entities
from .menu import add_menu_entities, menu_item_fields
from .model import Catalog, Child, Entity, EnumDef, EnumValue, Field, View, ViewColumn
from .model import FieldType as T


def _s(name: str, length: int = 100, **kw: object) -> Field:
    return Field(name, T.STRING, length=length, **kw)  # type: ignore[arg-type]


def _money(name: str, **kw: object) -> Field:
    kw.setdefault("default", 0.0)
    return Field(name, T.MONEY, **kw)  # type: ignore[arg-type]


def _float(name: str, **kw: object) -> Field:
    kw.setdefault("default", 0.0)
    return Field(name, T.FLOAT, **kw)  # type: ignore[arg-type]


def _bool(name: str, default: bool = False, **kw: object) -> Field:
    return Field(name, T.BOOL, default=default, **kw)  # type: ignore[arg-type]


def _int(name: str, default: int = 0, **kw: object) -> Field:
    return Field(name, T.INT, default=default, **kw)  # type: ignore[arg-type]


def _dt(name: str, **kw: object) -> Field:
    return Field(name, T.DATETIME, **kw)  # type: ignore[arg-type]


def _id(name: str, **kw: object) -> Field:
    return Field(name, T.STRING, length=36, system=True, **kw)  # type: ignore[arg-type]


def _ref(name: str, entity: str, **kw: object) -> Field:
    return Field(name, T.STRING, length=36, ref=entity, index=True, **kw)  # type: ignore[arg-type]


def _address(prefix: str = "") -> list[Field]:
    return [_s(f"{prefix}address{i}", 200) for i in range(1, 5)] + [_s(f"{prefix}postcode", 20)]


def _owned(owner_entity_types: str) -> list[Field]:
    """Fields that tie a polymorphic child (note, custom field value) to its owner."""
    return [
        _s("owner_type", 40, required=True, system=True, description=f"One of {owner_entity_types}"),
        Field("owner_id", T.STRING, length=36, required=True, system=True),
    ]


NOTE_OWNERS = "Debtor, InventoryItem, SalesOrder, SalesQuote"
CUSTOM_FIELD_OWNERS = "Debtor, InventoryItem, SalesOrder, SalesOrderLine, SalesQuote, SalesQuoteLine"


def _notes(owner: str, debtor_readonly: bool = False) -> Child:
    return Child("notes", "Note", "owner_id", order_by=("line_no",), owner_type=owner,
                 debtor_readonly=debtor_readonly)


def _custom_values(owner: str, debtor_readonly: bool = False) -> Child:
    return Child("custom_field_values", "CustomFieldValue", "owner_id", order_by=("setting_id",),
                 owner_type=owner, debtor_readonly=debtor_readonly, match_on="setting_id")


# Line fields a customer may neither see nor set: they are the seller's pricing and costing.
_LINE_PRICING_HIDDEN = dict(hidden_from_debtor=True, debtor_readonly=True)


def build_catalog() -> Catalog:
    catalog = Catalog()
    catalog.add(
        EnumDef("SalesOrderStatus", [
            EnumValue(0, "Entered", "Entered, not yet processed", {"en": "Entered", "el": "Καταχωρημένο"}),
            EnumValue(1, "Closed", "Closed", {"en": "Closed", "el": "Ενημερωμένο"}),
            EnumValue(2, "Processed", "Processed (invoiced)", {"en": "Processed", "el": "Τιμολογημένο"}),
        ]),
        EnumDef("Active", [
            EnumValue(0, "Inactive", "Not in use", {"en": "Inactive", "el": "Ανενεργός"}),
            EnumValue(1, "Active", "In use", {"en": "Active", "el": "Ενεργός"}),
        ]),
        EnumDef("IsOpen", [
            EnumValue(0, "Closed", "Closed", {"en": "Closed", "el": "Κλειστό"}),
            EnumValue(1, "Open", "Open", {"en": "Open", "el": "Ανοικτό"}),
        ]),
        EnumDef("IsSystem", [
            EnumValue(0, "User", "Made by a user", {"en": "User", "el": "Χρήστη"}),
            EnumValue(1, "System", "Made by the system", {"en": "System", "el": "Συστήματος"}),
        ]),
        EnumDef("CommercialEntryKind", [
            EnumValue(0, "Invoice", "An invoice", {"en": "Invoice", "el": "Τιμολόγιο"}),
            EnumValue(1, "DeliveryNote", "A delivery note", {"en": "Delivery note", "el": "Δελτίο αποστολής"}),
            EnumValue(2, "Order", "An order", {"en": "Order", "el": "Παραγγελία"}),
            EnumValue(3, "CreditNote", "A credit note", {"en": "Credit note", "el": "Πιστωτικό"}),
        ]),
        EnumDef("ActivityStatus", [
            EnumValue(0, "Open", "Not started", {"en": "Open", "el": "Ανοικτή"}),
            EnumValue(1, "InProgress", "In progress", {"en": "In progress", "el": "Σε εξέλιξη"}),
            EnumValue(2, "Completed", "Done", {"en": "Completed", "el": "Ολοκληρωμένη"}),
        ]),
        EnumDef("SalesQuoteStatus", [
            EnumValue(0, "Entered", "Entered"),
            EnumValue(1, "Closed", "Closed"),
            EnumValue(2, "Ordered", "Converted to a sales order"),
        ]),
        EnumDef("TradingStatus", [
            EnumValue(0, "Active"), EnumValue(1, "Inactive"), EnumValue(2, "Closed"),
        ]),
        EnumDef("InventoryStatus", [
            EnumValue(0, "Active"), EnumValue(1, "Discontinued"), EnumValue(2, "Inactive"),
        ]),
    )

    catalog.add(Entity(
        "Staff", "staff", "staff_id",
        [
            _id("staff_id"),
            _s("username", 60, required=True, unique=True, description="Case-insensitive login name"),
            _s("title", 20), _s("first_name", 60), _s("surname", 60),
            _s("email_address", 200),
            _bool("enabled", True),
            _s("default_charge_code", 20, description="The charge code (ART) the resource's time defaults to"),
        ],
        description="A member of staff who may log in.",
    ))

    catalog.add(Entity("Warehouse", "warehouse", "logical_id", [
        _id("logical_id"), _s("description", 100, required=True), _s("physical_description", 100),
    ], description="A logical warehouse stock is held and sold from."))

    catalog.add(Entity("Branch", "branch", "branch_id", [
        _id("branch_id"), _s("name", 60, required=True), _s("description", 100),
    ], description="A sales branch."))

    catalog.add(Entity("TaxRate", "tax_rate", "tax_id", [
        _id("tax_id"), _s("description", 100, required=True), _float("rate"),
        _bool("is_default"), _s("tax_group", 20),
    ], description="A goods and services tax rate."))

    catalog.add(Entity("DebtorClassification", "debtor_classification", "classification_id", [
        _id("classification_id"), _s("description", 100, required=True), _bool("is_default"),
    ], description="A classification of debtors (pricing, reporting)."))

    catalog.add(Entity(
        "Debtor", "debtor", "debtor_id",
        [
            _id("debtor_id"),
            _s("account_no", 40, required=True, unique=True),
            _s("alt_account_no", 40),
            _s("name", 200, required=True, index=True),
            *_address(), _s("country", 60),
            _s("phone", 40), _s("fax", 40), _s("email_address", 200),
            _s("abn", 20), _s("acn", 20),
            _s("trading_name", 200), _s("company_name", 200), _s("proprietors_name", 200),
            _money("credit_limit"),
            _bool("account_on_hold"),
            _money("current_balance", system=True),
            _money("period1_balance", system=True), _money("period2_balance", system=True),
            _money("period3_balance", system=True), _money("period4_balance", system=True),
            Field("trading_status", T.INT, default=0, enum="TradingStatus"),
            _int("terms_days", 30),
            _s("terms_type", 40, default="DaysFromEndOfMonth"),
            _bool("web_access"),
            _bool("is_cash_only"),
            _s("tax_exemption_no", 40),
            _s("bank_name", 100), _s("bank_account_no", 40), _s("bank_bsbn", 20), _s("bank_account_name", 100),
            _ref("classification_id", "DebtorClassification"),
            _ref("price_scheme_id", "PriceScheme"),
            _ref("parent_debtor_id", "Debtor"),
            _dt("commence_date"), _dt("last_purchase_date", system=True), _dt("last_payment_date", system=True),
            _money("standing_discount"),
        ],
        children=[
            Child("contact_names", "DebtorContactName", "debtor_id", order_by=("surname", "first_name")),
            Child("delivery_addresses", "DebtorDeliveryAddress", "debtor_id", order_by=("delivery_address_name",)),
            _notes("Debtor"),
            _custom_values("Debtor"),
        ],
        alternate_key="account_no",
        debtor_field="debtor_id",
        description="A customer who buys on account.",
    ))

    catalog.add(Entity("PriceScheme", "price_scheme", "price_scheme_id", [
        _id("price_scheme_id"), _s("description", 100, required=True),
    ], description="A pricing scheme a debtor buys under."))

    catalog.add(Entity("DebtorContactName", "debtor_contact_name", "contact_name_id", [
        _id("contact_name_id"),
        _ref("debtor_id", "Debtor", system=True),
        _bool("default_contact"),
        _s("title", 20), _s("first_name", 60), _s("surname", 60),
        _s("primary_position_name", 60),
        _s("phone", 40), _s("mobile", 40), _s("fax", 40), _s("email_address", 200),
        # What the events side (Symphony's contacts) knows of a person; see core/contacts.py.
        Field("contact_number", T.INT, unique=True, system=True,
              description="The contact's number (Symphony's ContactId), given on every create"),
        _s("organisation", 100), _s("occupation", 100), _s("pa_name", 100),
        _bool("marketing_opt_out"),
        _s("line1", 100), _s("line2", 100), _s("line3", 100), _s("town", 60), _s("county", 60),
        _s("postcode", 20), _s("country", 60),
        _s("website", 200), _s("reference", 60), _s("code", 60),
        Field("date_of_birth", T.DATE),
        _int("reg_status", description="0 not registered, 1 registered"),
        Field("profile_string", T.TEXT),
        _s("profile_value_ids", 1000, description="Comma-separated profile value ids"),
    ], root=False, description="A person to contact at a debtor."))

    catalog.add(Entity("DebtorDeliveryAddress", "debtor_delivery_address", "delivery_address_id", [
        _id("delivery_address_id"),
        _ref("debtor_id", "Debtor", system=True),
        _bool("is_default"),
        _s("delivery_address_name", 100), _s("delivery_address_code", 40),
        *_address(), _s("country", 60),
        Field("notes", T.TEXT), _s("courier_details", 200),
    ], root=False, description="A place goods for a debtor are delivered to."))

    catalog.add(Entity("NoteType", "note_type", "note_type_id", [
        _id("note_type_id"),
        _s("owner_type", 40, required=True, description=f"Which records it types: {NOTE_OWNERS}"),
        _s("description", 100, required=True),
        _bool("default_type"),
        _int("item_no"),
    ], description="A kind of note; each kind of record has its own list and one default."))

    catalog.add(Entity("Note", "note", "note_id", [
        _id("note_id"),
        *_owned(NOTE_OWNERS),
        _ref("note_type_id", "NoteType"),
        _int("line_no", system=True),
        Field("note_text", T.TEXT, required=True),
        _ref("last_modified_by_staff_id", "Staff", system=True),
        _dt("last_saved", system=True),
    ], root=False, description="A free-text note on a record.",
        indexes=[("owner_type", "owner_id")]))

    catalog.add(Entity("CustomField", "custom_field", "setting_id", [
        _id("setting_id"),
        _s("owner_type", 40, required=True, description=f"Which records it extends: {CUSTOM_FIELD_OWNERS}"),
        _s("setting_name", 100, required=True),
        _s("cell_type", 40, default="Text"),
        _int("display_order"),
        _s("plugin_id", 36), _s("plugin_name", 100),
    ], description="A user-defined field on a kind of record."))

    catalog.add(Entity("CustomFieldValue", "custom_field_value", "value_id", [
        _id("value_id"),
        *_owned(CUSTOM_FIELD_OWNERS),
        _ref("setting_id", "CustomField", required=True),
        Field("contents", T.TEXT),
    ], root=False, description="The value of a custom field on one record.",
        indexes=[("owner_type", "owner_id", "setting_id")]))

    catalog.add(Entity(
        "InventoryItem", "inventory_item", "inventory_id",
        [
            _id("inventory_id"),
            _s("part_no", 60, required=True, unique=True),
            _s("description", 200, required=True, index=True),
            Field("status", T.INT, default=0, enum="InventoryStatus"),
            _money("default_price"), _money("rrp_price"),
            _money("l_cost", hidden_from_debtor=True), _money("s_cost", hidden_from_debtor=True),
            _money("standard_cost", hidden_from_debtor=True), _money("salesman_cost", hidden_from_debtor=True),
            _s("unit_measure", 20, default="Each"),
            _bool("physical_item", True), _bool("discountable", True), _bool("web_enabled", True),
            _bool("back_orderable", True), _bool("sell_price_inc_tax"),
            _int("decimal_places", 2),
            _float("weight"), _float("cubic"),
            _s("aux1", 100), _s("aux2", 100), _s("aux3", 100), _s("aux4", 100), _s("aux5", 100),
            _ref("tax_outwards_id", "TaxRate"),
            _s("picture", 200),
            _float("available_stock"),
            *menu_item_fields(),
        ],
        children=[
            Child("debtor_prices", "InventoryDebtorPrice", "inventory_id", order_by=("debtor_id",)),
            _notes("InventoryItem"),
            _custom_values("InventoryItem"),
        ],
        alternate_key="part_no",
        description="A product or service that can be sold.",
    ))

    catalog.add(Entity("InventoryDebtorPrice", "inventory_debtor_price", "debtor_price_id", [
        _id("debtor_price_id"),
        _ref("inventory_id", "InventoryItem", system=True),
        _ref("debtor_id", "Debtor", required=True),
        _money("price"),
    ], root=False, debtor_field="debtor_id",
        description="A price one debtor pays for an item, ahead of the default price."))

    for kind, key, line_key, history_key, status_enum in (
        ("SalesOrder", "invoice_id", "invoice_line_id", "invoice_history_id", "SalesOrderStatus"),
        ("SalesQuote", "quote_id", "quote_line_id", "quote_history_id", "SalesQuoteStatus"),
    ):
        _add_sales_document(catalog, kind, key, line_key, history_key, status_enum)

    catalog.add(Entity("DebtorTransaction", "debtor_transaction", "trans_id", [
        _id("trans_id"),
        _ref("debtor_id", "Debtor", required=True),
        _bool("debit_credit", True, description="True for a debit (invoice), false for a credit"),
        _s("source", 40), _s("ref", 60), _s("remark", 200),
        _dt("tran_date", required=True), _dt("due_date"),
        _money("amount"), _money("allocated_amount"), _money("gst_amount"),
        _s("inv_remit_no", 40),
    ], description="An entry on a debtor's account: invoice, payment, adjustment.",
        indexes=[("debtor_id", "tran_date")], debtor_field="debtor_id"))

    _add_organisation(catalog)
    add_menu_entities(catalog)
    add_event_entities(catalog)
    add_job_entities(catalog)
    _add_views(catalog)
    from .listings import add_listings

    add_listings(catalog)
    return catalog


def _code_list(name: str, table: str, key: str, description: str, *extra: Field) -> Entity:
    """A small administrable list of codes (kinds of address, sources of acquaintance, ...)."""
    return Entity(name, table, key, [
        _id(key), _s("code", 20, required=True, unique=True), _s("description", 200, required=True), *extra,
    ], description=description)


def _add_organisation(catalog: Catalog) -> None:
    """Companies and their sites, banks, currencies, kinds of document and the CRM's activities."""
    catalog.add(Entity("Company", "company", "company_id", [
        _id("company_id"),
        _s("code", 20, required=True, unique=True),
        _s("title", 200, required=True),
        Field("number", T.INT, unique=True, system=True,
              description="The company's number (Synergist's company, the prefix of its codes: 1/GS)"),
        _s("distinctive_title", 200),
        Field("active", T.INT, default=1, enum="Active"),
        _dt("active_date", required=True, description="Since when the company is in use"),
        Field("is_system", T.INT, default=0, enum="IsSystem"),
        _s("company_group_id", 36), _s("legal_type_id", 36),
        _dt("start_date"),
        _s("tin", 20, description="Tax identification number"),
        _s("tax_office_id", 36), _s("tax_reg_num", 40), _s("tax_rec_num", 40),
        _s("social_security_office_id", 36), _s("social_security_num", 40),
        Field("comment", T.TEXT),
        _s("ean_code", 40), _s("profession_id", 36), _s("related_trader_id", 36),
        _bool("oil_company"), _bool("gr_obliged_tax_registration"),
        _s("taxisnet_user", 100), _s("taxisnet_password", 100, hidden_from_debtor=True),
        _s("taxation_user", 100), _s("taxation_password", 100, hidden_from_debtor=True),
        _s("my_glx_user", 100), _s("my_glx_password", 100, hidden_from_debtor=True),
        _bool("vat_on_collection"), _dt("vat_on_collection_date"),
        _s("iexchange_sender", 100), _s("my_glx_provider_id", 36), Field("internal_flags", T.INT),
        _s("iexchange_principal", 100), _s("iexchange_tenant", 100), Field("my_glx_selected", T.INT),
        _s("email2", 200), _s("email3", 200),
    ], children=[
        Child("sites", "CompanySite", "company_id", order_by=("code",)),
        Child("tax_credentials", "CompanyTaxCredential", "company_id", order_by=("tax_service",)),
    ], description="A legal entity of the group that trades: it has sites, warehouses and documents."))
    catalog.add(Entity("CompanySite", "company_site", "site_id", [
        _id("site_id"),
        _ref("company_id", "Company", system=True),
        _s("code", 20, required=True),
        _s("description", 200, required=True),
        Field("active", T.INT, default=1, enum="Active"),
        _dt("active_date"),
        Field("is_system", T.INT, default=0, enum="IsSystem"),
        _bool("is_primary", description="The site made with the company; documents default to it"),
    ], children=[
        Child("warehouses", "SiteWarehouse", "site_id", order_by=("logical_id",), match_on="logical_id"),
        Child("locations", "SiteLocation", "site_id", order_by=("code",)),
    ], root=False, description="A branch or store of a company."))
    catalog.add(Entity("SiteWarehouse", "site_warehouse", "site_warehouse_id", [
        _id("site_warehouse_id"),
        _ref("site_id", "CompanySite", system=True),
        _ref("logical_id", "Warehouse", required=True),
    ], root=False, description="A warehouse a company site holds stock in."))
    catalog.add(Entity("SiteLocation", "site_location", "site_location_id", [
        _id("site_location_id"),
        _ref("site_id", "CompanySite", system=True),
        _s("location_id", 36), _s("code", 20), _s("description", 200),
    ], root=False, description="A named place within a site (a workshop, a store room)."))
    catalog.add(Entity("CompanyTaxCredential", "company_tax_credential", "tax_credential_id", [
        _id("tax_credential_id"),
        _ref("company_id", "Company", system=True),
        _int("tax_service"),
    ], root=False, description="A tax service a company is registered with."))

    catalog.add(Entity("Currency", "currency", "currency_id", [
        _id("currency_id"), _s("code", 3, required=True, unique=True), _s("description", 100, required=True),
        _s("symbol", 8),
    ], description="A currency documents are priced in."))
    catalog.add(Entity("Bank", "bank", "bank_id", [
        _id("bank_id"), _s("code", 20, required=True, unique=True), _s("description", 200, required=True),
        _s("bic", 20), _s("url", 200),
    ], children=[Child("branches", "BankBranch", "bank_id", order_by=("code",))],
        description="A bank the business or its customers hold accounts with."))
    catalog.add(Entity("BankBranch", "bank_branch", "bank_branch_id", [
        _id("bank_branch_id"), _ref("bank_id", "Bank", system=True),
        _s("code", 20, required=True), _s("description", 200, required=True), _s("bic", 20),
        _s("street", 200), _s("country_id", 36), _s("prefecture_id", 36), _s("region_id", 36),
        _s("street_number", 20), _s("postal_code", 20), _s("phone1", 40), _s("phone2", 40),
        _s("email", 200), _s("fax", 40),
    ], root=False, description="A branch of a bank."))
    catalog.add(
        _code_list("AcquaintSource", "acquaint_source", "acquaint_source_id",
                   "How a customer came to know the business."),
        _code_list("AddressType", "address_type", "address_type_id", "A kind of address (invoicing, delivery).",
                   _int("reserved")),
        _code_list("SalesEntryType", "sales_entry_type", "entry_type_id",
                   "A kind of sales document (invoice, delivery note, order) with its numbering series.",
                   _s("series", 20, description="The series its documents are numbered in"),
                   Field("kind", T.INT, default=0, enum="CommercialEntryKind")),
        _code_list("ActivityType", "activity_type", "activity_type_id", "A kind of CRM activity (call, visit)."),
    )
    catalog.add(Entity("Activity", "activity", "activity_id", [
        _id("activity_id"),
        Field("activity_number", T.INT, unique=True, system=True,
              description="The activity's number (Synergist's activityID), given on every create"),
        _ref("activity_type_id", "ActivityType"),
        _ref("creator_id", "Staff", system=True),
        _ref("owner_id", "Staff"),
        _ref("debtor_id", "Debtor"),
        _ref("contact_name_id", "DebtorContactName"),
        _ref("origin_activity_id", "Activity"),
        _s("reference_num", 60),
        _s("subject", 200, required=True),
        Field("description", T.TEXT),
        _dt("start_date"), _dt("due_date"),
        Field("status", T.INT, default=0, enum="ActivityStatus"),
    ], description="A CRM activity: a call, a visit, a task, about a customer.",
        indexes=[("debtor_id", "start_date")], debtor_field="debtor_id"))


def _add_sales_document(catalog: Catalog, kind: str, key: str, line_key: str, history_key: str,
                        status_enum: str) -> None:
    number = "invoice_no" if kind == "SalesOrder" else "quote_no"
    catalog.add(Entity(
        kind, "sales_order" if kind == "SalesOrder" else "sales_quote", key,
        [
            _id(key),
            _s(number, 20, unique=True, system=True),
            _ref("debtor_id", "Debtor", required=True),
            _s("order_no", 60), _s("so_reference", 60),
            Field("status", T.INT, default=0, enum=status_enum, debtor_readonly=True),
            _bool("credit_note", debtor_readonly=True),
            _dt("initiated_date", system=True),
            _dt("invoice_init_date", debtor_readonly=True),
            _dt("expected_delivery_date"),
            _ref("staff_id", "Staff", system=True),
            _ref("logical_id", "Warehouse"),
            _ref("branch_id", "Branch"),
            _s("debtor_contact_name", 100),
            _s("delivery_addressee", 200), *_address("delivery_"),
            _s("delivery_country", 60), Field("delivery_notes", T.TEXT), _s("delivery_courier_details", 200),
            # Freight is charged by the seller; a customer cannot set it.
            _money("cartage1_ex_gst", debtor_readonly=True), _money("cartage2_ex_gst", debtor_readonly=True),
            _money("cartage3_ex_gst", debtor_readonly=True),
            _float("cartage_gst_rate", default=10.0, debtor_readonly=True),
            _money("invoice_total", system=True),
            _int("current_history_no", 1, system=True),
            _ref("source_quote_id", "SalesQuote", system=True) if kind == "SalesOrder" else
            _dt("expiry_date"),
            # What kind of document it is, for whom in the group, and how it is numbered on paper.
            _ref("entry_type_id", "SalesEntryType", debtor_readonly=True),
            _ref("company_id", "Company", debtor_readonly=True),
            _ref("company_site_id", "CompanySite", debtor_readonly=True),
            _ref("currency_id", "Currency"),
            _s("trade_code", 60, index=True, system=True,
               description="The document's printed number: type, series and number"),
            _s("trade_entry_id", 36, system=True),
            _dt("official_date", debtor_readonly=True),
            _s("fiscal_year", 10, system=True),
            _int("origin", 0, debtor_readonly=True), _int("source_type", 0, debtor_readonly=True),
            _bool("is_official", True, debtor_readonly=True), _bool("printed", debtor_readonly=True),
            _bool("emailed", debtor_readonly=True), _bool("intercompany", debtor_readonly=True),
            _bool("ledger_posted", debtor_readonly=True),
        ],
        children=[
            # Deliveries are the seller's business: a customer can neither add nor change one.
            Child("histories", f"{kind}History", key, order_by=("history_no",), debtor_readonly=True),
            Child("lines", f"{kind}Line", key, order_by=("item_no",)),
            # The seller's notes and fields: a customer's request cannot write them.
            _notes(kind, debtor_readonly=True),
            _custom_values(kind, debtor_readonly=True),
        ],
        description="A customer's order for goods." if kind == "SalesOrder" else
        "A price offered to a customer, which may become a sales order.",
        indexes=[("debtor_id", number), ("status", number), ("invoice_init_date",)],
        debtor_field="debtor_id",
    ))
    catalog.add(Entity(f"{kind}History", f"{catalog.entities[kind].table}_history", history_key, [
        _id(history_key),
        _ref(key, kind, system=True),
        _int("history_no", 1, system=True),
        Field("status", T.INT, default=0, enum=status_enum, system=True),
        _s("ref", 60),
        _money("history_total", system=True),
        _dt("record_date", system=True),
        _dt("date_created", system=True),
        _dt("date_last_saved", system=True),
        _s("last_modified_by", 60, system=True),
        _bool("delivered"), _dt("delivered_date"),
        _s("consignment_note", 100),
        Field("notes", T.TEXT),
    ], root=False, description=f"One delivery (history) of a {kind}; lines belong to one."))
    catalog.add(Entity(f"{kind}Line", f"{catalog.entities[kind].table}_line", line_key, [
        _id(line_key),
        _ref(key, kind, system=True),
        # Which delivery the line belongs to (the current one unless said); a customer cannot choose.
        _ref(history_key, f"{kind}History", debtor_readonly=True),
        _int("item_no", system=True),
        _ref("inventory_id", "InventoryItem"),
        _s("part_no", 60),
        _s("description", 200),
        _bool("comment_line"),
        Field("comment_text", T.TEXT),
        _float("quantity_ordered"),
        _float("quantity_this_del", debtor_readonly=True),
        _float("quantity_back_ord", debtor_readonly=True),
        _money("price_ex_gst", **_LINE_PRICING_HIDDEN),
        _money("price_inc_gst", **_LINE_PRICING_HIDDEN),
        _money("discounted_price", debtor_readonly=True),
        _float("discounted_percentage", **_LINE_PRICING_HIDDEN),
        _money("discount_given", **_LINE_PRICING_HIDDEN, system=True),
        _float("tax_rate", debtor_readonly=True),
        _money("tax_to_charge", debtor_readonly=True, system=True),
        _money("unit_cost", **_LINE_PRICING_HIDDEN),
        _bool("fix_price", debtor_readonly=True), _bool("fix_sell_price", debtor_readonly=True),
        _money("line_total", system=True),
        _bool("non_inventory"),
    ], root=False, description=f"A line of a {kind}.",
        children=[_custom_values(f"{kind}Line", debtor_readonly=True)]))


def _add_views(catalog: Catalog) -> None:
    def cols(*pairs: tuple[str, str]) -> list[ViewColumn]:
        return [ViewColumn(name, source) for name, source in pairs]

    order_common = (
        ("InvoiceNo", "invoice_no"), ("OrderNo", "order_no"),
        ("InvoiceInitDate", "invoice_init_date"), ("Status", "status"),
        ("LastSavedDateTime", "last_saved"), ("InvoiceTotal", "invoice_total"),
        ("DebtorID", "debtor_id"), ("AccountNo", "debtor_id.account_no"), ("DebtorName", "debtor_id.name"),
        ("IN_LogicalID", "logical_id"), ("LogicalWarehouseDescription", "logical_id.description"),
        ("PhysicalWarehouseDescription", "logical_id.physical_description"),
        ("BranchID", "branch_id"), ("BranchDescription", "branch_id.description"),
        ("DeliveryAddressContactName", "debtor_contact_name"), ("DeliveryAddressee", "delivery_addressee"),
        ("DeliveryAddress1", "delivery_address1"), ("DeliveryAddress2", "delivery_address2"),
        ("DeliveryAddress3", "delivery_address3"), ("DeliveryAddress4", "delivery_address4"),
        ("DeliveryAddressPostcode", "delivery_postcode"), ("DeliveryAddressCountry", "delivery_country"),
        ("CartageCharge1", "cartage1_ex_gst"), ("CartageCharge2", "cartage2_ex_gst"),
        ("CartageCharge3", "cartage3_ex_gst"), ("CourierDetails", "delivery_courier_details"),
        ("Notes", "delivery_notes"),
        ("StaffID", "staff_id"), ("StaffTitle", "staff_id.title"), ("StaffFirstName", "staff_id.first_name"),
        ("StaffSurname", "staff_id.surname"), ("StaffUsername", "staff_id.username"),
    )
    catalog.add(View(
        "SalesOrderList", "SalesOrder",
        cols(("InvoiceID", "invoice_id"), ("SOReference", "so_reference"), ("CreditNote", "credit_note"),
             ("EmailAddress", "debtor_id.email_address"), *order_common),
        default_sort=("InvoiceNo",), debtor_column="DebtorID",
        description="Sales orders with their debtor, warehouse, branch and staff.",
    ))
    catalog.add(View(
        "SalesQuoteList", "SalesQuote",
        cols(("InvoiceID", "quote_id"), ("QOReference", "so_reference"),
             *[(n, s.replace("invoice_no", "quote_no")) for n, s in order_common]),
        default_sort=("InvoiceNo",), debtor_column="DebtorID",
        description="Sales quotes with their debtor, warehouse, branch and staff.",
    ))
    catalog.add(View(
        "DebtorList", "Debtor",
        cols(("DebtorID", "debtor_id"), ("AccountNo", "account_no"), ("Name", "name"),
             ("AltAccountNo", "alt_account_no"), ("Address1", "address1"), ("Address2", "address2"),
             ("Address3", "address3"), ("Address4", "address4"), ("PostCode", "postcode"),
             ("Country", "country"), ("Phone", "phone"), ("AccountOnHold", "account_on_hold"),
             ("EmailAddress", "email_address"), ("CurrentBalance", "current_balance"),
             ("WebAccess", "web_access"), ("LastSavedDateTime", "last_saved"),
             ("TradingStatus", "trading_status"), ("DebtorClassificationID", "classification_id"),
             ("ClassificationDescription", "classification_id.description"),
             ("PriceSchemeID", "price_scheme_id"), ("PriceSchemeDescription", "price_scheme_id.description")),
        default_sort=("AccountNo",), debtor_column="DebtorID",
        description="Debtors with their classification and price scheme.",
    ))
    catalog.add(View(
        "InventoryItemList", "InventoryItem",
        cols(("InventoryID", "inventory_id"), ("PartNo", "part_no"), ("Description", "description"),
             ("Picture", "picture"), ("AvailableStock", "available_stock"), ("SellPrice", "default_price"),
             ("RRPPrice", "rrp_price"), ("LastSavedDateTime", "last_saved")),
        default_sort=("PartNo",),
        description="Inventory items with their selling price and stock.",
    ))
    catalog.add(View(
        "DebtorTransactionList", "DebtorTransaction",
        cols(("TransID", "trans_id"), ("DebtorID", "debtor_id"), ("AccountNo", "debtor_id.account_no"),
             ("DebtorName", "debtor_id.name"), ("DebitCredit", "debit_credit"), ("Source", "source"),
             ("Ref", "ref"), ("Remark", "remark"), ("TranDate", "tran_date"), ("DueDate", "due_date"),
             ("InvRemitNo", "inv_remit_no"), ("Amount", "amount"), ("AllocatedAmount", "allocated_amount"),
             ("GSTAmount", "gst_amount"), ("LastSavedDateTime", "last_saved")),
        default_sort=("TranDate",), debtor_column="DebtorID",
        description="Transactions on debtors' accounts.",
    ))
    # The raw table listings (Jiwa's SO_Main, DB_Main, IN_Main) use the legacy column names.
    catalog.add(View(
        "SO_Main", "SalesOrder",
        cols(("InvoiceID", "invoice_id"), ("LastSavedDateTime", "last_saved"), ("DebtorID", "debtor_id"),
             ("StaffID", "staff_id"), ("InvoiceNo", "invoice_no"), ("InvoiceInitDate", "invoice_init_date"),
             ("OrderNo", "order_no"), ("InvoiceTotal", "invoice_total"),
             ("CurrentHistoryNo", "current_history_no"), ("Status", "status"), ("CreditNote", "credit_note"),
             ("IN_LogicalID", "logical_id"), ("BranchID", "branch_id"), ("SOReference", "so_reference"),
             ("DebtorContactName", "debtor_contact_name"), ("ExpectedDeliveryDate", "expected_delivery_date")),
        default_sort=("InvoiceNo",), debtor_column="DebtorID",
    ))
    catalog.add(View(
        "DB_Main", "Debtor",
        cols(("DebtorID", "debtor_id"), ("LastSavedDateTime", "last_saved"), ("AccountNo", "account_no"),
             ("Name", "name"), ("Address1", "address1"), ("Address2", "address2"), ("Address3", "address3"),
             ("Address4", "address4"), ("PostCode", "postcode"), ("Phone", "phone"), ("Fax", "fax"),
             ("EmailAddress", "email_address"), ("CreditLimit", "credit_limit"),
             ("AccountOnHold", "account_on_hold"), ("CurrentBalance", "current_balance"),
             ("Period1", "period1_balance"), ("Period2", "period2_balance"), ("Period3", "period3_balance"),
             ("Period4", "period4_balance"), ("AltAccountNo", "alt_account_no"),
             ("ClassificationID", "classification_id"), ("TradingStatus", "trading_status"),
             ("TermsDays", "terms_days"), ("ABN", "abn"), ("ACN", "acn"), ("TradingName", "trading_name"),
             ("CompanyName", "company_name"), ("WebAccess", "web_access"), ("IsCashOnly", "is_cash_only"),
             ("PriceSchemeID", "price_scheme_id"), ("ParentDebtorID", "parent_debtor_id"),
             ("Country", "country")),
        default_sort=("AccountNo",), debtor_column="DebtorID",
    ))
    catalog.add(View(
        "IN_Main", "InventoryItem",
        cols(("InventoryID", "inventory_id"), ("LastSavedDateTime", "last_saved"), ("PartNo", "part_no"),
             ("Description", "description"), ("Units", "unit_measure"), ("PhysicalItem", "physical_item"),
             ("Discountable", "discountable"), ("Status", "status"), ("DefaultPrice", "default_price"),
             ("RRPPrice", "rrp_price"), ("LCost", "l_cost"), ("SCost", "s_cost"),
             ("DecimalPlaces", "decimal_places"), ("Weight", "weight"), ("Cubic", "cubic"),
             ("Aux1", "aux1"), ("Aux2", "aux2"), ("Aux3", "aux3"), ("Aux4", "aux4"), ("Aux5", "aux5"),
             ("BackOrderable", "back_orderable"), ("StandardCost", "standard_cost"),
             ("WebEnabled", "web_enabled"), ("GSTOutwardsID", "tax_outwards_id"),
             ("SellPriceIncTax", "sell_price_inc_tax"), ("Picture", "picture")),
        default_sort=("PartNo",),
    ))


CATALOG = build_catalog()
