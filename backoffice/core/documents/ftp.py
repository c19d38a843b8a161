"""The FTP provider over the standard library's ``ftplib``: plain FTP, or explicit FTPS (AUTH TLS with
a protected data channel and the server's certificate verified)."""

from __future__ import annotations

import ftplib
import posixpath
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from .config import FtpSetup
from .paths import MAX_DEPTH
from .storage import MAX_ENTRIES, Entry, Parts, ProviderUnavailable, _listed, _spool, _too_many

# The reply codes that mean "no such file or directory" (RFC 959 550, and 450 some servers use).
_MISSING = ("550", "450")


def _reply_code(exc: BaseException) -> str:
    return str(exc)[:3]


class FtpSession:
    def __init__(self, setup: FtpSetup, ftp: ftplib.FTP) -> None:
        self.setup = setup
        self.ftp = ftp
        self._mlsd: bool | None = None

    @classmethod
    @contextmanager
    def connect(cls, setup: FtpSetup) -> Iterator[FtpSession]:
        ftp: ftplib.FTP
        if setup.tls:
            context = ssl.create_default_context(cafile=str(setup.ca_file) if setup.ca_file else None)
            ftp = ftplib.FTP_TLS(context=context, timeout=setup.timeout)
        else:
            ftp = ftplib.FTP(timeout=setup.timeout)
        ftp.encoding = "utf-8"
        try:
            ftp.connect(setup.host, setup.port)
            ftp.login(setup.user, setup.password)  # FTP_TLS.login secures the control channel first
            if isinstance(ftp, ftplib.FTP_TLS):
                ftp.prot_p()
            ftp.set_pasv(setup.passive)
        except ftplib.error_perm as exc:
            ftp.close()
            raise ProviderUnavailable(f"FTP setup {setup.name!r}: the server refused the login "
                                      f"({_reply_code(exc)})") from None
        except (OSError, EOFError, ftplib.Error) as exc:
            ftp.close()
            raise ProviderUnavailable(f"FTP setup {setup.name!r}: cannot connect to {setup.host}:{setup.port} "
                                      f"({type(exc).__name__})") from None
        session = cls(setup, ftp)
        try:
            yield session
        except (OSError, EOFError, ftplib.Error) as exc:
            if isinstance(exc, FileNotFoundError | FileExistsError):
                raise
            what = _reply_code(exc) or type(exc).__name__
            raise ProviderUnavailable(f"FTP setup {setup.name!r}: the server failed ({what})") from None
        finally:
            try:
                ftp.quit()
            except (OSError, EOFError, ftplib.Error):
                ftp.close()

    def _abs(self, parts: Parts) -> str:
        return posixpath.join(self.setup.root, *parts) if parts else self.setup.root

    def _list(self, parts: Parts) -> list[tuple[str, bool, int]] | None:
        """(name, is_folder, size) of a directory's entries; None if it does not exist."""
        path = self._abs(parts)
        if self._mlsd is not False:
            try:
                rows = [(name, facts.get("type", "").lower() == "dir", int(facts.get("size") or 0))
                        for name, facts in self.ftp.mlsd(path, facts=["type", "size"])
                        if facts.get("type", "").lower() in ("dir", "file")]
                self._mlsd = True
                return rows
            except ftplib.error_perm as exc:
                # Servers differ in how they say "no such directory" (550, 450, pyftpdlib's 501), so ask.
                if not self._is_folder(path):
                    return None
                if self._mlsd is True or _reply_code(exc) not in ("500", "501", "502", "504"):
                    raise
                self._mlsd = False  # an old server without RFC 3659: fall back to NLST, CWD and SIZE
        return self._list_without_mlsd(path)

    def _is_folder(self, path: str) -> bool:
        try:
            self.ftp.cwd(path)
        except ftplib.error_perm:
            return False
        return True

    def _list_without_mlsd(self, path: str) -> list[tuple[str, bool, int]] | None:
        if not self._is_folder(path):
            return None
        try:
            names = self.ftp.nlst()
        except ftplib.error_perm as exc:
            if _reply_code(exc) in _MISSING:
                return []  # some servers answer an empty directory with 550/450
            raise
        rows = []
        for name in names:
            name = posixpath.basename(name.rstrip("/"))
            if name in (".", ".."):
                continue
            full = posixpath.join(path, name)
            try:
                self.ftp.cwd(full)
                rows.append((name, True, 0))
            except ftplib.error_perm:
                self.ftp.voidcmd("TYPE I")
                rows.append((name, False, self.ftp.size(full) or 0))
        return rows

    def walk(self, base: Parts, *, everything: bool = False) -> list[Entry]:
        found: list[Entry] = []

        def visit(rel: Parts) -> None:
            if len(rel) > MAX_DEPTH + 2:
                return
            rows = self._list(base + rel)
            for name, is_folder, size in sorted(rows or []):
                if not (everything or _listed(name, len(rel))):
                    continue
                if len(found) >= MAX_ENTRIES:
                    raise _too_many()
                found.append(Entry(rel + (name,), is_folder, 0 if is_folder else size))
                if is_folder:
                    visit(rel + (name,))

        visit(())
        return found

    def read(self, path: Parts) -> BinaryIO:
        spool = _spool()
        try:
            self.ftp.retrbinary(f"RETR {self._abs(path)}", spool.write)
        except ftplib.error_perm as exc:
            spool.close()
            if _reply_code(exc) in _MISSING:
                raise FileNotFoundError("/".join(path)) from None
            raise
        spool.seek(0)
        return spool

    def write(self, path: Parts, stream: BinaryIO) -> None:
        self.make_folders(path[:-1])
        self.ftp.storbinary(f"STOR {self._abs(path)}", stream)

    def make_folders(self, path: Parts) -> None:
        for depth in range(1, len(path) + 1):
            kind = self.kind_of(path[:depth])
            if kind == "file":
                raise FileExistsError("/".join(path[:depth]))
            if kind is None:
                self.ftp.mkd(self._abs(path[:depth]))

    def kind_of(self, path: Parts) -> str | None:
        if not path:
            return "folder"
        rows = self._list(path[:-1])
        for name, is_folder, _size in rows or []:
            if name == path[-1]:
                return "folder" if is_folder else "file"
        return None

    def remove(self, path: Parts, is_folder: bool) -> None:
        try:
            if not is_folder:
                self.ftp.delete(self._abs(path))
                return
            entries = self.walk(path, everything=True)
            for entry in reversed(entries):  # contents before their folders
                if entry.is_folder:
                    self.ftp.rmd(self._abs(path + entry.path))
                else:
                    self.ftp.delete(self._abs(path + entry.path))
            self.ftp.rmd(self._abs(path))
        except ftplib.error_perm as exc:
            if _reply_code(exc) in _MISSING:
                raise FileNotFoundError("/".join(path)) from None
            raise
