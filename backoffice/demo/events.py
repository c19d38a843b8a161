"""The demo's events and bookings (what the Symphony SOAP API shows). Docs and tests name these
ids, so keep them stable: they come from the sequences' starts in a new database.

- Events 101 "Annual Trade Conference" (2027, current), 102 "Winter Trade Expo 2025" (archived)
  and 103 "Product Training Day" (its booking is a test booking); each with attendee types
  Delegate and Speaker, ticket types Standard (220.00) and Early Bird (176.00), tax 10%, and two
  bookable sessions (the first allows guests).
- Contacts: Alex Buyer1 (1001) and Sam Payer1 (1002), the debtor C00001's, registered, with
  passwords; Jamie Delegate (1011, as Symphony's SubmitContact makes them: not registered, with a
  password) and Robin Postal (1012, no e-mail address), both of the debtor EVENTS.
- Bookings: B00001 (event 101, Completed, lead Alex): A00001 Alex Buyer1, A00002 Morgan Smith,
  A00003 Taylor Smith; B00002 (event 103, Provisional, a test booking, lead Jamie): A00004 Jamie
  Delegate; B00003 (event 102, Cancelled, lead Sam): A00005 Sam Payer1.
- The abstracts reviewer "reviewer" (501); the abstract of B00001 (submission 601) with two votes.
- Invoice INV00001 for B00001 (616.00), part paid (300.00), shown by the secure key below.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from ..core import contacts, events, records
from ..core.auth.passwords import hash_password
from ..core.clock import moved_to
from ..core.numbering import next_number
from ..core.records import NEW_KEY
from ..core.store.tables import ENTITY_TABLES, abstracts_user_credential

ANNUAL_CONFERENCE, ARCHIVED_EVENT, TEST_EVENT = 101, 102, 103
ALEX_EMAIL, SAM_EMAIL = "alex@c00001.example.com", "sam@c00001.example.com"
JAMIE_EMAIL = "jamie@events.example.com"
# The contacts' demo passwords, by e-mail address.
CONTACT_PASSWORDS = {ALEX_EMAIL: "alex-password", SAM_EMAIL: "sam-password", JAMIE_EMAIL: "jamie-password"}
ALEX, SAM, JAMIE, NO_EMAIL_CONTACT = 1001, 1002, 1011, 1012
ABSTRACTS_USERNAME, ABSTRACTS_PASSWORD = "reviewer", "reviewer-password"
# The invoice's secure key, kept (like every secure key) only as a digest; demo users need to know it.
INVOICE_SECURE_KEY = "demo-invoice-key-B00001"
INVOICE_URL_BASE = "https://events.example.com/invoices"

_EVENTS = [
    ("Annual Trade Conference", "Three days of talks, workshops and the trade floor.", "Melbourne Convention Centre",
     datetime(2027, 3, 15, 9, 0), datetime(2027, 3, 17, 17, 0)),
    ("Winter Trade Expo 2025", "Last winter's expo.", "Sydney Showground",
     datetime(2025, 7, 10, 9, 0), datetime(2025, 7, 11, 17, 0)),
    ("Product Training Day", "Hands-on training on the new ranges.", "Head Office, St Kilda",
     datetime(2026, 11, 5, 9, 30), datetime(2026, 11, 5, 16, 30)),
]


def _n(conn: Connection, sequence: str) -> int:
    return int(next_number(conn, sequence))


def _event(conn: Connection, name: str, description: str, venue: str, start: datetime, end: datetime) -> int:
    event_id = _n(conn, "Event")
    day = start.replace(hour=0, minute=0)
    records.create(conn, contacts.SYSTEM, "Event", {
        NEW_KEY: event_id, "name": name, "description": description, "venue": venue, "start_date": start,
        "end_date": end,
        "attendee_types": [{NEW_KEY: _n(conn, "AttendeeType"), "name": kind} for kind in ("Delegate", "Speaker")],
        "ticket_types": [
            {NEW_KEY: _n(conn, "TicketType"), "name": "Standard", "capacity": 200, "gross_price": 220.00,
             "tax_rate": 10.0, "external_site": "https://events.example.com/tickets/standard"},
            {NEW_KEY: _n(conn, "TicketType"), "name": "Early Bird", "capacity": 50, "gross_price": 176.00,
             "tax_rate": 10.0, "min_age": 18},
        ],
        "bookable_sessions": [
            {NEW_KEY: _n(conn, "BookableSession"), "title": "Opening Keynote", "code": "KEY1", "allow_guests": True,
             "capacity": 300, "start_date_time": day.replace(hour=9, minute=30),
             "end_date_time": day.replace(hour=10, minute=30)},
            {NEW_KEY: _n(conn, "BookableSession"), "title": "Industry Workshop", "code": "WS1",
             "allow_guests": False, "capacity": 40, "start_date_time": day.replace(hour=11),
             "end_date_time": day.replace(hour=12, minute=30)},
        ],
    })
    return event_id


def _types(conn: Connection, event_id: int) -> tuple[dict[str, int], dict[str, int]]:
    """The event's attendee types and ticket types by name."""
    tickets = events.ticket_types(conn, event_id)
    kinds = {k["name"]: k["attendee_type_id"] for k in tickets[0]["attendee_types"]}
    return kinds, {t["name"]: t["ticket_type_id"] for t in tickets}


