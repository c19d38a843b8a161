"""Contacts as the events side (Symphony's SOAP API) sees them: the core's own contacts
(``DebtorContactName``), known by their contact number, with an address, a password, a
registration status, profile values and mailed tokens.

A contact made here belongs to the debtor ``EVENTS`` ("Event contacts"), made on first use; any
other contact (a debtor's contact name made through Jiwa or Galaxy) is just as much a contact
here, since every contact gets its number when it is made (``rules.contact_numbers``). E-mail
addresses are unique among all contacts, compared without case, when they are set here; the
other APIs do not check it, so where several contacts share one the lowest number wins.

Passwords are Argon2 hashes in ``contact_credential``; tokens are kept only as SHA-256 digests.
Every function takes the caller's connection and writes in its transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import mail, records
from .auth import Principal
from .auth.passwords import hash_password, verify_password
from .catalog import CATALOG
from .clock import now
from .errors import Conflict, Invalid, NotFound, Unauthenticated
from .numbering import next_change
from .store.tables import ENTITY_TABLES, contact_credential, contact_token, sequence

CONTACT_DEBTOR = "EVENTS"
CONTACT_DEBTOR_NAME = "Event contacts"
# Who writes through this module: the system, as the command line does (no staff member stamped).
SYSTEM = Principal(kind="staff", staff_id="", username="(events)")

TOKEN_TYPES = ("ContactRegistration",)
TOKEN_TTL = timedelta(hours=24)
LOG_ON_FAILED = "The email address or password is incorrect."
TOKEN_INVALID = "The token is not valid."
NOT_REGISTERED, REGISTERED = 0, 1

_contact = ENTITY_TABLES["DebtorContactName"]
_debtor = ENTITY_TABLES["Debtor"]
_ENTITY = CATALOG.entity("DebtorContactName")

# The details a caller gives (Symphony's names, snake case) -> the contact's catalog field.
DETAILS: dict[str, str] = {
    "email": "email_address", "title": "title", "forename": "first_name", "surname": "surname",
    "organisation": "organisation", "occupation": "occupation", "pa_name": "pa_name",
    "marketing_opt_out": "marketing_opt_out", "line1": "line1", "line2": "line2", "line3": "line3",
    "town": "town", "county": "county", "postcode": "postcode", "country": "country", "telephone": "phone",
    "fax": "fax", "mobile": "mobile", "website": "website", "reference": "reference", "code": "code",
    "date_of_birth": "date_of_birth",
}
# What ``update`` takes besides the details.
_EXTRAS = ("password", "reg_status", "profile_string", "profile_value_ids")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


# --- reading ------------------------------------------------------------------------------------


def _profile_ids(text: str | None) -> list[int]:
    return [int(part) for part in (text or "").split(",") if part.strip()]


def as_dict(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A contact row as this module hands it out (snake-case Symphony names)."""
    found = {detail: row[field] for detail, field in DETAILS.items()}
    found["marketing_opt_out"] = bool(row["marketing_opt_out"])
    return {
        "contact_number": row["contact_number"], "contact_name_id": row["contact_name_id"],
        "debtor_id": row["debtor_id"], "email": found.pop("email"), "title": found.pop("title"),
        "forename": found.pop("forename"), "surname": found.pop("surname"),
        "name": " ".join(p for p in (row["first_name"], row["surname"]) if p), **found,
        "reg_status": row["reg_status"] or NOT_REGISTERED, "profile_string": row["profile_string"],
        "profile_value_ids": _profile_ids(row["profile_value_ids"]),
    }


def _row(conn: Connection, where: sa.ColumnElement[bool]) -> sa.RowMapping | None:
    return conn.execute(sa.select(_contact).where(where, _contact.c.contact_number.is_not(None))
                        .order_by(_contact.c.contact_number).limit(1)).mappings().first()


def _row_by_number(conn: Connection, contact_number: int) -> sa.RowMapping:
    row = _row(conn, _contact.c.contact_number == contact_number)
    if row is None:
        raise NotFound(f"Contact {contact_number} was not found.", code="ContactNotFound")
    return row


def by_number(conn: Connection, contact_number: int) -> dict[str, Any]:
    """The contact with this number, or NotFound."""
    return as_dict(_row_by_number(conn, contact_number))


