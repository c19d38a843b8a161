"""Documents against real storage: the test database, a directory, a local FTP server (pyftpdlib,
plain and with TLS) and a local SSH FTP server (asyncssh) with a generated host key."""

from __future__ import annotations

import asyncio
import datetime
import io
import ipaddress
import logging
import threading
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncssh
import pytest
import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from backoffice.core import errors
from backoffice.core.auth import Principal
from backoffice.core.documents import (
    DocumentNode,
    FileTooLarge,
    FtpSetup,
    NodeKind,
    NodeRole,
    ProviderConfigError,
    ProviderKind,
    ProviderNotConfigured,
    Providers,
    ProviderUnavailable,
    ShareSetup,
    SshFtpSetup,
    create_folder,
    delete,
    download,
    load_providers,
    parse_provider,
    tree,
    upload,
)
from backoffice.core.documents.tables import document_content, document_node
from backoffice.core.store import Database

with warnings.catch_warnings():
    # pyftpdlib runs on asyncore, which Python 3.11 marks deprecated (3.12 gets pyftpdlib's own copy).
    warnings.simplefilter("ignore", DeprecationWarning)
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler
    from pyftpdlib.ioloop import IOLoop
    from pyftpdlib.servers import FTPServer

ALICE = Principal(kind="staff", staff_id="11111111-1111-4111-8111-111111111111", username="alice")
BOB = Principal(kind="staff", staff_id="22222222-2222-4222-8222-222222222222", username="bob")
DEBTOR = Principal(kind="debtor", staff_id=ALICE.staff_id, username="alice", debtor_id="d1")
USER, PASSWORD = "docs", "s3cret-pass"

logging.getLogger("pyftpdlib").setLevel(logging.WARNING)
logging.getLogger("asyncssh").setLevel(logging.WARNING)


# --- servers -------------------------------------------------------------------------------------

class FtpServerThread:
    """pyftpdlib serving ``home`` on a loopback port until ``stop``."""

    def __init__(self, home: Path, *, tls: tuple[Path, Path] | None = None, mlsd: bool = True) -> None:
        authorizer = DummyAuthorizer()
        authorizer.add_user(USER, PASSWORD, str(home), perm="elradfmwMT")
        base: type[FTPHandler] = TLS_FTPHandler if tls else FTPHandler
        handler = type("Handler", (base,), {"authorizer": authorizer, "banner": "test"})
        if not mlsd:  # an older server without RFC 3659's listings
            handler.proto_cmds = {k: v for k, v in base.proto_cmds.items() if k not in ("MLSD", "MLST")}
        if tls:
            handler.certfile, handler.keyfile = str(tls[0]), str(tls[1])
            handler.tls_control_required = True
            handler.tls_data_required = True
        # Its own I/O loop: pyftpdlib's default is one per process, and two servers would share it.
        self.server = FTPServer(("127.0.0.1", 0), handler, ioloop=IOLoop())
        self.port = self.server.address[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.server.serve_forever(timeout=0.05, blocking=False, handle_exit=False)
        self.server.close_all()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


class _SshAuth(asyncssh.SSHServer):
    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return username == USER and password == PASSWORD


class SftpServerThread:
    """asyncssh's SFTP server, chrooted to ``home``, on a loopback port, in its own event loop."""

    def __init__(self, home: Path, client_key: asyncssh.SSHKey) -> None:
        self.host_key = asyncssh.generate_private_key("ssh-ed25519")
        self.loop = asyncio.new_event_loop()
        self._home = home
        self._client_key = client_key
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self.server = asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(timeout=10)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _start(self) -> asyncssh.SSHAcceptor:
        authorized = asyncssh.import_authorized_keys(self._client_key.export_public_key().decode())
        return await asyncssh.create_server(
            _SshAuth, "127.0.0.1", 0, server_host_keys=[self.host_key], authorized_client_keys=authorized,
            sftp_factory=lambda chan: asyncssh.SFTPServer(chan, chroot=str(self._home).encode()))

    @property
    def public_key_line(self) -> str:
        return self.host_key.export_public_key().decode().strip()

    def stop(self) -> None:
        async def close() -> None:
            self.server.close()
            await self.server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture(scope="module")
def ftp_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FtpSetup, Path]]:
    home = tmp_path_factory.mktemp("ftp")
    server = FtpServerThread(home)
    yield FtpSetup(name="FTP_site", host="127.0.0.1", port=server.port, user=USER, password=PASSWORD,
                   timeout=10), home
    server.stop()


