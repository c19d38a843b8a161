"""The Symphony Import/Export CSV engine: scope and levels, filters, columns, languages, the CSV
dialect, import matching and validation, the failure threshold, snapshots and the main price."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from backoffice.core import orgs
from backoffice.core.catalog.menu import InterchangeColumn, InterchangeType, interchange_type
from backoffice.core.clock import moved_to, now
from backoffice.core.errors import Invalid
from backoffice.core.jobs import importing
from backoffice.core.jobs.tables import ie_file_chunk, ie_request
from backoffice.core.jobs.transfer import (
    ChunkWriter,
    ImportOutcome,
    Scope,
    export_csv,
    import_csv,
    iter_chunks,
    parse_number_filter,
    store_file,
)
from backoffice.core.numbering import reserve
from backoffice.core.store import Database
from backoffice.core.store.tables import ENTITY_TABLES

MAJOR = interchange_type("MajorGroup")
MASTER = interchange_type("MenuItemMaster")
DEFINITION = interchange_type("MenuItemDefinition")
PRICE = interchange_type("MenuItemPrice")
major_t = ENTITY_TABLES["MajorGroup"]
item_t = ENTITY_TABLES["InventoryItem"]
definition_t = ENTITY_TABLES["MenuItemDefinition"]
price_t = ENTITY_TABLES["MenuItemPrice"]


@dataclass
class World:
    """Two organizations. ACME: Enterprise > Property > RVC, a second Property, language 2; major
    groups at the Enterprise and the Property (the Property overrides number 2); masters Burger
    and Cola with one definition each and prices at both levels. OTHER: rows of its own."""

    org: int
    enterprise: int
    property: int
    rvc: int
    property2: int
    other_org: int
    other_enterprise: int
    burger: int  # menu item ids
    cola: int
    burger_def: int
    cola_def: int
    other_master: int
    other_def: int


def _stamp(conn: Connection) -> dict[str, Any]:
    return {"revision": 1, "last_saved": now(), "change_no": 1}


def _major(conn: Connection, node: int, number: int, name: str) -> int:
    new_id = reserve(conn, "SymphonyObject")
    conn.execute(major_t.insert().values(id=new_id, hierarchy_id=node, object_number=number, name=name,
                                         report_group=number * 10, **_stamp(conn)))
    return new_id


def _master(conn: Connection, node: int, number: int, name: str, l10n: dict[str, Any] | None = None,
            price: float = 0.0) -> int:
    new_id = reserve(conn, "SymphonyObject")
    conn.execute(item_t.insert().values(inventory_id=f"item-{new_id}", part_no=f"P{new_id}", description=name,
                                        menu_item_id=new_id, object_number=number, hierarchy_id=node,
                                        default_price=price, l10n=json.dumps(l10n) if l10n else None, **_stamp(conn)))
    return new_id


def _definition(conn: Connection, node: int, master: int, sequence: int = 1, name: str = "") -> int:
    new_id = reserve(conn, "SymphonyObject")
    conn.execute(definition_t.insert().values(id=new_id, hierarchy_id=node, menu_item_master_id=master,
                                              definition_sequence=sequence, first_name=name, **_stamp(conn)))
    return new_id


def _price(conn: Connection, node: int, definition: int, sequence: int, price: float) -> int:
    new_id = reserve(conn, "SymphonyObject")
    conn.execute(price_t.insert().values(id=new_id, hierarchy_id=node, menu_item_def_id=definition,
                                         price_sequence=sequence, price=price, **_stamp(conn)))
    return new_id


@pytest.fixture
def world(db: Database) -> World:
    with db.write() as conn:
        org = orgs.create(conn, "ACME", "Acme Hospitality")
        enterprise = orgs.enterprise(conn, org.org_id)
        prop = orgs.add_node(conn, org.org_id, orgs.PROPERTY, enterprise, 1, {1: "Hotel"})
        rvc = orgs.add_node(conn, org.org_id, orgs.REVENUE_CENTER, prop, 1, {1: "Bar"})
        prop2 = orgs.add_node(conn, org.org_id, orgs.PROPERTY, enterprise, 2, {1: "Resort"})
        orgs.add_language(conn, org.org_id, enterprise, 2, {1: "Greek"}, "el-GR")
        _major(conn, enterprise, 1, "Food")
        _major(conn, enterprise, 2, "Drinks")
        _major(conn, prop, 2, "Bar drinks")
        _major(conn, prop, 3, "Local")
        # (their main prices as the prices below make them)
        burger = _master(conn, enterprise, 100, "Burger", price=10.0)
        cola = _master(conn, enterprise, 101, "Cola", {"2": {"MenuItemName": "Κόλα"}}, price=3.0)
        burger_def = _definition(conn, enterprise, burger, name="Burger")
        cola_def = _definition(conn, enterprise, cola, name="Cola")
        _price(conn, enterprise, burger_def, 1, 10.0)
        _price(conn, enterprise, burger_def, 2, 12.0)
        _price(conn, prop, burger_def, 1, 11.0)
        _price(conn, enterprise, cola_def, 1, 3.0)
        other = orgs.create(conn, "OTHER", "Other Org")
        other_enterprise = orgs.enterprise(conn, other.org_id)
        _major(conn, other_enterprise, 1, "Other food")
        other_master = _master(conn, other_enterprise, 100, "Other burger")
        other_def = _definition(conn, other_enterprise, other_master)
        _price(conn, other_enterprise, other_def, 1, 99.0)
    return World(org.org_id, enterprise, prop, rvc, prop2, other.org_id, other_enterprise, burger, cola,
                 burger_def, cola_def, other_master, other_def)


# --- helpers --------------------------------------------------------------------------------------


def scope(w: World, node: int | None = None, level: int = 0, language: int | None = None) -> Scope:
    return Scope(w.org, node, level, language)


def export(db: Database, kind: InterchangeType, where: Scope, *, members: list[str] | None = None,
           sort: list[tuple[str, str]] | None = None, number_filter: str | None = None,
           data_since: datetime | None = None) -> bytes:
    pieces: list[bytes] = []
    with db.read() as conn:
        export_csv(conn, kind, where, members=members, sort=sort, number_filter=number_filter,
                   data_since=data_since, sink=pieces.append)
    return b"".join(pieces)


def rows_of(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


@dataclass
class Imported:
    outcome: ImportOutcome
    errors: list[dict[str, str]]
    snapshot: bytes


def run_import(db: Database, kind: InterchangeType, where: Scope, text: str | bytes, *,
               threshold: float = 0.5) -> Imported:
    errors: list[bytes] = []
    snapshot: list[bytes] = []
    data = text.encode("utf-8") if isinstance(text, str) else text
    with db.write() as conn:
        outcome = import_csv(conn, kind, where, [data], failure_threshold=threshold,
                             snapshot=snapshot.append, errors=errors.append)
    return Imported(outcome, rows_of(b"".join(errors)), b"".join(snapshot))


def csv_text(*lines: str) -> str:
    return "\r\n".join(lines) + "\r\n"


def major_id(db: Database, w: World, name: str) -> int:
    """The id of the ACME major group called ``name`` (the demo data has groups of the same names)."""
    nodes = (w.enterprise, w.property, w.rvc, w.property2, w.other_enterprise)
    with db.read() as conn:
        return int(conn.execute(sa.select(major_t.c.id).where(major_t.c.name == name,
                                                              major_t.c.hierarchy_id.in_(nodes))).scalar_one())


def majors(db: Database, node: int) -> dict[int, str]:
    with db.read() as conn:
        return {r.object_number: r.name for r in conn.execute(
            sa.select(major_t).where(major_t.c.hierarchy_id == node))}


def table_state(db: Database, table: sa.Table, *exclude: str) -> list[tuple[Any, ...]]:
    """Every row of the table without the bookkeeping columns (revision, stamps) and ``exclude``."""
    skip = {"revision", "last_saved", "change_no", *exclude}
    cols = [c for c in table.columns if c.name not in skip]
    with db.read() as conn:
        return sorted(tuple(r) for r in conn.execute(sa.select(*cols)))


# --- request files ------------------------------------------------------------------------------


def _request(conn: Connection, w: World) -> int:
    request_id = reserve(conn, "ImportExportRequest")
    conn.execute(ie_request.insert().values(
        request_id=request_id, org_id=w.org, staff_id="s", user_name="u", operation=0, object_type="MajorGroup",
        status=2, request_date=now(), created_at=now()))
    return request_id


def test_chunk_writer_stores_one_mib_chunks_and_iter_chunks_reads_them_in_order(db: Database, world: World) -> None:
    data = bytes(range(256)) * (5 * 4096 + 17)  # 5 MiB and a bit
    with db.write() as conn:
        request_id = _request(conn, world)
        writer = ChunkWriter(conn, request_id, "output")
        for start in range(0, len(data), 300_001):
            writer.write(data[start:start + 300_001])
        writer.close()
        sizes = [len(d) for d in conn.execute(sa.select(ie_file_chunk.c.data).where(
            ie_file_chunk.c.request_id == request_id).order_by(ie_file_chunk.c.seq)).scalars()]
        assert sizes == [1 << 20] * 5 + [len(data) - 5 * (1 << 20)]
        assert b"".join(iter_chunks(conn, request_id, "output")) == data
        store_file(conn, request_id, "input", [b"a,b\r\n", b"1,2\r\n"])
        store_file(conn, request_id, "errors", b"")
        assert b"".join(iter_chunks(conn, request_id, "input")) == b"a,b\r\n1,2\r\n"
        assert list(iter_chunks(conn, request_id, "errors")) == []
        assert list(iter_chunks(conn, request_id, "snapshot")) == []


def test_iter_chunks_is_a_lazy_stream(db: Database, world: World) -> None:
    with db.write() as conn:
        request_id = _request(conn, world)
        store_file(conn, request_id, "output", b"x" * ((1 << 20) + 1))
        stream = iter_chunks(conn, request_id, "output")
        assert isinstance(stream, Iterator)
        assert len(next(stream)) == 1 << 20
        assert next(stream) == b"x"


# --- ObjectNumberFilter ----------------------------------------------------------------------------


def test_number_filter_parses_ranges_and_numbers() -> None:
    assert parse_number_filter("1-200,230,300-350") == [(1, 200), (230, 230), (300, 350)]
    assert parse_number_filter(" 1 - 2 , 7 ") == [(1, 2), (7, 7)]
    assert parse_number_filter("") == []
    assert parse_number_filter("   ") == []


@pytest.mark.parametrize("text", ["1-", "a", "1,,2", "5-3", "1-2-3", "1;2", "1 2", "٣"])
def test_number_filter_refuses_anything_else(text: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_number_filter(text)
    assert caught.value.errors[0].field == "ObjectNumberFilter"


# --- export ---------------------------------------------------------------------------------------


def test_export_writes_a_header_and_rows_in_the_csv_dialect(db: Database, world: World) -> None:
    data = export(db, MAJOR, scope(world, world.enterprise))
    assert not data.startswith(b"\xef\xbb\xbf")
    lines = data.split(b"\r\n")
    assert lines[0] == b"Id,ObjectNumber,HierarchyId,Name,ReportGroup"
    assert lines[-1] == b"" and b"\n" not in b"".join(lines)
    rows = rows_of(data)
    assert [(r["ObjectNumber"], r["Name"]) for r in rows] == [("1", "Food"), ("2", "Drinks")]
    assert [int(r["Id"]) for r in rows] == sorted(int(r["Id"]) for r in rows)
    assert {r["HierarchyId"] for r in rows} == {str(world.enterprise)}


def test_export_returns_the_row_count(db: Database, world: World) -> None:
    with db.read() as conn:
        count = export_csv(conn, MAJOR, scope(world, world.property, 1), members=None, sort=None,
                           number_filter=None, data_since=None, sink=lambda _b: None)
    assert count == 4


def test_levels_select_the_node_its_ancestors_or_its_effective_set(db: Database, world: World) -> None:
    def seen(level: int, node: int) -> list[tuple[str, str]]:
        rows = rows_of(export(db, MAJOR, scope(world, node, level), sort=[("ObjectNumber", "asc"), ("Name", "asc")]))
        return [(r["ObjectNumber"], r["Name"]) for r in rows]

    assert seen(0, world.property) == [("2", "Bar drinks"), ("3", "Local")]
    assert seen(1, world.property) == [("1", "Food"), ("2", "Bar drinks"), ("2", "Drinks"), ("3", "Local")]
    assert seen(2, world.property) == [("1", "Food"), ("2", "Bar drinks"), ("3", "Local")]
    assert seen(3, world.property) == seen(1, world.property)
    # Inherited through two levels: the RVC has no rows of its own.
    assert seen(0, world.rvc) == []
    assert seen(2, world.rvc) == [("1", "Food"), ("2", "Bar drinks"), ("3", "Local")]
    # A sibling Property inherits only from the Enterprise.
    assert seen(2, world.property2) == [("1", "Food"), ("2", "Drinks")]


def test_effective_prices_override_by_definition_and_sequence(db: Database, world: World) -> None:
    rows = rows_of(export(db, PRICE, scope(world, world.property, 2), sort=[("MenuItemDefID", "asc"),
                                                                            ("PriceSequence", "asc")]))
    assert [(int(r["MenuItemDefID"]), r["PriceSequence"], r["Price"], int(r["HierarchyId"])) for r in rows] == [
        (world.burger_def, "1", "11", world.property),
        (world.burger_def, "2", "12", world.enterprise),
        (world.cola_def, "1", "3", world.enterprise),
    ]


def test_no_hier_struc_id_means_the_enterprise(db: Database, world: World) -> None:
    assert export(db, MAJOR, scope(world, None)) == export(db, MAJOR, scope(world, world.enterprise))


def test_another_organizations_rows_are_never_exported(db: Database, world: World) -> None:
    acme = {world.enterprise, world.property, world.rvc, world.property2}
    for kind in (MAJOR, MASTER, DEFINITION, PRICE):
        for level in range(4):
            for node in (None, world.enterprise, world.property):
                rows = rows_of(export(db, kind, scope(world, node, level)))
                assert {int(r["HierarchyId"]) for r in rows} <= acme


@pytest.mark.parametrize("node_of", ["other", "missing"])
def test_a_node_outside_the_organization_is_invalid(db: Database, world: World, node_of: str) -> None:
    node = world.other_enterprise if node_of == "other" else 987654321
    with pytest.raises(Invalid) as caught:
        export(db, MAJOR, scope(world, node))
    assert caught.value.errors[0].field == "HierStrucId"


def test_level_and_language_must_exist(db: Database, world: World) -> None:
    with pytest.raises(Invalid):
        export(db, MAJOR, scope(world, None, level=4))
    with pytest.raises(Invalid):
        export(db, MAJOR, scope(world, None, language=3))


def test_members_pick_columns_in_the_given_order_any_case_without_duplicates(db: Database, world: World) -> None:
    data = export(db, MAJOR, scope(world, world.enterprise), members=["name", "OBJECTNUMBER", "Name"])
    assert data.decode() == "Name,ObjectNumber\r\nFood,1\r\nDrinks,2\r\n"
    assert export(db, MAJOR, scope(world), members=[]) == export(db, MAJOR, scope(world), members=None)


def test_unknown_member_sort_column_or_direction_is_invalid(db: Database, world: World) -> None:
    with pytest.raises(Invalid) as caught:
        export(db, MAJOR, scope(world), members=["Id", "Colour"])
    assert caught.value.errors[0].field == "SelectedObjectMembers"
    with pytest.raises(Invalid) as caught:
        export(db, MAJOR, scope(world), sort=[("Colour", "asc")])
    assert caught.value.errors[0].field == "SortExpressions"
    with pytest.raises(Invalid):
        export(db, MAJOR, scope(world), sort=[("Name", "up")])


def test_sort_expressions_order_the_rows(db: Database, world: World) -> None:
    rows = rows_of(export(db, MAJOR, scope(world, world.property, 1), sort=[("NAME", "DESC")]))
    assert [r["Name"] for r in rows] == ["Local", "Food", "Drinks", "Bar drinks"]
    rows = rows_of(export(db, MAJOR, scope(world, world.property, 1), sort=[("objectnumber", "desc"),
                                                                            ("HierarchyId", "asc")]))
    assert [r["Name"] for r in rows] == ["Local", "Drinks", "Bar drinks", "Food"]


def test_number_filter_on_masters_and_through_masters_on_definitions_and_prices(db: Database, world: World) -> None:
    with db.write() as conn:
        fries = _master(conn, world.enterprise, 250, "Fries")
        fries_def = _definition(conn, world.enterprise, fries)
        _price(conn, world.enterprise, fries_def, 1, 4.5)
    masters = rows_of(export(db, MASTER, scope(world), number_filter="100, 200-300"))
    assert [r["MenuItemName"] for r in masters] == ["Burger", "Fries"]
    definitions = rows_of(export(db, DEFINITION, scope(world), number_filter="101"))
    assert [int(r["Id"]) for r in definitions] == [world.cola_def]
    prices = rows_of(export(db, PRICE, scope(world), number_filter="200-300"))
    assert [(int(r["MenuItemDefID"]), r["Price"]) for r in prices] == [(fries_def, "4.5")]
    with pytest.raises(Invalid):
        export(db, PRICE, scope(world), number_filter="x")


def test_data_since_keeps_rows_saved_at_or_after_it(db: Database, world: World) -> None:
    later = now() + timedelta(days=3)
    with moved_to(later), db.write() as conn:
        _major(conn, world.enterprise, 9, "New")
    rows = rows_of(export(db, MAJOR, scope(world), data_since=later - timedelta(seconds=1)))
    assert [r["Name"] for r in rows] == ["New"]
    assert len(rows_of(export(db, MAJOR, scope(world), data_since=None))) == 3


def test_translated_columns_in_another_language_fall_back_to_the_base(db: Database, world: World) -> None:
    rows = rows_of(export(db, MASTER, scope(world, language=2), members=["ObjectNumber", "MenuItemName"]))
    assert [(r["ObjectNumber"], r["MenuItemName"]) for r in rows] == [("100", "Burger"), ("101", "Κόλα")]
    rows = rows_of(export(db, MASTER, scope(world, language=1), members=["MenuItemName"]))
    assert [r["MenuItemName"] for r in rows] == ["Burger", "Cola"]


def test_quoting_only_where_needed_and_any_text_survives(db: Database, world: World) -> None:
    names = ['Fish, chips', 'The "best"', "Two\r\nlines", "Ünïcödé — 寿司 🍣", "plain"]
    with db.write() as conn:
        for number, name in enumerate(names, start=20):
            _major(conn, world.rvc, number, name)
    data = export(db, MAJOR, scope(world, world.rvc), members=["Name"])
    assert data.decode("utf-8") == ('Name\r\n"Fish, chips"\r\n"The ""best"""\r\n"Two\r\nlines"\r\n'
                                    "Ünïcödé — 寿司 🍣\r\nplain\r\n")
    # And the same text comes back through an import.
    back = data.replace(b"Name", b"HierarchyId,ObjectNumber,Name", 1)
    back = back.replace(b'\r\n"Fish', b'\r\n%d,30,"Fish' % world.rvc)
    assert run_import(db, MAJOR, scope(world, world.rvc), back, threshold=1).outcome.rows_failed == 4
    assert majors(db, world.rvc)[30] == "Fish, chips"


