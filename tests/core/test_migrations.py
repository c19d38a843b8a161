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


def test_synergist_numbers_are_given_to_existing_companies_and_activities(empty_url: str) -> None:
    upgrade(empty_url, "0010")
    engine = sa.create_engine(empty_url)
    with engine.begin() as conn:
        for key, code in (("C2", "004"), ("C1", "001"), ("C3", "HQ")):
            conn.execute(sa.text("INSERT INTO company (company_id, code, title, active, active_date, is_system, "
                                 "revision) VALUES (:k, :c, 'T', 1, '2020-01-01', 0, 1)"), {"k": key, "c": code})
        for key in ("B", "A"):
            conn.execute(sa.text("INSERT INTO activity (activity_id, subject, revision) VALUES (:k, 'Call', 1)"),
                         {"k": key})
    engine.dispose()
    upgrade(empty_url, "head")
    engine = sa.create_engine(empty_url)
    with engine.connect() as conn:
        companies = dict(conn.execute(sa.text("SELECT code, number FROM company")).all())
        activities = dict(conn.execute(sa.text("SELECT activity_id, activity_number FROM activity")).all())
        following = dict(conn.execute(sa.text("SELECT name, next_value FROM sequence")).all())
    engine.dispose()
    assert companies == {"001": 1, "004": 4, "HQ": 5}
    assert activities == {"A": 5001, "B": 5002}
    assert (following["Company"], following["Activity"]) == (6, 5003)
