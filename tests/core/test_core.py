"""The core without HTTP: queries, concurrency, drafts, migrations and the worker."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from backoffice.bootstrap import include_name
from backoffice.core import drafts, errors, query, records
from backoffice.core.auth import Principal
from backoffice.core.catalog import CATALOG
from backoffice.core.jobs.worker import housekeeping
from backoffice.core.store import Database, metadata
from backoffice.core.store.tables import draft

STAFF = Principal(kind="staff", staff_id="", username="tester")
ORDER = "babce67cdbf64f778536"


def test_schema_matches_the_migrations(db: Database) -> None:
    with db.engine.connect() as conn:
        # (Dynamic detail tables, made at run time, are not the migrations' business.)
        diff = compare_metadata(MigrationContext.configure(conn, opts={"include_name": include_name}), metadata)
    assert diff == []


def test_query_is_one_statement_with_joins_filters_sort_and_count(db: Database) -> None:
    q = query.Query(fields=["InvoiceNo", "AccountNo"], filters=[
        query.Filter("AccountNo", query.Op.IN, ["C00001", "C00002"]),
        query.Filter("InvoiceTotal", query.Op.GREATER, 0)], sort=[query.Sort("InvoiceNo", True)], take=2,
        count=True)
    statements: list[str] = []
    sa.event.listen(db.engine, "before_cursor_execute",
                    lambda conn, cursor, statement, *a: statements.append(statement))
    with db.read() as conn:
        page = query.run(conn, STAFF, "SalesOrderList", q)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1 and "JOIN" in selects[0].upper()
    assert page.total == 4
    assert [r["InvoiceNo"] for r in page.rows] == ["100004", "100003"]


# The demo has five Australian debtors (C00001-C00005), two Greek ones (00000002, 000000004) and
# EVENTS, whose contacts are the events' (core/contacts.py).
@pytest.mark.parametrize("op, value, expected", [
    (query.Op.EQUAL, "C00003", 1), (query.Op.NOT_EQUAL, "C00003", 7), (query.Op.LIKE, "0000", 7),
    (query.Op.STARTS_WITH, "C0000", 5), (query.Op.ENDS_WITH, "5", 1), (query.Op.IN, ["C00001", "C00005"], 2),
    (query.Op.NOT_IN, ["C00001"], 7), (query.Op.BETWEEN, ["C00002", "C00004"], 3),
    (query.Op.GREATER, "C00004", 2), (query.Op.GREATER_OR_EQUAL, "C00004", 3), (query.Op.LESS, "C00002", 3),
    (query.Op.LESS_OR_EQUAL, "C00002", 4), (query.Op.IS_NULL, None, 0), (query.Op.IS_NOT_NULL, None, 8),
])
def test_every_operator(db: Database, op: query.Op, value: object, expected: int) -> None:
    with db.read() as conn:
        page = query.run(conn, STAFF, "DebtorList", query.Query(filters=[query.Filter("AccountNo", op, value)],
                                                                count=True))
    assert page.total == expected


@pytest.mark.parametrize("text", ["%", "_", "\\", "Hard%"])
def test_like_treats_wildcards_literally(db: Database, text: str) -> None:
    with db.read() as conn:
        page = query.run(conn, STAFF, "DebtorList", query.Query(
            filters=[query.Filter("Name", query.Op.LIKE, text)], count=True))
    assert page.total == 0


# Seven orders from 2026 and the Galaxy document's nine from 2017 (status Closed, under 600 each).
@pytest.mark.parametrize("column, op, value, expected", [
    ("InvoiceInitDate", query.Op.BETWEEN, ["2026-01-07", "2026-01-09T23:59:59"], 3),
    ("InvoiceInitDate", query.Op.LESS, "2026-01-08T09:00:00+00:00", 11),
    ("InvoiceInitDate", query.Op.GREATER_OR_EQUAL, "2026-01-12T19:00:00+10:00", 1),
    ("CreditNote", query.Op.EQUAL, "false", 16),
    ("CreditNote", query.Op.NOT_EQUAL, True, 16),
    ("InvoiceTotal", query.Op.GREATER, 1000, 1),
    ("InvoiceTotal", query.Op.LESS_OR_EQUAL, 359.37, 10),
    ("InvoiceTotal", query.Op.IN, ["547.8", 0], 1),
    ("Status", query.Op.EQUAL, "Processed", 2),
    ("Status", query.Op.IN, ["Entered", "Closed"], 14),
    ("DebtorName", query.Op.STARTS_WITH, "BAYSIDE", 2),
    ("DebtorName", query.Op.ENDS_WITH, "group", 1),
    ("DebtorName", query.Op.PATTERN, "%cafe%", 1),
])
def test_operators_on_every_kind_of_column(db: Database, column: str, op: query.Op, value: object,
                                           expected: int) -> None:
    with db.read() as conn:
        page = query.run(conn, STAFF, "SalesOrderList", query.Query(
            filters=[query.Filter(column, op, value)], count=True))
    assert page.total == expected


def test_text_matching_is_for_text_only(db: Database) -> None:
    with db.read() as conn, pytest.raises(errors.Invalid) as raised:
        query.run(conn, STAFF, "SalesOrderList",
                  query.Query(filters=[query.Filter("InvoiceTotal", query.Op.LIKE, "5")]))
    assert raised.value.errors[0].code == "InvalidOperator"


def test_concurrent_read_modify_writes_never_lose_an_update(db: Database) -> None:
    """Each writer reads a debtor, adds one to its credit limit and writes it back on the revision
    it read, retrying on Conflict. Without the revision check some increments would be lost."""
    debtor = "0000000061000000004V"
    with db.read() as conn:
        start = records.load(conn, "Debtor", debtor)["credit_limit"]  # type: ignore[index]
    writers, conflicts = 6, []

    def increment() -> None:
        while True:
            with db.read() as conn:
                current = records.load(conn, "Debtor", debtor)
            assert current is not None
            try:
                with db.write() as conn:
                    records.update(conn, STAFF, "Debtor", debtor, {"credit_limit": current["credit_limit"] + 1},
                                   expected_revision=current["revision"])
                return
            except errors.Conflict:
                conflicts.append(1)

    threads = [threading.Thread(target=increment) for _ in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with db.read() as conn:
        assert records.load(conn, "Debtor", debtor)["credit_limit"] == start + writers  # type: ignore[index]


def test_a_stale_revision_is_a_conflict(db: Database) -> None:
    with db.write() as conn:
        old = records.load(conn, "SalesOrder", ORDER)
        assert old is not None
        records.update(conn, STAFF, "SalesOrder", ORDER, {"order_no": "first"})
        entity = CATALOG.entity("SalesOrder")
        new = records.prepare(conn, STAFF, entity, old, {"order_no": "second"})
        with pytest.raises(errors.Conflict):
            records.commit(conn, entity, new, old)


def test_json_patch_and_replace(db: Database) -> None:
    with db.write() as conn:
        patched = records.json_patch(conn, STAFF, "SalesOrder", ORDER, [
            {"op": "replace", "path": "/order_no", "value": "patched"},
            {"op": "remove", "path": "/lines/1"}])
        assert patched["order_no"] == "patched" and len(patched["lines"]) == 1
        with pytest.raises(errors.Invalid):
            records.json_patch(conn, STAFF, "SalesOrder", ORDER, [{"op": "replace", "path": "/nope/x", "value": 1}])
        replaced = records.replace(conn, STAFF, "Debtor", "0000000061000000003V",
                                   {"account_no": "C00003", "name": "Only a name"})
        assert replaced["phone"] is None and replaced["credit_limit"] == 0.0
        assert len(replaced["contact_names"]) == 2  # collections not given are left alone


def test_drafts_and_housekeeping(db: Database) -> None:
    with db.write() as conn:
        drafts.change(conn, "owner", STAFF, "Debtor", "0000000061000000001V", {"name": "Held"})
        assert drafts.held_keys(conn, "owner", "Debtor") == ["0000000061000000001V"]
        conn.execute(draft.update().values(updated_at=sa.func.datetime("2000-01-01")
                                           if db.is_sqlite else sa.text("'2000-01-01'")))
    removed = housekeeping(db, draft_idle=timedelta(hours=1))
    assert removed["drafts"] == 1
    with db.read() as conn:
        assert drafts.held_keys(conn, "owner", "Debtor") == []


@pytest.mark.parametrize("filters", [
    [query.Filter("InvoiceInitDate", query.Op.GREATER, "2026-01-10T09:00:00")],
    [query.Filter("CreditNote", query.Op.EQUAL, False), query.Filter("InvoiceTotal", query.Op.BETWEEN, [1, 5000])],
    [query.Filter("DebtorName", query.Op.LIKE, "hard")],
    [query.Filter("AccountNo", query.Op.IN, ["C00001", "C00002"])],
])
def test_every_execution_path_gives_sqlalchemys_answer(db: Database, filters: list[query.Filter]) -> None:
    """Lists may run on the driver directly; the rows must be exactly what SQLAlchemy would give."""
    q = query.Query(filters=filters, sort=[query.Sort("InvoiceNo", True)], count=True)
    with db.read() as conn:
        page = query.run(conn, STAFF, "SalesOrderList", q)
        stmt, values = query.compile_query(CATALOG.views["SalesOrderList"], q, STAFF, 1000)
        expected = [dict(r) for r in conn.execute(stmt, values).mappings()]
    for row in expected:
        row.pop("__total")
    assert page.rows == expected and page.rows


def test_several_machines_preparing_one_database_at_once(db_url: str) -> None:
    """Every start runs the migrations and may load the demo: starting together must be safe."""
    from backoffice.bootstrap import prepare_database

    results: list[object] = []

    def start() -> None:
        database = Database(db_url)
        try:
            results.append(prepare_database(database))
        except Exception as exc:  # noqa: BLE001 - the test reports whatever went wrong
            results.append(exc)
        finally:
            database.dispose()

    threads = [threading.Thread(target=start) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [False, False, False]  # the template was prepared already: nothing to load


def test_case_insensitive_matching_beyond_ascii(db: Database) -> None:
    with db.write() as conn:
        records.create(conn, STAFF, "Debtor", {"account_no": "C07777", "name": "Éclair Bakery"})
    with db.read() as conn:
        page = query.run(conn, STAFF, "DebtorList", query.Query(
            filters=[query.Filter("Name", query.Op.STARTS_WITH, "éCLAIR")], count=True))
    assert page.total == 1