def test_decimals_use_a_point_and_no_exponent(db: Database, world: World) -> None:
    with db.write() as conn:
        _price(conn, world.rvc, world.burger_def, 1, 0.00001)
        _price(conn, world.rvc, world.burger_def, 2, 1e16)
        _price(conn, world.rvc, world.burger_def, 3, 2.5)
    rows = rows_of(export(db, PRICE, scope(world, world.rvc), members=["Price"]))
    assert [r["Price"] for r in rows] == ["0.00001", "10000000000000000", "2.5"]


def test_export_streams_into_a_chunk_writer_on_the_same_connection(db: Database, world: World) -> None:
    with db.write() as conn:
        first = reserve(conn, "SymphonyObject", 12000)
        conn.execute(major_t.insert(), [
            {"id": first + n, "hierarchy_id": world.rvc, "object_number": n, "name": f"Group {n} " + "x" * 80,
             "report_group": None, "revision": 1, "last_saved": now(), "change_no": 1} for n in range(12000)])
        request_id = _request(conn, world)
        writer = ChunkWriter(conn, request_id, "output")
        count = export_csv(conn, MAJOR, scope(world, world.rvc), members=None, sort=None, number_filter=None,
                           data_since=None, sink=writer.write)
        writer.close()
        data = b"".join(iter_chunks(conn, request_id, "output"))
    assert count == 12000 and len(data) > 1 << 20
    assert len(rows_of(data)) == 12000


