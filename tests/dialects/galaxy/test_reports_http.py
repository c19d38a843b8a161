"""Reports over Galaxy's URLs (E50–E54), run by the background worker."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from starlette.testclient import TestClient

from backoffice.app import create_app
from backoffice.core.store import Database
from backoffice.settings import Settings


@pytest.fixture
def galaxy(settings: Settings, db: Database) -> Iterator[TestClient]:
    """A logged-in client of a server whose background worker runs the reports."""
    with TestClient(create_app(settings, db=db, run_worker=True)) as client:
        assert client.get("/auth", params={"username": "Admin", "password": "password"}).status_code == 200
        yield client


def test_e50_e51_list_and_metadata(galaxy: TestClient) -> None:
    listed = galaxy.get("/api/glx/reports").json()
    for name in ("AccountFinExport", "AccountLedgerExport", "CustomerBalances", "SalesByItem"):
        assert {"Name": name, "Uri": f"/api/glx/reports/{name.lower()}"} in listed
    meta = galaxy.get("/api/glx/reports/accountledgerexport/metadata").json()
    assert list(meta) == ["CustomViews", "Filters", "CurrentUserReportView", "Title", "Description", "Name", "Uri"]
    assert meta["Name"] == "AccountLedgerExport" and meta["Uri"] == "/api/glx/reports/accountledgerexport"
    assert meta["CurrentUserReportView"] == {"Name": "AccountLedgerExport",
                                             "Uri": "/api/glx/reports/AccountLedgerExport"}
    account = next(f for f in meta["Filters"] if f["Name"] == "AccountNo")
    assert account["Required"] is True and account["AllowNullState"] is False
    assert set(account) >= {"Behaviour", "UseRange", "PredefinedValues", "AcceptedValues", "AllowedOperators"}
    assert account["AcceptedValues"]["AcceptedValuesList"] == "/api/glx/lookups/customer"
    assert galaxy.get("/api/glx/lookups/customer").status_code == 200
    assert galaxy.get("/api/glx/reports/nope/metadata").status_code == 404


def test_e52_to_e54_execute_page_formats_and_history(galaxy: TestClient) -> None:
    executed = galaxy.post("/api/glx/reports/customerbalances", json={"filters": [
        {"AccountNo": "[C0000,Like]"}]}, headers={"Accept-Language": "el"})
    assert executed.status_code == 200, executed.text
    answer = executed.json()
    assert list(answer) == ["DocumentId", "Pages", "Title", "Name", "Uri"]
    assert answer["Name"] == "gxCustomerBalances" and answer["Title"] == "Υπόλοιπα πελατών"
    assert answer["Pages"] == [{"Height": 793.7008, "Width": 1122.52}]
    assert answer["Uri"] == f"/api/glx/reports/data/{answer['DocumentId']}"

    page = galaxy.get(answer["Uri"]).json()
    assert list(page) == ["Title", "TotalPages", "DocumentId", "PageContents"]
    assert page["TotalPages"] == 1 and page["PageContents"][0]["PageNumber"] == 1
    content = page["PageContents"][0]["Content"]
    assert content.startswith("\ufeff<table") and "C00001" in content and "00000002" not in content

    pdf = galaxy.get(answer["Uri"], params={"format": "pdf", "attachment": "true"})
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"].startswith("attachment")
    assert "Υπόλοιπα πελατών" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    excel = galaxy.get(answer["Uri"], params={"format": "excel"})
    assert excel.headers["content-disposition"].startswith("inline")
    sheet = load_workbook(io.BytesIO(excel.content)).active
    assert sheet is not None and any("C00005" in str(c.value) for row in sheet.iter_rows() for c in row)
    html = galaxy.get(answer["Uri"], params={"format": "html"})
    assert html.headers["content-type"].startswith("text/html") and "C00003" in html.text

    assert galaxy.get(answer["Uri"], params={"page": "1,3,5-7"}).status_code == 400  # only one page
    assert galaxy.get(answer["Uri"], params={"format": "doc"}).status_code == 400

    history = galaxy.get("/api/glx/reports/history", headers={"Accept-Language": "el"}).json()
    entry = next(h for h in history if h["Name"] == answer["DocumentId"])
    assert entry["StatusID"] == 2 and entry["Status"] == "Finished"
    assert entry["Title"].startswith("Υπόλοιπα πελατών on ") and entry["Uri"] == answer["Uri"]
    assert entry["Description"].startswith("Κατάσταση: Finished, Λεπτομέρειες: Σελίδες: 1 (")


def test_report_filters_are_checked(galaxy: TestClient) -> None:
    missing = galaxy.post("/api/glx/reports/accountledgerexport", json={})
    assert missing.status_code == 400 and missing.json()["Errors"][0]["FieldName"] == "AccountNo"
    bad = galaxy.post("/api/glx/reports/customerbalances", json={"filters": [{"Nope": "[1,Equal]"},
                                                                              {"AccountNo": "[1,Sideways]"}]})
    assert bad.status_code == 400 and {e["FieldName"] for e in bad.json()["Errors"]} == {"Nope", "AccountNo"}
    ranged = galaxy.post("/api/glx/reports/accountledgerexport", json={"filters": [
        {"AccountNo": "[C00001,Equal]"}, {"TranDate": "[2026-01-01,GreaterOrEqual]"},
        {"TranDate": "[2026-12-31,LessOrEqual]"}]})
    assert ranged.status_code == 200, ranged.text


def test_a_custom_report_view(galaxy: TestClient) -> None:
    made = galaxy.post("/api/glx/reports/customerbalances/custom", json={
        "Name": "Greek customers", "Columns": ["AccountNo", "Name"],
        "Filters": [{"AccountNo": "[[00000002,000000004],In]"}]})
    assert made.status_code == 200, made.text
    assert made.json()["Uri"] == "/api/glx/reports/customerbalances/custom/greek+customers"
    meta = galaxy.get("/api/glx/reports/customerbalances/metadata").json()
    assert {"Name": "Greek customers", "Uri": made.json()["Uri"]} in meta["CustomViews"]
    run = galaxy.post(made.json()["Uri"], json={}).json()
    content = galaxy.get(run["Uri"]).json()["PageContents"][0]["Content"]
    assert "00000002" in content and "C00001" not in content
    assert galaxy.get(made.json()["Uri"] + "/metadata").json()["CurrentUserReportView"]["Name"] == "Greek customers"
