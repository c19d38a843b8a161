"""Speaking to the Symphony Import/Export API the way its public sample client does: JSON bodies,
a token from the security service in the AuthenticationToken header, positional addresses."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

SECURITY = "/ImportExportAPI/SecurityService.svc/web"
DATA = "/ImportExportAPI/DataService.svc/web"
DOWNLOAD = "/ImportExportAPI/DownloadService.svc/web"
TYPE_PREFIX = "com.oracle.pos.fb.simphony.ObjectModel.ImpExpObjects."


def login(client: TestClient, user: str = "Admin", password: str = "password", org: str = "DEMO",
          **headers: str) -> str:
    response = client.post(f"{SECURITY}/GetUserAuthenticationToken",
                           json={"orgCode": org, "password": password, "userName": user}, headers=headers)
    assert response.status_code == 200, response.text
    token = response.json()
    assert isinstance(token, str) and len(token) > 5 and "error" not in token.lower()
    return token


class Symphony:
    """A logged-in client: ``get``/``post`` add the token; paths are relative to the DataService."""

    def __init__(self, client: TestClient, token: str, user: str = "Admin", org: str = "DEMO") -> None:
        self.client = client
        self.token = token
        self.user = user
        self.org = org

    @property
    def headers(self) -> dict[str, str]:
        return {"AuthenticationToken": self.token}

    def get(self, path: str, base: str = DATA, **kw: Any) -> Any:
        return self.client.get(f"{base}/{path}", headers=self.headers, **kw)

    def post(self, path: str, body: Any, base: str = DATA, **kw: Any) -> Any:
        return self.client.post(f"{base}/{path}", json=body, headers=self.headers, **kw)

    def ok(self, response: Any) -> Any:
        assert response.status_code == 200, (response.status_code, response.text[:500])
        return response.json()


@pytest.fixture
def symphony(client: TestClient) -> Symphony:
    return Symphony(client, login(client))
