"""Preparing a database for serving: schema upgrade, sequences, and the demo data when empty."""

from __future__ import annotations

import sqlalchemy as sa

from .core.numbering import ensure_sequences
from .core.store import Database
from .core.store.tables import ENTITY_TABLES
from .demo import load_demo


def prepare_database(db: Database, *, demo: bool = True) -> bool:
    """Upgrade the schema; load the demo set into an empty database. True if the demo was loaded.

    Machines starting together on one PostgreSQL database take turns, so exactly one migrates
    and at most one loads the demo.
    """
    with db.exclusive("backoffice-bootstrap"):
        db.upgrade()
        with db.write() as conn:
            ensure_sequences(conn)
            empty = conn.execute(sa.select(sa.func.count()).select_from(ENTITY_TABLES["Staff"])).scalar() == 0
            if empty and demo:
                load_demo(conn)
                return True
    return False
