"""Documents over Galaxy's URLs: the tree of a record (E55), download (E56), upload and delete."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from backoffice.app import create_app
from backoffice.core.store import Database
from backoffice.settings import Settings

COMPANY = "9ca0b73e-f6e6-46c9-a554-0c8752730ffc"


@pytest.fixture
def share(settings: Settings, tmp_path: Path) -> Path:
    root = tmp_path / "share"
    root.mkdir()
    settings.config_dir.mkdir(parents=True, exist_ok=True)
    (settings.config_dir / "DocumentProviders.xml").write_text(
        f'<DocumentProviders><Provider Kind="NetworkShare"><Setup Name="Share1" Path="{root}"/></Provider>'
        "</DocumentProviders>", encoding="utf-8")
    return root


@pytest.fixture
def galaxy(share: Path, settings: Settings, db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(settings, db=db)) as client:
        assert client.get("/auth", params={"username": "Admin", "password": "password"}).status_code == 200
        yield client


def test_upload_list_download_and_delete(galaxy: TestClient, share: Path) -> None:
    pdf = b"%PDF-1.4 a quotation"
    uploaded = galaxy.post(f"/api/glx/documents/{COMPANY}?provider=NetworkShare&setup=Share1&folder=pcl"
                           f"&fileName=file1.pdf", content=pdf, headers={"Content-Type": "application/pdf"})
    assert uploaded.status_code == 200, uploaded.text
    node = uploaded.json()
    assert node["Kind"] == 2 and node["Size"] == len(pdf) and node["RelativeID"] == COMPANY
    assert node["FileName"] == f"/Entities/{COMPANY}/pcl/file1.pdf"
    assert node["Uri"] == f"/api/glx/documents/DownloadFile/{node['ID']}"
    assert (share / "Entities" / COMPANY / "pcl" / "file1.pdf").read_bytes() == pdf

    tree = galaxy.get(f"/api/glx/documents/{COMPANY}").json()
    keys = ["Files", "ID", "ParentID", "RelativeID", "Description", "Kind", "Size", "Revision", "RevisionID",
            "FileName", "LinkID", "OwnerID", "Name", "Uri"]
    assert all(list(n) == keys for n in tree)
    folder = next(n for n in tree if n["Files"])
    assert folder["Kind"] == 102 and folder["Files"][0]["ID"] == node["ID"]
    assert tree[0]["ParentID"] is None and all(n["RelativeID"] == COMPANY for n in tree)

    only_db = galaxy.get(f"/api/glx/documents/{COMPANY}?provider=db").json()
    assert all(n["Files"] == [] for n in only_db)
    ignored = galaxy.get(f"/api/glx/documents/{COMPANY}?provider=nonsense").json()
    assert len(ignored) == len(tree)  # a wrong provider is ignored, as the document says

    download = galaxy.get(node["Uri"])
    assert download.status_code == 200 and download.content == pdf
    assert "attachment" in download.headers["content-disposition"]

    assert galaxy.delete(f"/api/glx/documents/{node['ID']}").status_code == 200
    assert galaxy.get(node["Uri"]).status_code == 404


def test_database_provider_and_refusals(galaxy: TestClient) -> None:
    stored = galaxy.post(f"/api/glx/documents/{COMPANY}?provider=db&fileName=notes.txt", content=b"hello")
    assert stored.status_code == 200, stored.text
    assert galaxy.get(stored.json()["Uri"]).content == b"hello"
    for query, status in (("provider=sharepoint&fileName=a.txt", 404), ("provider=db&fileName=../x.txt", 400),
                          ("provider=db", 400)):
        answer = galaxy.post(f"/api/glx/documents/{COMPANY}?{query}", content=b"x")
        assert answer.status_code == status, (query, answer.text)
        assert answer.json()["ErrorCode"]
