"""Content negotiation, ?jsconfig=, pre-defined routes, AutoQuery, and bad input."""

from __future__ import annotations

import csv
import io

import pytest
from lxml import etree
from starlette.testclient import TestClient

DEBTOR = "0000000061000000001V"
NS = "{http://schemas.datacontract.org/2004/07/JiwaFinancials.Jiwa.JiwaServiceModel}"


@pytest.mark.parametrize("path, query", [(f"/Debtors/{DEBTOR}.xml", ""), (f"/Debtors/{DEBTOR}", "?format=xml")])
def test_xml_by_suffix_or_query(admin: TestClient, path: str, query: str) -> None:
    response = admin.get(path + query)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    root = etree.fromstring(response.content)
    assert root.tag == f"{NS}Debtor"
    assert root.findtext(f"{NS}AccountNo") == "C00001"
    names = [etree.QName(child).localname for child in root]
    assert names == sorted(names, key=str.casefold)  # DataContract member order


def test_xml_by_accept_header(admin: TestClient) -> None:
    response = admin.get(f"/Debtors/{DEBTOR}", headers={"Accept": "application/xml"})
    assert response.headers["content-type"].startswith("application/xml")


def test_csv_of_a_record_and_of_a_query(admin: TestClient) -> None:
    single = admin.get(f"/Debtors/{DEBTOR}.csv")
    assert single.status_code == 200 and single.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(single.text)))
    assert len(rows) == 1 and rows[0]["AccountNo"] == "C00001"
    listing = admin.get("/Queries/DebtorList?format=csv&OrderBy=AccountNo&AccountNoStartsWith=C")
    assert "attachment;filename=DebtorListQuery.csv" in listing.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(listing.text)))
    assert [r["AccountNo"] for r in rows] == ["C00001", "C00002", "C00003", "C00004", "C00005"]


def test_html_for_browsers(admin: TestClient) -> None:
    response = admin.get(f"/Debtors/{DEBTOR}", headers={"Accept": "text/html,application/xhtml+xml"})
    assert response.headers["content-type"].startswith("text/html")
    assert "Bayside Hardware Pty Ltd" in response.text
    assert admin.get(f"/Debtors/{DEBTOR}.json").headers["content-type"].startswith("application/json")


def test_camel_case_on_request(admin: TestClient) -> None:
    for config in ("TextCase:CamelCase", "tc:cc", "eccn"):
        body = admin.get(f"/Debtors/{DEBTOR}", params={"jsconfig": config}).json()
        assert body["debtorID"] == DEBTOR and body["accountNo"] == "C00001"
        assert body["contactNames"][0]["contactNameID"]
    error = admin.get("/Debtors/nope", params={"jsconfig": "tc:cc"}).json()
    assert error["responseStatus"]["errorCode"] == "RecordNotFound"


def test_dates_are_wcf_json_dates_unless_asked_otherwise(admin: TestClient) -> None:
    raw = admin.get("/SalesOrders/babce67cdbf64f778536").text
    assert '"ExpectedDeliveryDate":"\\/Date(1768294800000-0000)\\/"' in raw
    iso = admin.get("/SalesOrders/babce67cdbf64f778536", params={"jsconfig": "dh:iso8601"}).json()
    assert iso["ExpectedDeliveryDate"] == "2026-01-13T09:00:00"


def test_request_names_are_case_insensitive(admin: TestClient) -> None:
    created = admin.post("/salesorders", json={"debtorid": DEBTOR, "orderno": "lower", "LINES": [
        {"partno": "1172", "quantityordered": 1}]})
    assert created.status_code == 201, created.text
    assert created.json()["OrderNo"] == "lower" and created.json()["Lines"][0]["PartNo"] == "1172"
    assert admin.get(f"/debtors/{DEBTOR}").status_code == 200