# --- import: matching --------------------------------------------------------------------------------


def test_import_inserts_updates_by_id_and_by_natural_key(db: Database, world: World) -> None:
    food_id = major_id(db, world, "Food")
    e = world.enterprise
    result = run_import(db, MAJOR, scope(world), csv_text(
        "id,OBJECTNUMBER,hierarchyid,Name,ReportGroup",
        f"{food_id},1,{e},Food and more,11",  # by Id
        f",2,{e},Beverages,",  # by natural key
        f",7,{e},Desserts,70",  # new
    ))
    assert result.outcome == ImportOutcome(3, 0, 4, result.outcome.message)
    assert result.errors == []
    assert majors(db, e) == {1: "Food and more", 2: "Beverages", 7: "Desserts"}
    with db.read() as conn:
        rows = {r.object_number: r for r in conn.execute(sa.select(major_t).where(major_t.c.hierarchy_id == e))}
    assert rows[2].report_group is None  # an empty field is null
    assert rows[7].id > food_id and rows[7].revision == 1 and rows[1].revision == 2
    assert len({rows[n].change_no for n in (1, 2, 7)}) == 1 and rows[7].change_no > 1
    assert {rows[n].last_saved for n in (1, 2, 7)} == {rows[7].last_saved}


def test_columns_left_out_of_the_file_stay_as_they_are(db: Database, world: World) -> None:
    run_import(db, MAJOR, scope(world), csv_text("HierarchyId,ObjectNumber,Name", f"{world.enterprise},1,Eats"))
    with db.read() as conn:
        row = conn.execute(sa.select(major_t).where(major_t.c.name == "Eats",
                                                    major_t.c.hierarchy_id == world.enterprise)).one()
    assert row.report_group == 10