@pytest.fixture(scope="module")
def ftps_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FtpSetup, Path]]:
    home = tmp_path_factory.mktemp("ftps")
    cert, key = _self_signed(tmp_path_factory.mktemp("tls"))
    server = FtpServerThread(home, tls=(cert, key))
    yield FtpSetup(name="FTPS_site", host="127.0.0.1", port=server.port, user=USER, password=PASSWORD,
                   tls=True, ca_file=cert, timeout=10), home
    server.stop()


@pytest.fixture(scope="module")
def client_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[asyncssh.SSHKey, Path]:
    key = asyncssh.generate_private_key("ssh-ed25519")
    path = tmp_path_factory.mktemp("ssh") / "id_ed25519"
    key.write_private_key(str(path))
    return key, path


@pytest.fixture(scope="module")
def sftp_server(tmp_path_factory: pytest.TempPathFactory,
                client_key: tuple[asyncssh.SSHKey, Path]) -> Iterator[tuple[SftpServerThread, Path]]:
    home = tmp_path_factory.mktemp("sftp")
    server = SftpServerThread(home, client_key[0])
    yield server, home
    server.stop()


@pytest.fixture
def sftp_home(sftp_server: tuple[SftpServerThread, Path]) -> tuple[SshFtpSetup, Path]:
    server, home = sftp_server
    return SshFtpSetup(name="SFTP_site", host="127.0.0.1", port=server.port, user=USER, password=PASSWORD,
                       host_key=server.public_key_line, timeout=10), home


@dataclass
class Case:
    """One provider under test: how to reach it, and the directory its files land in (None: the database)."""

    providers: Providers
    kind: ProviderKind
    setup: str | None
    disk: Path | None


def _make_case(request: pytest.FixtureRequest, name: str, tmp_path: Path) -> Case:
    if name == "db":
        return Case(Providers(), ProviderKind.DATABASE, None, None)
    if name == "share":
        share = tmp_path / "share"
        share.mkdir()
        return Case(Providers({ProviderKind.NETWORK_SHARE: (ShareSetup("Share1", share),)}),
                    ProviderKind.NETWORK_SHARE, "Share1", share)
    if name == "ftp":
        setup, home = request.getfixturevalue("ftp_home")
        return Case(Providers({ProviderKind.FTP: (setup,)}), ProviderKind.FTP, setup.name, home)
    setup, home = request.getfixturevalue("sftp_home")
    return Case(Providers({ProviderKind.SSH_FTP: (setup,)}), ProviderKind.SSH_FTP, setup.name, home)


@pytest.fixture(params=["db", "share", "ftp", "sshftp"])
def case(request: pytest.FixtureRequest, tmp_path: Path) -> Case:
    return _make_case(request, request.param, tmp_path)


@pytest.fixture(params=["share", "ftp", "sshftp"])
def disk_case(request: pytest.FixtureRequest, tmp_path: Path) -> Case:
    """The providers whose storage other programs write to as well."""
    return _make_case(request, request.param, tmp_path)


def _entity() -> str:
    return str(uuid.uuid4())


def _by_description(nodes: list[DocumentNode]) -> dict[str, DocumentNode]:
    return {n.description: n for n in nodes}


# --- configuration -------------------------------------------------------------------------------

EXAMPLE = b"""<?xml version="1.0" encoding="utf-8"?>
<DocumentProviders>
  <!-- two shares and two servers -->
  <Provider Kind="NetworkShare">
    <Setup Name="Share1" Path="/srv/docs"/>
  </Provider>
  <Provider Kind="FTP">
    <Setup Name="FTP_site" Host="ftp.example.com" Port="2121" User="docs" Password="hunter2" Root="/data"
           Passive="false" TLS="true" CAFile="/etc/ssl/private-ca.pem"/>
  </Provider>
  <Provider Kind="SSHFTP">
    <Setup Name="Backup sftp" Host="10.0.0.5" User="docs" KeyFile="/etc/backoffice/id_ed25519"
           HostKey="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl host"/>
  </Provider>
</DocumentProviders>"""


