"""Alembic environment: runs on the connection the Database hands over."""

from __future__ import annotations

from alembic import context

from backoffice.bootstrap import include_name  # leaves out the dynamic detail tables (dyn_...)
from backoffice.core.store.tables import metadata

config = context.config
connection = config.attributes.get("connection")

if connection is None:
    # Run from the alembic command line (e.g. to autogenerate a revision).
    from sqlalchemy import create_engine

    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True,
                          include_name=include_name)
        with context.begin_transaction():
            context.run_migrations()
        conn.commit()
else:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                      include_name=include_name)
    with context.begin_transaction():
        context.run_migrations()
