"""Debtor API keys: exactly the document's "Recommended Route Exposure", scoped and filtered."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from backoffice.core.auth import service as auth
from backoffice.core.store import Database

MINE = "0000000061000000002V"  # C00002, who also has debtor-specific prices
THEIRS = "0000000061000000001V"
THEIR_ORDER = "babce67cdbf64f778536"
HIDDEN_LINE_FIELDS = {"DiscountedPercentage", "DiscountGiven", "PriceExGst", "PriceIncGst", "UnitCost"}


@pytest.fixture
def customer(client: TestClient, db: Database) -> TestClient:
    with db.write() as conn:
        key = auth.create_api_key(conn, debtor_account_no="C00002").key
    client.headers["Authorization"] = f"Bearer {key}"
    return client


def test_debtors_route_answers_the_keys_own_account(customer: TestClient) -> None:
    # curl -H 'Authorization: Bearer <key>' .../Debtors, and the same key as ?apikey=
    response = customer.get("/Debtors")
    assert response.status_code == 200
    assert response.json()["DebtorID"] == MINE
    key = customer.headers.pop("Authorization").split()[1]
    assert customer.get(f"/Debtors?apikey={key}").json()["DebtorID"] == MINE


def test_routes_outside_the_table_are_403(customer: TestClient) -> None:
    for method, path in [("GET", f"/Debtors/{MINE}"), ("GET", f"/Debtors/{THEIRS}"), ("GET", "/Queries/SO_Main"),
                         ("GET", "/Queries/DebtorList"), ("GET", "/Queries/InventoryItemList"),
                         ("DELETE", f"/SalesOrders/{THEIR_ORDER}"), ("POST", f"/SalesOrders/{THEIR_ORDER}/Notes"),
                         ("GET", f"/SalesOrders/{THEIR_ORDER}/Notes"), ("POST", "/Debtors"),
                         ("GET", "/SalesOrders/CustomFields"), ("PATCH", "/Inventory/IN000000000000000001")]:
        response = customer.request(method, path, json={} if method in ("POST", "PATCH") else None)
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["ResponseStatus"]["ErrorCode"] == "Forbidden"


def test_inventory_item_without_costs_or_other_debtors_prices(customer: TestClient) -> None:
    item = customer.get("/Inventory/IN000000000000000001").json()
    assert item["PartNo"] == "1172"
    for cost in ("LCost", "SCost", "StandardCost", "SalesManCost"):
        assert cost not in item
    assert [p["DebtorID"] for p in item["DebtorPrices"]] == [MINE]


def test_lists_and_records_are_scoped_to_the_debtor(customer: TestClient) -> None:
    orders = customer.get("/Queries/SalesOrderList", params={"Include": "Total"}).json()
    assert orders["Total"] == 2 and {r["DebtorID"] for r in orders["Results"]} == {MINE}
    # Asking for someone else's orders by filter still only yields one's own (none).
    assert customer.get("/Queries/SalesOrderList", params={"DebtorID": THEIRS}).json()["Results"] == []
    assert customer.get(f"/SalesOrders/{THEIR_ORDER}").status_code == 404
    assert customer.patch(f"/SalesOrders/{THEIR_ORDER}", json={"OrderNo": "x"}).status_code == 404
    transactions = customer.get("/Queries/DebtorTransactionList").json()["Results"]
    assert transactions and {t["DebtorID"] for t in transactions} == {MINE}
    quotes = customer.get("/Queries/SalesQuoteList").json()["Results"]
    assert quotes == []


def test_placing_an_order_replaces_the_debtor_and_drops_pricing(customer: TestClient) -> None:
    created = customer.post("/SalesOrders", json={
        "DebtorID": THEIRS, "CreditNote": True, "InvoiceInitDate": "2001-01-01",
        "Lines": [{"PartNo": "1172", "QuantityOrdered": 2, "PriceExGst": 0.01, "UnitCost": 0, "FixPrice": True}]})
    assert created.status_code == 201, created.text
    order = created.json()
    assert order["DebtorID"] == MINE
    assert order["CreditNote"] is False
    assert not order["InvoiceInitDate"].startswith("\\/Date(978307200000")
    line = order["Lines"][0]
    assert HIDDEN_LINE_FIELDS.isdisjoint(line)
    # The customer's own price applies (90% of 95.00), not the price they sent.
    assert line["DiscountedPrice"] == pytest.approx(85.5)
    assert line["LineTotal"] == pytest.approx(2 * 85.5 * 1.1)


def test_own_order_lines_can_be_added_changed_and_removed(customer: TestClient) -> None:
    created = customer.post("/SalesOrders", json={"Lines": [{"PartNo": "2001", "QuantityOrdered": 1}]}).json()
    invoice_id = created["InvoiceID"]
    history = created["Histories"][0]["InvoiceHistoryID"]
    fetched = customer.get(f"/SalesOrders/{invoice_id}").json()
    assert HIDDEN_LINE_FIELDS.isdisjoint(fetched["Lines"][0])
    base = f"/SalesOrders/{invoice_id}/Historys/{history}/Lines"
    added = customer.post(base, json={"PartNo": "2004", "QuantityOrdered": 4})
    assert added.status_code == 201 and HIDDEN_LINE_FIELDS.isdisjoint(added.json())
    line_id = added.json()["InvoiceLineID"]
    assert customer.patch(f"{base}/{line_id}", json={"QuantityOrdered": 5}).json()["QuantityOrdered"] == 5
    assert customer.get(f"{base}/{line_id}").status_code == 200
    assert customer.delete(f"{base}/{line_id}").status_code == 204
    patched = customer.patch(f"/SalesOrders/{invoice_id}", json={"OrderNo": "MY-PO"})
    assert patched.status_code == 200 and patched.json()["OrderNo"] == "MY-PO"


def test_quotes_and_stateful_routes_for_the_debtor(customer: TestClient) -> None:
    quote = customer.post("/SalesQuotes", json={"Lines": [{"PartNo": "3001", "QuantityOrdered": 1}]})
    assert quote.status_code == 201 and quote.json()["DebtorID"] == MINE
    quote_id = quote.json()["QuoteID"]
    assert customer.get(f"/SalesQuotes/{quote_id}").status_code == 200
    stateful = {"jiwa-stateful": "true"}
    assert customer.patch(f"/SalesQuotes/{quote_id}", json={"OrderNo": "held"}, headers=stateful).status_code == 200
    assert customer.get(f"/SalesQuotes/{quote_id}/Save", headers=stateful).json()["OrderNo"] == "held"
    assert customer.get("/KeepAlive").status_code == 204


def test_a_debtor_cannot_touch_deliveries_freight_or_credit_itself(customer: TestClient) -> None:
    created = customer.post("/SalesOrders", json={"Lines": [{"PartNo": "2001", "QuantityOrdered": 1}],
                                                  "Cartage1ExGst": -5000}).json()
    assert created["Cartage1ExGst"] == 0.0
    invoice_id = created["InvoiceID"]
    history = created["Histories"][0]["InvoiceHistoryID"]
    patched = customer.patch(f"/SalesOrders/{invoice_id}", json={
        "Histories": [{"InvoiceHistoryID": history, "Delivered": True}, {"Ref": "extra"}]}).json()
    assert len(patched["Histories"]) == 1 and patched["Histories"][0]["Delivered"] is False
    negative = customer.patch(f"/SalesOrders/{invoice_id}", json={"Lines": [{"PartNo": "2001",
                                                                             "QuantityOrdered": -100}]})
    assert negative.status_code == 400
    assert negative.json()["ResponseStatus"]["Errors"][0]["FieldName"] == "Lines[1].QuantityOrdered"


def test_a_debtor_cannot_reach_another_debtors_order_by_any_route(customer: TestClient) -> None:
    history = "x"
    for method, path in [("GET", f"/SalesOrders/{THEIR_ORDER}/Save"), ("DELETE", f"/SalesOrders/{THEIR_ORDER}/Abandon"),
                         ("GET", f"/SalesOrders/{THEIR_ORDER}/Historys/{history}/Lines/88a358a2822e4319b9b9"),
                         ("POST", f"/SalesOrders/{THEIR_ORDER}/Historys/{history}/Lines"),
                         ("PATCH", f"/SalesOrders/{THEIR_ORDER}/Historys/{history}/Lines/88a358a2822e4319b9b9"),
                         ("DELETE", f"/SalesOrders/{THEIR_ORDER}/Historys/{history}/Lines/88a358a2822e4319b9b9")]:
        response = customer.request(method, path, json={"QuantityOrdered": 1} if method in ("POST", "PATCH") else None)
        assert response.status_code == 404, (method, path, response.text)
    stateful = {"jiwa-stateful": "true"}
    assert customer.get(f"/SalesOrders/{THEIR_ORDER}", headers=stateful).status_code == 404
    assert customer.patch(f"/SalesOrders/{THEIR_ORDER}", json={"OrderNo": "x"}, headers=stateful).status_code == 404


def test_a_debtor_cannot_rewrite_the_sellers_notes_or_fields(customer: TestClient) -> None:
    created = customer.post("/SalesOrders", json={"Lines": [{"PartNo": "2001", "QuantityOrdered": 1}],
                                                  "Notes": [{"NoteText": "please hurry"}]}).json()
    assert created["Notes"] == []
    invoice_id = created["InvoiceID"]
    patched = customer.patch(f"/SalesOrders/{invoice_id}", json={
        "Notes": [{"NoteText": "mine"}], "CustomFieldValues": [{"SettingID": "CF000000000000000004", "Contents": "x"}],
        "Lines": [{"InvoiceLineID": created["Lines"][0]["InvoiceLineID"], "CustomFieldValues": [
            {"SettingID": "1ae102b94dc54dfc8a45", "Contents": "x"}]}]})
    assert patched.status_code == 200
    body = patched.json()
    assert body["Notes"] == []
    assert all(v["Contents"] == "" for v in body["CustomFieldValues"])
    assert all(v["Contents"] == "" for v in body["Lines"][0]["CustomFieldValues"])
