"""Which document providers this server serves: ``<config_dir>/DocumentProviders.xml``.

The file lists the providers' setup items; the Database provider needs none and is always there.
A file that is present but wrong stops the caller with ``ProviderConfigError`` naming the file,
the line and the problem: a server must not start with a document store silently missing.
"""

from __future__ import annotations

import base64
import binascii
import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lxml import etree

from ...wire import safexml

FILE_NAME = "DocumentProviders.xml"
MAX_FILE_BYTES = 1 << 20


class ProviderKind(enum.StrEnum):
    """The document providers of the Galaxy document, by the values its ``provider`` parameter takes."""

    DATABASE = "db"
    NETWORK_SHARE = "networkshare"
    FTP = "ftp"
    SSH_FTP = "sshftp"
    SHAREPOINT = "sharepoint"
    AZURE = "azure"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    ProviderKind.DATABASE: "Database", ProviderKind.NETWORK_SHARE: "Network share", ProviderKind.FTP: "FTP",
    ProviderKind.SSH_FTP: "SSH FTP", ProviderKind.SHAREPOINT: "SharePoint", ProviderKind.AZURE: "Azure",
}
# Spellings accepted for a provider, in the ``provider`` parameter and in the file's Kind attribute.
_ALIASES = {
    "db": ProviderKind.DATABASE, "database": ProviderKind.DATABASE,
    "networkshare": ProviderKind.NETWORK_SHARE, "network share": ProviderKind.NETWORK_SHARE,
    "ftp": ProviderKind.FTP, "sshftp": ProviderKind.SSH_FTP, "ssh ftp": ProviderKind.SSH_FTP,
    "sftp": ProviderKind.SSH_FTP, "sharepoint": ProviderKind.SHAREPOINT, "azure": ProviderKind.AZURE,
}
# Serving order in a document tree.
ORDER = (ProviderKind.DATABASE, ProviderKind.NETWORK_SHARE, ProviderKind.FTP, ProviderKind.SSH_FTP)
# Known to the Galaxy document, served by no code here: asking for them is "provider not configured".
NOT_SUPPORTED = (ProviderKind.SHAREPOINT, ProviderKind.AZURE)


def parse_provider(value: str | None) -> ProviderKind | None:
    """The provider a ``provider`` value names (case-insensitive), or None for a value that names none."""
    if not value:
        return None
    return _ALIASES.get(value.strip().lower())


class ProviderConfigError(ValueError):
    """The providers file is unreadable or wrong; the message names the file and the problem."""


@dataclass(frozen=True)
class ShareSetup:
    """A directory (typically a mounted network share) holding ``Entities/{EntityID}/...``."""

    name: str
    path: Path


@dataclass(frozen=True)
class FtpSetup:
    name: str
    host: str
    port: int = 21
    user: str = "anonymous"
    password: str = field(default="", repr=False)
    root: str = "/"
    passive: bool = True
    tls: bool = False  # explicit FTPS (AUTH TLS), data channel protected too
    ca_file: Path | None = None  # the CA certificates to trust instead of the system's (a private CA)
    timeout: float = 30.0


@dataclass(frozen=True)
class SshFtpSetup:
    name: str
    host: str
    host_key: str  # "ssh-ed25519 AAAA...": the server must present exactly this key
    port: int = 22
    user: str = ""
    password: str = field(default="", repr=False)
    key_file: Path | None = None
    key_passphrase: str = field(default="", repr=False)
    root: str = "/"
    timeout: float = 30.0


Setup = ShareSetup | FtpSetup | SshFtpSetup


@dataclass(frozen=True)
class Providers:
    """The configured setup items per provider (Database has none and is always served)."""

    setups: dict[ProviderKind, tuple[Setup, ...]] = field(default_factory=dict)

    def configured(self) -> list[ProviderKind]:
        """Providers served, in tree order: Database, then those with at least one setup."""
        return [kind for kind in ORDER if kind is ProviderKind.DATABASE or self.setups.get(kind)]

    def setups_of(self, kind: ProviderKind) -> tuple[Setup, ...]:
        return self.setups.get(kind, ())

    def find(self, kind: ProviderKind, name: str) -> Setup | None:
        """The setup item called ``name`` (case-insensitive) of ``kind``."""
        wanted = name.strip().lower()
        return next((s for s in self.setups_of(kind) if s.name.lower() == wanted), None)


