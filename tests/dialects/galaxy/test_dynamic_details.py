"""Dynamic details (E41–E49): a detail table an administrator adds to an entity, and its rows."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient
from typer.testing import CliRunner

from backoffice.cli import app
from backoffice.core.auth.service import add_user
from backoffice.core.store import Database

ACTIVITY = "3227ccb6-72f9-41e6-ae55-05b787c6a173"
BASE = f"/api/crm/entities/activities/{ACTIVITY}/dyndetails/dycmActivitiesDynDetails"
ROW = "996fc264-446c-4eb0-9270-487396464bb3"


def test_e41_metadata(admin: TestClient) -> None:
    assert admin.get("/api/crm/entities/activities/dyndetails/metadata").json() == [{
        "title": "dycmActivitiesDynDetails", "type": "object",
        "properties": {"dyID": {"type": "string"}, "cmActivitiesID": {"type": "string"},
                       "dycmActDetDescription": {"type": "string"}},
        "required": ["dyID", "cmActivitiesID", "dycmActDetDescription"]}]


def test_e42_to_e49_rows_of_one_record(admin: TestClient) -> None:
    assert admin.get(f"{BASE}/template").json() == {"dyID": None, "cmActivitiesID": ACTIVITY,
                                                     "dycmActDetDescription": None}  # E42
    inserted = admin.post(BASE, json={"dyID": ROW, "cmActivitiesID": ACTIVITY,
                                      "dycmActDetDescription": "First DynDetail Row"})  # E43
    assert inserted.status_code == 200, inserted.text
    assert admin.get(BASE).json() == [{"dyID": ROW, "cmActivitiesID": ACTIVITY,
                                       "dycmActDetDescription": "First DynDetail Row"}]  # E44
    changed = admin.put(f"{BASE}/{ROW}", json={"dyID": ROW, "cmActivitiesID": ACTIVITY,
                                               "dycmActDetDescription": "First DynDetail Row Changed"})  # E45
    assert changed.status_code == 200, changed.text
    activity = admin.get(f"/api/crm/entities/activities/{ACTIVITY}.json?includeDynDetails=true").json()  # E46
    assert activity["ID"] == ACTIVITY and activity["Subject"] == "Έργο σε γήπεδο ΕΠΟ" and activity["RevNum"] == 4
    assert activity["DynamicDetails"] == {"dycmActivitiesDynDetails": [
        {"dyID": ROW, "cmActivitiesID": ACTIVITY, "dycmActDetDescription": "First DynDetail Row Changed"}]}
    assert "DynamicDetails" not in admin.get(f"/api/crm/entities/activities/{ACTIVITY}").json()
    assert admin.delete(f"{BASE}/{ROW}").status_code == 200  # E47
    assert admin.get(BASE).json() == []
    for n in range(3):
        admin.post(BASE + "/", json={"dycmActDetDescription": f"row {n}"})
    assert len(admin.get(BASE).json()) == 3
    assert admin.delete(BASE + "/").status_code == 200  # E48
    assert admin.get(BASE).json() == []  # E49


def test_bad_rows_and_the_rule_about_posting_them_with_the_entity(admin: TestClient) -> None:
    missing = admin.post(BASE, json={"dyID": ROW})
    assert missing.status_code == 400 and missing.json()["Errors"][0]["FieldName"] == "dycmActDetDescription"
    wrong = admin.post(BASE, json={"cmActivitiesID": "someone-else", "dycmActDetDescription": "x", "nope": 1})
    assert {e["FieldName"] for e in wrong.json()["Errors"]} == {"cmActivitiesID", "nope"}
    assert admin.post("/api/crm/entities/activities/no-such/dyndetails/dycmActivitiesDynDetails",
                      json={"dycmActDetDescription": "x"}).status_code == 404
    assert admin.get(f"/api/crm/entities/activities/{ACTIVITY}/dyndetails/nope").status_code == 404
    assert admin.put(f"{BASE}/no-such-row", json={"dycmActDetDescription": "x"}).status_code == 404
    activity = admin.get(f"/api/crm/entities/activities/{ACTIVITY}").json()
    activity["DynamicDetails"] = {"dycmActivitiesDynDetails": []}
    refused = admin.put(f"/api/crm/entities/activities/{ACTIVITY}", json=activity)
    assert refused.status_code == 400 and refused.json()["Errors"][0]["FieldName"] == "DynamicDetails"


def test_an_administrator_defines_a_table_over_the_api(admin: TestClient) -> None:
    defined = admin.post("/api/glx/entities/company/dyndetails", json={
        "Name": "dygxCompanyCertificates", "Columns": [
            {"Name": "Certificate", "Type": "string", "Length": 100, "Required": True},
            {"Name": "ValidUntil", "Type": "datetime"}, {"Name": "Employees", "Type": "integer"}]})
    assert defined.status_code == 200, defined.text
    assert defined.json()["required"] == ["dyID", "gxCompanyID", "Certificate"]
    company = "9ca0b73e-f6e6-46c9-a554-0c8752730ffc"
    url = f"/api/glx/entities/company/{company}/dyndetails/dygxCompanyCertificates"
    row = admin.post(url, json={"Certificate": "ISO 9001", "ValidUntil": "2027-06-30T00:00:00", "Employees": 12})
    assert row.status_code == 200 and row.json()["ValidUntil"] == "2027-06-30T00:00:00"
    assert admin.post(url, json={"Certificate": "x", "Employees": "many"}).status_code == 400
    again = admin.post("/api/glx/entities/company/dyndetails", json={"Name": "dygxCompanyCertificates",
                                                                     "Columns": [{"Name": "A"}]})
    assert again.status_code == 409
    for bad in ({"Name": "bad name", "Columns": [{"Name": "A"}]}, {"Name": "x1", "Columns": []},
                {"Name": "x2", "Columns": [{"Name": "A", "Type": "blob"}]},
                {"Name": "x3", "Columns": [{"Name": "dyID"}]}):
        assert admin.post("/api/glx/entities/company/dyndetails", json=bad).status_code == 400, bad
    assert admin.delete("/api/glx/entities/company/dyndetails/dygxCompanyCertificates").status_code == 200
    assert admin.get(url).status_code == 404


def test_details_go_with_their_record(admin: TestClient) -> None:
    activity = admin.get("/api/crm/entities/activities/template").json() | {"Subject": "Call"}
    key = admin.post("/api/crm/entities/activities", json=activity).json()["ResourceID"]
    url = f"/api/crm/entities/activities/{key}/dyndetails/dycmActivitiesDynDetails"
    assert admin.post(url, json={"dycmActDetDescription": "note"}).status_code == 200
    assert admin.delete(f"/api/crm/entities/activities/{key}").status_code == 200
    assert admin.get(url).status_code == 404


def test_the_command_line_defines_lists_and_drops(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "--database", url]).exit_code == 0
    defined = runner.invoke(app, ["dyndetails", "define", "Debtor", "dyDebtorVisits", "--column",
                                  "VisitedOn:datetime::required", "--column", "Notes:text", "--database", url])
    assert defined.exit_code == 0, defined.output
    listed = runner.invoke(app, ["dyndetails", "list", "--database", url], env={"COLUMNS": "200"})
    assert "dyDebtorVisits" in listed.output and "VisitedOn:datetime*" in listed.output
    assert runner.invoke(app, ["dyndetails", "define", "Nope", "x", "--column", "A", "--database", url]).exit_code == 1
    assert runner.invoke(app, ["dyndetails", "drop", "dyDebtorVisits", "--database", url]).exit_code == 0


def _define(admin: TestClient, name: str, parent: str | None = None) -> int:
    body: dict[str, object] = {"Name": name, "Columns": [{"Name": "x"}]}
    if parent:
        body["ParentColumn"] = parent
    return admin.post("/api/crm/entities/activities/dyndetails", json=body).status_code


def test_definitions_with_look_alike_or_long_names(admin: TestClient) -> None:
    assert _define(admin, "a", "b_c") == 200
    assert _define(admin, "a_b", "c") == 200  # once gave the same index name as the first
    assert _define(admin, "A" * 59) == 200
    assert _define(admin, "B" * 60) == 400  # dyn_ + 60 is over PostgreSQL's 63
    assert _define(admin, "t7\n") == 400
    body = {"Name": "t8", "Columns": [{"Name": "x\n"}]}
    assert admin.post("/api/crm/entities/activities/dyndetails", json=body).status_code == 400


def test_reading_details_needs_the_entitys_read_permission(admin: TestClient, db: Database) -> None:
    with db.write() as conn:
        add_user(conn, "Low", "low-password", permissions=["Galaxy.Use"])
    admin.cookies.clear()
    admin.get("/auth", params={"username": "Low", "password": "low-password"})
    for url in (BASE, f"{BASE}/template", "/api/crm/entities/activities/dyndetails/metadata"):
        assert admin.get(url).status_code == 403, url
