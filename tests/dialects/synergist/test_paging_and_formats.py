"""Paging (in SQL) at its edges, in both forms and CSV; routing spellings; POST; sizes; characters."""

from __future__ import annotations

import csv
import io

import pytest
from lxml import etree

from backoffice.core import records
from backoffice.core.auth import Principal
from backoffice.core.auth import service as auth
from backoffice.core.store import Database

from .conftest import ADMIN, Synergist


def _total(syn: Synergist) -> int:
    total: int = syn.json("clients")["totalrows"]
    return total


def test_last_page_and_past_the_end_json(syn: Synergist) -> None:
    total = _total(syn)
    rows = 3
    pages = -(-total // rows)
    last = syn.json("clients", rows=str(rows), page=str(pages - 1))
    assert len(last["data"]) == total - rows * (pages - 1)
    assert (last["totalrows"], last["totalpages"], last["pagenumber"]) == (total, pages, pages)
    past = syn.json("clients", rows=str(rows), page=str(pages + 5))
    assert past["data"] == [] and past["totalrows"] == total and past["totalpages"] == pages
    assert past["pagenumber"] == pages + 6
    # Pages put together are the whole list, each row once, in order.
    codes = [r["clientCode"] for p in range(pages) for r in syn.json("clients", rows=str(rows), page=str(p))["data"]]
    assert codes == [r["clientCode"] for r in syn.json("clients", rows="0")["data"]] and len(set(codes)) == total


def test_last_page_and_past_the_end_xml(syn: Synergist) -> None:
    total = _total(syn)
    last = syn.xml("clients", rows="5", page=str(-(-total // 5) - 1))
    assert last.get("MorePages") == "False" and len(last.findall("Client")) == total - 5 * (-(-total // 5) - 1)
    past = syn.xml("clients", rows="5", page="99")
    assert past.tag == "Clients" and past.findall("Client") == []
    assert (past.get("TotalRows"), past.get("TotalPages"), past.get("MorePages")) == (
        str(total), str(-(-total // 5)), "False")


def test_rows_zero_is_every_row(syn: Synergist) -> None:
    total = _total(syn)
    body = syn.json("clients", rows="0")
    assert len(body["data"]) == total and body["totalpages"] == 1 and body["pagerows"] == 0
    root = syn.xml("clients", rows="0")
    assert len(root.findall("Client")) == total and root.get("TotalPages") == "1" and root.get("MorePages") == "False"
    # With every row on page 0, page 1 is past the end.
    later = syn.json("clients", rows="0", page="1")
    assert later["data"] == [] and later["totalrows"] == total
    # No rows at all: no pages.
    none = syn.json("clients", search="no such client anywhere")
    assert (none["totalrows"], none["totalpages"], none["data"]) == (0, 0, [])


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_page_and_rows(syn: Synergist, fmt: str) -> None:
    fail = syn.json_error if fmt == "json" else syn.xml_error
    assert fail("clients", page="-1") == (404501, "invalid page -1")
    assert fail("clients", rows="ten") == (404501, "invalid rows ten")
    assert fail("clients", rows="99999999999") == (404501, "invalid rows 99999999999")
    assert fail("clients", page="1.5") == (404501, "invalid page 1.5")


def test_huge_page_is_past_the_end(syn: Synergist) -> None:
    body = syn.json("clients", rows="1000", page="2147483647")
    assert body["data"] == [] and body["totalrows"] == _total(syn)


def test_csv_list(syn: Synergist) -> None:
    response = syn.get("clients", "csv", rows="2", page="0")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0][:6] == ["clientUuid", "clientTimeStampModified", "clientRecordVersionNumber",
                            "clientCustomField323", "clientCode", "clientName"]
    assert len(table) == 3
    # CSV is for lists only; its errors come as XML.
    single = syn.get("system", "csv", action="version")
    assert single.status_code == 404 and b'ErrorID="404511"' in single.content


def test_paths_in_any_case_and_jsonapi_xml(syn: Synergist) -> None:
    query = "user=Admin&password=password&version=3&action=version"
    assert syn.client.get(f"/jsonAPI/System.JSON?{query}").json()["success"] is True
    as_xml = syn.client.get(f"/jsonapi/system.xml?{query}")
    assert as_xml.status_code == 200 and etree.fromstring(as_xml.content).tag == "Systems"
    assert syn.client.get(f"/XMLAPI/system.xml?{query}").status_code == 200
    # Parameter names in any case.
    assert syn.client.get("/jsonapi/system.json?USER=Admin&Password=password&Version=3&ACTION=version"
                          ).status_code == 200


def test_post_form(syn: Synergist) -> None:
    response = syn.client.post("/jsonapi/system.json", data={**ADMIN, "action": "version", "version": "3.9"})
    assert response.json()["data"][0]["variable_apiversion"] == "3.9"
    # The form's parameters join the query string's.
    mixed = syn.client.post("/xmlapi/system.xml?action=version", data=ADMIN)
    assert mixed.status_code == 200
    other = syn.client.post("/jsonapi/system.json", content=b"{}", headers={"content-type": "application/json"})
    assert other.status_code == 404 and other.json()["errorcode"] == 404004


def test_other_methods_are_not_recognised(syn: Synergist) -> None:
    response = syn.client.put("/jsonapi/system.json?user=Admin&password=password&version=3&action=version")
    assert response.status_code == 404 and response.json()["errorcode"] == 404004


def test_size_limits(client, settings) -> None:  # type: ignore[no-untyped-def]
    from starlette.testclient import TestClient

    from backoffice.app import create_app

    small = create_app(settings.__class__(**{**settings.__dict__, "max_body_bytes": 200}))
    with TestClient(small) as c:
        big = c.get("/jsonapi/system.json", params={**ADMIN, "action": "version", "pad": "x" * 300})
        assert big.status_code == 404 and big.json()["errorcode"] == 404008
        body = c.post("/xmlapi/system.xml", data={**ADMIN, "action": "version", "pad": "x" * 300})
        assert body.status_code == 404 and b'ErrorID="404008"' in body.content


SPECIAL = "Ampersand & <angle> \"quote\" 'apostrophe' Ελληνικά 🚀"


def test_special_characters_survive(syn: Synergist, db: Database) -> None:
    with db.write() as conn:
        admin = auth.find_staff(conn, "Admin")
        actor = Principal(kind="staff", staff_id=admin.staff_id, username="Admin")
        records.create(conn, actor, "Debtor", {"account_no": "SPECIAL1", "name": SPECIAL, "phone": "\x0b1"})
    body = syn.json("clients", client="1/SPECIAL1")
    assert body["data"][0]["clientName"] == SPECIAL and body["data"][0]["clientPhone"] == "\x0b1"
    response = syn.get("clients", "xml", client="1/SPECIAL1")
    root = etree.fromstring(response.content)
    assert root.findtext("Client/clientName") == SPECIAL
    # A character XML cannot carry is written as "?" rather than breaking the document.
    assert root.findtext("Client/clientPhone") == "?1"
    table = list(csv.reader(io.StringIO(syn.get("clients", "csv", client="1/SPECIAL1").text)))
    assert table[1][table[0].index("clientName")] == SPECIAL
    # Searching with them works too.
    assert syn.json("clients", search="<angle> \"quote\"")["totalrows"] == 1
    assert syn.xml_error("clients", client="1/" + SPECIAL) == (404503, f"client 1/{SPECIAL} not found")