DATABASE_ONLY = Providers()

_SETUP_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9 _.-]{0,99}$")
_HOST_KEY = re.compile(r"^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521) "
                       r"([A-Za-z0-9+/=]+)$")
_ATTRIBUTES = {
    ProviderKind.NETWORK_SHARE: ({"Name", "Path"}, {"Name", "Path"}),
    ProviderKind.FTP: ({"Name", "Host"}, {"Name", "Host", "Port", "User", "Password", "Root", "Passive", "TLS",
                                          "CAFile", "Timeout"}),
    ProviderKind.SSH_FTP: ({"Name", "Host", "HostKey"}, {"Name", "Host", "Port", "User", "Password", "KeyFile",
                                                         "KeyPassphrase", "HostKey", "Root", "Timeout"}),
}


def load_providers(config_dir: Path) -> Providers:
    """Read ``<config_dir>/DocumentProviders.xml``; without that file only the Database provider is served."""
    path = Path(config_dir) / FILE_NAME
    if not path.exists():
        return DATABASE_ONLY
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProviderConfigError(f"{path}: cannot be read ({exc.strerror})") from exc
    return parse_providers(data, source=str(path))


def parse_providers(data: bytes, *, source: str = FILE_NAME) -> Providers:
    """Parse and validate a providers document; ``source`` names it in error messages."""
    def fail(problem: str, element: etree._Element | None = None) -> ProviderConfigError:
        where = f" (line {element.sourceline})" if element is not None and element.sourceline else ""
        return ProviderConfigError(f"{source}{where}: {problem}")

    if len(data) > MAX_FILE_BYTES:
        raise fail(f"is larger than {MAX_FILE_BYTES} bytes")
    try:
        root = safexml.parse(data)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    if safexml.local_name(root) != "DocumentProviders":
        raise fail(f"the root element must be <DocumentProviders>, not <{safexml.local_name(root)}>", root)
    setups: dict[ProviderKind, list[Setup]] = {}
    for provider in root:
        if not isinstance(provider.tag, str):
            continue  # a comment or processing instruction
        if safexml.local_name(provider) != "Provider":
            raise fail(f"unexpected element <{safexml.local_name(provider)}>; only <Provider> may appear here",
                       provider)
        kind_text = provider.get("Kind")
        kind = parse_provider(kind_text)
        if kind is None:
            raise fail(f"unknown provider Kind {kind_text!r}; use NetworkShare, FTP or SSHFTP", provider)
        if kind is ProviderKind.DATABASE:
            raise fail("the Database provider is always served and has no setup items; remove it", provider)
        if kind in NOT_SUPPORTED:
            raise fail(f"the {kind.label} provider is not supported by this server", provider)
        if set(provider.attrib) - {"Kind"}:
            raise fail(f"<Provider> takes only Kind, not {sorted(set(provider.attrib) - {'Kind'})}", provider)
        items = setups.setdefault(kind, [])
        for element in provider:
            if not isinstance(element.tag, str):
                continue
            if safexml.local_name(element) != "Setup":
                raise fail(f"unexpected element <{safexml.local_name(element)}> in a {kind.label} provider; "
                           "use <Setup>", element)
            setup = _setup(kind, element, fail)
            if any(s.name.lower() == setup.name.lower() for s in items):
                raise fail(f"{kind.label} setup {setup.name!r} is defined twice", element)
            items.append(setup)
    return Providers({kind: tuple(items) for kind, items in setups.items() if items})