def test_an_unknown_id_fails_the_row(db: Database, world: World) -> None:
    result = run_import(db, MAJOR, scope(world), csv_text(
        "Id,ObjectNumber,HierarchyId,Name", f"424242,5,{world.enterprise},Ghost", f",6,{world.enterprise},Real"))
    assert result.outcome.status == 5 and result.outcome.rows_failed == 1
    assert result.errors[0]["RowNumber"] == "1" and "Id 424242 not found" in result.errors[0]["Error"]
    assert 5 not in majors(db, world.enterprise) and majors(db, world.enterprise)[6] == "Real"


def test_the_later_of_two_rows_with_one_natural_key_fails(db: Database, world: World) -> None:
    e = world.enterprise
    result = run_import(db, MAJOR, scope(world), csv_text(
        "ObjectNumber,HierarchyId,Name", f"8,{e},First", f"9,{e},Other", f"8,{e},Second", f"1,{e},A", f"1,{e},B"))
    assert [(r["RowNumber"], r["Name"]) for r in result.errors] == [("3", "Second"), ("5", "B")]
    assert "same HierarchyId, ObjectNumber as row 1" in result.errors[0]["Error"]
    assert majors(db, e)[8] == "First" and majors(db, e)[1] == "A"


def test_duplicates_are_found_across_batches(db: Database, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "BATCH", 2)
    e = world.enterprise
    result = run_import(db, MAJOR, scope(world), csv_text(
        "ObjectNumber,HierarchyId,Name", f"8,{e},First", f"1,{e},A", f"9,{e},x", f"8,{e},Second", f"1,{e},B"))
    assert [r["RowNumber"] for r in result.errors] == ["4", "5"]
    assert majors(db, e)[8] == "First" and majors(db, e)[1] == "A"


