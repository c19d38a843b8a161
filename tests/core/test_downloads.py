"""The Download Service's files: EMC zip and manifest, binaries per download type, the self-update version,
path traversal refused, and the demo's sample files."""

from __future__ import annotations

import hashlib
import io
import os
import threading
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from backoffice.core import errors
from backoffice.core.downloads import Downloads, DownloadsMisconfigured, DownloadTooLarge, check_name
from backoffice.demo.sample_downloads import install_demo_downloads
from backoffice.settings import Settings

DEMO = Path(__file__).resolve().parents[2] / "backoffice" / "demo" / "downloads"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A downloads directory with three EMC files (one in a sub-folder), litter, and two binaries."""
    base = tmp_path / "downloads"
    (base / "EMC" / "lib").mkdir(parents=True)
    (base / "EMC" / "EMC.exe").write_bytes(b"MZ" + bytes(range(256)) * 4)
    (base / "EMC" / "Readme.txt").write_text("read me\n")
    (base / "EMC" / "lib" / "core.dll").write_bytes(b"\x00\x01dll")
    (base / "EMC" / ".DS_Store").write_bytes(b"litter")
    (base / "EMC" / ".git").mkdir()
    (base / "EMC" / ".git" / "HEAD").write_text("ref")
    (base / "binaries" / "CALWin").mkdir(parents=True)
    (base / "binaries" / "CALWin" / "CalSetup.exe").write_bytes(b"cal windows")
    (base / "binaries" / "CALWin" / ".hidden").write_bytes(b"ignored")
    (base / "binaries" / "CALAndroid").mkdir()
    (base / "binaries" / "CALAndroid" / "cal.apk").write_bytes(b"cal android")
    (base / "version.txt").write_bytes(b"\xef\xbb\xbf 19.6.0.1 \r\n")
    (tmp_path / "secret.txt").write_text("outside")
    return base


def _unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


# ---------------------------------------------------------------------------------------------------------------------
# EMC zip


@pytest.mark.parametrize("names", [None, []])
def test_zip_of_all_emc_files_leaves_out_litter_and_the_manifest(root: Path, names: list[str] | None) -> None:
    (root / "EMC" / "manifest.xml").write_text("<EMCManifest/>")
    files = _unzip(Downloads(root).zip_emc_files(names))
    assert files == {"EMC.exe": (root / "EMC" / "EMC.exe").read_bytes(), "Readme.txt": b"read me\n",
                     "lib/core.dll": b"\x00\x01dll"}


def test_zip_of_named_files_in_the_order_asked_once_each(root: Path) -> None:
    data = Downloads(root).zip_emc_files(["lib/core.dll", "Readme.txt", "lib/core.dll"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["lib/core.dll", "Readme.txt"]
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in archive.infolist())


def test_names_match_case_insensitively_when_unambiguous(root: Path) -> None:
    assert list(_unzip(Downloads(root).zip_emc_files(["readme.TXT", "LIB/Core.dll"]))) == ["Readme.txt",
                                                                                            "lib/core.dll"]
    (root / "EMC" / "README.TXT").write_text("another")
    assert _unzip(Downloads(root).zip_emc_files(["README.TXT"])) == {"README.TXT": b"another"}
    with pytest.raises(errors.NotFound):
        Downloads(root).zip_emc_files(["readme.txt"])


def test_an_unknown_name_is_not_found(root: Path) -> None:
    with pytest.raises(errors.NotFound, match="'nope.txt'"):
        Downloads(root).zip_emc_files(["Readme.txt", "nope.txt"])
    with pytest.raises(errors.NotFound):
        Downloads(root).zip_emc_files([".DS_Store"])
    with pytest.raises(errors.NotFound):
        Downloads(root).zip_emc_files(["lib"])


@pytest.mark.parametrize("name", [
    "../secret.txt", "../../etc/passwd", "lib/../../secret.txt", "lib/..", "..", ".", "./Readme.txt",
    "/etc/passwd", "C:/Windows/win.ini", "c:secret.txt", "..\\secret.txt", "lib\\core.dll", "Readme.txt\x00.png",
    "lib//core.dll", "lib/", "", 5, None,
])
def test_path_traversal_and_odd_names_are_invalid(root: Path, name: object) -> None:
    with pytest.raises(errors.Invalid):
        Downloads(root).zip_emc_files(["Readme.txt", name])  # type: ignore[list-item]


def test_a_link_out_of_the_emc_folder_is_never_served(root: Path) -> None:
    (root / "EMC" / "escape.txt").symlink_to(root.parent / "secret.txt")
    (root / "EMC" / "outside").symlink_to(root.parent, target_is_directory=True)
    (root / "EMC" / "inside.txt").symlink_to(root / "EMC" / "Readme.txt")
    downloads = Downloads(root)
    assert [file.name for file in downloads.emc_files()] == ["EMC.exe", "Readme.txt", "inside.txt", "lib/core.dll"]
    for name in ("escape.txt", "outside/secret.txt"):
        with pytest.raises(errors.NotFound):
            downloads.zip_emc_files([name])
    assert b"outside" not in downloads.zip_emc_files(None)


def test_no_emc_folder_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(errors.NotFound):
        Downloads(tmp_path).zip_emc_files(None)
    with pytest.raises(errors.NotFound):
        Downloads(tmp_path).emc_manifest()


def test_the_streamed_zip_is_the_same_zip_in_bounded_pieces(root: Path) -> None:
    big = os.urandom(3 << 20)
    (root / "EMC" / "big.bin").write_bytes(big)
    pieces = list(Downloads(root).stream_emc_zip(None))
    assert len(pieces) > 3
    assert max(len(piece) for piece in pieces) < 2 << 20
    files = _unzip(b"".join(pieces))
    assert files["big.bin"] == big and files["Readme.txt"] == b"read me\n"


def test_the_streamed_zip_checks_names_before_the_first_byte(root: Path) -> None:
    with pytest.raises(errors.Invalid):
        Downloads(root).stream_emc_zip(["../secret.txt"])


def test_an_in_memory_zip_over_the_limit_is_refused(root: Path) -> None:
    with pytest.raises(DownloadTooLarge):
        Downloads(root, max_in_memory_bytes=100).zip_emc_files(None)
    assert _unzip(Downloads(root, max_in_memory_bytes=100).zip_emc_files(["Readme.txt"])) == {"Readme.txt":
                                                                                            b"read me\n"}


def test_check_name_returns_a_good_name() -> None:
    assert check_name("lib/core.dll") == "lib/core.dll"


# ---------------------------------------------------------------------------------------------------------------------
# Manifest


def test_a_stored_manifest_is_served_as_is(root: Path) -> None:
    (root / "EMC" / "manifest.xml").write_bytes(b"<Manifest version='7'/>")
    assert Downloads(root).emc_manifest() == b"<Manifest version='7'/>"


def test_the_generated_manifest_lists_name_size_and_sha256(root: Path) -> None:
    manifest = Downloads(root).emc_manifest()
    assert manifest.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<EMCManifest>')
    rows = [dict(item.attrib) for item in etree.fromstring(manifest)]
    expected = []
    for name in ("EMC.exe", "Readme.txt", "lib/core.dll"):
        content = (root / "EMC" / name).read_bytes()
        expected.append({"Name": name, "Size": str(len(content)), "SHA256": hashlib.sha256(content).hexdigest()})
    assert rows == expected


def test_the_generated_manifest_follows_a_changed_file(root: Path) -> None:
    downloads = Downloads(root)
    before = downloads.emc_manifest()
    (root / "EMC" / "Readme.txt").write_text("read me again, longer\n")
    after = downloads.emc_manifest()
    assert after != before
    assert hashlib.sha256(b"read me again, longer\n").hexdigest().encode() in after


def test_names_in_the_manifest_are_escaped(root: Path) -> None:
    (root / "EMC" / 'a&b "<c>".txt').write_text("x")
    names = [item.get("Name") for item in etree.fromstring(Downloads(root).emc_manifest())]
    assert 'a&b "<c>".txt' in names


# ---------------------------------------------------------------------------------------------------------------------
# Binaries and version


@pytest.mark.parametrize("kind", ["CALWin", "calwin", "CALWIN"])
def test_binary_by_download_type_in_any_case(root: Path, kind: str) -> None:
    assert Downloads(root).binary(kind) == ("CalSetup.exe", b"cal windows")


def test_binary_streamed(root: Path) -> None:
    name, size, blocks = Downloads(root).stream_binary("CALAndroid")
    assert (name, size, b"".join(blocks)) == ("cal.apk", 11, b"cal android")


@pytest.mark.parametrize("kind", ["EMC", "Unknown"])
def test_unknown_or_missing_download_type_is_not_found(root: Path, kind: str) -> None:
    with pytest.raises(errors.NotFound):
        Downloads(root).binary(kind)


def test_an_empty_type_folder_is_not_found(root: Path) -> None:
    (root / "binaries" / "EMC").mkdir()
    with pytest.raises(errors.NotFound):
        Downloads(root).binary("EMC")


@pytest.mark.parametrize("kind", ["..", ".", "../binaries/CALWin", "CAL Win", "", "CALWin/CalSetup.exe"])
def test_a_download_type_that_is_not_a_name_is_invalid(root: Path, kind: str) -> None:
    with pytest.raises(errors.Invalid):
        Downloads(root).binary(kind)


def test_a_type_folder_with_two_files_is_a_misconfiguration(root: Path) -> None:
    (root / "binaries" / "CALWin" / "Other.exe").write_bytes(b"x")
    with pytest.raises(DownloadsMisconfigured):
        Downloads(root).binary("CALWin")


def test_type_folders_differing_only_by_case_are_a_misconfiguration(root: Path) -> None:
    (root / "binaries" / "calwin").mkdir()
    (root / "binaries" / "calwin" / "x.exe").write_bytes(b"x")
    with pytest.raises(DownloadsMisconfigured):
        Downloads(root).binary("CALWin")


def test_a_binary_over_the_limit_is_refused_in_memory_but_streams(root: Path) -> None:
    downloads = Downloads(root, max_in_memory_bytes=5)
    with pytest.raises(DownloadTooLarge):
        downloads.binary("CALWin")
    assert b"".join(downloads.stream_binary("CALWin")[2]) == b"cal windows"


def test_self_update_version_without_bom_or_whitespace(root: Path) -> None:
    assert Downloads(root).self_update_version() == b"19.6.0.1"


@pytest.mark.parametrize("content", [None, b"", b" \n"])
def test_no_self_update_version_is_not_found(root: Path, content: bytes | None) -> None:
    path = root / "version.txt"
    path.unlink()
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(errors.NotFound):
        Downloads(root).self_update_version()


def test_a_huge_version_file_is_a_misconfiguration(root: Path) -> None:
    (root / "version.txt").write_bytes(b"1" * 5000)
    with pytest.raises(DownloadsMisconfigured):
        Downloads(root).self_update_version()


# ---------------------------------------------------------------------------------------------------------------------
# Settings and the demo's files


def test_downloads_dir_setting() -> None:
    assert Settings.from_env({"BACKOFFICE_VAR_DIR": "/v"}).downloads_dir == Path("/v/downloads")
    assert Settings.from_env({"BACKOFFICE_DOWNLOADS_DIR": "/srv/dl"}).downloads_dir == Path("/srv/dl")


def test_demo_downloads_serve_every_operation(tmp_path: Path) -> None:
    target = tmp_path / "var" / "downloads"
    assert install_demo_downloads(target) is True
    downloads = Downloads(target)
    assert set(_unzip(downloads.zip_emc_files(None))) == {"EMC.exe.config", "README.txt", "lib/emc-demo.bin"}
    assert downloads.self_update_version() == b"19.6.0.1"
    for kind in ("CALWin", "CALAndroid", "EMC"):
        name, content = downloads.binary(kind)
        assert name.endswith(".zip") and "README.txt" in _unzip(content)
    assert (target / "EMC" / "lib" / "emc-demo.bin").read_bytes() == bytes(range(256))


def test_the_demo_manifest_matches_the_demo_files(tmp_path: Path) -> None:
    # The committed manifest must describe the committed files; regenerate it when they change.
    install_demo_downloads(tmp_path / "d")
    stored = Downloads(tmp_path / "d").emc_manifest()
    (tmp_path / "d" / "EMC" / "manifest.xml").unlink()
    assert Downloads(tmp_path / "d").emc_manifest() == stored == (DEMO / "EMC" / "manifest.xml").read_bytes()


def test_demo_downloads_never_touch_a_directory_in_use(tmp_path: Path) -> None:
    target = tmp_path / "downloads"
    target.mkdir()
    (target / "mine.txt").write_text("keep")
    assert install_demo_downloads(target) is False
    assert [path.name for path in target.iterdir()] == ["mine.txt"]


def test_demo_downloads_fill_an_empty_directory_and_leave_no_staging(tmp_path: Path) -> None:
    (tmp_path / "downloads").mkdir()
    assert install_demo_downloads(tmp_path / "downloads") is True
    assert sorted(path.name for path in tmp_path.iterdir()) == ["downloads"]
    assert install_demo_downloads(tmp_path / "downloads") is False


def test_demo_downloads_installed_by_racing_processes_once(tmp_path: Path) -> None:
    target = tmp_path / "downloads"
    results: list[bool] = []
    threads = [threading.Thread(target=lambda: results.append(install_demo_downloads(target))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["downloads"]
    assert Downloads(target).self_update_version() == b"19.6.0.1"
