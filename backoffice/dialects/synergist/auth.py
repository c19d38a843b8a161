"""Who a Synergist call is from: ``user`` with ``password`` or ``sha512password``, or ``session``;
and on whose behalf it acts (``username``).

* No ``user`` and no ``session`` (or a ``user`` with neither password): 404001.
* Wrong credentials, an unknown user, an unknown or expired session: 404002 (the same answer
  whatever was wrong, so it does not tell which user names exist).
* A disabled account, only once its credentials were right: 404003.
* ``session`` wins over ``user``/``password`` when both are sent. Sessions slide: a call made with
  one pushes its expiry to ``session_ttl_seconds`` from now.
* ``username=<other>`` acts as that user; the login needs the permission ``Synergist.ActOnBehalf``
  (staff without a permission list have every permission) or it is 404006; a ``username`` that
  names nobody, or a disabled account, is 404007. ``username`` naming the login itself is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.engine import Connection

from ...core.auth import Principal, allowed
from ...core.auth import service as auth
from ...core.errors import Unauthenticated
from .host import (
    ACCOUNT_DISABLED,
    BAD_USERNAME,
    INVALID_CREDENTIALS,
    NO_CREDENTIALS,
    ON_BEHALF_REFUSED,
    SynergistError,
)

ACT_ON_BEHALF = "Synergist.ActOnBehalf"


@dataclass(frozen=True)
class Login:
    principal: Principal
    session: str | None = None  # the session used
    slide: bool = False  # the session's expiry is due to be pushed forward


def authenticate(conn: Connection, params: Mapping[str, str], ttl: timedelta) -> Login:
    session = params.get("session", "").strip()
    if session:
        principal, due = auth.resolve_session(conn, session, ttl)
        if principal is None:
            raise SynergistError(INVALID_CREDENTIALS)
        return Login(principal, session, due)
    user = params.get("user", "")
    password = params.get("password")
    digest = params.get("sha512password")
    if not user.strip() or (password is None and digest is None):
        raise SynergistError(NO_CREDENTIALS)
    try:
        if password is not None:
            return Login(auth.check_login(conn, user, password=password))
        return Login(auth.check_login(conn, user, sha512_password=digest))
    except auth.AccountDisabled:
        raise SynergistError(ACCOUNT_DISABLED) from None
    except Unauthenticated:
        raise SynergistError(INVALID_CREDENTIALS) from None


def on_behalf(conn: Connection, login: Principal, username: str) -> Principal:
    """The principal a call acts as: the login, or the ``username`` user when the login may."""
    if not username.strip() or username.strip().lower() == login.username.lower():
        return login
    if not allowed(login, ACT_ON_BEHALF):
        raise SynergistError(ON_BEHALF_REFUSED, "not permitted to act on behalf of another user")
    row = auth.find_staff(conn, username)
    other = auth.staff_principal(conn, row.staff_id, "credentials") if row is not None else None
    if other is None:
        raise SynergistError(BAD_USERNAME, f"invalid username {username.strip()}")
    return other
