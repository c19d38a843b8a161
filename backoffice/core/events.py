"""Events and bookings (the business behind Symphony's SOAP API): reading events, their sessions
and ticket types; making bookings and adding attendees; cancelling attendees; attendees' and
abstract reviewers' log-ons; abstracts; invoices by their secure key.

Bookings are records like any other (``records.create``/``update`` of the ``Booking`` aggregate
with its attendees), so the rule below numbers, checks, prices and totals them whichever way they
are written:

- a booking's reference is ``B`` + its key in five digits (``B00001``), an attendee's ``A00001``;
- an attendee's attendee type and ticket type must be its event's; an attendee names a contact
  or has a surname; details it leaves empty are filled from its contact;
- a ticket type admits at most ``capacity`` attendees that are not cancelled (none or 0: no
  limit); attendees are only added to an event that is not archived and a booking not cancelled;
- an attendee pays its ticket's gross price; the tax in it is ``gross - gross / (1 + rate/100)``
  and the net price the rest; a booking's totals are its attendees' that are not cancelled;
- a cancelled booking's attendees are all cancelled, and a booking whose attendees are all
  cancelled is cancelled.

A ticket type's attendee types are all its event's (a simplification: Symphony may restrict them).
Dates are the naive datetimes the core keeps (event times as wall time, ``created_at`` in UTC);
money is a float rounded to cents.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import contacts, mail, records
from .auth.passwords import verify_password
from .catalog import CATALOG
from .catalog.events import ATTENDEE_STATUSES, BOOKED, CANCELLED
from .clock import now
from .errors import Conflict, Invalid, NotFound, Unauthenticated
from .numbering import next_number
from .records import GIVEN, NEW_KEY, RuleContext, rule
from .store.tables import ENTITY_TABLES, abstracts_user_credential

log = logging.getLogger("backoffice.events")

PROVISIONAL, COMPLETED, BOOKING_CANCELLED = 1, 2, 3
# The trigger mails a booking can send, and what each says happened to it.
TRIGGERS = {"BookingUpdated": "updated", "BookingCompleted": "completed", "BookingCancelled": "cancelled"}
# The trigger a booking made with a given status sends (SubmitSimpleBookingWithBookingStatus2).
TRIGGER_FOR_STATUS = {PROVISIONAL: "BookingUpdated", COMPLETED: "BookingCompleted",
                      BOOKING_CANCELLED: "BookingCancelled"}
MAX_BATCH = 500
LOG_ON_FAILED = contacts.LOG_ON_FAILED
SYSTEM = contacts.SYSTEM

_event = ENTITY_TABLES["Event"]
_attendee_type = ENTITY_TABLES["AttendeeType"]
_ticket_type = ENTITY_TABLES["TicketType"]
_session = ENTITY_TABLES["BookableSession"]
_booking = ENTITY_TABLES["Booking"]
_attendee = ENTITY_TABLES["Attendee"]
_contact = ENTITY_TABLES["DebtorContactName"]
_abstracts_user = ENTITY_TABLES["AbstractsUser"]
_submission = ENTITY_TABLES["AbstractSubmission"]
_vote = ENTITY_TABLES["AbstractVote"]
_invoice = ENTITY_TABLES["Invoice"]
_payment = ENTITY_TABLES["InvoicePayment"]
_STATUS = CATALOG.enums["BookingStatus"]

# What an attendee request may carry: its types, its contact (by number) and its own details.
ATTENDEE_INPUTS = ("attendee_type_id", "ticket_type_id", "contact_number", "title", "forename", "surname", "email",
                   "organisation", "occupation", "pa_name", "marketing_opt_out", "line1", "line2", "line3", "town",
                   "county", "postcode", "country", "telephone", "mobile", "external_reference", "code")
# An attendee's detail -> its contact's field, for filling what the attendee leaves empty.
_FROM_CONTACT = {"title": "title", "forename": "first_name", "surname": "surname", "email": "email_address",
                 "organisation": "organisation", "occupation": "occupation", "pa_name": "pa_name",
                 "line1": "line1", "line2": "line2", "line3": "line3", "town": "town", "county": "county",
                 "postcode": "postcode", "country": "country", "telephone": "phone", "mobile": "mobile"}


def _money(value: Any) -> float:
    return round(float(value or 0.0), 2)



def _next(conn: Connection, sequence: str) -> int:
    return int(next_number(conn, sequence))


def booking_reference(booking_id: int) -> str:
    return f"B{booking_id:05d}"


def attendee_reference(attendee_id: int) -> str:
    return f"A{attendee_id:05d}"


def invoice_reference(invoice_id: int) -> str:
    return f"INV{invoice_id:05d}"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


# --- events, sessions, ticket types ---------------------------------------------------------------


def _event_row(conn: Connection, event_id: int) -> Any:
    row = conn.execute(sa.select(_event).where(_event.c.event_id == event_id)).first()
    if row is None:
        raise NotFound(f"Event {event_id} was not found.", code="EventNotFound")
    return row


def event(conn: Connection, event_id: int) -> dict[str, Any]:
    """{event_id, name, description, venue, start_date, end_date, archived, external_system_id}."""
    row = _event_row(conn, event_id)
    return {"event_id": row.event_id, "name": row.name, "description": row.description, "venue": row.venue,
            "start_date": row.start_date, "end_date": row.end_date, "archived": bool(row.archived),
            "external_system_id": row.external_system_id}


def set_external_system_id(conn: Connection, event_id: int, external_system_id: str | None) -> None:
    """Record the event's id in the caller's own system (None or "" clears it)."""
    _event_row(conn, event_id)
    records.update(conn, SYSTEM, "Event", records.int_key(event_id), {"external_system_id": external_system_id or None})


def events_for_contact(conn: Connection, contact_number: int, include_archived: bool,
                       test_bookings: bool) -> list[dict[str, Any]]:
    """The events the contact leads a booking in or attends (bookings not cancelled, attendees
    not cancelled), only test bookings when ``test_bookings`` and only live ones otherwise;
    archived events only when ``include_archived``. Ordered by start date, then id."""
    contact_id = contacts.key_of(conn, contact_number)
    attends = sa.exists().where(_attendee.c.booking_id == _booking.c.booking_id,
                                _attendee.c.contact_name_id == contact_id, _attendee.c.status != CANCELLED)
    booked = sa.exists().where(
        _booking.c.event_id == _event.c.event_id, _booking.c.status_id != BOOKING_CANCELLED,
        sa.func.coalesce(_booking.c.is_test, sa.false()) == sa.literal(bool(test_bookings)),
        sa.or_(_booking.c.lead_contact_name_id == contact_id, attends))
    query = sa.select(_event).where(booked)
    if not include_archived:
        query = query.where(sa.func.coalesce(_event.c.archived, sa.false()) == sa.false())
    rows = conn.execute(query.order_by(_event.c.start_date, _event.c.event_id)).all()
    return [{"contact_number": contact_number, "event_id": r.event_id, "event_name": r.name,
             "start_date": r.start_date, "end_date": r.end_date, "archived": bool(r.archived),
             "external_system_id": r.external_system_id} for r in rows]


def event_history(conn: Connection, email: str | None) -> list[dict[str, Any]]:
    """One row per attendee whose e-mail address, or its contact's, is ``email`` (without case):
    the event and the attendee's and booking's status. Newest event first; [] for an unknown address."""
    wanted = (email or "").strip().lower()
    if not wanted:
        return []
    query = (sa.select(_attendee.c.attendee_id, _attendee.c.reference.label("attendee_reference"),
                       _attendee.c.status, _booking.c.booking_id, _booking.c.reference.label("booking_reference"),
                       _booking.c.status_id, _event)
             .select_from(_attendee.join(_booking, _booking.c.booking_id == _attendee.c.booking_id)
                          .join(_event, _event.c.event_id == _attendee.c.event_id)
                          .outerjoin(_contact, _contact.c.contact_name_id == _attendee.c.contact_name_id))
             .where(sa.or_(sa.func.lower(_attendee.c.email) == wanted,
                           sa.func.lower(_contact.c.email_address) == wanted))
             .order_by(sa.nulls_last(_event.c.start_date.desc()), _attendee.c.attendee_id))
    return [{"event_id": r.event_id, "event_title": r.name, "description": r.description, "end_date": r.end_date,
             "start_date": r.start_date, "attendee_status": r.status, "attendee_id": r.attendee_id,
             "attendee_reference": r.attendee_reference, "booking_id": r.booking_id,
             "booking_reference": r.booking_reference, "booking_status": _status_name(r.status_id),
             "external_system_id": r.external_system_id} for r in conn.execute(query)]


def bookable_sessions(conn: Connection, event_id: int) -> list[dict[str, Any]]:
    """The event's bookable sessions, in time order."""
    _event_row(conn, event_id)
    rows = conn.execute(sa.select(_session).where(_session.c.event_id == event_id)
                        .order_by(_session.c.start_date_time, _session.c.bookable_session_id))
    return [{"bookable_session_id": r.bookable_session_id, "title": r.title, "code": r.code,
             "allow_guests": bool(r.allow_guests), "capacity": r.capacity, "start_date_time": r.start_date_time,
             "end_date_time": r.end_date_time} for r in rows]


