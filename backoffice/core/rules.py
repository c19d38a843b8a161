"""Business rules run before every write: defaults, numbering, pricing and totals."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .auth import Principal
from .catalog import CATALOG
from .clock import now
from .errors import Conflict, FieldError
from .numbering import next_change, next_number, reserve
from .records import GIVEN, Doc, Notice, RuleContext, delete_guard, new_key, rule
from .store.tables import ENTITY_TABLES

_inventory = ENTITY_TABLES["InventoryItem"]
_debtor_price = ENTITY_TABLES["InventoryDebtorPrice"]
_tax = ENTITY_TABLES["TaxRate"]
_note_type = ENTITY_TABLES["NoteType"]
_custom_field = ENTITY_TABLES["CustomField"]
_warehouse = ENTITY_TABLES["Warehouse"]
_branch = ENTITY_TABLES["Branch"]
_debtor = ENTITY_TABLES["Debtor"]
_contact = ENTITY_TABLES["DebtorContactName"]
_delivery = ENTITY_TABLES["DebtorDeliveryAddress"]
_company = ENTITY_TABLES["Company"]
_company_site = ENTITY_TABLES["CompanySite"]
_currency = ENTITY_TABLES["Currency"]
_entry_type = ENTITY_TABLES["SalesEntryType"]

DEFAULT_TAX_RATE = 10.0


def _given(item: Doc, name: str) -> bool:
    return name in item.get(GIVEN, ())


def price_for(conn: Connection, inventory_id: str, debtor_id: str | None) -> float:
    """The pricing scheme: a debtor's own price for the item, else the item's default price."""
    if debtor_id:
        special = conn.execute(sa.select(_debtor_price.c.price).where(
            _debtor_price.c.inventory_id == inventory_id, _debtor_price.c.debtor_id == debtor_id)).scalar()
        if special is not None:
            return float(special)
    price = conn.execute(sa.select(_inventory.c.default_price)
                         .where(_inventory.c.inventory_id == inventory_id)).scalar()
    return float(price or 0.0)


def _tax_rate(conn: Connection, tax_id: str | None) -> float:
    query = sa.select(_tax.c.rate)
    query = query.where(_tax.c.tax_id == tax_id) if tax_id else query.where(_tax.c.is_default.is_(True))
    rate = conn.execute(query.limit(1)).scalar()
    return DEFAULT_TAX_RATE if rate is None else float(rate)


def _first(conn: Connection, column: sa.ColumnElement[Any]) -> Any:
    return conn.execute(sa.select(column).order_by(column).limit(1)).scalar()


def complete_notes(ctx: RuleContext, owner_type: str, notes: list[Doc]) -> None:
    """Number notes, stamp who wrote them, and give untyped ones the default note type."""
    default_type = None
    next_line = max((n.get("line_no") or 0 for n in notes), default=0) + 1
    for note in notes:
        if note.get(GIVEN) is None and note.get("line_no"):
            continue  # an untouched existing note
        if not note.get("note_type_id"):
            if default_type is None:
                default_type = ctx.conn.execute(
                    sa.select(_note_type.c.note_type_id)
                    .where(_note_type.c.owner_type == owner_type)
                    .order_by(_note_type.c.default_type.desc(), _note_type.c.item_no).limit(1)
                ).scalar()
            note["note_type_id"] = default_type
        if not note.get("line_no"):
            note["line_no"] = next_line
            next_line += 1
        note["last_modified_by_staff_id"] = ctx.actor.staff_id or None
        note["last_saved"] = now()


def check_custom_values(ctx: RuleContext, owner_type: str, values: list[Doc], prefix: str) -> None:
    """Every custom value must name a custom field defined for this kind of record."""
    if not values:
        return
    wanted = {v.get("setting_id") for v in values}
    known = set(ctx.conn.execute(sa.select(_custom_field.c.setting_id).where(
        _custom_field.c.owner_type == owner_type, _custom_field.c.setting_id.in_(wanted))).scalars())
    for i, value in enumerate(values):
        if value.get("setting_id") not in known:
            ctx.errors.append(FieldError(f"{prefix}custom_field_values[{i}].setting_id", "NotFound",
                                         f"No {owner_type} custom field with SettingID {value.get('setting_id')}"))


@rule("Debtor", "InventoryItem")
def notes_and_custom_fields(ctx: RuleContext) -> None:
    complete_notes(ctx, ctx.entity.name, ctx.new.get("notes", []))
    check_custom_values(ctx, ctx.entity.name, ctx.new.get("custom_field_values", []), "")


@rule("NoteType")
def one_default_note_type(ctx: RuleContext) -> None:
    """Each kind of record has one default note type: making one the default unmakes the others."""
    if ctx.new.get("default_type") and not (ctx.old or {}).get("default_type"):
        ctx.conn.execute(_note_type.update().where(
            _note_type.c.owner_type == ctx.new["owner_type"], _note_type.c.note_type_id != ctx.new["note_type_id"],
            _note_type.c.default_type.is_(True)).values(default_type=False, revision=_note_type.c.revision + 1,
                                                        last_saved=now(), change_no=next_change(ctx.conn)))


@rule("Debtor")
def debtor_defaults(ctx: RuleContext) -> None:
    new = ctx.new
    if ctx.creating and not new.get("commence_date"):
        new["commence_date"] = now()
    contacts = new.get("contact_names", [])
    if contacts and not any(c.get("default_contact") for c in contacts):
        contacts[0]["default_contact"] = True
    addresses = new.get("delivery_addresses", [])
    if addresses and not any(a.get("is_default") for a in addresses):
        addresses[0]["is_default"] = True


@rule("Debtor", "DebtorContactName")
def contact_numbers(ctx: RuleContext) -> None:
    """Every contact gets the next contact number (Symphony's ContactId) when it is made, through
    whichever API: on its own, or as one of a debtor's contact names."""
    contacts = [ctx.new] if ctx.entity.name == "DebtorContactName" else ctx.new.get("contact_names", [])
    for contact in contacts:
        if contact.get("contact_number") is None:
            contact["contact_number"] = int(next_number(ctx.conn, "Contact"))


@rule("SalesOrder", "SalesQuote")
def sales_document(ctx: RuleContext) -> None:
    """Numbering, history, debtor defaults, line pricing and totals of orders and quotes."""
    kind = ctx.entity.name
    new, conn = ctx.new, ctx.conn
    _only_entered_documents_change(ctx)
    history_entity = CATALOG.entity(f"{kind}History")
    history_key = history_entity.key
    stamp = now()

    if ctx.creating:
        new["invoice_no" if kind == "SalesOrder" else "quote_no"] = next_number(conn, kind)
        new["initiated_date"] = stamp
        if not new.get("invoice_init_date"):
            new["invoice_init_date"] = stamp
        new["staff_id"] = ctx.actor.staff_id or None
        if not new.get("logical_id"):
            new["logical_id"] = _first(conn, _warehouse.c.logical_id)
        if not new.get("branch_id"):
            new["branch_id"] = _first(conn, _branch.c.branch_id)
        _group_defaults(conn, new, number=new["invoice_no" if kind == "SalesOrder" else "quote_no"],
                        order=kind == "SalesOrder")

    debtor_changed = ctx.creating or (ctx.old or {}).get("debtor_id") != new.get("debtor_id")
    if debtor_changed and new.get("debtor_id"):
        _debtor_delivery_defaults(conn, new)

    histories = new.setdefault("histories", [])
    if not histories:
        histories.append({history_key: new_key(), "history_no": 1, "status": new.get("status", 0),
                          "date_created": stamp, "record_date": stamp, GIVEN: set()})
    # A history added in this write (it carries GIVEN) is the next delivery.
    numbers = [h.get("history_no") or 0 for h in histories if h.get(GIVEN) is None]
    for history in histories:
        if history.get(GIVEN) is not None:
            history["history_no"] = max(numbers, default=0) + 1
            numbers.append(history["history_no"])
            history["date_created"] = history.get("date_created") or stamp
            history["record_date"] = history.get("record_date") or stamp
    current = max(histories, key=lambda h: h.get("history_no") or 0)
    new["current_history_no"] = current.get("history_no") or 1
    current["status"] = new.get("status", 0)
    current["date_last_saved"] = stamp
    current["last_modified_by"] = ctx.actor.username

    lines = new.get("lines", [])
    known_histories = {h[history_key] for h in histories}
    for i, line in enumerate(lines):
        if line.get(history_key) not in known_histories:
            line[history_key] = current[history_key]
        line["item_no"] = i + 1
        if ctx.actor.is_debtor and (line.get("quantity_ordered") or 0) < 0:
            ctx.errors.append(FieldError(f"lines[{i}].quantity_ordered", "GreaterThanOrEqual",
                                         "QuantityOrdered must not be negative"))
        _complete_line(ctx, kind, line, new.get("debtor_id"))
        check_custom_values(ctx, f"{kind}Line", line.get("custom_field_values", []), f"lines[{i}].")

    for history in histories:
        history["history_total"] = round(sum(
            line.get("line_total") or 0.0 for line in lines if line.get(history_key) == history[history_key]), 2)
    cartage = sum((new.get(f"cartage{i}_ex_gst") or 0.0) + cartage_gst(new, i) for i in (1, 2, 3))
    new["invoice_total"] = round(sum(line.get("line_total") or 0.0 for line in lines) + cartage, 2)
    complete_notes(ctx, kind, new.get("notes", []))
    check_custom_values(ctx, kind, new.get("custom_field_values", []), "")


ENTERED = 0
CLOSED = 1


def cartage_gst(doc: Doc, n: int) -> float:
    """The GST on a sales document's n-th cartage (freight) charge, in cents as charged."""
    return round((doc.get(f"cartage{n}_ex_gst") or 0.0) * (doc.get("cartage_gst_rate") or 0.0) / 100, 2)


def _business_content(entity_name: str, doc: Doc) -> tuple[Any, ...]:
    """What a sales document says, apart from its status, notes and custom fields."""
    entity = CATALOG.entity(entity_name)
    header = tuple((f.name, doc.get(f.name)) for f in entity.fields if not f.system and f.name != "status")
    children = []
    for collection in ("lines", "histories"):
        child = CATALOG.entity(entity.child(collection).entity)
        children.append(tuple(
            tuple((f.name, item.get(f.name)) for f in child.fields if not f.system)
            for item in doc.get(collection, [])))
    return header, tuple(children)


def _only_entered_documents_change(ctx: RuleContext) -> None:
    """An order or quote that is no longer Entered (processed, ordered, closed) is settled: only
    staff may change it, and only to close it or to add notes."""
    old = ctx.old
    if old is None or old.get("status") == ENTERED:
        # Processed or Ordered only through the business operation that does the rest of it
        # (charging the debtor, making the order); an edit may only close.
        if ctx.new.get("status") not in (ENTERED, CLOSED) and ctx.action is None:
            state = CATALOG.enums[ctx.entity.field("status").enum or ""].by_code(ctx.new["status"]).name
            raise Conflict(f"A {ctx.entity.name} becomes {state} by its operation (Process, MakeOrder), "
                           "not by an edit", code="InvalidOrderState")
        return
    state = CATALOG.enums[ctx.entity.field("status").enum or ""].by_code(old["status"]).name
    number = old.get("invoice_no") or old.get("quote_no")
    if ctx.actor.is_debtor:
        raise Conflict(f"{ctx.entity.name} {number} is {state} and can no longer be changed", code="InvalidOrderState")
    if ctx.new.get("status") not in (old["status"], CLOSED):
        raise Conflict(f"{ctx.entity.name} {number} is {state}; it can only be closed", code="InvalidOrderState")
    if _business_content(ctx.entity.name, ctx.new) != _business_content(ctx.entity.name, old):
        raise Conflict(f"{ctx.entity.name} {number} is {state}; only its status and notes can change",
                       code="InvalidOrderState")


ORDER_KIND = 2  # CommercialEntryKind.Order


def _first_of(column: sa.ColumnElement[Any], *where: sa.ColumnElement[bool], order: Any = ()) -> Any:
    """A scalar subquery: ``column`` of the first row (by ``order``) matching ``where``."""
    ordering = order if isinstance(order, tuple) else (order,)
    return sa.select(column).where(*where).order_by(*ordering).limit(1).scalar_subquery()


# The first kind of order, company and currency: what a document gets when it names none.
_GROUP_DEFAULTS = sa.select(
    _first_of(_entry_type.c.entry_type_id, _entry_type.c.kind == ORDER_KIND, order=_entry_type.c.code)
    .label("entry_type_id"),
    _first_of(_company.c.company_id, order=_company.c.code).label("company_id"),
    _first_of(_currency.c.currency_id, order=_currency.c.code).label("currency_id"),
)
# A company's primary site, and the code and series of a kind of document.
_SITE_AND_TYPE = sa.select(
    _first_of(_company_site.c.site_id, _company_site.c.company_id == sa.bindparam("company"),
           order=(_company_site.c.is_primary.desc(), _company_site.c.code)).label("site_id"),
    _first_of(_entry_type.c.code, _entry_type.c.entry_type_id == sa.bindparam("entry_type")).label("code"),
    _first_of(_entry_type.c.series, _entry_type.c.entry_type_id == sa.bindparam("entry_type")).label("series"),
)


def _group_defaults(conn: Connection, doc: Doc, number: str, order: bool) -> None:
    """Which company and site a new document is for, its kind, currency, printed number and fiscal year.

    A document entered without them (e.g. through an API that has no notion of companies) goes
    to the first company's primary site, in the first currency; an order is of the first kind of
    sales document that is an order.
    """
    # Two statements (not five): every new order asks, and writers wait on one another.
    defaults = conn.execute(_GROUP_DEFAULTS).one()
    if order and not doc.get("entry_type_id"):
        doc["entry_type_id"] = defaults.entry_type_id
    if not doc.get("company_id"):
        doc["company_id"] = defaults.company_id
    if not doc.get("currency_id"):
        doc["currency_id"] = defaults.currency_id
    chosen = conn.execute(_SITE_AND_TYPE, {"company": doc.get("company_id"),
                                           "entry_type": doc.get("entry_type_id")}).one()
    if doc.get("company_id") and not doc.get("company_site_id"):
        doc["company_site_id"] = chosen.site_id
    if not doc.get("trade_code"):
        doc["trade_code"] = (f"{chosen.code} - {chosen.series or chosen.code} - {number}"
                             if chosen.code is not None else number)
    if not doc.get("official_date"):
        doc["official_date"] = doc.get("invoice_init_date")
    if not doc.get("fiscal_year") and doc.get("invoice_init_date"):
        doc["fiscal_year"] = str(doc["invoice_init_date"].year)
    if not doc.get("trade_entry_id"):
        doc["trade_entry_id"] = str(uuid.uuid4())


def _tin_is_valid(tin: str) -> bool:
    """The Greek tax number check: nine digits, the last a weighted check digit of the first eight."""
    if len(tin) != 9 or not tin.isdigit() or tin == "000000000":
        return False
    total = sum(int(d) * 2 ** (8 - i) for i, d in enumerate(tin[:8]))
    return total % 11 % 10 == int(tin[8])


@rule("Activity")
def activity_creator(ctx: RuleContext) -> None:
    if ctx.creating:
        ctx.new["creator_id"] = ctx.actor.staff_id or None
        if not ctx.new.get("owner_id"):
            ctx.new["owner_id"] = ctx.actor.staff_id or None
        if ctx.new.get("activity_number") is None:
            ctx.new["activity_number"] = int(next_number(ctx.conn, "Activity"))


def _company_number(conn: Connection, code: str) -> int:
    """A new company's number: its code when that is a free number (Galaxy's 001 is company 1), else
    the next free one."""
    company = ENTITY_TABLES["Company"]

    def free(number: int) -> bool:
        return conn.execute(sa.select(company.c.company_id).where(company.c.number == number)).first() is None

    if code.isdigit() and 0 < int(code) < 2**31 and free(int(code)):
        return int(code)
    number = int(next_number(conn, "Company"))
    while not free(number):
        number = int(next_number(conn, "Company"))
    return number


@rule("Company")
def company_rules(ctx: RuleContext) -> None:
    """A company's tax number is checked (a warning, not a refusal) and it always has a site."""
    new = ctx.new
    if ctx.creating and new.get("number") is None:
        new["number"] = _company_number(ctx.conn, (new.get("code") or "").strip())
    tin = (new.get("tin") or "").strip()
    if ctx.creating or tin != ((ctx.old or {}).get("tin") or "").strip():
        ctx.notices.append(Notice("Company", "Validation of Tax Identification Number (TIN)."))
        if not tin:
            ctx.notices.append(Notice("Company", "TIN field is left blank."))
        elif not _tin_is_valid(tin):
            ctx.notices.append(Notice("Company", f"TIN {tin} is not a valid tax identification number."))
    sites = new.setdefault("sites", [])
    old_primary = [s for s in (ctx.old or {}).get("sites", []) if s.get("is_primary")]
    if not sites and old_primary:
        # A company always has its head office: a write that leaves out every site keeps it.
        sites.append(copy.deepcopy(old_primary[0]))
    if not sites:
        # Documents are issued from a site: a company is born with its head office.
        sites.append({"site_id": new_key(), "code": "000", "description": new.get("title") or "",
                      "active": 1, "active_date": new.get("active_date"), "is_system": 0, "is_primary": True,
                      "warehouses": [], "locations": [], GIVEN: set()})
        ctx.notices.append(Notice("Warehouse locations", "The array was posted successfully", "Information"))
    elif not any(site.get("is_primary") for site in sites):
        sites[0]["is_primary"] = True


@delete_guard("SalesOrder", "SalesQuote")
def only_entered_documents_are_deleted(conn: Connection, actor: Principal, doc: Doc) -> None:
    if doc.get("status") != ENTERED:
        number = doc.get("invoice_no") or doc.get("quote_no")
        raise Conflict(f"{number} is settled (not Entered) and cannot be deleted; close it instead",
                       code="InvalidOrderState")


def _debtor_delivery_defaults(conn: Connection, doc: Doc) -> None:
    """Fill the delivery address and contact from the debtor where the caller left them empty."""
    debtor_id = doc["debtor_id"]
    address = conn.execute(
        sa.select(_delivery).where(_delivery.c.debtor_id == debtor_id)
        .order_by(_delivery.c.is_default.desc(), _delivery.c.delivery_address_name).limit(1)
    ).first()
    debtor = conn.execute(sa.select(_debtor).where(_debtor.c.debtor_id == debtor_id)).first()
    if address is not None and not doc.get("delivery_address1"):
        doc["delivery_addressee"] = doc.get("delivery_addressee") or address.delivery_address_name
        for i in range(1, 5):
            doc[f"delivery_address{i}"] = getattr(address, f"address{i}")
        doc["delivery_postcode"] = address.postcode
        doc["delivery_country"] = address.country
        doc["delivery_courier_details"] = doc.get("delivery_courier_details") or address.courier_details
    elif debtor is not None and not doc.get("delivery_address1"):
        doc["delivery_addressee"] = doc.get("delivery_addressee") or debtor.name
        for i in range(1, 5):
            doc[f"delivery_address{i}"] = getattr(debtor, f"address{i}")
        doc["delivery_postcode"] = debtor.postcode
        doc["delivery_country"] = debtor.country
    if not doc.get("debtor_contact_name"):
        contact = conn.execute(
            sa.select(_contact.c.first_name, _contact.c.surname).where(_contact.c.debtor_id == debtor_id)
            .order_by(_contact.c.default_contact.desc(), _contact.c.surname).limit(1)).first()
        if contact is not None:
            name = " ".join(p for p in (contact.first_name, contact.surname) if p)
            doc["debtor_contact_name"] = name[:CATALOG.entity("SalesOrder").field("debtor_contact_name").length or None]


def _complete_line(ctx: RuleContext, kind: str, line: Doc, debtor_id: str | None) -> None:
    """Fill a line from its inventory item and price it.

    A new line, or one whose item changed, takes the item's part number, description, cost
    and tax rate; its price comes from the pricing scheme unless the caller gave one.
    """
    conn = ctx.conn
    new_line = line.get(GIVEN) is not None
    old_lines = {x.get(_line_key(kind)): x for x in (ctx.old or {}).get("lines", [])}
    before = old_lines.get(line.get(_line_key(kind)))
    item_changed = new_line or (before is not None and before.get("inventory_id") != line.get("inventory_id"))
    if line.get("comment_line"):
        for name in ("quantity_ordered", "price_ex_gst", "price_inc_gst", "discounted_price", "unit_cost",
                     "tax_to_charge", "line_total", "discount_given"):
            line[name] = 0.0
        line["inventory_id"] = None
        return
    if line.get("inventory_id") and item_changed:
        item = conn.execute(sa.select(_inventory).where(
            _inventory.c.inventory_id == line["inventory_id"])).first()
        if item is not None:
            line["part_no"] = item.part_no
            if not line.get("description"):
                line["description"] = item.description
            if not _given(line, "unit_cost"):
                line["unit_cost"] = float(item.l_cost or 0.0)
            if not _given(line, "tax_rate"):
                line["tax_rate"] = _tax_rate(conn, item.tax_outwards_id)
            if not _given(line, "price_ex_gst") and not line.get("fix_price"):
                line["price_ex_gst"] = price_for(conn, item.inventory_id, debtor_id)
    elif not line.get("inventory_id") and new_line:
        line["non_inventory"] = True
        if not _given(line, "tax_rate"):
            line["tax_rate"] = _tax_rate(conn, None)
    quantity = line.get("quantity_ordered") or 0.0
    if new_line and not _given(line, "quantity_this_del"):
        line["quantity_this_del"] = quantity
    price = line.get("price_ex_gst") or 0.0
    rate = line.get("tax_rate") or 0.0
    percentage = line.get("discounted_percentage") or 0.0
    discounted = round(price * (1 - percentage / 100), 4)
    line["discounted_price"] = discounted
    line["discount_given"] = round((price - discounted) * quantity, 2)
    line["price_inc_gst"] = round(price * (1 + rate / 100), 4)
    line["tax_to_charge"] = round(discounted * rate / 100, 4)
    line["line_total"] = round(quantity * (discounted + line["tax_to_charge"]), 2)


def _line_key(kind: str) -> str:
    return CATALOG.entity(f"{kind}Line").key


_node = ENTITY_TABLES["HierarchyNode"]
_definition = ENTITY_TABLES["MenuItemDefinition"]
_menu_price = ENTITY_TABLES["MenuItemPrice"]


@rule("InventoryItem")
def menu_item_master(ctx: RuleContext) -> None:
    """Every item is a Symphony menu item master: a new one gets its object id and, when an
    organization exists, a place at the first organization's Enterprise with the next object number.
    A changed selling price is the master's main price (sequence 1 of its first definition there)."""
    new, conn = ctx.new, ctx.conn
    if ctx.creating and not new.get("menu_item_id"):
        new["menu_item_id"] = reserve(conn, "SymphonyObject")
        if new.get("hierarchy_id") is None:
            new["hierarchy_id"] = conn.execute(sa.select(
                _first_of(_node.c.id, _node.c.parent_id.is_(None), order=(_node.c.org_id, _node.c.id)))).scalar()
        if new.get("hierarchy_id") is not None and new.get("object_number") is None:
            highest = conn.execute(sa.select(sa.func.max(_inventory.c.object_number))
                                   .where(_inventory.c.hierarchy_id == new["hierarchy_id"])).scalar()
            new["object_number"] = (highest or 0) + 1
    old_price = (ctx.old or {}).get("default_price")
    if not ctx.creating and new.get("default_price") != old_price and new.get("hierarchy_id") is not None:
        first_definition = (sa.select(_definition.c.id).where(
            _definition.c.menu_item_master_id == new.get("menu_item_id"), _definition.c.definition_sequence == 1,
            _definition.c.hierarchy_id == new["hierarchy_id"]).scalar_subquery())
        conn.execute(_menu_price.update().where(
            _menu_price.c.menu_item_def_id == first_definition, _menu_price.c.price_sequence == 1,
            _menu_price.c.hierarchy_id == new["hierarchy_id"],
        ).values(price=new.get("default_price"), revision=_menu_price.c.revision + 1, last_saved=now(),
                 change_no=next_change(conn)))


@delete_guard("InventoryItem")
def menu_item_masters_keep_their_definitions(conn: Connection, actor: Principal, doc: Doc) -> None:
    """An item sold through Symphony menu item definitions is in use by them (as an import that
    deletes a master is refused while it has definitions)."""
    if doc.get("menu_item_id") is not None and conn.execute(sa.select(_definition.c.id).where(
            _definition.c.menu_item_master_id == doc["menu_item_id"]).limit(1)).first() is not None:
        raise Conflict(f"{doc.get('part_no')} is a menu item master with menu item definitions; delete those first",
                       code="RecordInUse")