def test_the_providers_file_is_read_and_the_database_provider_is_always_there(tmp_path: Path) -> None:
    assert load_providers(tmp_path).configured() == [ProviderKind.DATABASE]
    (tmp_path / "DocumentProviders.xml").write_bytes(EXAMPLE)
    providers = load_providers(tmp_path)
    assert providers.configured() == [ProviderKind.DATABASE, ProviderKind.NETWORK_SHARE, ProviderKind.FTP,
                                      ProviderKind.SSH_FTP]
    ftp = providers.find(ProviderKind.FTP, "ftp_SITE")
    assert isinstance(ftp, FtpSetup)
    assert (ftp.port, ftp.root, ftp.passive, ftp.tls, ftp.ca_file) == (2121, "/data", False, True,
                                                                         Path("/etc/ssl/private-ca.pem"))
    assert "hunter2" not in repr(ftp)  # secrets stay out of logs and tracebacks
    sftp = providers.find(ProviderKind.SSH_FTP, "Backup sftp")
    assert isinstance(sftp, SshFtpSetup) and sftp.port == 22 and sftp.host_key.startswith("ssh-ed25519 AAAA")
    assert not sftp.host_key.endswith("host")


@pytest.mark.parametrize("body, problem", [
    (b"<DocumentProviders><Provider Kind='Dropbox'/></DocumentProviders>", "unknown provider Kind 'Dropbox'"),
    (b"<DocumentProviders><Provider Kind='SharePoint'/></DocumentProviders>", "not supported by this server"),
    (b"<DocumentProviders><Provider Kind='db'/></DocumentProviders>", "always served"),
    (b"<DocumentProviders><Provider Kind='FTP'><Setup Name='a'/></Provider></DocumentProviders>", "needs Host"),
    (b"<DocumentProviders><Provider Kind='FTP'><Setup Name='a' Host='h' Port='99999'/></Provider>"
     b"</DocumentProviders>", "Port must be between 1 and 65535"),
    (b"<DocumentProviders><Provider Kind='FTP'><Setup Name='a' Host='h' Pasive='true'/></Provider>"
     b"</DocumentProviders>", "does not take Pasive"),
    (b"<DocumentProviders><Provider Kind='NetworkShare'><Setup Name='a' Path='/x'/><Setup Name='A' Path='/y'/>"
     b"</Provider></DocumentProviders>", "defined twice"),
    (b"<DocumentProviders><Provider Kind='NetworkShare'><Setup Name='a' Path='docs'/></Provider>"
     b"</DocumentProviders>", "Path must be absolute"),
    (b"<DocumentProviders><Provider Kind='SSHFTP'><Setup Name='a' Host='h' User='u' Password='p'/></Provider>"
     b"</DocumentProviders>", "needs HostKey"),
    (b"<DocumentProviders><Provider Kind='SSHFTP'><Setup Name='a' Host='h' User='u' Password='p' "
     b"HostKey='ssh-dss AAAA'/></Provider></DocumentProviders>", "HostKey must be"),
    (b"<DocumentProviders><Provider Kind='FTP'><Setup Name='a' Host='h' Root='/a/../..'/></Provider>"
     b"</DocumentProviders>", "Root must be an absolute path"),
    (b"<!DOCTYPE x [<!ENTITY e 'boom'>]><DocumentProviders/>", "DOCTYPE"),
    (b"<DocumentProviders><Provider", "Malformed XML"),
    (b"<Providers/>", "root element must be <DocumentProviders>"),
])
def test_a_wrong_providers_file_names_the_file_and_the_problem(tmp_path: Path, body: bytes, problem: str) -> None:
    (tmp_path / "DocumentProviders.xml").write_bytes(body)
    with pytest.raises(ProviderConfigError) as caught:
        load_providers(tmp_path)
    assert str(tmp_path / "DocumentProviders.xml") in str(caught.value)
    assert problem in str(caught.value)


def test_provider_values_are_case_insensitive_and_a_wrong_one_names_none() -> None:
    assert parse_provider("NetworkShare") is ProviderKind.NETWORK_SHARE
    assert parse_provider("SSHFTP") is ProviderKind.SSH_FTP
    assert parse_provider("DB") is ProviderKind.DATABASE
    assert parse_provider("gopher") is None and parse_provider("") is None


# --- every provider ------------------------------------------------------------------------------

