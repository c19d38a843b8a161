"""The client software the Symphony Download Service hands out, read from the downloads directory.

Layout of ``settings.downloads_dir`` (``BACKOFFICE_DOWNLOADS_DIR``, default ``<var_dir>/downloads``)::

    EMC/                      the EMC client's files, any depth ("lib/emc.jar" is a name)
    EMC/manifest.xml          optional: served as is; when absent one is generated (see below)
    binaries/<DownloadType>/  exactly one file each: what GetBinaries/<DownloadType> returns.
                              The documented types are CALWin, CALAndroid and EMC; any folder here
                              is a type, matched case-insensitively.
    version.txt               the self-update version, e.g. "19.6.0.1" (surrounding whitespace ignored)

Files and folders whose names start with "." are not served (editor and OS litter). A symbolic link
is served only when it points inside the folder it sits in (EMC/ or its binaries/ type folder); linked
folders are not followed.

The generated manifest (UTF-8 XML, names sorted, ``/`` separators)::

    <?xml version="1.0" encoding="utf-8"?>
    <EMCManifest>
      <File Name="lib/emc.jar" Size="1234" SHA256="<64 lowercase hex digits>" />
    </EMCManifest>

Names are never joined onto a path: a requested name is looked up in the listing of what EMC/ holds,
so no name can reach outside it; names that try (``..``, absolute, ``\\``, NUL) are refused as Invalid
before the lookup, so a client is told so rather than "not found".
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

from .errors import CoreError, Invalid, NotFound

EMC_DIR = "EMC"
MANIFEST = "manifest.xml"
BINARIES_DIR = "binaries"
VERSION_FILE = "version.txt"
DOWNLOAD_TYPES = ("CALWin", "CALAndroid", "EMC")

# Answers built in memory (a zip as bytes, a binary as bytes) stop here; the streamed forms do not
# need to. 512 MiB holds any real CAL/EMC installer with room to spare.
MAX_IN_MEMORY_BYTES = 512 * 1024 * 1024
_MAX_MANIFEST_BYTES = 16 * 1024 * 1024
_MAX_VERSION_BYTES = 1024
_BLOCK = 1 << 20
_DOWNLOAD_TYPE = re.compile(r"[A-Za-z0-9_.\-]+")


class DownloadsMisconfigured(CoreError):
    """The downloads directory is not laid out as this module says (an operator's error, not the client's)."""

    code = "DownloadsMisconfigured"


class DownloadTooLarge(CoreError):
    """The answer would have to be held in memory and is larger than the limit; use the streamed form."""

    code = "DownloadTooLarge"


@dataclass(frozen=True)
class EmcFile:
    name: str  # relative to EMC/, "/"-separated
    path: Path
    size: int
    mtime_ns: int


class Downloads:
    """The downloads directory ``root``. Reads the disk on every call, so files the operator replaces are
    served at once; only manifest hashes are remembered, per file name, size and modification time."""

    def __init__(self, root: Path, *, max_in_memory_bytes: int = MAX_IN_MEMORY_BYTES) -> None:
        self.root = root
        self.max_in_memory_bytes = max_in_memory_bytes
        self._hashes: dict[tuple[str, int, int], str] = {}

    # -- EMC files --------------------------------------------------------------------------------------------------

    def emc_files(self) -> list[EmcFile]:
        """Every servable file under EMC/ except the manifest, sorted by name. NotFound without EMC/."""
        base = self.root / EMC_DIR
        if not base.is_dir():
            raise NotFound("No EMC client files are installed on this server")
        return sorted(_listing(base, skip={MANIFEST}), key=lambda file: file.name)

    def select_emc_files(self, names: list[str] | None) -> list[EmcFile]:
        """The files ``names`` asks for, in the order asked (duplicates once); None or [] = all of them.

        Invalid for a name that is not a plain relative path; NotFound for one EMC/ does not hold.
        Names match exactly, else case-insensitively (the EMC client is Windows software) when that is
        unambiguous.
        """
        for name in names or []:
            check_name(name)
        files = self.emc_files()
        if not names:
            return files
        exact = {file.name: file for file in files}
        folded: dict[str, list[EmcFile]] = {}
        for file in files:
            folded.setdefault(file.name.casefold(), []).append(file)
        chosen: dict[str, EmcFile] = {}
        for name in names:
            matches = [exact[name]] if name in exact else folded.get(name.casefold(), [])
            if len(matches) != 1:
                raise NotFound(f"There is no EMC client file named '{name}'")
            chosen.setdefault(matches[0].name, matches[0])
        return list(chosen.values())

    def zip_emc_files(self, names: list[str] | None) -> bytes:
        """A zip (deflated) of the EMC files ``names`` selects (see :meth:`select_emc_files`), as bytes.
        DownloadTooLarge when the files add up to more than ``max_in_memory_bytes``; stream instead."""
        files = self.select_emc_files(names)
        total = sum(file.size for file in files)
        if total > self.max_in_memory_bytes:
            raise DownloadTooLarge(f"The EMC files asked for come to {total} bytes, more than can be zipped in memory")
        return b"".join(_zip_stream(files))

    def stream_emc_zip(self, names: list[str] | None) -> Iterator[bytes]:
        """The same zip as :meth:`zip_emc_files`, produced piece by piece with memory bounded by one block.

        The selection is checked now (errors raise here, before any byte is produced); the files are
        read as the iterator is consumed.
        """
        return _zip_stream(self.select_emc_files(names))

    def emc_manifest(self) -> bytes:
        """EMC/manifest.xml as stored, or one generated from the EMC files (format in the module docstring)."""
        stored = self.root / EMC_DIR / MANIFEST
        if stored.is_file():
            return _read(stored, _MAX_MANIFEST_BYTES, "EMC/manifest.xml")
        manifest = ElementTree.Element("EMCManifest")
        for file in self.emc_files():
            ElementTree.SubElement(manifest, "File", Name=file.name, Size=str(file.size), SHA256=self._sha256(file))
        ElementTree.indent(manifest)
        return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(manifest, encoding="utf-8",
                                                                                  xml_declaration=False) + b"\n"

    def _sha256(self, file: EmcFile) -> str:
        key = (file.name, file.size, file.mtime_ns)
        digest = self._hashes.get(key)
        if digest is None:
            hasher = hashlib.sha256()
            with file.path.open("rb") as stream:
                for block in iter(lambda: stream.read(_BLOCK), b""):
                    hasher.update(block)
            digest = self._hashes[key] = hasher.hexdigest()
        return digest

    # -- binaries and the self-update version -----------------------------------------------------------------------

    def binary_file(self, download_type: str) -> EmcFile:
        """The one file of ``binaries/<download_type>/`` (type matched case-insensitively).

        Invalid for a type that is not a plain name; NotFound for an unknown type or an empty folder;
        DownloadsMisconfigured when the folder holds several files or two folders differ only by case.
        """
        if not isinstance(download_type, str) or not _DOWNLOAD_TYPE.fullmatch(download_type) \
                or download_type in (".", ".."):
            raise Invalid.field("downloadType", f"'{download_type}' is not a download type")
        base = self.root / BINARIES_DIR
        folders = [entry for entry in _entries(base) if entry.is_dir(follow_symlinks=False)
                   and entry.name.casefold() == download_type.casefold()]
        if not folders:
            raise NotFound(f"There is no download of type '{download_type}'")
        if len(folders) > 1:
            raise DownloadsMisconfigured(f"binaries/ holds several folders named '{download_type}' in different case")
        files = list(_listing(Path(folders[0].path), recurse=False))
        if not files:
            raise NotFound(f"There is no download of type '{download_type}'")
        if len(files) > 1:
            raise DownloadsMisconfigured(f"binaries/{folders[0].name} must hold exactly one file, not {len(files)}")
        return files[0]

    def binary(self, download_type: str) -> tuple[str, bytes]:
        """``(file name, content)`` of the download (see :meth:`binary_file`); DownloadTooLarge over the limit."""
        file = self.binary_file(download_type)
        if file.size > self.max_in_memory_bytes:
            raise DownloadTooLarge(f"The {download_type} download is {file.size} bytes, more than is held in memory")
        return file.path.name, _read(file.path, self.max_in_memory_bytes, f"the {download_type} download")

    def stream_binary(self, download_type: str) -> tuple[str, int, Iterator[bytes]]:
        """``(file name, size, blocks)``: the download read block by block (for any size); checks now."""
        file = self.binary_file(download_type)
        return file.path.name, file.size, _blocks(file.path)

    def self_update_version(self) -> bytes:
        """version.txt without surrounding whitespace (or a byte order mark); NotFound when absent or empty."""
        path = self.root / VERSION_FILE
        if not path.is_file():
            raise NotFound("No self-update version is configured on this server")
        version = _read(path, _MAX_VERSION_BYTES, VERSION_FILE).removeprefix(b"\xef\xbb\xbf").strip()
        if not version:
            raise NotFound("No self-update version is configured on this server")
        return version


def check_name(name: object) -> str:
    """``name`` if it is a plain relative path below EMC/ (segments separated by "/"); Invalid otherwise."""
    if not isinstance(name, str) or not name:
        raise Invalid.field("fileName", "An EMC file name must be a non-empty string")
    if "\\" in name or "\x00" in name or name.startswith("/") or re.match(r"[A-Za-z]:", name):
        raise Invalid.field("fileName", f"'{name}' is not a relative file name")
    if any(segment in ("", ".", "..") for segment in name.split("/")):
        raise Invalid.field("fileName", f"'{name}' is not a relative file name")
    return name


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return [entry for entry in entries if not entry.name.startswith(".")]
    except (FileNotFoundError, NotADirectoryError):
        return []


def _listing(base: Path, *, skip: set[str] | None = None, recurse: bool = True, prefix: str = "",
             real_base: Path | None = None) -> Iterator[EmcFile]:
    """Servable files under ``base``; links are kept only when they resolve inside the top folder."""
    real_base = real_base or base.resolve()
    for entry in _entries(base):
        name = prefix + entry.name
        if entry.is_dir(follow_symlinks=False):
            if recurse:
                yield from _listing(Path(entry.path), recurse=True, prefix=name + "/", real_base=real_base)
            continue
        if not prefix and skip and entry.name in skip:
            continue
        path = Path(entry.path)
        if entry.is_symlink() and not path.resolve().is_relative_to(real_base):
            continue
        if not entry.is_file():
            continue
        stat = entry.stat()
        yield EmcFile(name, path, stat.st_size, stat.st_mtime_ns)


def _read(path: Path, limit: int, what: str) -> bytes:
    with path.open("rb") as stream:
        content = stream.read(limit + 1)
    if len(content) > limit:
        raise DownloadsMisconfigured(f"{what} is larger than {limit} bytes")
    return content


def _blocks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as stream:
        yield from iter(lambda: stream.read(_BLOCK), b"")


class _Pipe(io.RawIOBase):
    """A write-only, unseekable sink: zipfile then writes data descriptors, so the zip can be streamed."""

    def __init__(self) -> None:
        super().__init__()
        self.pieces: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        piece = bytes(data)  # type: ignore[call-overload]
        self.pieces.append(piece)
        return len(piece)

    def drain(self) -> bytes:
        out = b"".join(self.pieces)
        self.pieces.clear()
        return out


def _zip_stream(files: list[EmcFile]) -> Iterator[bytes]:
    pipe = _Pipe()
    sink: IO[bytes] = pipe  # type: ignore[assignment]
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            info = zipfile.ZipInfo.from_file(file.path, file.name)
            info.compress_type = zipfile.ZIP_DEFLATED
            with file.path.open("rb") as source, archive.open(info, "w", force_zip64=file.size >= 1 << 31) as target:
                for block in iter(lambda: source.read(_BLOCK), b""):
                    target.write(block)
                    if piece := pipe.drain():
                        yield piece
            if piece := pipe.drain():
                yield piece
    if piece := pipe.drain():
        yield piece
