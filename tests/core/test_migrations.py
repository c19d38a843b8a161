"""Migrations applied to databases that already hold data (an upgrade, not a fresh install)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.core.migrating import upgrade


def test_the_symphony_migration_upgrades_a_database_with_items_in_use(empty_url: str) -> None:
    # 0009 adds the menu-item columns to inventory items, which SQLite does by rebuilding the table:
    # with foreign keys enforced, that failed on every price or order line naming an item.
    upgrade(empty_url, "0008")
    engine = sa.create_engine(empty_url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO debtor (debtor_id, account_no, name, revision) VALUES ('D1', 'A1', 'A', 1)"))
        conn.execute(sa.text("INSERT INTO inventory_item (inventory_id, part_no, description, revision) "
                             "VALUES ('I1', 'P1', 'Widget', 1)"))
        conn.execute(sa.text("INSERT INTO inventory_debtor_price (debtor_price_id, inventory_id, debtor_id) "
                             "VALUES ('DP1', 'I1', 'D1')"))
    engine.dispose()
    upgrade(empty_url, "head")
    engine = sa.create_engine(empty_url)
    with engine.connect() as conn:
        item = conn.execute(sa.text("SELECT part_no, menu_item_id FROM inventory_item")).one()
        price = conn.execute(sa.text("SELECT inventory_id FROM inventory_debtor_price")).scalar()
    engine.dispose()
    assert tuple(item)[0] == "P1" and price == "I1"
