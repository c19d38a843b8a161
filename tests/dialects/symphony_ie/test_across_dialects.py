"""One fact, several dialects: Jiwa's inventory items are Symphony's menu item masters, and the
selling price is the master's main price, whichever side writes it."""

from __future__ import annotations

import csv
import io

from starlette.testclient import TestClient

from backoffice.core.jobs.worker import run_pending
from backoffice.core.store import Database

from .conftest import Symphony

ITEM = "IN000000000000000001"  # part 1172, 95.00


def _export(symphony: Symphony, db: Database, object_type: str, **fields: object) -> list[dict[str, str]]:
    submitted = symphony.ok(symphony.post("SubmitImportExportRequest", {
        "ObjectType": object_type, "SelectedOperation": 0, **fields}))
    run_pending(db)
    data = symphony.ok(symphony.get(f"GetFileData/{submitted['RequestId']}/Admin/DEMO"))
    return list(csv.DictReader(io.StringIO(bytes(data).decode())))


def test_an_item_made_through_jiwa_is_a_menu_item_master(admin: TestClient, symphony: Symphony, db: Database) -> None:
    before = _export(symphony, db, "MenuItemMaster")
    created = admin.post("/Inventory", json={"PartNo": "9001", "Description": "Lemonade", "DefaultPrice": 4.5})
    assert created.status_code == 201
    after = _export(symphony, db, "MenuItemMaster")
    new = [row for row in after if row["MenuItemName"] == "Lemonade"]
    assert len(after) == len(before) + 1 and len(new) == 1
    assert int(new[0]["ObjectNumber"]) == max(int(r["ObjectNumber"]) for r in before) + 1
    assert new[0]["HierarchyId"] == before[0]["HierarchyId"]  # DEMO's Enterprise


def test_a_price_set_through_jiwa_is_the_masters_main_price(admin: TestClient, symphony: Symphony,
                                                            db: Database) -> None:
    def labour_prices() -> set[str]:
        return {r["Price"] for r in _export(symphony, db, "MenuItemPrice") if r["Price"] in ("95", "96.5")}

    assert labour_prices() == {"95"}
    assert admin.patch(f"/Inventory/{ITEM}", json={"DefaultPrice": 96.5}).status_code == 200
    assert labour_prices() == {"96.5"}


def test_a_master_with_definitions_cannot_be_deleted_through_jiwa(admin: TestClient) -> None:
    refused = admin.delete(f"/Inventory/{ITEM}")
    assert refused.status_code == 409 and "menu item definitions" in refused.json()["ResponseStatus"]["Message"]
    assert admin.get(f"/Inventory/{ITEM}").status_code == 200
