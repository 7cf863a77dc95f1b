"""SQLAlchemy engines for the store: SQLite tuned for WAL, PostgreSQL through psycopg 3."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import ConnectionPoolEntry

from scraper.errors import StoreError

SQLITE_BUSY_TIMEOUT_MS = 30_000  # writers queue behind each other rather than fail
SQLITE_CACHE_KIB = 64 * 1024
# A backstop: a store that writes checkpoints its WAL on its search thread every
# STORE_CHECKPOINT_EVERY_S, so the writer does not wait for the checkpoint's copying and fsync.
SQLITE_WAL_AUTOCHECKPOINT_PAGES = 32_000
SQLITE_JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024  # a WAL grown by a long reader shrinks back after it
PG_CONNECT_TIMEOUT_S = 10
# Connection execution option: begin the transaction as a writer (SQLite: BEGIN IMMEDIATE), so a
# read-then-write never fails half-way with "database is locked" when another writer got in first.
WRITE_OPTION = "scraper_write"


def safe_url(db_url: str | URL) -> str:
    """Return the URL as text with any password hidden."""
    try:
        url = make_url(db_url) if isinstance(db_url, str) else db_url
    except ArgumentError:
        return str(db_url)
    return url.render_as_string(hide_password=True)


def parse_url(db_url: str) -> URL:
    """Parse a database URL, defaulting PostgreSQL to the psycopg 3 driver."""
    try:
        url = make_url(db_url)
    except ArgumentError:
        raise StoreError(
            "not a database URL (expected sqlite:///path or postgresql+psycopg://...)", url=safe_url(db_url)
        ) from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(
            f"unsupported database {url.get_backend_name()!r} (use sqlite or postgresql)", url=safe_url(url)
        )
    return url


def _sqlite_connect(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
    """Take transaction control from pysqlite and set the pragmas every connection needs."""
    # pysqlite's own BEGIN handling breaks SAVEPOINT and BEGIN IMMEDIATE; we emit BEGIN ourselves.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    # NORMAL is safe in WAL mode: a crash may lose the last commits on power loss, never consistency.
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    cur.execute(f"PRAGMA wal_autocheckpoint = {SQLITE_WAL_AUTOCHECKPOINT_PAGES}")
    cur.execute(f"PRAGMA journal_size_limit = {SQLITE_JOURNAL_SIZE_LIMIT_BYTES}")
    cur.close()


def make_engine(db_url: str) -> Engine:
    """Create the engine for a store URL (SQLite: parent folder created, WAL, foreign keys, busy timeout)."""
    url = parse_url(db_url)
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            try:
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the database folder: {exc.strerror}", url=safe_url(url)
                ) from None
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_connect)

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            write = conn.get_execution_options().get(WRITE_OPTION)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S},
    )
