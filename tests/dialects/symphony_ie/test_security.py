"""The security service: tokens bound to a user and an organization, sign-off, expiry, one-time
codes by mail and the multi-factor rule (document table 1-1, examples S1-S4)."""

from __future__ import annotations

import re
from datetime import timedelta

from starlette.testclient import TestClient

from backoffice.core import clock, mail
from backoffice.settings import Settings

from .conftest import DATA, SECURITY, Symphony, login


def _post(client: TestClient, operation: str, body: object, **headers: str):  # type: ignore[no-untyped-def]
    return client.post(f"{SECURITY}/{operation}", json=body, headers=headers)


def test_s1_a_token_is_a_json_string_the_sample_client_accepts(client: TestClient) -> None:
    response = _post(client, "GetUserAuthenticationToken", {"orgCode": "DEMO", "password": "password",
                                                            "userName": "Admin"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.text.startswith('"IEx') and response.text.endswith('"')
    token = response.json()
    assert re.fullmatch(r"IEx[0-9a-f-]{36}[0-9a-f]{40}", token)
    hierarchy = client.get(f"{DATA}/GetHierarchyStructure/Admin/DEMO", headers={"AuthenticationToken": token})
    assert hierarchy.status_code == 200


def test_failed_logins_all_say_the_same_and_issue_nothing(client: TestClient) -> None:
    for body in ({"orgCode": "DEMO", "password": "wrong", "userName": "Admin"},
                 {"orgCode": "DEMO", "password": "password", "userName": "Nobody"},
                 {"orgCode": "ELSEWHERE", "password": "password", "userName": "Admin"},
                 # Sarah may log in to the other APIs, but is no member of DEMO.
                 {"orgCode": "DEMO", "password": "sarah-password", "userName": "Sarah"}):
        response = _post(client, "GetUserAuthenticationToken", body)
        assert response.status_code == 401, body
        assert response.json() == "Invalid user name, password or organization"


def test_an_empty_org_code_means_the_only_organization(client: TestClient) -> None:
    # The public sample client logs in with "orgCode": "".
    token = login(client, org="")
    answer = client.get(f"{DATA}/GetExportableTypes/Admin/", headers={"AuthenticationToken": token})
    assert answer.status_code == 200


def test_every_data_call_needs_a_live_token(client: TestClient, symphony: Symphony) -> None:
    assert client.get(f"{DATA}/GetSchedules/Admin/DEMO").status_code == 401
    bad = client.get(f"{DATA}/GetSchedules/Admin/DEMO", headers={"AuthenticationToken": "IExnot-a-token"})
    assert bad.status_code == 401
    assert "unknown or has expired" in bad.json()
    assert symphony.get("GetSchedules/Admin/DEMO").status_code == 200


def test_s2_sign_off_ends_the_token(client: TestClient, symphony: Symphony) -> None:
    response = _post(client, "SignOffToken", symphony.token)
    assert response.status_code == 200 and response.json() is True
    assert symphony.get("GetSchedules/Admin/DEMO").status_code == 401
    assert _post(client, "SignOffToken", symphony.token).json() is False
    assert _post(client, "SignOffToken", {"not": "a string"}).status_code == 400


def test_tokens_expire(client: TestClient, symphony: Symphony) -> None:
    with clock.moved_to(clock.now() + timedelta(minutes=29)):
        assert symphony.get("GetSchedules/Admin/DEMO").status_code == 200
    with clock.moved_to(clock.now() + timedelta(minutes=31)):
        assert symphony.get("GetSchedules/Admin/DEMO").status_code == 401


def test_the_address_must_name_the_tokens_user_and_organization(client: TestClient, symphony: Symphony) -> None:
    assert symphony.get("GetSchedules/Sarah/DEMO").status_code == 403
    other = symphony.get("GetSchedules/Admin/OTHER")
    assert other.status_code == 403 and "DEMO" in other.json()
    # Names compare without regard to case; empty segments mean the token's own.
    assert symphony.get("GetSchedules/admin/demo").status_code == 200
    assert symphony.get("GetSchedules//DEMO").status_code == 200
    assert symphony.get("GetSchedules/Admin/").status_code == 200
    assert symphony.get("GetSchedules/Admin").status_code == 200


def test_a_user_name_with_a_space_arrives_url_encoded(client: TestClient) -> None:
    token = login(client, "api spec", "api-spec-password", "")
    response = client.get(f"{DATA}/GetExportableTypes/api%20spec/", headers={"AuthenticationToken": token})
    assert response.status_code == 200
    assert client.get(f"{DATA}/GetExportableTypes/API%20Spec/DEMO",
                      headers={"AuthenticationToken": token}).status_code == 200


def _last_code(settings: Settings) -> str:
    message = mail.outbox(settings.mail())[-1]
    assert message.to == "maria.keller@demo-hospitality.example"
    found = re.search(r"\b(\d{6})\b", message.body())
    assert found, message.body
    return found.group(1)


MARIA = {"orgCode": "DEMO", "password": "maria-password", "userName": "Maria"}


def test_s3_s4_one_time_codes_by_mail_and_the_multi_factor_rule(client: TestClient, settings: Settings) -> None:
    # Maria is marked for multi-factor authentication: no token from her password alone.
    refused = _post(client, "GetUserAuthenticationToken", MARIA)
    assert refused.status_code == 401 and "one-time code" in refused.json()
    sent = _post(client, "GenerateOneTimeCode", MARIA)
    assert sent.status_code == 200 and isinstance(sent.json(), str)
    code = _last_code(settings)
    assert code not in sent.text  # the code goes only to the mailbox
    # ValidateToken checks the code in the OneTimeCode header without using it up.
    assert _post(client, "ValidateToken", MARIA, OneTimeCode="000000" if code != "000000" else "111111").json() is False
    assert _post(client, "ValidateToken", MARIA, OneTimeCode=code).json() is True
    assert _post(client, "ValidateToken", MARIA).json() is False
    assert _post(client, "ValidateToken", {**MARIA, "password": "wrong"}, OneTimeCode=code).json() is False
    token = login(client, "Maria", "maria-password", "DEMO", OneTimeCode=code)
    assert client.get(f"{DATA}/GetEmployeeLanguageId/Maria/DEMO",
                      headers={"AuthenticationToken": token}).json() == 2
    # Single use: the same code does not unlock a second token.
    again = _post(client, "GetUserAuthenticationToken", MARIA, OneTimeCode=code)
    assert again.status_code == 401
    assert _post(client, "ValidateToken", MARIA, OneTimeCode=code).json() is False


def test_one_time_codes_expire_and_die_after_wrong_tries(client: TestClient, settings: Settings) -> None:
    _post(client, "GenerateOneTimeCode", MARIA)
    code = _last_code(settings)
    with clock.moved_to(clock.now() + timedelta(minutes=11)):
        assert _post(client, "ValidateToken", MARIA, OneTimeCode=code).json() is False
    _post(client, "GenerateOneTimeCode", MARIA)
    code = _last_code(settings)
    wrong = "123456" if code != "123456" else "654321"
    for _ in range(5):
        assert _post(client, "GetUserAuthenticationToken", MARIA, OTP=wrong).status_code == 401
    assert _post(client, "GetUserAuthenticationToken", MARIA, OTP=code).status_code == 401


def test_codes_need_the_right_password_and_an_address(client: TestClient) -> None:
    assert _post(client, "GenerateOneTimeCode", {**MARIA, "password": "nope"}).status_code == 401
    no_address = _post(client, "GenerateOneTimeCode", {"orgCode": "DEMO", "password": "password",
                                                        "userName": "Admin"})
    assert no_address.status_code == 401 and "e-mail" in no_address.json()