def load_events(conn: Connection) -> None:
    """Load the events demo (after the debtors, whose contacts it uses)."""
    for name, description, venue, start, end in _EVENTS:
        _event(conn, name, description, venue, start, end)

    # Loaded as history (every debtor stays at its first revision): C00001's two contacts have
    # registered; the debtor EVENTS holds the contacts the SOAP API made, one without an address.
    contact_names = ENTITY_TABLES["DebtorContactName"]
    for email in (ALEX_EMAIL, SAM_EMAIL):
        found = contacts.by_email(conn, email)
        assert found is not None, email
        conn.execute(contact_names.update().where(contact_names.c.contact_name_id == found["contact_name_id"])
                     .values(reg_status=contacts.REGISTERED))
        contacts.set_password(conn, found["contact_number"], CONTACT_PASSWORDS[email])
    records.create(conn, contacts.SYSTEM, "Debtor", {
        "account_no": contacts.CONTACT_DEBTOR, "name": contacts.CONTACT_DEBTOR_NAME, "contact_names": [
            {"email_address": JAMIE_EMAIL, "title": "Mx", "first_name": "Jamie", "surname": "Delegate",
             "organisation": "Delegate Consulting", "occupation": "Consultant", "marketing_opt_out": False,
             "line1": "7 Collins Street", "town": "Melbourne", "county": "VIC", "postcode": "3000",
             "country": "Australia", "phone": "03 9000 7777", "website": "https://delegate.example.com",
             "reg_status": contacts.NOT_REGISTERED},
            {"title": "Mr", "first_name": "Robin", "surname": "Postal", "line1": "PO Box 12", "town": "Geelong",
             "county": "VIC", "postcode": "3220", "country": "Australia", "reg_status": contacts.NOT_REGISTERED},
        ]})
    contacts.set_password(conn, JAMIE, CONTACT_PASSWORDS[JAMIE_EMAIL])

    # Each booking made at a moment of its own, so its creation date is the same (to the second) in every demo.
    kinds, tickets = _types(conn, ANNUAL_CONFERENCE)
    delegate, speaker = kinds["Delegate"], kinds["Speaker"]
    with moved_to(datetime(2026, 11, 20, 10, 0)):
        first = events.submit_booking(conn, None, ANNUAL_CONFERENCE, [
            {"attendee_type_id": delegate, "ticket_type_id": tickets["Standard"], "contact_number": ALEX},
            {"attendee_type_id": delegate, "ticket_type_id": tickets["Early Bird"], "title": "Ms",
             "forename": "Morgan", "surname": "Smith", "email": "morgan.smith@example.com",
             "organisation": "Bayside Hardware Pty Ltd"},
            {"attendee_type_id": speaker, "ticket_type_id": tickets["Standard"], "title": "Dr", "forename": "Taylor",
             "surname": "Smith", "email": "taylor.smith@example.org", "organisation": "Supply Chain Institute"},
        ], status_id=events.COMPLETED, purchase_order="PO-EV-1001", notes="Invoice to accounts.")

    kinds, tickets = _types(conn, TEST_EVENT)
    with moved_to(datetime(2026, 11, 21, 11, 0)):
        events.submit_booking(conn, None, TEST_EVENT, [
            {"attendee_type_id": kinds["Delegate"], "ticket_type_id": tickets["Standard"], "contact_number": JAMIE},
        ], is_test=True)

    kinds, tickets = _types(conn, ARCHIVED_EVENT)
    with moved_to(datetime(2025, 6, 2, 14, 0)):
        events.submit_booking(conn, None, ARCHIVED_EVENT, [
            {"attendee_type_id": kinds["Delegate"], "ticket_type_id": tickets["Early Bird"], "contact_number": SAM},
        ], status_id=events.BOOKING_CANCELLED)
    records.update(conn, contacts.SYSTEM, "Event", records.int_key(ARCHIVED_EVENT), {"archived": True})
    # The clock ticks while it is moved: set each creation date to the exact moment, to the millisecond.
    booking_table = ENTITY_TABLES["Booking"]
    for booking_id, made in ((1, datetime(2026, 11, 20, 10, 0)), (2, datetime(2026, 11, 21, 11, 0)),
                             (3, datetime(2025, 6, 2, 14, 0))):
        conn.execute(booking_table.update().where(booking_table.c.booking_id == booking_id).values(created_at=made))

    reviewer = _n(conn, "AbstractsUser")
    records.create(conn, contacts.SYSTEM, "AbstractsUser", {
        NEW_KEY: reviewer, "username": ABSTRACTS_USERNAME, "name": "Riley Reviewer"})
    conn.execute(abstracts_user_credential.insert().values(client_user_id=reviewer,
                                                           password_hash=hash_password(ABSTRACTS_PASSWORD)))
    submission = _n(conn, "AbstractSubmission")
    text = "How distributors cut freight emissions by a fifth without raising prices."
    votes: list[dict[str, Any]] = [
        {NEW_KEY: _n(conn, "AbstractVote"), "client_user_id": reviewer, "score": 4,
         "comment": "Clear and well argued; the data needs a source."},
        {NEW_KEY: _n(conn, "AbstractVote"), "client_user_id": reviewer, "score": 5,
         "comment": "After revision: sources added. Accept."},
    ]
    records.create(conn, contacts.SYSTEM, "AbstractSubmission", {
        NEW_KEY: submission, "booking_id": first["booking_id"], "title": "Greener Supply Chains",
        "abstract_url": f"https://events.example.com/abstracts/{submission}",
        "abstract_file_key": f"abstracts/{submission}.pdf", "abstract_text": text,
        "abstract_rtf_text": "{\\rtf1\\ansi " + text + "}", "votes": votes})

    invoice, _ = events.create_invoice(conn, first["booking_id"], url_base=INVOICE_URL_BASE,
                                       secure_key=INVOICE_SECURE_KEY)
    events.record_payment(conn, invoice["invoice_id"], 300.00, method="Card", reference="TXN-300-0001",
                          paid_at=datetime(2026, 12, 1, 10, 15))
