"""Core records <-> the Symphony API's member names.

The core speaks in its own field names (``contact_number``, ``reference``); the vendor's types
have theirs (``ContactId``, ``BookingReference``). Each function here turns one core dict into one
wire dict (keys = the ComplexType's members; a missing or None value is an omitted element).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

Doc = dict[str, Any]

# .NET's DateTime.MinValue: what a generated client sends for a date it has no value for.
NO_DATE = datetime(1, 1, 1)


def utc(moment: datetime | None) -> datetime | None:
    """A moment the core keeps in UTC (creation and payment times), written with its ``Z``.

    Event and session times are the event's own wall-clock times and are written as they are.
    """
    return moment.replace(tzinfo=UTC) if moment is not None else None


def contact_token(c: Doc) -> Doc:
    return {"ContactId": c["contact_number"], "ContactEmail": c["email"]}


def log_on(c: Doc) -> Doc:
    return {"ContactID": c["contact_number"], "ContactName": c["name"], "ContactRegStatus": c["reg_status"] or 0}


def attendee_log_on(a: Doc) -> Doc:
    return {"AttendeeID": a["attendee_id"], "BookingID": a["booking_id"], "Forename": a["forename"],
            "Surname": a["surname"], "AttendeeReference": a["reference"], "EventId": a["event_id"],
            "ContactId": a["contact_number"], "Email": a["email"]}


def contact_event(e: Doc) -> Doc:
    return {"ContactId": e["contact_number"], "EventId": e["event_id"], "EventName": e["event_name"],
            "StartDate": e["start_date"], "EndDate": e["end_date"], "IsArchived": e["archived"],
            "ExternalSystemId": e["external_system_id"]}


def event_history(h: Doc) -> Doc:
    return {"EventId": h["event_id"], "EventTitle": h["event_title"], "Description": h["description"],
            "EndDate": h["end_date"], "StartDate": h["start_date"], "AttendeeStatus": h["attendee_status"],
            "BookingId": h["booking_id"], "BookingReference": h["booking_reference"],
            "AttendeeReference": h["attendee_reference"]}


def event_history2(h: Doc) -> Doc:
    return {**event_history(h), "AttendeeId": h["attendee_id"], "BookingStatus": h["booking_status"],
            "ExternalSystemId": h["external_system_id"]}


def bookable_session(s: Doc) -> Doc:
    return {"BookableSessionId": s["bookable_session_id"], "Title": s["title"], "Code": s["code"],
            "AllowGuests": s["allow_guests"], "Capacity": s["capacity"], "EndDateTime": s["end_date_time"],
            "StartDateTime": s["start_date_time"]}


def ticket_type(t: Doc) -> Doc:
    return {"TicketTypeId": t["ticket_type_id"], "Name": t["name"], "Capacity": t["capacity"],
            "GrossPrice": t["gross_price"], "TaxRate": t["tax_rate"],
            "AttendeeTypes": [{"AttendeeTypeId": a["attendee_type_id"], "Name": a["name"]}
                              for a in t["attendee_types"]],
            "ExternalSite": t["external_site"], "MinAge": t["min_age"], "EventId": t["event_id"],
            "Booked": t["booked"]}


def attendee(a: Doc) -> Doc:
    return {"AttendeeId": a["attendee_id"], "AttendeeReference": a["reference"], "ContactId": a["contact_number"],
            "AttendeeTypeId": a["attendee_type_id"], "AttendeeType": a["attendee_type"],
            "TicketTypeId": a["ticket_type_id"], "TicketType": a["ticket_type"], "Title": a["title"],
            "Forename": a["forename"], "Surname": a["surname"], "Email": a["email"],
            "Organisation": a["organisation"], "AttendeeStatus": a["status"], "GrossPrice": a["gross_price"],
            "NetPrice": a["net_price"], "Tax": a["tax"]}


def _booking_lead(b: Doc) -> Doc:
    return {"BookingId": b["booking_id"], "BookingReference": b["reference"], "BookingStatus": b["status"],
            "CreatedDate": utc(b["created_at"]), "GrossCost": b["gross_cost"], "NetCost": b["net_cost"],
            "Tax": b["tax"], "IsTest": b["is_test"], "EventId": b["event_id"],
            "LeadContactId": b["lead_contact_number"]}


def booking(b: Doc) -> Doc:
    return {**_booking_lead(b), "Attendees": [attendee(a) for a in b["attendees"]],
            "PurchaseOrderNumber": b["purchase_order"], "Notes": b["notes"]}


def booking_ext(b: Doc) -> Doc:
    return {**_booking_lead(b), "EventName": b.get("event_name"), "LeadName": b["lead_name"],
            "LeadEmail": b["lead_email"], "AttendeeCount": len(b["attendees"]),
            "Attendees": [attendee(a) for a in b["attendees"]]}


def simple_booking(s: Doc) -> Doc:
    return {"BookingId": s["booking_id"], "AttendeeId": s["attendee_id"],
            "BookingReference": s["booking_reference"], "AttendeeReference": s["attendee_reference"]}


def surname_search(a: Doc) -> Doc:
    return {"AttendeeId": a["attendee_id"], "AttendeeReference": a["reference"], "BookingId": a["booking_id"],
            "BookingReference": a["booking_reference"], "Title": a["title"], "Forename": a["forename"],
            "Surname": a["surname"], "Email": a["email"], "Organisation": a["organisation"],
            "AttendeeStatus": a["status"]}


def submission(s: Doc) -> Doc:
    return {"AbstractUrl": s["abstract_url"], "AbstractFileKey": s["abstract_file_key"],
            "AbstractText": s["abstract_text"], "AbstractRtfText": s["abstract_rtf_text"],
            "AbstractVotes": [{"AbstractVoteId": v["abstract_vote_id"], "ClientUserId": v["client_user_id"],
                               "Reviewer": v["reviewer"], "Score": v["score"], "Comment": v["comment"]}
                              for v in s["votes"]],
            "SubmissionId": s["submission_id"], "BookingId": s["booking_id"], "Title": s["title"]}


def invoice(i: Doc) -> Doc:
    return {"InvoiceReference": i["reference"], "InvoiceUrl": i["invoice_url"], "TotalGross": i["total_gross"],
            "TotalNet": i["total_net"], "PaymentStatus": i["payment_status"],
            "InvoicePayments": [{"PaymentId": p["payment_id"], "PaymentDate": utc(p["paid_at"]), "Amount": p["amount"],
                                 "PaymentMethod": p["method"], "Reference": p["reference"]}
                                for p in i["payments"]],
            "TotalTax": i["total_tax"], "BookingId": i["booking_id"]}


# --- requests -------------------------------------------------------------------------

# Contact parameters (SubmitContact, UpdateContact, UpdateContact2) -> core contact fields.
CONTACT_PARAMS = {
    "email": "email", "title": "title", "forename": "forename", "surname": "surname",
    "organisation": "organisation", "occupation": "occupation", "paName": "pa_name",
    "marketingOptOut": "marketing_opt_out", "line1": "line1", "line2": "line2", "line3": "line3",
    "town": "town", "county": "county", "postcode": "postcode", "country": "country",
    "telephone": "telephone", "fax": "fax", "mobile": "mobile", "website": "website",
    "reference": "reference", "code": "code",
}

# An attendee request's members (AttendeeRequest, 2 and 3) -> the core's attendee input.
ATTENDEE_MEMBERS = {
    "AttendeeTypeId": "attendee_type_id", "TicketTypeId": "ticket_type_id", "Title": "title",
    "Forename": "forename", "Surname": "surname", "Organisation": "organisation", "Occupation": "occupation",
    "PAName": "pa_name", "MarketingOptOut": "marketing_opt_out", "Line1": "line1", "Line2": "line2",
    "Line3": "line3", "Town": "town", "County": "county", "Postcode": "postcode", "Country": "country",
    "Email": "email", "Telephone": "telephone", "Mobile": "mobile", "Reference": "external_reference",
    "Code": "code",
}


# Core field names a rule's message may hold, as the caller sent them (names the core shares with the
# vendor, such as surname or reg_status, need no entry).
WIRE_NAMES = {
    "external_system_id": "ExternalSystemId", "purchase_order": "purchaseOrderNumber", "pa_name": "paName",
    "marketing_opt_out": "marketingOptOut", "attendee_type_id": "AttendeeTypeId", "ticket_type_id": "TicketTypeId",
    "contact_number": "ContactId", "date_of_birth": "dateOfBirth", "external_reference": "Reference",
    "email_address": "email", "first_name": "forename", "profile_value_ids": "profileValueIds",
}
_CORE_NAME = re.compile(r"\b(" + "|".join(WIRE_NAMES) + r")\b")


def in_wire_names(message: str) -> str:
    """A core message with the fields it names spelled as the caller spelled them."""
    return _CORE_NAME.sub(lambda m: WIRE_NAMES[m.group(1)], message)


def contact_changes(params: Doc) -> Doc:
    """The contact fields a caller sent: an omitted string (null) leaves the field as it is."""
    return {core: params[wire] for wire, core in CONTACT_PARAMS.items() if params.get(wire) is not None}


def attendee_input(item: Doc) -> Doc:
    out = {core: item[wire] for wire, core in ATTENDEE_MEMBERS.items() if item.get(wire) is not None}
    # ContactId 0 is what a generated client sends for "no contact" (an int cannot be null).
    if item.get("ContactId"):
        out["contact_number"] = item["ContactId"]
    return out


def date_of_birth(value: datetime | str | None) -> date | None | str:
    """SubmitContact's dateTime, or UpdateContact's string (yyyy-MM-dd or an xsd:dateTime).

    Returns a date, None for "no date" (an empty string or .NET's DateTime.MinValue), or the text
    unchanged when it is not a date, for the caller to refuse.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return None if value.replace(tzinfo=None) == NO_DATE else value.date()
    text = value.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return value
    return None if parsed.replace(tzinfo=None) == NO_DATE else parsed.date()
