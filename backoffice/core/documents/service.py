"""Documents attached to records: the tree of an entity's folders and files, download, upload,
new folders and deletion, over every configured provider.

Layout, the same on every provider (paths below the setup item's root, or in the index for the
Database provider)::

    Entities/{EntityID}/{folder}/.../{file}                      the entity's Public folder
    Entities/{EntityID}/.private/{StaffID}/{folder}/.../{file}   one staff member's Private folder

Provider, setup item, Public and Private nodes are not stored: their ids are derived (UUID 5) from
what they stand for, so they are the same on every call. Every folder and file has a row in the
index (``tables.document_node``) whose id is derived from its place the same way, so a listing
that discovers a file another client put on an FTP server gives it the id the next listing, and
a download, will use.

Operations that talk to a server do it outside any database transaction and keep the
transactions short: a slow FTP server must not hold the database's write lock.
"""

from __future__ import annotations

import enum
import hashlib
import io
import logging
import mimetypes
import tempfile
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .. import clock
from ..auth.principal import Principal
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..store.db import Database, insert_unless_present
from .config import NOT_SUPPORTED, ProviderKind, Providers, Setup, parse_provider
from .paths import clean_entity_id, clean_folder_path, clean_name, name_problem, parse_node_id
from .storage import PRIVATE_DIR, Entry, Parts, ProviderUnavailable, open_session
from .tables import document_content, document_node

log = logging.getLogger("backoffice.documents")

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
_NAMESPACE = uuid.UUID("5b0e4a52-7d0c-4c67-9a4e-2f6f3c1f0d01")
# Types a browser would run or render in the page's origin: served as plain bytes instead.
_ACTIVE_TYPES = {"text/html", "application/xhtml+xml", "image/svg+xml", "text/javascript",
                 "application/javascript", "application/x-javascript", "text/xml", "application/xml",
                 "text/xsl", "application/x-shockwave-flash"}


class NodeKind(enum.IntEnum):
    """The Galaxy document's node kinds: every provider, setup item and folder is 102, a file 2."""

    FOLDER = 102
    FILE = 2


class NodeRole(enum.StrEnum):
    """What a node stands for (the Galaxy kind alone does not tell a provider from a folder)."""

    PROVIDER = "provider"
    SETUP = "setup"
    PUBLIC = "public"
    PRIVATE = "private"
    FOLDER = "folder"
    FILE = "file"


class ProviderNotConfigured(NotFound):
    """The provider (or its setup item) is not served here: SharePoint and Azure never are, the others
    when DocumentProviders.xml names no setup item for them."""

    code = "ProviderNotConfigured"


class FileTooLarge(Invalid):
    code = "FileTooLarge"


@dataclass
class DocumentNode:
    """One node of an entity's document tree. Folders carry their files in ``files``."""

    id: str
    parent_id: str | None
    entity_id: str
    role: NodeRole
    provider: ProviderKind
    setup: str | None
    name: str  # the node's own name: provider label, setup name, 'Public', 'Private', folder or file name
    description: str  # the seed's: the setup name and the name, 'FTP_site:pcl'
    path: str | None = None  # below the Public/Private folder, '/'-separated ('' for that folder itself)
    storage_path: str | None = None  # a file's '/Entities/{EntityID}/...' path on its provider
    private: bool = False
    owner_id: str | None = None
    size: int = 0
    revision: int = 0
    link_id: str | None = None
    content_type: str | None = None
    # False on a setup item whose server could not be reached: its folders are unknown, not empty.
    available: bool = True
    files: list[DocumentNode] = field(default_factory=list)

    @property
    def kind(self) -> NodeKind:
        return NodeKind.FILE if self.role is NodeRole.FILE else NodeKind.FOLDER


@dataclass
class DownloadedFile:
    """A file's name, the content type to serve it with, its size, and its content (the caller
    closes ``stream``)."""

    name: str
    content_type: str
    size: int
    stream: BinaryIO

    def read_all(self) -> bytes:
        with self.stream:
            return self.stream.read()


# --- ids and places ------------------------------------------------------------------------------

def _derived(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(parts)))


