"""Preparing a database for serving: schema upgrade, sequences, and the demo data when empty."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from .core.dynamic_details import PREFIX as DYNAMIC_PREFIX
from .core.numbering import ensure_sequences
from .core.store import Database
from .core.store.tables import ENTITY_TABLES, metadata
from .demo import load_demo


class SchemaMismatch(RuntimeError):
    """The database says it is up to date, but its tables are not what this version expects."""


def include_name(name: str | None, type_: str, parent_names: Mapping[Any, Any]) -> bool:
    """What the schema check and migrations look at: not the dynamic detail tables (dyn_...) nor their
    indexes, which administrators add at run time."""
    table = name if type_ == "table" else parent_names.get("table_name")
    return not (table or "").startswith(DYNAMIC_PREFIX)


def check_schema(db: Database) -> None:
    """Refuse a database whose tables differ from the catalog although its migrations are all applied
    (a migration edited after it ran, or a catalog change with no migration)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        differences = compare_metadata(context, metadata)
    if differences:
        listed = "; ".join(str(d)[:120] for d in differences[:5])
        raise SchemaMismatch(f"The database schema does not match this version of backoffice ({len(differences)} "
                             f"difference(s): {listed}). Use a new database, or add the missing migration.")


def prepare_database(db: Database, *, demo: bool = True) -> bool:
    """Upgrade the schema; load the demo set into an empty database. True if the demo was loaded.

    Machines starting together on one PostgreSQL database take turns, so exactly one migrates
    and at most one loads the demo.
    """
    with db.exclusive("backoffice-bootstrap"):
        db.upgrade()
        check_schema(db)
        with db.write() as conn:
            ensure_sequences(conn)
            empty = conn.execute(sa.select(sa.func.count()).select_from(ENTITY_TABLES["Staff"])).scalar() == 0
            if empty and demo:
                load_demo(conn)
                return True
    return False