def test_upload_list_download_and_delete(db: Database, case: Case) -> None:
    entity = _entity()
    node = upload(db, case.providers, entity, case.kind, case.setup, "pcl", "file1.pdf", b"%PDF-1.4 one",
                  actor=ALICE)
    assert node.role is NodeRole.FILE and node.kind is NodeKind.FILE and node.size == 12 and node.revision == 0
    assert node.storage_path == f"/Entities/{entity}/pcl/file1.pdf" and node.owner_id == ALICE.staff_id
    upload(db, case.providers, entity, case.kind, case.setup, "pcl2/deeper", "notes.txt", io.BytesIO(b"hello"),
           actor=ALICE)
    if case.disk is not None:  # the provider's own storage holds the file where the seed says
        assert (case.disk / "Entities" / entity / "pcl" / "file1.pdf").read_bytes() == b"%PDF-1.4 one"

    nodes = tree(db, case.providers, entity, actor=ALICE, provider=case.kind.value, setup=case.setup)
    prefix = f"{case.setup}:" if case.setup else ""
    expected = [f"{case.kind.label} document provider", *([case.setup] if case.setup else []), "Public",
                f"{prefix}pcl", f"{prefix}pcl2", f"{prefix}deeper", "Private"]
    assert [n.description for n in nodes] == expected
    assert all(n.kind is NodeKind.FOLDER and n.entity_id == entity for n in nodes)
    assert nodes[0].parent_id is None
    for parent, child in zip(nodes, nodes[1:len(expected) - 4], strict=False):
        assert child.parent_id == parent.id  # provider -> setup -> Public -> pcl
    named = _by_description(nodes)
    assert named[f"{prefix}deeper"].parent_id == named[f"{prefix}pcl2"].id
    assert named["Private"].parent_id == named["Public"].parent_id
    [file1] = named[f"{prefix}pcl"].files
    assert (file1.id, file1.parent_id, file1.description) == (node.id, named[f"{prefix}pcl"].id,
                                                              f"{prefix}file1.pdf")
    assert file1.content_type == "application/pdf"

    again = tree(db, case.providers, entity, actor=ALICE, provider=case.kind.value, setup=case.setup)
    assert [n.id for n in again] == [n.id for n in nodes]  # ids are stable

    got = download(db, case.providers, node.id.upper(), actor=BOB)  # public: every staff member; any case
    assert (got.name, got.content_type, got.size, got.read_all()) == ("file1.pdf", "application/pdf", 12,
                                                                     b"%PDF-1.4 one")

    delete(db, case.providers, named[f"{prefix}pcl2"].id, actor=BOB)
    after = tree(db, case.providers, entity, actor=ALICE, provider=case.kind.value, setup=case.setup)
    assert f"{prefix}pcl2" not in _by_description(after) and f"{prefix}deeper" not in _by_description(after)
    if case.disk is not None:
        assert not (case.disk / "Entities" / entity / "pcl2").exists()
    with db.read() as conn:
        left = conn.execute(sa.select(document_node.c.path).where(document_node.c.entity_id == entity)).scalars()
        assert sorted(left) == ["pcl", "pcl/file1.pdf"]
    delete(db, case.providers, node.id, actor=ALICE)
    with pytest.raises(errors.NotFound):
        download(db, case.providers, node.id, actor=ALICE)


def test_private_folders_are_their_owners_alone(db: Database, case: Case) -> None:
    entity = _entity()
    secret = upload(db, case.providers, entity, case.kind, case.setup, "mine", "salary.xlsx", b"private",
                    actor=ALICE, private=True)
    assert secret.private and secret.owner_id == ALICE.staff_id
    if case.disk is not None:
        stored = case.disk / "Entities" / entity / ".private" / ALICE.staff_id / "mine" / "salary.xlsx"
        assert stored.read_bytes() == b"private"

    mine = tree(db, case.providers, entity, actor=ALICE, provider=case.kind.value)
    private = next(n for n in mine if n.role is NodeRole.PRIVATE)
    assert private.owner_id == ALICE.staff_id
    folder = next(n for n in mine if n.parent_id == private.id)
    assert [f.id for f in folder.files] == [secret.id]

    theirs = tree(db, case.providers, entity, actor=BOB, provider=case.kind.value)
    assert secret.id not in {f.id for n in theirs for f in n.files}
    assert all(n.owner_id != ALICE.staff_id for n in theirs)
    bobs_private = next(n for n in theirs if n.role is NodeRole.PRIVATE)
    assert bobs_private.id != private.id and bobs_private.owner_id == BOB.staff_id
    with pytest.raises(errors.NotFound):
        download(db, case.providers, secret.id, actor=BOB)
    with pytest.raises(errors.NotFound):
        delete(db, case.providers, folder.id, actor=BOB)
    assert download(db, case.providers, secret.id, actor=ALICE).read_all() == b"private"

    anonymous = Principal(kind="staff", staff_id="", username="system")
    with pytest.raises(errors.Forbidden):
        upload(db, case.providers, entity, case.kind, case.setup, "", "x.txt", b"x", actor=anonymous, private=True)
    assert all(n.role is not NodeRole.PRIVATE for n in tree(db, case.providers, entity, actor=anonymous))