def provider_node_id(kind: ProviderKind) -> str:
    return _derived("provider", kind.value)


def setup_node_id(kind: ProviderKind, setup: str) -> str:
    return _derived("setup", kind.value, setup.lower())


def root_node_id(kind: ProviderKind, setup: str, entity_id: str, owner: str | None) -> str:
    """The Public folder's id (owner None) or one staff member's Private folder's id."""
    return _derived("private" if owner else "public", kind.value, setup.lower(), entity_id, owner or "")


def _locator(kind: ProviderKind, setup: str, entity_id: str, path: str) -> str:
    return hashlib.sha256("\x00".join((kind.value, setup.lower(), entity_id, path)).encode()).hexdigest()


def _node_id(kind: ProviderKind, setup: str, entity_id: str, path: str) -> str:
    return _derived("node", kind.value, setup.lower(), entity_id, path)


def _entity_dir(entity_id: str) -> Parts:
    return ("Entities", entity_id)


# --- who may act ---------------------------------------------------------------------------------

def _check_actor(actor: Principal) -> None:
    # Documents hang on any entity, and a customer's key is scoped to its own records only: there is
    # no way to tell which entities are the customer's, so customer keys get no documents at all.
    if actor.is_debtor:
        raise Forbidden("Documents are not available to customer (debtor) keys", code="Forbidden")


def _private_owner(actor: Principal) -> str:
    owner = actor.staff_id
    if not owner or name_problem(owner):
        raise Forbidden("Only a signed-in staff member can keep private documents", code="Forbidden")
    return owner


def _visible(row: Any, actor: Principal) -> bool:
    return not row.private or (bool(actor.staff_id) and row.owner_id == actor.staff_id)


# --- providers and setups ------------------------------------------------------------------------

def _require_provider(providers: Providers, provider: ProviderKind | str | None) -> ProviderKind:
    kind = provider if isinstance(provider, ProviderKind) else parse_provider(provider)
    if kind is None:
        raise Invalid.field("Provider", f"Unknown document provider {provider!r}; use db, networkshare, ftp or "
                            "sshftp", code="InvalidProvider")
    _check_configured(providers, kind)
    return kind


def _check_configured(providers: Providers, kind: ProviderKind) -> None:
    if kind in NOT_SUPPORTED:
        raise ProviderNotConfigured(f"The {kind.label} document provider is not configured on this server")
    if kind not in providers.configured():
        raise ProviderNotConfigured(f"The {kind.label} document provider is not configured on this server "
                                    "(DocumentProviders.xml has no setup item for it)")


def _require_setup(providers: Providers, kind: ProviderKind, setup: str | None) -> Setup | None:
    """The setup item for an operation on ``kind`` (None for the Database provider, which has none)."""
    if kind is ProviderKind.DATABASE:
        return None
    if not setup:
        raise Invalid.field("Setup", f"Name the {kind.label} setup item to use", code="Required")
    found = providers.find(kind, setup)
    if found is None:
        raise ProviderNotConfigured(f"The {kind.label} document provider has no setup item {setup!r}")
    return found


def _setup_key(setup: Setup | None) -> str:
    return setup.name if setup is not None else ""


# --- the index -----------------------------------------------------------------------------------

def _rows_of(conn: Connection, kind: ProviderKind, setup: str, entity_id: str) -> list[Any]:
    t = document_node
    return list(conn.execute(sa.select(t).where(t.c.provider == kind.value, t.c.setup == setup,
                                                t.c.entity_id == entity_id)))