def test_predefined_routes(admin: TestClient) -> None:
    by_reply = admin.get("/json/reply/DebtorGETRequest", params={"DebtorID": DEBTOR})
    assert by_reply.status_code == 200 and by_reply.json()["AccountNo"] == "C00001"
    by_api = admin.patch("/api/SalesOrderPATCHRequest", json={"InvoiceID": "babce67cdbf64f778536",
                                                              "OrderNo": "via-api"})
    assert by_api.status_code == 200 and by_api.json()["OrderNo"] == "via-api"
    # The verb still counts: a link (GET) cannot delete, and HEAD answers like GET.
    assert admin.get("/json/reply/SalesOrderDELETERequest", params={"InvoiceID": "babce67cdbf64f778536"}
                     ).status_code == 405
    assert admin.get("/SalesOrders/babce67cdbf64f778536").status_code == 200
    assert admin.head(f"/Debtors/{DEBTOR}").status_code == 200
    assert admin.options(f"/Debtors/{DEBTOR}").json()["ResponseStatus"]["ErrorCode"] == "NotImplementedException"
    overridden = admin.post("/SalesOrders/babce67cdbf64f778536", json={"OrderNo": "tunnelled"},
                            headers={"X-Http-Method-Override": "PATCH"})
    assert overridden.status_code == 200 and overridden.json()["OrderNo"] == "tunnelled"
    xml = admin.get("/xml/reply/DebtorGETRequest", params={"DebtorID": DEBTOR})
    assert xml.headers["content-type"].startswith("application/xml")
    assert admin.get("/json/reply/NoSuchRequest").status_code == 404


def test_auto_query_paging_sorting_and_total(admin: TestClient) -> None:
    # The Australian customers' orders (account numbers C0000n), not the Greek ones.
    page = admin.get("/Queries/SalesOrderList", params={"Skip": 2, "Take": 3, "OrderByDesc": "InvoiceNo",
                                                        "Include": "Total", "AccountNoStartsWith": "C"}).json()
    assert page["Offset"] == 2 and page["Total"] == 7
    assert [r["InvoiceNo"] for r in page["Results"]] == ["100005", "100004", "100003"]
    without_total = admin.get("/Queries/SalesOrderList", params={"Take": 1}).json()
    assert without_total["Total"] == 0 and without_total["Meta"] == {}
    two_keys = admin.get("/Queries/SalesOrderList", params={"OrderBy": "AccountNo,-InvoiceNo",
                                                          "AccountNoStartsWith": "C"}).json()["Results"]
    assert [r["InvoiceNo"] for r in two_keys][:2] == ["100002", "100001"]


@pytest.mark.parametrize("params, expected", [
    ({"AccountNoStartsWith": "c0000"}, 5),
    ({"NameContains": "hard"}, 1),
    ({"NameEndsWith": "Electrical"}, 1),
    ({"NameLike": "%supplies"}, 1),
    ({"AccountNoIn": "C00001,C00003"}, 2),
    ({"AccountNoIn": "[C00001,C00003]"}, 2),
    ({"CurrentBalanceBetween": "2000,4000"}, 3),
    ({"CurrentBalanceGreaterThan": 3000}, 2),
    ({"CurrentBalanceGreaterThanOrEqualTo": 3000}, 3),
    ({"CurrentBalanceLessThan": 3000}, 5),  # with the two Greek customers and EVENTS, who owe nothing
    ({"CurrentBalanceLessThanOrEqualTo": 3000}, 6),
    ({"AccountNoNotEqualTo": "C00001"}, 7),
    ({"AccountOnHold": "true"}, 1),
    ({"AccountNo": "C00004"}, 1),
    ({"UnknownThing": "x"}, 8),
])
def test_auto_query_conventions(admin: TestClient, params: dict, expected: int) -> None:
    response = admin.get("/Queries/DebtorList", params={**params, "Include": "Total"})
    assert response.status_code == 200, response.text
    assert response.json()["Total"] == expected
    assert len(response.json()["Results"]) == expected