@pytest.mark.parametrize("folder, name", [
    ("..", "x.txt"), ("../..", "x.txt"), ("pcl/../../..", "x.txt"), ("/etc", "x.txt"), ("pcl//x", "x.txt"),
    ("pcl", ".."), ("pcl", "../escape.txt"), ("pcl", "/etc/passwd"), ("pcl", "a\x00b.txt"), ("pcl", "a\\b.txt"),
    ("pc\x00l", "x.txt"), ("pcl", "line\r\nDELE x"), (".private", "x.txt"), ("pcl", ".hidden"), ("pcl", "CON"),
    ("pcl", "a:stream"), ("pcl", ""), ("pcl", "x" * 300),
])
def test_path_traversal_and_bad_names_are_refused(db: Database, case: Case, tmp_path: Path, folder: str,
                                                  name: str) -> None:
    entity = _entity()
    with pytest.raises(errors.Invalid):
        upload(db, case.providers, entity, case.kind, case.setup, folder, name, b"evil", actor=ALICE)
    with pytest.raises(errors.Invalid):
        create_folder(db, case.providers, entity, case.kind, case.setup, f"{folder}/{name}", actor=ALICE)
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(document_node)
                            .where(document_node.c.entity_id == entity)).scalar() == 0
    if case.disk is not None:
        assert not (case.disk / "Entities" / entity).exists()
        assert not any(case.disk.parent.glob("**/escape.txt"))


@pytest.mark.parametrize("entity", ["../x", "a/b", "", "x" * 65, "a b"])
def test_an_entity_id_cannot_be_a_path(db: Database, case: Case, entity: str) -> None:
    with pytest.raises(errors.Invalid):
        upload(db, case.providers, entity, case.kind, case.setup, "", "a.txt", b"a", actor=ALICE)
    with pytest.raises(errors.Invalid):
        tree(db, case.providers, entity, actor=ALICE)


def test_oversized_uploads_are_refused_and_nothing_is_stored(db: Database, case: Case) -> None:
    entity = _entity()
    with pytest.raises(FileTooLarge) as caught:
        upload(db, case.providers, entity, case.kind, case.setup, "big", "a.bin", b"x" * 1001, actor=ALICE,
               max_bytes=1000)
    assert isinstance(caught.value, errors.Invalid)

    class Endless(io.RawIOBase):
        """A stream that never ends: the limit, not the stream, must stop the read."""

        read_bytes = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
            buffer[:] = b"y" * len(buffer)
            self.read_bytes += len(buffer)
            return len(buffer)

    endless = Endless()
    with pytest.raises(FileTooLarge):
        upload(db, case.providers, entity, case.kind, case.setup, "big", "b.bin", endless,  # type: ignore[arg-type]
               actor=ALICE, max_bytes=100_000)
    assert endless.read_bytes <= 100_001 + 65536
    ok = upload(db, case.providers, entity, case.kind, case.setup, "big", "c.bin", b"z" * 1000, actor=ALICE,
                max_bytes=1000)
    assert ok.size == 1000
    names = [f.name for n in tree(db, case.providers, entity, actor=ALICE) for f in n.files]
    assert names == ["c.bin"]


def test_same_name_is_a_conflict_unless_replaced_which_raises_the_revision(db: Database, case: Case) -> None:
    entity = _entity()
    first = upload(db, case.providers, entity, case.kind, case.setup, "", "a.txt", b"one", actor=ALICE)
    with pytest.raises(errors.Conflict):
        upload(db, case.providers, entity, case.kind, case.setup, "", "a.txt", b"two", actor=ALICE)
    second = upload(db, case.providers, entity, case.kind, case.setup, "", "a.txt", b"three!", actor=BOB,
                    replace=True)
    assert (second.id, second.revision, second.size) == (first.id, 1, 6)
    assert download(db, case.providers, first.id, actor=ALICE).read_all() == b"three!"
    with pytest.raises(errors.Conflict):  # a file is in the way of a folder
        upload(db, case.providers, entity, case.kind, case.setup, "a.txt", "b.txt", b"b", actor=ALICE)
    folder = create_folder(db, case.providers, entity, case.kind, case.setup, "empty/inner", actor=ALICE)
    assert folder.role is NodeRole.FOLDER and folder.description.endswith("inner")
    with pytest.raises(errors.Conflict):
        create_folder(db, case.providers, entity, case.kind, case.setup, "empty/inner", actor=ALICE)
    listed = _by_description(tree(db, case.providers, entity, actor=ALICE))
    prefix = f"{case.setup}:" if case.setup else ""
    assert listed[f"{prefix}inner"].id == folder.id
    assert listed[f"{prefix}inner"].parent_id == listed[f"{prefix}empty"].id