def test_an_update_may_not_take_the_natural_key_of_another_row(db: Database, world: World) -> None:
    food_id = major_id(db, world, "Food")
    result = run_import(db, MAJOR, scope(world), csv_text(
        "Id,ObjectNumber,HierarchyId,Name", f"{food_id},2,{world.enterprise},Clash"))
    assert "already has this HierarchyId, ObjectNumber" in result.errors[0]["Error"]
    assert majors(db, world.enterprise) == {1: "Food", 2: "Drinks"}


def test_import_action_delete_removes_rows_and_ignores_absent_ones(db: Database, world: World) -> None:
    food_id = major_id(db, world, "Food")
    e = world.enterprise
    result = run_import(db, MAJOR, scope(world), csv_text(
        "Id,ObjectNumber,HierarchyId,Name,ImportAction",
        f"{food_id},,,,Delete",  # by Id: nothing else needed
        f",2,{e},,delete",  # by natural key
        f",55,{e},,Delete",  # absent: nothing to do
        "999999,,,,DELETE",
        f",3,{e},,Upsert",  # an upsert still needs its values
        f",4,{e},Four,",
        ",,,,Delete",
        f",5,{e},Five,Remove",
    ))
    assert [(r["RowNumber"], r["Error"]) for r in result.errors] == [
        ("5", "Name is required"),
        ("7", "A row to delete needs its Id or every column of its natural key (HierarchyId, ObjectNumber)"),
        ("8", "ImportAction 'Remove' is not Upsert, Delete or Restore"),
    ]
    assert majors(db, e) == {4: "Four"}


def test_a_master_with_definitions_or_a_definition_with_prices_is_not_deleted(db: Database, world: World) -> None:
    result = run_import(db, DEFINITION, scope(world), csv_text(
        "Id,HierarchyId,MenuItemMasterId,DefinitionSequence,ImportAction", f"{world.cola_def},,,,Delete"))
    assert "still has menu item prices" in result.errors[0]["Error"]
    result = run_import(db, MASTER, scope(world), csv_text(
        "Id,ObjectNumber,HierarchyId,MenuItemName,ImportAction", f"{world.cola},,,,Delete"))
    assert "still has menu item definitions" in result.errors[0]["Error"]
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(definition_t)
                            .where(definition_t.c.id == world.cola_def)).scalar() == 1


# --- import: scope and references ---------------------------------------------------------------------


def test_rows_must_be_at_the_node_or_below_it(db: Database, world: World) -> None:
    result = run_import(db, MAJOR, scope(world, world.property), csv_text(
        "ObjectNumber,HierarchyId,Name",
        f"40,{world.property},Here", f"41,{world.rvc},Below", f"42,{world.enterprise},Above",
        f"43,{world.property2},Beside", f"44,{world.other_enterprise},Elsewhere"), threshold=1)
    assert [r["RowNumber"] for r in result.errors] == ["3", "4", "5"]
    assert all("is not the request's node or a node below it" in r["Error"] for r in result.errors)
    assert majors(db, world.property)[40] == "Here" and majors(db, world.rvc) == {41: "Below"}


def test_an_id_at_an_ancestor_cannot_be_changed_from_below(db: Database, world: World) -> None:
    food_id = major_id(db, world, "Food")
    result = run_import(db, MAJOR, scope(world, world.property), csv_text(
        "Id,ObjectNumber,HierarchyId,Name", f"{food_id},1,{world.property},Moved"))
    assert "outside the request's node" in result.errors[0]["Error"]
    assert majors(db, world.enterprise)[1] == "Food"


def test_another_organizations_rows_are_never_touched(db: Database, world: World) -> None:
    before = table_state(db, major_t), table_state(db, item_t), table_state(db, price_t)
    other_major = major_id(db, world, "Other food")
    with db.read() as conn:
        other_price = conn.execute(sa.select(price_t.c.id).where(price_t.c.menu_item_def_id == world.other_def)
                                   ).scalar_one()
    e = world.enterprise
    results = [
        run_import(db, MAJOR, scope(world), csv_text("Id,ObjectNumber,HierarchyId,Name", f"{other_major},1,{e},X")),
        run_import(db, MAJOR, scope(world), csv_text("Id,ObjectNumber,HierarchyId,Name,ImportAction",
                                                     f"{other_major},,,,Delete", f"{other_major},1,{e},X,Restore")),
        run_import(db, PRICE, scope(world), csv_text("Id,HierarchyId,MenuItemDefID,PriceSequence,Price",
                                                     f"{other_price},{e},{world.burger_def},1,1")),
        run_import(db, PRICE, scope(world), csv_text("HierarchyId,MenuItemDefID,PriceSequence,Price",
                                                     f"{e},{world.other_def},7,1")),
        run_import(db, DEFINITION, scope(world), csv_text("HierarchyId,MenuItemMasterId,DefinitionSequence",
                                                          f"{e},{world.other_master},5")),
        run_import(db, MASTER, scope(world), csv_text("Id,ObjectNumber,HierarchyId,MenuItemName",
                                                      f"{world.other_master},100,{e},Mine")),
    ]
    assert [r.outcome.status for r in results] == [6, 5, 6, 6, 6, 6]  # (the Delete of row 1 is a no-op)
    assert [r.errors[-1]["Error"] for r in results] == [
        f"Id {other_major} not found", f"Id {other_major} not found", f"Id {other_price} not found",
        f"MenuItemDefID {world.other_def} is not a menu item definition of this organization",
        f"MenuItemMasterId {world.other_master} is not a menu item master of this organization",
        f"Id {world.other_master} not found",
    ]
    assert (table_state(db, major_t), table_state(db, item_t), table_state(db, price_t)) == before


def test_references_must_exist(db: Database, world: World) -> None:
    e = world.enterprise
    result = run_import(db, DEFINITION, scope(world), csv_text(
        "HierarchyId,MenuItemMasterId,DefinitionSequence,FirstName", f"{e},{world.burger},2,Big", f"{e},31337,1,No"))
    assert [r["RowNumber"] for r in result.errors] == ["2"]
    assert "MenuItemMasterId 31337 is not a menu item master" in result.errors[0]["Error"]
    result = run_import(db, PRICE, scope(world), csv_text(
        "HierarchyId,MenuItemDefID,PriceSequence,Price", f"{e},{world.cola_def},2,3.5", f"{e},31337,1,2"))
    assert [r["RowNumber"] for r in result.errors] == ["2"]


