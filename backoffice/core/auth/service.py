"""Logging in, sessions, and API keys. Secrets are stored only as hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
import time
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..clock import now
from ..errors import Invalid, NotFound, Unauthenticated
from ..numbering import next_change
from ..store import fastread
from ..store.tables import ENTITY_TABLES, api_key, auth_session, staff_credential
from .passwords import hash_password, verify_password
from .principal import Principal

staff_t = ENTITY_TABLES["Staff"]
debtor_t = ENTITY_TABLES["Debtor"]

_SESSION_ALPHABET = string.ascii_letters + string.digits
# The staff member that debtor keys log in as (Jiwa links every debtor key to a staff member).
DEBTOR_KEY_STAFF = "DebtorAPI"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def sha512_hex(password: str) -> str:
    """What a Synergist client sends as ``sha512password``: the SHA-512 of the password, in hex."""
    return hashlib.sha512(password.encode("utf-8")).hexdigest()


def new_session_id() -> str:
    """A 20-character session id, the shape ServiceStack issues."""
    return "".join(secrets.choice(_SESSION_ALPHABET) for _ in range(20))


def _principal_for_staff(row: Any, permissions: Any, via: str) -> Principal:
    display = " ".join(p for p in (row.first_name, row.surname) if p)
    return Principal(
        kind="staff", staff_id=row.staff_id, username=row.username, display_name=display,
        permissions=tuple(permissions) if permissions is not None else None, via=via,
    )


def find_staff(conn: Connection, username: str) -> Any:
    return conn.execute(
        sa.select(staff_t).where(sa.func.lower(staff_t.c.username) == username.strip().lower())
    ).first()


def add_user(conn: Connection, username: str, password: str, *, first_name: str = "", surname: str = "",
             permissions: list[str] | None = None) -> str:
    """Create a staff member who may log in, or reset an existing one's password."""
    if not username.strip():
        raise Invalid.field("username", "A user name is required", "NotEmpty")
    if not password:
        raise Invalid.field("password", "A password is required", "NotEmpty")
    row = find_staff(conn, username)
    if row is None:
        staff_id = uuid.uuid4().hex[:20]
        conn.execute(staff_t.insert().values(
            staff_id=staff_id, username=username.strip(), first_name=first_name, surname=surname,
            enabled=True, revision=1, last_saved=now(),
        ))
    else:
        staff_id = row.staff_id
    conn.execute(staff_credential.delete().where(staff_credential.c.staff_id == staff_id))
    # A new password (or new permissions) ends every session and remembered login of the old.
    conn.execute(auth_session.delete().where(auth_session.c.staff_id == staff_id))
    _verified.clear()
    conn.execute(staff_credential.insert().values(
        staff_id=staff_id, password_hash=hash_password(password), permissions=permissions,
        sha512_verifier=hash_password(sha512_hex(password)),
    ))
    return staff_id


# Recently verified credentials, for callers that send them with every request (HTTP Basic):
# Argon2 is deliberately slow, so each process remembers a success for a minute. Keyed by a
# hash of name and password, never the password itself; a password change here forgets them.
_VERIFIED_SECONDS = 60.0
_verified: dict[str, tuple[Principal, float]] = {}
# check_login's memory: a hash of name and secret -> (the stored hash it verified against, until when).
_logins: dict[str, tuple[str, float]] = {}


def check_credentials_repeatedly(conn: Connection, username: str, password: str) -> Principal:
    """``check_credentials`` for credentials sent on every request."""
    token = _digest(f"{username.strip().lower()}\0{password}")
    hit = _verified.get(token)
    if hit is not None and hit[1] > time.monotonic():
        return hit[0]
    principal = check_credentials(conn, username, password)
    if len(_verified) > 10_000:
        _verified.clear()
    _verified[token] = (principal, time.monotonic() + _VERIFIED_SECONDS)
    return principal


def set_enabled(conn: Connection, username: str, enabled: bool) -> None:
    """Let a staff member log in again, or stop them (their sessions and keys stop at once)."""
    row = find_staff(conn, username)
    if row is None:
        raise NotFound(f"No staff member named {username}")
    conn.execute(staff_t.update().where(staff_t.c.staff_id == row.staff_id)
                 .values(enabled=enabled, revision=staff_t.c.revision + 1, last_saved=now(),
                         change_no=next_change(conn)))
    if not enabled:
        conn.execute(auth_session.delete().where(auth_session.c.staff_id == row.staff_id))
    _verified.clear()


def _staff_and_credential(conn: Connection, username: str | None) -> tuple[Any, Any]:
    """The staff row of a user name and its credential (either None when there is none)."""
    row = find_staff(conn, username or "")
    if row is None:
        return None, None
    return row, conn.execute(sa.select(staff_credential).where(staff_credential.c.staff_id == row.staff_id)).first()


