"""Debtors and inventory items: CRUD, their relational routes, and stateful editing."""

from __future__ import annotations

from starlette.testclient import TestClient

DEBTOR = "0000000061000000001V"
ITEM = "IN000000000000000001"


def test_get_debtor_example(admin: TestClient) -> None:
    response = admin.get(f"/Debtors/{DEBTOR}", headers={"Accept": "application/json"})
    assert response.status_code == 200
    debtor = response.json()
    assert debtor["AccountNo"] == "C00001" and debtor["Name"] == "Bayside Hardware Pty Ltd"
    assert debtor["Classification"]["Description"] == "Trade"
    assert [c["Surname"] for c in debtor["ContactNames"]] == ["Buyer1", "Payer1"]
    assert [a["DeliveryAddressName"] for a in debtor["DeliveryAddresses"] if a["IsDefault"]] == ["Warehouse"]
    assert debtor["Notes"][0]["NoteText"].endswith("before 10am.")
    assert {v["SettingName"] for v in debtor["CustomFieldValues"]} == {"Website", "PreferredCourier"}
    # Every DTO property is present, stored or not, as the real DTO would carry it.
    assert debtor["FXCurrentBalance"] == 0.0 and debtor["Budgets"] == []


def test_debtor_create_update_delete(admin: TestClient) -> None:
    created = admin.post("/Debtors", json={"AccountNo": "C09999", "Name": "New Customer",
                                           "CreditLimit": 2500, "ContactNames": [{"FirstName": "Jo",
                                                                                   "Surname": "Smith"}]})
    assert created.status_code == 201, created.text
    debtor = created.json()
    assert debtor["ContactNames"][0]["DefaultContact"] is True
    debtor_id = debtor["DebtorID"]
    patched = admin.patch(f"/Debtors/{debtor_id}", json={"Name": "Renamed", "CreditLimit": 100.5})
    assert patched.status_code == 200 and patched.json()["Name"] == "Renamed"
    assert patched.json()["CreditLimit"] == 100.5
    duplicate = admin.post("/Debtors", json={"AccountNo": "C09999", "Name": "Twin"})
    assert duplicate.status_code == 409
    assert admin.delete(f"/Debtors/{debtor_id}").status_code == 204
    assert admin.get(f"/Debtors/{debtor_id}").status_code == 404


def test_debtor_requires_account_no_and_name(admin: TestClient) -> None:
    response = admin.post("/Debtors", json={"Phone": "1"})
    assert response.status_code == 400
    assert {e["FieldName"] for e in response.json()["ResponseStatus"]["Errors"]} == {"AccountNo", "Name"}
    assert response.json()["ResponseStatus"]["ErrorCode"] == "NotEmpty"


def test_debtor_contact_names_and_delivery_addresses(admin: TestClient) -> None:
    base = f"/Debtors/{DEBTOR}/ContactNames"
    added = admin.post(base, json={"FirstName": "Kim", "Surname": "Lee", "EmailAddress": "kim@example.com"})
    assert added.status_code == 201
    contact_id = added.json()["ContactNameID"]
    assert added.json()["AccountNo"] == "C00001"
    assert admin.patch(f"{base}/{contact_id}", json={"Mobile": "0400"}).json()["Mobile"] == "0400"
    assert len(admin.get(base).json()) == 3
    assert admin.delete(f"{base}/{contact_id}").status_code == 204
    assert admin.get(f"{base}/{contact_id}").status_code == 404
    addresses = f"/Debtors/{DEBTOR}/DeliveryAddresses"
    new = admin.post(addresses, json={"DeliveryAddressName": "Depot", "Address1": "1 Road"})
    assert new.status_code == 201 and new.json()["IsDefault"] is False
    assert len(admin.get(addresses).json()) == 3


