"""Authenticating as the Jiwa document shows: /auth by query string, JSON body, cookies, X-ss-id, API keys."""

from __future__ import annotations

import json

from starlette.testclient import TestClient

from backoffice.core.auth import service as auth
from backoffice.core.store import Database

DEBTOR = "0000000061000000001V"


def test_browser_login_with_query_string_sets_cookie(client: TestClient) -> None:
    # https://api.jiwa.com.au/auth?username=admin&password=password&format=json
    response = client.get("/auth?username=admin&password=password&format=json")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"SessionId", "UserName", "DisplayName", "ResponseStatus"}
    assert body["UserName"] == "Admin" and body["DisplayName"] == "" and body["ResponseStatus"] == {}
    assert len(body["SessionId"]) == 20
    assert client.cookies.get("ss-id") == body["SessionId"]
    assert client.cookies.get("ss-pid")
    # Strict: another site's link or form never carries the session (GET routes such as Process write).
    assert all("samesite=strict" in c.lower() and "httponly" in c.lower()
               for c in response.headers.get_list("set-cookie"))
    # The browser now sends the cookie by itself.
    assert client.get(f"/Debtors/{DEBTOR}").status_code == 200


def test_curl_login_with_json_body_on_get(client: TestClient) -> None:
    # curl -H 'Accept: application/json' -H 'Content-Type: application/json' -X GET .../auth -d '{...}'
    response = client.request("GET", "/auth", content=json.dumps({"username": "Admin", "password": "password"}),
                              headers={"Accept": "application/json", "Content-Type": "application/json"})
    assert response.status_code == 200
    session_id = response.json()["SessionId"]
    client.cookies.clear()
    debtor = client.get(f"/Debtors/{DEBTOR}", headers={"Accept": "application/json",
                                                         "Cookie": f"ss-id={session_id}"})
    assert debtor.status_code == 200
    assert debtor.json()["DebtorID"] == DEBTOR


def test_post_credentials_form_and_pascal_case_names(client: TestClient) -> None:
    form = client.post("/auth/credentials", data={"UserName": "ADMIN", "Password": "password"})
    assert form.status_code == 200 and form.json()["UserName"] == "Admin"
    body = client.post("/auth", json={"UserName": "admin", "Password": "password", "RememberMe": True})
    assert body.status_code == 200
    assert client.cookies.get("ss-opt") == "perm"
    assert client.cookies.get("ss-pid") == body.json()["SessionId"]


def test_x_ss_id_header_instead_of_cookie(client: TestClient) -> None:
    session_id = client.get("/auth", params={"username": "Admin", "password": "password"}).json()["SessionId"]
    client.cookies.clear()
    assert client.get(f"/Debtors/{DEBTOR}", headers={"X-ss-id": session_id}).status_code == 200


def test_bad_credentials_are_401_with_response_status(client: TestClient) -> None:
    response = client.get("/auth", params={"username": "Admin", "password": "wrong"})
    assert response.status_code == 401
    status = response.json()["ResponseStatus"]
    assert status["ErrorCode"] == "Unauthorized"
    assert status["Message"] == "Invalid UserName or Password"
    assert client.get("/auth", params={"username": "nobody", "password": "x"}).status_code == 401


def test_protected_route_without_authentication_is_401(client: TestClient) -> None:
    response = client.get(f"/Debtors/{DEBTOR}")
    assert response.status_code == 401
    assert response.json()["ResponseStatus"]["ErrorCode"] == "Unauthorized"
    assert client.get(f"/Debtors/{DEBTOR}", headers={"X-ss-id": "notasession"}).status_code == 401


def test_logout_ends_the_session(admin: TestClient) -> None:
    session_id = admin.cookies.get("ss-id")
    assert admin.get("/auth/logout").status_code == 200
    assert admin.get(f"/Debtors/{DEBTOR}", headers={"X-ss-id": session_id or ""}).status_code == 401


def test_session_survives_a_new_app_on_the_same_database(admin: TestClient, settings, db) -> None:  # type: ignore[no-untyped-def]
    from backoffice.app import create_app

    session_id = admin.cookies.get("ss-id") or ""
    with TestClient(create_app(settings, db=Database(settings.database_url))) as other:
        assert other.get(f"/Debtors/{DEBTOR}", headers={"X-ss-id": session_id}).status_code == 200


def test_keep_alive(admin: TestClient, client: TestClient) -> None:
    assert admin.get("/KeepAlive").status_code == 204


def _key(db: Database, **kw: object) -> str:
    with db.write() as conn:
        return auth.create_api_key(conn, **kw).key  # type: ignore[arg-type]


def test_staff_api_key_as_bearer_and_url_parameter(client: TestClient, db: Database) -> None:
    key = _key(db, staff_username="Admin")
    bearer = client.get(f"/Debtors/{DEBTOR}", headers={"Authorization": f"Bearer {key}"})
    assert bearer.status_code == 200
    assert client.get(f"/Debtors/{DEBTOR}?apikey={key}").status_code == 200
    assert client.post("/SalesOrders", data={"apikey": key, "DebtorID": DEBTOR}).status_code == 201