def check_credentials(conn: Connection, username: str, password: str) -> Principal:
    if "\x00" in (username or "") + (password or ""):
        raise Unauthenticated("Invalid UserName or Password", code="Unauthorized")
    row, cred = _staff_and_credential(conn, username)
    ok = verify_password(cred.password_hash if cred else None, password or "")
    if not ok or row is None or cred is None or not row.enabled:
        raise Unauthenticated("Invalid UserName or Password", code="Unauthorized")
    return _principal_for_staff(row, cred.permissions, "credentials")


class AccountDisabled(Unauthenticated):
    """The credentials were right but the account may not log in (raised only after a correct password)."""

    code = "AccountDisabled"


def check_login(conn: Connection, username: str, *, password: str | None = None,
                sha512_password: str | None = None) -> Principal:
    """The staff member these credentials prove, for logins that tell a disabled account apart.

    Exactly one of ``password`` (plain) or ``sha512_password`` (the hex SHA-512 of the password, in
    any case; checked against the Argon2 verifier kept for it, never compared as a digest) is given.
    Wrong credentials, an unknown user name, or a credential without a SHA-512 verifier raise
    ``Unauthenticated`` (code ``InvalidCredentials``), with the same work whichever it was, so a wrong
    password does not tell which names exist. Only correct credentials of a disabled account raise
    ``AccountDisabled``. The account is read afresh on every call; only the Argon2 verify of the same
    credentials against the same stored hash is remembered for a minute.
    """
    if (password is None) == (sha512_password is None):
        raise Unauthenticated("invalid credentials", code="InvalidCredentials")
    secret = password if password is not None else (sha512_password or "").strip().lower()
    kind = "plain" if password is not None else "sha512"
    if "\x00" in (username or "") + secret:
        raise Unauthenticated("invalid credentials", code="InvalidCredentials")
    token = _digest(f"{kind}\0{username.strip().lower()}\0{secret}")
    # The account is read on every login: a member disabled, given a new password or other
    # permissions by another process (`backoffice users ...`) is seen at once. Only the slow Argon2
    # verify of the same credentials against the same stored hash is remembered for a minute.
    row, cred = _staff_and_credential(conn, username)
    stored = None if cred is None else (cred.password_hash if kind == "plain" else cred.sha512_verifier)
    remembered = _logins.get(token)
    if not (remembered is not None and remembered[1] > time.monotonic() and stored is not None
            and hmac.compare_digest(remembered[0], stored)):
        if not verify_password(stored, secret) or row is None or cred is None or stored is None:
            raise Unauthenticated("invalid credentials", code="InvalidCredentials")
        if len(_logins) > 10_000:
            _logins.clear()
        _logins[token] = (stored, time.monotonic() + _VERIFIED_SECONDS)
    if not row.enabled:
        raise AccountDisabled("account disabled")
    return _principal_for_staff(row, cred.permissions, "credentials")


def create_session(conn: Connection, principal: Principal, ttl: timedelta, *, permanent: bool = False) -> str:
    session_id = new_session_id()
    stamp = now()
    conn.execute(auth_session.insert().values(
        session_hash=_digest(session_id), staff_id=principal.staff_id, created_at=stamp,
        expires_at=stamp + ttl, permanent=permanent,
    ))
    return session_id


def staff_principal(conn: Connection, staff_id: str, via: str) -> Principal | None:
    """The staff member as they stand now (None if gone or disabled), with their permissions."""
    staff = fastread.row_by_key(conn, staff_t, "staff_id", staff_id)
    if staff is None or not staff["enabled"]:
        return None
    cred = fastread.row_by_key(conn, staff_credential, "staff_id", staff_id)
    permissions = cred["permissions"] if cred else None
    display = " ".join(p for p in (staff["first_name"], staff["surname"]) if p)
    return Principal(kind="staff", staff_id=staff_id, username=staff["username"], display_name=display,
                     permissions=tuple(permissions) if permissions is not None else None, via=via)


def resolve_session(conn: Connection, session_id: str, ttl: timedelta) -> tuple[Principal | None, bool]:
    """The principal behind a live session (None if unknown, expired, or its user disabled), and
    whether its expiry is due to be slid forward with ``touch_session``.

    Sliding only once a few minutes have passed keeps ordinary requests read-only.
    """
    row = fastread.row_by_key(conn, auth_session, "session_hash", _digest(session_id))
    stamp = now()
    if row is None or row["expires_at"] <= stamp:
        return None, False
    due = row["expires_at"] - stamp < ttl - timedelta(minutes=5)
    return staff_principal(conn, row["staff_id"], "credentials"), due


def touch_session(conn: Connection, session_id: str, ttl: timedelta) -> None:
    conn.execute(auth_session.update().where(auth_session.c.session_hash == _digest(session_id))
                 .values(expires_at=now() + ttl))