def test_auto_query_fields_and_dates(admin: TestClient) -> None:
    only = admin.get("/Queries/SalesOrderList", params={"Fields": "InvoiceNo, DebtorName", "Take": 1}).json()
    row = only["Results"][0]
    assert row["InvoiceNo"] and row["DebtorName"] and "OrderNo" not in row
    dated = admin.get("/Queries/SO_Main", params={"InvoiceInitDateGreaterThan": "2026-01-10",
                                                  "Include": "Total"}).json()
    assert dated["Total"] == 3  # orders dated 10, 11 and 12 January 09:00
    wcf = admin.get("/Queries/SO_Main", params={"InvoiceInitDateGreaterThan": "/Date(1768035600000)/",
                                                "Include": "Total"}).json()
    assert wcf["Total"] == 2  # after 10 January 09:00 UTC exactly
    items = admin.get("/Queries/IN_Main", params={"PartNoStartsWith": "20", "Include": "Total"}).json()
    assert items["Total"] == 4
    transactions = admin.get("/Queries/DebtorTransactionList", params={"DebtorID": DEBTOR}).json()
    assert len(transactions["Results"]) == 3


def test_bad_queries_are_400_naming_the_field(admin: TestClient) -> None:
    bad_sort = admin.get("/Queries/DebtorList", params={"OrderBy": "Nope"})
    assert bad_sort.status_code == 400
    assert bad_sort.json()["ResponseStatus"]["Errors"][0]["FieldName"] == "Nope"
    bad_value = admin.get("/Queries/DebtorList", params={"CurrentBalanceGreaterThan": "lots"})
    assert bad_value.status_code == 400
    assert bad_value.json()["ResponseStatus"]["Errors"][0]["FieldName"] == "CurrentBalance"
    assert admin.get("/Queries/DebtorList", params={"Take": "ten"}).status_code == 400
    assert admin.get("/Queries/DebtorList", params={"CurrentBalanceBetween": "1"}).status_code == 400
    assert admin.get("/Queries/DebtorList", params={"Fields": "Nope"}).status_code == 400


def test_malformed_bodies(admin: TestClient) -> None:
    broken = admin.post("/SalesOrders", content=b'{"DebtorID": ', headers={"Content-Type": "application/json"})
    assert broken.status_code == 400
    assert broken.json()["ResponseStatus"]["ErrorCode"] == "SerializationException"
    not_object = admin.post("/SalesOrders", content=b"[1,2]", headers={"Content-Type": "application/json"})
    assert not_object.status_code == 400
    wrong_list = admin.patch("/SalesOrders/babce67cdbf64f778536", json={"Lines": {"PartNo": "1172"}})
    assert wrong_list.status_code == 400
    wrong_date = admin.patch("/SalesOrders/babce67cdbf64f778536", json={"ExpectedDeliveryDate": "someday"})
    assert wrong_date.status_code == 400
    assert wrong_date.json()["ResponseStatus"]["Errors"][0]["FieldName"] == "ExpectedDeliveryDate"
    xml = admin.post("/SalesOrders", content=b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
                     headers={"Content-Type": "application/xml"})
    assert xml.status_code == 400
    too_long = admin.patch("/SalesOrders/babce67cdbf64f778536", json={"OrderNo": "x" * 500})
    assert too_long.status_code == 400 and too_long.json()["ResponseStatus"]["ErrorCode"] == "MaxLength"