def _ticket_dicts(conn: Connection, where: sa.ColumnElement[bool]) -> list[dict[str, Any]]:
    booked = (sa.select(sa.func.count()).where(_attendee.c.ticket_type_id == _ticket_type.c.ticket_type_id,
                                               _attendee.c.status != CANCELLED).scalar_subquery())
    rows = conn.execute(sa.select(_ticket_type, booked.label("booked")).where(where)
                        .order_by(_ticket_type.c.ticket_type_id)).all()
    kinds: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for kind in conn.execute(sa.select(_attendee_type).where(
            _attendee_type.c.event_id.in_({r.event_id for r in rows})).order_by(_attendee_type.c.attendee_type_id)):
        kinds[kind.event_id].append({"attendee_type_id": kind.attendee_type_id, "name": kind.name})
    return [{"ticket_type_id": r.ticket_type_id, "event_id": r.event_id, "name": r.name, "capacity": r.capacity,
             "gross_price": _money(r.gross_price), "tax_rate": _money(r.tax_rate), "external_site": r.external_site,
             "min_age": r.min_age, "booked": int(r.booked), "attendee_types": list(kinds[r.event_id])}
            for r in rows]


def ticket_types(conn: Connection, event_id: int) -> list[dict[str, Any]]:
    """The event's ticket types: {ticket_type_id, event_id, name, capacity, gross_price, tax_rate,
    external_site, min_age, booked (attendees not cancelled), attendee_types [{attendee_type_id, name}]}."""
    _event_row(conn, event_id)
    return _ticket_dicts(conn, _ticket_type.c.event_id == event_id)