# --- per provider --------------------------------------------------------------------------------

def test_the_database_provider_keeps_contents_in_the_database(db: Database) -> None:
    entity = _entity()
    node = upload(db, Providers(), entity, "DB", "ignored: the Database provider has no setup items", "",
                  "page.html", b"<script>alert(1)</script>", actor=ALICE)
    with db.read() as conn:
        data = conn.execute(sa.select(document_content.c.data).where(document_content.c.node_id == node.id)).scalar()
    assert data == b"<script>alert(1)</script>"
    # Served as bytes, never as a page a browser would run in the server's origin.
    assert download(db, Providers(), node.id, actor=ALICE).content_type == "application/octet-stream"
    nodes = tree(db, Providers(), entity, actor=ALICE)
    assert [n.role for n in nodes] == [NodeRole.PROVIDER, NodeRole.PUBLIC, NodeRole.PRIVATE]
    assert nodes[1].parent_id == nodes[0].id  # no setup item between the provider and its folders


def test_files_put_on_the_storage_by_others_are_listed_with_stable_ids(db: Database, disk_case: Case) -> None:
    case = disk_case
    assert case.disk is not None
    entity = _entity()
    base = case.disk / "Entities" / entity
    (base / "scans").mkdir(parents=True)
    (base / "scans" / "Borland Delphi 7.msi").write_bytes(b"m" * 5000)
    (base / "scans" / ".DS_Store").write_bytes(b"litter")
    (base / "top.txt").write_bytes(b"t")
    nodes = tree(db, case.providers, entity, actor=ALICE)
    public = next(n for n in nodes if n.role is NodeRole.PUBLIC and n.provider is case.kind)
    scans = next(n for n in nodes if n.name == "scans")
    assert [f.name for f in public.files] == ["top.txt"]
    [msi] = scans.files
    assert (msi.size, msi.owner_id, msi.description) == (5000, None, f"{case.setup}:Borland Delphi 7.msi")
    assert download(db, case.providers, msi.id, actor=BOB).read_all() == b"m" * 5000
    assert [n.id for n in tree(db, case.providers, entity, actor=ALICE)] == [n.id for n in nodes]

    (base / "scans" / "Borland Delphi 7.msi").unlink()  # removed behind our back
    with pytest.raises(errors.NotFound):
        download(db, case.providers, msi.id, actor=ALICE)
    assert all(not n.files for n in tree(db, case.providers, entity, actor=ALICE) if n.name == "scans")


def test_a_symbolic_link_in_a_share_is_not_followed(db: Database, tmp_path: Path) -> None:
    share, outside = tmp_path / "share", tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd").write_text("root:x:0:0")
    entity = _entity()
    (share / "Entities" / entity).mkdir(parents=True)
    (share / "Entities" / entity / "link").symlink_to(outside)
    providers = Providers({ProviderKind.NETWORK_SHARE: (ShareSetup("Share1", share),)})
    nodes = tree(db, providers, entity, actor=ALICE, provider="networkshare")
    assert all(n.name != "link" for n in nodes)
    with pytest.raises(ProviderUnavailable):
        upload(db, providers, entity, "networkshare", "Share1", "link", "x.txt", b"x", actor=ALICE)
    assert sorted(p.name for p in outside.iterdir()) == ["passwd"]


def test_ftp_over_tls(db: Database, ftps_home: tuple[FtpSetup, Path]) -> None:
    setup, home = ftps_home
    providers = Providers({ProviderKind.FTP: (setup,)})
    entity = _entity()
    node = upload(db, providers, entity, "ftp", setup.name, "pcl", "file1.pdf", b"secure", actor=ALICE)
    assert (home / "Entities" / entity / "pcl" / "file1.pdf").read_bytes() == b"secure"
    assert download(db, providers, node.id, actor=ALICE).read_all() == b"secure"
    untrusted = Providers({ProviderKind.FTP: (FtpSetup(name=setup.name, host=setup.host, port=setup.port,
                                                      user=USER, password=PASSWORD, tls=True, timeout=5),)})
    with pytest.raises(ProviderUnavailable):  # a certificate nobody vouches for is refused
        tree(db, untrusted, entity, actor=ALICE, provider="ftp")