def test_oversized_body_is_413(admin: TestClient, settings) -> None:  # type: ignore[no-untyped-def]
    huge = b'{"OrderNo":"' + b"x" * (settings.max_body_bytes + 10) + b'"}'
    response = admin.post("/SalesOrders", content=huge, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["ResponseStatus"]["ErrorCode"] == "RequestEntityTooLarge"


def test_nothing_is_half_written(admin: TestClient) -> None:
    before = admin.get("/SalesOrders/babce67cdbf64f778536").json()
    response = admin.patch("/SalesOrders/babce67cdbf64f778536", json={
        "OrderNo": "partial", "Lines": [{"PartNo": "1172", "QuantityOrdered": 1}, {"PartNo": "NOPE"}]})
    assert response.status_code == 400
    after = admin.get("/SalesOrders/babce67cdbf64f778536").json()
    assert after["OrderNo"] == before["OrderNo"] and len(after["Lines"]) == len(before["Lines"])


def test_xml_request_body_as_the_xml_client_sends_it(admin: TestClient) -> None:
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<SalesOrderPATCHRequest xmlns:i="http://www.w3.org/2001/XMLSchema-instance"
    xmlns="http://schemas.datacontract.org/2004/07/JiwaFinancials.Jiwa.JiwaServiceModel">
  <ExpectedDeliveryDate>2017-09-20T00:00:00</ExpectedDeliveryDate>
  <Lines>
    <SalesOrderLine><PartNo>1172</PartNo><QuantityOrdered>5</QuantityOrdered></SalesOrderLine>
  </Lines>
  <Notes><Note><NoteText>From an XML client</NoteText></Note></Notes>
  <OrderNo i:nil="true" />
</SalesOrderPATCHRequest>"""
    response = admin.patch("/SalesOrders/babce67cdbf64f778536", content=body,
                           headers={"Content-Type": "application/xml", "Accept": "application/xml"})
    assert response.status_code == 200, response.text
    root = etree.fromstring(response.content)
    lines = root.find(f"{NS}Lines")
    assert lines is not None and len(lines) == 3
    assert root.findtext(f"{NS}ExpectedDeliveryDate") == "2017-09-20T00:00:00"
    wrong = admin.patch("/SalesOrders/babce67cdbf64f778536", content=b"<x><QuantityOrdered>",
                        headers={"Content-Type": "application/xml"})
    assert wrong.status_code == 400


@pytest.mark.parametrize("method, path, kwargs", [
    ("GET", "/Queries/SalesOrderList", {"params": {"Skip": "1e400"}}),
    ("GET", "/Queries/SalesOrderList", {"params": {"Skip": "99999999999999999999999"}}),
    ("GET", "/Queries/SalesOrderList", {"params": {"Take": "-1"}}),
    ("GET", "/Queries/SO_Main", {"params": {"Status": "99999999999999999999999"}}),
    ("GET", "/Queries/SO_Main", {"params": {"InvoiceTotalGreaterThan": "1e400"}}),
    ("GET", "/Queries/SO_Main", {"params": {"InvoiceInitDateBetween": "x,y"}}),
    ("GET", "/Queries/SO_Main", {"params": {"StatusIn": "a,b"}}),
    ("PATCH", "/Inventory/IN000000000000000001", {"json": {"DecimalPlaces": 1e20}}),
    ("PATCH", "/Inventory/IN000000000000000001", {"json": {"DecimalPlaces": 99999999999999999999999}}),
    ("PATCH", "/Inventory/IN000000000000000001", {"json": {"DefaultPrice": "NaN"}}),
    ("PATCH", "/Inventory/IN000000000000000001", {"json": {"Status": "Exploded"}}),
    ("PATCH", "/Inventory/IN000000000000000001", {"json": {"Notes": [1, 2]}}),
    ("PATCH", "/Inventory/IN000000000000000001", {"json": {"Notes": "text"}}),
    ("PATCH", "/Inventory/IN000000000000000001", {"json": {"PartNo": {"a": 1}}}),
    ("PATCH", "/Inventory/IN000000000000000001", {"json": {"PhysicalItem": "maybe"}}),
    ("POST", "/SalesOrders", {"json": {"DebtorID": "0000000061000000001V", "Lines": [{"InvoiceLineID": "nope"}]}}),
    ("POST", "/SalesOrders", {"content": b"\xff\xfe\x00", "headers": {"Content-Type": "application/json"}}),
    ("GET", "/Queries/SO_Main", {"params": {"InvoiceInitDateGreaterThan": "0001-01-01T00:00:00+01:00"}}),
    ("GET", "/Queries/SO_Main", {"params": {"InvoiceInitDateGreaterThan": "9999-12-31T23:00:00-05:00"}}),
    ("GET", "/Queries/SO_Main", {"params": {"InvoiceInitDate": "/Date(99999999999999999999)/"}}),
    ("PATCH", "/SalesOrders/babce67cdbf64f778536", {"json": {"ExpectedDeliveryDate": "0001-01-01T00:00:00+01:00"}}),
    ("PATCH", "/SalesOrders/babce67cdbf64f778536", {"json": {"LastSavedDateTime": "/Date(-99999999999999999)/"}}),
    ("GET", "/Debtors/%00", {}),
    ("GET", "/Queries/DebtorList", {"params": {"Name": "a\x00b"}}),
    ("GET", "/Queries/DebtorList", {"params": {"NameStartsWith": "a\x00b"}}),
    ("PATCH", "/Debtors/0000000061000000001V", {"json": {"Name": "a\x00b"}}),
    ("POST", "/SalesOrders/babce67cdbf64f778536/Notes", {"json": {"NoteText": "\x00"}}),
    ("POST", "/SalesOrders", {"content": b"DebtorID=%ZZ&Lines=1", "headers": {
        "Content-Type": "application/x-www-form-urlencoded"}}),
])
def test_hostile_values_are_400s_never_500s(admin: TestClient, method: str, path: str, kwargs: dict) -> None:
    response = admin.request(method, path, **kwargs)
    assert response.status_code in (400, 404), response.text
    assert response.json()["ResponseStatus"]["Message"]


def test_offsets_are_converted_not_dropped(admin: TestClient) -> None:
    # 10 January 19:00 at +10:00 is 09:00 UTC, the time of the order dated the 10th.
    shifted = admin.get("/Queries/SO_Main", params={"InvoiceInitDateGreaterThanOrEqualTo": "2026-01-10T19:00:00+10:00",
                                                    "Include": "Total"}).json()
    assert shifted["Total"] == 3
    patched = admin.patch("/SalesOrders/babce67cdbf64f778536", params={"jsconfig": "dh:iso8601"},
                          json={"ExpectedDeliveryDate": "2026-03-01T10:00:00+10:00"}).json()
    assert patched["ExpectedDeliveryDate"] == "2026-03-01T00:00:00"


def test_a_utf8_byte_order_mark_is_accepted(admin: TestClient) -> None:
    body = "\ufeff" + '{"OrderNo": "BOM-Ω"}'
    response = admin.patch("/SalesOrders/babce67cdbf64f778536", content=body.encode("utf-8"),
                           headers={"Content-Type": "application/json; charset=utf-8"})
    assert response.status_code == 200 and response.json()["OrderNo"] == "BOM-Ω"


def test_nul_characters_in_credentials_are_refused_not_crashing(client: TestClient) -> None:
    assert client.get("/auth", params={"username": "\x00", "password": "x"}).status_code in (400, 401)
    assert client.post("/auth", json={"UserName": "Ad\x00min", "Password": "password"}).status_code in (400, 401)
    assert client.get(f"/Debtors/{DEBTOR}", auth=("Ad\x00min", "password")).status_code == 401


def test_count_only_with_take_zero(admin: TestClient) -> None:
    page = admin.get("/Queries/SalesOrderList", params={"Take": 0, "Include": "Total"}).json()
    assert page["Total"] == 16 and page["Results"] == []  # seven Australian orders, nine Greek


def test_query_rows_leave_out_what_is_not_kept(admin: TestClient) -> None:
    row = admin.get("/Queries/SalesOrderList", params={"Take": 1}).json()["Results"][0]
    assert "Delivered" not in row and "Cartage1TaxAmount" not in row  # not kept by backoffice
    assert row["CartageCharge1"] == 0.0  # kept, and zero
    only = admin.get("/Queries/SalesOrderList", params={"Take": 1, "Fields": "InvoiceNo"}).json()["Results"][0]
    assert only["InvoiceTotal"] == 0.0  # left out by Fields=: its default, as AutoQuery does


def test_head_never_runs_a_route_that_changes_data(admin: TestClient) -> None:
    assert admin.head("/SalesOrders/babce67cdbf64f778536/Process").status_code == 405
    assert admin.get("/SalesOrders/babce67cdbf64f778536").json()["Status"] == "e_SalesOrderEntered"
    assert admin.head("/json/reply/SalesOrderProcessRequest?InvoiceID=babce67cdbf64f778536").status_code == 405
