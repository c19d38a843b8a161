"""Sales orders as the Jiwa document describes them, with its examples as cases."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

ORDER = "babce67cdbf64f778536"
LINE = "88a358a2822e4319b9b9"
ORDER_WITH_NOTE = "5244dd5e199749f4b6fe"
NOTE = "66581f3f-3efb-4cb5-878c-37f6a55405cf"
SETTING = "1ae102b94dc54dfc8a45"
DEBTOR = "0000000061000000001V"
DEBTOR2 = "0000000061000000002V"

# The body of the document's curl example, byte for byte (note the space-padded SettingID).
SEED_PATCH = ('{"ExpectedDeliveryDate":"2017-09-20","Lines":[{"PartNo":"1172","QuantityOrdered":5},'
              '{"InvoiceLineID":"88a358a2822e4319b9b9","QuantityOrdered":10,"CustomFieldValues":'
              '[{"SettingID":"1ae102b94dc54dfc8a45                ", "Contents":"Adjustment requested by phone"}]}],'
              '"Notes":[{"NoteText":"Customer telephoned and asked for another few hours of labour"}]}')


def _wcf_ms(value: str) -> int:
    return int(value.split("(")[1].split("-")[0].split("+")[0].split(")")[0])


def _check_seed_patch_result(order: dict, expected_delivery_ms: int | None = None) -> None:
    lines = order["Lines"]
    assert [line["ItemNo"] for line in lines] == list(range(1, len(lines) + 1))
    edited = next(line for line in lines if line["InvoiceLineID"] == LINE)
    assert edited["QuantityOrdered"] == 10
    assert {"SettingID": SETTING, "Contents": "Adjustment requested by phone"}.items() <= {
        **next(c for c in edited["CustomFieldValues"] if c["SettingID"] == SETTING)}.items()
    added = lines[-1]
    assert added["PartNo"] == "1172" and added["QuantityOrdered"] == 5
    # Note (4): no price given, so the pricing scheme's price (the item's default price) applies.
    assert added["PriceExGst"] == 95.0
    assert added["LineTotal"] == pytest.approx(5 * 95.0 * 1.1)
    assert added["InvoiceLineID"] and added["InvoiceLineID"] != LINE
    note = order["Notes"][-1]
    assert note["NoteText"] == "Customer telephoned and asked for another few hours of labour"
    # Note (6): no NoteType given, so the default note type is used.
    assert note["NoteType"]["DefaultType"] is True and note["NoteType"]["Description"] == "General"
    if expected_delivery_ms is not None:
        assert _wcf_ms(order["ExpectedDeliveryDate"]) == expected_delivery_ms


def test_curl_patch_example(client: TestClient) -> None:
    session_id = client.request("GET", "/auth", content='{"username":"Admin","password":"password"}',
                                headers={"Accept": "application/json", "Content-Type": "application/json"}
                                ).json()["SessionId"]
    client.cookies.clear()
    response = client.patch(f"/SalesOrders/{ORDER}", content=SEED_PATCH, headers={
        "Accept": "application/json", "Content-Type": "application/json", "Cookie": f"ss-id={session_id}"})
    assert response.status_code == 200, response.text
    order = response.json()
    assert order["InvoiceID"] == ORDER
    assert len(order["Lines"]) == 3
    _check_seed_patch_result(order, int(datetime(2017, 9, 20, tzinfo=UTC).timestamp() * 1000))
    # The change is stored, not just echoed.
    again = client.get(f"/SalesOrders/{ORDER}", headers={"Cookie": f"ss-id={session_id}"}).json()
    assert again["Lines"] == order["Lines"]


def test_csharp_webclient_patch_example(client: TestClient) -> None:
    # WebClient: query-string login, then the cookie header and a Newtonsoft-serialised anonymous object.
    session_id = client.get("/auth", params={"username": "Admin", "password": "password"}).json()["SessionId"]
    client.cookies.clear()
    delivery = datetime.now(UTC) + timedelta(days=5)
    body = json.dumps({
        "ExpectedDeliveryDate": delivery.strftime("%Y-%m-%dT%H:%M:%S.%f0+00:00"),
        "Lines": [{"PartNo": "1172", "QuantityOrdered": 5},
                  {"InvoiceLineID": LINE, "QuantityOrdered": 10, "CustomFieldValues": [
                      {"SettingID": SETTING + "                ", "Contents": "Adjustment requested by phone"}]}],
        "Notes": [{"NoteText": "Customer telephoned and asked for another few hours of labour"}],
    })
    response = client.request("PATCH", f"/SalesOrders/{ORDER}", content=body,
                              headers={"Cookie": f"ss-id={session_id}", "Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    _check_seed_patch_result(response.json(), int(delivery.timestamp() * 1000))


def test_debtor_account_no_and_inventory_id_resolution(admin: TestClient) -> None:
    # Note (1): DebtorAccountNo is enough; Note (3): InventoryID wins over PartNo.
    created = admin.post("/SalesOrders", json={
        "DebtorAccountNo": "C00002", "OrderNo": "PO-NEW",
        "Lines": [{"InventoryID": "IN000000000000000003", "PartNo": "1172", "QuantityOrdered": 2},
                  {"PartNo": "2001", "QuantityOrdered": 1, "PriceExGst": 30.0}]})
    assert created.status_code == 201, created.text
    order = created.json()
    assert order["DebtorID"] == DEBTOR2 and order["DebtorAccountNo"] == "C00002"
    assert order["Lines"][0]["PartNo"] == "2001"
    # C00002 has its own price for every item (90% of the default): the pricing scheme uses it.
    assert order["Lines"][0]["PriceExGst"] == pytest.approx(29.25)
    # A price the caller gives is kept.
    assert order["Lines"][1]["PriceExGst"] == 30.0
    assert order["InvoiceNo"] == "100017"  # after the demo's 16 orders
    assert order["Status"] == "e_SalesOrderEntered"
    # Delivery details default from the debtor's default delivery address.
    assert order["DeliveryAddress1"].startswith("Dock 2")
    both = admin.post("/SalesOrders", json={"DebtorID": DEBTOR, "DebtorAccountNo": "C00002"}).json()
    assert both["DebtorID"] == DEBTOR


def test_create_needs_a_known_debtor(admin: TestClient) -> None:
    missing = admin.post("/SalesOrders", json={"OrderNo": "x"})
    assert missing.status_code == 400
    assert missing.json()["ResponseStatus"]["Errors"][0]["FieldName"] == "DebtorID"
    unknown = admin.post("/SalesOrders", json={"DebtorAccountNo": "NOPE"})
    assert unknown.status_code == 400
    assert unknown.json()["ResponseStatus"]["Errors"][0]["FieldName"] == "DebtorAccountNo"
    wrong_type = admin.post("/SalesOrders", json={"DebtorID": DEBTOR, "Lines": [{"QuantityOrdered": "lots"}]})
    assert wrong_type.status_code == 400
    assert "QuantityOrdered" in wrong_type.json()["ResponseStatus"]["Errors"][0]["FieldName"]


def test_several_field_errors_at_once(admin: TestClient) -> None:
    response = admin.post("/SalesOrders", json={"DebtorAccountNo": "NOPE", "Lines": [{"PartNo": "NOPE"}]})
    assert response.status_code == 400
    names = {e["FieldName"] for e in response.json()["ResponseStatus"]["Errors"]}
    assert names == {"DebtorAccountNo", "Lines[0].PartNo"}


def test_relational_note_routes(admin: TestClient) -> None:
    notes = admin.get(f"/SalesOrders/{ORDER_WITH_NOTE}/Notes")
    assert notes.status_code == 200
    assert [n["NoteID"] for n in notes.json()] == [NOTE]
    added = admin.post(f"/SalesOrders/{ORDER_WITH_NOTE}/Notes", json={"NoteText": "Second note"})
    assert added.status_code == 201
    note_id = added.json()["NoteID"]
    assert added.json()["LineNo"] == 2
    patched = admin.patch(f"/SalesOrders/{ORDER_WITH_NOTE}/Notes/{NOTE}", json={"NoteText": "Changed"})
    assert patched.status_code == 200 and patched.json()["NoteText"] == "Changed"
    assert admin.get(f"/SalesOrders/{ORDER_WITH_NOTE}/Notes/{NOTE}").json()["NoteText"] == "Changed"
    assert admin.delete(f"/SalesOrders/{ORDER_WITH_NOTE}/Notes/{NOTE}").status_code == 204
    assert admin.get(f"/SalesOrders/{ORDER_WITH_NOTE}/Notes/{NOTE}").status_code == 404
    assert [n["NoteID"] for n in admin.get(f"/SalesOrders/{ORDER_WITH_NOTE}/Notes").json()] == [note_id]


def test_line_routes_under_a_history(admin: TestClient) -> None:
    order = admin.get(f"/SalesOrders/{ORDER}").json()
    history = order["Histories"][0]["InvoiceHistoryID"]
    base = f"/SalesOrders/{ORDER}/Historys/{history}/Lines"
    assert len(admin.get(base).json()) == 2
    line = admin.get(f"{base}/{LINE}")
    assert line.status_code == 200 and line.json()["PartNo"] == "1172"
    added = admin.post(base, json={"PartNo": "2004", "QuantityOrdered": 3})
    assert added.status_code == 201 and added.json()["LineTotal"] == pytest.approx(3 * 12.95 * 1.1, abs=0.01)
    changed = admin.patch(f"{base}/{LINE}", json={"QuantityOrdered": 1})
    assert changed.status_code == 200 and changed.json()["LineTotal"] == pytest.approx(95 * 1.1)
    assert admin.delete(f"{base}/{added.json()['InvoiceLineID']}").status_code == 204
    assert len(admin.get(base).json()) == 2
    assert admin.get(f"/SalesOrders/{ORDER}/Historys/nohistory/Lines").status_code == 404
    values = admin.get(f"{base}/{LINE}/CustomFieldValues").json()
    assert [v["SettingID"] for v in values] == [SETTING]
    updated = admin.patch(f"{base}/{LINE}/CustomFieldValues/{SETTING}", json={"Contents": "Call first"})
    assert updated.status_code == 200 and updated.json()["Contents"] == "Call first"
    assert admin.get(f"{base}/{LINE}/CustomFieldValues/{SETTING}").json()["Contents"] == "Call first"
    histories = admin.get(f"/SalesOrders/{ORDER}/Historys")
    assert histories.status_code == 200 and histories.json()[0]["HistoryNo"] == 1


def test_order_custom_field_values(admin: TestClient) -> None:
    values = admin.get(f"/SalesOrders/{ORDER}/CustomFieldValues").json()
    assert [(v["SettingName"], v["Contents"]) for v in values] == [("CustomerApproval", "Approved")]
    setting = values[0]["SettingID"]
    assert admin.patch(f"/SalesOrders/{ORDER}/CustomFieldValues/{setting}",
                       json={"Contents": "Pending"}).json()["Contents"] == "Pending"
    assert admin.get(f"/SalesOrders/{ORDER}/CustomFieldValues/nosuch").status_code == 404
    fields = admin.get("/SalesOrders/CustomFields").json()
    assert [f["SettingName"] for f in fields] == ["CustomerApproval"]
    assert [f["SettingID"] for f in admin.get("/SalesOrders/Lines/CustomFields").json()] == [SETTING]


def test_status_codes_201_204_404(admin: TestClient) -> None:
    created = admin.post("/SalesOrders", json={"DebtorID": DEBTOR})
    assert created.status_code == 201
    invoice_id = created.json()["InvoiceID"]
    assert admin.delete(f"/SalesOrders/{invoice_id}").status_code == 204
    missing = admin.get(f"/SalesOrders/{invoice_id}")
    assert missing.status_code == 404
    assert missing.json()["ResponseStatus"]["ErrorCode"] == "RecordNotFound"
    assert admin.get("/NoSuchRoute").status_code == 404
    assert admin.put(f"/SalesOrders/{ORDER}", json={}).status_code == 405


def test_stale_last_saved_is_409_and_nothing_is_lost(admin: TestClient) -> None:
    first = admin.get(f"/SalesOrders/{ORDER}").json()
    token = first["LastSavedDateTime"]
    assert admin.patch(f"/SalesOrders/{ORDER}", json={"OrderNo": "A", "LastSavedDateTime": token}).status_code == 200
    stale = admin.patch(f"/SalesOrders/{ORDER}", json={"OrderNo": "B", "LastSavedDateTime": token})
    assert stale.status_code == 409
    assert stale.json()["ResponseStatus"]["ErrorCode"] == "ConcurrencyConflict"
    assert admin.get(f"/SalesOrders/{ORDER}").json()["OrderNo"] == "A"


def test_delete_of_a_record_in_use_is_409(admin: TestClient) -> None:
    debtor = admin.delete(f"/Debtors/{DEBTOR}")
    assert debtor.status_code == 409
    assert debtor.json()["ResponseStatus"]["ErrorCode"] == "RecordInUse"
    item = admin.delete("/Inventory/IN000000000000000001")
    assert item.status_code == 409
    assert admin.get(f"/Debtors/{DEBTOR}").status_code == 200


def test_sales_quotes_work_alike(admin: TestClient) -> None:
    created = admin.post("/SalesQuotes", json={"DebtorAccountNo": "C00003",
                                                "Lines": [{"PartNo": "3002", "QuantityOrdered": 4}]})
    assert created.status_code == 201, created.text
    quote = created.json()
    assert quote["QuoteNo"] == "500004" and quote["Lines"][0]["PriceExGst"] == 17.5
    quote_id = quote["QuoteID"]
    history = quote["Histories"][0]["QuoteHistoryID"]
    line = admin.post(f"/SalesQuotes/{quote_id}/Historys/{history}/Lines", json={"PartNo": "3001",
                                                                                  "QuantityOrdered": 1})
    assert line.status_code == 201 and line.json()["QuoteLineID"]
    assert len(admin.get(f"/SalesQuotes/{quote_id}").json()["Lines"]) == 2
    assert admin.post(f"/SalesQuotes/{quote_id}/Notes", json={"NoteText": "hi"}).status_code == 201
    patched = admin.patch(f"/SalesQuotes/{quote_id}", json={"Status": "e_SalesQuoteClosed"})
    assert patched.json()["Status"] == "e_SalesQuoteClosed"
    assert admin.delete(f"/SalesQuotes/{quote_id}").status_code == 409  # settled: close, don't delete
    entered = admin.post("/SalesQuotes", json={"DebtorAccountNo": "C00003"}).json()["QuoteID"]
    assert admin.delete(f"/SalesQuotes/{entered}").status_code == 204


def test_a_written_order_is_seen_by_the_lists(admin: TestClient) -> None:
    created = admin.post("/SalesOrders", json={"DebtorID": DEBTOR2, "OrderNo": "LIST-ME"}).json()
    found = admin.get("/Queries/SalesOrderList", params={"OrderNo": "LIST-ME"}).json()["Results"]
    assert [r["InvoiceID"] for r in found] == [created["InvoiceID"]]
    assert found[0]["AccountNo"] == "C00002"
    raw = admin.get("/Queries/SO_Main", params={"OrderNo": "LIST-ME"}).json()["Results"]
    assert raw[0]["InvoiceNo"] == created["InvoiceNo"] and raw[0]["Status"] == 0


def test_make_order_from_quote(admin: TestClient) -> None:
    quote = admin.get("/SalesQuotes/QO000000000000000001").json()
    made = admin.post("/SalesQuotes/QO000000000000000001/MakeOrder")
    assert made.status_code == 201, made.text
    order = made.json()
    assert order["DebtorID"] == quote["DebtorID"] and order["OrderNo"] == quote["OrderNo"]
    assert [(line["PartNo"], line["QuantityOrdered"], line["PriceExGst"]) for line in order["Lines"]] == \
        [(line["PartNo"], line["QuantityOrdered"], line["PriceExGst"]) for line in quote["Lines"]]
    assert admin.get("/SalesQuotes/QO000000000000000001").json()["Status"] == "e_SalesQuoteOrdered"
    again = admin.post("/SalesQuotes/QO000000000000000001/MakeOrder")
    assert again.status_code == 409 and again.json()["ResponseStatus"]["ErrorCode"] == "InvalidQuoteState"


def test_process_an_order_charges_the_debtor(admin: TestClient) -> None:
    before = admin.get(f"/Debtors/{DEBTOR}").json()["CurrentBalance"]
    order = admin.get(f"/SalesOrders/{ORDER}").json()
    total = sum(line["LineTotal"] for line in order["Lines"])
    processed = admin.get(f"/SalesOrders/{ORDER}/Process")
    assert processed.status_code == 200, processed.text
    assert processed.json()["Status"] == "e_SalesOrderProcessed"
    assert processed.json()["Histories"][0]["Delivered"] is True
    assert admin.get(f"/Debtors/{DEBTOR}").json()["CurrentBalance"] == pytest.approx(before + total)
    charged = admin.get("/Queries/DebtorTransactionList", params={"Ref": order["InvoiceNo"]}).json()["Results"]
    assert [t["Amount"] for t in charged] == [pytest.approx(total)]
    assert admin.get(f"/SalesOrders/{ORDER}/Process").status_code == 409


@pytest.mark.parametrize("path", [f"/SalesOrders/{ORDER_WITH_NOTE}", f"/Debtors/{DEBTOR}",
                                  "/Inventory/IN000000000000000001", "/SalesQuotes/QO000000000000000001"])
def test_patching_back_what_was_read_changes_nothing(admin: TestClient, path: str) -> None:
    # A common client pattern: GET the DTO, change a field or none, PATCH the whole DTO back.
    read = admin.get(path).json()
    written = admin.patch(path, json=read)
    assert written.status_code == 200, written.text
    after = written.json()
    changed = {k for k in after if after[k] != read.get(k)} - {"LastSavedDateTime", "Histories"}
    assert changed == set()
    assert len(after.get("Lines", [])) == len(read.get("Lines", []))


def test_a_processed_order_is_settled(admin: TestClient) -> None:
    assert admin.get(f"/SalesOrders/{ORDER}/Process").status_code == 200
    changed = admin.patch(f"/SalesOrders/{ORDER}", json={"Lines": [{"PartNo": "2001", "QuantityOrdered": 1}]})
    assert changed.status_code == 409 and changed.json()["ResponseStatus"]["ErrorCode"] == "InvalidOrderState"
    assert admin.patch(f"/SalesOrders/{ORDER}", json={"Status": "e_SalesOrderEntered"}).status_code == 409
    noted = admin.post(f"/SalesOrders/{ORDER}/Notes", json={"NoteText": "Paid in full"})
    assert noted.status_code == 201
    closed = admin.patch(f"/SalesOrders/{ORDER}", json={"Status": "e_SalesOrderClosed"})
    assert closed.status_code == 200 and closed.json()["Status"] == "e_SalesOrderClosed"


def test_a_new_history_is_the_next_delivery(admin: TestClient) -> None:
    order = admin.patch(f"/SalesOrders/{ORDER}", json={"Histories": [{"Ref": "second drop"}]}).json()
    assert [h["HistoryNo"] for h in order["Histories"]] == [1, 2]
    added = admin.patch(f"/SalesOrders/{ORDER}", json={"Lines": [{"PartNo": "2004", "QuantityOrdered": 1}]}).json()
    assert added["Lines"][-1]["InvoiceLineID"]
    second = order["Histories"][1]["InvoiceHistoryID"]
    lines = admin.get(f"/SalesOrders/{ORDER}/Historys/{second}/Lines").json()
    assert [line["PartNo"] for line in lines] == ["2004"]


def test_processing_twice_at_once_charges_once(admin: TestClient, db) -> None:  # type: ignore[no-untyped-def]
    import threading

    from backoffice.core import actions, errors
    from backoffice.core.auth import Principal

    actor = Principal(kind="staff", staff_id="", username="Admin")
    outcomes: list[str] = []

    def process() -> None:
        try:
            with db.write() as conn:
                actions.process_order(conn, actor, ORDER)
            outcomes.append("processed")
        except errors.Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=process) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * 3 + ["processed"]
    invoice_no = admin.get(f"/SalesOrders/{ORDER}").json()["InvoiceNo"]
    charged = admin.get("/Queries/DebtorTransactionList", params={"Ref": invoice_no}).json()["Results"]
    assert len(charged) == 1


def test_settled_states_come_only_from_their_operations(admin: TestClient) -> None:
    edited = admin.patch(f"/SalesOrders/{ORDER}", json={"Status": "e_SalesOrderProcessed"})
    assert edited.status_code == 409 and edited.json()["ResponseStatus"]["ErrorCode"] == "InvalidOrderState"
    quote = admin.patch("/SalesQuotes/QO000000000000000001", json={"Status": "e_SalesQuoteOrdered"})
    assert quote.status_code == 409
    assert admin.patch(f"/SalesOrders/{ORDER}", json={"Status": "e_SalesOrderClosed"}).status_code == 200


def test_a_processed_order_cannot_be_deleted_and_its_gst_includes_freight(admin: TestClient) -> None:
    order = admin.patch(f"/SalesOrders/{ORDER}", json={"Cartage1ExGst": 100}).json()
    line_gst = sum(line["TaxToCharge"] * line["QuantityOrdered"] for line in order["Lines"])
    assert order["Cartage1Gst"] == 10.0
    assert admin.get(f"/SalesOrders/{ORDER}/Process").status_code == 200
    deleted = admin.delete(f"/SalesOrders/{ORDER}")
    assert deleted.status_code == 409
    charged = admin.get("/Queries/DebtorTransactionList", params={"Ref": order["InvoiceNo"]}).json()["Results"]
    assert charged[0]["GSTAmount"] == pytest.approx(line_gst + 10.0, abs=0.01)


def test_a_line_posted_under_a_history_belongs_to_it(admin: TestClient) -> None:
    order = admin.patch(f"/SalesOrders/{ORDER}", json={"Histories": [{"Ref": "second drop"}]}).json()
    first = order["Histories"][0]["InvoiceHistoryID"]
    added = admin.post(f"/SalesOrders/{ORDER}/Historys/{first}/Lines", json={"PartNo": "2004", "QuantityOrdered": 1})
    assert added.status_code == 201
    listed = admin.get(f"/SalesOrders/{ORDER}/Historys/{first}/Lines").json()
    assert added.json()["InvoiceLineID"] in [line["InvoiceLineID"] for line in listed]