def _insert_missing(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert index rows, leaving any that another request inserted first (same place, same id)."""
    if not rows:
        return
    conn.execute(insert_unless_present(conn, document_node), rows)


def _index_row(kind: ProviderKind, setup: str, entity_id: str, path: Parts, *, is_folder: bool, size: int = 0,
               owner: str | None = None, content_type: str | None = None) -> dict[str, Any]:
    text = "/".join(path)
    private = path[0] == PRIVATE_DIR
    now = clock.now()
    return {
        "node_id": _node_id(kind, setup, entity_id, text), "provider": kind.value, "setup": setup,
        "entity_id": entity_id, "path": text, "locator_hash": _locator(kind, setup, entity_id, text),
        "is_folder": is_folder, "private": private, "owner_id": path[1] if private else owner,
        "size": size, "revision": 0, "link_id": None, "content_type": content_type,
        "created_at": now, "updated_at": now,
    }


def _sync_index(db: Database, kind: ProviderKind, setup: str, entity_id: str, entries: list[Entry]) -> list[Any]:
    """Make the index agree with a provider's listing; returns the index rows after that. Most
    listings change nothing, and then no write transaction is opened at all."""
    listed = {"/".join(e.path): e for e in entries if not _is_private_root(e.path)}
    with db.read() as conn:
        rows = _rows_of(conn, kind, setup, entity_id)
    if not any(_differences(rows, listed)):
        return rows
    with db.write() as conn:
        rows = _rows_of(conn, kind, setup, entity_id)
        gone, missing, changed = _differences(rows, listed)
        if gone:
            conn.execute(sa.delete(document_node).where(document_node.c.node_id.in_(gone)))
        _insert_missing(conn, [_index_row(kind, setup, entity_id, e.path, is_folder=e.is_folder, size=e.size)
                               for e in missing])
        for node_id, e in changed:
            conn.execute(sa.update(document_node).where(document_node.c.node_id == node_id)
                         .values(size=e.size, is_folder=e.is_folder, updated_at=clock.now()))
        return _rows_of(conn, kind, setup, entity_id)


def _differences(rows: list[Any], listed: dict[str, Entry]) -> tuple[list[str], list[Entry], list[tuple[str, Entry]]]:
    """Index rows no longer listed, listed places not indexed, and rows whose size or kind changed."""
    by_path = {row.path: row for row in rows}
    gone = [row.node_id for row in rows if row.path not in listed]
    missing = [e for path, e in listed.items() if path not in by_path]
    changed = [(by_path[path].node_id, e) for path, e in listed.items()
               if path in by_path and (by_path[path].size != e.size or by_path[path].is_folder != e.is_folder)]
    return gone, missing, changed


def _is_private_root(path: Parts) -> bool:
    return path[0] == PRIVATE_DIR and len(path) <= 2


def _under(rows: Iterable[Any], prefix: str) -> list[Any]:
    """Rows at ``prefix`` or below it (compared exactly: SQL LIKE ignores case on SQLite)."""
    return [r for r in rows if r.path == prefix or r.path.startswith(prefix + "/")]


# --- the tree ------------------------------------------------------------------------------------

def tree(db: Database, providers: Providers, entity_id: str, *, actor: Principal,
         provider: ProviderKind | str | None = None, setup: str | None = None) -> list[DocumentNode]:
    """The entity's document tree as the Galaxy document lists it: each provider, its setup items,
    their Public folder and the actor's own Private folder, then the subfolders depth first, each
    folder holding its files. Without ``provider`` every configured provider is listed and a setup
    item whose server is unreachable appears with ``available=False``; a ``provider`` value that
    names no provider is ignored (the seed's rule), SharePoint, Azure or a provider without setup
    items raise ProviderNotConfigured, and so does an unknown ``setup`` (used only with ``provider``).
    """
    _check_actor(actor)
    entity = clean_entity_id(entity_id)
    kind = provider if isinstance(provider, ProviderKind) else parse_provider(provider)
    if kind is not None:
        _check_configured(providers, kind)
        kinds = [kind]
    else:
        kinds = providers.configured()
        setup = None
    wanted_setup = _require_setup(providers, kind, setup) if kind and setup else None
    nodes: list[DocumentNode] = []
    for k in kinds:
        provider_id = provider_node_id(k)
        nodes.append(DocumentNode(id=provider_id, parent_id=None, entity_id=entity, role=NodeRole.PROVIDER,
                                  provider=k, setup=None, name=k.label,
                                  description=f"{k.label} document provider"))
        if k is ProviderKind.DATABASE:
            with db.read() as conn:
                rows = _rows_of(conn, k, "", entity)
            nodes.extend(_roots(k, None, entity, rows, actor, parent_id=provider_id))
            continue
        for item in providers.setups_of(k):
            if wanted_setup is not None and item is not wanted_setup:
                continue
            setup_id = setup_node_id(k, item.name)
            setup_node = DocumentNode(id=setup_id, parent_id=provider_id, entity_id=entity, role=NodeRole.SETUP,
                                      provider=k, setup=item.name, name=item.name, description=item.name)
            nodes.append(setup_node)
            try:
                with open_session(item) as session:
                    entries = session.walk(_entity_dir(entity))
            except ProviderUnavailable as exc:
                if kind is not None:
                    raise
                # One server down must not hide every other provider's documents.
                log.warning("Documents: %s", exc.message)
                setup_node.available = False
                continue
            rows = _sync_index(db, k, item.name, entity, entries)
            nodes.extend(_roots(k, item.name, entity, rows, actor, parent_id=setup_id))
    return nodes


def _roots(kind: ProviderKind, setup: str | None, entity: str, rows: list[Any], actor: Principal, *,
           parent_id: str) -> list[DocumentNode]:
    """The Public folder and the actor's Private folder with everything below them, in tree order."""
    out: list[DocumentNode] = []
    owner = actor.staff_id if actor.staff_id and not name_problem(actor.staff_id) else None
    public_rows = [r for r in rows if not r.private]
    out.extend(_subtree(kind, setup, entity, public_rows, (), owner=None, parent_id=parent_id))
    if owner is not None:
        private_rows = [r for r in rows if r.private and r.owner_id == owner]
        out.extend(_subtree(kind, setup, entity, private_rows, (PRIVATE_DIR, owner), owner=owner,
                            parent_id=parent_id))
    return out


def _subtree(kind: ProviderKind, setup: str | None, entity: str, rows: list[Any], prefix: Parts, *,
             owner: str | None, parent_id: str) -> list[DocumentNode]:
    setup_key = setup or ""
    root = DocumentNode(
        id=root_node_id(kind, setup_key, entity, owner), parent_id=parent_id, entity_id=entity,
        role=NodeRole.PRIVATE if owner else NodeRole.PUBLIC, provider=kind, setup=setup,
        name="Private" if owner else "Public", description="Private" if owner else "Public", path="",
        private=owner is not None, owner_id=owner)
    folders: dict[Parts, DocumentNode] = {(): root}
    children: dict[Parts, list[Parts]] = {(): []}
    by_rel = sorted(((tuple(r.path.split("/"))[len(prefix):], r) for r in rows),
                    key=lambda item: tuple(p.casefold() for p in item[0]))
    for rel, row in by_rel:
        if not rel:
            continue
        parent = rel[:-1]
        while parent not in folders:  # a file whose folder row is missing hangs on the nearest folder
            parent = parent[:-1]
        node = _node_from_row(row, rel, kind, setup, entity, parent_id=folders[parent].id)
        if row.is_folder:
            folders[rel] = node
            children[rel] = []
            children[parent].append(rel)
        else:
            folders[parent].files.append(node)
    out: list[DocumentNode] = []

    def emit(rel: Parts) -> None:
        out.append(folders[rel])
        for child in children[rel]:
            emit(child)

    emit(())
    return out


def _node_from_row(row: Any, rel: Parts, kind: ProviderKind, setup: str | None, entity: str, *,
                   parent_id: str) -> DocumentNode:
    name = rel[-1]
    return DocumentNode(
        id=row.node_id, parent_id=parent_id, entity_id=entity,
        role=NodeRole.FOLDER if row.is_folder else NodeRole.FILE, provider=kind, setup=setup, name=name,
        description=f"{setup}:{name}" if setup else name, path="/".join(rel),
        storage_path=None if row.is_folder else "/" + "/".join((*_entity_dir(entity), row.path)),
        private=bool(row.private), owner_id=row.owner_id, size=0 if row.is_folder else int(row.size),
        revision=int(row.revision), link_id=row.link_id,
        content_type=None if row.is_folder else (row.content_type or content_type_for(name)))


# --- download ------------------------------------------------------------------------------------

def content_type_for(name: str) -> str:
    """The type to serve a file with: guessed from its name, but never one a browser would run or
    render as a page (those come as application/octet-stream)."""
    guessed, encoding = mimetypes.guess_type(name, strict=False)
    if guessed is None or encoding is not None or guessed in _ACTIVE_TYPES:
        return "application/octet-stream"
    return guessed


def _find(db: Database, node_id: str, actor: Principal) -> Any:
    key = parse_node_id(node_id)
    row = None
    if key is not None:
        with db.read() as conn:
            row = conn.execute(sa.select(document_node).where(document_node.c.node_id == key)).first()
    # Someone else's private document answers exactly as a missing one: its existence is private too.
    if row is None or not _visible(row, actor):
        raise NotFound(f"No document with ID {node_id}", code="DocumentNotFound")
    return row


def download(db: Database, providers: Providers, file_id: str, *, actor: Principal) -> DownloadedFile:
    """A file's content by its id. A folder's id, another staff member's private file, or an id that
    names nothing raise NotFound; a file that vanished from its server is dropped from the index."""
    _check_actor(actor)
    row = _find(db, file_id, actor)
    if row.is_folder:
        raise NotFound(f"Document {file_id} is a folder, not a file", code="DocumentNotFound")
    kind = ProviderKind(row.provider)
    name = row.path.rsplit("/", 1)[-1]
    content_type = row.content_type or content_type_for(name)
    if kind is ProviderKind.DATABASE:
        with db.read() as conn:
            data = conn.execute(sa.select(document_content.c.data)
                                .where(document_content.c.node_id == row.node_id)).scalar_one_or_none()
        if data is None:
            raise NotFound(f"No document with ID {file_id}", code="DocumentNotFound")
        return DownloadedFile(name, content_type, len(data), io.BytesIO(data))
    _check_configured(providers, kind)
    item = _require_setup(providers, kind, row.setup)
    assert item is not None
    try:
        with open_session(item) as session:
            stream = session.read((*_entity_dir(row.entity_id), *row.path.split("/")))
    except FileNotFoundError:
        with db.write() as conn:
            conn.execute(sa.delete(document_node).where(document_node.c.node_id == row.node_id))
        raise NotFound(f"Document {file_id} is no longer on its provider", code="DocumentNotFound") from None
    size = stream.seek(0, io.SEEK_END)
    stream.seek(0)
    return DownloadedFile(name, content_type, size, stream)


# --- upload and new folders ----------------------------------------------------------------------

def _spool_limited(data: bytes | BinaryIO, max_bytes: int) -> tuple[BinaryIO, int]:
    """The upload as a rewound stream and its size; FileTooLarge past ``max_bytes`` (a stream is read
    no further than one byte past the limit)."""
    too_large = FileTooLarge(f"The file is larger than the limit of {max_bytes} bytes",
                             [], code="FileTooLarge")
    if isinstance(data, bytes | bytearray | memoryview):
        if len(data) > max_bytes:
            raise too_large
        return io.BytesIO(bytes(data)), len(data)
    spool = tempfile.SpooledTemporaryFile(max_size=1 << 20)
    size = 0
    try:
        while chunk := data.read(min(1 << 16, max_bytes + 1 - size)):
            size += len(chunk)
            if size > max_bytes:
                raise too_large
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool, size  # type: ignore[return-value]


@dataclass(frozen=True)
class _Target:
    kind: ProviderKind
    setup: Setup | None
    entity: str
    prefix: Parts  # () for Public, ('.private', owner) for Private
    folder: Parts
    owner: str | None

    @property
    def setup_key(self) -> str:
        return _setup_key(self.setup)


def _target(providers: Providers, entity_id: str, provider: ProviderKind | str, setup: str | None,
            folder_path: str | None, actor: Principal, private: bool) -> _Target:
    _check_actor(actor)
    kind = _require_provider(providers, provider)
    item = _require_setup(providers, kind, setup)
    entity = clean_entity_id(entity_id)
    folder = clean_folder_path(folder_path)
    owner = _private_owner(actor) if private else (actor.staff_id or None)
    prefix: Parts = (PRIVATE_DIR, owner) if private and owner else ()
    return _Target(kind, item, entity, prefix, folder, owner)


def _folder_rows(target: _Target, folder: Parts) -> list[dict[str, Any]]:
    return [_index_row(target.kind, target.setup_key, target.entity, target.prefix + folder[:depth],
                       is_folder=True, owner=target.owner)
            for depth in range(1, len(folder) + 1)]


def _row_at(conn: Connection, target: _Target, path: Parts) -> Any:
    text = "/".join(path)
    return conn.execute(sa.select(document_node).where(
        document_node.c.locator_hash == _locator(target.kind, target.setup_key, target.entity, text))).first()


def _check_folder_path(conn: Connection, target: _Target, folder: Parts) -> None:
    for depth in range(1, len(folder) + 1):
        row = _row_at(conn, target, target.prefix + folder[:depth])
        if row is not None and not row.is_folder:
            raise Conflict(f"{'/'.join(folder[:depth])} is a file, not a folder", code="Conflict")


def upload(db: Database, providers: Providers, entity_id: str, provider: ProviderKind | str, setup: str | None,
           folder_path: str | None, file_name: str, data: bytes | BinaryIO, *, actor: Principal,
           private: bool = False, replace: bool = False, max_bytes: int = DEFAULT_MAX_BYTES) -> DocumentNode:
    """Store a file in the entity's Public folder (or the actor's Private one) under ``folder_path``
    ('pcl/2024', '' for the folder itself), creating missing folders; returns the file's node.

    A file of that name already there is a Conflict unless ``replace``, which overwrites it and
    raises its revision by one. Data past ``max_bytes`` is FileTooLarge; names are checked by
    ``paths.clean_name``; Database uploads need no ``setup``, the other providers name one.
    """
    target = _target(providers, entity_id, provider, setup, folder_path, actor, private)
    name = clean_name(file_name)
    path = target.prefix + target.folder + (name,)
    stream, size = _spool_limited(data, max_bytes)
    content_type = content_type_for(name)
    with stream:
        if target.kind is ProviderKind.DATABASE:
            with db.write() as conn:
                _check_folder_path(conn, target, target.folder)
                existing = _row_at(conn, target, path)
                _check_replace(existing, path, replace)
                _insert_missing(conn, _folder_rows(target, target.folder))
                content = stream.read()
                node_id = _store_file_row(conn, target, path, existing, size, content_type)
                if existing is not None:
                    conn.execute(sa.update(document_content).where(document_content.c.node_id == node_id)
                                 .values(data=content))
                else:
                    conn.execute(sa.insert(document_content).values(node_id=node_id, data=content))
                row = conn.execute(sa.select(document_node).where(document_node.c.node_id == node_id)).one()
        else:
            assert target.setup is not None
            with open_session(target.setup) as session:
                full = _entity_dir(target.entity) + path
                for depth in range(len(_entity_dir(target.entity)) + len(target.prefix) + 1, len(full)):
                    if session.kind_of(full[:depth]) == "file":
                        raise Conflict(f"{'/'.join(full[depth - 1:depth])} is a file, not a folder", code="Conflict")
                current = session.kind_of(full)
                if current == "folder":
                    raise Conflict(f"{'/'.join(target.folder + (name,))} is a folder", code="Conflict")
                if current == "file" and not replace:
                    raise Conflict(f"A file {name!r} is already in that folder", code="DocumentExists")
                session.write(full, stream)
            with db.write() as conn:
                existing = _row_at(conn, target, path)
                _insert_missing(conn, _folder_rows(target, target.folder))
                node_id = _store_file_row(conn, target, path, existing, size, content_type,
                                          replaced=current == "file")
                row = conn.execute(sa.select(document_node).where(document_node.c.node_id == node_id)).one()
    return _node_from_row(row, target.folder + (name,), target.kind, target.setup.name if target.setup else None,
                          target.entity, parent_id=_parent_id(target, target.folder))


def _check_replace(existing: Any, path: Parts, replace: bool) -> None:
    if existing is None:
        return
    if existing.is_folder:
        raise Conflict(f"{path[-1]} is a folder", code="Conflict")
    if not replace:
        raise Conflict(f"A file {path[-1]!r} is already in that folder", code="DocumentExists")


def _store_file_row(conn: Connection, target: _Target, path: Parts, existing: Any, size: int, content_type: str,
                    *, replaced: bool = True) -> str:
    if existing is None:
        row = _index_row(target.kind, target.setup_key, target.entity, path, is_folder=False, size=size,
                         owner=target.owner, content_type=content_type)
        _insert_missing(conn, [row])
        return str(row["node_id"])
    conn.execute(sa.update(document_node).where(document_node.c.node_id == existing.node_id).values(
        size=size, content_type=content_type, updated_at=clock.now(),
        revision=document_node.c.revision + (1 if replaced else 0),
        owner_id=sa.func.coalesce(document_node.c.owner_id, target.owner)))
    return str(existing.node_id)


def _parent_id(target: _Target, folder: Parts) -> str:
    if not folder:
        return root_node_id(target.kind, target.setup_key, target.entity, target.prefix[1] if target.prefix else None)
    return _node_id(target.kind, target.setup_key, target.entity, "/".join(target.prefix + folder))


def create_folder(db: Database, providers: Providers, entity_id: str, provider: ProviderKind | str,
                  setup: str | None, folder_path: str, *, actor: Principal, private: bool = False) -> DocumentNode:
    """Create ``folder_path`` (and any missing parents) in the entity's Public folder or the actor's
    Private one; returns the new folder's node. A folder or file already at that path is a Conflict."""
    target = _target(providers, entity_id, provider, setup, folder_path, actor, private)
    if not target.folder:
        raise Invalid.field("Folder", "Name the folder to create", code="Required")
    path = target.prefix + target.folder
    if target.kind is ProviderKind.DATABASE:
        with db.write() as conn:
            _check_folder_path(conn, target, target.folder[:-1])
            if _row_at(conn, target, path) is not None:
                raise Conflict(f"{'/'.join(target.folder)} already exists", code="DocumentExists")
            _insert_missing(conn, _folder_rows(target, target.folder))
            row = _row_at(conn, target, path)
    else:
        assert target.setup is not None
        with open_session(target.setup) as session:
            full = _entity_dir(target.entity) + path
            if session.kind_of(full) is not None:
                raise Conflict(f"{'/'.join(target.folder)} already exists", code="DocumentExists")
            try:
                session.make_folders(full)
            except FileExistsError as exc:
                raise Conflict(f"{exc} is a file, not a folder", code="Conflict") from None
        with db.write() as conn:
            _insert_missing(conn, _folder_rows(target, target.folder))
            row = _row_at(conn, target, path)
    return _node_from_row(row, target.folder, target.kind, target.setup.name if target.setup else None,
                          target.entity, parent_id=_parent_id(target, target.folder[:-1]))


# --- delete --------------------------------------------------------------------------------------

def delete(db: Database, providers: Providers, node_id: str, *, actor: Principal) -> None:
    """Delete a file, or a folder with everything in it. Provider, setup, Public and Private nodes
    cannot be deleted (they are not documents: NotFound), nor another staff member's private ones."""
    _check_actor(actor)
    row = _find(db, node_id, actor)
    kind = ProviderKind(row.provider)
    if kind is not ProviderKind.DATABASE:
        _check_configured(providers, kind)
        item = _require_setup(providers, kind, row.setup)
        assert item is not None
        try:
            with open_session(item) as session:
                session.remove((*_entity_dir(row.entity_id), *row.path.split("/")), row.is_folder)
        except FileNotFoundError:
            pass  # already gone from the server: the index forgets it below
    with db.write() as conn:
        rows = _under(conn.execute(sa.select(document_node.c.node_id, document_node.c.path).where(
            document_node.c.provider == row.provider, document_node.c.setup == row.setup,
            document_node.c.entity_id == row.entity_id,
            document_node.c.path.startswith(row.path, autoescape=True))), row.path)
        ids = [r.node_id for r in rows]
        for chunk in _chunks(ids, 500):
            conn.execute(sa.delete(document_content).where(document_content.c.node_id.in_(chunk)))
            conn.execute(sa.delete(document_node).where(document_node.c.node_id.in_(chunk)))


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