def ticket_type(conn: Connection, ticket_type_id: int) -> dict[str, Any]:
    """One ticket type (as ``ticket_types``), or NotFound."""
    found = _ticket_dicts(conn, _ticket_type.c.ticket_type_id == ticket_type_id)
    if not found:
        raise NotFound(f"Ticket type {ticket_type_id} was not found.", code="TicketTypeNotFound")
    return found[0]


# --- reading bookings -------------------------------------------------------------------------------


def _status_name(status_id: int | None) -> str:
    try:
        return _STATUS.by_code(status_id or PROVISIONAL).name
    except KeyError:
        return str(status_id)


def _attendee_query() -> sa.Select[Any]:
    return (sa.select(_attendee, _attendee_type.c.name.label("attendee_type_name"),
                      _ticket_type.c.name.label("ticket_type_name"), _contact.c.contact_number,
                      _booking.c.reference.label("booking_reference"))
            .select_from(_attendee.join(_booking, _booking.c.booking_id == _attendee.c.booking_id)
                         .outerjoin(_attendee_type, _attendee_type.c.attendee_type_id == _attendee.c.attendee_type_id)
                         .outerjoin(_ticket_type, _ticket_type.c.ticket_type_id == _attendee.c.ticket_type_id)
                         .outerjoin(_contact, _contact.c.contact_name_id == _attendee.c.contact_name_id)))


def _attendee_dict(r: Any) -> dict[str, Any]:
    return {"attendee_id": r.attendee_id, "reference": r.reference, "booking_id": r.booking_id,
            "event_id": r.event_id, "contact_number": r.contact_number, "attendee_type_id": r.attendee_type_id,
            "attendee_type": r.attendee_type_name, "ticket_type_id": r.ticket_type_id,
            "ticket_type": r.ticket_type_name, "title": r.title, "forename": r.forename, "surname": r.surname,
            "email": r.email, "organisation": r.organisation, "status": r.status,
            "gross_price": _money(r.gross_price), "net_price": _money(r.net_price), "tax": _money(r.tax)}


def _bookings(conn: Connection, where: Iterable[sa.ColumnElement[bool]], *, skip: int = 0,
              size: int | None = None) -> list[dict[str, Any]]:
    query = (sa.select(_booking, _contact.c.contact_number, _contact.c.email_address, _contact.c.first_name,
                       _contact.c.surname)
             .select_from(_booking.outerjoin(_contact, _contact.c.contact_name_id == _booking.c.lead_contact_name_id))
             .where(*where).order_by(_booking.c.booking_id).offset(skip))
    if size is not None:
        query = query.limit(size)
    rows = conn.execute(query).all()
    attendees: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if rows:
        for a in conn.execute(_attendee_query().where(_attendee.c.booking_id.in_([r.booking_id for r in rows]))
                              .order_by(_attendee.c.attendee_id)):
            attendees[a.booking_id].append(_attendee_dict(a))
    return [{"booking_id": r.booking_id, "reference": r.reference, "event_id": r.event_id, "status_id": r.status_id,
             "status": _status_name(r.status_id), "created_at": r.created_at, "gross_cost": _money(r.gross_cost),
             "net_cost": _money(r.net_cost), "tax": _money(r.tax), "is_test": bool(r.is_test),
             "purchase_order": r.purchase_order, "notes": r.notes, "lead_contact_number": r.contact_number,
             "lead_email": r.email_address,
             "lead_name": " ".join(p for p in (r.first_name, r.surname) if p) or None,
             "attendees": attendees[r.booking_id]} for r in rows]


