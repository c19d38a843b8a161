"""ServiceStack's built-in authentication service: /auth, /auth/{provider}, /auth/logout."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ...core import errors
from ...core.auth import service as auth
from ...core.auth.access import signed_messages_for
from .formats import Dto
from .host import Call, Operation, ServiceStackHost, new_cookie_id

PERMANENT_SECONDS = 60 * 60 * 24 * 365 * 20  # ss-pid lives 20 years, as ServiceStack's does
REMEMBER_SECONDS = 60 * 60 * 24 * 14


def _response(call: Call, session_id: str | None, bearer: str | None = None) -> Dto:
    principal = call.principal
    return Dto("AuthenticateResponse", {
        "UserId": None,
        "SessionId": session_id,
        "UserName": principal.username if principal else None,
        "DisplayName": principal.display_name if principal else None,
        "ReferrerUrl": None,
        "BearerToken": bearer,
        "ResponseStatus": Dto("ResponseStatus", {}),
    })


def authenticate(call: Call) -> Any:
    provider = str(call.dto.get("provider") or "credentials").lower()
    if provider == "logout":
        return logout(call)
    username = call.dto.get("UserName")
    password = call.dto.get("Password")
    if username in (None, "") and password in (None, ""):
        # GET /auth with no credentials answers the current session, as ServiceStack does.
        if call.principal is None:
            raise errors.Unauthenticated("Not Authenticated", code="Unauthorized")
        bearer = None
        if call.principal.via == "apikey":
            header = call.headers.get("authorization", "")
            bearer = header[7:].strip() if header.lower().startswith("bearer ") else None
        return _response(call, call.session_id, bearer)
    _check_signature(call)
    if provider not in ("credentials", "basic"):
        raise errors.Invalid(f"No configuration was added for OAuth provider '{provider}'",
                             code="NotImplementedException")
    remember = bool(call.dto.get("RememberMe"))
    ttl = timedelta(seconds=REMEMBER_SECONDS if remember else call.settings.session_ttl_seconds)
    # The (deliberately slow) password check reads; only creating the session takes the write lock.
    with call.db.read() as conn:
        principal = auth.check_credentials(conn, str(username or ""), str(password or ""))
    with call.db.write() as conn:
        session_id = auth.create_session(conn, principal, ttl, permanent=remember)
    call.principal = principal
    call.session_id = session_id
    call.cookies.append(("ss-id", session_id, None))
    call.cookies.append(("ss-pid", session_id if remember else new_cookie_id(), PERMANENT_SECONDS))
    call.cookies.append(("ss-opt", "perm" if remember else "temp", PERMANENT_SECONDS))
    return _response(call, session_id)


def _check_signature(call: Call) -> None:
    """With a public key registered, a login must be signed by its private key (X-Signature)."""
    policy = call.access
    if policy is None or not policy.requires_signature:
        return
    absolute = call.base_url + call.raw_target.decode("latin-1")
    signed = signed_messages_for(call.op.verb, call.raw_target, absolute, call.body)
    if not policy.verify_signature(signed, call.headers.get("x-signature")):
        # Which part failed is not said: that would help someone forging signatures.
        raise errors.Unauthenticated("The request signature (X-Signature) is missing or not valid",
                                     code="InvalidSignature")


def logout(call: Call) -> Any:
    if call.session_id:
        with call.db.write() as conn:
            auth.end_session(conn, call.session_id)
    for name in ("ss-id", "ss-pid", "ss-opt"):
        call.cookies.append((name, "", 0))
    return Dto("AuthenticateResponse", {"ResponseStatus": Dto("ResponseStatus", {})})


def register_auth(host: ServiceStackHost) -> None:
    host.types.define(
        "Authenticate",
        "provider: string, State: string, oauth_token: string, oauth_verifier: string, UserName: string, "
        "Password: string, RememberMe: bool, Continue: string, nonce: string, uri: string, response: string, "
        "qop: string, nc: string, cnonce: string, UseTokenCookie: bool, AccessToken: string, "
        "AccessTokenSecret: string, Meta: Dictionary<string,string>",
        namespace="http://schemas.servicestack.net/types",
    )
    host.types.define(
        "AuthenticateResponse",
        "UserId: string, SessionId: string, UserName: string, DisplayName: string, ReferrerUrl: string, "
        "BearerToken: string, RefreshToken: string, ResponseStatus: ResponseStatus, Meta: Dictionary<string,string>",
        namespace="http://schemas.servicestack.net/types",
    )
    for verb in ("GET", "POST"):
        host.register(Operation(request="Authenticate", verb=verb, routes=["/auth", "/auth/{provider}"],
                                handler=authenticate, response="AuthenticateResponse",
                                summary="Logs in using a user name and password", tag="Auth"))
