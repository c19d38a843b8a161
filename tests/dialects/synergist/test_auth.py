"""Credentials, sessions, sha512password, the version, and acting on behalf of another user."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backoffice.core import clock
from backoffice.core.auth import service
from backoffice.core.store import Database

from .conftest import Synergist


def _session(syn: Synergist) -> str:
    session: str = syn.json("users", action="newsession")["data"][0]["session"]
    return session


def _with_session(syn: Synergist, session: str, fmt: str = "json", **params: str) -> object:
    return syn.get("system", fmt, user=None, password=None, session=session, action="version", **params)


def test_session_expires_slides_and_ends(syn: Synergist) -> None:
    start = clock.now()
    ttl = timedelta(days=1)  # settings.session_ttl_seconds
    try:
        clock.set_now(start)
        session = _session(syn)
        clock.set_now(start + ttl - timedelta(minutes=1))
        assert _with_session(syn, session).status_code == 200  # used near its end: slides
        clock.set_now(start + ttl + timedelta(minutes=30))
        assert _with_session(syn, session).status_code == 200  # still alive thanks to the slide
        clock.set_now(start + 3 * ttl)
        expired = _with_session(syn, session)
        assert expired.status_code == 404 and expired.json()["errorcode"] == 404002  # type: ignore[attr-defined]
    finally:
        clock.set_now(None)


def test_session_unused_expires(syn: Synergist) -> None:
    session = _session(syn)
    with clock.moved_to(clock.now() + timedelta(days=1, seconds=1)):
        response = _with_session(syn, session, "xml")
        assert response.status_code == 404 and b'ErrorID="404002"' in response.content  # type: ignore[attr-defined]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_end_session(syn: Synergist, fmt: str) -> None:
    session = _session(syn)
    ended = syn.get("users", fmt, user=None, password=None, session=session, action="endsession")
    assert ended.status_code == 200
    if fmt == "json":
        assert ended.json()["responsemessage"] == "session ended"
    else:
        assert b"<SuccessText>session ended</SuccessText>" in ended.content
    again = _with_session(syn, session, fmt)
    assert again.status_code == 404  # type: ignore[attr-defined]
    # endsession needs a session to end.
    assert syn.json_error("users", action="endsession") == (404501, "no session supplied")


def test_sha512password(syn: Synergist) -> None:
    digest = service.sha512_hex("password")
    for value in (digest, digest.upper()):
        body = syn.json("system", action="version", password=None, sha512password=value)
        assert body["data"][0]["variable_apiversion"] == "3"
    assert syn.json_error("system", action="version", password=None, sha512password=service.sha512_hex("x")) == (
        404002, "invalid credentials supplied")
    # The SHA-512 is not a password, and the password is not a SHA-512.
    assert syn.json_error("system", action="version", password=digest)[0] == 404002
    assert syn.xml_error("system", action="version", password=None, sha512password="password")[0] == 404002


def test_sha512password_of_a_disabled_account(syn: Synergist, db: Database) -> None:
    with db.write() as conn:
        service.set_enabled(conn, "Sarah", False)
    fail = syn.json_error("system", action="version", user="Sarah", password=None,
                          sha512password=service.sha512_hex("sarah-password"))
    assert fail == (404003, "account disabled")


def test_disabled_account_loses_its_sessions(syn: Synergist, db: Database) -> None:
    session = syn.json("users", action="newsession", user="Sarah", password="sarah-password")["data"][0]["session"]
    with db.write() as conn:
        service.set_enabled(conn, "Sarah", False)
    assert _with_session(syn, session).status_code == 404  # type: ignore[attr-defined]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_version(syn: Synergist, fmt: str) -> None:
    fail = syn.json_error if fmt == "json" else syn.xml_error
    assert fail("system", action="version", version=None) == (404005, "no version supplied")
    assert fail("system", action="version", version="2") == (404005, "version 2 not supported")
    assert fail("system", action="version", version="3.10") == (404005, "version 3.10 not supported")
    for accepted in ("3", "3.0", "3.1", "3.9", "4"):
        if fmt == "json":
            assert syn.json("system", action="version", version=accepted)["data"][0]["variable_apiversion"] == accepted
        else:
            assert syn.xml("system", action="version", version=accepted).findtext("System/variable_apiversion") == (
                accepted)


def test_acting_on_behalf(syn: Synergist, db: Database) -> None:
    # Admin (no permission list) may act for Sarah: a session made that way is still Admin's.
    body = syn.json("activities", username="Sarah", view="-1702")
    assert body["totalrows"] == 0  # "My activities" of Sarah: she has none
    assert syn.json("activities", view="-1702")["totalrows"] >= 1  # Admin owns the demo activity
    assert syn.json_error("activities", username="Nobody") == (404007, "invalid username Nobody")
    with db.write() as conn:
        service.set_enabled(conn, "Sarah", False)
    assert syn.xml_error("activities", username="Sarah") == (404007, "invalid username Sarah")


def test_acting_on_behalf_needs_the_permission(syn: Synergist, db: Database) -> None:
    with db.write() as conn:
        service.add_user(conn, "Clerk", "clerk-password", permissions=["Synergist.activities", "Synergist.system"])
        service.add_user(conn, "Deputy", "deputy-password",
                         permissions=["Synergist.activities", "Synergist.ActOnBehalf"])
    clerk = {"user": "Clerk", "password": "clerk-password"}
    assert syn.json("activities", **clerk)["success"] is True
    refused = (404006, "not permitted to act on behalf of another user")
    assert syn.json_error("activities", username="Admin", **clerk) == refused
    assert syn.xml_error("activities", username="Admin", **clerk) == refused
    # Naming oneself is no one else.
    assert syn.json("activities", username="clerk", **clerk)["success"] is True
    deputy = {"user": "Deputy", "password": "deputy-password"}
    assert syn.json("activities", username="Admin", view="-1702", **deputy)["totalrows"] >= 1
    # A module outside the permission list.
    assert syn.json_error("clients", **clerk) == (404509, "not permitted to use clients")