def booking(conn: Connection, booking_id: int) -> dict[str, Any]:
    """The booking with its attendees (see the module's documentation for the keys), or NotFound."""
    found = _bookings(conn, [_booking.c.booking_id == booking_id])
    if not found:
        raise NotFound(f"Booking {booking_id} was not found.", code="BookingNotFound")
    return found[0]


def bookings_by_email(conn: Connection, event_id: int, email: str | None) -> list[dict[str, Any]]:
    """The event's bookings whose lead contact has this e-mail address (without case), by id."""
    _event_row(conn, event_id)
    wanted = (email or "").strip().lower()
    if not wanted:
        return []
    return _bookings(conn, [_booking.c.event_id == event_id, sa.func.lower(_contact.c.email_address) == wanted])


def bookings_batch(conn: Connection, event_id: int, skip: int, size: int) -> list[dict[str, Any]]:
    """A page of the event's bookings by id: ``skip`` >= 0 of them passed over, at most ``size``
    (1 to 500) returned."""
    if isinstance(skip, bool) or not isinstance(skip, int) or skip < 0:
        raise Invalid.field("skip", "skip must be 0 or more.", "InvalidValue")
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_BATCH:
        raise Invalid.field("size", f"size must be from 1 to {MAX_BATCH}.", "InvalidValue")
    _event_row(conn, event_id)
    return _bookings(conn, [_booking.c.event_id == event_id], skip=skip, size=size)


# --- making bookings ----------------------------------------------------------------------------------


def _type_errors(conn: Connection, event_id: int, attendee_type_id: Any, ticket_type_id: Any,
                 prefix: str) -> None:
    """Invalid unless the attendee type and ticket type exist and are the event's."""
    for label, table, column, value in (
            ("Attendee type", _attendee_type, "attendee_type_id", attendee_type_id),
            ("Ticket type", _ticket_type, "ticket_type_id", ticket_type_id)):
        if value is None:
            raise Invalid.field(prefix + column, f"{prefix}{column} is required.", "NotEmpty")
        owner = conn.execute(sa.select(table.c.event_id).where(table.c[column] == value)).scalar() \
            if isinstance(value, int) and not isinstance(value, bool) else None
        if owner != event_id:
            raise Invalid.field(prefix + column, f"{label} {value} is not one of event {event_id}'s.",
                                "NotOfEvent")


def _attendee_doc(conn: Connection, event_id: int, given: Mapping[str, Any], index: int) -> dict[str, Any]:
    """An attendee request as a new Attendee item of the booking (its key taken from the sequence)."""
    prefix = f"attendees[{index}]."
    if not isinstance(given, Mapping):
        raise Invalid.field(f"attendees[{index}]", "Each attendee must be an object.", "InvalidItem")
    unknown = sorted(set(given) - set(ATTENDEE_INPUTS))
    if unknown:
        raise Invalid(f"Unknown attendee detail(s): {', '.join(unknown)}.", code="UnknownField")
    _type_errors(conn, event_id, given.get("attendee_type_id"), given.get("ticket_type_id"), prefix)
    email = given.get("email")
    if email not in (None, "") and (not isinstance(email, str) or not contacts.looks_like_email(email.strip())):
        raise Invalid.field(prefix + "email", f"{email} is not a valid e-mail address.", "InvalidEmail")
    doc = {k: v for k, v in given.items() if k != "contact_number"}
    if isinstance(email, str):
        doc["email"] = email.strip() or None
    if given.get("contact_number") is not None:
        doc["contact_name_id"] = contacts.key_of(conn, given["contact_number"])
    elif not str(given.get("surname") or "").strip():
        raise Invalid.field(prefix + "surname", f"Attendee {index + 1} needs a surname or a contact.", "NotEmpty")
    doc[NEW_KEY] = _next(conn, "Attendee")
    return doc


def _lead(conn: Connection, lead_contact_number: int | None, attendees: Sequence[Mapping[str, Any]]) -> str | None:
    if lead_contact_number is not None:
        return contacts.key_of(conn, lead_contact_number)
    return next((a["contact_name_id"] for a in attendees if a.get("contact_name_id")), None)


def _bookable(conn: Connection, event_id: int, attendees: Sequence[Mapping[str, Any]],
              trigger: str | None) -> tuple[Any, list[dict[str, Any]]]:
    """The event, if it takes bookings, and the attendees as Booking children (checked one by one)."""
    row = _event_row(conn, event_id)
    if row.archived:
        raise Conflict(f"Event {event_id} is archived and takes no bookings.", code="EventArchived")
    if trigger is not None and trigger not in TRIGGERS:
        raise Invalid(f"Unknown trigger {trigger!r}.", code="UnknownTrigger")
    if not attendees:
        raise Invalid.field("attendees", "A booking needs at least one attendee.", "NotEmpty")
    return row, [_attendee_doc(conn, event_id, a, i) for i, a in enumerate(attendees)]


