"""Speaking to the Synergist API as its clients do: GET with a query string, JSON or XML back."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree
from starlette.testclient import TestClient

ADMIN = {"user": "Admin", "password": "password", "version": "3"}


class Synergist:
    def __init__(self, client: TestClient) -> None:
        self.client = client

    def get(self, module: str, fmt: str = "json", api: str | None = None, **params: Any) -> Any:
        api = api or {"json": "jsonapi", "xml": "xmlapi", "csv": "csvapi"}[fmt]
        query = {**ADMIN, **params}
        return self.client.get(f"/{api}/{module}.{fmt}", params={k: v for k, v in query.items() if v is not None})

    def json(self, module: str, **params: Any) -> dict[str, Any]:
        response = self.get(module, "json", **params)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert body["success"] is True and body["errorcode"] == 0
        return body

    def xml(self, module: str, **params: Any) -> etree._Element:
        response = self.get(module, "xml", **params)
        assert response.status_code == 200, response.text
        return etree.fromstring(response.content)

    def json_error(self, module: str, **params: Any) -> tuple[int, str]:
        response = self.get(module, "json", **params)
        assert response.status_code == 404, response.text
        body = response.json()
        assert body["success"] is False and body["responsestatus"] == "ERROR"
        return body["errorcode"], body["errormessage"]

    def xml_error(self, module: str, **params: Any) -> tuple[int, str]:
        response = self.get(module, "xml", **params)
        assert response.status_code == 404, response.text
        return xml_error(response.content)


def xml_error(content: bytes) -> tuple[int, str]:
    root = etree.fromstring(content)
    assert root.tag == "Responses"
    error = root.find("Error")
    assert error is not None
    return int(error.get("ErrorID") or 0), error.findtext("ErrorText") or ""


@pytest.fixture
def syn(client: TestClient) -> Synergist:
    return Synergist(client)
