"""One function per operation: the call's parameters -> one core call -> the wire result.

Each takes the call context and the decoded parameters (by their wire names) and returns what the
ASMX host serialises: a dict for a complex type, a list, an int, or None for a void operation.
Core errors pass through untouched; routes.py turns them into faults.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from ...core import contacts, events
from ...core.auth import Principal
from ...core.errors import Invalid
from ...core.mail import MailSettings
from . import shapes

Doc = dict[str, Any]

# Booking statuses by id, and the trigger mail each one sends (SubmitSimpleBookingWithBookingStatus2).
PROVISIONAL, COMPLETED, CANCELLED = 1, 2, 3
TRIGGERS = {PROVISIONAL: "BookingUpdated", COMPLETED: "BookingCompleted", CANCELLED: "BookingCancelled"}


@dataclass(frozen=True)
class Context:
    conn: Connection
    principal: Principal
    mail: MailSettings


Handler = Callable[[Context, Doc], Any]
HANDLERS: dict[str, Handler] = {}


def operation(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[name] = fn
        return fn
    return register


def _required(p: Doc, name: str) -> str:
    value = p.get(name)
    if value is None or not str(value).strip():
        raise Invalid(f"The parameter {name} is required.")
    return str(value)


# --- contacts, log-on, tokens ----------------------------------------------------------

@operation("GenerateTokenForContact")
def generate_token_for_contact(ctx: Context, p: Doc) -> Doc:
    issued = contacts.generate_token(ctx.conn, ctx.mail, p.get("tokenType") or "", p["contactId"], p["isSingleUse"])
    return shapes.contact_token(issued)


@operation("VerifyTokenForContact")
def verify_token_for_contact(ctx: Context, p: Doc) -> Doc:
    return shapes.contact_token(contacts.verify_token(ctx.conn, p.get("tokenType") or "", p.get("tokenValue") or ""))


@operation("CheckLogOn")
def check_log_on(ctx: Context, p: Doc) -> Doc:
    return shapes.log_on(contacts.check_log_on(ctx.conn, p.get("emailAddress") or "", p.get("password") or ""))


@operation("CheckAttendeeLogOn")
def check_attendee_log_on(ctx: Context, p: Doc) -> Doc:
    found = events.check_attendee_log_on(ctx.conn, p.get("emailAddress") or "", p.get("password") or "",
                                         p["attendeeId"], p["bookingId"])
    return shapes.attendee_log_on(found)


@operation("AuthenticateAbstractsUser")
def authenticate_abstracts_user(ctx: Context, p: Doc) -> Doc:
    user_id = events.authenticate_abstracts_user(ctx.conn, p.get("username") or "", p.get("password") or "")
    return {"ClientUserId": user_id}


def _birth_date(value: Any) -> date | None:
    parsed = shapes.date_of_birth(value)
    if isinstance(parsed, str):
        raise Invalid(f"dateOfBirth '{parsed}' is not a date (yyyy-MM-dd).")
    return parsed


@operation("SubmitContact")
def submit_contact(ctx: Context, p: Doc) -> int:
    details = shapes.contact_changes(p)
    details["date_of_birth"] = _birth_date(p.get("dateOfBirth"))
    return int(contacts.submit(ctx.conn, details)["contact_number"])


@operation("UpdateContact")
def update_contact(ctx: Context, p: Doc) -> int:
    changes = shapes.contact_changes(p)
    if p.get("dateOfBirth") is not None:
        changes["date_of_birth"] = _birth_date(p["dateOfBirth"])
    if p.get("password"):
        changes["password"] = p["password"]
    changes["reg_status"] = p["reg_status"]
    if p.get("profile_string") is not None:
        changes["profile_string"] = p["profile_string"]
    return int(contacts.update(ctx.conn, p["contactId"], changes)["contact_number"])


@operation("UpdateContact2")
def update_contact2(ctx: Context, p: Doc) -> int:
    changes = shapes.contact_changes(p)
    if p.get("password"):
        changes["password"] = p["password"]
    changes["reg_status"] = p["reg_status"]
    if p.get("profileValueIds") is not None:
        changes["profile_value_ids"] = list(p["profileValueIds"])
    return int(contacts.update(ctx.conn, p["contactId"], changes)["contact_number"])


# --- events, sessions, ticket types ----------------------------------------------------

@operation("GetEventsByContactId")
def get_events_by_contact_id(ctx: Context, p: Doc) -> list[Doc]:
    found = events.events_for_contact(ctx.conn, p["contactId"], p["includeArchived"], p["isTestBookingForm"])
    return [shapes.contact_event(e) for e in found]


@operation("GetContactEventHistory")
def get_contact_event_history(ctx: Context, p: Doc) -> list[Doc]:
    return [shapes.event_history(h) for h in events.event_history(ctx.conn, _required(p, "email"))]


@operation("GetContactEventHistory2")
def get_contact_event_history2(ctx: Context, p: Doc) -> list[Doc]:
    return [shapes.event_history2(h) for h in events.event_history(ctx.conn, _required(p, "email"))]


@operation("GetBookableSessions")
def get_bookable_sessions(ctx: Context, p: Doc) -> list[Doc]:
    return [shapes.bookable_session(s) for s in events.bookable_sessions(ctx.conn, p["eventId"])]


@operation("SetEventExternalSystemId")
def set_event_external_system_id(ctx: Context, p: Doc) -> None:
    request = p.get("request")
    if not request or request.get("EventId") is None:
        raise Invalid("The request must give an EventId.")
    events.set_external_system_id(ctx.conn, request["EventId"], request.get("ExternalSystemId"))


@operation("GetTicketTypeById")
def get_ticket_type_by_id(ctx: Context, p: Doc) -> Doc:
    return shapes.ticket_type(events.ticket_type(ctx.conn, p["ticketTypeId"]))


@operation("GetTicketTypes2")
def get_ticket_types2(ctx: Context, p: Doc) -> list[Doc]:
    return [shapes.ticket_type(t) for t in events.ticket_types(ctx.conn, p["eventId"])]


# --- bookings --------------------------------------------------------------------------

@operation("GetBooking")
def get_booking(ctx: Context, p: Doc) -> Doc:
    return shapes.booking(events.booking(ctx.conn, p["bookingId"]))


@operation("GetBookingsByEmail")
def get_bookings_by_email(ctx: Context, p: Doc) -> list[Doc]:
    return [shapes.booking(b) for b in events.bookings_by_email(ctx.conn, p["eventId"], _required(p, "email"))]


@operation("GetBookingsBatch")
def get_bookings_batch(ctx: Context, p: Doc) -> list[Doc]:
    return [shapes.booking(b) for b in events.bookings_batch(ctx.conn, p["eventId"], p["skip"], p["size"])]


@operation("GetExtBookingsBatch")
def get_ext_bookings_batch(ctx: Context, p: Doc) -> list[Doc]:
    name = events.event(ctx.conn, p["eventId"])["name"]
    found = events.bookings_batch(ctx.conn, p["eventId"], p["skip"], p["size"])
    return [shapes.booking_ext({**b, "event_name": name}) for b in found]


def _simple(ctx: Context, p: Doc, event_id: int, status_id: int) -> Doc:
    made = events.submit_simple_booking(ctx.conn, ctx.mail, event_id, p["attendeeTypeId"], p["ticketTypeId"],
                                        p["contactId"], status_id=status_id, trigger=TRIGGERS.get(status_id))
    return shapes.simple_booking(made)


@operation("SubmitSimpleBooking")
def submit_simple_booking(ctx: Context, p: Doc) -> Doc:
    return _simple(ctx, p, p["eventid"], PROVISIONAL)


@operation("SubmitSimpleBooking2")
def submit_simple_booking2(ctx: Context, p: Doc) -> Doc:
    return _simple(ctx, p, p["eventid"], COMPLETED)


@operation("SubmitSimpleBookingWithBookingStatus2")
def submit_simple_booking_with_booking_status2(ctx: Context, p: Doc) -> Doc:
    if p["bookingStatusId"] not in TRIGGERS:
        raise Invalid(f"bookingStatusId {p['bookingStatusId']} is not a booking status "
                      "(1 Provisional, 2 Completed, 3 Cancelled).")
    return _simple(ctx, p, p["eventId"], p["bookingStatusId"])


def _attendees(p: Doc) -> list[Doc]:
    return [shapes.attendee_input(a) for a in (p.get("attendees") or []) if a is not None]


@operation("SubmitBookingWithGlobalContact")
def submit_booking_with_global_contact(ctx: Context, p: Doc) -> Doc:
    made = events.submit_booking(ctx.conn, ctx.mail, p["eventId"], _attendees(p), status_id=COMPLETED,
                                 trigger=TRIGGERS[COMPLETED])
    return shapes.booking(made)


@operation("SubmitBooking2")
def submit_booking2(ctx: Context, p: Doc) -> Doc:
    made = events.submit_booking(ctx.conn, ctx.mail, p["eventId"], _attendees(p), status_id=COMPLETED,
                                 purchase_order=p.get("purchaseOrderNumber"), notes=p.get("notes"),
                                 trigger=TRIGGERS[COMPLETED])
    return shapes.booking(made)


@operation("AddAttendeesToBooking")
def add_attendees_to_booking(ctx: Context, p: Doc) -> Doc:
    return shapes.booking(events.add_attendees(ctx.conn, ctx.mail, p["bookingId"], p["eventId"], _attendees(p)))


# --- attendees, abstracts, invoices ----------------------------------------------------

@operation("GetAttendeesByEventSurname")
def get_attendees_by_event_surname(ctx: Context, p: Doc) -> list[Doc]:
    found = events.attendees_by_surname(ctx.conn, p["eventId"], _required(p, "surname"))
    return [shapes.surname_search(a) for a in found]


@operation("CancelAttendee")
def cancel_attendee(ctx: Context, p: Doc) -> None:
    events.cancel_attendee(ctx.conn, _required(p, "attendeeReference").strip())


@operation("GetSubmissionDetail")
def get_submission_detail(ctx: Context, p: Doc) -> Doc:
    return shapes.submission(events.submission_detail(ctx.conn, p["bookingId"]))


@operation("GetInvoiceDetails")
def get_invoice_details(ctx: Context, p: Doc) -> Doc:
    return shapes.invoice(events.invoice_by_secure_key(ctx.conn, _required(p, "secureKey")))
