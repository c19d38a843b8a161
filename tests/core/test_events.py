"""Events and bookings (core/events.py) over the demo's events 101-103 and bookings B00001-B00003."""

from __future__ import annotations

import hashlib
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from backoffice.core import errors, events, mail, records
from backoffice.core.store import Database
from backoffice.core.store.tables import ENTITY_TABLES
from backoffice.demo.events import (
    ABSTRACTS_PASSWORD,
    ABSTRACTS_USERNAME,
    ALEX,
    ALEX_EMAIL,
    ANNUAL_CONFERENCE,
    ARCHIVED_EVENT,
    CONTACT_PASSWORDS,
    INVOICE_SECURE_KEY,
    JAMIE,
    JAMIE_EMAIL,
    SAM,
    SAM_EMAIL,
    TEST_EVENT,
)
from tests.conftest import _free_port

# The demo's types: event 101 has attendee types 201/202 and ticket types 301/302, event 102
# 203/204 and 303/304, event 103 205/206 and 305/306.
DELEGATE, SPEAKER, STANDARD, EARLY_BIRD = 201, 202, 301, 302
OTHER_EVENTS_DELEGATE, OTHER_EVENTS_STANDARD = 205, 305
_event = ENTITY_TABLES["Event"]
_ticket = ENTITY_TABLES["TicketType"]
_invoice = ENTITY_TABLES["Invoice"]


@pytest.fixture
def outbox(tmp_path: Path) -> mail.MailSettings:
    return mail.MailSettings(outbox=tmp_path / "outbox")


def _attendee(surname: str = "Guest", **more: Any) -> dict[str, Any]:
    return {"attendee_type_id": DELEGATE, "ticket_type_id": STANDARD, "surname": surname, **more}


def _book(db: Database, attendees: list[dict[str, Any]], event_id: int = ANNUAL_CONFERENCE,
          **kw: Any) -> dict[str, Any]:
    with db.write() as conn:
        return events.submit_booking(conn, None, event_id, attendees, **kw)


# --- events, sessions, ticket types -----------------------------------------------------------------


def test_an_event(db: Database) -> None:
    with db.read() as conn:
        assert events.event(conn, ANNUAL_CONFERENCE) == {
            "event_id": 101, "name": "Annual Trade Conference",
            "description": "Three days of talks, workshops and the trade floor.",
            "venue": "Melbourne Convention Centre", "start_date": datetime(2027, 3, 15, 9, 0),
            "end_date": datetime(2027, 3, 17, 17, 0), "archived": False, "external_system_id": None}
        assert events.event(conn, ARCHIVED_EVENT)["archived"] is True
        with pytest.raises(errors.NotFound, match=r"^Event 7 was not found\.$"):
            events.event(conn, 7)


def test_set_external_system_id(db: Database) -> None:
    with db.write() as conn:
        revision = conn.execute(sa.select(_event.c.revision).where(_event.c.event_id == 101)).scalar()
        events.set_external_system_id(conn, 101, "CRM-EV-42")
        assert events.event(conn, 101)["external_system_id"] == "CRM-EV-42"
        assert conn.execute(sa.select(_event.c.revision).where(_event.c.event_id == 101)).scalar() == revision + 1
        events.set_external_system_id(conn, 101, "")
        assert events.event(conn, 101)["external_system_id"] is None
        with pytest.raises(errors.Invalid, match="at most 100 characters"):
            events.set_external_system_id(conn, 101, "x" * 101)
        with pytest.raises(errors.NotFound, match=r"^Event 7 was not found\.$"):
            events.set_external_system_id(conn, 7, "x")


def test_bookable_sessions(db: Database) -> None:
    with db.read() as conn:
        sessions = events.bookable_sessions(conn, ANNUAL_CONFERENCE)
        assert [(s["title"], s["code"], s["allow_guests"], s["capacity"]) for s in sessions] == [
            ("Opening Keynote", "KEY1", True, 300), ("Industry Workshop", "WS1", False, 40)]
        assert sessions[0]["start_date_time"] == datetime(2027, 3, 15, 9, 30)
        assert sessions[0]["end_date_time"] == datetime(2027, 3, 15, 10, 30)
        assert set(sessions[0]) == {"bookable_session_id", "title", "code", "allow_guests", "capacity",
                                    "start_date_time", "end_date_time"}
        with pytest.raises(errors.NotFound, match=r"^Event 999 was not found\.$"):
            events.bookable_sessions(conn, 999)