def end_session(conn: Connection, session_id: str) -> None:
    conn.execute(auth_session.delete().where(auth_session.c.session_hash == _digest(session_id)))


def session_owner(session_id: str) -> str:
    """The stable, non-secret name drafts are filed under for a session or key."""
    return _digest(session_id)


@dataclass(frozen=True)
class IssuedKey:
    key: str  # shown once, never stored
    key_id: str
    kind: str


def create_api_key(conn: Connection, *, staff_username: str | None = None, debtor_account_no: str | None = None,
                   expires: date | None = None, description: str = "") -> IssuedKey:
    if (staff_username is None) == (debtor_account_no is None):
        raise Invalid("Give exactly one of a staff user name or a debtor account number")
    debtor_id = None
    if debtor_account_no is not None:
        debtor = conn.execute(sa.select(debtor_t.c.debtor_id).where(
            debtor_t.c.account_no == debtor_account_no)).first()
        if debtor is None:
            raise NotFound(f"No debtor with account number {debtor_account_no}")
        debtor_id = debtor.debtor_id
        staff = find_staff(conn, DEBTOR_KEY_STAFF)
        if staff is None:
            # A staff member with no password: it can only ever act through debtor keys.
            conn.execute(staff_t.insert().values(
                staff_id=uuid.uuid4().hex[:20], username=DEBTOR_KEY_STAFF, first_name="Debtor",
                surname="API", enabled=True, revision=1, last_saved=now()))
            staff = find_staff(conn, DEBTOR_KEY_STAFF)
        kind = "debtor"
    else:
        staff = find_staff(conn, staff_username or "")
        if staff is None:
            raise NotFound(f"No staff member named {staff_username}")
        kind = "staff"
    # A key that began with "-" would read as an option on a command line (keys revoke -Ab...).
    key = secrets.token_urlsafe(32)
    while key.startswith("-"):
        key = secrets.token_urlsafe(32)
    key_id = uuid.uuid4().hex[:12]
    conn.execute(api_key.insert().values(
        key_id=key_id, key_hash=_digest(key), key_prefix=key[:6], kind=kind, staff_id=staff.staff_id,
        debtor_id=debtor_id, description=description, created_at=now(),
        expires_at=datetime.combine(expires, datetime.min.time()) + timedelta(days=1) if expires else None,
        enabled=True,
    ))
    return IssuedKey(key=key, key_id=key_id, kind=kind)


def resolve_api_key(conn: Connection, key: str) -> Principal:
    """The principal an API key acts as. Unknown, expired or revoked keys are Unauthenticated."""
    digest = _digest(key)
    row = conn.execute(sa.select(api_key).where(api_key.c.key_hash == digest)).first()
    # The lookup is by hash; the compare is constant-time all the same.
    # A Symphony SOAP key travels in clear in every request and is worth nothing without its
    # secret: it never opens the APIs that take a key alone.
    if row is None or not hmac.compare_digest(row.key_hash, digest) or row.kind == "soap":
        raise Unauthenticated("Invalid API Key", code="Unauthorized")
    if not row.enabled:
        raise Unauthenticated("API Key has been revoked", code="Unauthorized")
    if row.expires_at is not None and row.expires_at <= now():
        raise Unauthenticated("API Key has expired", code="Unauthorized")
    if row.kind == "debtor":
        staff = fastread.row_by_key(conn, staff_t, "staff_id", row.staff_id)
        if staff is None or not staff["enabled"]:
            raise Unauthenticated("The staff member of this API Key is disabled", code="Unauthorized")
        return Principal(kind="debtor", staff_id=row.staff_id, username=staff["username"],
                         display_name=staff["username"], debtor_id=row.debtor_id, via="apikey", key_id=row.key_id)
    principal = staff_principal(conn, row.staff_id, "apikey")
    if principal is None:
        raise Unauthenticated("The staff member of this API Key is disabled", code="Unauthorized")
    return replace(principal, key_id=row.key_id)


def revoke_api_key(conn: Connection, key_or_id: str) -> None:
    cond = sa.or_(api_key.c.key_id == key_or_id, api_key.c.key_hash == _digest(key_or_id))
    result = conn.execute(api_key.update().where(cond).values(enabled=False))
    if result.rowcount == 0:
        raise NotFound("No such API key")


def list_api_keys(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(api_key, staff_t.c.username, debtor_t.c.account_no)
        .join(staff_t, staff_t.c.staff_id == api_key.c.staff_id, isouter=True)
        .join(debtor_t, debtor_t.c.debtor_id == api_key.c.debtor_id, isouter=True)
        .order_by(api_key.c.created_at)
    ).all()
    return [
        {"key_id": r.key_id, "prefix": r.key_prefix, "kind": r.kind, "staff": r.username,
         "debtor": r.account_no, "created_at": r.created_at, "expires_at": r.expires_at, "enabled": r.enabled}
        for r in rows
    ]
