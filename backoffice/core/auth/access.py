"""Galaxy API access control: client address rules and a digital signature on `/auth`.

The rules live in one XML file (Galaxy calls it "the API configuration file"; here it is
`<config_dir>/WebService.config`):

    <WebService><Config><AccessControl>
      <AccessRule Type="PublicKey">-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----</AccessRule>
      <AccessRule Type="ClientIP" Access="Allow">85.20.1.100, 102.76.*</AccessRule>
      <AccessRule Type="ClientIP" Access="Deny">102.76.9.9</AccessRule>
    </AccessControl></Config></WebService>

This module knows nothing of HTTP. The HTTP layer asks `AccessPolicy.client_allowed(peer_ip)` on every
request (refused: 403) and, on `/auth` when `requires_signature`, `verify_signature(signed_messages_for(...),
request.headers.get("X-Signature"))` (refused: 401). `docs/galaxy_access.md` is the user's description of the
file and of every choice made here; keep the two in step.

Nothing here logs a key, a signature or a signed message (a GET `/auth` URI carries the password).
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import ipaddress
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

from ...wire import safexml

log = logging.getLogger("backoffice.access")

ACCESS_FILE_NAME = "WebService.config"
# The file is a handful of rules; anything near this size is a mistake (or an attack on the parser).
MAX_FILE_BYTES = 1024 * 1024
# Every registered key is tried against a wrong signature, so their number bounds the work a caller can cause.
MAX_PUBLIC_KEYS = 32
MAX_IP_ENTRIES = 10_000
# Weaker RSA keys are refused at load time rather than trusted silently.
MIN_RSA_BITS = 2048
# base64 of a 16384-bit signature is 2732 characters; a longer header cannot be a signature.
MAX_SIGNATURE_HEADER = 4096
# How often `AccessControlFile.current()` looks at the file at most, in seconds.
CHECK_INTERVAL = 1.0

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class AccessConfigError(Exception):
    """The access control file is unusable. The message names the file, the rule (and its line) and the fault."""


class SignatureCheck(enum.Enum):
    """The outcome of `AccessPolicy.check_signature`, for the HTTP layer's log line and message."""

    NOT_REQUIRED = "not required"  # no public key is registered
    VALID = "valid"
    MISSING = "missing"  # no (or an empty) X-Signature header
    MALFORMED = "malformed"  # not base64, or absurdly long
    MISMATCH = "mismatch"  # well formed, but no registered key verifies it for any candidate message

    @property
    def ok(self) -> bool:
        return self in (SignatureCheck.NOT_REQUIRED, SignatureCheck.VALID)


@dataclass(frozen=True, slots=True)
class _Mask:
    """An IPv4 pattern such as `10.*.*.5`: None is a wildcard octet."""

    octets: tuple[int | None, int | None, int | None, int | None]

    def matches(self, address: ipaddress.IPv4Address) -> bool:
        packed = address.packed
        return all(want is None or want == got for want, got in zip(self.octets, packed, strict=True))


@dataclass(frozen=True, slots=True)
class _IpList:
    """Parsed entries of all ClientIP rules of one kind (Allow or Deny)."""

    exact: frozenset[IpAddress] = frozenset()
    networks: tuple[IpNetwork, ...] = ()
    masks: tuple[_Mask, ...] = ()
    everything: bool = False  # the entry `*`

    @property
    def empty(self) -> bool:
        return not (self.exact or self.networks or self.masks or self.everything)

    def matches(self, candidates: Sequence[IpAddress]) -> bool:
        if self.everything:
            return True
        for address in candidates:
            if address in self.exact:
                return True
            for network in self.networks:
                if address.version == network.version and address in network:
                    return True
            if address.version == 4:
                for mask in self.masks:
                    if mask.matches(address):
                        return True
        return False


@dataclass(frozen=True, slots=True)
class PublicKeyRule:
    """One registered key. `fingerprint` is the SHA-256 of the key's SubjectPublicKeyInfo (safe to log)."""

    key: rsa.RSAPublicKey = field(repr=False)
    fingerprint: str
    line: int | None
    not_after: datetime | None = None  # None when a bare public key (not a certificate) was registered