def test_ticket_types(db: Database) -> None:
    with db.read() as conn:
        tickets = events.ticket_types(conn, ANNUAL_CONFERENCE)
        assert [(t["ticket_type_id"], t["name"], t["capacity"], t["gross_price"], t["tax_rate"], t["booked"])
                for t in tickets] == [(STANDARD, "Standard", 200, 220.0, 10.0, 2),
                                      (EARLY_BIRD, "Early Bird", 50, 176.0, 10.0, 1)]
        assert tickets[0]["attendee_types"] == [{"attendee_type_id": DELEGATE, "name": "Delegate"},
                                                {"attendee_type_id": SPEAKER, "name": "Speaker"}]
        assert tickets[1]["min_age"] == 18 and tickets[0]["external_site"].startswith("https://")
        assert events.ticket_type(conn, EARLY_BIRD) == tickets[1]
        # The archived event's only booking is cancelled: nothing booked.
        assert [t["booked"] for t in events.ticket_types(conn, ARCHIVED_EVENT)] == [0, 0]
        with pytest.raises(errors.NotFound, match=r"^Ticket type 9 was not found\.$"):
            events.ticket_type(conn, 9)
        with pytest.raises(errors.NotFound):
            events.ticket_types(conn, 9)


# --- contacts' events -----------------------------------------------------------------------------------


def test_events_for_a_contact(db: Database) -> None:
    with db.read() as conn:
        [alex] = events.events_for_contact(conn, ALEX, False, False)
        assert alex == {"contact_number": ALEX, "event_id": 101, "event_name": "Annual Trade Conference",
                        "start_date": datetime(2027, 3, 15, 9, 0), "end_date": datetime(2027, 3, 17, 17, 0),
                        "archived": False, "external_system_id": None}
        # Jamie's only booking is a test booking.
        assert events.events_for_contact(conn, JAMIE, False, False) == []
        assert [e["event_id"] for e in events.events_for_contact(conn, JAMIE, False, True)] == [TEST_EVENT]
        # Sam's booking at the archived event was cancelled.
        assert events.events_for_contact(conn, SAM, True, False) == []
        with pytest.raises(errors.NotFound, match=r"^Contact 9999 was not found\.$"):
            events.events_for_contact(conn, 9999, True, True)


def test_events_for_a_contact_as_lead_attendee_archived_or_not(db: Database) -> None:
    # Sam leads a booking for someone else at 101, and attends 103 (booked before it was archived).
    _book(db, [_attendee("Colleague")], lead_contact_number=SAM)
    _book(db, [{"attendee_type_id": OTHER_EVENTS_DELEGATE, "ticket_type_id": OTHER_EVENTS_STANDARD,
                "contact_number": SAM}], event_id=TEST_EVENT)
    with db.write() as conn:
        conn.execute(_event.update().where(_event.c.event_id == TEST_EVENT).values(archived=True))
        assert [e["event_id"] for e in events.events_for_contact(conn, SAM, False, False)] == [101]
        # Ordered by start date: 103 (November 2026) before 101 (March 2027).
        assert [(e["event_id"], e["archived"]) for e in events.events_for_contact(conn, SAM, True, False)] == [
            (103, True), (101, False)]
        # An attendee cancelled no longer attends.
        attending = events.bookings_by_email(conn, TEST_EVENT, SAM_EMAIL)[0]["attendees"][0]["reference"]
        events.cancel_attendee(conn, attending)
        assert [e["event_id"] for e in events.events_for_contact(conn, SAM, True, False)] == [101]


def test_event_history(db: Database) -> None:
    _book(db, [{"attendee_type_id": DELEGATE, "ticket_type_id": STANDARD, "contact_number": JAMIE}])
    with db.read() as conn:
        history = events.event_history(conn, JAMIE_EMAIL.upper())
        assert [(h["event_id"], h["booking_status"], h["attendee_status"]) for h in history] == [
            (101, "Provisional", "Booked"), (103, "Provisional", "Booked")]  # newest event first
        assert history[1] == {
            "event_id": 103, "event_title": "Product Training Day",
            "description": "Hands-on training on the new ranges.", "end_date": datetime(2026, 11, 5, 16, 30),
            "start_date": datetime(2026, 11, 5, 9, 30),
            "attendee_status": "Booked", "attendee_id": 4, "attendee_reference": "A00004", "booking_id": 2,
            "booking_reference": "B00002", "booking_status": "Provisional", "external_system_id": None}
        # An attendee's own address counts too (Morgan has no contact).
        assert [h["attendee_reference"] for h in events.event_history(conn, "Morgan.Smith@example.com")] == ["A00002"]
        # Cancelled ones are history too.
        assert [(h["attendee_status"], h["booking_status"]) for h in events.event_history(conn, SAM_EMAIL)] == [
            ("Cancelled", "Cancelled")]
        assert events.event_history(conn, "nobody@example.com") == []
        assert events.event_history(conn, "") == []


