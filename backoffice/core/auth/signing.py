"""Signed requests: the Symphony SOAP API's ``AuthenticationHeader``.

A client holds two keys: an API key, sent in clear with every request, and a secret key, never
sent. Each request carries ``Timestamp``, ``Operation``, ``Signature`` and ``APIKey``, where

    Signature = Base64(HMAC-SHA1(UTF-8(secret), UTF-8(Operation + Timestamp)))

over the header's own text (the vendor's Help.aspx formula). The server finds the key, recomputes
the signature and compares in constant time, checks that ``Operation`` names the operation called
and that ``Timestamp`` is near its own clock, and remembers each accepted signature for as long as
it could still pass that check, so a captured request cannot be sent again.

The API key is stored as SHA-256, like every key. The secret cannot be: checking an HMAC needs the
secret itself. It is stored encrypted (Fernet: AES-128-CBC with HMAC-SHA256) under the server's
master key, a file outside the database (``<var_dir>/master.key`` unless configured), so a copy of
the database alone yields no secret.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy.engine import Connection

from ..clock import now
from ..errors import Invalid, NotFound, Unauthenticated
from ..store.db import insert_unless_present
from ..store.tables import ENTITY_TABLES, api_key, soap_signature_seen, staff_credential
from .principal import Principal
from .service import _digest, find_staff, staff_principal

KIND = "soap"
HEADER_FIELDS = ("Timestamp", "Operation", "Signature", "APIKey")
# One message for an unknown key and a wrong signature: a caller learns nothing about which keys exist.
FAILED = "Authentication failed."
# ISO 8601 as the vendor's clients write it: "2010-04-09T09:08Z", "2010-01-01T12:30:00.000Z", or an offset.
_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,7}))?)?(Z|[+-]\d{2}:?\d{2})$", re.ASCII)
# A Base64 HMAC-SHA1 is 28 characters; anything much longer is not worth hashing or storing.
_MAX_SIGNATURE = 64


@dataclass(frozen=True)
class IssuedSoapKey:
    api_key: str  # both shown once; neither is stored in clear
    secret_key: str
    key_id: str
    staff: str


class MasterKey:
    """The server's key for secrets it must be able to read back; made on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fernet: Fernet | None = None

    def _load(self) -> Fernet:
        if self._fernet is None:
            if not self.path.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # O_EXCL: two processes starting together cannot each write a different key.
                try:
                    fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                except FileExistsError:
                    pass
                else:
                    with os.fdopen(fd, "wb") as out:
                        out.write(Fernet.generate_key())
            self._fernet = Fernet(self.path.read_bytes().strip())
        return self._fernet

    def seal(self, secret: str) -> str:
        return self._load().encrypt(secret.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._load().decrypt(sealed.encode("ascii")).decode("utf-8")
        except InvalidToken:
            # Another server's master key, or a replaced file: the key cannot be checked here.
            raise Unauthenticated(FAILED) from None


def signature(secret: str, operation: str, timestamp: str) -> str:
    """What a client sends as ``Signature`` (the vendor's formula)."""
    digest = hmac.new(secret.encode("utf-8"), (operation + timestamp).encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def create_soap_key(conn: Connection, master: MasterKey, *, staff_username: str | None = None,
                    description: str = "") -> IssuedSoapKey:
    """A new API key and secret key for the SOAP API, acting as a staff member.

    Without a user name the key acts as the first enabled staff member who may do everything.
    """
    staff_t = ENTITY_TABLES["Staff"]
    if staff_username is not None:
        staff = find_staff(conn, staff_username)
        if staff is None:
            raise NotFound(f"No staff member named {staff_username}")
    else:
        # Read in Python: an unlimited member's permissions are a JSON null, which SQL does not see as NULL.
        candidates = conn.execute(
            sa.select(staff_t, staff_credential.c.permissions)
            .join(staff_credential, staff_credential.c.staff_id == staff_t.c.staff_id)
            .where(staff_t.c.enabled.is_(True)).order_by(staff_t.c.username)).all()
        staff = next((row for row in candidates if row.permissions is None), None)
        if staff is None:
            raise Invalid("There is no staff member for the key to act as: add one with `backoffice users add`")
    key = secrets.token_urlsafe(24)
    while key.startswith("-"):  # would read as an option on a command line
        key = secrets.token_urlsafe(24)
    secret = secrets.token_urlsafe(32)
    key_id = uuid.uuid4().hex[:12]
    conn.execute(api_key.insert().values(
        key_id=key_id, key_hash=_digest(key), key_prefix=key[:6], kind=KIND, staff_id=staff.staff_id,
        description=description, created_at=now(), enabled=True, signing_secret=master.seal(secret)))
    return IssuedSoapKey(api_key=key, secret_key=secret, key_id=key_id, staff=staff.username)


def parse_timestamp(text: str) -> datetime:
    """The instant a header's ``Timestamp`` names; a time without a zone is refused (it is UTC by contract)."""
    match = _TIMESTAMP.match(text.strip())
    if match is None:
        raise Unauthenticated("Timestamp must be an ISO 8601 UTC time such as 2010-01-01T12:30:00.000Z.")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                          int((fraction or "0").ljust(6, "0")[:6]), tzinfo=UTC)
        if zone != "Z":
            sign = 1 if zone[0] == "+" else -1
            digits = zone[1:].replace(":", "")
            moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    except (ValueError, OverflowError):  # 31 February; 0001-01-01T00:00+01:00 falls before year 1
        raise Unauthenticated("Timestamp is not a valid date and time.") from None
    return moment.replace(tzinfo=None)


def verify(conn: Connection, master: MasterKey, header: Mapping[str, str | None] | None, operation: str, *,
           skew: timedelta) -> Principal:
    """The principal a signed request acts as; ``Unauthenticated`` with a plain reason otherwise.

    ``operation`` is the operation actually called. Call it in a transaction of its own, committed
    before the call's work: the signature then stays used even when the work fails, because the
    signature does not cover the body and a captured header must not carry a second body.
    """
    if header is None:
        raise Unauthenticated("The AuthenticationHeader is required.")
    values = {name: (header.get(name) or "") for name in HEADER_FIELDS}
    missing = [name for name in HEADER_FIELDS if not values[name]]
    if missing:
        raise Unauthenticated(f"The AuthenticationHeader has no {', '.join(missing)}.")
    if values["Operation"] != operation:
        raise Unauthenticated(
            f"The AuthenticationHeader's Operation '{values['Operation']}' is not the operation called ({operation}).")
    sent = values["Signature"].strip()
    if len(sent) > _MAX_SIGNATURE:
        raise Unauthenticated(FAILED)
    moment = parse_timestamp(values["Timestamp"])
    current = now()
    if abs(current - moment) > skew:
        raise Unauthenticated(
            f"The Timestamp is more than {int(skew.total_seconds())} seconds away from the server's time "
            f"({current:%Y-%m-%dT%H:%M:%S}Z).")
    key_digest = _digest(values["APIKey"].strip())
    row = conn.execute(sa.select(api_key).where(api_key.c.key_hash == key_digest)).first()
    if row is None or not hmac.compare_digest(row.key_hash, key_digest) or row.kind != KIND \
            or row.signing_secret is None:
        raise Unauthenticated(FAILED)
    expected = signature(master.open(row.signing_secret), values["Operation"], values["Timestamp"])
    if not _same_signature(expected, sent):
        raise Unauthenticated(FAILED)
    if not row.enabled:
        raise Unauthenticated("This API key has been revoked.")
    if row.expires_at is not None and row.expires_at <= current:
        raise Unauthenticated("This API key has expired.")
    _remember(conn, row.key_id, expected, moment + skew)
    principal = staff_principal(conn, row.staff_id, "apikey")
    if principal is None:
        raise Unauthenticated("The staff member of this API key is disabled.")
    return replace(principal, key_id=row.key_id)


def _same_signature(expected: str, sent: str) -> bool:
    """Constant-time comparison of the digests, so differences in Base64 padding do not matter."""
    try:
        received = base64.b64decode(sent, validate=True)
    except (binascii.Error, ValueError):
        return False
    return hmac.compare_digest(base64.b64decode(expected), received)


def _remember(conn: Connection, key_id: str, sig: str, until: datetime) -> None:
    """Record a signature as used; a second use (here or on another server) is a replay."""
    conn.execute(soap_signature_seen.delete().where(soap_signature_seen.c.expires_at < now()))
    inserted = conn.execute(insert_unless_present(conn, soap_signature_seen, ["key_id", "signature"]).values(
        key_id=key_id, signature=sig, expires_at=until))
    if inserted.rowcount != 1:
        raise Unauthenticated("This request was already received: a signature can be used only once.")


def utc_timestamp(moment: datetime | None = None) -> str:
    """A ``Timestamp`` as the vendor's .NET sample writes it (``yyyy-MM-ddTHH:mm:ss.fffZ``)."""
    moment = moment or now()
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