def test_ftp_without_mlsd_falls_back_to_nlst(db: Database, tmp_path: Path) -> None:
    server = FtpServerThread(tmp_path, mlsd=False)
    try:
        setup = FtpSetup(name="Old", host="127.0.0.1", port=server.port, user=USER, password=PASSWORD, timeout=10)
        providers = Providers({ProviderKind.FTP: (setup,)})
        entity = _entity()
        assert [n.role for n in tree(db, providers, entity, actor=ALICE, provider="ftp")] == [
            NodeRole.PROVIDER, NodeRole.SETUP, NodeRole.PUBLIC, NodeRole.PRIVATE]
        upload(db, providers, entity, "ftp", "Old", "a/b", "c.txt", b"0123456789", actor=ALICE)
        nodes = tree(db, providers, entity, actor=ALICE, provider="ftp")
        assert [n.name for n in nodes] == ["FTP", "Old", "Public", "a", "b", "Private"]
        assert [(f.name, f.size) for f in nodes[4].files] == [("c.txt", 10)]
        delete(db, providers, nodes[3].id, actor=ALICE)
        assert not (tmp_path / "Entities" / entity / "a").exists()
    finally:
        server.stop()


def test_ftp_wrong_password_is_a_clear_error_without_the_password(db: Database,
                                                                  ftp_home: tuple[FtpSetup, Path]) -> None:
    setup, _home = ftp_home
    wrong = Providers({ProviderKind.FTP: (FtpSetup(name="FTP_site", host=setup.host, port=setup.port, user=USER,
                                                   password="not-the-password", timeout=5),)})
    with pytest.raises(ProviderUnavailable) as caught:
        tree(db, wrong, _entity(), actor=ALICE, provider="FTP")
    assert "refused the login" in caught.value.message and "not-the-password" not in caught.value.message


def test_sftp_refuses_a_server_whose_host_key_is_not_the_configured_one(
        db: Database, sftp_home: tuple[SshFtpSetup, Path]) -> None:
    setup, home = sftp_home
    impostor = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
    wrong = Providers({ProviderKind.SSH_FTP: (SshFtpSetup(
        name=setup.name, host=setup.host, port=setup.port, user=USER, password=PASSWORD, host_key=impostor,
        timeout=5),)})
    entity = _entity()
    with pytest.raises(ProviderUnavailable) as caught:
        upload(db, wrong, entity, "sshftp", setup.name, "", "a.txt", b"a", actor=ALICE)
    assert "host key" in caught.value.message
    assert not (home / "Entities" / entity).exists()


def test_sftp_with_a_key_file(db: Database, sftp_home: tuple[SshFtpSetup, Path],
                              client_key: tuple[asyncssh.SSHKey, Path]) -> None:
    setup, home = sftp_home
    keyed = Providers({ProviderKind.SSH_FTP: (SshFtpSetup(
        name=setup.name, host=setup.host, port=setup.port, user=USER, key_file=client_key[1],
        host_key=setup.host_key, timeout=10),)})
    entity = _entity()
    node = upload(db, keyed, entity, "sshftp", setup.name, "k", "a.txt", b"by key", actor=ALICE)
    assert (home / "Entities" / entity / "k" / "a.txt").read_bytes() == b"by key"
    assert download(db, keyed, node.id, actor=ALICE).read_all() == b"by key"


# --- providers asked for -------------------------------------------------------------------------

def test_an_unknown_provider_is_ignored_when_listing_and_refused_when_writing(
        db: Database, ftp_home: tuple[FtpSetup, Path]) -> None:
    providers = Providers({ProviderKind.FTP: (ftp_home[0],)})
    entity = _entity()
    everything = tree(db, providers, entity, actor=ALICE, provider="gopher", setup="whatever")
    assert [n.description for n in everything if n.role is NodeRole.PROVIDER] == [
        "Database document provider", "FTP document provider"]
    with pytest.raises(errors.Invalid):
        upload(db, providers, entity, "gopher", None, "", "a.txt", b"a", actor=ALICE)


@pytest.mark.parametrize("provider", ["sharepoint", "Azure", "ftp", "sshftp", "NetworkShare"])
def test_a_provider_without_setup_items_is_not_configured(db: Database, provider: str) -> None:
    entity = _entity()
    with pytest.raises(ProviderNotConfigured) as caught:
        tree(db, Providers(), entity, actor=ALICE, provider=provider)
    assert isinstance(caught.value, errors.NotFound) and "not configured" in caught.value.message
    with pytest.raises(ProviderNotConfigured):
        upload(db, Providers(), entity, provider, "x", "", "a.txt", b"a", actor=ALICE)


