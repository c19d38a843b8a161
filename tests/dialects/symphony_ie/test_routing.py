"""Addresses as WCF webHttp routes them and as real clients write them, help pages, and the errors
WCF's dispatcher gives (document section 1; the public client's quirks)."""

from __future__ import annotations

from starlette.testclient import TestClient

from .conftest import DATA, DOWNLOAD, SECURITY, TYPE_PREFIX, Symphony


def test_help_pages_list_every_operation_of_their_service(client: TestClient) -> None:
    for base, expected in ((SECURITY, 4), (DATA, 18), (DOWNLOAD, 4)):
        for page in ("help", "Help"):
            response = client.get(f"{base}/{page}")
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/html")
            assert response.text.count("<tr") - 1 == expected, (base, page)
    data_help = client.get(f"{DATA}/help").text
    assert "/GetRequests/{days}/{userName}/{*orgCode}" in data_help
    assert "Returns all schedules available in this organization." in data_help
    assert "http://testserver/ImportExportAPI/DataService.svc/web" in data_help


def test_operation_and_service_names_match_in_any_case(client: TestClient, symphony: Symphony) -> None:
    # The public client writes /getschedules/ and GETFILEDATA; the document GetSnapShotBeforeImport.
    assert symphony.get("getschedules/Admin/DEMO").status_code == 200
    assert client.get("/importexportapi/dataservice.svc/WEB/GETBUILDVERSION",
                      headers=symphony.headers).status_code == 200


def test_empty_segments_and_a_doubled_slash_after_web(client: TestClient, symphony: Symphony) -> None:
    assert symphony.get("/GetSchedules/Admin/DEMO").status_code == 200  # .../web//GetSchedules/...
    assert symphony.get("/getschedules/").status_code == 200
    # GetRequests//7/user/ORG: the empty segment before the days is skipped.
    assert symphony.get("GetRequests//7/Admin/DEMO").status_code == 200
    assert symphony.get("GetRequests/7/Admin/DEMO").status_code == 200


def test_the_catch_all_org_code_takes_the_rest_of_the_address(symphony: Symphony) -> None:
    # {*orgCode} is everything after the user name, so DEMO/extra is not DEMO.
    assert symphony.get("GetSchedules/Admin/DEMO/extra").status_code == 403
    names = symphony.ok(symphony.get(f"GetPropertiesForType/{TYPE_PREFIX}MajorGroup/Admin/"))
    assert names == ["Id", "ObjectNumber", "HierarchyId", "Name", "ReportGroup"]


def test_unknown_addresses_wrong_verbs_and_extra_segments(client: TestClient, symphony: Symphony) -> None:
    unknown = symphony.get("GetEverything/Admin/DEMO")
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith("text/html")
    assert "Endpoint not found" in unknown.text
    assert client.get("/ImportExportAPI/NoService.svc/web/help").status_code == 404
    assert client.get("/ImportExportAPI/DataService.svc/soap/help").status_code == 404
    # The public client saw 405 for UpdateScheduleStatus by GET, and 400 for GetServerTimeWithZone/api spec/.
    assert symphony.get("UpdateScheduleStatus").status_code == 405
    assert symphony.get("GetServerTimeWithZone/api spec/").status_code == 400
    assert symphony.post("GetSchedules/Admin/DEMO", {}).status_code == 405


def test_malformed_bodies_get_a_request_error_page_never_a_stack_trace(client: TestClient,
                                                                       symphony: Symphony) -> None:
    for body in (b"{not json", b"[1,2]", b'"just a string"', b'{"SelectedOperation": "Export"}',
                 b'{"HierStrucId": 1.5}', b'{"HierStrucId": 99999999999999999999}', b'{"Level": true}',
                 b'{"DataSince": "yesterday"}', b'{"SortExpressions": [{"m_Item2": "asc"}]}',
                 b'{"DataForImport": [1, 256]}', b'{"DataForImport": "QmFzZQ=="}',
                 b'{"SelectedObjectMembers": "Id"}'):
        response = client.post(f"{DATA}/SubmitImportExportRequest", content=body,
                               headers={**symphony.headers, "Content-Type": "application/json"})
        assert response.status_code == 400, (body, response.text)
        assert response.headers["content-type"].startswith("text/html")
        assert "Request Error" in response.text and "Traceback" not in response.text


def test_oversized_bodies_are_refused(client: TestClient, symphony: Symphony) -> None:
    big = b'"' + b"x" * (11 * 1024 * 1024) + b'"'
    response = client.post(f"{SECURITY}/SignOffToken", content=big, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