def test_revoked_and_expired_keys_are_401(client: TestClient, db: Database) -> None:
    from datetime import date

    key = _key(db, staff_username="Admin")
    with db.write() as conn:
        auth.revoke_api_key(conn, key)
    revoked = client.get(f"/Debtors/{DEBTOR}", headers={"Authorization": f"Bearer {key}"})
    assert revoked.status_code == 401
    assert "revoked" in revoked.json()["ResponseStatus"]["Message"]
    expired = _key(db, staff_username="Admin", expires=date(2020, 1, 1))
    assert client.get(f"/Debtors/{DEBTOR}", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    assert client.get(f"/Debtors/{DEBTOR}", headers={"Authorization": "Bearer made-up"}).status_code == 401


def test_keys_sessions_and_passwords_are_stored_hashed(client: TestClient, db: Database) -> None:
    import sqlalchemy as sa

    from backoffice.core.store.tables import api_key, auth_session, staff_credential

    key = _key(db, staff_username="Admin")
    session_id = client.get("/auth", params={"username": "Admin", "password": "password"}).json()["SessionId"]
    with db.read() as conn:
        keys = [str(tuple(r)) for r in conn.execute(sa.select(api_key))]
        sessions = [str(tuple(r)) for r in conn.execute(sa.select(auth_session))]
        passwords = [r.password_hash for r in conn.execute(sa.select(staff_credential))]
    assert keys and all(key not in row for row in keys)
    assert sessions and all(session_id not in row for row in sessions)
    assert passwords and all(p.startswith("$argon2id$") for p in passwords)


def test_http_basic_authentication(client: TestClient, db: Database) -> None:
    # ServiceStack's BasicAuthProvider: what the python client and Swagger's "basic" scheme send.
    ok = client.get(f"/Debtors/{DEBTOR}", auth=("admin", "password"))
    assert ok.status_code == 200
    assert client.get(f"/Debtors/{DEBTOR}", auth=("admin", "password")).status_code == 200
    bad = client.get(f"/Debtors/{DEBTOR}", auth=("admin", "nope"))
    assert bad.status_code == 401
    assert client.get(f"/Debtors/{DEBTOR}", headers={"Authorization": "Basic !!!"}).status_code == 401
    key = _key(db, staff_username="Admin")
    assert client.get(f"/Debtors/{DEBTOR}", auth=(key, "")).status_code == 200


def test_a_new_password_or_disabling_ends_access_at_once(client: TestClient, db: Database) -> None:
    session_id = client.get("/auth", params={"username": "Sarah", "password": "sarah-password"}).json()["SessionId"]
    key = _key(db, staff_username="Sarah")
    headers = {"X-ss-id": session_id}
    client.cookies.clear()
    assert client.get(f"/Debtors/{DEBTOR}", headers=headers).status_code == 200
    assert client.get(f"/Debtors/{DEBTOR}", auth=("sarah", "sarah-password")).status_code == 200
    with db.write() as conn:
        auth.add_user(conn, "Sarah", "changed")
    assert client.get(f"/Debtors/{DEBTOR}", headers=headers).status_code == 401
    assert client.get(f"/Debtors/{DEBTOR}", auth=("sarah", "sarah-password")).status_code == 401
    assert client.get(f"/Debtors/{DEBTOR}", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    with db.write() as conn:
        auth.set_enabled(conn, "Sarah", False)
    assert client.get(f"/Debtors/{DEBTOR}", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    assert client.get("/auth", params={"username": "Sarah", "password": "changed"}).status_code == 401


def test_narrowed_permissions_apply_to_a_live_session(client: TestClient, db: Database) -> None:
    session_id = client.get("/auth", params={"username": "Sarah", "password": "sarah-password"}).json()["SessionId"]
    with db.write() as conn:
        auth.add_user(conn, "Sarah", "sarah-password", permissions=["Debtor.Get"])
    # Changing the credential ends the session; a new one carries the narrower permissions.
    assert client.get(f"/Debtors/{DEBTOR}", headers={"X-ss-id": session_id}).status_code == 401
    client.get("/auth", params={"username": "Sarah", "password": "sarah-password"})
    assert client.get(f"/Debtors/{DEBTOR}").status_code == 200
    assert client.get("/SalesOrders/babce67cdbf64f778536").status_code == 403


def test_each_api_key_holds_its_own_records(client: TestClient, db: Database) -> None:
    first, second = _key(db, staff_username="Admin"), _key(db, staff_username="Admin")
    stateful = {"jiwa-stateful": "true"}
    client.patch(f"/Debtors/{DEBTOR}", json={"Name": "Held by the first key"},
                 headers={**stateful, "Authorization": f"Bearer {first}"})
    other = client.get(f"/Debtors/{DEBTOR}", headers={**stateful, "Authorization": f"Bearer {second}"})
    assert other.json()["Name"] == "Bayside Hardware Pty Ltd"
    assert client.get("/Debtors/Save", headers={**stateful, "Authorization": f"Bearer {second}"}).status_code == 200
    saved = client.get("/Debtors/Save", headers={**stateful, "Authorization": f"Bearer {first}"})
    assert saved.status_code == 409  # the second key saved (unchanged) in between: a new revision


def test_a_key_works_through_its_last_day(client: TestClient, db: Database) -> None:
    from datetime import UTC, datetime, timedelta

    today = datetime.now(UTC).date()
    last_day_today = _key(db, staff_username="Admin", expires=today)
    ended_yesterday = _key(db, staff_username="Admin", expires=today - timedelta(days=1))
    assert client.get(f"/Debtors/{DEBTOR}", headers={"Authorization": f"Bearer {last_day_today}"}).status_code == 200
    assert client.get(f"/Debtors/{DEBTOR}", headers={"Authorization": f"Bearer {ended_yesterday}"}).status_code == 401


def test_user_names_in_any_script_log_in_case_insensitively(client: TestClient, db: Database) -> None:
    with db.write() as conn:
        auth.add_user(conn, "Ärger", "pw")
        auth.add_user(conn, "ärger", "pw2")  # the same user: a new password, not a second user
    assert client.get("/auth", params={"username": "ÄRGER", "password": "pw2"}).status_code == 200
    assert client.get("/auth", params={"username": "Ärger", "password": "pw"}).status_code == 401
