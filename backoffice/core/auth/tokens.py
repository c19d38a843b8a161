"""Organization tokens and one-time codes (the Symphony Import/Export API's security service).

A token is issued for one user in one organization and carries both: every call made with it is
confined to that organization. Tokens and codes are kept only as SHA-256 digests; a token is a
random string, so looking its digest up is as safe as comparing it in constant time. One-time codes
are short, so they are compared with ``hmac.compare_digest`` and a code dies after a few wrong tries.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .. import mail, orgs
from ..clock import now
from ..errors import NotFound, Unauthenticated
from ..store import fastread
from ..store.tables import auth_token, one_time_code
from .service import check_credentials

TOKEN_TTL = timedelta(minutes=30)
CODE_TTL = timedelta(minutes=10)
CODE_DIGITS = 6
CODE_MAX_FAILURES = 5
# Wrong tries and codes asked for are counted over this window, whatever the number of codes.
CODE_WINDOW = timedelta(minutes=30)
# One message for every failed login, so a caller cannot tell a wrong password from an unknown
# user or organization.
LOGIN_FAILED = "Invalid user name, password or organization"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class OrgPrincipal:
    """Who a token speaks for: a staff member working in one organization."""

    staff_id: str
    user_name: str
    org: orgs.Org
    language_id: int
    email: str | None = None


def _member(conn: Connection, user_name: str, password: str, org_code: str | None) -> orgs.Member:
    """The member these credentials name, or Unauthenticated (the same for every kind of failure)."""
    org = orgs.find(conn, org_code)
    try:
        principal = check_credentials(conn, user_name, password)
    except Unauthenticated:
        raise Unauthenticated(LOGIN_FAILED, code="Unauthorized") from None
    found = orgs.member(conn, org, principal.staff_id) if org is not None else None
    if found is None:
        raise Unauthenticated(LOGIN_FAILED, code="Unauthorized")
    return found


def issue(conn: Connection, user_name: str, password: str, org_code: str | None, *,
          one_time_code: str | None = None, ttl: timedelta = TOKEN_TTL) -> str:
    """A new token for a member of the organization. A member marked for multi-factor
    authentication must also give a live one-time code, which this uses up."""
    found = _member(conn, user_name, password, org_code)
    if found.mfa_required:
        if not one_time_code:
            raise Unauthenticated("A one-time code is required for this user", code="OneTimeCodeRequired")
        if not check_code(conn, found, one_time_code, consume=True):
            raise Unauthenticated("The one-time code is wrong, used or expired", code="OneTimeCodeInvalid")
    # The shape Symphony's tokens have (IEx, a GUID, 40 hex digits): over 5 characters and never
    # containing "error", which is how the public sample client recognises a failed login.
    token = f"IEx{uuid.uuid4()}{secrets.token_hex(20)}"
    stamp = now()
    conn.execute(auth_token.insert().values(token_hash=_digest(token), staff_id=found.staff_id,
                                            org_id=found.org.org_id, created_at=stamp, expires_at=stamp + ttl))
    return token


def resolve(conn: Connection, token: str | None) -> OrgPrincipal:
    """The principal behind a live token, or Unauthenticated (missing, unknown, signed off, expired,
    or its user disabled or no longer a member)."""
    if not token or len(token) > 200:
        raise Unauthenticated("An AuthenticationToken header with a live token is required", code="TokenRequired")
    row = fastread.row_by_key(conn, auth_token, "token_hash", _digest(token.strip()))
    if row is None or row["expires_at"] <= now():
        raise Unauthenticated("The authentication token is unknown or has expired", code="TokenExpired")
    try:
        org = orgs.get(conn, row["org_id"])
    except NotFound:  # the organization is gone: so is every token for it
        raise Unauthenticated("The authentication token is unknown or has expired", code="TokenExpired") from None
    found = orgs.member(conn, org, row["staff_id"])
    staff = fastread.row_by_key(conn, orgs.staff_t, "staff_id", row["staff_id"])
    if found is None or staff is None or not staff["enabled"]:
        raise Unauthenticated("The authentication token is unknown or has expired", code="TokenExpired")
    return OrgPrincipal(found.staff_id, found.user_name, org, found.language_id, found.email)


def sign_off(conn: Connection, token: str) -> bool:
    """End a token; True if it was live."""
    return bool(conn.execute(auth_token.delete().where(auth_token.c.token_hash == _digest(token.strip())))
                .rowcount)


def purge(conn: Connection) -> int:
    """Drop expired tokens and codes (housekeeping)."""
    stamp = now()
    gone = conn.execute(auth_token.delete().where(auth_token.c.expires_at < stamp)).rowcount or 0
    gone += conn.execute(one_time_code.delete().where(one_time_code.c.created_at < stamp - CODE_WINDOW)).rowcount or 0
    return gone


# --- one-time codes ------------------------------------------------------------------------------


def send_code(conn: Connection, mail_settings: mail.MailSettings, user_name: str, password: str,
              org_code: str | None, *, ttl: timedelta = CODE_TTL) -> None:
    """Mail a new one-time code to the member's registered address. Earlier codes stop working."""
    found = _member(conn, user_name, password, org_code)
    if not found.email:
        raise Unauthenticated("No e-mail address is registered for this user", code="NoEmail")
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    stamp = now()
    recent = conn.execute(sa.select(sa.func.count()).select_from(one_time_code).where(
        one_time_code.c.staff_id == found.staff_id, one_time_code.c.created_at > stamp - CODE_WINDOW)).scalar_one()
    if recent >= CODE_MAX_FAILURES:
        raise Unauthenticated("Too many one-time codes were asked for; wait a while and ask again",
                              code="TooManyCodes")
    # Earlier codes stop working but stay (until they expire) to count against the user's tries.
    conn.execute(one_time_code.update().where(one_time_code.c.staff_id == found.staff_id,
                                              one_time_code.c.org_id == found.org.org_id,
                                              one_time_code.c.used_at.is_(None)).values(used_at=stamp))
    conn.execute(one_time_code.insert().values(
        code_id=uuid.uuid4().hex, staff_id=found.staff_id, org_id=found.org.org_id, code_hash=_digest(code),
        created_at=stamp, expires_at=stamp + ttl,
    ))
    minutes = int(ttl.total_seconds() // 60)
    mail.send(mail_settings, found.email, f"Your one-time code for {found.org.code}",
              f"Your one-time code is {code}.\n\nIt works once, within {minutes} minutes.\n")


def check_code(conn: Connection, found: orgs.Member, code: str, *, consume: bool) -> bool:
    """Whether ``code`` is the member's live one-time code; ``consume`` uses it up. A wrong code
    counts against the live one, which dies after CODE_MAX_FAILURES wrong tries."""
    stamp = now()
    mine = sa.and_(one_time_code.c.staff_id == found.staff_id, one_time_code.c.org_id == found.org.org_id)
    row = conn.execute(sa.select(one_time_code).where(
        mine, one_time_code.c.used_at.is_(None), one_time_code.c.expires_at > stamp,
    ).order_by(one_time_code.c.created_at.desc()).limit(1)).first()
    # Wrong tries count per user over a window, across codes: asking for a new code gives no new tries.
    failures = conn.execute(sa.select(sa.func.coalesce(sa.func.sum(one_time_code.c.failed_attempts), 0)).where(
        mine, one_time_code.c.created_at > stamp - CODE_WINDOW)).scalar_one()
    if row is None or failures >= CODE_MAX_FAILURES:
        return False
    if not hmac.compare_digest(row.code_hash, _digest(code.strip())):
        conn.execute(one_time_code.update().where(one_time_code.c.code_id == row.code_id)
                     .values(failed_attempts=one_time_code.c.failed_attempts + 1))
        return False
    if consume:
        conn.execute(one_time_code.update().where(one_time_code.c.code_id == row.code_id).values(used_at=now()))
    return True


def validate_code(conn: Connection, user_name: str, password: str, org_code: str | None, code: str | None) -> bool:
    """ValidateToken: whether the credentials are right and ``code`` is their live one-time code.
    It does not use the code up: the code still unlocks one token (``issue``)."""
    try:
        found = _member(conn, user_name, password, org_code)
    except Unauthenticated:
        return False
    return bool(code) and check_code(conn, found, code or "", consume=False)


def member_principal(conn: Connection, org_code: str | None, user_name: str | None = None) -> OrgPrincipal:
    """The principal of a member acting from the server itself (the command line), without a
    password: the named member, or the organization's first. NotFound when there is none."""
    org = orgs.find(conn, org_code)
    if org is None:
        raise NotFound(f"No organization {org_code!r}")
    query = (sa.select(orgs.org_user.c.staff_id).join(orgs.staff_t, orgs.staff_t.c.staff_id == orgs.org_user.c.staff_id)
             .where(orgs.org_user.c.org_id == org.org_id).order_by(orgs.staff_t.c.username))
    if user_name:
        query = query.where(sa.func.lower(orgs.staff_t.c.username) == user_name.strip().lower())
    staff_id = conn.execute(query.limit(1)).scalar()
    found = orgs.member(conn, org, staff_id) if staff_id is not None else None
    if found is None:
        raise NotFound(f"{user_name or 'Nobody'} is not a member of organization {org.code}")
    return OrgPrincipal(found.staff_id, found.user_name, org, found.language_id, found.email)
