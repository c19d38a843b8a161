"""The benchmark data set (``backoffice demo --scale N``): what the API shows of it matches what
the business rules would have written, and the same N gives the same rows."""

from __future__ import annotations

import io
from pathlib import Path

import sqlalchemy as sa
from rich.console import Console
from starlette.testclient import TestClient

from backoffice.bootstrap import prepare_database
from backoffice.core import records
from backoffice.core.auth import Principal
from backoffice.core.auth.service import find_staff
from backoffice.core.store import Database
from backoffice.core.store.tables import ENTITY_TABLES, sequence
from backoffice.demo.scale import ITEM_COUNT, ORDERS_PER_DEBTOR, load_scale, order_key

SCALE = 50
JSON = {"Accept": "application/json"}


def _quiet() -> Console:
    return Console(file=io.StringIO())


def _next_number(db: Database) -> int:
    with db.read() as conn:
        query = sa.select(sequence.c.next_value).where(sequence.c.name == "SalesOrder")
        return int(conn.execute(query).scalar_one())


def _order_total(admin: TestClient) -> int:
    response = admin.get("/Queries/SalesOrderList", params={"Include": "Total", "Take": "1"}, headers=JSON)
    assert response.status_code == 200, response.text
    return int(response.json()["Total"])


def test_scale_set_counts_and_totals_through_the_api(db: Database, admin: TestClient) -> None:
    before = _order_total(admin)
    first_number = _next_number(db)
    load_scale(db, SCALE, console=_quiet())

    assert _order_total(admin) == before + SCALE * ORDERS_PER_DEBTOR
    next_number = _next_number(db)
    with db.read() as conn:
        items = conn.execute(sa.select(sa.func.count()).select_from(ENTITY_TABLES["InventoryItem"])
                             .where(ENTITY_TABLES["InventoryItem"].c.inventory_id.like("SIN%"))).scalar()
    assert next_number == first_number + SCALE * ORDERS_PER_DEBTOR
    assert items == ITEM_COUNT

    # The last order, as Admin sees it: numbered last, lines priced as the rules price them.
    key = order_key(SCALE * ORDERS_PER_DEBTOR)
    response = admin.get(f"/SalesOrders/{key}", headers=JSON)
    assert response.status_code == 200, response.text
    order = response.json()
    assert order["InvoiceNo"] == str(next_number - 1)
    lines = order["Lines"]
    assert 1 <= len(lines) <= 4
    assert [line["ItemNo"] for line in lines] == list(range(1, len(lines) + 1))
    for line in lines:
        assert line["QuantityThisDel"] == line["QuantityOrdered"]
        unit = line["DiscountedPrice"] + line["TaxToCharge"]
        assert line["LineTotal"] == round(line["QuantityOrdered"] * unit, 2)

    # The list shows the same order with its total, and counts a debtor's orders correctly.
    response = admin.get("/Queries/SalesOrderList", headers=JSON,
                         params={"InvoiceID": key, "Include": "Total"})
    assert response.status_code == 200, response.text
    listed = response.json()
    assert listed["Total"] == 1
    assert listed["Results"][0]["InvoiceTotal"] == round(sum(line["LineTotal"] for line in lines), 2)
    debtor = order["DebtorID"]
    with db.read() as conn:
        table = ENTITY_TABLES["SalesOrder"]
        expected = conn.execute(sa.select(sa.func.count(), sa.func.sum(table.c.invoice_total))
                                .where(table.c.debtor_id == debtor)).one()
    response = admin.get("/Queries/SalesOrderList", headers=JSON,
                         params={"DebtorID": debtor, "OrderByDesc": "InvoiceNo", "Take": "100",
                                 "Include": "Total"})
    page = response.json()
    assert page["Total"] == expected[0] == len(page["Results"])
    assert round(sum(r["InvoiceTotal"] for r in page["Results"]), 2) == round(expected[1], 2)
    assert page["Results"][0]["InvoiceNo"] == order["InvoiceNo"]


def test_scale_orders_match_what_the_rules_write(db: Database) -> None:
    load_scale(db, SCALE, console=_quiet())
    orders, lines = ENTITY_TABLES["SalesOrder"], ENTITY_TABLES["SalesOrderLine"]
    key = order_key(7)
    with db.write() as conn:
        stored = conn.execute(sa.select(orders).where(orders.c.invoice_id == key)).mappings().one()
        stored_lines = conn.execute(sa.select(lines).where(lines.c.invoice_id == key)
                                    .order_by(lines.c.item_no)).mappings().all()
        admin = find_staff(conn, "Admin")
        actor = Principal(kind="staff", staff_id=admin.staff_id, username=admin.username)
        # The same order entered through the core: its business rules fill in everything else.
        made = records.create(conn, actor, "SalesOrder", {
            "debtor_id": stored["debtor_id"], "status": stored["status"],
            "lines": [{"inventory_id": line["inventory_id"], "quantity_ordered": line["quantity_ordered"],
                       "discounted_percentage": line["discounted_percentage"]} for line in stored_lines],
        })
    assert int(made["invoice_no"]) == int(stored["invoice_no"]) + SCALE * ORDERS_PER_DEBTOR - 7 + 1
    for name in ("invoice_total", "debtor_contact_name", "delivery_addressee", "delivery_address1",
                 "delivery_address2", "delivery_address3", "delivery_postcode", "delivery_country",
                 "staff_id", "logical_id", "branch_id", "current_history_no"):
        assert made[name] == stored[name], name
    assert made["histories"][0]["history_total"] == stored["invoice_total"]
    compared = ("item_no", "part_no", "description", "quantity_this_del", "price_ex_gst", "price_inc_gst",
                "discounted_price", "discount_given", "tax_rate", "tax_to_charge", "unit_cost", "line_total")
    assert [{n: line[n] for n in compared} for line in made["lines"]] == \
        [{n: line[n] for n in compared} for line in stored_lines]


def test_same_scale_gives_the_same_rows_and_loading_twice_adds_nothing(db: Database, tmp_path: Path) -> None:
    other = Database(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        prepare_database(other)
        for database in (db, other):
            load_scale(database, SCALE, console=_quiet())
        load_scale(db, SCALE, console=_quiet())

        def rows(database: Database, table: sa.Table, key: str, prefix: str,
                 skip: set[str]) -> list[tuple[object, ...]]:
            cols = [c for c in table.c if c.name not in skip]
            with database.read() as conn:
                return [tuple(r) for r in conn.execute(sa.select(*cols).where(table.c[key].startswith(prefix))
                                                       .order_by(table.c[key]))]

        # Admin's staff id is random per database; everything else must be identical.
        for entity, key, prefix, skip in (("Debtor", "debtor_id", "SDB", set()),
                                          ("SalesOrder", "invoice_id", "SSO", {"staff_id"}),
                                          ("SalesOrderLine", "invoice_line_id", "SSL", set())):
            table = ENTITY_TABLES[entity]
            mine = rows(db, table, key, prefix, skip)
            assert mine and mine == rows(other, table, key, prefix, skip)
        with db.read() as conn:
            debtors = conn.execute(sa.select(sa.func.count()).select_from(ENTITY_TABLES["Debtor"])
                                   .where(ENTITY_TABLES["Debtor"].c.debtor_id.startswith("SDB"))).scalar()
        assert debtors == SCALE
        orders = rows(db, ENTITY_TABLES["SalesOrder"], "invoice_id", "SSO", set())
        assert len(orders) == SCALE * ORDERS_PER_DEBTOR
    finally:
        other.dispose()