# --- reading bookings -------------------------------------------------------------------------------------


def test_a_booking(db: Database) -> None:
    with db.read() as conn:
        found = events.booking(conn, 1)
        attendees = found.pop("attendees")
        assert found == {
            "booking_id": 1, "reference": "B00001", "event_id": 101, "status_id": 2, "status": "Completed",
            "created_at": found["created_at"], "gross_cost": 616.0, "net_cost": 560.0, "tax": 56.0, "is_test": False,
            "purchase_order": "PO-EV-1001", "notes": "Invoice to accounts.", "lead_contact_number": ALEX,
            "lead_email": ALEX_EMAIL, "lead_name": "Alex Buyer1"}
        assert found["created_at"].replace(microsecond=0) == datetime(2026, 11, 20, 10, 0)
        assert [(a["reference"], a["forename"], a["surname"], a["attendee_type"], a["ticket_type"], a["gross_price"],
                 a["net_price"], a["tax"], a["contact_number"]) for a in attendees] == [
            ("A00001", "Alex", "Buyer1", "Delegate", "Standard", 220.0, 200.0, 20.0, ALEX),
            ("A00002", "Morgan", "Smith", "Delegate", "Early Bird", 176.0, 160.0, 16.0, None),
            ("A00003", "Taylor", "Smith", "Speaker", "Standard", 220.0, 200.0, 20.0, None)]
        assert set(attendees[0]) == {"attendee_id", "reference", "booking_id", "event_id", "contact_number",
                                     "attendee_type_id", "attendee_type", "ticket_type_id", "ticket_type", "title",
                                     "forename", "surname", "email", "organisation", "status", "gross_price",
                                     "net_price", "tax"}
        assert events.booking(conn, 2)["is_test"] is True
        with pytest.raises(errors.NotFound, match=r"^Booking 99 was not found\.$"):
            events.booking(conn, 99)


def test_bookings_by_the_leads_email(db: Database) -> None:
    _book(db, [_attendee("Second")], lead_contact_number=ALEX)
    with db.read() as conn:
        assert [b["reference"] for b in events.bookings_by_email(conn, 101, " ALEX@c00001.EXAMPLE.com")] == [
            "B00001", "B00004"]
        assert events.bookings_by_email(conn, 101, "morgan.smith@example.com") == []  # not a lead
        assert events.bookings_by_email(conn, 103, ALEX_EMAIL) == []
        with pytest.raises(errors.NotFound):
            events.bookings_by_email(conn, 7, ALEX_EMAIL)


def test_bookings_in_batches(db: Database) -> None:
    for n in range(3):
        _book(db, [_attendee(f"Batch{n}")])
    with db.read() as conn:
        assert [b["booking_id"] for b in events.bookings_batch(conn, 101, 0, 500)] == [1, 4, 5, 6]
        assert [b["booking_id"] for b in events.bookings_batch(conn, 101, 1, 2)] == [4, 5]
        assert events.bookings_batch(conn, 101, 10, 1) == []
        assert events.bookings_batch(conn, 101, 3, 1)[0]["attendees"][0]["surname"] == "Batch2"
        for skip, size, field in ((-1, 10, "skip"), (0, 0, "size"), (0, 501, "size"), (0, True, "size")):
            with pytest.raises(errors.Invalid) as refused:
                events.bookings_batch(conn, 101, skip, size)
            assert refused.value.errors[0].field == field
        with pytest.raises(errors.NotFound):
            events.bookings_batch(conn, 7, 0, 10)


# --- making bookings ------------------------------------------------------------------------------------------


