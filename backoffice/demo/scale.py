"""A large, deterministic data set for benchmarks: ``backoffice demo --scale N``.

N debtors (one contact and one delivery address each), a few hundred inventory items and 10*N
sales orders of 1-4 lines and one history each. The rows are exactly what the business rules
in ``core/rules.py`` would have written had each record been created through the API by Admin
(numbering, delivery defaults, line pricing, totals), but they are computed here and bulk
inserted, because going through ``records.create`` one aggregate at a time would take hours
for a million orders.

Same N, same data: one seeded random stream drawn in a fixed order, and fixed 20-character
keys (``SDB…``, ``SSO…``). The only value taken from the database is Admin's staff id (random
per database, and what the rules stamp as the order's staff) and the first free invoice number.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy.engine import Connection

from ..core.catalog import CATALOG
from ..core.numbering import STARTS
from ..core.store import Database
from ..core.store.tables import ENTITY_TABLES, sequence
from . import galaxy
from .data import BASE_DATE

SEED = 20260105
ITEM_COUNT = 300
ORDERS_PER_DEBTOR = 10
# Rows per executemany and per transaction: large enough that per-statement overhead vanishes,
# small enough that an interrupted load loses little and the WAL stays modest.
DEBTOR_BATCH = 5_000
ORDER_BATCH = 10_000

GST = ("ZZZZZZZZZZ0000000000", 10.0)  # the demo's default tax rate
GST_FREE = ("ZZZZZZZZZZ0000000001", 0.0)
WAREHOUSE_ID = "ZZZZZZZZZZ0000000000"  # the first warehouse by key: what the rules default to
BRANCH_ID = "ZZZZZZZZZZ0000000000"
# Orders span the three years up to the demo's base date, numbered in date order.
ORDER_SPAN = timedelta(days=3 * 365)
# Kinds of sales document the orders are (key, code, series), from the Greek demo.
_ENTRY_TYPES = ((galaxy.ORDER, "7000", "ΠΑ"), (galaxy.INVOICE, "6100", "Α6100"),
                (galaxy.INVOICE_DELIVERY, "6201", "A"))


def debtor_key(n: int) -> str:
    """The key of scale debtor ``n`` (1-based)."""
    return _key("SDB", n)


def order_key(n: int) -> str:
    """The key of scale sales order ``n`` (1-based, in invoice number order)."""
    return _key("SSO", n)


def _key(prefix: str, n: int) -> str:
    return f"{prefix}{n:0{20 - len(prefix)}d}"


_FIRST = ["Acme", "Apex", "Banksia", "Blue Gum", "Bright", "Cedar", "Coastal", "Copper", "Eastern", "Golden",
          "Granite", "Harbour", "Highland", "Ironbark", "Jarrah", "Kestrel", "Lakeside", "Metro", "Northern",
          "Oakwood", "Pacific", "Pioneer", "Red Hill", "Riverside", "Silver", "Southern", "Summit", "Wattle",
          "Western", "Yarra"]
_TRADE = ["Hardware", "Building Supplies", "Landscaping", "Electrical", "Plumbing", "Cafe Group", "Joinery",
          "Constructions", "Maintenance", "Roofing", "Timber", "Fencing", "Paving", "Garden Centre",
          "Trade Supplies"]
_SUFFIX = ["Pty Ltd", "Pty Ltd", "Pty Ltd", "& Co", "Group", "Services", ""]
_FIRST_NAMES = ["Alex", "Sam", "Jordan", "Chris", "Taylor", "Morgan", "Jamie", "Casey", "Riley", "Pat", "Lee",
                "Kim", "Robin", "Charlie", "Drew", "Ash"]
_SURNAMES = ["Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Nguyen", "Johnson", "Martin",
             "White",
             "Anderson", "Walker", "Thompson", "Harris", "Lee", "Ryan", "Kelly", "King", "Campbell", "Clarke"]
_POSITIONS = ["Purchasing", "Accounts", "Owner", "Site Manager", "Office Manager"]
_STREETS = ["High Street", "Station Road", "Main Road", "Church Street", "Park Avenue", "Industrial Way",
            "Victoria Street", "George Street", "King Street", "Queen Street", "Beach Road", "Hill Street"]
_PLACES = [("Melbourne", "VIC", "3000"), ("Geelong", "VIC", "3220"), ("Ballarat", "VIC", "3350"),
           ("Sydney", "NSW", "2000"), ("Newcastle", "NSW", "2300"), ("Wollongong", "NSW", "2500"),
           ("Brisbane", "QLD", "4000"), ("Cairns", "QLD", "4870"), ("Townsville", "QLD", "4810"),
           ("Adelaide", "SA", "5000"), ("Perth", "WA", "6000"), ("Hobart", "TAS", "7000"),
           ("Darwin", "NT", "0800"), ("Canberra", "ACT", "2600")]
_PRODUCTS = [("Claw hammer", 20, 60), ("Cordless drill", 120, 450), ("Decking screws", 25, 90),
             ("Safety glasses", 8, 30), ("Garden soil", 40, 120), ("Native shrub", 10, 40),
             ("Extension lead", 15, 60), ("Spirit level", 20, 90), ("Paint roller kit", 12, 45),
             ("Timber sleeper", 25, 80), ("PVC pipe", 10, 50), ("Circuit breaker", 15, 70),
             ("LED downlight", 9, 35), ("Wheelbarrow", 80, 250), ("Ladder", 90, 400), ("Work gloves", 5, 25),
             ("Concrete mix", 8, 20), ("Hinge set", 6, 30), ("Door handle", 20, 120),
             ("Tile adhesive", 18, 60)]
_VARIANTS = ["Standard", "Heavy duty", "Trade", "Compact", "Premium", "Economy", "Pro", "Outdoor",
             "Stainless", "Galvanised", "Black", "White", "Large", "Small", "Medium"]


# What a new order copies from its debtor (``rules._debtor_delivery_defaults``): addressee,
# address1..3, postcode, country, contact name.
Copied = tuple[str, str, str | None, str | None, str | None, str | None, str]


def _defaults(entity: str) -> dict[str, Any]:
    """Every stored field at its catalog default, as ``records.merge`` starts a new document."""
    return {f.name: f.default for f in CATALOG.entity(entity).fields}


def _chunks(total: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(1, total + 1, size):
        yield start, min(start + size - 1, total)


def load_scale(db: Database, n: int, *, console: Console) -> None:
    """Add N debtors, ``ITEM_COUNT`` items and 10*N sales orders to a database holding the demo set.

    Refuses (with a message) when scale data is already present, since the keys would clash.
    """
    if n <= 0:
        console.print("[red]--scale must be a positive number of debtors[/red]")
        return
    debtors = ENTITY_TABLES["Debtor"]
    with db.read() as conn:
        if conn.execute(sa.select(debtors.c.debtor_id).where(debtors.c.debtor_id == debtor_key(1))).first():
            console.print("Scale data is already loaded in this database; nothing was added.")
            return
        staff = ENTITY_TABLES["Staff"]
        admin = conn.execute(sa.select(staff.c.staff_id, staff.c.username)
                             .where(sa.func.lower(staff.c.username) == "admin")).first()
    if admin is None:
        raise RuntimeError("The demo set (with its Admin user) must be loaded before the scale set")

    rng = random.Random(SEED)
    columns = [TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("eta"), TimeRemainingColumn()]
    with Progress(*columns, console=console) as progress:
        debtor_task = progress.add_task("Debtors", total=n)
        item_task = progress.add_task("Inventory items", total=ITEM_COUNT)
        order_task = progress.add_task("Sales orders", total=n * ORDERS_PER_DEBTOR)

        defaults_for_order: list[Copied] = []
        for first, last in _chunks(n, DEBTOR_BATCH):
            with db.write() as conn:
                _tune(db, conn)
                defaults_for_order.extend(_insert_debtors(conn, rng, first, last))
            progress.advance(debtor_task, last - first + 1)

        with db.write() as conn:
            items = _insert_items(conn, rng)
        progress.advance(item_task, ITEM_COUNT)

        total_orders = n * ORDERS_PER_DEBTOR
        line_no = 0
        for first, last in _chunks(total_orders, ORDER_BATCH):
            with db.write() as conn:
                _tune(db, conn)
                line_no = _insert_orders(conn, rng, first, last, total_orders, defaults_for_order, items,
                                         admin.staff_id, admin.username, line_no)
            progress.advance(order_task, last - first + 1)
    console.print(f"Loaded {n:,} debtors, {ITEM_COUNT} inventory items, {total_orders:,} sales orders "
                  f"with {line_no:,} lines.")


def _tune(db: Database, conn: Connection) -> None:
    # The debtor_id indexes are filled in random order; a large page cache keeps those B-tree
    # pages in memory instead of re-reading them for every insert. Per connection, load only.
    if db.is_sqlite:
        conn.exec_driver_sql("PRAGMA cache_size=-1000000")


def _insert_debtors(conn: Connection, rng: random.Random, first: int,
                    last: int) -> list[Copied]:
    """Insert debtors first..last with their contact and delivery address.

    Returns what a new order copies from each debtor (``_debtor_delivery_defaults``):
    (addressee, address1, address2, address3, postcode, country, contact name).
    """
    debtor_base, contact_base, address_base = (_defaults("Debtor"), _defaults("DebtorContactName"),
                                               _defaults("DebtorDeliveryAddress"))
    debtor_rows: list[dict[str, Any]] = []
    contact_rows: list[dict[str, Any]] = []
    address_rows: list[dict[str, Any]] = []
    copied: list[Copied] = []
    for i in range(first, last + 1):
        key = debtor_key(i)
        account = f"D{i:07d}"
        name = " ".join(p for p in (rng.choice(_FIRST), rng.choice(_TRADE), rng.choice(_SUFFIX)) if p)
        town, state, postcode = rng.choice(_PLACES)
        street = f"{rng.randint(1, 400)} {rng.choice(_STREETS)}"
        commenced = BASE_DATE - timedelta(days=rng.randint(400, 3000))
        debtor_rows.append({
            **debtor_base, "debtor_id": key, "account_no": account, "name": name, "trading_name": name,
            "address1": street, "address2": town, "address3": state, "postcode": postcode,
            "country": "Australia",
            "phone": f"0{rng.randint(2, 8)} {rng.randint(9000, 9999)} {rng.randint(1000, 9999)}",
            "email_address": f"accounts@{account.lower()}.example.com",
            "credit_limit": float(rng.choice((0, 2000, 5000, 10000, 25000))),
            "account_on_hold": rng.random() < 0.02, "abn": f"{rng.randint(10**10, 10**11 - 1)}",
            "classification_id": "ZZZZZZZZZZ0000000001" if rng.random() < 0.3 else "ZZZZZZZZZZ0000000000",
            "price_scheme_id": "ZZZZZZZZZZ0000000000", "commence_date": commenced,
            "revision": 1, "last_saved": commenced,
        })
        first_name, surname = rng.choice(_FIRST_NAMES), rng.choice(_SURNAMES)
        contact_rows.append({
            **contact_base, "contact_name_id": _key("SCN", i), "debtor_id": key, "default_contact": True,
            "first_name": first_name, "surname": surname, "primary_position_name": rng.choice(_POSITIONS),
            "phone": f"04{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
            "email_address": f"{first_name.lower()}@{account.lower()}.example.com",
        })
        site = "Warehouse" if rng.random() < 0.6 else "Site office"
        other_street = f"{rng.randint(1, 90)} {rng.choice(_STREETS)}" if site != "Warehouse" else ""
        address1 = other_street or f"Dock 1, {street}"
        address_rows.append({
            **address_base, "delivery_address_id": _key("SDA", i), "debtor_id": key, "is_default": True,
            "delivery_address_name": site, "delivery_address_code": "WH" if site == "Warehouse" else "SITE",
            "address1": address1, "address2": town, "address3": state, "postcode": postcode,
            "country": "Australia",
        })
        copied.append((site, address1, town, state, postcode, "Australia", f"{first_name} {surname}"))
    conn.execute(ENTITY_TABLES["Debtor"].insert(), debtor_rows)
    conn.execute(ENTITY_TABLES["DebtorContactName"].insert(), contact_rows)
    conn.execute(ENTITY_TABLES["DebtorDeliveryAddress"].insert(), address_rows)
    return copied


# What a line copies from its item: (inventory_id, part_no, description, price, cost, tax rate).
Item = tuple[str, str, str, float, float, float]


def _insert_items(conn: Connection, rng: random.Random) -> list[Item]:
    base = _defaults("InventoryItem")
    rows, items = [], []
    for i in range(1, ITEM_COUNT + 1):
        product, low, high = rng.choice(_PRODUCTS)
        description = f"{product} - {rng.choice(_VARIANTS)} #{i}"
        price = round(rng.uniform(low, high), 2)
        cost = round(price * rng.uniform(0.4, 0.7), 2)
        tax_id, rate = GST_FREE if rng.random() < 0.1 else GST
        key = _key("SIN", i)
        stamp = BASE_DATE - timedelta(days=ORDER_SPAN.days + 30)
        rows.append({
            **base, "inventory_id": key, "part_no": f"P{i:05d}", "description": description,
            "default_price": price, "rrp_price": round(price * 1.2, 2), "l_cost": cost, "s_cost": cost,
            "standard_cost": cost, "tax_outwards_id": tax_id, "available_stock": float(rng.randint(0, 500)),
            "revision": 1, "last_saved": stamp,
        })
        items.append((key, f"P{i:05d}", description, price, cost, rate))
    conn.execute(ENTITY_TABLES["InventoryItem"].insert(), rows)
    return items


def _insert_orders(conn: Connection, rng: random.Random, first: int, last: int, total: int,
                   copied: list[Copied],
                   items: list[Item], staff_id: str, username: str, line_no: int) -> int:
    """Insert orders first..last (of ``total``) with their lines and history; returns the last line number.

    Invoice numbers continue the SalesOrder sequence, which is left at the next free number in the
    same transaction, as ``numbering.next_number`` would.
    """
    next_value = conn.execute(sa.select(sequence.c.next_value)
                              .where(sequence.c.name == "SalesOrder")).scalar()
    number = int(next_value) if next_value is not None else STARTS["SalesOrder"]
    order_base, line_base, history_base = (_defaults("SalesOrder"), _defaults("SalesOrderLine"),
                                           _defaults("SalesOrderHistory"))
    span = ORDER_SPAN.total_seconds()
    start = BASE_DATE - ORDER_SPAN
    order_rows, line_rows, history_rows = [], [], []
    debtor_count = len(copied)
    for i in range(first, last + 1):
        d = rng.randrange(debtor_count)
        addressee, address1, address2, address3, postcode, country, contact = copied[d]
        roll = rng.random()
        status = 0 if roll < 0.6 else 2 if roll < 0.95 else 1
        # Numbered in date order, a few minutes apart, as orders arrive through the day.
        stamp = start + timedelta(seconds=int((i - 1) * span / total) + rng.randrange(60))
        invoice_id, history_id = order_key(i), _key("SSH", i)
        # What _group_defaults gives an order of this kind: the first company's head office, in euro.
        entry_type, type_code, series = _ENTRY_TYPES[rng.randrange(len(_ENTRY_TYPES))]
        invoice_total = 0.0
        for item_no in range(1, rng.randint(1, 4) + 1):
            inventory_id, part_no, description, price, cost, rate = items[rng.randrange(len(items))]
            quantity = float(rng.randint(1, 20))
            percentage = 0.0 if rng.random() < 0.8 else float(rng.choice((5, 10, 15)))
            # The same arithmetic, in the same order, as rules._complete_line.
            discounted = round(price * (1 - percentage / 100), 4)
            tax = round(discounted * rate / 100, 4)
            line_total = round(quantity * (discounted + tax), 2)
            invoice_total += line_total
            line_no += 1
            line_rows.append({
                **line_base, "invoice_line_id": _key("SSL", line_no), "invoice_id": invoice_id,
                "invoice_history_id": history_id, "item_no": item_no, "inventory_id": inventory_id,
                "part_no": part_no, "description": description, "quantity_ordered": quantity,
                "quantity_this_del": quantity, "price_ex_gst": price,
                "price_inc_gst": round(price * (1 + rate / 100), 4),
                "discounted_price": discounted, "discounted_percentage": percentage,
                "discount_given": round((price - discounted) * quantity, 2), "tax_rate": rate,
                "tax_to_charge": tax, "unit_cost": cost, "line_total": line_total,
            })
        # Rounded sums, as sales_document rounds history_total and invoice_total (no cartage here).
        invoice_total = round(invoice_total, 2)
        history_rows.append({
            **history_base, "invoice_history_id": history_id, "invoice_id": invoice_id, "history_no": 1,
            "status": status, "history_total": invoice_total, "record_date": stamp, "date_created": stamp,
            "date_last_saved": stamp, "last_modified_by": username,
        })
        order_rows.append({
            **order_base, "invoice_id": invoice_id, "invoice_no": str(number), "debtor_id": debtor_key(d + 1),
            "order_no": f"PO-{rng.randint(10000, 99999)}", "so_reference": f"Order {i}", "status": status,
            "initiated_date": stamp, "invoice_init_date": stamp,
            "expected_delivery_date": stamp + timedelta(days=7), "staff_id": staff_id,
            "logical_id": WAREHOUSE_ID, "branch_id": BRANCH_ID, "debtor_contact_name": contact,
            "delivery_addressee": addressee, "delivery_address1": address1, "delivery_address2": address2,
            "delivery_address3": address3, "delivery_postcode": postcode, "delivery_country": country,
            "invoice_total": invoice_total, "current_history_no": 1, "revision": 1, "last_saved": stamp,
            "entry_type_id": entry_type, "company_id": galaxy.BEST_MARKET, "company_site_id": galaxy.BEST_MARKET_ATHENS,
            "currency_id": galaxy.EURO, "trade_code": f"{type_code} - {series} - {number}",
            "trade_entry_id": _key("STE", i), "official_date": stamp, "fiscal_year": str(stamp.year),
            "origin": 0, "source_type": 0, "is_official": True, "printed": False, "emailed": False,
            "intercompany": False, "ledger_posted": status == 2,
        })
        number += 1
    conn.execute(ENTITY_TABLES["SalesOrder"].insert(), order_rows)
    conn.execute(ENTITY_TABLES["SalesOrderHistory"].insert(), history_rows)
    conn.execute(ENTITY_TABLES["SalesOrderLine"].insert(), line_rows)
    conn.execute(sequence.update().where(sequence.c.name == "SalesOrder").values(next_value=number))
    return line_no
