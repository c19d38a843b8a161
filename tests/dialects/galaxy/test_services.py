"""Services (E23–E25: the Messenger, for real) and entity actions (E38–E40)."""

from __future__ import annotations

from starlette.testclient import TestClient

COMPANY = "9ca0b73e-f6e6-46c9-a554-0c8752730ffc"


def _login(client: TestClient, user: str, password: str) -> None:
    client.cookies.clear()
    assert client.get("/auth", params={"username": user, "password": password}).status_code == 200


def test_e23_e24_services_and_their_operations(admin: TestClient) -> None:
    assert {"Domain": "glx", "Name": "Messenger", "Uri": "/api/glx/services/messenger"} in \
        admin.get("/api/glx/services").json()
    operations = {op["Name"]: op for op in admin.get("/api/glx/services/messenger").json()}
    assert set(operations) == {"GetUserOptions", "GetConversation", "GetOldMessages", "ClearMessages", "GetMessages",
                               "SendMessage", "GetUsers"}
    assert operations["GetUsers"] == {
        "Arguments": {"Parameters": [{"Type": "boolean", "IsArray": False, "Name": "includeInactive",
                                      "Required": True, "DefaultValue": None}]},
        "Name": "GetUsers", "Uri": "/api/glx/services/messenger/getusers"}
    send = {p["Name"]: p for p in operations["SendMessage"]["Arguments"]["Parameters"]}
    assert send["toUsers"] == {"Type": "string, null", "IsArray": True, "Name": "toUsers", "Required": True,
                               "DefaultValue": None}
    assert [p["Type"] for p in operations["GetOldMessages"]["Arguments"]["Parameters"]] == [
        "integer", "string, null", "string, null"]
    assert operations["ClearMessages"]["Arguments"] == {"Parameters": []}


def test_e25_get_users(admin: TestClient) -> None:
    response = admin.post("/api/glx/services/messenger/getusers", content=b'{ "includeInactive" : true }',
                          headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    users = {u["UserName"]: u for u in response.json()}
    assert set(users) >= {"Admin", "Sarah"}
    assert users["Sarah"] == {"ID": users["Sarah"]["ID"], "UserName": "Sarah", "Description": "Sarah Jones",
                              "ComputerName": None, "LastUpdate": None, "Status": "Offline"}


def test_a_conversation_between_two_users(client: TestClient) -> None:
    _login(client, "Admin", "password")
    sent = client.post("/api/glx/services/messenger/sendmessage", json={
        "message": "Καλημέρα! Is the Best Market order ready?", "fromUser": "Admin", "toUsers": ["Sarah"],
        "conversationID": None})
    assert sent.status_code == 200, sent.text
    conversation = sent.json()["ConversationID"]

    _login(client, "Sarah", "sarah-password")
    inbox = client.post("/api/glx/services/messenger/getmessages", json={"userName": "Sarah",
                                                                        "computerName": "SARAH-PC"}).json()
    assert [(m["FromUser"], m["ToUser"], m["Message"]) for m in inbox] == [
        ("Admin", "Sarah", "Καλημέρα! Is the Best Market order ready?")]
    assert client.post("/api/glx/services/messenger/getmessages",
                       json={"userName": "Sarah", "computerName": "SARAH-PC"}).json() == []  # collected once
    client.post("/api/glx/services/messenger/sendmessage", json={
        "message": "Yes, shipping today.", "fromUser": "Sarah", "toUsers": [], "conversationID": conversation})
    users = {u["UserName"]: u for u in client.post("/api/glx/services/messenger/getusers",
                                                    json={"includeInactive": False}).json()}
    assert users["Sarah"]["Status"] == "Online" and users["Sarah"]["ComputerName"] == "SARAH-PC"

    _login(client, "Admin", "password")
    thread = client.post("/api/glx/services/messenger/getconversation", json={"conversationID": conversation})
    assert [m["Message"] for m in thread.json()["Messages"]] == [
        "Καλημέρα! Is the Best Market order ready?", "Yes, shipping today."]
    assert thread.json()["Users"] == ["Admin", "Sarah"]
    old = client.post("/api/glx/services/messenger/getoldmessages",
                      json={"top": 1, "fromUser": "Admin", "toUser": "Sarah"}).json()
    assert [m["Message"] for m in old] == ["Yes, shipping today."]
    assert client.post("/api/glx/services/messenger/clearmessages").json() == 1


def test_messenger_refuses_what_it_should(admin: TestClient) -> None:
    forged = admin.post("/api/glx/services/messenger/sendmessage", json={
        "message": "hi", "fromUser": "Sarah", "toUsers": ["Admin"], "conversationID": None})
    assert forged.status_code == 403
    missing = admin.post("/api/glx/services/messenger/getoldmessages", json={"top": "ten", "extra": 1})
    assert missing.status_code == 400
    assert {e["FieldName"] for e in missing.json()["Errors"]} == {"top", "fromUser", "toUser", "extra"}
    assert admin.post("/api/glx/services/messenger/nope", json={}).status_code == 404
    assert admin.post("/api/glx/services/nope/getusers", json={}).status_code == 404
    unknown = admin.post("/api/glx/services/messenger/getconversation", json={"conversationID": "nope"})
    assert unknown.status_code == 404


def test_e38_entity_actions(admin: TestClient) -> None:
    actions = {a["Name"]: a for a in admin.get("/api/glx/entities/company/actions").json()}
    assert actions["CompanySiteDescription"] == {
        "Arguments": {"Parameters": [{"Type": "string, null", "IsArray": False, "Name": "cmpsid", "Required": True,
                                      "DefaultValue": None, "ClrType": None}]},
        "Name": "CompanySiteDescription",
        "Uri": "/api/glx/entities/company/{ID}/actions/companysitedescription"}
    assert [p["Name"] for p in actions["CompanyTitle"]["Arguments"]["Parameters"]] == ["compid", "distTitle"]


def test_e39_e40_invoke_an_action(admin: TestClient) -> None:
    answer = admin.post(f"/api/glx/entities/company/{COMPANY}/actions/companysitedescription",
                        content=b'{ "cmpsid" : "f15c912a-9aa4-4652-95c4-64aa92d50286" }',
                        headers={"Content-Type": "application/json"})
    assert answer.status_code == 200 and answer.json() == "Συν.Αιγάλεω"
    company = next(c for c in admin.get("/api/glx/lookups/company").json() if c["ID"] == COMPANY)  # E40
    assert company["Sites"][0]["ID"] == "f15c912a-9aa4-4652-95c4-64aa92d50286"
    assert company["Sites"][0]["Description"] == "Συν.Αιγάλεω"
    title = admin.post(f"/api/glx/entities/company/{COMPANY}/actions/companytitle",
                       json={"compid": "dd32e7b3-036c-41df-9cd2-294e96415d4c", "distTitle": True})
    assert title.json() == "SingularLogic"
    assert admin.post(f"/api/glx/entities/company/{COMPANY}/actions/companysitedescription",
                      json={"cmpsid": "nope"}).status_code == 404
    assert admin.post(f"/api/glx/entities/company/{COMPANY}/actions/nope", json={}).status_code == 404
