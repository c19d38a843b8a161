"""Benchmark the Symphony Import/Export CSV engine (by hand, never in CI):

    .venv/bin/python bench/symphony_ie.py [--masters 100000] [--prices 10] [--database URL]

Builds a fresh database (default ``var/bench/symphony_ie.db``, recreated each run; a PostgreSQL URL
is used as given and its bench organizations dropped first) with an organization, its Enterprise and
a Property, ``masters`` menu item masters with one definition each, and prints rows per second for:

1. a plain bulk insert of the ``masters x prices`` MenuItemPrice rows (DBAPI executemany of tuples,
   rolled back afterwards): the floor the import is held against;
2. ``import_csv`` inserting the same rows from a CSV file (matched by natural key, all new);
3. ``import_csv`` updating them all (natural key, new prices), snapshot included;
4. a plain SELECT of the rows (DBAPI cursor);
5. ``export_csv`` of them, in a child process whose peak RSS is reported (it must stay flat).

Targets (SQLite): import >= 100,000 rows/s and within 3x of the plain bulk insert; export peak RSS
at most 300 MB whatever the row count.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a plain script, the package need not be on the path

import sqlalchemy as sa  # noqa: E402

from backoffice.core import orgs  # noqa: E402
from backoffice.core.catalog.menu import interchange_type  # noqa: E402
from backoffice.core.clock import now  # noqa: E402
from backoffice.core.jobs.transfer import Scope, export_csv, import_csv  # noqa: E402
from backoffice.core.numbering import ensure_sequences, reserve  # noqa: E402
from backoffice.core.store import Database  # noqa: E402
from backoffice.core.store.tables import ENTITY_TABLES  # noqa: E402

PRICE = interchange_type("MenuItemPrice")
ORG_CODE = "BENCHIE"
PRICE_COLUMNS = ("id", "hierarchy_id", "menu_item_def_id", "price_sequence", "price", "prep_cost", "menu_level",
                 "tax_class", "effectivity_group", "service_charge_group", "price_option_bits", "revision",
                 "last_saved", "change_no")


def _mark(conn: sa.Connection) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def build(db: Database, masters: int) -> tuple[int, int, int, int]:
    """The organization, its Enterprise and Property, masters and one definition each at the Property.
    Returns (org_id, property, first definition id, change_no used)."""
    item_t = ENTITY_TABLES["InventoryItem"]
    definition_t = ENTITY_TABLES["MenuItemDefinition"]
    with db.write() as conn:
        ensure_sequences(conn)
        org = orgs.create(conn, ORG_CODE, "Bench Org")
        enterprise = orgs.enterprise(conn, org.org_id)
        prop = orgs.add_node(conn, org.org_id, orgs.PROPERTY, enterprise, 1, {1: "Bench Property"})
        first_master = reserve(conn, "SymphonyObject", masters)
        first_def = reserve(conn, "SymphonyObject", masters)
        stamp = now()
        conn.execute(item_t.insert(), [
            {"inventory_id": uuid.uuid4().hex, "part_no": f"MI-{first_master + i}", "description": f"Item {i}",
             "menu_item_id": first_master + i, "object_number": i + 1, "hierarchy_id": prop, "revision": 1,
             "last_saved": stamp, "change_no": 1} for i in range(masters)])
        conn.execute(definition_t.insert(), [
            {"id": first_def + i, "hierarchy_id": prop, "menu_item_master_id": first_master + i,
             "definition_sequence": 1, "first_name": f"Item {i}", "revision": 1, "last_saved": stamp,
             "change_no": 1} for i in range(masters)])
    return org.org_id, prop, first_def, 1


def price_file(prop: int, first_def: int, masters: int, prices: int, factor: float) -> Iterator[bytes]:
    """The MenuItemPrice CSV, in pieces of about 1 MiB (as request files are stored)."""
    yield b"HierarchyId,MenuItemDefID,PriceSequence,Price,PrepCost,MenuLevel,TaxClass\r\n"
    lines: list[str] = []
    for i in range(masters):
        for s in range(1, prices + 1):
            lines.append(f"{prop},{first_def + i},{s},{(i % 500 + s) * factor:.2f},1.25,1,{s % 3}\r\n")
        if len(lines) >= 20000:
            yield "".join(lines).encode()
            lines = []
    yield "".join(lines).encode()


def timed(label: str, rows: int, action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    seconds = time.perf_counter() - start
    print(f"{label:<44} {rows:>10,} rows {seconds:8.2f} s {rows / seconds:>12,.0f} rows/s", flush=True)
    return rows / seconds


def bulk_insert(db: Database, prop: int, first_def: int, masters: int, prices: int) -> float:
    """The floor: the same rows as tuples through DBAPI executemany, then rolled back."""
    stamp = sa.DateTime().bind_processor(db.engine.dialect)
    last_saved = stamp(now()) if stamp else now()
    table = ENTITY_TABLES["MenuItemPrice"]
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        rows = [(10**12 + i * prices + s, prop, first_def + i, s, float(i % 500 + s), 1.25, 1, s % 3, None, None,
                 None, 1, last_saved, 7) for i in range(masters) for s in range(1, prices + 1)]
        sql = (f"INSERT INTO {table.name} ({', '.join(PRICE_COLUMNS)}) "
               f"VALUES ({', '.join([_mark(conn)] * len(PRICE_COLUMNS))})")
        cursor = raw.cursor()
        if db.is_sqlite:
            cursor.execute("BEGIN IMMEDIATE")

        def insert() -> None:
            cursor.executemany(sql, rows)

        rate = timed("plain bulk insert (executemany of tuples)", len(rows), insert)
        raw.rollback()
        if not db.is_sqlite:
            # PostgreSQL's fastest plain way in, which the import itself uses: the floor there.
            def copy() -> None:
                with raw.cursor() as cursor, cursor.copy(  # type: ignore[attr-defined]
                        f"COPY {table.name} ({', '.join(PRICE_COLUMNS)}) FROM STDIN") as pipe:
                    for row in rows:
                        pipe.write_row(row)

            rate = max(rate, timed("plain bulk insert (COPY)", len(rows), copy))
            raw.rollback()
    return rate


def run_import(db: Database, scope: Scope, prop: int, first_def: int, masters: int, prices: int,
               factor: float, label: str) -> float:
    sizes = {"snapshot": 0, "errors": 0}

    def sink(kind: str) -> Callable[[bytes], None]:
        def write(data: bytes) -> None:
            sizes[kind] += len(data)
        return write

    def work() -> None:
        with db.write() as conn:
            outcome = import_csv(conn, PRICE, scope, price_file(prop, first_def, masters, prices, factor),
                                 failure_threshold=0.0, snapshot=sink("snapshot"), errors=sink("errors"))
        assert outcome.status == 4 and outcome.rows_total == masters * prices, outcome

    rate = timed(label, masters * prices, work)
    print(f"{'':<44} snapshot {sizes['snapshot'] / 1e6:.1f} MB")
    return rate


def plain_select(db: Database, prop: int, rows: int) -> float:
    def work() -> None:
        with db.engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            if db.is_sqlite:
                cursor = raw.cursor()
            else:
                cursor = raw.cursor(name="bench_plain_select")  # server-side, as the export's
                cursor.itersize = 5000
            cursor.execute(f"SELECT {', '.join(PRICE_COLUMNS[:11])} FROM menu_item_price "
                           f"WHERE hierarchy_id = {prop} ORDER BY id")
            count = sum(1 for _ in cursor)
            assert count == rows, count
            cursor.close()
    return timed("plain SELECT (DBAPI cursor)", rows, work)


def export_child(url: str, org_id: int, prop: int, rows: int) -> None:
    """Run in a child process: export every price, print the rate and the peak RSS as JSON."""
    db = Database(url)
    written = 0

    def sink(data: bytes) -> None:
        nonlocal written
        written += len(data)

    start = time.perf_counter()
    with db.read() as conn:
        count = export_csv(conn, PRICE, Scope(org_id, prop, 0, None), members=None, sort=None, number_filter=None,
                           data_since=None, sink=sink)
    seconds = time.perf_counter() - start
    assert count == rows, count
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the forked parent's copy.
    status = Path("/proc/self/status").read_text()
    peak = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024
    print(json.dumps({"seconds": seconds, "bytes": written, "peak_rss_mb": peak}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--masters", type=int, default=100_000)
    parser.add_argument("--prices", type=int, default=10, help="price sequences per definition")
    parser.add_argument("--database", default=f"sqlite:///{ROOT / 'var' / 'bench' / 'symphony_ie.db'}")
    parser.add_argument("--export-child", nargs=3, type=int, metavar=("ORG", "PROPERTY", "ROWS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_child:
        export_child(args.database, *args.export_child)
        return
    url = sa.engine.make_url(args.database)
    if url.get_backend_name() == "sqlite" and url.database:
        path = Path(url.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        for extra in ("", "-wal", "-shm", ".writelock"):
            Path(str(path) + extra).unlink(missing_ok=True)
    db = Database(args.database)
    db.upgrade()
    if not db.is_sqlite:
        with db.write() as conn:  # an earlier run's organization goes first
            org_id = conn.execute(sa.text("SELECT org_id FROM organization WHERE code = :c"), {"c": ORG_CODE}).scalar()
            if org_id is not None:
                conn.execute(sa.text("DELETE FROM menu_item_price WHERE hierarchy_id IN "
                                     "(SELECT id FROM hierarchy_node WHERE org_id = :o)"), {"o": org_id})
                for table in ("menu_item_definition", "inventory_item", "language"):
                    conn.execute(sa.text(f"DELETE FROM {table} WHERE hierarchy_id IN "
                                         "(SELECT id FROM hierarchy_node WHERE org_id = :o)"), {"o": org_id})
                conn.execute(sa.text("DELETE FROM hierarchy_node WHERE org_id = :o"), {"o": org_id})
                conn.execute(sa.text("DELETE FROM organization WHERE org_id = :o"), {"o": org_id})
    rows = args.masters * args.prices
    print(f"database {db.url.render_as_string(hide_password=True)}: {args.masters:,} masters x 1 definition x "
          f"{args.prices} prices = {rows:,} MenuItemPrice rows", flush=True)
    org_id, prop, first_def, _ = build(db, args.masters)
    scope = Scope(org_id, prop, 0, None)
    bulk_insert_rate = bulk_insert(db, prop, first_def, args.masters, args.prices)
    insert_rate = run_import(db, scope, prop, first_def, args.masters, args.prices, 1.0, "import_csv inserting")
    update_rate = run_import(db, scope, prop, first_def, args.masters, args.prices, 1.1,
                             "import_csv updating (natural key)")
    plain_select(db, prop, rows)
    child = subprocess.run([sys.executable, __file__, "--database", args.database, "--export-child",
                            str(org_id), str(prop), str(rows)], capture_output=True, text=True, check=True)
    result = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"{'export_csv':<44} {rows:>10,} rows {result['seconds']:8.2f} s "
          f"{rows / result['seconds']:>12,.0f} rows/s  ({result['bytes'] / 1e6:.1f} MB of CSV)")
    print(f"{'export peak RSS (child process)':<44} {result['peak_rss_mb']:.0f} MB")
    print(f"import vs the fastest plain bulk insert: inserting {bulk_insert_rate / insert_rate:.2f}x slower, "
          f"updating {bulk_insert_rate / update_rate:.2f}x slower (target: at most 3x, and >= 100,000 rows/s)")
    db.dispose()


if __name__ == "__main__":
    main()
