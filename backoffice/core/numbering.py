"""Document numbers (invoice, quote): gap-free within a transaction, shared by every process."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .store.tables import sequence

# Where each sequence starts; the width stays the same for a long while so numbers sort as text.
STARTS = {"SalesOrder": 100001, "SalesQuote": 500001}


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


def ensure_sequences(conn: Connection) -> None:
    """Create every sequence row up front, so concurrent first uses never race to insert it."""
    existing = set(conn.execute(sa.select(sequence.c.name)).scalars())
    for name, start in STARTS.items():
        if name not in existing:
            conn.execute(sequence.insert().values(name=name, next_value=start))
