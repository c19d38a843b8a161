"""Databases at an older schema revision, for tests of what a migration does to existing data."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from backoffice.core.store import Database
from backoffice.core.store.db import MIGRATIONS
from tests.conftest import PG_URL, _pg_admin, _with_database


def upgrade(url: str, revision: str) -> None:
    database = Database(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
        if not database.is_sqlite:
            conn.commit()
    database.dispose()


@pytest.fixture
def empty_url(tmp_path: Path) -> Iterator[str]:
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'migrating.db'}"
        return
    name = f"bo_migrate_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield _with_database(PG_URL, name)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