def submit_booking(conn: Connection, mail_settings: mail.MailSettings | None, event_id: int,
                   attendees: Sequence[Mapping[str, Any]], *, status_id: int = PROVISIONAL,
                   lead_contact_number: int | None = None, is_test: bool = False, purchase_order: str | None = None,
                   notes: str | None = None, trigger: str | None = None) -> dict[str, Any]:
    """Book attendees (dicts of ATTENDEE_INPUTS) on the event; the lead is ``lead_contact_number``
    or else the first attendee's contact. With a ``trigger`` (one of TRIGGERS) the lead, or else
    the first attendee, is mailed about it (when there are mail settings). Returns the booking
    (as ``booking``)."""
    row, items = _bookable(conn, event_id, attendees, trigger)
    booking_id = _next(conn, "Booking")
    records.create(conn, SYSTEM, "Booking", {
        NEW_KEY: booking_id, "event_id": event_id, "status_id": status_id, "is_test": is_test,
        "lead_contact_name_id": _lead(conn, lead_contact_number, items), "purchase_order": purchase_order,
        "notes": notes, "attendees": items})
    made = booking(conn, booking_id)
    if trigger is not None:
        _send_trigger(conn, mail_settings, trigger, made, row.name)
    return made


def submit_simple_booking(conn: Connection, mail_settings: mail.MailSettings | None, event_id: int,
                          attendee_type_id: int, ticket_type_id: int, contact_number: int, *,
                          status_id: int = PROVISIONAL, trigger: str | None = None) -> dict[str, Any]:
    """A booking of one attendee, the contact (also its lead): {booking_id, attendee_id,
    booking_reference, attendee_reference}."""
    made = submit_booking(conn, mail_settings, event_id, [{
        "attendee_type_id": attendee_type_id, "ticket_type_id": ticket_type_id, "contact_number": contact_number}],
        status_id=status_id, trigger=trigger)
    first = made["attendees"][0]
    return {"booking_id": made["booking_id"], "attendee_id": first["attendee_id"],
            "booking_reference": made["reference"], "attendee_reference": first["reference"]}


def _booking_row(conn: Connection, booking_id: int) -> Any:
    row = conn.execute(sa.select(_booking).where(_booking.c.booking_id == booking_id)).first()
    if row is None:
        raise NotFound(f"Booking {booking_id} was not found.", code="BookingNotFound")
    return row


def add_attendees(conn: Connection, mail_settings: mail.MailSettings | None, booking_id: int, event_id: int,
                  attendees: Sequence[Mapping[str, Any]], *, trigger: str | None = None) -> dict[str, Any]:
    """Add attendees (as ``submit_booking``'s) to a booking of the event that is not cancelled;
    returns the booking."""
    row = _booking_row(conn, booking_id)
    if row.event_id != event_id:
        raise Invalid.field("event_id", f"Booking {booking_id} is not a booking of event {event_id}.", "NotOfEvent")
    if row.status_id == BOOKING_CANCELLED:
        raise Conflict(f"Booking {row.reference} is cancelled.", code="BookingCancelled")
    event_row, items = _bookable(conn, event_id, attendees, trigger)
    records.update(conn, SYSTEM, "Booking", records.int_key(booking_id), {"attendees": items})
    made = booking(conn, booking_id)
    if trigger is not None:
        _send_trigger(conn, mail_settings, trigger, made, event_row.name)
    return made


def _send_trigger(conn: Connection, mail_settings: mail.MailSettings | None, trigger: str,
                  made: Mapping[str, Any], event_name: str) -> None:
    """One short mail about the booking to its lead, or else its first attendee with an address
    (none without mail settings). A mail server that cannot take it does not undo the booking: that
    is logged."""
    to = made["lead_email"] or next((a["email"] for a in made["attendees"] if a["email"]), None)
    if not to or mail_settings is None:
        return
    lines = "\n".join(f"  {a['reference']} {' '.join(p for p in (a['forename'], a['surname']) if p)} "
                      f"({a['attendee_type']}, {a['ticket_type']}, {a['status']})" for a in made["attendees"])
    body = (f"Booking {made['reference']} for {event_name} has been {TRIGGERS[trigger]}.\n\n"
            f"Status: {made['status']}\nTotal: {made['gross_cost']:.2f} (tax {made['tax']:.2f})\n\n"
            f"Attendees:\n{lines}\n")
    try:
        mail.send(mail_settings, to, f"Booking {made['reference']} {TRIGGERS[trigger]}", body)
    except mail.MailUnavailable:
        log.warning("The %s mail for booking %s could not be sent", trigger, made["reference"])
    except Invalid:
        log.warning("The %s mail for booking %s has no usable address", trigger, made["reference"])


# --- attendees ------------------------------------------------------------------------------------------


