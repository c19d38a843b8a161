"""The download service over HTTP (S23-S26): a real zip of the EMC client files, the manifest, the
binaries by download type (a JSON byte array, as the document shows), the self-update version."""

from __future__ import annotations

import io
import zipfile

import pytest

from backoffice.demo.sample_downloads import install_demo_downloads
from backoffice.settings import Settings

from .conftest import DOWNLOAD, Symphony


@pytest.fixture(autouse=True)
def _files(settings: Settings) -> None:
    install_demo_downloads(settings.downloads_dir)


def test_s23_a_zip_of_the_requested_emc_files(symphony: Symphony, settings: Settings) -> None:
    response = symphony.client.post(f"{DOWNLOAD}/GetZipEMCClientFiles/Admin/DEMO", headers=symphony.headers)
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    everything = zipfile.ZipFile(io.BytesIO(response.content))
    assert everything.testzip() is None
    names = everything.namelist()
    assert "EMC.exe.config" in names and "lib/emc-demo.bin" in names
    assert everything.read("lib/emc-demo.bin") == (settings.downloads_dir / "EMC/lib/emc-demo.bin").read_bytes()
    chosen = symphony.post("GetZipEMCClientFiles/Admin/DEMO", ["EMC.exe.config"], base=DOWNLOAD)
    assert zipfile.ZipFile(io.BytesIO(chosen.content)).namelist() == ["EMC.exe.config"]


@pytest.mark.parametrize("names, status", [(["nothing.dll"], 404), (["../../etc/passwd"], 400),
                                           (["/etc/passwd"], 400), (["lib\\emc-demo.bin"], 400), ({"a": 1}, 400)])
def test_s23_unknown_or_hostile_names(symphony: Symphony, names: object, status: int) -> None:
    response = symphony.post("GetZipEMCClientFiles/Admin/DEMO", names, base=DOWNLOAD)
    assert response.status_code == status
    assert "root:" not in response.text


def test_s24_manifest_s25_binaries_s26_version(symphony: Symphony, settings: Settings) -> None:
    manifest = symphony.get("GetEMCManifest/Admin/DEMO", base=DOWNLOAD)
    assert manifest.status_code == 200
    assert manifest.content == (settings.downloads_dir / "EMC/manifest.xml").read_bytes()
    for kind, folder in (("CALWin", "CALWin"), ("calandroid", "CALAndroid"), ("EMC", "EMC")):
        answer = symphony.get(f"GetBinaries/Admin/{kind}/DEMO", base=DOWNLOAD)
        assert answer.status_code == 200 and answer.text.startswith("[")
        expected = next((settings.downloads_dir / "binaries" / folder).iterdir()).read_bytes()
        assert bytes(answer.json()) == expected
    assert symphony.get("GetBinaries/Admin/Pager/DEMO", base=DOWNLOAD).status_code == 404
    version = symphony.get("GetSelfUpdateVersion/Admin/DEMO", base=DOWNLOAD)
    assert version.status_code == 200
    assert version.content == (settings.downloads_dir / "version.txt").read_bytes().strip()


def test_downloads_need_the_token_too(symphony: Symphony) -> None:
    assert symphony.client.get(f"{DOWNLOAD}/GetEMCManifest/Admin/DEMO").status_code == 401
    assert symphony.get("GetEMCManifest/Sarah/DEMO", base=DOWNLOAD).status_code == 403