@dataclass(frozen=True, slots=True, eq=False)
class AccessPolicy:
    """The parsed rules; immutable, so one object can be shared by every request thread.

    Build it with `parse` or `empty`.
    """

    public_keys: tuple[PublicKeyRule, ...] = ()
    allow: _IpList = _IpList()
    deny: _IpList = _IpList()
    source: str = "(no file)"
    has_allow_rule: bool = False

    # -- construction ---------------------------------------------------------------------------

    @classmethod
    def empty(cls, source: str = "(no file)") -> AccessPolicy:
        """No rules: every address is allowed and `/auth` needs no signature."""
        return cls(source=source)

    @classmethod
    def parse(cls, xml_bytes: bytes, source: str = "(text)") -> AccessPolicy:
        """Parse a whole access control file; raise AccessConfigError naming `source`, the rule and the fault."""
        return _parse(xml_bytes, source)

    # -- questions ------------------------------------------------------------------------------

    @property
    def requires_signature(self) -> bool:
        """True when at least one public key is registered: `/auth` then needs a valid X-Signature."""
        return bool(self.public_keys)

    @property
    def restricts_addresses(self) -> bool:
        return self.has_allow_rule or not self.deny.empty

    def client_allowed(self, ip: str | None) -> bool:
        """May a request from this socket peer address go on?

        Deny entries win; if any Allow rule exists the address must match an Allow entry; with no ClientIP rule
        every address is allowed. An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is matched as its IPv4 address
        too, and an IPv4 address as its mapped form. A missing or unparseable address (a Unix socket, a test
        client's "testclient") is refused as soon as any ClientIP rule exists: the rules cannot vouch for it.
        """
        if not self.restricts_addresses:
            return True
        candidates = _candidates(ip)
        if not candidates:
            return False
        if self.deny.matches(candidates):
            return False
        if self.has_allow_rule:
            return self.allow.matches(candidates)
        return True

    def check_signature(self, signed: bytes | Sequence[bytes], signature_header: str | None) -> SignatureCheck:
        """Check an X-Signature header against every registered key and every candidate message.

        The header is the base64 (standard or URL-safe alphabet, padding optional, whitespace ignored) of an RSA
        signature over SHA-256 of one of the messages in `signed`, with PKCS #1 v1.5 padding or PSS (MGF1-SHA-256,
        any salt length). Any one key verifying any one message is enough.

        Timing: the server holds no secret here (the keys are public, the message is the caller's own request),
        so stopping at the first match leaks nothing; the comparison inside a verification is OpenSSL's.
        """
        if not self.public_keys:
            return SignatureCheck.NOT_REQUIRED
        if signature_header is None or not signature_header.strip():
            return SignatureCheck.MISSING
        signature = _decode_signature(signature_header)
        if signature is None:
            return SignatureCheck.MALFORMED
        messages = [signed] if isinstance(signed, bytes | bytearray | memoryview) else list(signed)
        for rule in self.public_keys:
            # A signature made by an n-bit key is exactly n/8 bytes; other keys cannot verify it.
            if len(signature) != (rule.key.key_size + 7) // 8:
                continue
            for message in messages:
                if _verifies(rule.key, signature, bytes(message)):
                    return SignatureCheck.VALID
        return SignatureCheck.MISMATCH

    def verify_signature(self, signed: bytes | Sequence[bytes], signature_header: str | None) -> bool:
        """True when the request satisfies the signature requirement (always, when no public key is registered).

        See `check_signature` for what is accepted.
        """
        return self.check_signature(signed, signature_header).ok

    def summary(self) -> str:
        """One log line: counts and key fingerprints (never the keys themselves)."""
        def count(ips: _IpList) -> int:
            return len(ips.exact) + len(ips.networks) + len(ips.masks) + int(ips.everything)

        keys = ", ".join(rule.fingerprint[:16] for rule in self.public_keys) or "none"
        return (f"{self.source}: {len(self.public_keys)} public key(s) [{keys}], "
                f"{count(self.allow)} allowed and {count(self.deny)} denied address entries")


# -- the HTTP layer's helper ------------------------------------------------------------------------