def attendees_by_surname(conn: Connection, event_id: int, surname: str | None) -> list[dict[str, Any]]:
    """The event's attendees whose surname starts with ``surname`` (without case), each with its
    booking's reference, by surname, forename and id."""
    wanted = (surname or "").strip().lower()
    if not wanted:
        raise Invalid.field("surname", "A surname is required.", "NotEmpty")
    _event_row(conn, event_id)
    pattern = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = conn.execute(_attendee_query().where(
        _attendee.c.event_id == event_id, sa.func.lower(_attendee.c.surname).like(pattern, escape="\\"))
        .order_by(sa.func.lower(_attendee.c.surname), sa.func.lower(_attendee.c.forename), _attendee.c.attendee_id))
    return [{**_attendee_dict(r), "booking_reference": r.booking_reference} for r in rows]


def _attendee_by_reference(conn: Connection, reference: str | None) -> Any:
    wanted = (reference or "").strip().upper()
    row = conn.execute(_attendee_query().where(_attendee.c.reference == wanted)).first() if wanted else None
    if row is None:
        raise NotFound(f"Attendee {reference} was not found.", code="AttendeeNotFound")
    return row


def cancel_attendee(conn: Connection, attendee_reference: str) -> dict[str, Any]:
    """Give the attendee the cancelled status (already cancelled: nothing changes); the booking's
    totals follow, and a booking left with no attendee is cancelled. Returns the attendee."""
    row = _attendee_by_reference(conn, attendee_reference)
    if row.status != CANCELLED:
        records.update(conn, SYSTEM, "Booking", records.int_key(row.booking_id),
                       {"attendees": [{"attendee_id": row.attendee_id, "status": CANCELLED}]})
        row = _attendee_by_reference(conn, row.reference)
    return _attendee_dict(row)


def check_attendee_log_on(conn: Connection, email: str | None, password: str | None, attendee_id: int,
                          booking_id: int) -> dict[str, Any]:
    """The attendee, when it is on that booking, ``email`` is its address or its contact's, and
    ``password`` is its contact's; otherwise Unauthenticated with one message for every failure
    (after one Argon2 verification whatever failed)."""
    row = conn.execute(_attendee_query().add_columns(_contact.c.email_address.label("contact_email")).where(
        _attendee.c.attendee_id == attendee_id, _attendee.c.booking_id == booking_id)).first()
    wanted = (email or "").strip().lower()
    matches = row is not None and bool(wanted) and wanted in {(row.email or "").lower(),
                                                               (row.contact_email or "").lower()}
    stored = contacts.password_hash(conn, row.contact_name_id) if row is not None and matches else None
    if not verify_password(stored, password or "") or not matches:
        raise Unauthenticated(LOG_ON_FAILED, code="LogOnFailed")
    return _attendee_dict(row)


# --- abstracts ----------------------------------------------------------------------------------------------


def authenticate_abstracts_user(conn: Connection, username: str | None, password: str | None) -> int:
    """The abstracts reviewer's client_user_id when the password is right (user names compared
    without case); Unauthenticated with one message otherwise, after one Argon2 verification."""
    wanted = (username or "").strip().lower()
    row = conn.execute(sa.select(_abstracts_user.c.client_user_id, abstracts_user_credential.c.password_hash)
                       .select_from(_abstracts_user.outerjoin(
                           abstracts_user_credential,
                           abstracts_user_credential.c.client_user_id == _abstracts_user.c.client_user_id))
                       .where(sa.func.lower(_abstracts_user.c.username) == wanted)).first() if wanted else None
    if not verify_password(row.password_hash if row is not None else None, password or "") or row is None:
        raise Unauthenticated("The username or password is incorrect.", code="LogOnFailed")
    return int(row.client_user_id)


def submission_detail(conn: Connection, booking_id: int) -> dict[str, Any]:
    """The abstract submitted with the booking and its votes (each with its reviewer's username)."""
    _booking_row(conn, booking_id)
    row = conn.execute(sa.select(_submission).where(_submission.c.booking_id == booking_id)).first()
    if row is None:
        raise NotFound(f"Booking {booking_id} has no abstract submission.", code="SubmissionNotFound")
    votes = conn.execute(sa.select(_vote, _abstracts_user.c.username)
                         .select_from(_vote.outerjoin(_abstracts_user,
                                                      _abstracts_user.c.client_user_id == _vote.c.client_user_id))
                         .where(_vote.c.submission_id == row.submission_id).order_by(_vote.c.abstract_vote_id))
    return {"submission_id": row.submission_id, "booking_id": row.booking_id, "title": row.title,
            "abstract_url": row.abstract_url, "abstract_file_key": row.abstract_file_key,
            "abstract_text": row.abstract_text, "abstract_rtf_text": row.abstract_rtf_text,
            "votes": [{"abstract_vote_id": v.abstract_vote_id, "client_user_id": v.client_user_id,
                       "reviewer": v.username, "score": v.score, "comment": v.comment} for v in votes]}


# --- invoices ------------------------------------------------------------------------------------------------