def by_email(conn: Connection, email: str | None) -> dict[str, Any] | None:
    """The contact with this e-mail address (compared without case), the lowest-numbered when
    several share it; None when there is none."""
    row = _row_by_email(conn, email)
    return as_dict(row) if row is not None else None


def _row_by_email(conn: Connection, email: str | None) -> sa.RowMapping | None:
    wanted = (email or "").strip().lower()
    if not wanted:
        return None
    return _row(conn, sa.func.lower(_contact.c.email_address) == wanted)


def key_of(conn: Connection, contact_number: int) -> str:
    """The contact's record key (``contact_name_id``), or NotFound."""
    return str(_row_by_number(conn, contact_number)["contact_name_id"])


# --- checking what a caller sends ---------------------------------------------------------------


def _text(name: str, value: Any, field: str) -> str | None:
    """A detail's text as stored: None for empty; Invalid when it is not text or too long."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid.field(name, f"{name} must be text.", "InvalidValue")
    if "\x00" in value:
        raise Invalid.field(name, f"{name} must not contain NUL characters.", "InvalidValue")
    length = _ENTITY.field(field).length
    if length and len(value) > length:
        raise Invalid.field(name, f"{name} must be at most {length} characters.", "MaxLength")
    return value or None


def _email(value: Any, *, required: bool, name: str = "email") -> str | None:
    text = _text(name, value.strip() if isinstance(value, str) else value, "email_address")
    if text is None:
        if required:
            raise Invalid.field(name, "An e-mail address is required.", "NotEmpty")
        return None
    if not looks_like_email(text):
        raise Invalid.field(name, f"{text} is not a valid e-mail address.", "InvalidEmail")
    return text


def looks_like_email(text: str) -> bool:
    """Whether ``text`` has the shape of one e-mail address (someone@somewhere.tld)."""
    return bool(_EMAIL.match(text))


def _values(details: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    """The contact's catalog fields for the details given (only those given)."""
    unknown = sorted(set(details) - set(DETAILS) - (set() if creating else set(_EXTRAS)))
    if unknown:
        raise Invalid(f"Unknown contact detail(s): {', '.join(unknown)}.", code="UnknownField")
    values: dict[str, Any] = {}
    for name, field in DETAILS.items():
        if name not in details:
            continue
        value = details[name]
        if name == "email":
            values[field] = _email(value, required=creating)
        elif name == "marketing_opt_out":
            if value is None and not creating:
                continue  # nothing to clear: a yes or no stays as it was
            if value is not None and not isinstance(value, bool):
                raise Invalid.field(name, "marketing_opt_out must be true or false.", "InvalidValue")
            values[field] = bool(value)
        elif name == "date_of_birth":
            if value is not None and not isinstance(value, date):
                raise Invalid.field(name, "date_of_birth must be a date.", "InvalidValue")
            values[field] = value.date() if isinstance(value, datetime) else value
        else:
            values[field] = _text(name, value, field)
    return values


def _lock_contacts(conn: Connection) -> None:
    """Take the Contact sequence's row lock (PostgreSQL; SQLite has one writer anyway) so that two
    transactions setting the same e-mail address take turns and the second sees the first."""
    conn.execute(sa.select(sequence.c.name).where(sequence.c.name == "Contact").with_for_update())


def _check_email_free(conn: Connection, email: str | None, contact_name_id: str | None = None) -> None:
    if email is None:
        return
    query = sa.select(_contact.c.contact_name_id).where(sa.func.lower(_contact.c.email_address) == email.lower())
    if contact_name_id is not None:
        query = query.where(_contact.c.contact_name_id != contact_name_id)
    if conn.execute(query.limit(1)).first() is not None:
        raise Conflict(f"A contact with the e-mail address {email} already exists.", code="DuplicateEmail")


def _touch_debtor(conn: Connection, debtor_id: str | None) -> None:
    """A contact is part of its debtor: the debtor counts as changed (sync clients, concurrency)."""
    if debtor_id:
        conn.execute(_debtor.update().where(_debtor.c.debtor_id == debtor_id).values(
            revision=_debtor.c.revision + 1, last_saved=now(), change_no=next_change(conn)))


# --- writing ------------------------------------------------------------------------------------


