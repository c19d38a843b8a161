"""Signed requests (the Symphony SOAP AuthenticationHeader): keys, the formula, freshness, replay."""

from __future__ import annotations

import stat
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from backoffice.core.auth import service as auth
from backoffice.core.auth import signing
from backoffice.core.clock import moved_to
from backoffice.core.errors import Unauthenticated
from backoffice.core.store import Database
from backoffice.core.store.tables import api_key
from backoffice.settings import Settings

SKEW = timedelta(minutes=5)
NOON = datetime(2026, 3, 2, 12, 0, 0)


@pytest.mark.parametrize(("secret", "operation", "timestamp", "expected"), [
    # Computed independently (openssl dgst -sha1 -hmac secret -binary | base64) for the digest.
    ("secret", "CancelAttendee", "2010-01-01T12:30:00.000Z", "1QyUnAKxlulsonAk+rTKYdwRco4="),
    ("secret", "GenerateTokenForContact", "2010-01-01T12:30:00.000Z", "vvTgrK+er07FwPVOudG4Jac7lKY="),
    ("secret", "CancelAttendee", "2010-04-09T09:08Z", "znZHFH2eURfylq6fKnHHX/vtiiE="),
    ("XYZ", "CancelAttendee", "2010-01-01T12:30:00.000Z", "Fm6icdy8pRA+YpfNvc8t+lmP1Nk="),
])
def test_the_vendors_formula(secret: str, operation: str, timestamp: str, expected: str) -> None:
    assert signing.signature(secret, operation, timestamp) == expected


@pytest.mark.parametrize(("text", "moment"), [
    ("2010-01-01T12:30:00.000Z", datetime(2010, 1, 1, 12, 30)),
    ("2010-04-09T09:08Z", datetime(2010, 4, 9, 9, 8)),
    ("2010-04-09T11:08:30+02:00", datetime(2010, 4, 9, 9, 8, 30)),
    ("2010-04-09T04:08:30.1234567-0500", datetime(2010, 4, 9, 9, 8, 30, 123456)),
])
def test_timestamps_as_clients_write_them(text: str, moment: datetime) -> None:
    assert signing.parse_timestamp(text) == moment


@pytest.mark.parametrize("text", ["2010-01-01T12:30:00", "yesterday", "2010-02-30T12:00Z", "", "2010-01-01"])
def test_timestamps_without_a_zone_or_not_a_time_are_refused(text: str) -> None:
    with pytest.raises(Unauthenticated):
        signing.parse_timestamp(text)


def _header(key: signing.IssuedSoapKey, operation: str, timestamp: str, secret: str | None = None) -> dict[str, str]:
    return {"Timestamp": timestamp, "Operation": operation, "APIKey": key.api_key,
            "Signature": signing.signature(secret or key.secret_key, operation, timestamp)}


@pytest.fixture
def master(settings: Settings) -> signing.MasterKey:
    return settings.master_key()


@pytest.fixture
def key(db: Database, master: signing.MasterKey) -> signing.IssuedSoapKey:
    with db.write() as conn:
        return signing.create_soap_key(conn, master)


def _verify(db: Database, master: signing.MasterKey, header: dict[str, str] | None, operation: str) -> str:
    with db.write() as conn:
        return signing.verify(conn, master, header, operation, skew=SKEW).username


def test_a_signed_request_passes_once(db: Database, master: signing.MasterKey, key: signing.IssuedSoapKey) -> None:
    with moved_to(NOON):
        header = _header(key, "CancelAttendee", signing.utc_timestamp())
        assert _verify(db, master, header, "CancelAttendee") == key.staff
        with pytest.raises(Unauthenticated, match="already received"):
            _verify(db, master, header, "CancelAttendee")
        # The next request, a millisecond later, is a new signature.
        later = _header(key, "CancelAttendee", signing.utc_timestamp(NOON + timedelta(milliseconds=1)))
        assert _verify(db, master, later, "CancelAttendee") == key.staff


