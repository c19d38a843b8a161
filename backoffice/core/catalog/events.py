"""Events and bookings (what the Symphony SOAP API sells): events with their attendee types,
ticket types and bookable sessions; bookings and their attendees; abstracts and their reviewers'
votes; invoices and their payments.

Keys are integers handed out by ``numbering.next_number``, one sequence per entity (named like
the entity). A booking's, attendee's and invoice's reference is its key with a prefix
(``B00001``, ``A00001``, ``INV00001``), so the two never disagree. People are the core's contacts
(``DebtorContactName``): a booking's lead and an attendee may name one.

The rules that number, price and total bookings live in ``core/events.py``.
"""

from __future__ import annotations

from .model import Catalog, Child, Entity, EnumDef, EnumValue, Field
from .model import FieldType as T


def _key(name: str) -> Field:
    return Field(name, T.INT, system=True)


def _s(name: str, length: int = 100, **kw: object) -> Field:
    return Field(name, T.STRING, length=length, **kw)  # type: ignore[arg-type]


def _int(name: str, **kw: object) -> Field:
    return Field(name, T.INT, **kw)  # type: ignore[arg-type]


def _money(name: str, **kw: object) -> Field:
    kw.setdefault("default", 0.0)
    return Field(name, T.MONEY, **kw)  # type: ignore[arg-type]


def _bool(name: str, default: bool = False, **kw: object) -> Field:
    return Field(name, T.BOOL, default=default, **kw)  # type: ignore[arg-type]


def _dt(name: str, **kw: object) -> Field:
    return Field(name, T.DATETIME, **kw)  # type: ignore[arg-type]


def _ref(name: str, entity: str, **kw: object) -> Field:
    """A reference to an entity with an integer key."""
    return Field(name, T.INT, ref=entity, index=True, **kw)  # type: ignore[arg-type]


def _contact(name: str, **kw: object) -> Field:
    """A reference to a core contact (whose key is a string)."""
    return Field(name, T.STRING, length=36, ref="DebtorContactName", index=True, **kw)  # type: ignore[arg-type]


BOOKING_STATUS = EnumDef("BookingStatus", [
    EnumValue(1, "Provisional", "Made, not yet confirmed"),
    EnumValue(2, "Completed", "Confirmed"),
    EnumValue(3, "Cancelled", "Cancelled: its attendees no longer count against capacity"),
])

# What an attendee's status can be (Symphony's "default cancelled status" is Cancelled).
BOOKED = "Booked"
CANCELLED = "Cancelled"
ATTENDEE_STATUSES = (BOOKED, CANCELLED)
PAYMENT_STATUSES = ("Unpaid", "PartPaid", "Paid")


def _person() -> list[Field]:
    """Who an attendee is and how to reach them (copied from their contact when they name one)."""
    return [
        _s("title", 20), _s("forename", 60), _s("surname", 60), _s("email", 200),
        _s("organisation", 100), _s("occupation", 100), _s("pa_name", 100),
        _bool("marketing_opt_out"),
        _s("line1", 100), _s("line2", 100), _s("line3", 100), _s("town", 60), _s("county", 60),
        _s("postcode", 20), _s("country", 60), _s("telephone", 40), _s("mobile", 40),
    ]


