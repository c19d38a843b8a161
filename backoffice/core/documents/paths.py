"""Names and paths inside a provider: the one place that decides what may reach a file system or a server.

Every provider builds its paths from components that passed ``clean_name``, so a request can never
climb out of an entity's directory (``..``), start at a server's root (``/etc``), smuggle a NUL or a
control character into a protocol line, or use a name a Windows share would read differently
(``a:b`` is an alternate data stream there, ``CON`` a device).
"""

from __future__ import annotations

import re
import unicodedata
import uuid

from ..errors import Invalid

MAX_NAME = 255  # bytes of UTF-8: what ext4, NTFS and every FTP/SFTP server we know accept
MAX_DEPTH = 16
MAX_PATH = 1024

# '/' and '\\' separate paths somewhere; the rest are refused by Windows shares, and a leading '.'
# covers '.', '..' and our reserved '.private' directory (and hides editor and OS litter).
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f/\\<>:"|?*]')
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                    *(f"LPT{i}" for i in range(1, 10))}
_ENTITY_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be one component of a document path, or None if it can."""
    if not name:
        return "is empty"
    if len(name.encode("utf-8")) > MAX_NAME:
        return f"is longer than {MAX_NAME} bytes"
    if _FORBIDDEN.search(name):
        return 'contains a path separator, a control character or one of < > : " | ? *'
    if name.startswith("."):
        return "starts with a dot"
    if name != name.strip() or name.endswith("."):
        return "starts or ends with a space, or ends with a dot"
    if name.split(".")[0].upper() in _WINDOWS_DEVICES:
        return "is a reserved device name"
    return None


def clean_name(name: str, field: str = "FileName") -> str:
    """``name`` in Unicode NFC form if it is a safe single path component; Invalid otherwise."""
    if not isinstance(name, str):
        raise Invalid.field(field, f"{field} must be text")
    normal = unicodedata.normalize("NFC", name)
    problem = name_problem(normal)
    if problem:
        raise Invalid.field(field, f"{field} {problem}", code="InvalidName")
    return normal


def clean_folder_path(path: str | None, field: str = "Folder") -> tuple[str, ...]:
    """A folder path below the Public or Private folder, as its components (``()`` for that folder itself).

    Components are separated by '/'. An absolute path, an empty component ('a//b'), or any component
    ``clean_name`` refuses makes the whole path Invalid: a path is never silently repaired.
    """
    if path is None or path == "":
        return ()
    if not isinstance(path, str):
        raise Invalid.field(field, f"{field} must be text")
    if len(path) > MAX_PATH:
        raise Invalid.field(field, f"{field} is longer than {MAX_PATH} characters", code="InvalidName")
    if path.startswith("/"):
        raise Invalid.field(field, f"{field} must be relative (it starts with '/')", code="InvalidName")
    parts = path.split("/")
    if len(parts) > MAX_DEPTH:
        raise Invalid.field(field, f"{field} is deeper than {MAX_DEPTH} folders", code="InvalidName")
    return tuple(clean_name(part, field) for part in parts)


def clean_entity_id(entity_id: str) -> str:
    """The entity id as it is used in paths: a GUID in its canonical lower-case form, otherwise the
    id itself if it is made of letters, digits, '_' and '-' only (every key this server hands out)."""
    if not isinstance(entity_id, str) or not entity_id:
        raise Invalid.field("EntityID", "EntityID is required")
    try:
        return str(uuid.UUID(entity_id))
    except ValueError:
        pass
    if not _ENTITY_ID.match(entity_id):
        raise Invalid.field("EntityID", "EntityID may hold only letters, digits, '_' and '-' (at most 64)",
                            code="InvalidName")
    return entity_id


def parse_node_id(node_id: str) -> str | None:
    """A node id in canonical lower-case GUID form, or None if it is not a GUID (GUIDs compare
    case-insensitively: the seed itself writes one provider id in upper case)."""
    try:
        return str(uuid.UUID(str(node_id)))
    except ValueError:
        return None