def test_debtor_notes_and_custom_fields(admin: TestClient) -> None:
    note = admin.post(f"/Debtors/{DEBTOR}/Notes", json={"NoteText": "Call before noon",
                                                        "NoteType": {"NoteTypeID": "NT000000000000000002"}})
    assert note.status_code == 201 and note.json()["NoteType"]["Description"] == "Delivery"
    values = admin.get(f"/Debtors/{DEBTOR}/CustomFieldValues").json()
    courier = next(v for v in values if v["SettingName"] == "PreferredCourier")
    assert courier["Contents"] == ""
    updated = admin.patch(f"/Debtors/{DEBTOR}/CustomFieldValues/{courier['SettingID']}",
                          json={"Contents": "StarTrack"})
    assert updated.json()["Contents"] == "StarTrack"
    assert [t["Description"] for t in admin.get("/Debtors/NoteTypes").json()] == ["General", "Delivery"]
    bad = admin.patch(f"/Debtors/{DEBTOR}", json={"CustomFieldValues": [{"SettingID": "nope", "Contents": "x"}]})
    assert bad.status_code == 400


def test_inventory_item_with_notes_and_prices(admin: TestClient) -> None:
    item = admin.get(f"/Inventory/{ITEM}").json()
    assert item["PartNo"] == "1172" and item["DefaultPrice"] == 95.0 and item["LCost"] == 40.0
    assert item["Status"] == "e_InventoryStatusActive"
    assert item["DebtorPrices"][0]["DebtorAccountNo"] == "C00002"
    created = admin.post("/Inventory", json={"PartNo": "9001", "Description": "Widget", "DefaultPrice": 5})
    assert created.status_code == 201
    inventory_id = created.json()["InventoryID"]
    assert admin.post(f"/Inventory/{inventory_id}/Notes", json={"NoteText": "fragile"}).status_code == 201
    assert admin.patch(f"/Inventory/{inventory_id}", json={"Status": "Discontinued"}).json()["Status"] == \
        "e_InventoryStatusDiscontinued"
    assert admin.delete(f"/Inventory/{inventory_id}").status_code == 204


def test_stateful_debtor_example(admin: TestClient, client: TestClient) -> None:
    stateful = {"jiwa-stateful": "true"}
    assert admin.get(f"/Debtors/{DEBTOR}", headers=stateful).status_code == 200
    first = admin.patch(f"/Debtors/{DEBTOR}", json={"DebtorID": DEBTOR, "Name": "My new name", "CreditLimit": 1000},
                        headers=stateful)
    assert first.status_code == 200 and first.json()["Name"] == "My new name"
    second = admin.patch(f"/Debtors/{DEBTOR}", json={"DebtorID": DEBTOR, "Address1": "SE2L10 100 Walker Street"},
                         headers=stateful)
    assert second.json()["Name"] == "My new name"
    assert second.json()["Address1"] == "SE2L10 100 Walker Street"
    # Nothing is saved yet: a stateless read sees the stored debtor.
    assert admin.get(f"/Debtors/{DEBTOR}").json()["Name"] == "Bayside Hardware Pty Ltd"
    saved = admin.get("/Debtors/Save", params={"DebtorID": DEBTOR}, headers=stateful)
    assert saved.status_code == 200
    stored = admin.get(f"/Debtors/{DEBTOR}").json()
    assert (stored["Name"], stored["CreditLimit"], stored["Address1"]) == ("My new name", 1000.0,
                                                                           "SE2L10 100 Walker Street")