def add_event_entities(catalog: Catalog) -> None:
    catalog.add(BOOKING_STATUS)
    catalog.add(Entity("Event", "event", "event_id", [
        _key("event_id"),
        _s("name", 200, required=True),
        Field("description", T.TEXT),
        _s("venue", 200),
        _dt("start_date", index=True), _dt("end_date"),
        _bool("archived"),
        _s("external_system_id", 100, description="The event's id in the caller's own system"),
    ], children=[
        Child("attendee_types", "AttendeeType", "event_id", order_by=("attendee_type_id",)),
        Child("ticket_types", "TicketType", "event_id", order_by=("ticket_type_id",)),
        Child("bookable_sessions", "BookableSession", "event_id", order_by=("start_date_time",)),
    ], description="An event people book to attend: a conference, a course, a show."))
    catalog.add(Entity("AttendeeType", "attendee_type", "attendee_type_id", [
        _key("attendee_type_id"),
        _ref("event_id", "Event", system=True),
        _s("name", 100, required=True),
    ], root=False, description="A kind of attendee of an event (delegate, speaker)."))
    catalog.add(Entity("TicketType", "ticket_type", "ticket_type_id", [
        _key("ticket_type_id"),
        _ref("event_id", "Event", system=True),
        _s("name", 100, required=True),
        _int("capacity", description="How many attendees it admits; none or 0 = no limit"),
        _money("gross_price", description="The price with tax"),
        _money("tax_rate", description="The tax in the gross price, as a percentage"),
        _s("external_site", 200),
        _int("min_age"),
    ], root=False, description="A ticket an event sells; every attendee type of its event may hold it."))
    catalog.add(Entity("BookableSession", "bookable_session", "bookable_session_id", [
        _key("bookable_session_id"),
        _ref("event_id", "Event", system=True),
        _s("title", 200, required=True),
        _s("code", 40),
        _bool("allow_guests"),
        _int("capacity"),
        _dt("start_date_time"), _dt("end_date_time"),
    ], root=False, description="A session within an event that attendees book a place in."))

    catalog.add(Entity("Booking", "booking", "booking_id", [
        _key("booking_id"),
        _s("reference", 20, unique=True, system=True),
        _ref("event_id", "Event", required=True),
        Field("status_id", T.INT, default=1, enum="BookingStatus"),
        _dt("created_at", system=True, description="When it was made (UTC)"),
        _money("gross_cost", system=True), _money("net_cost", system=True), _money("tax", system=True),
        _bool("is_test", description="Made through the event's test booking form"),
        _contact("lead_contact_name_id"),
        _s("purchase_order", 60),
        Field("notes", T.TEXT),
    ], children=[
        Child("attendees", "Attendee", "booking_id", order_by=("attendee_id",)),
    ], description="A booking for an event: one or more attendees, paid for together."))
    catalog.add(Entity("Attendee", "attendee", "attendee_id", [
        _key("attendee_id"),
        _s("reference", 20, unique=True, system=True),
        _ref("booking_id", "Booking", system=True),
        _ref("event_id", "Event", system=True),
        _ref("attendee_type_id", "AttendeeType", required=True),
        _ref("ticket_type_id", "TicketType", required=True),
        _contact("contact_name_id"),
        *_person(),
        _s("external_reference", 100), _s("code", 60),
        _s("status", 20, default=BOOKED, description="Booked or Cancelled"),
        _money("gross_price", system=True), _money("net_price", system=True), _money("tax", system=True),
    ], root=False, indexes=[("event_id", "surname")], description="A person attending an event on a booking."))

    catalog.add(Entity("AbstractsUser", "abstracts_user", "client_user_id", [
        _key("client_user_id"),
        _s("username", 100, required=True, unique=True),
        _s("name", 200),
    ], description="A reviewer of abstracts (their password is kept apart)."))
    catalog.add(Entity("AbstractSubmission", "abstract_submission", "submission_id", [
        _key("submission_id"),
        _ref("booking_id", "Booking", required=True, unique=True),
        _s("title", 200),
        _s("abstract_url", 500), _s("abstract_file_key", 200),
        Field("abstract_text", T.TEXT), Field("abstract_rtf_text", T.TEXT),
    ], children=[
        Child("votes", "AbstractVote", "submission_id", order_by=("abstract_vote_id",)),
    ], description="An abstract submitted with a booking (a speaker's paper)."))
    catalog.add(Entity("AbstractVote", "abstract_vote", "abstract_vote_id", [
        _key("abstract_vote_id"),
        _ref("submission_id", "AbstractSubmission", system=True),
        _ref("client_user_id", "AbstractsUser", required=True),
        _int("score"),
        Field("comment", T.TEXT),
    ], root=False, description="A reviewer's score of an abstract."))

    catalog.add(Entity("Invoice", "invoice", "invoice_id", [
        _key("invoice_id"),
        _s("reference", 20, unique=True, system=True),
        _ref("booking_id", "Booking", required=True),
        _s("secure_key_hash", 64, unique=True, system=True, hidden_from_debtor=True,
           description="SHA-256 of the key that shows the invoice to whoever holds it"),
        _s("invoice_url", 500),
        _money("total_gross", system=True), _money("total_net", system=True), _money("total_tax", system=True),
        _s("payment_status", 20, default="Unpaid", system=True, description="Unpaid, PartPaid or Paid"),
    ], children=[
        Child("payments", "InvoicePayment", "invoice_id", order_by=("paid_at", "payment_id")),
    ], description="An invoice for a booking."))
    catalog.add(Entity("InvoicePayment", "invoice_payment", "payment_id", [
        _key("payment_id"),
        _ref("invoice_id", "Invoice", system=True),
        _dt("paid_at", required=True),
        _money("amount"),
        _s("method", 40), _s("reference", 60),
    ], root=False, description="A payment made against an invoice."))
