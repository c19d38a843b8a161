"""A small, deterministic back office. Docs and tests name its records, so keep its keys stable.

The keys the Jiwa API document uses in its examples are real records here: debtor
``0000000061000000001V``, sales order ``babce67cdbf64f778536`` with line ``88a358a2822e4319b9b9``,
sales order ``5244dd5e199749f4b6fe`` with note ``66581f3f-3efb-4cb5-878c-37f6a55405cf``, part
``1172`` and the line custom field ``1ae102b94dc54dfc8a45``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from ..core import records
from ..core.auth import Principal
from ..core.auth.service import add_user, find_staff
from ..core.records import NEW_KEY
from ..core.store.tables import ENTITY_TABLES
from .events import load_events
from .galaxy import load_galaxy_documents, load_galaxy_reference
from .jobs import load_jobs
from .symphony import create_demo_org, load_symphony

ADMIN_PASSWORD = "password"
SYNERGIST_EXAMPLE_USER = "user"
# Every Synergist module (dialects/synergist/modules), for the example user's permissions.
SYNERGIST_MODULES = ("system", "users", "companies", "clients", "contacts", "jobs", "activities", "views",
                     "tspending", "timesheets", "time", "diary", "calendar")
BASE_DATE = datetime(2026, 1, 5, 9, 0, 0)

DEBTORS = [
    ("0000000061000000001V", "C00001", "Bayside Hardware Pty Ltd", "12 Marine Parade", "St Kilda", "VIC", "3182"),
    ("0000000061000000002V", "C00002", "Northern Building Supplies", "400 Plenty Road", "Preston", "VIC", "3072"),
    ("0000000061000000003V", "C00003", "Coastal Cafe Group", "3 Esplanade", "Cairns", "QLD", "4870"),
    ("0000000061000000004V", "C00004", "Redgum Landscaping", "88 Forest Drive", "Adelaide", "SA", "5000"),
    ("0000000061000000005V", "C00005", "Harbour Electrical", "1 Circular Quay", "Sydney", "NSW", "2000"),
]

ITEMS = [
    ("1172", "Labour - hourly rate", 95.0, 40.0, False),
    ("1170", "Call-out fee", 120.0, 0.0, False),
    ("2001", "Claw hammer 20oz", 32.5, 14.2, True),
    ("2002", "Cordless drill 18V", 249.0, 131.0, True),
    ("2003", "Timber decking screws (box of 500)", 58.0, 21.0, True),
    ("2004", "Safety glasses", 12.95, 3.1, True),
    ("3001", "Garden soil 1m3", 89.0, 45.0, True),
    ("3002", "Native shrub 200mm pot", 17.5, 6.0, True),
]

LINE_SETTING_ID = "1ae102b94dc54dfc8a45"


def _fixed(n: int, prefix: str) -> str:
    """A stable 20-character key."""
    return f"{prefix}{n:0{20 - len(prefix)}d}"


def load_demo(conn: Connection) -> None:
    """Fill an empty database with the demo back office."""
    admin_id = add_user(conn, "Admin", ADMIN_PASSWORD)
    add_user(conn, "Sarah", "sarah-password", first_name="Sarah", surname="Jones")
    # The login the Synergist document's own example URLs use (user=user&password=user), confined to
    # that API, so those URLs work against the demo as written.
    add_user(conn, SYNERGIST_EXAMPLE_USER, SYNERGIST_EXAMPLE_USER, first_name="Example", surname="User",
             permissions=[f"Synergist.{module}" for module in SYNERGIST_MODULES])
    # The Symphony organization first: the items below become its menu item masters.
    create_demo_org(conn)
    admin_row = find_staff(conn, "Admin")
    actor = Principal(kind="staff", staff_id=admin_id, username=admin_row.username)

    def insert(entity: str, **values: Any) -> None:
        conn.execute(ENTITY_TABLES[entity].insert().values(**values))

    def create(entity: str, key: str | None, data: dict[str, Any]) -> dict[str, Any]:
        if key:
            data = {**data, NEW_KEY: key}
        # Loading history: records arrive in the states their operations would have left them in.
        return records.create(conn, actor, entity, data, allow_system=True, action="DemoLoad")

    insert("Warehouse", logical_id="ZZZZZZZZZZ0000000000", description="Main Warehouse",
           physical_description="Melbourne Distribution Centre", revision=1, last_saved=BASE_DATE)
    insert("Warehouse", logical_id="ZZZZZZZZZZ0000000001", description="Sydney Store",
           physical_description="Sydney", revision=1, last_saved=BASE_DATE)
    insert("Branch", branch_id="ZZZZZZZZZZ0000000000", name="HO", description="Head Office", revision=1,
           last_saved=BASE_DATE)
    insert("TaxRate", tax_id="ZZZZZZZZZZ0000000000", description="GST 10%", rate=10.0, is_default=True,
           tax_group="GST", revision=1, last_saved=BASE_DATE)
    insert("TaxRate", tax_id="ZZZZZZZZZZ0000000001", description="GST Free", rate=0.0, is_default=False,
           tax_group="GST", revision=1, last_saved=BASE_DATE)
    insert("DebtorClassification", classification_id="ZZZZZZZZZZ0000000000", description="Default",
           is_default=True, revision=1, last_saved=BASE_DATE)
    insert("DebtorClassification", classification_id="ZZZZZZZZZZ0000000001", description="Trade",
           is_default=False, revision=1, last_saved=BASE_DATE)
    insert("PriceScheme", price_scheme_id="ZZZZZZZZZZ0000000000", description="Default", revision=1,
           last_saved=BASE_DATE)

    for i, owner in enumerate(["Debtor", "InventoryItem", "SalesOrder", "SalesQuote"]):
        insert("NoteType", note_type_id=_fixed(i * 10 + 1, "NT"), owner_type=owner, description="General",
               default_type=True, item_no=1, revision=1, last_saved=BASE_DATE)
        insert("NoteType", note_type_id=_fixed(i * 10 + 2, "NT"), owner_type=owner, description="Delivery",
               default_type=False, item_no=2, revision=1, last_saved=BASE_DATE)

    custom_fields = [
        ("Debtor", _fixed(1, "CF"), "Website", "Text"),
        ("Debtor", _fixed(2, "CF"), "PreferredCourier", "Text"),
        ("InventoryItem", _fixed(3, "CF"), "WarrantyMonths", "Integer"),
        ("SalesOrder", _fixed(4, "CF"), "CustomerApproval", "Text"),
        ("SalesOrderLine", LINE_SETTING_ID, "LineComment", "Text"),
        ("SalesQuote", _fixed(5, "CF"), "QuoteSource", "Text"),
        ("SalesQuoteLine", _fixed(6, "CF"), "LineComment", "Text"),
    ]
    for order, (owner, setting_id, name, cell) in enumerate(custom_fields):
        insert("CustomField", setting_id=setting_id, owner_type=owner, setting_name=name, cell_type=cell,
               display_order=order, plugin_id="ZZZZZZZZZZ0000000000", plugin_name="Demo Custom Fields",
               revision=1, last_saved=BASE_DATE)

    # The Greek companies, document types and lists come first: every order is then for a company.
    load_galaxy_reference(conn, insert, create)

    for n, (key, account, name, street, suburb, state, postcode) in enumerate(DEBTORS, start=1):
        create("Debtor", key, {
            "account_no": account, "name": name, "address1": street, "address2": suburb, "address3": state,
            "postcode": postcode, "country": "Australia", "phone": f"03 9{n}00 1234",
            "email_address": f"accounts@{account.lower()}.example.com", "credit_limit": 5000.0 * n,
            "account_on_hold": n == 5, "classification_id": "ZZZZZZZZZZ0000000001" if n % 2 else
            "ZZZZZZZZZZ0000000000", "price_scheme_id": "ZZZZZZZZZZ0000000000", "abn": f"5100000000{n}",
            "current_balance": 1000.0 * n, "trading_name": name, "commence_date": BASE_DATE - timedelta(days=400),
            "contact_names": [
                {NEW_KEY: _fixed(n * 10 + 1, "CN"), "first_name": "Alex", "surname": f"Buyer{n}",
                 "title": "Mr", "primary_position_name": "Purchasing", "phone": f"04{n}0 000 001",
                 "email_address": f"alex@{account.lower()}.example.com", "default_contact": True},
                {NEW_KEY: _fixed(n * 10 + 2, "CN"), "first_name": "Sam", "surname": f"Payer{n}",
                 "title": "Ms", "primary_position_name": "Accounts", "email_address":
                 f"sam@{account.lower()}.example.com"},
            ],
            "delivery_addresses": [
                {NEW_KEY: _fixed(n * 10 + 1, "DA"), "delivery_address_name": "Warehouse",
                 "delivery_address_code": "WH", "address1": f"Dock {n}, {street}", "address2": suburb,
                 "address3": state, "postcode": postcode, "country": "Australia", "is_default": True},
                {NEW_KEY: _fixed(n * 10 + 2, "DA"), "delivery_address_name": "Site office",
                 "delivery_address_code": "SITE", "address1": f"Site {n}, Industrial Way", "address2": suburb,
                 "address3": state, "postcode": postcode, "country": "Australia"},
            ],
            "notes": [{"note_text": f"{name} prefers deliveries before 10am."}],
            "custom_field_values": [{"setting_id": _fixed(1, "CF"),
                                     "contents": f"https://www.{account.lower()}.example.com"}],
        })

    for n, (part, description, price, cost, physical) in enumerate(ITEMS, start=1):
        create("InventoryItem", _fixed(n, "IN"), {
            "part_no": part, "description": description, "default_price": price, "rrp_price": round(price * 1.2, 2),
            "l_cost": cost, "s_cost": cost, "standard_cost": cost, "physical_item": physical,
            "unit_measure": "Hour" if part == "1172" else "Each", "tax_outwards_id": "ZZZZZZZZZZ0000000000",
            "available_stock": 0.0 if not physical else 25.0 * n, "web_enabled": True,
            "debtor_prices": [{"debtor_id": DEBTORS[1][0], "price": round(price * 0.9, 2)}],
            "notes": [{"note_text": f"{description}: check stock before promising a date."}],
            "custom_field_values": [{"setting_id": _fixed(3, "CF"), "contents": "12" if physical else "0"}],
        })

    orders: list[tuple[str, int, int, list[tuple[str, int, str | None]], list[tuple[str, str | None]]]] = [
        # key, debtor index, status, lines (part, qty, line key), notes
        ("babce67cdbf64f778536", 0, 0, [("1172", 4, "88a358a2822e4319b9b9"), ("2001", 2, None)],
         [("Customer asked for labour on site", None)]),
        ("5244dd5e199749f4b6fe", 0, 0, [("2002", 1, None), ("2004", 6, None)],
         [("Deliver to the site office", "66581f3f-3efb-4cb5-878c-37f6a55405cf")]),
        (_fixed(3, "SO"), 1, 2, [("2003", 10, None), ("1170", 1, None)], []),
        (_fixed(4, "SO"), 1, 1, [("3001", 3, None)], []),
        (_fixed(5, "SO"), 2, 0, [("3002", 20, None), ("1172", 2, None)], [("Quote accepted by phone", None)]),
        (_fixed(6, "SO"), 3, 2, [("3001", 5, None), ("3002", 40, None)], []),
        (_fixed(7, "SO"), 4, 0, [("2002", 2, None)], []),
    ]
    for n, (key, debtor, status, lines, notes) in enumerate(orders, start=1):
        create("SalesOrder", key, {
            "debtor_id": DEBTORS[debtor][0], "order_no": f"PO-{4400 + n}", "so_reference": f"Demo order {n}",
            "status": status, "invoice_init_date": BASE_DATE + timedelta(days=n),
            "expected_delivery_date": BASE_DATE + timedelta(days=n + 7),
            "lines": [
                {**({NEW_KEY: line_key} if line_key else {}), "inventory_id.part_no": part,
                 "quantity_ordered": qty,
                 "custom_field_values": ([{"setting_id": LINE_SETTING_ID, "contents": "Booked by phone"}]
                                         if line_key else [])}
                for part, qty, line_key in lines
            ],
            "notes": [{**({NEW_KEY: note_key} if note_key else {}), "note_text": text} for text, note_key in notes],
            "custom_field_values": [{"setting_id": _fixed(4, "CF"), "contents": "Approved"}] if n == 1 else [],
        })

    quotes: list[tuple[str, int, int, list[tuple[str, int]]]] = [
        (_fixed(1, "QO"), 0, 0, [("2002", 3), ("2004", 10)]),
        (_fixed(2, "QO"), 2, 0, [("3002", 100)]),
        (_fixed(3, "QO"), 3, 1, [("3001", 8), ("1172", 6)]),
    ]
    for n, (key, debtor, status, quote_lines) in enumerate(quotes, start=1):
        create("SalesQuote", key, {
            "debtor_id": DEBTORS[debtor][0], "order_no": f"RFQ-{700 + n}", "so_reference": f"Demo quote {n}",
            "status": status, "invoice_init_date": BASE_DATE + timedelta(days=n),
            "expiry_date": BASE_DATE + timedelta(days=n + 30),
            "lines": [{"inventory_id.part_no": part, "quantity_ordered": qty} for part, qty in quote_lines],
            "notes": [{"note_text": "Prices valid for 30 days."}],
        })

    for n in range(1, 13):
        insert("DebtorTransaction", trans_id=_fixed(n, "TR"), debtor_id=DEBTORS[(n - 1) % len(DEBTORS)][0],
               debit_credit=n % 3 != 0,
               source="SO" if n % 3 else "CR", ref=f"{90000 + n}", remark="Invoice" if n % 3 else "Payment",
               tran_date=BASE_DATE + timedelta(days=n), due_date=BASE_DATE + timedelta(days=n + 30),
               amount=round(150.0 * n, 2), allocated_amount=0.0, gst_amount=round(150.0 * n / 11, 2),
               inv_remit_no=f"{90000 + n}", revision=1, last_saved=BASE_DATE + timedelta(days=n))

    load_galaxy_documents(conn, create, actor)
    load_symphony(conn)
    load_events(conn)
    # Jobs and time (Synergist) last: the records above keep the change numbers they always had.
    load_jobs(conn, actor)