# --- import: values ---------------------------------------------------------------------------------------


def test_values_are_checked_by_type_range_and_length(db: Database, world: World) -> None:
    e = world.enterprise
    result = run_import(db, MAJOR, scope(world), csv_text(
        "ObjectNumber,HierarchyId,Name,ReportGroup",
        f"60,{e},ok,2147483647",
        f"61,{e},big,2147483648",
        f"62,{e},neg,-2147483649",
        f"six,{e},word,1",
        f"64,{e},{'n' * 101},1",
        f"65,{e},under,1_000",
        f"66,{e},,1",
        f"67,{e},decimal,1.5",
        f"68,{e},{'n' * 100},-2147483648",
    ), threshold=1)
    errors = {r["RowNumber"]: r["Error"] for r in result.errors}
    assert set(errors) == {"2", "3", "4", "5", "6", "7", "8"}
    assert "ReportGroup '2147483648' is not a whole number" in errors["2"]
    assert errors["4"].startswith("ObjectNumber 'six'")
    assert errors["5"] == "Name is 101 characters long, at most 100 are allowed"
    assert errors["7"] == "Name is required"
    assert set(majors(db, e)) == {1, 2, 60, 68}
    result = run_import(db, PRICE, scope(world), csv_text(
        "HierarchyId,MenuItemDefID,PriceSequence,Price",
        f"{e},{world.cola_def},5,1.25", f"{e},{world.cola_def},6,nan", f"{e},{world.cola_def},7,1,5",
        f"{e},{world.cola_def},8,9223372036854775808"), threshold=1)
    assert [r["RowNumber"] for r in result.errors] == ["2", "3"], result.errors
    assert result.errors[1]["Error"] == "The row has 5 fields, the header 4"


def test_the_header_must_fit_the_type(db: Database, world: World) -> None:
    cases = {
        "Id,ObjectNumber,HierarchyId,Name,Colour": "UnknownColumn",
        "Id,ObjectNumber,HierarchyId": "MissingColumn",
        "Id,ObjectNumber,HierarchyId,Name,name": "DuplicateColumn",
        "": "MissingHeader",
    }
    for header, code in cases.items():
        with pytest.raises(Invalid) as caught:
            run_import(db, MAJOR, scope(world), csv_text(header, f"1,1,{world.enterprise},x,y"))
        assert caught.value.code == code, header
    with pytest.raises(Invalid):
        run_import(db, MAJOR, scope(world), b"")
    with pytest.raises(Invalid) as caught:
        run_import(db, interchange_type("Hierarchy"), scope(world), csv_text("Id"))
    assert caught.value.code == "NotImportable"
    assert majors(db, world.enterprise) == {1: "Food", 2: "Drinks"}


def test_a_file_that_is_not_utf8_csv_is_refused_and_nothing_stays(db: Database, world: World,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "BATCH", 1)
    e = world.enterprise
    good = csv_text("ObjectNumber,HierarchyId,Name", f"70,{e},Fine", f"71,{e},Fine too").encode()
    for bad in (b"72,%d,Caf\xe9\r\n" % e, b'73,%d,"unclosed\r\n' % e, b'74,%d,"a"b\r\n' % e):
        with pytest.raises(Invalid) as caught:
            run_import(db, MAJOR, scope(world), good + bad)
        assert caught.value.code == "InvalidFile"
    assert majors(db, e) == {1: "Food", 2: "Drinks"}


def test_a_byte_order_mark_is_skipped_and_columns_match_in_any_case(db: Database, world: World) -> None:
    data = "\ufeff" + csv_text("objectNUMBER,HIERARCHYID,name", f"75,{world.enterprise},Bom")
    result = run_import(db, MAJOR, scope(world), data.encode("utf-8"))
    assert result.outcome.status == 4 and majors(db, world.enterprise)[75] == "Bom"


def test_export_only_columns_are_ignored(db: Database, world: World) -> None:
    kind = InterchangeType("MajorGroup", "MajorGroup", (
        *MAJOR.columns, InterchangeColumn("Shown", "report_group", "Int32", export_only=True)), MAJOR.natural_key)
    result = run_import(db, kind, scope(world), csv_text(
        "ObjectNumber,HierarchyId,Name,ReportGroup,Shown", f"76,{world.enterprise},Ignored,5,not a number"))
    assert result.outcome.status == 4
    with db.read() as conn:
        assert conn.execute(sa.select(major_t.c.report_group).where(
            major_t.c.object_number == 76, major_t.c.hierarchy_id == world.enterprise)).scalar() == 5


def test_blank_lines_are_skipped_and_lf_line_ends_accepted(db: Database, world: World) -> None:
    data = f"ObjectNumber,HierarchyId,Name\n\n77,{world.enterprise},Lf\n\n"
    result = run_import(db, MAJOR, scope(world), data)
    assert result.outcome.rows_total == 1 and majors(db, world.enterprise)[77] == "Lf"


# --- the threshold -----------------------------------------------------------------------------------------


def _mixed(world: World, good: int, bad: int) -> str:
    lines = ["ObjectNumber,HierarchyId,Name"]
    lines += [f"{100 + i},{world.enterprise},Good {i}" for i in range(good)]
    lines += [f"{200 + i},{world.enterprise}," for i in range(bad)]
    return csv_text(*lines)