def contact_debtor(conn: Connection) -> str:
    """The key of the debtor ``EVENTS`` that contacts made here belong to, made on first use."""
    found = conn.execute(sa.select(_debtor.c.debtor_id).where(_debtor.c.account_no == CONTACT_DEBTOR)).scalar()
    if found is not None:
        return str(found)
    made = records.create(conn, SYSTEM, "Debtor", {"account_no": CONTACT_DEBTOR, "name": CONTACT_DEBTOR_NAME})
    return str(made["debtor_id"])


def submit(conn: Connection, details: Mapping[str, Any]) -> dict[str, Any]:
    """Add a contact (to the debtor EVENTS) from Symphony's details: email (required, unique
    without case), title, forename, surname, organisation, occupation, pa_name, marketing_opt_out,
    line1-3, town, county, postcode, country, telephone, fax, mobile, website, reference, code,
    date_of_birth. Returns the new contact (as ``by_number``), numbered by the contact rule."""
    values = {"email_address": None, **_values(details, creating=True)}
    _email(values["email_address"], required=True)
    _lock_contacts(conn)
    _check_email_free(conn, values["email_address"])
    debtor_id = contact_debtor(conn)
    made = records.create(conn, SYSTEM, "DebtorContactName", {**values, "debtor_id": debtor_id,
                                                               "reg_status": NOT_REGISTERED}, allow_system=True)
    _touch_debtor(conn, debtor_id)
    return by_number(conn, made["contact_number"])


