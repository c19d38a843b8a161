"""Dynamic views (E22 and the URLs after it): listings under one row of a view, keyed by its identity."""

from __future__ import annotations

from starlette.testclient import TestClient

ENTRY = "65493d3a-4f62-487a-b425-b411eaaac2b9"
FRANK = "4f0c2d6e-0b1a-4c55-8a3e-000000000004"


def test_e22_dynamic_views_of_a_view(admin: TestClient) -> None:
    assert admin.get("/api/glx/views/item/dynviews").json() == [{
        "Name": "Sales per document \\ line",
        "Uri": "/api/glx/views/item/{KeyValue}/dynviews/Sales+per+document+%5c+line"}]
    listed = admin.get("/api/glx/views/customer/dynviews").json()
    assert [d["Name"] for d in listed] == ["Sales documents", "Activities"]
    meta = admin.get("/api/glx/views/customer/metadata").json()
    assert meta["DynamicViews"] == listed


def test_rows_under_one_master_row(admin: TestClient) -> None:
    lines = admin.get(f"/api/glx/views/salesentry/{ENTRY}/dynviews/Lines").json()
    assert [(r["SalesEntryID"], r["NETVALUE"]) for r in lines] == [(ENTRY, 596.55)]
    documents = admin.get(f"/api/glx/views/customer/{FRANK}/dynviews/Sales+documents", params={
        "fields": "ID,TRADECODE", "sortBy": "TRADECODE.desc", "filters": "{QTRADECODE:[6201,Like]}"}).json()
    assert documents == [{"ID": ENTRY, "TRADECODE": "6201 - A - 002205"},
                         {"ID": "52f5190e-43a4-4940-9520-fb494751dc1c", "TRADECODE": "6201 - A - 002204"}]
    # The URI as listed, with the escaped backslash, works as written.
    item = admin.get("/api/glx/views/item/IN000000000000000001/dynviews/Sales+per+document+%5c+line").json()
    assert item and all(r["ItemCode"] == "1172" for r in item)
    meta = admin.get("/api/glx/views/salesentry/dynviews/Lines/metadata").json()
    assert meta["Name"] == "Γραμμές" and meta["Uri"] == "/api/glx/views/salesentry/dynviews/Lines"
    assert "SalesEntryID" in [f["Name"] for f in meta["Fields"]]


def test_unknown_master_rows_and_names_are_404(admin: TestClient) -> None:
    assert admin.get("/api/glx/views/salesentry/no-such-entry/dynviews/Lines").status_code == 404
    assert admin.get(f"/api/glx/views/salesentry/{ENTRY}/dynviews/Nope").status_code == 404
    assert admin.get("/api/glx/views/salesentry/dynviews/Nope/metadata").status_code == 404