def test_setup_filters_and_an_unknown_setup_is_not_configured(db: Database, tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    providers = Providers({ProviderKind.NETWORK_SHARE: (ShareSetup("One", one), ShareSetup("Two", two))})
    entity = _entity()
    upload(db, providers, entity, "networkshare", "two", "", "a.txt", b"a", actor=ALICE)
    only_two = tree(db, providers, entity, actor=ALICE, provider="NETWORKSHARE", setup="TWO")
    assert [n.description for n in only_two if n.role is NodeRole.SETUP] == ["Two"]
    assert [f.name for n in only_two for f in n.files] == ["a.txt"]
    setups = [n.description for n in tree(db, providers, entity, actor=ALICE, setup="Two")
              if n.role is NodeRole.SETUP]
    assert setups == ["One", "Two"]  # setup without provider: ignored
    with pytest.raises(ProviderNotConfigured):
        tree(db, providers, entity, actor=ALICE, provider="networkshare", setup="Three")
    with pytest.raises(errors.Invalid):
        upload(db, providers, entity, "networkshare", None, "", "a.txt", b"a", actor=ALICE)


def test_an_unreachable_server_leaves_the_others_listed(db: Database, tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    down = FtpSetup(name="Down", host="127.0.0.1", port=1, user=USER, password=PASSWORD, timeout=2)
    providers = Providers({ProviderKind.NETWORK_SHARE: (ShareSetup("Share1", share),), ProviderKind.FTP: (down,)})
    entity = _entity()
    nodes = tree(db, providers, entity, actor=ALICE)
    setup = next(n for n in nodes if n.role is NodeRole.SETUP and n.name == "Down")
    assert not setup.available and all(n.parent_id != setup.id for n in nodes)
    assert any(n.role is NodeRole.PUBLIC and n.provider is ProviderKind.NETWORK_SHARE for n in nodes)
    with pytest.raises(ProviderUnavailable):
        tree(db, providers, entity, actor=ALICE, provider="ftp")


# --- ids and actors ------------------------------------------------------------------------------

@pytest.mark.parametrize("file_id", ["0a2e64f0-32e5-4341-b5bd-d20f11ba39c7", "not-a-guid", "../../etc/passwd", ""])
def test_download_of_a_missing_id_is_not_found(db: Database, file_id: str) -> None:
    with pytest.raises(errors.NotFound):
        download(db, Providers(), file_id, actor=ALICE)
    with pytest.raises(errors.NotFound):
        delete(db, Providers(), file_id, actor=ALICE)


def test_a_folder_id_is_not_a_download_and_virtual_nodes_cannot_be_deleted(db: Database) -> None:
    entity = _entity()
    folder = create_folder(db, Providers(), entity, "db", None, "pcl", actor=ALICE)
    with pytest.raises(errors.NotFound):
        download(db, Providers(), folder.id, actor=ALICE)
    nodes = tree(db, Providers(), entity, actor=ALICE)
    for virtual in (n for n in nodes if n.role in (NodeRole.PROVIDER, NodeRole.PUBLIC, NodeRole.PRIVATE)):
        with pytest.raises(errors.NotFound):
            delete(db, Providers(), virtual.id, actor=ALICE)


def test_customer_keys_get_no_documents(db: Database) -> None:
    entity = _entity()
    node = upload(db, Providers(), entity, "db", None, "", "a.txt", b"a", actor=ALICE)
    with pytest.raises(errors.Forbidden):
        tree(db, Providers(), entity, actor=DEBTOR)
    with pytest.raises(errors.Forbidden):
        download(db, Providers(), node.id, actor=DEBTOR)
    with pytest.raises(errors.Forbidden):
        upload(db, Providers(), entity, "db", None, "", "b.txt", b"b", actor=DEBTOR)


def test_guid_entity_ids_are_one_entity_whatever_their_case(db: Database) -> None:
    entity = _entity()
    upload(db, Providers(), entity.upper(), "db", None, "", "a.txt", b"a", actor=ALICE)
    nodes = tree(db, Providers(), entity, actor=ALICE)
    assert nodes[0].entity_id == entity
    assert [f.name for n in nodes for f in n.files] == ["a.txt"]