def test_the_secret_is_stored_sealed_and_the_key_hashed(db: Database, master: signing.MasterKey,
                                                         key: signing.IssuedSoapKey, settings: Settings) -> None:
    with db.read() as conn:
        row = conn.execute(sa.select(api_key).where(api_key.c.key_id == key.key_id)).one()
    assert key.secret_key not in row.signing_secret and key.api_key not in row.key_hash
    assert master.open(row.signing_secret) == key.secret_key
    mode = stat.S_IMODE(Path(settings.master_key_file).stat().st_mode)
    assert mode == 0o600


@pytest.mark.parametrize(("change", "message"), [
    ({"Signature": "1QyUnAKxlulsonAk+rTKYdwRco4="}, "Authentication failed"),
    ({"Signature": "ABC"}, "Authentication failed"),
    ({"APIKey": "XYZ"}, "Authentication failed"),
    ({"Operation": "GetBooking"}, "not the operation called"),
    ({"Signature": ""}, "has no Signature"),
    ({"Timestamp": "2026-03-02T12:00:00"}, "ISO 8601"),
])
def test_wrong_headers_are_refused(db: Database, master: signing.MasterKey, key: signing.IssuedSoapKey,
                                   change: dict[str, str], message: str) -> None:
    with moved_to(NOON):
        header = {**_header(key, "CancelAttendee", signing.utc_timestamp()), **change}
        with pytest.raises(Unauthenticated, match=message):
            _verify(db, master, header, "CancelAttendee")


def test_a_signature_made_with_another_secret_fails(db: Database, master: signing.MasterKey,
                                                    key: signing.IssuedSoapKey) -> None:
    with moved_to(NOON):
        header = _header(key, "CancelAttendee", signing.utc_timestamp(), secret="not-the-secret")
        with pytest.raises(Unauthenticated, match="Authentication failed"):
            _verify(db, master, header, "CancelAttendee")


def test_no_header_is_refused(db: Database, master: signing.MasterKey) -> None:
    with pytest.raises(Unauthenticated, match="AuthenticationHeader is required"):
        _verify(db, master, None, "CancelAttendee")


@pytest.mark.parametrize("offset", [timedelta(minutes=-6), timedelta(minutes=6)])
def test_stale_and_future_timestamps_are_refused(db: Database, master: signing.MasterKey, key: signing.IssuedSoapKey,
                                                 offset: timedelta) -> None:
    with moved_to(NOON):
        header = _header(key, "GetBooking", signing.utc_timestamp(NOON + offset))
        with pytest.raises(Unauthenticated, match="away from the server's time"):
            _verify(db, master, header, "GetBooking")
        # Within the window either way is fine.
        near = _header(key, "GetBooking", signing.utc_timestamp(NOON + offset * 0.8))
        assert _verify(db, master, near, "GetBooking") == key.staff


def test_a_revoked_key_is_refused(db: Database, master: signing.MasterKey, key: signing.IssuedSoapKey) -> None:
    with db.write() as conn:
        auth.revoke_api_key(conn, key.key_id)
    with moved_to(NOON):
        with pytest.raises(Unauthenticated, match="revoked"):
            _verify(db, master, _header(key, "GetBooking", signing.utc_timestamp()), "GetBooking")


def test_a_soap_key_alone_opens_no_other_api(db: Database, key: signing.IssuedSoapKey) -> None:
    # The API key travels in clear in every SOAP request; without the secret it is worth nothing.
    with db.read() as conn, pytest.raises(Unauthenticated):
        auth.resolve_api_key(conn, key.api_key)


def test_seen_signatures_are_forgotten_once_they_could_no_longer_pass(db: Database, master: signing.MasterKey,
                                                                      key: signing.IssuedSoapKey) -> None:
    with moved_to(NOON):
        _verify(db, master, _header(key, "GetBooking", signing.utc_timestamp()), "GetBooking")
    with moved_to(NOON + timedelta(minutes=11)):
        _verify(db, master, _header(key, "GetBooking", signing.utc_timestamp()), "GetBooking")
        with db.read() as conn:
            seen = conn.execute(sa.text("SELECT count(*) FROM soap_signature_seen")).scalar()
    assert seen == 1