def signed_messages_for(method: str, raw_path_and_query: bytes, absolute_url: str, body: bytes) -> list[bytes]:
    """The byte strings a caller may have signed for this `/auth` request, most likely first.

    - GET (and HEAD): the request URI exactly as sent on the wire, path and query, e.g.
      `/auth?username=a&password=b` (the HTTP layer passes ASGI `raw_path` + `?` + `query_string`; no decoding,
      no re-encoding), or the absolute URL `http://host:port/auth?...` built from the scheme, the Host header as
      received and the same raw path and query.
    - any other method (POST): the body, byte for byte as received. When the body is empty the credentials can
      only be in the query string (ServiceStack binds them from there too), so the URI forms above are accepted.
    """
    uri_forms = [raw_path_and_query]
    absolute = absolute_url.encode("utf-8", "surrogateescape")
    if absolute and absolute != raw_path_and_query:
        uri_forms.append(absolute)
    if method.upper() in ("GET", "HEAD"):
        return uri_forms
    if body:
        return [body]
    return uri_forms


# -- the file ---------------------------------------------------------------------------------------


def access_file_in(config_dir: Path) -> AccessControlFile:
    """The access control file of a configuration directory: `<config_dir>/WebService.config`."""
    return AccessControlFile(config_dir / ACCESS_FILE_NAME)