def test_a_booking_is_numbered_priced_and_totalled(db: Database) -> None:
    made = _book(db, [
        {"attendee_type_id": DELEGATE, "ticket_type_id": STANDARD, "contact_number": JAMIE, "title": "Dr"},
        {"attendee_type_id": SPEAKER, "ticket_type_id": EARLY_BIRD, "forename": "Lee", "surname": "Guest",
         "email": "lee@example.com", "organisation": "Guests Ltd"},
    ], purchase_order="PO-9", notes="Two")
    assert (made["booking_id"], made["reference"], made["status"], made["is_test"]) == (4, "B00004", "Provisional",
                                                                                         False)
    assert (made["gross_cost"], made["tax"], made["net_cost"]) == (396.0, 36.0, 360.0)
    assert (made["lead_contact_number"], made["lead_email"], made["purchase_order"]) == (JAMIE, JAMIE_EMAIL, "PO-9")
    jamie, lee = made["attendees"]
    # Details left out come from the contact; those given win.
    assert (jamie["reference"], jamie["title"], jamie["forename"], jamie["surname"], jamie["email"],
            jamie["organisation"], jamie["contact_number"]) == ("A00006", "Dr", "Jamie", "Delegate", JAMIE_EMAIL,
                                                                "Delegate Consulting", JAMIE)
    assert (lee["reference"], lee["ticket_type"], lee["gross_price"], lee["tax"], lee["net_price"]) == (
        "A00007", "Early Bird", 176.0, 16.0, 160.0)
    with db.read() as conn:
        assert events.booking(conn, 4) == made
        stored = conn.execute(sa.select(ENTITY_TABLES["Attendee"]).where(
            ENTITY_TABLES["Attendee"].c.attendee_id == 6)).one()
    assert (stored.town, stored.telephone, stored.event_id) == ("Melbourne", "03 9000 7777", 101)


def test_tax_is_taken_out_of_the_gross_price(db: Database) -> None:
    with db.write() as conn:
        conn.execute(_ticket.update().where(_ticket.c.ticket_type_id == STANDARD).values(gross_price=99.99,
                                                                                         tax_rate=15.0))
    made = _book(db, [_attendee("One"), _attendee("Two"), _attendee("Three")])
    # 99.99 / 1.15 = 86.947...: tax 13.04, net 86.95 each.
    assert [(a["gross_price"], a["tax"], a["net_price"]) for a in made["attendees"]] == [(99.99, 13.04, 86.95)] * 3
    assert (made["gross_cost"], made["tax"], made["net_cost"]) == (299.97, 39.12, 260.85)


def test_the_lead_is_the_given_contact_or_the_first_attendees(db: Database) -> None:
    assert _book(db, [_attendee("NoContact")])["lead_contact_number"] is None
    assert _book(db, [_attendee("First"), {**_attendee(), "contact_number": SAM}])["lead_contact_number"] == SAM
    assert _book(db, [{**_attendee(), "contact_number": SAM}], lead_contact_number=ALEX)["lead_name"] == "Alex Buyer1"


@pytest.mark.parametrize("attendee, field, message", [
    ({"attendee_type_id": OTHER_EVENTS_DELEGATE, "ticket_type_id": STANDARD, "surname": "X"},
     "attendees[0].attendee_type_id", "Attendee type 205 is not one of event 101's."),
    ({"attendee_type_id": DELEGATE, "ticket_type_id": OTHER_EVENTS_STANDARD, "surname": "X"},
     "attendees[0].ticket_type_id", "Ticket type 305 is not one of event 101's."),
    ({"attendee_type_id": 999, "ticket_type_id": STANDARD, "surname": "X"},
     "attendees[0].attendee_type_id", "Attendee type 999 is not one of event 101's."),
    ({"attendee_type_id": DELEGATE, "ticket_type_id": 999, "surname": "X"},
     "attendees[0].ticket_type_id", "Ticket type 999 is not one of event 101's."),
    ({"ticket_type_id": STANDARD, "surname": "X"}, "attendees[0].attendee_type_id", None),
    ({"attendee_type_id": DELEGATE, "ticket_type_id": STANDARD}, "attendees[0].surname",
     "Attendee 1 needs a surname or a contact."),
    ({"attendee_type_id": DELEGATE, "ticket_type_id": STANDARD, "surname": "  "}, "attendees[0].surname", None),
    ({"attendee_type_id": DELEGATE, "ticket_type_id": STANDARD, "surname": "X" * 61}, "surname", None),
    ({"attendee_type_id": DELEGATE, "ticket_type_id": STANDARD, "surname": "X", "email": "not-an-address"},
     "attendees[0].email", "not-an-address is not a valid e-mail address."),
])
def test_attendee_refusals(db: Database, attendee: dict[str, Any], field: str, message: str | None) -> None:
    with db.write() as conn:
        with pytest.raises(errors.Invalid) as refused:
            events.submit_booking(conn, None, 101, [attendee])
    assert field in refused.value.errors[0].field
    if message:
        assert refused.value.message == message