def test_threshold_outcomes(db: Database, world: World) -> None:
    complete = run_import(db, MAJOR, scope(world), _mixed(world, 3, 0), threshold=0)
    assert (complete.outcome.status, complete.outcome.rows_total, complete.outcome.rows_failed) == (4, 3, 0)
    assert complete.errors == [] and complete.snapshot
    partial = run_import(db, MAJOR, scope(world), _mixed(world, 3, 1).replace("Good", "Better"), threshold=0.25)
    assert (partial.outcome.status, partial.outcome.rows_total, partial.outcome.rows_failed) == (5, 4, 1)
    assert majors(db, world.enterprise)[100] == "Better 0"
    failed = run_import(db, MAJOR, scope(world), _mixed(world, 3, 2).replace("Good", "Best"), threshold=0.25)
    assert (failed.outcome.status, failed.outcome.rows_total, failed.outcome.rows_failed) == (6, 5, 2)
    assert "nothing was imported" in failed.outcome.message
    assert len(failed.errors) == 2 and failed.snapshot == b""
    assert majors(db, world.enterprise)[100] == "Better 0" and 3 not in majors(db, world.enterprise)


def test_an_error_outcome_rolls_back_every_batch_and_the_main_price(db: Database, world: World,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "BATCH", 2)
    before = [table_state(db, t) for t in (price_t, item_t, definition_t)]
    e = world.enterprise
    result = run_import(db, PRICE, scope(world), csv_text(
        "HierarchyId,MenuItemDefID,PriceSequence,Price,ImportAction",
        f"{e},{world.burger_def},1,50,", f"{e},{world.cola_def},9,1,", f"{e},{world.burger_def},2,,Delete",
        f"{e},{world.cola_def},1,30,", f"{e},1,1,1,", f"{e},2,1,1,"), threshold=0.1)
    assert result.outcome.status == 6 and result.outcome.rows_failed == 2
    assert [table_state(db, t) for t in (price_t, item_t, definition_t)] == before
    with db.write() as conn:  # the caller's transaction goes on after the rollback to the savepoint
        _major(conn, e, 99, "After")
    assert majors(db, e)[99] == "After"


def test_the_error_file_has_the_header_row_numbers_and_reasons(db: Database, world: World) -> None:
    errors: list[bytes] = []
    data = csv_text("ObjectNumber,HierarchyId,Name", f"1,{world.enterprise},ok", f"x,{world.enterprise},\"a,b\"")
    with db.write() as conn:
        import_csv(conn, MAJOR, scope(world), [data.encode()[:7], data.encode()[7:]], failure_threshold=1,
                   snapshot=lambda _b: None, errors=errors.append)
    text = b"".join(errors).decode()
    assert text == ("ObjectNumber,HierarchyId,Name,RowNumber,Error\r\n"
                    f"x,{world.enterprise},\"a,b\",2,ObjectNumber 'x' is not a whole number between -2147483648 "
                    "and 2147483647\r\n")


# --- snapshots -----------------------------------------------------------------------------------------------


def _restore(db: Database, kind: InterchangeType, where: Scope, snapshot: bytes) -> Imported:
    restored = run_import(db, kind, where, snapshot, threshold=0)
    assert restored.outcome.status == 4, restored.errors
    return restored


def test_the_snapshot_restores_updates_inserts_and_deletes(db: Database, world: World) -> None:
    before = table_state(db, major_t)
    ids = {name: major_id(db, world, name) for name in ("Food", "Local")}
    e, p = world.enterprise, world.property
    result = run_import(db, MAJOR, scope(world), csv_text(
        "Id,ObjectNumber,HierarchyId,Name,ReportGroup,ImportAction",
        f"{ids['Food']},11,{e},Food moved,,",  # update by Id, changing its natural key
        f",1,{e},\"New, at the old key\",5,",  # insert at the key Food left
        f",2,{p},Bar drinks again,,",  # update by natural key
        f"{ids['Local']},,,,,Delete",  # delete
        f",8,{world.rvc},New below,8,",  # insert
    ))
    assert result.outcome.status == 4, result.errors
    assert table_state(db, major_t) != before
    snapshot = rows_of(result.snapshot)
    assert list(snapshot[0]) == ["Id", "ObjectNumber", "HierarchyId", "Name", "ReportGroup", "Translations",
                                 "ImportAction"]
    assert [r["ImportAction"] for r in snapshot] == ["Delete", "Delete", "", "", "Restore"]
    assert [r["Name"] for r in snapshot] == ["", "", "Food", "Bar drinks", "Local"]
    _restore(db, MAJOR, scope(world), result.snapshot)
    assert table_state(db, major_t) == before


def test_the_snapshot_of_a_price_import_restores_prices_and_the_main_price(db: Database, world: World) -> None:
    before = table_state(db, price_t), table_state(db, item_t)
    e = world.enterprise
    result = run_import(db, PRICE, scope(world), csv_text(
        "HierarchyId,MenuItemDefID,PriceSequence,Price,PrepCost,ImportAction",
        f"{e},{world.burger_def},1,10.75,1.5,", f"{e},{world.burger_def},2,,,Delete", f"{e},{world.cola_def},1,3.25,,",
        f"{e},{world.cola_def},2,4,,"))
    assert result.outcome.status == 4
    _restore(db, PRICE, scope(world), result.snapshot)
    assert (table_state(db, price_t), table_state(db, item_t)) == before


def test_the_snapshot_restores_masters(db: Database, world: World) -> None:
    before = table_state(db, item_t, "inventory_id")
    e = world.enterprise
    added = run_import(db, MASTER, scope(world), csv_text(
        "ObjectNumber,HierarchyId,MenuItemName,MajorGroup", f"300,{e},Soup,1"))
    assert added.outcome.status == 4
    result = run_import(db, MASTER, scope(world), csv_text(
        "ObjectNumber,HierarchyId,MenuItemName,MajorGroup,ImportAction",
        f"300,{e},,,Delete", f"100,{e},Cheeseburger,2,"))
    assert result.outcome.status == 4
    _restore(db, MASTER, scope(world), result.snapshot)
    _restore(db, MASTER, scope(world), added.snapshot)
    assert table_state(db, item_t, "inventory_id") == before


def test_restore_brings_back_only_ids_numbering_issued(db: Database, world: World) -> None:
    e = world.enterprise
    result = run_import(db, MAJOR, scope(world), csv_text(
        "Id,ObjectNumber,HierarchyId,Name,ImportAction", f"{10**12},90,{e},Made up,Restore"))
    assert result.errors[0]["Error"] == f"Id {10**12} not found"


# --- languages -------------------------------------------------------------------------------------------------


