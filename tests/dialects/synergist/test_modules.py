"""companies, clients, jobs' pickers, activities, views and modelstructure, on the core's records."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from backoffice.core.store import Database
from backoffice.core.store.tables import ENTITY_TABLES

from .conftest import Synergist


def test_companies(syn: Synergist) -> None:
    body = syn.json("companies")
    assert [c["control_number"] for c in body["data"]] == [1, 4, 6]
    first = body["data"][0]
    assert list(first) == ["uuid", "control_country", "control_number", "control_ourname", "control_timezonecode",
                           "array_controldefault__control_number"]
    assert first["control_ourname"].startswith("Best Market SA")
    assert [c["array_controldefault__control_number"] for c in body["data"]] == [True, False, False]
    root = syn.xml("companies")
    assert (root.tag, root.get("TotalRows"), root.get("TotalPages"), root.get("MorePages")) == (
        "Companies", "3", "1", "False")
    company = root.find("Company")
    assert company is not None and company.get("uuid") == first["uuid"]
    assert [c.tag for c in company] == ["Number", "Our-Name", "Default"]
    assert (company.findtext("Number"), company.findtext("Default")) == ("1", "True")


def test_client_list_details_and_financial(syn: Synergist) -> None:
    listed = syn.json("clients", company="1", view="-1001", sort="CLIENT")["data"]
    codes = [c["clientCode"] for c in listed]
    assert "1/C00001" in codes and codes == sorted(codes)
    assert list(listed[0])[:6] == ["clientUuid", "clientTimeStampModified", "clientRecordVersionNumber",
                                   "clientCustomField323", "clientCode", "clientName"]
    one = syn.json("clients", client="1/C00001")["data"]
    assert len(one) == 1 and one[0]["clientName"] == "Bayside Hardware Pty Ltd"
    assert one[0]["clientCategoryName"] == "Trade" and "clientAddress1" in one[0]  # the details model
    financial = syn.json("clients", client="1/C00001", modelstructure="clientfinancial")["data"][0]
    assert financial["clientCreditLimit"] == 5000.0 and financial["clientCurrentBalance"] == 1000.0
    assert financial["clientTermsDays"] == 30
    # The company prefixes codes: company 4 shows the same clients under 4/.
    assert syn.json("clients", company="4", client="4/C00001")["data"][0]["clientCode"] == "4/C00001"
    assert syn.json_error("clients", company="9") == (404502, "invalid company 9")
    assert syn.json_error("clients", client="1/NOPE") == (404503, "client 1/NOPE not found")
    assert syn.json_error("clients", modelstructure="joblist") == (404504, "invalid modelstructure joblist")


def test_client_sort_view_and_search(syn: Synergist) -> None:
    names = [c["clientName"] for c in syn.json("clients", sort="-NAME")["data"]]
    assert names == sorted(names, reverse=True)
    on_hold = syn.json("clients", view="-1002")["data"]
    assert on_hold and all(c["clientOnHold"] for c in on_hold)
    assert syn.json_error("clients", sort="COLOUR") == (404505, "invalid sort COLOUR")
    assert syn.xml_error("clients", view="-1700") == (404506, "invalid view -1700")  # an activities view
    views = syn.json("clients", action="viewlist")["data"]
    assert {v["viewID"] for v in views} == {-1001, -1002, -1003}
    assert syn.json("views")["totalrows"] == 6


def test_job_pickers(syn: Synergist) -> None:
    clients = syn.json("jobs", action="clients", rows="2")
    assert clients["totalrows"] >= 8 and len(clients["data"]) == 2
    contacts = syn.json("jobs", action="contacts", client="1/C00001")["data"]
    assert contacts == [
        {"clientcontactInternalRef": contacts[0]["clientcontactInternalRef"], "clientcontactFullName": "Alex Buyer1",
         "variable_selected": True},
        {"clientcontactInternalRef": contacts[1]["clientcontactInternalRef"], "clientcontactFullName": "Sam Payer1",
         "variable_selected": False}]
    root = syn.xml("jobs", action="contacts", client="1/C00001")
    assert root.tag == "Contacts" and root.findtext("Contact/clientcontactFullName") == "Alex Buyer1"
    assert syn.json_error("jobs", action="contacts") == (404501, "no client supplied")
    assert syn.json_error("jobs", action="contacts", client="8/1244") == (404503, "client 8/1244 not found")
    assert syn.json_error("jobs", action="nonsense") == (404500, "invalid action nonsense")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_modelstructure(syn: Synergist, fmt: str) -> None:
    params = {"company": "1", "version": "3.9", "style": "modelstructure", "modelstructure": "activitylist"}
    if fmt == "json":
        body = syn.json("activities", **params)
        assert body["totalrows"] == 0
        fields = body["data"]
    else:
        root = syn.xml("activities", **params)
        assert root.get("TotalRows") == "0"
        fields = [{child.tag: child.text or "" for child in row} for row in root.findall("Field")]
    assert list(fields[0]) == ["data", "label", "align", "editable", "fieldtype", "displayorder", "mandatory"]
    by_name = {f["data"]: f for f in fields}
    assert "activityDetails1stLine" in by_name
    client = by_name["activityClientCode"]
    mandatory = client["mandatory"] if fmt == "json" else client["mandatory"] == "True"
    assert mandatory
    if fmt == "json":
        assert by_name["activityID"]["align"] == "right" and by_name["activityID"]["fieldtype"] == "int"
        assert [f["displayorder"] for f in fields] == list(range(1, len(fields) + 1))
    # From the catalog: a required field is mandatory; a money field is money, aligned right.
    financial = {f["data"]: f for f in syn.json("clients", style="modelstructure", modelstructure="clientfinancial")[
        "data"]}
    assert financial["clientCreditLimit"]["fieldtype"] == "money" and financial["clientCreditLimit"]["align"] == "right"
    assert financial["clientName"]["mandatory"] is True and financial["clientTermsType"]["mandatory"] is False
    fail = syn.json_error if fmt == "json" else syn.xml_error
    assert fail("activities", style="modelstructure", modelstructure="nosuchmodel") == (
        404504, "invalid modelstructure nosuchmodel")
    # Without modelstructure: the model of the call.
    assert syn.json("clients", style="modelstructure")["data"][4]["data"] == "clientCode"
    assert fail("clients", style="fancy") == (404501, "invalid style fancy")


def _input(*rows: dict[str, Any]) -> str:
    return json.dumps({"data": list(rows)})


def _activity_count(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(ENTITY_TABLES["Activity"])).scalar() or 0)


def test_activity_create_list_update(syn: Synergist, db: Database) -> None:
    created = syn.json("activities", action="create", company="1", input=_input({
        "activityActivitytypeCode": "VIS", "activityClientCode": "1/C00001",
        "activityDetails": "Visit the yard\nbring samples", "activityStartDate": "2024-05-06",
        "activityStartTime": "09:30", "activityCompanyNumber": 1}))
    assert created["responsemessage"] == "data processed successfully." and "totalrows" not in created
    row = created["data"][0]
    assert list(row) == ["activityuuid", "activityID", "activityOwnerID", "activityOwnerName",
                         "activityTimeStampModified", "activityRecordVersionNumber"]
    assert row["activityOwnerID"] == "Admin" and row["activityRecordVersionNumber"] == 1
    number = row["activityID"]
    details = syn.json("activities", activityid=str(number))["data"][0]
    assert details["activitySubject"] == "Visit the yard" and details["activityDetails"].endswith("bring samples")
    assert details["activityClientCode"] == "1/C00001" and details["activityStartTime"] == "09:30:00"
    assert details["activityCompanyNumber"] == 1
    listed = syn.json("activities", client="1/C00001", datefrom="2024-05-06", dateto="2024-05-06")
    assert [a["activityID"] for a in listed["data"]] == [number]
    assert syn.json("activities", client="1/C00001", datefrom="2024-05-07")["totalrows"] == 0

    updated = syn.json("activities", action="update", input=_input(
        {"activityDetails": "Moved", "activityID": number, "activityRecordVersionNumber": 1}))
    assert updated["data"][0]["activityRecordVersionNumber"] == 2
    # Sent with the old version number again: refused, nothing written.
    stale = syn.json_error("activities", action="update", input=_input(
        {"activityDetails": "Lost update", "activityID": number, "activityRecordVersionNumber": 1}))
    assert stale == (404508, f"activity {number} has been changed: activityRecordVersionNumber is 2, not 1")
    assert syn.json("activities", activityid=str(number))["data"][0]["activityDetails"] == "Moved"
    assert syn.xml_error("activities", activityid="999999") == (404503, "activity 999999 not found")


def test_activity_created_in_xml_and_seen_by_galaxy(syn: Synergist, admin: TestClient) -> None:
    response = syn.get("activities", "xml", action="create", input=_input({
        "activityActivitytypeCode": "VIS", "activityClientCode": "1/C00002", "activitySubject": "Ελληνικά & <b>"}))
    assert response.status_code == 200
    from lxml import etree

    root = etree.fromstring(response.content)
    activity = root.find("Activity")
    assert root.tag == "Activities" and activity is not None and len(activity.get("activityuuid") or "") == 32
    number = activity.findtext("activityID")
    with_core = syn.json("activities", activityid=number)["data"][0]
    assert with_core["activitySubject"] == "Ελληνικά & <b>"
    galaxy = admin.get("/api/crm/views/activities").json()
    assert [r["AccountCode"] for r in galaxy if r["Subject"] == "Ελληνικά & <b>"] == ["C00002"]


@pytest.mark.parametrize("bad, message", [
    ("not json", "invalid input: not JSON"),
    ('{"rows": []}', 'invalid input: expected {"data":[{...}]}'),
    ('{"data": []}', "invalid input: data holds no rows"),
    ('{"data": [1]}', "invalid input: data[0] is not an object"),
])
def test_malformed_input(syn: Synergist, db: Database, bad: str, message: str) -> None:
    before = _activity_count(db)
    code, text = syn.json_error("activities", action="create", input=bad)
    assert code == 404507 and text.startswith(message)
    assert syn.xml_error("activities", action="create", input=bad)[0] == 404507
    assert _activity_count(db) == before


def test_bad_rows_write_nothing(syn: Synergist, db: Database) -> None:
    good = {"activityActivitytypeCode": "VIS", "activityClientCode": "1/C00001", "activitySubject": "Fine"}
    before = _activity_count(db)
    cases = [
        ({"activityClientCode": "1/C00001"}, 404507, "invalid input: data[1].activityActivitytypeCode is mandatory"),
        ({**good, "activitySubject": 12}, 404507, "invalid input: data[1].activitySubject must be text"),
        ({**good, "activityColour": "red"}, 404507,
         "invalid input: data[1].activityColour is not a field that can be written"),
        ({**good, "activityClientCode": "1/NOPE"}, 404510, "data[1]: invalid activityClientCode 1/NOPE"),
        ({**good, "activityActivitytypeCode": "ZZZ"}, 404510, "data[1]: invalid activityActivitytypeCode ZZZ"),
        ({**good, "activityStartDate": "06/05/2024"}, 404507,
         "invalid input: data[1].activityStartDate must be a date YYYY-MM-DD"),
        ({**good, "activityStatus": "Sleeping"}, 404510, None),
        ({**good, "activityID": 5001}, 404507, "invalid input: data[1].activityID is not a field that can be written"),
    ]
    for second, code, text in cases:
        error = syn.json_error("activities", action="create", input=_input(good, second))
        assert error[0] == code, (second, error)
        if text:
            assert error[1] == text
        assert _activity_count(db) == before, second
    # Both rows good: both written.
    created = syn.json("activities", action="create", input=_input(good, {**good, "activitySubject": "Also"}))
    assert len(created["data"]) == 2 and _activity_count(db) == before + 2


def test_update_bad_second_row_keeps_the_first_unchanged(syn: Synergist) -> None:
    number = syn.json("activities", action="create", input=_input({
        "activityActivitytypeCode": "VIS", "activityClientCode": "1/C00001", "activitySubject": "One"}))["data"][0][
        "activityID"]
    error = syn.json_error("activities", action="update", input=_input(
        {"activityID": number, "activitySubject": "Changed"}, {"activityID": 999999, "activitySubject": "x"}))
    assert error == (404503, "activity 999999 not found")
    assert syn.json("activities", activityid=str(number))["data"][0]["activitySubject"] == "One"


def test_activity_pickers(syn: Synergist) -> None:
    clients = syn.json("activities", action="clientslist", modelstructure="clientslist", view="-1001")
    assert clients["totalrows"] >= 8 and "clientCode" in clients["data"][0]
    views = syn.json("activities", action="viewlist")["data"]
    assert [v["viewID"] for v in views] == [-1700, -1701, -1702]
    assert syn.json("activities", view="-1701", sort="-DATE")["totalrows"] >= 1


def test_a_client_created_through_jiwa_is_a_synergist_client(admin: TestClient, syn: Synergist) -> None:
    created = admin.post("/Debtors", json={"AccountNo": "JIWA01", "Name": "Made in Jiwa & Co",
                                           "Phone": "02 5555 0000",
                                           "ContactNames": [{"FirstName": "Jo", "Surname": "Smith"}]})
    assert created.status_code == 201, created.text
    codes = [c["clientCode"] for c in syn.json("clients", rows="0")["data"]]
    assert "1/JIWA01" in codes
    client = syn.json("clients", client="1/JIWA01")["data"][0]
    assert client["clientName"] == "Made in Jiwa & Co" and client["clientPhone"] == "02 5555 0000"
    assert syn.xml("jobs", action="clients", rows="0").xpath("//Client[clientCode='1/JIWA01']/clientName/text()") == [
        "Made in Jiwa & Co"]
    contacts = syn.json("jobs", action="contacts", client="1/JIWA01")["data"]
    assert [c["clientcontactFullName"] for c in contacts] == ["Jo Smith"]
