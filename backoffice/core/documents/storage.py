"""The storage side of a provider with setup items: a directory, an FTP server, an SSH FTP server.

Each provider opens a *session* (one connection, closed at the end of one operation) that speaks in
path components relative to the setup item's root; the components have passed ``paths.clean_name``
(or are the reserved ``.private`` directory), so no session ever sees '..', a separator or a NUL.
A missing path raises ``FileNotFoundError``; anything else that goes wrong with the far side
(unreachable, login refused, a host key that does not match) raises ``ProviderUnavailable``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from ..errors import CoreError
from .config import FtpSetup, Setup, ShareSetup, SshFtpSetup
from .paths import MAX_DEPTH, name_problem

PRIVATE_DIR = ".private"
MAX_ENTRIES = 20_000  # one entity's whole tree; beyond this a listing is refused, not truncated
SPOOL_IN_MEMORY = 1 << 20  # downloads larger than this spill to a temporary file

Parts = tuple[str, ...]


class ProviderUnavailable(CoreError):
    """The provider's server or directory could not be used (the message never holds a secret)."""

    code = "ProviderUnavailable"


@dataclass(frozen=True)
class Entry:
    """One folder or file found below a listed directory (``path`` relative to that directory)."""

    path: Parts
    is_folder: bool
    size: int


class Session(Protocol):
    def walk(self, base: Parts) -> list[Entry]:
        """Everything below ``base`` (folders before their contents); [] if ``base`` does not exist.
        Names a document could not have (dot files, separators) are left out, except ``.private``
        right below ``base``."""
        ...

    def read(self, path: Parts) -> BinaryIO:
        """The file's content, positioned at its start; the caller closes it."""
        ...

    def write(self, path: Parts, stream: BinaryIO) -> None:
        """Store ``stream`` as the file, creating missing folders, replacing an existing file."""
        ...

    def make_folders(self, path: Parts) -> None:
        """Create the folder and any missing parents (an existing folder is fine)."""
        ...

    def kind_of(self, path: Parts) -> str | None:
        """'folder', 'file', or None if nothing is there."""
        ...

    def remove(self, path: Parts, is_folder: bool) -> None:
        """Remove the file, or the folder with everything in it."""
        ...


def _listed(name: str, depth: int) -> bool:
    return name_problem(name) is None or (depth == 0 and name == PRIVATE_DIR)


def _spool() -> BinaryIO:
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # type: ignore[return-value]


def _too_many() -> ProviderUnavailable:
    return ProviderUnavailable(f"The entity has more than {MAX_ENTRIES} documents on this provider; "
                               "it cannot be listed")


@contextlib.contextmanager
def open_session(setup: Setup) -> Iterator[Session]:
    """A session on the setup item's storage, closed when the block ends."""
    if isinstance(setup, ShareSetup):
        yield ShareSession(setup)
    elif isinstance(setup, FtpSetup):
        from .ftp import FtpSession

        with FtpSession.connect(setup) as ftp:
            yield ftp
    elif isinstance(setup, SshFtpSetup):
        from .sftp import SftpSession

        with SftpSession.connect(setup) as sftp:
            yield sftp
    else:  # pragma: no cover - the config module makes no other kind
        raise TypeError(f"no storage for {setup!r}")


class ShareSession:
    """A local directory, usually a mounted network share. Symbolic links are never followed, so a
    link placed inside the share cannot expose the rest of the machine."""

    def __init__(self, setup: ShareSetup) -> None:
        self.setup = setup
        if not setup.path.is_dir():
            raise ProviderUnavailable(f"Network share {setup.name!r}: its directory is not available")
        self.root = setup.path.resolve()

    def _path(self, parts: Parts, *, must_exist: bool = False) -> Path:
        path = self.root.joinpath(*parts)
        # Components are clean, so only a symbolic link could lead elsewhere: refuse any on the way.
        probe = self.root
        for part in parts:
            probe = probe / part
            if probe.is_symlink():
                raise ProviderUnavailable(f"Network share {self.setup.name!r}: a symbolic link is in the way")
            if not probe.exists():
                break
        if must_exist and not path.exists():
            raise FileNotFoundError(str(Path(*parts)) if parts else ".")
        return path

    def walk(self, base: Parts) -> list[Entry]:
        top = self._path(base)
        if not top.is_dir():
            return []
        found: list[Entry] = []

        def visit(directory: Path, rel: Parts) -> None:
            if len(rel) > MAX_DEPTH + 2:
                return
            with os.scandir(directory) as entries:
                for entry in sorted(entries, key=lambda e: e.name):
                    if not _listed(entry.name, len(rel)) or entry.is_symlink():
                        continue
                    if len(found) >= MAX_ENTRIES:
                        raise _too_many()
                    if entry.is_dir(follow_symlinks=False):
                        found.append(Entry(rel + (entry.name,), True, 0))
                        visit(Path(entry.path), rel + (entry.name,))
                    elif entry.is_file(follow_symlinks=False):
                        found.append(Entry(rel + (entry.name,), False, entry.stat(follow_symlinks=False).st_size))

        visit(top, ())
        return found

    def read(self, path: Parts) -> BinaryIO:
        target = self._path(path, must_exist=True)
        fd = os.open(target, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        return os.fdopen(fd, "rb")

    def write(self, path: Parts, stream: BinaryIO) -> None:
        self.make_folders(path[:-1])
        target = self._path(path)
        # Written under a hidden name and renamed: nobody ever lists or downloads half a file.
        temp = target.with_name(f".upload-{uuid.uuid4().hex}")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o640)
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(1 << 16):
                    out.write(chunk)
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise

    def make_folders(self, path: Parts) -> None:
        target = self._path(path)
        if target.is_file():
            raise FileExistsError("/".join(path))
        target.mkdir(parents=True, exist_ok=True)

    def kind_of(self, path: Parts) -> str | None:
        target = self._path(path)
        if target.is_symlink():
            return None
        if target.is_dir():
            return "folder"
        return "file" if target.is_file() else None

    def remove(self, path: Parts, is_folder: bool) -> None:
        target = self._path(path, must_exist=True)
        if is_folder:
            import shutil

            shutil.rmtree(target)  # rmtree does not follow symbolic links inside the tree
        else:
            target.unlink()