def update(conn: Connection, contact_number: int, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Change the details given (a key left out stays as it was; None or "" clears a text, None leaves
    marketing_opt_out and reg_status as they were), plus ``password`` (None or "" = unchanged),
    ``reg_status`` (0 or 1), ``profile_string`` and ``profile_value_ids`` (a list of ints that
    replaces the contact's set). A new e-mail address must be free. Returns the contact."""
    row = _row_by_number(conn, contact_number)
    values = _values(changes, creating=False)
    if "reg_status" in changes and changes["reg_status"] is not None:
        status = changes["reg_status"]
        if isinstance(status, bool) or status not in (NOT_REGISTERED, REGISTERED):
            raise Invalid.field("reg_status", "reg_status must be 0 (not registered) or 1 (registered).",
                                "InvalidValue")
        values["reg_status"] = status
    if "profile_string" in changes:
        values["profile_string"] = _text("profile_string", changes["profile_string"], "profile_string")
    if "profile_value_ids" in changes:
        values["profile_value_ids"] = _profile_text(changes["profile_value_ids"])
    password = changes.get("password")
    if password is not None and not isinstance(password, str):
        raise Invalid.field("password", "password must be text.", "InvalidValue")
    if "email_address" in values and (values["email_address"] or "").lower() != (row["email_address"] or "").lower():
        _lock_contacts(conn)
        _check_email_free(conn, values["email_address"], row["contact_name_id"])
    # The debtor first, then its contact: the order a write through the debtor (Jiwa) takes them in.
    _touch_debtor(conn, row["debtor_id"])
    if values:
        conn.execute(_contact.update().where(_contact.c.contact_name_id == row["contact_name_id"]).values(**values))
    if password:
        _store_password(conn, row["contact_name_id"], password)
    return by_number(conn, contact_number)


def _profile_text(ids: Any) -> str | None:
    if ids is None:
        return None
    if not isinstance(ids, list | tuple) or any(isinstance(i, bool) or not isinstance(i, int) for i in ids):
        raise Invalid.field("profile_value_ids", "profile_value_ids must be a list of whole numbers.",
                            "InvalidValue")
    text = ",".join(str(i) for i in dict.fromkeys(ids))
    length = _ENTITY.field("profile_value_ids").length or 0
    if len(text) > length:
        raise Invalid.field("profile_value_ids", f"profile_value_ids must fit in {length} characters.", "MaxLength")
    return text or None


def _store_password(conn: Connection, contact_name_id: str, password: str) -> None:
    conn.execute(contact_credential.delete().where(contact_credential.c.contact_name_id == contact_name_id))
    conn.execute(contact_credential.insert().values(contact_name_id=contact_name_id,
                                                    password_hash=hash_password(password)))


def set_password(conn: Connection, contact_number: int, password: str) -> None:
    """Give the contact a password (replacing any). An empty password is Invalid."""
    if not isinstance(password, str) or not password:
        raise Invalid.field("password", "A password is required.", "NotEmpty")
    _store_password(conn, str(_row_by_number(conn, contact_number)["contact_name_id"]), password)


def password_hash(conn: Connection, contact_name_id: str | None) -> str | None:
    """The contact's password hash, None when it has none (or there is no contact)."""
    if contact_name_id is None:
        return None
    return conn.execute(sa.select(contact_credential.c.password_hash)
                        .where(contact_credential.c.contact_name_id == contact_name_id)).scalar()


def check_log_on(conn: Connection, email: str | None, password: str | None) -> dict[str, Any]:
    """The contact these credentials are right for; Unauthenticated, with one message, for an
    unknown e-mail, a contact with no password and a wrong password alike (and one Argon2
    verification in every case, so the time taken tells nothing either)."""
    row = _row_by_email(conn, email)
    stored = password_hash(conn, row["contact_name_id"]) if row is not None else None
    if not verify_password(stored, password or "") or row is None:
        raise Unauthenticated(LOG_ON_FAILED, code="LogOnFailed")
    return as_dict(row)


# --- tokens ---------------------------------------------------------------------------------------


def _check_token_type(token_type: str | None) -> str:
    if token_type not in TOKEN_TYPES:
        raise Invalid.field("tokenType", f"Unknown tokenType '{token_type}'. Options are [{', '.join(TOKEN_TYPES)}].",
                            "UnknownTokenType")
    return token_type


def generate_token(conn: Connection, mail_settings: mail.MailSettings, token_type: str, contact_number: int,
                   single_use: bool, *, ttl: timedelta = TOKEN_TTL) -> dict[str, Any]:
    """Mail the contact a new token of ``token_type`` (exactly one of TOKEN_TYPES), good for ``ttl``;
    every other token of that contact and type stops working. Returns {contact_number, email}.

    The token is mailed before anything is written: when the mail server refuses it
    (MailUnavailable, passed on) no token exists and the old ones still work.
    """
    _check_token_type(token_type)
    row = _row_by_number(conn, contact_number)
    if not row["email_address"]:
        raise Invalid(f"Contact {contact_number} has no e-mail address.", code="NoEmail")
    token = secrets.token_urlsafe(32)
    hours = ttl.total_seconds() / 3600
    lifetime = f"{hours:g} hours" if hours != 1 else "1 hour"
    use = "once" if single_use else "as often as needed"
    mail.send(mail_settings, row["email_address"], f"Your {token_type} token",
              f"Your {token_type} token for contact {contact_number} is:\n\n{token}\n\n"
              f"It can be used {use} within {lifetime}. Any earlier {token_type} token no longer works.\n")
    stamp = now()
    conn.execute(contact_token.delete().where(contact_token.c.contact_name_id == row["contact_name_id"],
                                              contact_token.c.token_type == token_type))
    conn.execute(contact_token.insert().values(
        token_id=uuid.uuid4().hex, contact_name_id=row["contact_name_id"], token_type=token_type,
        token_hash=_digest(token), single_use=bool(single_use), created_at=stamp, expires_at=stamp + ttl))
    return {"contact_number": row["contact_number"], "email": row["email_address"]}


def verify_token(conn: Connection, token_type: str, token_value: str | None) -> dict[str, Any]:
    """The contact a live token of ``token_type`` was made for: {contact_number, email}. A single-use
    token is used up. An unknown, expired, used or other-type token is Invalid, with one message."""
    _check_token_type(token_type)
    invalid = Invalid.field("tokenValue", TOKEN_INVALID, "InvalidToken")
    if not token_value or len(token_value) > 200:
        raise invalid
    digest = _digest(token_value.strip())
    row = conn.execute(sa.select(contact_token).where(contact_token.c.token_hash == digest)).first()
    if (row is None or not hmac.compare_digest(row.token_hash, digest) or row.token_type != token_type
            or row.expires_at <= now() or (row.single_use and row.used_at is not None)):
        raise invalid
    if row.single_use:
        # Conditional: of two verifications racing for one token, only one changes the row.
        used = conn.execute(contact_token.update().where(contact_token.c.token_id == row.token_id,
                                                         contact_token.c.used_at.is_(None)).values(used_at=now()))
        if used.rowcount != 1:
            raise invalid
    contact = conn.execute(sa.select(_contact.c.contact_number, _contact.c.email_address)
                           .where(_contact.c.contact_name_id == row.contact_name_id)).first()
    if contact is None:
        raise invalid
    return {"contact_number": contact.contact_number, "email": contact.email_address}