def _l10n(db: Database, menu_item_id: int) -> tuple[str, dict[str, Any]]:
    with db.read() as conn:
        row = conn.execute(sa.select(item_t.c.description, item_t.c.l10n)
                           .where(item_t.c.menu_item_id == menu_item_id)).one()
    return row.description, json.loads(row.l10n) if row.l10n else {}


def test_an_import_in_another_language_writes_translations_only(db: Database, world: World) -> None:
    before = table_state(db, item_t)
    e = world.enterprise
    result = run_import(db, MASTER, scope(world, language=2), csv_text(
        "ObjectNumber,HierarchyId,MenuItemName,MasterName",
        f"100,{e},Μπέργκερ,Κύριο", f"101,{e},,", f"102,{e},Σαλάτα,", f"103,{e},,"))
    assert [(r["RowNumber"], r["Error"]) for r in result.errors] == [("4", "MenuItemName is required for a new row")]
    assert _l10n(db, world.burger) == ("Burger", {"2": {"MenuItemName": "Μπέργκερ", "MasterName": "Κύριο"}})
    assert _l10n(db, world.cola) == ("Cola", {})  # an empty text removes the translation
    with db.read() as conn:
        salad = conn.execute(sa.select(item_t.c.menu_item_id).where(item_t.c.object_number == 102,
                                                                    item_t.c.hierarchy_id == e)).scalar_one()
    assert _l10n(db, salad) == ("Σαλάτα", {"2": {"MenuItemName": "Σαλάτα"}})
    shown = rows_of(export(db, MASTER, scope(world, language=2), members=["ObjectNumber", "MenuItemName"]))
    assert [r["MenuItemName"] for r in shown] == ["Μπέργκερ", "Cola", "Σαλάτα"]
    _restore(db, MASTER, scope(world, language=2), result.snapshot)
    assert table_state(db, item_t) == before


# --- inventory items and the main price ----------------------------------------------------------------------


def test_a_new_master_is_an_inventory_item(db: Database, world: World) -> None:
    result = run_import(db, MASTER, scope(world), csv_text(
        "ObjectNumber,HierarchyId,MenuItemName,Status", f"400,{world.enterprise},Tea,Active"))
    assert result.outcome.status == 4
    with db.read() as conn:
        item = conn.execute(sa.select(item_t).where(item_t.c.object_number == 400,
                                                    item_t.c.hierarchy_id == world.enterprise)).one()
    assert item.part_no == f"MI-{item.menu_item_id}" and item.description == "Tea"
    assert len(item.inventory_id) == 32 and item.menu_item_status == "Active"
    assert (item.unit_measure, item.physical_item, item.decimal_places, item.default_price) == ("Each", True, 2, 0)
    assert item.revision == 1 and item.change_no is not None


def test_prices_set_the_main_price_of_their_master(db: Database, world: World) -> None:
    e, p = world.enterprise, world.property
    with db.write() as conn:
        fries = _master(conn, e, 250, "Fries")
        fries_def = _definition(conn, e, fries)
        fries_def2 = _definition(conn, e, fries, sequence=2)
    result = run_import(db, PRICE, scope(world), csv_text(
        "HierarchyId,MenuItemDefID,PriceSequence,Price",
        f"{e},{world.burger_def},1,10.5",  # the main price
        f"{e},{world.burger_def},2,99",  # not sequence 1
        f"{p},{world.cola_def},1,77",  # not at the master's node
        f"{e},{fries_def2},1,55",  # not definition sequence 1
        f"{e},{fries_def},1,4.25",  # a new main price
    ))
    assert result.outcome.status == 4, result.errors
    with db.read() as conn:
        prices = dict(conn.execute(sa.select(item_t.c.menu_item_id, item_t.c.default_price)
                                   .where(item_t.c.menu_item_id.in_([world.burger, world.cola, fries]))).all())
        revisions = dict(conn.execute(sa.select(item_t.c.menu_item_id, item_t.c.revision)
                                      .where(item_t.c.menu_item_id.in_([world.burger, world.cola]))).all())
    # Cola's price at the Property is not its main price (which did not change, so neither did Cola).
    assert prices == {world.burger: 10.5, world.cola: 3, fries: 4.25}
    assert revisions == {world.burger: 2, world.cola: 1}
    # Definitions swapped between two masters (in one file) give both masters their main price again.
    result = run_import(db, DEFINITION, scope(world), csv_text(
        "Id,HierarchyId,MenuItemMasterId,DefinitionSequence",
        f"{world.cola_def},{e},{world.burger},1", f"{world.burger_def},{e},{world.cola},1"))
    assert result.outcome.status == 4, result.errors
    with db.read() as conn:
        prices = dict(conn.execute(sa.select(item_t.c.menu_item_id, item_t.c.default_price)
                                   .where(item_t.c.menu_item_id.in_([world.burger, world.cola]))).all())
    assert prices == {world.burger: 3, world.cola: 10.5}


def test_import_reads_its_file_from_chunks_and_writes_its_files_as_chunks(db: Database, world: World) -> None:
    e = world.enterprise
    lines = ["ObjectNumber,HierarchyId,Name"] + [f"{1000 + i},{e},{'Group ' * 15}{i}" for i in range(12000)]
    lines.append(f"x,{e},bad")
    with db.write() as conn:
        request_id = _request(conn, world)
        store_file(conn, request_id, "input", csv_text(*lines).encode())
        assert len(list(iter_chunks(conn, request_id, "input"))) == 2
        snapshot, errors = ChunkWriter(conn, request_id, "snapshot"), ChunkWriter(conn, request_id, "errors")
        outcome = import_csv(conn, MAJOR, scope(world), iter_chunks(conn, request_id, "input"), failure_threshold=0.1,
                             snapshot=snapshot.write, errors=errors.write)
        snapshot.close()
        errors.close()
        assert (outcome.status, outcome.rows_total, outcome.rows_failed) == (5, 12001, 1)
        assert len(rows_of(b"".join(iter_chunks(conn, request_id, "snapshot")))) == 12000
        assert rows_of(b"".join(iter_chunks(conn, request_id, "errors")))[0]["RowNumber"] == "12001"
    assert len(majors(db, e)) == 12002