def test_booking_refusals(db: Database) -> None:
    refusals: list[tuple[type[errors.CoreError], str, int, list[dict[str, Any]], dict[str, Any]]] = [
        (errors.Conflict, r"^Event 102 is archived and takes no bookings\.$", ARCHIVED_EVENT, [_attendee()], {}),
        (errors.NotFound, r"^Event 7 was not found\.$", 7, [_attendee()], {}),
        (errors.Invalid, "at least one attendee", 101, [], {}),
        (errors.Invalid, "status_id", 101, [_attendee()], {"status_id": 9}),
        (errors.NotFound, r"^Contact 9999 was not found\.$", 101, [{**_attendee(), "contact_number": 9999}], {}),
        (errors.NotFound, r"^Contact 9999 was not found\.$", 101, [_attendee()], {"lead_contact_number": 9999}),
        (errors.Invalid, "Unknown attendee detail", 101, [{**_attendee(), "status": "Cancelled"}], {}),
        (errors.Invalid, "Unknown trigger", 101, [_attendee()], {"trigger": "BookingDeleted"}),
    ]
    for error, message, event_id, attendees, kw in refusals:
        # As a dialect calls it: one transaction per call, rolled back when it fails.
        with pytest.raises(error, match=message), db.write() as conn:
            events.submit_booking(conn, None, event_id, attendees, **kw)
    with db.read() as conn:
        assert [b["booking_id"] for b in events.bookings_batch(conn, 101, 0, 10)] == [1]
    assert _book(db, [_attendee()])["reference"] == "B00004"  # no number was used up


def test_a_ticket_type_admits_up_to_its_capacity(db: Database) -> None:
    with db.write() as conn:
        conn.execute(_ticket.update().where(_ticket.c.ticket_type_id == STANDARD).values(capacity=4))  # 2 booked
        with pytest.raises(errors.Conflict, match=r"^Ticket type 'Standard' has only 2 places left\.$"):
            events.submit_booking(conn, None, 101, [_attendee("A"), _attendee("B"), _attendee("C")])
    made = _book(db, [_attendee("A"), _attendee("B")])
    with db.write() as conn:
        with pytest.raises(errors.Conflict, match=r"^Ticket type 'Standard' is sold out\.$"):
            events.submit_booking(conn, None, 101, [_attendee("D")])
        with pytest.raises(errors.Conflict, match=r"^Ticket type 'Standard' is sold out\.$"):
            events.add_attendees(conn, None, 1, 101, [_attendee("E")])
        # Other tickets are not affected.
        events.submit_booking(conn, None, 101, [{**_attendee("F"), "ticket_type_id": EARLY_BIRD}])
    with db.write() as conn:
        events.cancel_attendee(conn, made["attendees"][0]["reference"])  # a place comes free
        assert events.ticket_type(conn, STANDARD)["booked"] == 3
        events.submit_booking(conn, None, 101, [_attendee("G")])
        assert events.ticket_type(conn, STANDARD)["booked"] == 4


