"""Every example and error of the vendor's v3.0 overview, in JSON and in XML."""

from __future__ import annotations

import pytest
from lxml import etree

from .conftest import Synergist, xml_error

GENERAL_ERRORS = {404001: "no credentials supplied", 404002: "invalid credentials supplied",
                  404003: "account disabled", 404004: "request not recognised"}


def test_new_session_example_json(syn: Synergist) -> None:
    # GET /jsonapi/users.json?user=user&password=user&action=newsession&version=3
    body = syn.json("users", action="newsession")
    assert list(body) == ["responsecode", "responsestatus", "errorcode", "errormessage", "responsemessage",
                          "warningmessage", "success", "data"]
    session = body["data"][0]["session"]
    assert len(session) == 20
    # The session stands in for user and password.
    used = syn.client.get("/jsonapi/system.json", params={"session": session, "action": "version", "version": "3"})
    assert used.status_code == 200 and used.json()["success"] is True


def test_new_session_example_xml(syn: Synergist) -> None:
    root = syn.xml("users", action="newsession")
    assert root.tag == "Sessions"
    session = root.findtext("Session/session")
    assert session and len(session) == 20
    used = syn.client.get("/xmlapi/system.xml", params={"session": session, "action": "version", "version": "3"})
    assert used.status_code == 200 and etree.fromstring(used.content).tag == "Systems"


def test_system_version_example_json(syn: Synergist) -> None:
    # GET /jsonapi/system.json?user=user&password=user&action=version&version=3
    body = syn.json("system", action="version")
    assert body["responsecode"] == 1 and body["responsestatus"] == "OK" and body["errormessage"] == ""
    assert "totalrows" not in body  # a single answer has no paging keys
    row = body["data"][0]
    assert list(row) == ["uuid", "systemparameters_versionno", "systemparameters_versionrevision",
                         "variable_apiversion"]
    assert len(row["uuid"]) == 32 and row["uuid"] == row["uuid"].upper()
    assert isinstance(row["systemparameters_versionno"], float) and row["variable_apiversion"] == "3"


def test_system_version_example_xml(syn: Synergist) -> None:
    root = syn.xml("system", action="version", version="3.1")
    system = root.find("System")
    assert system is not None and len(system.get("uuid") or "") == 32
    assert system.findtext("variable_apiversion") == "3.1"
    assert root.get("TotalRows") is None


def test_xml_list_root_attributes(syn: Synergist) -> None:
    """TotalRows: all rows whatever the page; TotalPages from rows; MorePages True/False."""
    root = syn.xml("clients", rows="3", page="0")
    total = int(root.get("TotalRows") or 0)
    assert total >= 8 and root.get("TotalPages") == str(-(-total // 3)) and root.get("MorePages") == "True"
    assert len(root.findall("Client")) == 3
    last = syn.xml("clients", rows="3", page=str(-(-total // 3) - 1))
    assert last.get("MorePages") == "False" and last.get("TotalRows") == str(total)


def test_json_list_attributes(syn: Synergist) -> None:
    body = syn.json("clients", rows="2", page="1")
    keys = list(body)
    assert keys == ["responsecode", "responsestatus", "errorcode", "errormessage", "totalrows", "totalpages",
                    "responsemessage", "pagerows", "pagenumber", "warningmessage", "success", "data"]
    assert body["pagerows"] == 2 and body["pagenumber"] == 2 and len(body["data"]) == 2
    assert body["totalpages"] == -(-body["totalrows"] // 2)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_invalid_action_example(syn: Synergist, fmt: str) -> None:
    # The document's own error: <Error ErrorID="404500"><ErrorText>invalid action companylist</ErrorText>
    response = syn.get("companies", fmt, action="companylist")
    assert response.status_code == 404
    if fmt == "xml":
        root = etree.fromstring(response.content)
        assert etree.tostring(root) == (b'<Responses><Error ErrorID="404500"><ErrorText>invalid action companylist'
                                        b'</ErrorText></Error></Responses>')
    else:
        body = response.json()
        assert body == {"responsecode": 0, "responsestatus": "ERROR", "errorcode": 404500,
                        "errormessage": "invalid action companylist", "responsemessage": "", "warningmessage": "",
                        "success": False, "data": []}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_no_credentials(syn: Synergist, fmt: str) -> None:
    for params in ({"user": None, "password": None}, {"password": None}, {"user": None}, {"user": ""}):
        error = (syn.json_error if fmt == "json" else syn.xml_error)("system", action="version", **params)
        assert error == (404001, GENERAL_ERRORS[404001]), params


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_invalid_credentials(syn: Synergist, fmt: str) -> None:
    fail = syn.json_error if fmt == "json" else syn.xml_error
    assert fail("system", action="version", password="wrong") == (404002, GENERAL_ERRORS[404002])
    assert fail("system", action="version", user="Nobody") == (404002, GENERAL_ERRORS[404002])
    assert fail("system", action="version", user=None, password=None, session="x" * 20) == (
        404002, GENERAL_ERRORS[404002])


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_account_disabled(syn: Synergist, db, fmt: str) -> None:  # type: ignore[no-untyped-def]
    from backoffice.core.auth import service

    with db.write() as conn:
        service.set_enabled(conn, "Sarah", False)
    fail = syn.json_error if fmt == "json" else syn.xml_error
    assert fail("system", action="version", user="Sarah", password="sarah-password") == (
        404003, GENERAL_ERRORS[404003])
    # Only right credentials learn that the account is disabled.
    assert fail("system", action="version", user="Sarah", password="wrong") == (404002, GENERAL_ERRORS[404002])


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_request_not_recognised(syn: Synergist, fmt: str) -> None:
    other = "xml" if fmt == "json" else "json"
    for path in (f"/{fmt}api/nosuchmodule.{fmt}", f"/{fmt}api/system.{fmt}/extra", f"/{fmt}api/.{fmt}",
                 f"/{fmt}api/system.txt"):
        response = syn.client.get(path, params={"user": "Admin", "password": "password", "version": "3",
                                                "action": "version"})
        assert response.status_code == 404, path
        # An unrecognised path is answered in its extension's format, else its api prefix's.
        if response.headers["content-type"].startswith("application/json"):
            assert fmt == "json", path
            assert (response.json()["errorcode"], response.json()["errormessage"]) == (
                404004, GENERAL_ERRORS[404004])
        else:
            assert fmt == "xml", path
            assert xml_error(response.content) == (404004, GENERAL_ERRORS[404004]), path
    # The api prefix and the extension must agree (only /jsonapi/ also answers .xml).
    mismatched = syn.client.get("/xmlapi/system.json?user=Admin&password=password&version=3&action=version")
    assert mismatched.status_code == 404 and mismatched.json()["errorcode"] == 404004
    assert syn.get("system", other, api="csvapi", action="version").status_code == 404


@pytest.mark.parametrize("url", [
    "/jsonapi/users.json?user=user&password=user&action=newsession&version=3",
    "/jsonapi/system.json?user=user&password=user&action=version&version=3",
])
def test_the_documents_urls_work_as_written(syn: Synergist, url: str) -> None:
    # The demo has the document's own login (user / user), confined to the Synergist API.
    response = syn.client.get(url)
    assert response.status_code == 200, response.text
    assert response.json()["success"] is True and response.json()["data"]
    # That login opens nothing else.
    assert syn.client.get("/Debtors/0000000061000000001V", params={"format": "json"},
                          auth=("user", "user")).status_code in (401, 403)
