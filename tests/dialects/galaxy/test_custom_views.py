"""Custom views (E29 and the real clients' /views/{View}/custom/{name}): kept per user or public, and
behaving like any view (metadata, filters, sorting, paging)."""

from __future__ import annotations

from starlette.testclient import TestClient

from backoffice.core.auth.service import add_user
from backoffice.core.store import Database


def _make(client: TestClient, **body: object) -> dict[str, str]:
    response = client.post("/api/glx/entities/salesentry/myviews", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_users_custom_view_behaves_like_a_view(admin: TestClient) -> None:
    made = _make(admin, Name="Invoices 6201", Fields="ID,TRADECODE,TotalValue",
                 Filters="{QCoetID:[85354cb0-0077-46b9-a07a-0afe20cee6ef,Equal]}", SortBy="TRADECODE.asc")
    assert made == {"Name": "Invoices 6201", "Uri": "/api/glx/entities/salesentry/myviews/invoices+6201"}
    assert {"Name": "Invoices 6201", "Uri": made["Uri"]} in admin.get("/api/glx/entities/salesentry/myviews").json()
    rows = admin.get(made["Uri"]).json()
    assert rows == [
        {"ID": "52f5190e-43a4-4940-9520-fb494751dc1c", "TRADECODE": "6201 - A - 002204", "TotalValue": 248.0},
        {"ID": "65493d3a-4f62-487a-b425-b411eaaac2b9", "TRADECODE": "6201 - A - 002205", "TotalValue": 596.55}]
    narrowed = admin.get(made["Uri"], params={"filters": "{QTRADECODE:[2205,Like]}", "fields": "ID"}).json()
    assert narrowed == [{"ID": "65493d3a-4f62-487a-b425-b411eaaac2b9"}]
    assert [r["TRADECODE"] for r in admin.get(made["Uri"], params={"sortBy": "TRADECODE.desc", "take": 1}).json()] \
        == ["6201 - A - 002205"]
    meta = admin.get(made["Uri"] + "/metadata").json()
    assert meta["Name"] == "Invoices 6201" and [f["Name"] for f in meta["Fields"]] == ["ID", "TotalValue", "TRADECODE"]
    entity_meta = admin.get("/api/glx/entities/salesentry/metadata").json()
    assert {"Name": "Invoices 6201", "Uri": made["Uri"]} in entity_meta["CustomViews"]

    as_client_reads = admin.get("/api/glx/views/salesentry/custom/Invoices+6201").json()
    assert list(as_client_reads) == ["Items"] and len(as_client_reads["Items"]) == 2
    view_meta = admin.get("/api/glx/views/salesentry/metadata").json()
    listed = {"Name": "Invoices 6201", "Uri": "/api/glx/views/salesentry/custom/invoices+6201"}
    assert listed in view_meta["CustomViews"]

    assert admin.delete(made["Uri"]).status_code == 200
    assert admin.get(made["Uri"]).status_code == 404


def test_personal_and_public_views(admin: TestClient, db: Database) -> None:
    _make(admin, Name="Mine", Fields="ID")
    _make(admin, Name="Everyone's", Fields="ID,TRADECODE", Public=True)
    with db.write() as conn:
        add_user(conn, "Bob", "bob-password")
    admin.cookies.clear()
    admin.get("/auth", params={"username": "Bob", "password": "bob-password"})
    names = [v["Name"] for v in admin.get("/api/glx/entities/salesentry/myviews").json()]
    assert names == ["Everyone's"]
    assert admin.get("/api/glx/entities/salesentry/myviews/mine").status_code == 404
    assert admin.delete("/api/glx/entities/salesentry/myviews/everyone's").status_code == 403


def test_bad_custom_views_are_refused(admin: TestClient) -> None:
    for body, field in (({"Name": "x", "Fields": "Nope"}, "Nope"), ({"Name": "x", "Filters": "{QNOPE:[1,Equal]}"},
                                                                     "QNOPE"),
                        ({"Name": "", "Fields": "ID"}, "Name"), ({"Name": "x", "Public": "yes"}, "Public")):
        response = admin.post("/api/glx/entities/salesentry/myviews", json=body)
        assert response.status_code == 400, body
        assert any(e["FieldName"] == field for e in response.json()["Errors"]) or field in response.json()["Message"]
    _make(admin, Name="Twice", Fields="ID")
    again = admin.post("/api/glx/entities/salesentry/myviews", json={"Name": "TWICE", "Fields": "ID"})
    assert again.status_code == 409
