"""The database: one engine per process, transactions, and schema upgrades on start."""

from __future__ import annotations

import threading
from collections.abc import Iterator

try:
    import fcntl
except ImportError:  # Windows: SQLite's own busy handling remains
    fcntl = None  # type: ignore[assignment]
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).parent / "migrations"
_LOCAL_EXCLUSIVE = threading.Lock()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets several server processes read while one writes; the busy timeout makes a
    # writer wait for another instead of failing at once.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    # A 32 MB page cache instead of SQLite's 2 MB: bulk imports and big listings walk indexes far
    # larger than the default holds.
    cursor.execute("PRAGMA cache_size=-32768")
    cursor.close()
    # SQLite's own lower() knows only ASCII; PostgreSQL's knows every script. Python's makes case-
    # insensitive matching (logins, Contains, StartsWith) behave the same on both.
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _sqlite_begin(conn: Connection) -> None:
    # Take the write lock at BEGIN so read-then-write transactions cannot deadlock
    # against each other (SQLite's deferred default upgrades the lock too late).
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """Owns the engine. ``read()`` and ``write()`` hand out connections in a transaction."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = sa.engine.make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if self.is_sqlite:
            database = self.url.database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "isolation_level": None}
            kwargs["pool_size"] = 8
            kwargs["max_overflow"] = 8
        else:
            kwargs["pool_size"] = 8
            kwargs["max_overflow"] = 8
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = sa.create_engine(self.url, **kwargs)
        self._writer = threading.Lock()
        self._lock_file: Any = None
        database = self.url.database if self.is_sqlite else None
        self._lock_path = Path(database + ".writelock") if database and database != ":memory:" else None
        if self.is_sqlite:
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection reading one consistent snapshot; it writes nothing."""
        with self.engine.connect() as conn:
            if self.is_sqlite:
                # Straight on the driver: this runs around every GET, and SQLAlchemy's statement
                # machinery costs more than the BEGIN itself.
                raw = conn.connection.driver_connection
                assert raw is not None
                raw.execute("BEGIN")
                try:
                    yield conn
                finally:
                    raw.execute("ROLLBACK")
            else:
                # One snapshot for every statement: a record and its lines read as of one moment.
                conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A connection in one transaction: committed on success, rolled back on any error."""
        if self.is_sqlite:
            # SQLite has one writer at a time. Writers queue on a lock (this process's threads) and
            # a lock file (the other server processes) rather than in SQLite's busy handler, which
            # sleeps in growing steps and makes a crowd of writers wait far longer than the writes.
            with self._writer, self._write_file_lock(), self.engine.connect() as conn:
                _sqlite_begin(conn)
                try:
                    yield conn
                except BaseException:
                    conn.exec_driver_sql("ROLLBACK")
                    raise
                else:
                    conn.exec_driver_sql("COMMIT")
            return
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _write_file_lock(self) -> Iterator[None]:
        if self._lock_path is None or fcntl is None:
            yield
            return
        if self._lock_file is None:
            self._lock_file = open(self._lock_path, "a+b")  # noqa: SIM115 - held for the process's life
        fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_UN)

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """One at a time: across machines with a PostgreSQL advisory lock; for SQLite (one machine)
        within this process, since Alembic's context is process-global."""
        if self.is_sqlite:
            with _LOCAL_EXCLUSIVE:
                yield
            return
        key = int.from_bytes(name.encode()[:8].ljust(8, b"\0"), "big", signed=True)
        with self.engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": key})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                conn.commit()

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (run on every start)."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.set_main_option("sqlalchemy.url", self.url.render_as_string(hide_password=False))
        with self.engine.connect() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            if not self.is_sqlite:
                conn.commit()

    def dispose(self) -> None:
        self.engine.dispose()
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None


def insert_unless_present(conn: Connection, table: sa.Table, index_elements: list[str] | None = None) -> Any:
    """An INSERT into ``table`` that leaves a row whose unique key is already taken (ON CONFLICT DO
    NOTHING), on PostgreSQL and SQLite alike: when several servers insert the same row at once, the
    database decides which one wins and the others' transactions carry on. The result's ``rowcount``
    says whether the row went in (1) or was already there (0)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        statement: Any = pg_insert(table).on_conflict_do_nothing(index_elements=index_elements)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        statement = sqlite_insert(table).on_conflict_do_nothing(index_elements=index_elements)
    # Callers learn from the row count whether their row went in; SQLAlchemy keeps an INSERT's
    # count only when asked (psycopg's came back as -1 otherwise, which reads as "inserted").
    return statement.execution_options(preserve_rowcount=True)
