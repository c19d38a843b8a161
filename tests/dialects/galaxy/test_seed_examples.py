"""The Galaxy document's own requests and answers (E1–E40 of docs/dev/galaxy-seed-digest.md), as a
Galaxy client sends them: JSON, a session cookie from /auth, URLs written as in the document.

Where the document says its payloads are partial, the test checks that what it shows is there.
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

SALES_ROW_275C = {
    "ID": "275c34ef-42c1-4ba2-be67-2a1972d06407", "TentID": "f3f3ff0e-82e5-4789-8ccd-0e14024733b9",
    "CoetID": "3ae05b32-0cc1-4282-929c-59a2dc9f7467", "CurrIDTran": "9efe2b51-f986-4071-9ce4-65d42075740b",
    "CurrIDEntity": "9efe2b51-f986-4071-9ce4-65d42075740b", "TotalValue": 111.5, "CoetCode": "6100",
    "CoetDescription": "Τιμολόγιο Πώλησης", "TRADEDATE": "2017-01-04T00:00:00.0",
    "OFFICIALDATE": "2017-01-04T00:00:00.0", "ORIGIN": 3, "SOURCETYPE": 1, "STATUS": 1,
    "TRADECODE": "6100 - Α6100 - 000233", "CompID": "59c7f302-f5b0-45f6-8a32-6c7f64e91c00",
    "CmpsID": "67a55e4f-9e78-4ea5-adae-b1b4299e8c39", "COMPTITLE": "Best Market SA ",
    "CMPSDESCRIPTION": "Best Market Αθήνα", "FSYRDESCRIPTION": "2017", "ISOFFICIAL": 1, "DNUMDISPLAYCODE": "Α6100",
    "ISPRINTED": 0, "EMAILSENT": 0, "ICTRANS": 0, "GLUPDATED": 0, "CustCode": "00000002",
    "TrdrName": "Βασιλείου Γεώργιος", "CurDescription": "Ευρώ", "WAREHSDESCR": "κανονικά",
}
NEW_COMPANY = "5564ab3e-ab9f-44b1-b707-249339833147"


def contains(actual: dict[str, Any], expected: dict[str, Any]) -> bool:
    return all(actual.get(k) == v for k, v in expected.items())


def test_e1_login_with_json_then_use_the_session_cookie(client: TestClient) -> None:
    response = client.post("/auth", json={"username": "Admin", "password": "password"})
    assert response.status_code == 200
    assert response.json()["SessionId"] == response.cookies["ss-id"]
    assert client.get("/api/glx/enums/").status_code == 200
    client.get("/auth/logout")
    refused = client.get("/api/glx/enums/")
    assert refused.status_code == 401
    assert refused.json()["ErrorCode"] and refused.json()["ResponseStatus"]["Message"]


def test_e2_e3_enumerations(admin: TestClient) -> None:
    listed = admin.get("/api/glx/enums/").json()
    for name in ("Active", "IsOpen", "IsSystem"):
        assert {"Name": name, "Uri": f"/api/glx/enums/{name.lower()}"} in listed
    assert admin.get("/api/glx/enums/active").json() == [
        {"Code": "Inactive", "Value": "0", "DisplayValue": "Ανενεργός"},
        {"Code": "Active", "Value": "1", "DisplayValue": "Ενεργός"},
    ]


def test_enum_display_values_in_the_callers_language(admin: TestClient) -> None:
    english = admin.get("/api/glx/enums/active", headers={"Accept-Language": "en-GB,en;q=0.8"}).json()
    assert [m["DisplayValue"] for m in english] == ["Inactive", "Active"]


def test_e4_to_e6_lookups(admin: TestClient) -> None:
    listed = admin.get("/api/glx/lookups").json()
    for name in ("AcquaintSource", "AddressType"):
        assert {"Name": name, "Uri": f"/api/glx/lookups/{name.lower()}"} in listed
    sources = admin.get("/api/glx/lookups/acquaintsource").json()
    assert {"ID": "9b296f6e-d01e-4253-8ed5-1497ef1c6987", "RevNum": 2, "Code": "001",
            "Description": "Advertisment"} in sources
    assert len(sources) == 4 and all(list(s) == ["ID", "RevNum", "Code", "Description"] for s in sources)
    types = admin.get("/api/glx/lookups/addresstype").json()
    assert {"ID": "8d037b23-8479-4572-ab7d-594786e61a3f", "RevNum": 4, "Reserved": 0, "Code": "003",
            "Description": "Παράδοσης"} in types
    assert list(types[0]) == ["ID", "RevNum", "Reserved", "Code", "Description"]


def test_e7_e8_lookup_depth(admin: TestClient) -> None:
    bank = next(b for b in admin.get("/api/glx/lookups/bank").json()
                if b["ID"] == "20185ae4-d9da-4f48-ac06-1555cf700ccb")
    assert contains(bank, {"RevNum": 13, "Code": "ΚΥΠ", "Description": "Κύπρου ", "BIC": None, "URL": None})
    assert bank["Branches"] == [{
        "ID": "8e8927c2-950d-49ce-9cd4-e50195f3eb47", "BankID": "20185ae4-d9da-4f48-ac06-1555cf700ccb",
        "Code": "001", "Description": "Κατάστημα Λευκωσίας", "BIC": "51", "Street": None,
        "CntrID": "7ecdf343-7e70-426b-a7ec-22d077c7307d", "PrefID": "c2733c0e-5d3e-427e-a522-dc5e2a95c64f",
        "RegnID": "0e416737-f98e-4604-8b2a-0a8ca621c827", "StreetNumber": None, "PostalCode": None,
        "Phone1": None, "Phone2": None, "Email": None, "Fax": None}]
    shallow = admin.get("/api/glx/lookups/bank.json?depth=0").json()
    assert all(b["Branches"] == [] for b in shallow) and len(shallow) >= 1
    assert admin.get("/api/glx/lookups/bank?depth=x").status_code == 400


def test_e9_e11_view_rows_and_fields(admin: TestClient) -> None:
    rows = admin.get("/api/glx/views/salesentry").json()
    row = next(r for r in rows if r["ID"] == SALES_ROW_275C["ID"])
    assert contains(row, SALES_ROW_275C)
    frank = next(r for r in rows if r["ID"] == "65493d3a-4f62-487a-b425-b411eaaac2b9")
    assert contains(frank, {"TotalValue": 596.55, "CoetCode": "6201", "TRADECODE": "6201 - A - 002205",
                            "DNUMDISPLAYCODE": "A", "GLUPDATED": 1, "CustCode": "000000004", "TrdrName": "Frank test"})
    narrow = admin.get("/api/glx/views/salesentry.json?fields=ID,TentID").json()
    assert {"ID": "65493d3a-4f62-487a-b425-b411eaaac2b9", "TentID": "b672287b-3526-4cca-9146-822496fdfc3f"} in narrow
    assert all(list(r) == ["ID", "TentID"] for r in narrow)


def test_e10_view_metadata(admin: TestClient) -> None:
    meta = admin.get("/api/glx/views/salesentry/metadata/").json()
    assert meta["Name"] == "SalesEntry" and meta["Uri"] == "/api/glx/views/salesentry"
    assert meta["IdentityField"] == "ID" and meta["SortByFields"] == ["TRADEDATE"]
    fields = {f["Name"]: f for f in meta["Fields"]}
    assert contains(fields["CoetCode"], {"DataType": "String", "AcceptedValues": None,
                                         "Description": "Κωδικός τύπου", "Width": 100, "Editor": "None"})
    assert contains(fields["CoetDescription"], {"Description": "Περιγραφή τύπου", "Width": 200})
    assert contains(fields["STATUS"], {"DataType": "Int16", "Description": "Κατάσταση"})
    assert contains(fields["STATUS"]["AcceptedValues"], {
        "AcceptedValuesList": "/api/glx/enums/tradestatus", "DisplayField1": "Code", "DisplayField2": None,
        "KeyField": "Value", "SortFields": None})
    filters = {f["Name"]: f for f in meta["Filters"]}
    assert contains(filters["QCoetID"], {"Description": "Τύπος", "FieldName": "CoetID", "Kind": "Quick",
                                         "DisplayAs": "MultiCheck", "Required": False, "Visible": True,
                                         "DataType": "String", "PredefinedValues": None})
    assert contains(filters["QCoetID"]["AcceptedValues"], {
        "AcceptedValuesList": "/api/glx/lookups/salesentrytype", "DisplayField1": "Code",
        "DisplayField2": "Description", "KeyField": "ID", "SortFields": [{"Name": "Code", "Direction": "Ascending"}]})
    assert filters["QTRADECODE"]["AllowedOperators"] == [
        "Equal", "Greater", "GreaterOrEqual", "Less", "LessOrEqual", "NotEqual", "Like", "In", "NotIn"]
    assert contains(filters["FKIND"], {"Kind": "Misc", "DisplayAs": "MultiCheckEnumeration",
                                       "AllowedOperators": ["In", "NotIn"]})
    assert filters["FKIND"]["AcceptedValues"]["AcceptedValuesList"] == "/api/glx/enums/commercialentrykind"
    assert meta["RelativeViews"] == [{"Name": "SalesEntryLine", "Uri": "/api/glx/views/salesentryline"}]
    english = admin.get("/api/glx/views/salesentry/metadata", headers={"Accept-Language": "en"}).json()
    assert {f["Name"]: f["Description"] for f in english["Fields"]}["CoetCode"] == "Type code"


def test_e12_e13_sorting(admin: TestClient) -> None:
    ascending = admin.get("/api/glx/views/salesentry.json?fields=ID,CoetDescription&sortBy=CoetDescription.asc")
    assert ascending.json()[:3] == [
        {"ID": "02aa6816-103a-4551-81a7-9e33f0b678d2", "CoetDescription": "Copy of Παραγγελία Πωλήσεων"},
        {"ID": "0bedafd0-d56c-415c-ba2c-68e17b65396e", "CoetDescription": "Copy of Παραγγελία Πωλήσεων"},
        {"ID": "17ad59cf-81b8-41f8-8f91-3de3779dab16", "CoetDescription": "Copy of Παραγγελία Πωλήσεων"},
    ]
    descending = admin.get("/api/glx/views/salesentry.json?fields=ID,CoetDescription&sortBy=CoetDescription.desc")
    assert descending.json()[:3] == [
        {"ID": "65493d3a-4f62-487a-b425-b411eaaac2b9",
         "CoetDescription": "Τιμολόγιο Πώλησης - Δελτίο Αποστολής (Offline Λογιστική)"},
        {"ID": "52f5190e-43a4-4940-9520-fb494751dc1c",
         "CoetDescription": "Τιμολόγιο Πώλησης - Δελτίο Αποστολής (Offline Λογιστική)"},
        {"ID": "58cf0ffc-fa84-43de-840f-c6b12b797de0", "CoetDescription": "Τιμολόγιο Πώλησης"},
    ]


@pytest.mark.parametrize("skip, take, first, count", [(0, 5, 0, 5), (1, 4, 1, 4), (2, 3, 2, 3)])
def test_e14_to_e16_paging(admin: TestClient, skip: int, take: int, first: int, count: int) -> None:
    order = ["65493d3a-4f62-487a-b425-b411eaaac2b9", "52f5190e-43a4-4940-9520-fb494751dc1c",
             "58cf0ffc-fa84-43de-840f-c6b12b797de0", "b6066e6e-acba-4b28-8cfd-ad3e14424ead",
             "adde2e82-208d-42db-990e-1a571bb9d19c"]
    page = admin.get(f"/api/glx/views/salesentry.json?fields=ID,CoetDescription&sortBy=CoetDescription.desc"
                     f"&skip={skip}&take={take}").json()
    assert [r["ID"] for r in page] == order[first:first + count]


def test_e17_fields_in_any_case_answer_in_the_views_spelling(admin: TestClient) -> None:
    rows = admin.get("/api/glx/views/salesentry.json?fields=ID,CoetID,TradeCode&sortBy=CoetDescription.desc"
                     "&take=3").json()
    assert rows == [
        {"ID": "65493d3a-4f62-487a-b425-b411eaaac2b9", "CoetID": "85354cb0-0077-46b9-a07a-0afe20cee6ef",
         "TRADECODE": "6201 - A - 002205"},
        {"ID": "52f5190e-43a4-4940-9520-fb494751dc1c", "CoetID": "85354cb0-0077-46b9-a07a-0afe20cee6ef",
         "TRADECODE": "6201 - A - 002204"},
        {"ID": "58cf0ffc-fa84-43de-840f-c6b12b797de0", "CoetID": "3ae05b32-0cc1-4282-929c-59a2dc9f7467",
         "TRADECODE": "6100 - Α6100 - 000234"},
    ]


SIXTY_TWO_OH_ONE = [
    {"ID": "65493d3a-4f62-487a-b425-b411eaaac2b9", "CoetID": "85354cb0-0077-46b9-a07a-0afe20cee6ef",
     "TRADECODE": "6201 - A - 002205"},
    {"ID": "52f5190e-43a4-4940-9520-fb494751dc1c", "CoetID": "85354cb0-0077-46b9-a07a-0afe20cee6ef",
     "TRADECODE": "6201 - A - 002204"},
]


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: r["TRADECODE"], reverse=True)


def test_e18_like_means_contains(admin: TestClient) -> None:
    rows = admin.get("/api/glx/views/salesentry.json?fields=ID,CoetID,TradeCode&take=3"
                     "&filters={QTRADECODE:[6201,Like]}").json()
    assert _sorted(rows) == SIXTY_TWO_OH_ONE


def test_e19_document_types(admin: TestClient) -> None:
    types = admin.get("/api/glx/lookups/salesentrytype").json()
    for expected in ({"ID": "85354cb0-0077-46b9-a07a-0afe20cee6ef", "Code": "6201",
                      "Description": "Τιμολόγιο Πώλησης - Δελτίο Αποστολής (Offline Λογιστική)"},
                     {"ID": "83a79223-5604-4703-92ca-0b760a0d4e5a", "Code": "6201-01",
                      "Description": "Τιμολόγιο Πώλησης - Δελτίο Αποστολής (Offline Λογιστική & Εγκρίσεις)"}):
        assert any(contains(t, expected) for t in types)


def test_e20_e21_two_filters_with_an_unquoted_guid(admin: TestClient) -> None:
    base = "/api/glx/views/salesentry.json?fields=ID,CoetID,TradeCode&take=3&filters="
    both = admin.get(base + "{QTRADECODE:[6201,Like],QCoetID:[85354cb0-0077-46b9-a07a-0afe20cee6ef,In]}")
    assert _sorted(both.json()) == SIXTY_TWO_OH_ONE
    none = admin.get(base + "{QTRADECODE:[6201,Like],QCoetID:[85354cb0-0077-46b9-a07a-0afe20cee6ef,NotIn]}")
    assert none.status_code == 200 and none.json() == []


@pytest.mark.parametrize("filters", [
    '[{TRADECODE:["6201 - A - 002205",Equal]}]',  # a column name, quoted value, in an array (real clients)
    '[{"TRADECODE":["6201 - A - 002205","Equal"]}]',  # strict JSON
    "{qtradecode:[6201 - A - 002205,equal]}",  # names and operators in any case
])
def test_the_filter_forms_real_clients_send(admin: TestClient, filters: str) -> None:
    rows = admin.get("/api/glx/views/salesentry", params={"fields": "ID", "filters": filters}).json()
    assert rows == [{"ID": "65493d3a-4f62-487a-b425-b411eaaac2b9"}]


def test_several_values_for_in(admin: TestClient) -> None:
    rows = admin.get("/api/glx/views/salesentry", params={
        "fields": "ID", "filters": "{QTRADECODE:[[6100 - Α6100 - 000233,6201 - A - 002204],In]}"}).json()
    assert sorted(r["ID"] for r in rows) == ["275c34ef-42c1-4ba2-be67-2a1972d06407",
                                              "52f5190e-43a4-4940-9520-fb494751dc1c"]


def test_a_change_number_watermark_finds_every_change_since(admin: TestClient) -> None:
    """Sync clients keep the highest change number they saw and ask for what changed after it."""
    rows = admin.get("/api/glx/views/customer", params={"fields": "Code,ChangeNo"}).json()
    mark = max(r["ChangeNo"] or 0 for r in rows)
    assert admin.get("/api/glx/views/customer", params={"filters": f"[{{ChangeNo:[{mark},Greater]}}]"}).json() == []
    admin.patch("/Debtors/0000000061000000002V", json={"Phone": "03 9200 0000"})  # through Jiwa
    admin.patch("/api/glx/entities/trader/4f0c2d6e-0b1a-4c55-8a3e-000000000004",
                json=[{"op": "replace", "path": "/Phone1", "value": "210 1234567"}])
    changed = admin.get("/api/glx/views/customer", params={
        "fields": "Code,ChangeNo", "filters": f"[{{ChangeNo:[{mark},Greater]}}]", "sortBy": "ChangeNo.asc"}).json()
    assert [r["Code"] for r in changed] == ["C00002", "000000004"]
    assert changed[0]["ChangeNo"] < changed[1]["ChangeNo"]


def test_a_revision_watermark_filter_as_sync_clients_use_it(admin: TestClient) -> None:
    rows = admin.get("/api/glx/views/customer", params={"filters": "[{RevNum:[1,Greater]}]"}).json()
    assert rows == []  # nothing changed since it was loaded
    assert admin.patch("/api/glx/entities/trader/4f0c2d6e-0b1a-4c55-8a3e-000000000004",
                       json=[{"op": "replace", "path": "/Phone1", "value": "210 1234567"}]).status_code == 200
    changed = admin.get("/api/glx/views/customer", params={"filters": "[{RevNum:[1,Greater]}]"}).json()
    assert [r["Code"] for r in changed] == ["000000004"]


@pytest.mark.parametrize("params, field", [
    ({"filters": "{QNOPE:[1,Equal]}"}, "QNOPE"),
    ({"filters": "{QCoetID:[85354cb0-0077-46b9-a07a-0afe20cee6ef,Like]}"}, "QCoetID"),
    ({"filters": "{QTRADECODE:[6201,Contains]}"}, "QTRADECODE"),
    ({"filters": "{QTRADECODE:[6201,Like]"}, "filters"),
    ({"fields": "ID,Nope"}, "Nope"),
    ({"sortBy": "Nope.asc"}, "Nope"),
    ({"sortBy": "TRADEDATE.up"}, "sortBy"),
    ({"take": "-1"}, "take"),
])
def test_an_unknown_filter_operator_or_field_is_a_400_naming_it(admin: TestClient, params: dict[str, str],
                                                                 field: str) -> None:
    response = admin.get("/api/glx/views/salesentry", params=params)
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) >= {"ErrorCode", "Message", "Errors"}
    assert any(e["FieldName"] == field for e in body["Errors"]), body
    assert body["ResponseStatus"]["Message"] == body["Message"]


def test_several_faults_are_reported_together(admin: TestClient) -> None:
    response = admin.get("/api/glx/views/salesentry", params={
        "filters": "{QNOPE:[1,Equal],QTRADECODE:[1,Contains]}", "take": "x"})
    assert response.status_code == 400
    assert {e["FieldName"] for e in response.json()["Errors"]} == {"QNOPE", "QTRADECODE", "take"}


def test_unknown_view_and_domain_are_404_in_galaxys_envelope(admin: TestClient) -> None:
    for url in ("/api/glx/views/nope", "/api/nope/views/salesentry", "/api/glx/nothing/here"):
        response = admin.get(url)
        assert response.status_code == 404 and "ErrorCode" in response.json(), url


def test_e26_to_e28_entities_and_their_default_collection(admin: TestClient) -> None:
    listed = admin.get("/api/glx/entities").json()
    for name in ("Item", "Company"):
        assert {"Domain": "glx", "Name": name, "Uri": f"/api/glx/entities/{name.lower()}"} in listed
    companies = admin.get("/api/glx/entities/company").json()
    assert {"ID": "9ca0b73e-f6e6-46c9-a554-0c8752730ffc", "Code": "004", "Title": "Best Market Services ΟΕ",
            "DistinctiveTitle": None, "TIN": "094007989", "Active": 1} in companies
    assert {"ID": "dd32e7b3-036c-41df-9cd2-294e96415d4c", "Code": "006", "Title": "SingularLogic",
            "DistinctiveTitle": "SingularLogic", "TIN": None, "Active": 1} in companies
    filtered = admin.get("/api/glx/entities/company", params={"filters": "{QCode:[004,Equal]}", "fields": "Code"})
    assert filtered.json() == [{"Code": "004"}]
    meta = admin.get("/api/glx/entities/company/metadata").json()
    assert meta["Name"] == "Company" and meta["Uri"] == "/api/glx/views/company"
    assert contains(meta["Fields"][1], {"Name": "Code", "DataType": "String", "Description": "Κωδικός",
                                        "Width": 120, "Editor": "None", "DecimalsProvider": None})
    assert contains(meta["Filters"][0], {"Name": "QCode", "FieldName": "Code", "Kind": "Quick"})
    assert meta["IdentityField"] == "ID" and meta["SortByFields"] == ["Code"]


def test_e30_entity_by_id(admin: TestClient) -> None:
    company = admin.get("/api/glx/entities/company/9ca0b73e-f6e6-46c9-a554-0c8752730ffc").json()
    assert contains(company, {
        "ID": "9ca0b73e-f6e6-46c9-a554-0c8752730ffc", "RevNum": 50, "IsSystem": 0, "Active": 1,
        "ActiveDate": "2015-04-24T00:00:00", "Code": "004", "Title": "Best Market Services ΟΕ",
        "DistinctiveTitle": None, "CmpgID": None, "ClgtID": "a6fa8eb8-12a2-4c3e-8f6e-3bf8f61f2652",
        "StartDate": None, "TaxData": [], "usEmail2": None, "usEMail3": None})
    site = company["Sites"][0]
    assert contains(site, {"ID": "f15c912a-9aa4-4652-95c4-64aa92d50286", "IsSystem": 0, "Code": "003",
                           "Description": "Συν.Αιγάλεω", "Active": 1, "ActiveDate": "2011-04-13T00:00:00",
                           "CompanyTitle": "Best Market Services ΟΕ", "Warehouses": []})
    assert site["SiteLocation"] == [{"ID": "a58407a1-ceec-4a9e-90e6-0243016e817d",
                                     "CmpsID": "f15c912a-9aa4-4652-95c4-64aa92d50286",
                                     "AsLoID": "ab76a143-4b65-4e3e-ab35-1b10a1a46ba1", "AsLoCode": "ΕΣ_Σ",
                                     "AsLoDescr": "Χώρος συνεργείου"}]
    assert company["TaxCredentials"] == [{"ID": "88664eee-55aa-483f-96af-3f6b65787ffe",
                                          "CompID": "9ca0b73e-f6e6-46c9-a554-0c8752730ffc", "TaxService": 3}]
    assert admin.get("/api/glx/entities/company/9ca0b73e-f6e6-46c9-a554-0c8752730ffc?depth=0").json()["Sites"] == []
    assert admin.get("/api/glx/entities/company/no-such-company").status_code == 404


def test_e31_template(admin: TestClient) -> None:
    first = admin.get("/api/glx/entities/company/template").json()
    assert list(first) == [
        "ID", "RevNum", "IsSystem", "Active", "ActiveDate", "Code", "Title", "DistinctiveTitle", "CmpgID", "ClgtID",
        "StartDate", "TIN", "TaxoID", "TaxRegNum", "TaxRecNum", "SscoID", "SocSecNum", "Comment", "EANCode",
        "ProfID", "RelTrdrID", "OilCompany", "GROblTaxReg", "Taxisnetuser", "Taxisnetpass", "Taxationuser",
        "Taxationpass", "myGlxUser", "myGlxPass", "VatSubOnCol", "VatSubOnColDate", "IExchangeSender",
        "myGlxProvID", "InternalFlags", "iExhPrincipal", "iExhTenant", "myGlxSelected", "Sites", "TaxData",
        "TaxCredentials", "usEmail2", "usEMail3"]
    assert contains(first, {"RevNum": 1, "IsSystem": 0, "Active": 1, "ActiveDate": None, "Code": None,
                            "OilCompany": 0, "GROblTaxReg": 0, "VatSubOnCol": 0, "InternalFlags": None,
                            "Sites": [], "TaxData": [], "TaxCredentials": []})
    second = admin.get("/api/glx/entities/company/template").json()
    assert len(first["ID"]) == 36 and first["ID"] != second["ID"]


def test_e32_template_schema(admin: TestClient) -> None:
    schema = admin.get("/api/glx/entities/company/template/metadata").json()
    assert list(schema) == ["PKey", "definitions", "properties", "required"] and schema["PKey"] == "ID"
    assert schema["required"] == ["ID", "RevNum", "IsSystem", "Active", "ActiveDate", "Code", "Title", "OilCompany",
                                  "GROblTaxReg", "VatSubOnCol"]
    props = schema["properties"]
    assert props["ID"] == {"type": "string"} and props["RevNum"] == {"type": "integer"}
    assert props["ActiveDate"] == {"type": "object"}
    assert props["DistinctiveTitle"] == {"type": ["string", "null"]}
    assert props["Sites"] == {"type": ["array", "null"], "items": {"$ref": "#/definitions/gxCompanySite"}}
    site = schema["definitions"]["gxCompanySite"]
    assert site["PKey"] == "ID" and site["FKey"] == "CompID"
    assert set(site["definitions"]) >= {"gxWarehouse", "gxCompanySiteLoc"}
    assert site["definitions"]["gxCompanySiteLoc"]["FKey"] == "CmpsID"
    assert schema["definitions"]["gxCompTaxCred"]["FKey"] == "CompID"


def _new_company_body(admin: TestClient) -> dict[str, Any]:
    body = admin.get("/api/glx/entities/company/template").json()
    body.update(ID=NEW_COMPANY, ActiveDate="2017-03-15T14:35:21", Code="008", Title="API Test Company",
                DistinctiveTitle="API Test Company")
    return body


def test_e33_to_e37_create_read_replace_patch_delete(admin: TestClient) -> None:
    created = admin.post("/api/glx/entities/company", json=_new_company_body(admin))
    assert created.status_code == 200, created.text
    assert created.json() == {
        "Messages": [
            {"Kind": "Warning", "Message": "[Company] Validation of Tax Identification Number (TIN)."},
            {"Kind": "Warning", "Message": "[Company] TIN field is left blank."},
            {"Kind": "Information", "Message": "[Warehouse locations] The array was posted successfully"},
            {"Kind": "Information", "Message": "[Company] The entry was posted successfully"},
        ],
        "ResourceURI": f"/api/glx/entities/company/{NEW_COMPANY}",
        "ResourceID": NEW_COMPANY,
    }
    company = admin.get(f"/api/glx/entities/company/{NEW_COMPANY}").json()
    assert len(company["Sites"]) == 1 and company["Sites"][0]["Description"] == "API Test Company"  # E34

    body = _new_company_body(admin) | {"Title": "API Test Company 1"}
    replaced = admin.put(f"/api/glx/entities/company/{NEW_COMPANY}", json=body)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["Messages"][-1] == {"Kind": "Information",
                                               "Message": "[Company] The entry was posted successfully"}
    after_put = admin.get(f"/api/glx/entities/company/{NEW_COMPANY}").json()
    assert after_put["Title"] == "API Test Company 1" and after_put["RevNum"] == 2
    # A company keeps its head office although the payload's Sites was empty.
    assert [s["ID"] for s in after_put["Sites"]] == [s["ID"] for s in company["Sites"]]

    patched = admin.patch(f"/api/glx/entities/company/{NEW_COMPANY}",
                          content=b'[{ "op":"replace", "path":"/Title", "value":"API Test Company 2" }]',
                          headers={"Content-Type": "application/json-patch+json"})
    assert patched.status_code == 200, patched.text
    assert admin.get(f"/api/glx/entities/company/{NEW_COMPANY}").json()["Title"] == "API Test Company 2"

    deleted = admin.delete(f"/api/glx/entities/company/{NEW_COMPANY}")
    assert deleted.status_code == 200 and deleted.content == b""
    assert admin.get(f"/api/glx/entities/company/{NEW_COMPANY}").status_code == 404


def test_revnum_guards_against_lost_updates(admin: TestClient) -> None:
    admin.post("/api/glx/entities/company", json=_new_company_body(admin))
    first = _new_company_body(admin) | {"Title": "First writer", "RevNum": 1}
    assert admin.put(f"/api/glx/entities/company/{NEW_COMPANY}", json=first).status_code == 200
    stale = _new_company_body(admin) | {"Title": "Second writer", "RevNum": 1}
    conflict = admin.put(f"/api/glx/entities/company/{NEW_COMPANY}", json=stale)
    assert conflict.status_code == 409 and conflict.json()["ErrorCode"] == "ConcurrencyConflict"
    test_op = [{"op": "test", "path": "/RevNum", "value": 1}, {"op": "replace", "path": "/Title", "value": "x"}]
    assert admin.patch(f"/api/glx/entities/company/{NEW_COMPANY}", json=test_op).status_code == 400
    assert admin.get(f"/api/glx/entities/company/{NEW_COMPANY}").json()["Title"] == "First writer"


def test_delete_of_a_referenced_company_is_409(admin: TestClient) -> None:
    response = admin.delete("/api/glx/entities/company/59c7f302-f5b0-45f6-8a32-6c7f64e91c00")
    assert response.status_code == 409 and response.json()["ErrorCode"] == "RecordInUse"


def test_bad_payloads_name_every_faulty_field_in_galaxys_names(admin: TestClient) -> None:
    body = _new_company_body(admin) | {"Code": None, "Title": None, "ActiveDate": "yesterday",
                                       "Sites": [{"Code": None, "Description": "x"}]}
    response = admin.post("/api/glx/entities/company", json=body)
    assert response.status_code == 400, response.text
    names = {e["FieldName"] for e in response.json()["Errors"]}
    assert "ActiveDate" in names
    for bad in (b"not json", b"[1, 2]", b""):
        answer = admin.post("/api/glx/entities/company", content=bad, headers={"Content-Type": "application/json"})
        assert answer.status_code == 400 and answer.json()["ErrorCode"], bad
    missing = admin.post("/api/glx/entities/company", json=_new_company_body(admin) | {"Code": None, "Title": None})
    assert {e["FieldName"] for e in missing.json()["Errors"]} == {"Code", "Title"}


def test_fetch_as_real_clients_use_it(admin: TestClient) -> None:
    found = admin.post("/api/glx/entities/item/fetch", json={
        "SelectProperties": ["ID", "Code"],
        "Filters": [{"Name": "Code", "Type": "Default", "Operator": "Equal", "Value": "1172"}]})
    assert found.status_code == 200
    assert found.json() == [{"ID": "IN000000000000000001", "Code": "1172"}]
    none = admin.post("/api/glx/entities/item/fetch", json={
        "SelectProperties": ["ID", "Code"], "Filters": [{"Name": "Code", "Operator": "Equal", "Value": "nope"}]})
    assert none.json() == []
    bad = admin.post("/api/glx/entities/item/fetch", json={"Filters": [{"Name": "Nope", "Value": 1}]})
    assert bad.status_code == 400 and bad.json()["Errors"][0]["FieldName"] == "Nope"