def test_two_bookings_of_the_last_place_at_once_one_wins(db: Database) -> None:
    with db.write() as conn:
        conn.execute(_ticket.update().where(_ticket.c.ticket_type_id == STANDARD).values(capacity=3))  # 2 booked
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def book(surname: str) -> None:
        start.wait()
        try:
            _book(db, [_attendee(surname)])
            outcomes.append("booked")
        except errors.Conflict as refused:
            outcomes.append(refused.message)

    threads = [threading.Thread(target=book, args=(name,)) for name in ("Racer", "Chaser")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["Ticket type 'Standard' is sold out.", "booked"]
    with db.read() as conn:
        assert events.ticket_type(conn, STANDARD)["booked"] == 3


def test_a_capacity_of_none_or_zero_is_no_limit(db: Database) -> None:
    with db.write() as conn:
        conn.execute(_ticket.update().where(_ticket.c.ticket_type_id == STANDARD).values(capacity=0))
        conn.execute(_ticket.update().where(_ticket.c.ticket_type_id == EARLY_BIRD).values(capacity=None))
    made = _book(db, [_attendee(f"P{n}") for n in range(5)] + [{**_attendee("Q"), "ticket_type_id": EARLY_BIRD}])
    assert len(made["attendees"]) == 6


def test_a_booking_made_cancelled_cancels_its_attendees(db: Database) -> None:
    made = _book(db, [_attendee("Gone")], status_id=3)
    assert (made["status"], made["attendees"][0]["status"], made["gross_cost"]) == ("Cancelled", "Cancelled", 0.0)
    with db.read() as conn:
        assert events.ticket_type(conn, STANDARD)["booked"] == 2


def test_simple_bookings(db: Database) -> None:
    with db.write() as conn:
        made = events.submit_simple_booking(conn, None, 101, SPEAKER, EARLY_BIRD, JAMIE, status_id=2)
        assert made == {"booking_id": 4, "attendee_id": 6, "booking_reference": "B00004",
                        "attendee_reference": "A00006"}
        full = events.booking(conn, 4)
    assert (full["status"], full["lead_contact_number"], full["gross_cost"]) == ("Completed", JAMIE, 176.0)
    assert (full["attendees"][0]["forename"], full["attendees"][0]["attendee_type"]) == ("Jamie", "Speaker")


def test_a_trigger_mails_the_lead(db: Database, outbox: mail.MailSettings) -> None:
    with db.write() as conn:
        events.submit_booking(conn, outbox, 101, [_attendee("Quiet")])  # no trigger, no mail
        events.submit_simple_booking(conn, outbox, 101, DELEGATE, STANDARD, JAMIE, status_id=2,
                                     trigger="BookingCompleted")
        # No lead: the first attendee with an address hears of it.
        events.submit_booking(conn, outbox, 101, [_attendee("Nomail"), _attendee("Mailed", email="m@example.com")],
                              trigger="BookingUpdated")
        events.submit_booking(conn, outbox, 101, [_attendee("Nobody")], trigger="BookingUpdated")  # no address
    sent = mail.outbox(outbox)
    assert [(m.to, m.subject) for m in sent] == [(JAMIE_EMAIL, "Booking B00005 completed"),
                                                  ("m@example.com", "Booking B00006 updated")]
    body = sent[0].body()
    assert "Annual Trade Conference" in body and "A00007 Jamie Delegate (Delegate, Standard, Booked)" in body


def test_a_mail_server_that_is_down_does_not_undo_the_booking(db: Database, tmp_path: Path,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    down = mail.MailSettings(outbox=tmp_path / "unused", smtp_host="127.0.0.1", smtp_port=_free_port(), timeout=2)
    with db.write() as conn:
        made = events.submit_simple_booking(conn, down, 101, DELEGATE, STANDARD, JAMIE, trigger="BookingUpdated")
    with db.read() as conn:
        assert events.booking(conn, made["booking_id"])["reference"] == "B00004"
    assert "BookingUpdated mail for booking B00004 could not be sent" in caplog.text


# --- adding and cancelling attendees ------------------------------------------------------------------------------


def test_add_attendees(db: Database, outbox: mail.MailSettings) -> None:
    with db.write() as conn:
        revision = conn.execute(sa.select(ENTITY_TABLES["Booking"].c.revision)
                                .where(ENTITY_TABLES["Booking"].c.booking_id == 1)).scalar()
        made = events.add_attendees(conn, outbox, 1, 101, [
            {"attendee_type_id": SPEAKER, "ticket_type_id": EARLY_BIRD, "contact_number": SAM}])
        assert conn.execute(sa.select(ENTITY_TABLES["Booking"].c.revision)
                            .where(ENTITY_TABLES["Booking"].c.booking_id == 1)).scalar() == revision + 1
    assert [a["reference"] for a in made["attendees"]] == ["A00001", "A00002", "A00003", "A00006"]
    assert (made["gross_cost"], made["tax"], made["net_cost"]) == (792.0, 72.0, 720.0)
    assert made["status"] == "Completed" and made["lead_contact_number"] == ALEX
    assert mail.outbox(outbox) == []
    with db.write() as conn:
        events.add_attendees(conn, outbox, 1, 101, [_attendee("Late")], trigger="BookingUpdated")
    assert [m.subject for m in mail.outbox(outbox)] == ["Booking B00001 updated"]


def test_add_attendees_refusals(db: Database) -> None:
    with db.write() as conn:
        with pytest.raises(errors.Invalid, match=r"^Booking 1 is not a booking of event 103\.$"):
            events.add_attendees(conn, None, 1, TEST_EVENT, [_attendee()])
        with pytest.raises(errors.Conflict, match=r"^Booking B00003 is cancelled\.$"):
            events.add_attendees(conn, None, 3, ARCHIVED_EVENT, [_attendee()])
        with pytest.raises(errors.NotFound, match=r"^Booking 99 was not found\.$"):
            events.add_attendees(conn, None, 99, 101, [_attendee()])
        with pytest.raises(errors.Invalid, match="A booking needs at least one attendee"):
            events.add_attendees(conn, None, 1, 101, [])
        with pytest.raises(errors.Invalid, match="not one of event 101's"):
            events.add_attendees(conn, None, 1, 101, [{**_attendee(), "ticket_type_id": OTHER_EVENTS_STANDARD}])
        conn.execute(_event.update().where(_event.c.event_id == 101).values(archived=True))
        with pytest.raises(errors.Conflict, match="archived"):
            events.add_attendees(conn, None, 1, 101, [_attendee()])


def test_attendees_by_surname(db: Database) -> None:
    with db.read() as conn:
        found = events.attendees_by_surname(conn, 101, "smi")
        assert [(a["reference"], a["forename"], a["booking_reference"]) for a in found] == [
            ("A00002", "Morgan", "B00001"), ("A00003", "Taylor", "B00001")]
        assert [a["reference"] for a in events.attendees_by_surname(conn, 101, " SMITH ")] == ["A00002", "A00003"]
        assert [a["reference"] for a in events.attendees_by_surname(conn, 101, "b")] == ["A00001"]
        assert events.attendees_by_surname(conn, 101, "Delegate") == []  # Jamie is at another event
        assert events.attendees_by_surname(conn, 101, "%") == []  # wildcards are letters
        assert events.attendees_by_surname(conn, 101, "_mith") == []
        with pytest.raises(errors.Invalid, match="surname is required"):
            events.attendees_by_surname(conn, 101, " ")
        with pytest.raises(errors.NotFound):
            events.attendees_by_surname(conn, 7, "Smith")


def test_cancel_an_attendee(db: Database) -> None:
    with db.write() as conn:
        cancelled = events.cancel_attendee(conn, "A00001")  # the vendor's help page's example
        assert (cancelled["reference"], cancelled["status"], cancelled["surname"]) == ("A00001", "Cancelled", "Buyer1")
        booking = events.booking(conn, 1)
        assert (booking["status"], booking["gross_cost"], booking["tax"], booking["net_cost"]) == (
            "Completed", 396.0, 36.0, 360.0)
        revision = conn.execute(sa.select(ENTITY_TABLES["Booking"].c.revision)
                                .where(ENTITY_TABLES["Booking"].c.booking_id == 1)).scalar()
        # Again: nothing changes, and it is no error.
        assert events.cancel_attendee(conn, "a00001") == cancelled
        assert conn.execute(sa.select(ENTITY_TABLES["Booking"].c.revision)
                            .where(ENTITY_TABLES["Booking"].c.booking_id == 1)).scalar() == revision
        assert events.booking(conn, 1)["gross_cost"] == 396.0
        with pytest.raises(errors.NotFound) as unknown:
            events.cancel_attendee(conn, "A09999")
        assert unknown.value.message == "Attendee A09999 was not found."


def test_a_booking_whose_attendees_are_all_cancelled_is_cancelled(db: Database) -> None:
    with db.write() as conn:
        for reference in ("A00001", "A00002"):
            events.cancel_attendee(conn, reference)
        assert events.booking(conn, 1)["status"] == "Completed"
        events.cancel_attendee(conn, "A00003")
        booking = events.booking(conn, 1)
        assert (booking["status_id"], booking["status"], booking["gross_cost"]) == (3, "Cancelled", 0.0)
        with pytest.raises(errors.Conflict, match="B00001 is cancelled"):
            events.add_attendees(conn, None, 1, 101, [_attendee()])
        # Through the records API a cancelled booking cannot be brought back either.
        with pytest.raises(errors.Conflict, match="B00001 is cancelled"):
            records.update(conn, events.SYSTEM, "Booking", records.int_key(1), {"status_id": 1})


def test_a_booking_stays_with_its_event(db: Database) -> None:
    with db.write() as conn:
        with pytest.raises(errors.Invalid, match="stays with its event"):
            records.update(conn, events.SYSTEM, "Booking", records.int_key(1), {"event_id": TEST_EVENT})


# --- log-ons ------------------------------------------------------------------------------------------------------


def test_attendee_log_on(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    verified: list[str | None] = []
    real = events.verify_password
    monkeypatch.setattr(events, "verify_password", lambda h, p: verified.append(h) or real(h, p))
    alex_password = CONTACT_PASSWORDS[ALEX_EMAIL]
    with db.read() as conn:
        found = events.check_attendee_log_on(conn, "ALEX@c00001.example.com", alex_password, 1, 1)
        assert (found["attendee_id"], found["booking_id"], found["forename"], found["surname"]) == (
            1, 1, "Alex", "Buyer1")
        assert len(verified) == 1
        failures = [
            (ALEX_EMAIL, "wrong", 1, 1),  # wrong password
            (ALEX_EMAIL, alex_password, 1, 2),  # not on that booking
            (ALEX_EMAIL, alex_password, 99, 1),  # no such attendee
            (SAM_EMAIL, CONTACT_PASSWORDS[SAM_EMAIL], 1, 1),  # another's address
            ("morgan.smith@example.com", alex_password, 2, 1),  # an attendee with no contact: no password
            ("", alex_password, 1, 1), (None, None, 1, 1),
        ]
        for email, password, attendee_id, booking_id in failures:
            verified.clear()
            with pytest.raises(errors.Unauthenticated) as failed:
                events.check_attendee_log_on(conn, email, password, attendee_id, booking_id)
            assert failed.value.message == "The email address or password is incorrect."
            assert len(verified) == 1, (email, attendee_id, booking_id)


def test_abstracts_user_log_on(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    verified: list[str | None] = []
    real = events.verify_password
    monkeypatch.setattr(events, "verify_password", lambda h, p: verified.append(h) or real(h, p))
    with db.read() as conn:
        assert events.authenticate_abstracts_user(conn, ABSTRACTS_USERNAME, ABSTRACTS_PASSWORD) == 501
        assert events.authenticate_abstracts_user(conn, " Reviewer ", ABSTRACTS_PASSWORD) == 501
        for username, password in ((ABSTRACTS_USERNAME, "wrong"), ("nobody", ABSTRACTS_PASSWORD), ("", ""),
                                   (None, None)):
            verified.clear()
            with pytest.raises(errors.Unauthenticated) as failed:
                events.authenticate_abstracts_user(conn, username, password)
            assert failed.value.message == "The username or password is incorrect."
            assert len(verified) == 1


# --- abstracts and invoices --------------------------------------------------------------------------------------


def test_submission_detail(db: Database) -> None:
    with db.read() as conn:
        detail = events.submission_detail(conn, 1)
        assert (detail["submission_id"], detail["booking_id"], detail["title"]) == (601, 1, "Greener Supply Chains")
        assert detail["abstract_rtf_text"].startswith("{\\rtf1") and detail["abstract_file_key"] == "abstracts/601.pdf"
        assert [(v["abstract_vote_id"], v["client_user_id"], v["reviewer"], v["score"]) for v in detail["votes"]] == [
            (701, 501, "reviewer", 4), (702, 501, "reviewer", 5)]
        with pytest.raises(errors.NotFound, match=r"^Booking 2 has no abstract submission\.$"):
            events.submission_detail(conn, 2)
        with pytest.raises(errors.NotFound, match=r"^Booking 99 was not found\.$"):
            events.submission_detail(conn, 99)


def test_an_invoice_by_its_secure_key(db: Database) -> None:
    with db.read() as conn:
        invoice = events.invoice_by_secure_key(conn, INVOICE_SECURE_KEY)
        assert invoice == {
            "invoice_id": 1, "reference": "INV00001", "booking_id": 1,
            "invoice_url": "https://events.example.com/invoices/INV00001", "total_gross": 616.0, "total_net": 560.0,
            "total_tax": 56.0, "payment_status": "PartPaid",
            "payments": [{"payment_id": 801, "paid_at": datetime(2026, 12, 1, 10, 15), "amount": 300.0,
                          "method": "Card", "reference": "TXN-300-0001"}]}
        for wrong in ("demo-invoice-key-B00002", INVOICE_SECURE_KEY.upper(), "", None, "k" * 300):
            with pytest.raises(errors.NotFound) as missing:
                events.invoice_by_secure_key(conn, wrong)
            assert missing.value.message == "No invoice has that secure key."


def test_a_new_invoice_shows_its_key_once(db: Database) -> None:
    with db.write() as conn:
        invoice, key = events.create_invoice(conn, 2, url_base="https://pay.example.com/i/")
        stored = conn.execute(sa.select(_invoice).where(_invoice.c.invoice_id == invoice["invoice_id"])).one()
        assert (invoice["reference"], invoice["invoice_url"], invoice["payment_status"]) == (
            "INV00002", "https://pay.example.com/i/INV00002", "Unpaid")
        assert invoice["total_gross"] == 220.0 and invoice["payments"] == []
        assert len(key) >= 32 and key not in str(tuple(stored))
        assert stored.secure_key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert events.invoice_by_secure_key(conn, key)["invoice_id"] == invoice["invoice_id"]
        _, other = events.create_invoice(conn, 2, url_base="https://pay.example.com/i")
        assert other != key
        assert events.record_payment(conn, invoice["invoice_id"], 100.0)["payment_status"] == "PartPaid"
        paid = events.record_payment(conn, invoice["invoice_id"], 120.0, method="Cash")
        assert paid["payment_status"] == "Paid" and [p["amount"] for p in paid["payments"]] == [100.0, 120.0]
        with pytest.raises(errors.NotFound):
            events.create_invoice(conn, 99, url_base="https://pay.example.com")