def _setup(kind: ProviderKind, element: etree._Element,
           fail: Callable[[str, etree._Element], ProviderConfigError]) -> Setup:
    required, allowed = _ATTRIBUTES[kind]
    attrs = dict(element.attrib)
    missing = sorted(required - set(attrs))
    if missing:
        raise fail(f"a {kind.label} <Setup> needs {', '.join(missing)}", element)
    unknown = sorted(set(attrs) - allowed)
    if unknown:
        raise fail(f"a {kind.label} <Setup> does not take {', '.join(unknown)} (it takes {', '.join(sorted(allowed))})",
                   element)
    name = attrs["Name"]
    if not _SETUP_NAME.match(name):
        raise fail(f"setup Name {name!r} must be 1-100 letters, digits, spaces, '_', '.' or '-'", element)

    def integer(attr: str, default: int, low: int, high: int) -> int:
        text = attrs.get(attr)
        if text is None:
            return default
        try:
            value = int(text)
        except ValueError:
            raise fail(f"{attr} must be a whole number, not {text!r}", element) from None
        if not low <= value <= high:
            raise fail(f"{attr} must be between {low} and {high}", element)
        return value

    def boolean(attr: str, default: bool) -> bool:
        text = attrs.get(attr)
        if text is None:
            return default
        if text.lower() not in ("true", "false"):
            raise fail(f"{attr} must be true or false, not {text!r}", element)
        return text.lower() == "true"

    def remote_root() -> str:
        text = attrs.get("Root", "/")
        if not text.startswith("/") or "\x00" in text or any(p == ".." for p in text.split("/")):
            raise fail(f"Root must be an absolute path without '..', not {text!r}", element)
        return str(PurePosixPath(text))

    host = attrs.get("Host", "")
    if kind is not ProviderKind.NETWORK_SHARE and (not host or any(c.isspace() or c in "/@" for c in host)):
        raise fail(f"Host {host!r} is not a host name or address", element)
    if kind is ProviderKind.NETWORK_SHARE:
        path = Path(attrs["Path"])
        if not path.is_absolute():
            raise fail(f"Path must be absolute, not {attrs['Path']!r}", element)
        return ShareSetup(name=name, path=path)
    if kind is ProviderKind.FTP:
        ca_file = Path(attrs["CAFile"]) if "CAFile" in attrs else None
        if ca_file is not None and not ca_file.is_absolute():
            raise fail(f"CAFile must be an absolute path, not {attrs['CAFile']!r}", element)
        return FtpSetup(name=name, host=host, port=integer("Port", 21, 1, 65535),
                        user=attrs.get("User", "anonymous"), password=attrs.get("Password", ""), root=remote_root(),
                        passive=boolean("Passive", True), tls=boolean("TLS", False), ca_file=ca_file,
                        timeout=float(integer("Timeout", 30, 1, 600)))
    host_key = " ".join(attrs["HostKey"].split()[:2])
    match = _HOST_KEY.match(host_key)
    if not match:
        raise fail("HostKey must be the server's public key as '<type> <base64>' (e.g. the line from "
                   "ssh-keyscan without the host), of type ssh-ed25519, ssh-rsa or ecdsa-sha2-*", element)
    try:
        base64.b64decode(match.group(2), validate=True)
    except binascii.Error:
        raise fail("HostKey's key data is not valid base64", element) from None
    if "Password" not in attrs and "KeyFile" not in attrs:
        raise fail("an SSHFTP <Setup> needs a Password or a KeyFile", element)
    if "User" not in attrs:
        raise fail("an SSHFTP <Setup> needs a User", element)
    key_file = Path(attrs["KeyFile"]) if "KeyFile" in attrs else None
    if key_file is not None and not key_file.is_absolute():
        raise fail(f"KeyFile must be an absolute path, not {attrs['KeyFile']!r}", element)
    return SshFtpSetup(name=name, host=host, host_key=host_key, port=integer("Port", 22, 1, 65535),
                       user=attrs["User"], password=attrs.get("Password", ""), key_file=key_file,
                       key_passphrase=attrs.get("KeyPassphrase", ""), root=remote_root(),
                       timeout=float(integer("Timeout", 30, 1, 600)))