def _invoice_dict(conn: Connection, row: Any) -> dict[str, Any]:
    payments = conn.execute(sa.select(_payment).where(_payment.c.invoice_id == row.invoice_id)
                            .order_by(_payment.c.paid_at, _payment.c.payment_id))
    return {"invoice_id": row.invoice_id, "reference": row.reference, "booking_id": row.booking_id,
            "invoice_url": row.invoice_url, "total_gross": _money(row.total_gross),
            "total_net": _money(row.total_net), "total_tax": _money(row.total_tax),
            "payment_status": row.payment_status,
            "payments": [{"payment_id": p.payment_id, "paid_at": p.paid_at, "amount": _money(p.amount),
                          "method": p.method, "reference": p.reference} for p in payments]}


def invoice_by_secure_key(conn: Connection, secure_key: str | None) -> dict[str, Any]:
    """The invoice this secure key shows, with its payments; NotFound for any other key."""
    missing = NotFound("No invoice has that secure key.", code="InvoiceNotFound")
    if not secure_key or len(secure_key) > 200:
        raise missing
    digest = _digest(secure_key.strip())
    row = conn.execute(sa.select(_invoice).where(_invoice.c.secure_key_hash == digest)).first()
    if row is None or not hmac.compare_digest(row.secure_key_hash, digest):
        raise missing
    return _invoice_dict(conn, row)


def create_invoice(conn: Connection, booking_id: int, *, url_base: str,
                   secure_key: str | None = None) -> tuple[dict[str, Any], str]:
    """Invoice the booking for its totals; returns the invoice and its secure key (random unless one
    is given, as the demo does), which is kept only as a digest: it can never be shown again."""
    made = booking(conn, booking_id)
    key = secure_key or secrets.token_urlsafe(24)
    invoice_id = _next(conn, "Invoice")
    reference = invoice_reference(invoice_id)
    records.create(conn, SYSTEM, "Invoice", {
        NEW_KEY: invoice_id, "reference": reference, "booking_id": booking_id, "secure_key_hash": _digest(key),
        "invoice_url": f"{url_base.rstrip('/')}/{reference}", "total_gross": made["gross_cost"],
        "total_net": made["net_cost"], "total_tax": made["tax"]}, allow_system=True)
    row = conn.execute(sa.select(_invoice).where(_invoice.c.invoice_id == invoice_id)).one()
    return _invoice_dict(conn, row), key


def record_payment(conn: Connection, invoice_id: int, amount: float, *, method: str | None = None,
                   reference: str | None = None, paid_at: datetime | None = None) -> dict[str, Any]:
    """Record a payment against the invoice; its payment status follows. Returns the invoice."""
    row = conn.execute(sa.select(_invoice).where(_invoice.c.invoice_id == invoice_id)).first()
    if row is None:
        raise NotFound(f"Invoice {invoice_id} was not found.", code="InvoiceNotFound")
    records.update(conn, SYSTEM, "Invoice", records.int_key(invoice_id), {"payments": [{
        NEW_KEY: _next(conn, "InvoicePayment"), "amount": amount, "method": method, "reference": reference,
        "paid_at": paid_at or now()}]})
    return _invoice_dict(conn, conn.execute(sa.select(_invoice).where(_invoice.c.invoice_id == invoice_id)).one())


# --- the rules ----------------------------------------------------------------------------------------------


def _price(attendee: dict[str, Any], ticket: Any) -> None:
    gross = _money(ticket.gross_price)
    rate = float(ticket.tax_rate or 0.0)
    tax = _money(gross - gross / (1 + rate / 100))
    attendee.update(gross_price=gross, tax=tax, net_price=_money(gross - tax))


def _fill_from_contact(conn: Connection, attendee: dict[str, Any]) -> None:
    contact = conn.execute(sa.select(_contact).where(
        _contact.c.contact_name_id == attendee["contact_name_id"])).mappings().first()
    if contact is None:
        return
    for detail, field in _FROM_CONTACT.items():
        if attendee.get(detail) in (None, ""):
            attendee[detail] = contact[field]
    if not attendee.get(GIVEN) or "marketing_opt_out" not in attendee[GIVEN]:
        attendee["marketing_opt_out"] = bool(contact["marketing_opt_out"])


