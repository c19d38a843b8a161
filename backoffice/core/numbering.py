"""Document numbers (invoice, quote): gap-free within a transaction, shared by every process."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .store.tables import sequence

# Where each sequence starts; the width stays the same for a long while so numbers sort as text.
STARTS = {"SalesOrder": 100001, "SalesQuote": 500001, "SymphonyObject": 1001, "ImportExportRequest": 101,
          "ImportExportSchedule": 1,
          # Contacts' numbers (Symphony's ContactId), and the keys of events and bookings; the starts
          # differ so that small demo ids of one kind are not also ids of another.
          "Contact": 1001, "Event": 101, "AttendeeType": 201, "TicketType": 301, "BookableSession": 401,
          "AbstractsUser": 501, "AbstractSubmission": 601, "AbstractVote": 701, "InvoicePayment": 801,
          "Booking": 1, "Attendee": 1, "Invoice": 1,
          # Synergist's activity ids and company numbers (migration 0011 sets them past existing rows).
          "Activity": 5001, "Company": 1,
          # Jobs and time (Synergist): job numbers (00000510), stage codes (W0000000918), the entry
          # numbers of pending and posted time, and diary bookings.
          "Job": 510, "JobStage": 918, "PendingTime": 3001, "PostedTime": 9001, "DiaryBooking": 1201}
# Every write of a record takes the next change number (see next_change).
CHANGES = "Change"
# On PostgreSQL change numbers come from a sequence, so writers never wait on one another for them.
CHANGE_SEQUENCE = sa.Sequence("change_no_seq")


def next_number(conn: Connection, name: str) -> str:
    row = conn.execute(
        sa.select(sequence.c.next_value).where(sequence.c.name == name).with_for_update()
    ).first()
    if row is None:
        value = STARTS.get(name, 1)
        conn.execute(sequence.insert().values(name=name, next_value=value + 1))
    else:
        value = row.next_value
        conn.execute(sequence.update().where(sequence.c.name == name).values(next_value=value + 1))
    return str(value)


def reserve(conn: Connection, name: str, count: int = 1) -> int:
    """Reserve ``count`` consecutive numbers of the sequence ``name``; returns the first.

    One statement whatever the count, so a bulk import takes a million ids at once. The row stays
    locked until the transaction ends (PostgreSQL): reservers of the same sequence take turns.
    """
    if count < 1:
        raise ValueError("count must be positive")
    taken = conn.execute(sequence.update().where(sequence.c.name == name)
                         .values(next_value=sequence.c.next_value + count).returning(sequence.c.next_value)).scalar()
    if taken is None:
        first = STARTS.get(name, 1)
        conn.execute(sequence.insert().values(name=name, next_value=first + count))
        return first
    return int(taken) - count


def next_change(conn: Connection) -> int:
    """The next change number: increasing across the whole database, one per write of a record.

    Sync clients keep the highest they have seen and ask for records changed after it. (On
    PostgreSQL a number is taken when a writer asks, so a transaction that commits later may carry
    a lower number than one already visible: a client should re-read a little way back.)
    """
    if conn.dialect.name == "postgresql":
        return int(conn.execute(sa.select(CHANGE_SEQUENCE.next_value())).scalar_one())
    # SQLite: writers take turns (the write lock), so a row in the sequence table serves.
    taken = conn.execute(sequence.update().where(sequence.c.name == CHANGES)
                         .values(next_value=sequence.c.next_value + 1).returning(sequence.c.next_value)).scalar()
    if taken is None:
        conn.execute(sequence.insert().values(name=CHANGES, next_value=2))
        return 1
    return int(taken) - 1


def ensure_sequences(conn: Connection) -> None:
    """Create every sequence row up front, so concurrent first uses never race to insert it."""
    existing = set(conn.execute(sa.select(sequence.c.name)).scalars())
    for name, start in {**STARTS, CHANGES: 1}.items():
        if name not in existing:
            conn.execute(sequence.insert().values(name=name, next_value=start))
