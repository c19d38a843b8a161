"""What an outside review found: hostile or odd input gets a clear 4xx, and permissions hold everywhere."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from backoffice.core.auth.service import add_user
from backoffice.core.store import Database

COMPANY = "59c7f302-f5b0-45f6-8a32-6c7f64e91c00"


@pytest.mark.parametrize("filters", [
    "{a:[]   a:[]   a:[]   a:[]   a:[]   a:[]   a:[]   a:[]   a:[]   a:[]   a:[]   !}",  # once took seconds
    "{TRADECODE:[nomatch,Equal] TRADECODE:[x,NotEqual]}",  # two filters with no comma between them
    "{TRADECODE:[x,Equal],}",
])
def test_malformed_filters_are_a_400(admin: TestClient, filters: str) -> None:
    response = admin.get("/api/glx/views/salesentry", params={"filters": filters})
    assert response.status_code == 400 and response.json()["Errors"][0]["FieldName"] == "filters"


@pytest.mark.parametrize("url", [
    "/api/glx/views/salesentry?skip=99999999999999999999999",
    "/api/glx/entities/salesentry?skip=9223372036854775808",
    "/api/glx/views/salesentry?take=%C2%B2",
    "/api/glx/lookups/customer?depth=%C2%B2",
    "/api/glx/views/salesentry?fields=,",
])
def test_odd_numbers_and_lists_are_a_400(admin: TestClient, url: str) -> None:
    assert admin.get(url).status_code == 400


@pytest.fixture
def limited(db: Database, client: TestClient) -> TestClient:
    """A user who may use the Galaxy API but touch no kind of record."""
    with db.write() as conn:
        add_user(conn, "Limited", "limited-password", permissions=["Galaxy.Use"])
    assert client.get("/auth", params={"username": "Limited", "password": "limited-password"}).status_code == 200
    return client


@pytest.mark.parametrize("method, url", [
    ("GET", "/api/glx/lookups/customer"), ("GET", "/api/glx/lookups/company"), ("GET", "/api/glx/views/customer"),
    ("GET", f"/api/glx/documents/{COMPANY}"), ("POST", f"/api/glx/documents/{COMPANY}?fileName=x.txt"),
    ("GET", "/api/glx/documents/DownloadFile/whatever"),
])
def test_permissions_hold_on_lookups_and_documents(limited: TestClient, method: str, url: str) -> None:
    assert limited.request(method, url, content=b"x").status_code == 403


def test_creating_a_record_under_a_taken_id_says_so(admin: TestClient) -> None:
    body = admin.get("/api/glx/entities/company/template").json() | {
        "ID": COMPANY, "Code": "999", "Title": "X", "ActiveDate": "2020-01-01T00:00:00"}
    response = admin.post("/api/glx/entities/company", json=body)
    assert response.status_code == 409 and response.json()["ErrorCode"] == "AlreadyExists"


def test_an_action_on_a_missing_record_is_404(admin: TestClient) -> None:
    response = admin.post("/api/glx/entities/company/doesnotexist/actions/companytitle",
                          json={"compid": COMPANY, "distTitle": False})
    assert response.status_code == 404


def test_someone_elses_conversation_is_not_found(admin: TestClient, db: Database) -> None:
    conversation = admin.post("/api/glx/services/messenger/sendmessage", json={
        "message": "private", "fromUser": "Admin", "toUsers": ["Sarah"], "conversationID": None}).json()
    with db.write() as conn:
        add_user(conn, "Bob", "bob-password")
    admin.cookies.clear()
    admin.get("/auth", params={"username": "Bob", "password": "bob-password"})
    response = admin.post("/api/glx/services/messenger/sendmessage", json={
        "message": "hi", "fromUser": "Bob", "toUsers": [], "conversationID": conversation["ConversationID"]})
    assert response.status_code == 404


def test_a_bad_detail_item_is_named(admin: TestClient) -> None:
    body = admin.get("/api/glx/entities/company/template").json() | {
        "Code": "998", "Title": "X", "ActiveDate": "2020-01-01T00:00:00", "Sites": [1]}
    response = admin.post("/api/glx/entities/company", json=body)
    assert response.status_code == 400 and response.json()["Errors"][0]["FieldName"] == "Sites[0]"


def test_a_whole_revnum_written_as_a_decimal_is_accepted(admin: TestClient) -> None:
    body = admin.get(f"/api/glx/entities/company/{COMPANY}").json()
    body["RevNum"] = float(body["RevNum"])
    assert admin.put(f"/api/glx/entities/company/{COMPANY}", json=body).status_code == 200