def test_two_held_records_are_independent_and_abandon_discards(admin: TestClient) -> None:
    stateful = {"jiwa-stateful": "true"}
    other = "0000000061000000002V"
    admin.patch(f"/Debtors/{DEBTOR}", json={"Name": "One"}, headers=stateful)
    admin.patch(f"/Debtors/{other}", json={"Name": "Two"}, headers=stateful)
    assert admin.get(f"/Debtors/{DEBTOR}", headers=stateful).json()["Name"] == "One"
    assert admin.get(f"/Debtors/{other}", headers=stateful).json()["Name"] == "Two"
    assert admin.delete("/Debtors/Abandon", params={"DebtorID": other}, headers=stateful).status_code == 204
    assert admin.get("/Debtors/Save", params={"DebtorID": DEBTOR}, headers=stateful).status_code == 200
    assert admin.get(f"/Debtors/{DEBTOR}").json()["Name"] == "One"
    assert admin.get(f"/Debtors/{other}").json()["Name"] == "Northern Building Supplies"
    assert admin.get("/Debtors/Save", params={"DebtorID": other}, headers=stateful).status_code == 404


def test_stateful_sales_order_survives_a_restart(admin: TestClient, settings) -> None:  # type: ignore[no-untyped-def]
    from backoffice.app import create_app
    from backoffice.core.store import Database

    stateful = {"jiwa-stateful": "true"}
    order = "babce67cdbf64f778536"
    held = admin.patch(f"/SalesOrders/{order}", headers=stateful,
                       json={"Lines": [{"PartNo": "2004", "QuantityOrdered": 2}]})
    assert held.status_code == 200 and len(held.json()["Lines"]) == 3
    session_id = admin.cookies.get("ss-id") or ""
    restarted_db = Database(settings.database_url)
    with TestClient(create_app(settings, db=restarted_db)) as restarted:
        headers = {**stateful, "X-ss-id": session_id}
        assert len(restarted.get(f"/SalesOrders/{order}", headers=headers).json()["Lines"]) == 3
        assert len(restarted.get(f"/SalesOrders/{order}", headers={"X-ss-id": session_id}).json()["Lines"]) == 2
        saved = restarted.get(f"/SalesOrders/{order}/Save", headers=headers)
        assert saved.status_code == 200 and len(saved.json()["Lines"]) == 3
    restarted_db.dispose()


def test_saving_a_held_record_changed_meanwhile_is_409(admin: TestClient, db) -> None:  # type: ignore[no-untyped-def]
    stateful = {"jiwa-stateful": "true"}
    admin.patch(f"/Debtors/{DEBTOR}", json={"Name": "Held"}, headers=stateful)
    assert admin.patch(f"/Debtors/{DEBTOR}", json={"Phone": "999"}).status_code == 200
    conflict = admin.get("/Debtors/Save", params={"DebtorID": DEBTOR}, headers=stateful)
    assert conflict.status_code == 409
    assert admin.get(f"/Debtors/{DEBTOR}").json()["Phone"] == "999"


def test_note_types_can_be_defined(admin: TestClient) -> None:
    created = admin.post("/SalesOrders/NoteTypes", json={"Description": "Complaint", "ItemNo": 3})
    assert created.status_code == 201, created.text
    type_id = created.json()["NoteTypeID"]
    made_default = admin.patch(f"/SalesOrders/NoteTypes/{type_id}", json={"DefaultType": True})
    assert made_default.json()["DefaultType"] is True
    types = admin.get("/SalesOrders/NoteTypes").json()
    assert [t["Description"] for t in types if t["DefaultType"]] == ["Complaint"]
    note = admin.post("/SalesOrders/babce67cdbf64f778536/Notes", json={"NoteText": "Late delivery"}).json()
    assert note["NoteType"]["Description"] == "Complaint"
    assert admin.get(f"/Debtors/NoteTypes/{type_id}").status_code == 404  # a sales order note type
    in_use = admin.delete(f"/SalesOrders/NoteTypes/{type_id}")
    assert in_use.status_code == 409
    spare = admin.post("/SalesOrders/NoteTypes", json={"Description": "Spare"}).json()["NoteTypeID"]
    assert admin.delete(f"/SalesOrders/NoteTypes/{spare}").status_code == 204
    assert admin.get(f"/SalesOrders/NoteTypes/{spare}").status_code == 404
    assert admin.post("/SalesOrders/NoteTypes", json={}).status_code == 400