class AccessControlFile:
    """The access control file, reloaded when it changes.

    `load()` is called once at start and raises AccessConfigError for a bad file (the server must not start with
    rules it cannot read). `current()` is called per request: at most once per `check_interval` seconds it looks
    at the file's identity (inode, size, mtime in ns) and reloads it when that changed.

    On reload a bad file is logged (once per bad version) and the last good policy is kept: a half-saved edit must
    neither drop the protection nor take the server down. A deleted file means "no rules", exactly as at start,
    so a restart never behaves differently from a running server (this is logged as a warning).
    """

    def __init__(self, path: Path, *, check_interval: float = CHECK_INTERVAL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.path = Path(path)
        self.check_interval = check_interval
        self._clock = clock
        self._lock = threading.Lock()
        self._policy = AccessPolicy.empty(str(self.path))
        self._seen: tuple[int, int, int] | None = None  # identity of the last version read (good or bad)
        self._next_check = float("-inf")
        self._loaded = False

    def load(self) -> AccessPolicy:
        """Read the file now. A missing file gives the empty policy; a bad file raises AccessConfigError."""
        with self._lock:
            identity = _identity(self.path)
            policy = self._read(identity)
            self._policy, self._seen, self._loaded = policy, identity, True
            self._next_check = self._clock() + self.check_interval
        if identity is None:
            log.info("access control: %s does not exist; no address rules and no signature on /auth", self.path)
        else:
            log.info("access control loaded: %s", policy.summary())
        return policy

    def current(self) -> AccessPolicy:
        """The policy in force; re-reads the file if it changed (checked at most once per `check_interval`)."""
        if not self._loaded:
            # Failing closed: without a successful load() a bad file must raise, not yield "no rules".
            return self.load()
        if self._clock() < self._next_check:
            return self._policy
        # One thread checks; the others go on with the policy they have rather than queue behind a disk read.
        if not self._lock.acquire(blocking=False):
            return self._policy
        try:
            if self._clock() < self._next_check:
                return self._policy
            self._next_check = self._clock() + self.check_interval
            identity = _identity(self.path)
            if identity == self._seen:
                return self._policy
            self._seen = identity
            try:
                policy = self._read(identity)
            except AccessConfigError as exc:
                log.error("access control NOT reloaded, the previous rules stay in force: %s", exc)
                return self._policy
            if identity is None:
                log.warning("access control: %s was removed; no address rules and no signature on /auth from now",
                            self.path)
            else:
                log.info("access control reloaded: %s", policy.summary())
            self._policy = policy
            return policy
        finally:
            self._lock.release()

    def _read(self, identity: tuple[int, int, int] | None) -> AccessPolicy:
        if identity is None:
            return AccessPolicy.empty(str(self.path))
        try:
            with open(self.path, "rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except FileNotFoundError:
            return AccessPolicy.empty(str(self.path))
        except OSError as exc:
            raise AccessConfigError(f"{self.path}: cannot be read: {exc.strerror or exc}") from exc
        if len(data) > MAX_FILE_BYTES:
            raise AccessConfigError(f"{self.path}: larger than {MAX_FILE_BYTES} bytes; this is not an access file")
        return AccessPolicy.parse(data, source=str(self.path))


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError:
        # Unreadable metadata is reported by the read that follows.
        return (-1, -1, -1)
    return (st.st_ino, st.st_size, st.st_mtime_ns)


# -- parsing ----------------------------------------------------------------------------------------

_TYPES = {"publickey": "PublicKey", "clientip": "ClientIP"}
_ACCESS = {"allow": "Allow", "deny": "Deny"}
_SEPARATORS = re.compile(r"[\s,;]+")
_OCTET = re.compile(r"(?:0|[1-9][0-9]{0,2})")
_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.S)


def _parse(xml_bytes: bytes, source: str) -> AccessPolicy:
    if len(xml_bytes) > MAX_FILE_BYTES:
        raise AccessConfigError(f"{source}: larger than {MAX_FILE_BYTES} bytes; this is not an access file")
    if not xml_bytes.strip():
        raise AccessConfigError(f"{source}: the file is empty; write <WebService/> for no rules, or delete it")
    try:
        root = safexml.parse(xml_bytes)
    except ValueError as exc:  # safexml's malformed XML and UnsafeXml (a DOCTYPE) both
        raise AccessConfigError(f"{source}: {exc}") from exc

    def where(element: etree._Element) -> str:
        return f"{source}, line {element.sourceline}" if element.sourceline else source

    def children(element: etree._Element, expected: str) -> list[etree._Element]:
        # Strict on purpose: a misspelt element (<AccesControl>) would otherwise switch protection off silently.
        found = []
        for child in element:
            if not isinstance(child.tag, str):  # comments and processing instructions
                continue
            name = safexml.local_name(child)
            if name != expected:
                raise AccessConfigError(f"{where(child)}: unexpected element <{name}> inside "
                                        f"<{safexml.local_name(element)}>; only <{expected}> may appear there")
            found.append(child)
        if (element.text or "").strip() or any((child.tail or "").strip() for child in element):
            raise AccessConfigError(f"{where(element)}: <{safexml.local_name(element)}> holds text; "
                                    f"only <{expected}> elements may appear there")
        return found

    if safexml.local_name(root) != "WebService":
        raise AccessConfigError(f"{where(root)}: the root element is <{safexml.local_name(root)}>; "
                                "expected <WebService>")
    rules: list[etree._Element] = []
    for config in children(root, "Config"):
        for control in children(config, "AccessControl"):
            rules.extend(children(control, "AccessRule"))

    keys: list[PublicKeyRule] = []
    allow: list[tuple[str, int | None]] = []
    deny: list[tuple[str, int | None]] = []
    has_allow = False
    for number, rule in enumerate(rules, start=1):
        label = f"{where(rule)}, AccessRule #{number}"
        attributes = dict(rule.attrib)
        unknown = sorted(set(attributes) - {"Type", "Access"})
        if unknown:
            raise AccessConfigError(f"{label}: unknown attribute(s) {', '.join(unknown)}; "
                                    "an AccessRule has Type and (for ClientIP) Access")
        raw_type = attributes.get("Type")
        if raw_type is None:
            raise AccessConfigError(f'{label}: no Type attribute; write Type="PublicKey" or Type="ClientIP"')
        kind = _TYPES.get(raw_type.strip().lower())
        if kind is None:
            raise AccessConfigError(f'{label}: unknown Type "{raw_type}"; expected PublicKey or ClientIP')
        text = _rule_text(rule, label)
        if kind == "PublicKey":
            if "Access" in attributes:
                raise AccessConfigError(f"{label}: Access applies only to ClientIP rules")
            keys.append(_public_key(text, label, rule.sourceline))
            if len(keys) > MAX_PUBLIC_KEYS:
                raise AccessConfigError(f"{label}: more than {MAX_PUBLIC_KEYS} PublicKey rules")
            continue
        raw_access = attributes.get("Access")
        if raw_access is None:
            raise AccessConfigError(f'{label}: a ClientIP rule needs Access="Allow" or Access="Deny"')
        access = _ACCESS.get(raw_access.strip().lower())
        if access is None:
            raise AccessConfigError(f'{label}: unknown Access "{raw_access}"; expected Allow or Deny')
        entries = [entry for entry in _SEPARATORS.split(text) if entry]
        if not entries:
            # An empty Allow list would lock every address out; an empty Deny list is a mistake too. Say so.
            raise AccessConfigError(f"{label}: the ClientIP rule lists no addresses")
        target = allow if access == "Allow" else deny
        has_allow = has_allow or access == "Allow"
        target.extend((entry, rule.sourceline) for entry in entries)
        if len(allow) + len(deny) > MAX_IP_ENTRIES:
            raise AccessConfigError(f"{label}: more than {MAX_IP_ENTRIES} address entries in the file")

    return AccessPolicy(public_keys=tuple(keys), allow=_ip_list(allow, source), deny=_ip_list(deny, source),
                        source=source, has_allow_rule=has_allow)


def _rule_text(rule: etree._Element, label: str) -> str:
    parts = [rule.text or ""]
    for child in rule:
        if isinstance(child.tag, str):
            raise AccessConfigError(f"{label}: an AccessRule holds text only, found <{safexml.local_name(child)}>")
        parts.append(child.tail or "")  # text after a comment still belongs to the rule
    return "".join(parts)


def _public_key(text: str, label: str, line: int | None) -> PublicKeyRule:
    # Indentation and trailing spaces (the Galaxy document has both) are not part of PEM.
    cleaned = "\n".join(part.strip() for part in text.strip().splitlines())
    if not cleaned:
        raise AccessConfigError(f"{label}: the PublicKey rule is empty; paste a PEM certificate into it")
    blocks = _PEM_BLOCK.findall(cleaned)
    not_after: datetime | None = None
    key: object
    try:
        if len(blocks) > 1:
            raise AccessConfigError(f"{label}: holds {len(blocks)} PEM blocks; register each key in its own rule")
        if blocks:
            kind = blocks[0][0]
            if _PEM_BLOCK.sub("", cleaned).strip():
                raise AccessConfigError(f"{label}: text outside the -----BEGIN/END {kind}----- lines")
            if kind == "CERTIFICATE":
                certificate = x509.load_pem_x509_certificate(cleaned.encode("ascii"))
                key = certificate.public_key()
                not_after = certificate.not_valid_after_utc
                _warn_validity(certificate, label)
            elif kind in ("PUBLIC KEY", "RSA PUBLIC KEY"):
                key = serialization.load_pem_public_key(cleaned.encode("ascii"))
            else:
                raise AccessConfigError(f"{label}: a PEM {kind} is not accepted; use a CERTIFICATE or a PUBLIC KEY"
                                        + (" (never put a private key in this file)" if "PRIVATE" in kind else ""))
        else:
            # "the public key must be registered ... encoded as base64": the bare base64 of a DER certificate.
            try:
                der = base64.b64decode("".join(cleaned.split()), validate=True)
                certificate = x509.load_der_x509_certificate(der)
            except (binascii.Error, ValueError) as exc:
                raise AccessConfigError(f"{label}: neither a PEM certificate (-----BEGIN CERTIFICATE-----...) "
                                        f"nor the base64 of a DER certificate ({_short(exc)})") from exc
            key = certificate.public_key()
            not_after = certificate.not_valid_after_utc
            _warn_validity(certificate, label)
    except AccessConfigError:
        raise
    except (ValueError, TypeError, UnsupportedAlgorithm, UnicodeEncodeError) as exc:
        raise AccessConfigError(f"{label}: the certificate cannot be read ({_short(exc)})") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise AccessConfigError(f"{label}: the key is {type(key).__name__.removeprefix('_')}; only RSA keys sign "
                                "Galaxy requests")
    if key.key_size < MIN_RSA_BITS:
        raise AccessConfigError(f"{label}: the RSA key has {key.key_size} bits; at least {MIN_RSA_BITS} are required")
    spki = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return PublicKeyRule(key=key, fingerprint=hashlib.sha256(spki).hexdigest(), line=line, not_after=not_after)


def _warn_validity(certificate: x509.Certificate, label: str) -> None:
    # The certificate only carries the key: the operator's act of registering it is the trust, and there is no
    # chain to check. Refusing it on a date would lock terminals out with no one to notice, so it is only logged.
    now = datetime.now(UTC)
    if certificate.not_valid_after_utc < now:
        log.warning("%s: the certificate expired on %s; its key is still accepted", label,
                    certificate.not_valid_after_utc.date().isoformat())
    elif certificate.not_valid_before_utc > now:
        log.warning("%s: the certificate is valid only from %s; its key is accepted already", label,
                    certificate.not_valid_before_utc.date().isoformat())


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def _ip_list(entries: Iterable[tuple[str, int | None]], source: str) -> _IpList:
    exact: set[IpAddress] = set()
    networks: list[IpNetwork] = []
    masks: list[_Mask] = []
    everything = False
    for entry, line in entries:
        try:
            parsed = _ip_entry(entry)
        except ValueError as exc:
            place = f"{source}, line {line}" if line else source
            raise AccessConfigError(f'{place}: bad address entry "{entry[:60]}": {exc}') from exc
        if parsed is None:
            everything = True
        elif isinstance(parsed, _Mask):
            masks.append(parsed)
        elif isinstance(parsed, ipaddress.IPv4Network | ipaddress.IPv6Network):
            networks.append(parsed)
        else:
            exact.add(parsed)
    return _IpList(exact=frozenset(exact), networks=tuple(networks), masks=tuple(masks), everything=everything)


def _ip_entry(entry: str) -> IpAddress | IpNetwork | _Mask | None:
    """One entry: an address, a CIDR network, an IPv4 `*` mask, or `*` (None) for every address."""
    if entry == "*":
        return None
    if "*" in entry:
        parts = entry.split(".")
        if len(parts) > 4 or ":" in entry:
            raise ValueError("a * mask is an IPv4 address with * octets, e.g. 102.76.* or 10.*.*.5")
        if len(parts) < 4:
            if parts[-1] != "*":
                raise ValueError("a short mask must end in *, e.g. 102.76.*")
            parts += ["*"] * (4 - len(parts))
        octets: list[int | None] = []
        for part in parts:
            if part == "*":
                octets.append(None)
            elif _OCTET.fullmatch(part) and int(part) <= 255:
                octets.append(int(part))
            else:
                raise ValueError(f'"{part}" is neither an octet (0-255, no leading zeros) nor *')
        # A mask whose stars all trail is a plain network (faster to match and easier to read back).
        fixed = len(octets) - len([o for o in octets if o is None])
        if all(o is None for o in octets[fixed:]) and all(o is not None for o in octets[:fixed]):
            base = ".".join(str(o) for o in octets[:fixed] + [0] * (4 - fixed))
            return ipaddress.IPv4Network(f"{base}/{8 * fixed}")
        return _Mask((octets[0], octets[1], octets[2], octets[3]))
    if "/" in entry:
        try:
            return ipaddress.ip_network(entry, strict=True)
        except ValueError as exc:
            if "has host bits set" in str(exc):
                suggestion = ipaddress.ip_network(entry, strict=False)
                raise ValueError(f"host bits are set; did you mean {suggestion}?") from exc
            raise ValueError("not an IPv4 or IPv6 network") from exc
    try:
        address = ipaddress.ip_address(entry)
    except ValueError as exc:
        raise ValueError("not an IPv4 or IPv6 address, a CIDR network or a * mask") from exc
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        raise ValueError("zone indexes (%...) are not accepted; write the address without it")
    return address


_MAPPED_PREFIX = 0xFFFF << 32  # ::ffff:0:0/96


def _candidates(ip: str | None) -> list[IpAddress]:
    if not ip:
        return []
    text = ip.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    text = text.split("%", 1)[0]  # a link-local peer's zone index says which interface, not who
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return []
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return [address.ipv4_mapped, address]
        return [address]
    return [address, ipaddress.IPv6Address(_MAPPED_PREFIX | int(address))]


# -- signatures -------------------------------------------------------------------------------------

_PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)
_PKCS1 = padding.PKCS1v15()


def _decode_signature(header: str) -> bytes | None:
    if len(header) > MAX_SIGNATURE_HEADER:
        return None
    text = "".join(header.split())
    if not text.isascii():
        return None
    text = text.replace("-", "+").replace("_", "/")  # URL-safe alphabet
    text += "=" * (-len(text) % 4)
    try:
        decoded = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return decoded or None


def _verifies(key: rsa.RSAPublicKey, signature: bytes, message: bytes) -> bool:
    for scheme in (_PKCS1, _PSS):
        try:
            key.verify(signature, message, scheme, hashes.SHA256())
        except InvalidSignature:
            continue
        return True
    return False
