"""The SSH FTP provider over ``paramiko``. The server must present the host key written in the
providers file: an unknown or changed key is refused, never learnt (a man in the middle would
otherwise receive the password and every document)."""

from __future__ import annotations

import base64
import posixpath
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

import paramiko

from .config import SshFtpSetup
from .paths import MAX_DEPTH
from .storage import MAX_ENTRIES, Entry, Parts, ProviderUnavailable, _listed, _spool, _too_many


def host_key(setup: SshFtpSetup) -> paramiko.PKey:
    """The configured host key as a paramiko key (the config module checked its form)."""
    key_type, data = setup.host_key.split(" ", 1)
    return paramiko.PKey.from_type_string(key_type, base64.b64decode(data))


class SftpSession:
    def __init__(self, setup: SshFtpSetup, sftp: paramiko.SFTPClient) -> None:
        self.setup = setup
        self.sftp = sftp

    @classmethod
    @contextmanager
    def connect(cls, setup: SshFtpSetup) -> Iterator[SftpSession]:
        client = paramiko.SSHClient()
        key = host_key(setup)
        # known_hosts spells a non-standard port as "[host]:port".
        known_as = setup.host if setup.port == 22 else f"[{setup.host}]:{setup.port}"
        client.get_host_keys().add(known_as, key.get_name(), key)
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        where = f"SSH FTP setup {setup.name!r}"
        try:
            client.connect(
                setup.host, port=setup.port, username=setup.user, password=setup.password or None,
                key_filename=str(setup.key_file) if setup.key_file else None,
                passphrase=setup.key_passphrase or None,
                # Only the credentials in the providers file: never the server user's agent or ~/.ssh.
                look_for_keys=False, allow_agent=False,
                timeout=setup.timeout, banner_timeout=setup.timeout, auth_timeout=setup.timeout)
            sftp = client.open_sftp()
        except paramiko.BadHostKeyException:
            client.close()
            raise ProviderUnavailable(f"{where}: the server at {setup.host}:{setup.port} presented a host key "
                                      "different from the configured HostKey; refusing to connect") from None
        except paramiko.AuthenticationException:
            client.close()
            raise ProviderUnavailable(f"{where}: the server refused the login") from None
        except (paramiko.SSHException, OSError, EOFError) as exc:
            client.close()
            raise ProviderUnavailable(f"{where}: cannot connect to {setup.host}:{setup.port} "
                                      f"({type(exc).__name__})") from None
        sftp.get_channel().settimeout(setup.timeout)
        try:
            yield cls(setup, sftp)
        except (paramiko.SSHException, OSError, EOFError) as exc:
            if isinstance(exc, FileNotFoundError | FileExistsError):
                raise
            raise ProviderUnavailable(f"{where}: the server failed ({type(exc).__name__})") from None
        finally:
            sftp.close()
            client.close()

    def _abs(self, parts: Parts) -> str:
        return posixpath.join(self.setup.root, *parts) if parts else self.setup.root

    def walk(self, base: Parts, *, everything: bool = False) -> list[Entry]:
        found: list[Entry] = []

        def visit(rel: Parts) -> None:
            if len(rel) > MAX_DEPTH + 2:
                return
            try:
                rows = self.sftp.listdir_attr(self._abs(base + rel))
            except FileNotFoundError:
                if rel:
                    raise
                return
            for attr in sorted(rows, key=lambda a: a.filename):
                mode = attr.st_mode or 0
                if not (everything or _listed(attr.filename, len(rel))):
                    continue
                if stat.S_ISLNK(mode) and not everything:
                    continue  # a link could lead anywhere on the server
                if len(found) >= MAX_ENTRIES:
                    raise _too_many()
                is_folder = stat.S_ISDIR(mode)
                found.append(Entry(rel + (attr.filename,), is_folder, 0 if is_folder else int(attr.st_size or 0)))
                if is_folder:
                    visit(rel + (attr.filename,))

        visit(())
        return found

    def read(self, path: Parts) -> BinaryIO:
        spool = _spool()
        try:
            self.sftp.getfo(self._abs(path), spool)
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        return spool

    def write(self, path: Parts, stream: BinaryIO) -> None:
        self.make_folders(path[:-1])
        self.sftp.putfo(stream, self._abs(path))

    def make_folders(self, path: Parts) -> None:
        for depth in range(1, len(path) + 1):
            kind = self.kind_of(path[:depth])
            if kind == "file":
                raise FileExistsError("/".join(path[:depth]))
            if kind is None:
                self.sftp.mkdir(self._abs(path[:depth]))

    def kind_of(self, path: Parts) -> str | None:
        try:
            mode = self.sftp.lstat(self._abs(path)).st_mode or 0
        except FileNotFoundError:
            return None
        if stat.S_ISDIR(mode):
            return "folder"
        return "file" if stat.S_ISREG(mode) else None

    def remove(self, path: Parts, is_folder: bool) -> None:
        if not is_folder:
            self.sftp.remove(self._abs(path))
            return
        for entry in reversed(self.walk(path, everything=True)):
            if entry.is_folder:
                self.sftp.rmdir(self._abs(path + entry.path))
            else:
                self.sftp.remove(self._abs(path + entry.path))
        self.sftp.rmdir(self._abs(path))