def _check_capacity(conn: Connection, booking_id: int, attendees: list[dict[str, Any]],
                    before: list[dict[str, Any]], wanted: set[int]) -> None:
    """Every ticket type in ``wanted`` admits this booking's live attendees besides every other's.
    Its row is locked first, so concurrent bookings of the last places take turns."""
    mine = Counter(a["ticket_type_id"] for a in attendees if a.get("status") != CANCELLED)
    held = Counter(a["ticket_type_id"] for a in before if a.get("status") != CANCELLED)
    for ticket_id in sorted(wanted):
        ticket = conn.execute(sa.select(_ticket_type).where(_ticket_type.c.ticket_type_id == ticket_id)
                              .with_for_update()).first()
        if ticket is None or not ticket.capacity:
            continue
        others = conn.execute(sa.select(sa.func.count()).where(
            _attendee.c.ticket_type_id == ticket_id, _attendee.c.status != CANCELLED,
            _attendee.c.booking_id != booking_id)).scalar_one()
        if others + mine[ticket_id] > ticket.capacity:
            # What is left for the attendees this write adds (the booking keeps the places it held).
            left = max(ticket.capacity - others - min(held[ticket_id], mine[ticket_id]), 0)
            message = (f"Ticket type '{ticket.name}' is sold out." if left == 0 else
                       f"Ticket type '{ticket.name}' has only {left} place{'s' if left != 1 else ''} left.")
            raise Conflict(message, code="SoldOut")


@rule("Booking")
def booking_rules(ctx: RuleContext) -> None:
    """Numbering, checks, prices and totals of a booking and its attendees (see the module's text)."""
    new, old, conn = ctx.new, ctx.old, ctx.conn
    booking_id = new["booking_id"]
    if old is not None and old.get("event_id") != new.get("event_id"):
        raise Invalid.field("event_id", "A booking stays with its event.", "Immutable")
    event_row = _event_row(conn, new["event_id"])
    if ctx.creating:
        new["reference"] = booking_reference(booking_id)
        new["created_at"] = now()
    attendees: list[dict[str, Any]] = new.setdefault("attendees", [])
    before = {a["attendee_id"]: a for a in (old or {}).get("attendees", [])}
    added = [a for a in attendees if a.get(GIVEN) is not None]
    if ctx.creating and not attendees:
        raise Invalid.field("attendees", "A booking needs at least one attendee.", "NotEmpty")
    was_cancelled = old is not None and old.get("status_id") == BOOKING_CANCELLED
    if was_cancelled and (added or new.get("status_id") != BOOKING_CANCELLED):
        raise Conflict(f"Booking {new['reference']} is cancelled.", code="BookingCancelled")
    if added and event_row.archived:
        raise Conflict(f"Event {event_row.event_id} is archived and takes no bookings.", code="EventArchived")

    to_check: set[int] = set()
    for i, attendee in enumerate(attendees):
        attendee["event_id"] = new["event_id"]
        earlier = before.get(attendee["attendee_id"])
        status = str(attendee.get("status") or BOOKED)
        matched = next((s for s in ATTENDEE_STATUSES if s.lower() == status.lower()), None)
        if matched is None:
            raise Invalid.field(f"attendees[{i}].status",
                                f"An attendee's status is one of {', '.join(ATTENDEE_STATUSES)}.", "InvalidValue")
        attendee["status"] = CANCELLED if new.get("status_id") == BOOKING_CANCELLED else matched
        if earlier is None:
            attendee["reference"] = attendee_reference(attendee["attendee_id"])
            if attendee.get("contact_name_id"):
                _fill_from_contact(conn, attendee)
            elif not (attendee.get("surname") or "").strip():
                raise Invalid.field(f"attendees[{i}].surname", f"Attendee {i + 1} needs a surname or a contact.",
                                    "NotEmpty")
        retyped = earlier is None or any(earlier.get(k) != attendee.get(k)
                                         for k in ("attendee_type_id", "ticket_type_id"))
        if retyped:
            _type_errors(conn, new["event_id"], attendee.get("attendee_type_id"), attendee.get("ticket_type_id"),
                         f"attendees[{i}].")
            ticket = conn.execute(sa.select(_ticket_type).where(
                _ticket_type.c.ticket_type_id == attendee["ticket_type_id"])).one()
            _price(attendee, ticket)
        revived = earlier is not None and earlier.get("status") == CANCELLED and attendee["status"] != CANCELLED
        if attendee["status"] != CANCELLED and (retyped or revived):
            to_check.add(attendee["ticket_type_id"])
    _check_capacity(conn, booking_id, attendees, list(before.values()), to_check)

    if attendees and all(a["status"] == CANCELLED for a in attendees):
        new["status_id"] = BOOKING_CANCELLED
    live = [a for a in attendees if a["status"] != CANCELLED]
    new["gross_cost"] = _money(sum(a.get("gross_price") or 0.0 for a in live))
    new["tax"] = _money(sum(a.get("tax") or 0.0 for a in live))
    new["net_cost"] = _money(new["gross_cost"] - new["tax"])


@rule("Invoice")
def invoice_rules(ctx: RuleContext) -> None:
    """An invoice's payment status follows its payments."""
    paid = _money(sum(p.get("amount") or 0.0 for p in ctx.new.get("payments", [])))
    total = _money(ctx.new.get("total_gross"))
    ctx.new["payment_status"] = ("Paid" if paid > 0 and paid >= total else "PartPaid" if paid > 0 else "Unpaid")
