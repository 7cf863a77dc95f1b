"""Shared fixtures: `db_url` runs a test on SQLite and on PostgreSQL (marked `postgres`)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

# Server the PostgreSQL tests use; one database per test run, one schema per test inside it.
PG_HOST = os.environ.get("SCRAPER_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("SCRAPER_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("SCRAPER_TEST_PG_USER", "postgres")
PG_ADMIN_DB = os.environ.get("SCRAPER_TEST_PG_DB", "test")
PG_CONNECT_TIMEOUT_S = 5


def _in_ci() -> bool:
    """Say whether a missing server must fail the run rather than skip."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _pg_connect(dbname: str):  # type: ignore[no-untyped-def]
    """Open an autocommit psycopg connection to `dbname` on the test server."""
    import psycopg

    return psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=dbname, autocommit=True,
        connect_timeout=PG_CONNECT_TIMEOUT_S,
    )  # fmt: skip


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """Create a fresh database `scraper_test_<random>` for this run; yield its SQLAlchemy URL; drop it."""
    try:
        admin = _pg_connect(PG_ADMIN_DB)
    except Exception as exc:  # ImportError or any connection error: the reason goes in the message
        reason = (
            f"PostgreSQL not reachable at {PG_USER}@{PG_HOST}:{PG_PORT}/{PG_ADMIN_DB} "
            f"({type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}); "
            "start it or deselect with -m 'not postgres'"
        )
        if _in_ci():
            pytest.fail(f"CI=true: {reason}", pytrace=False)
        pytest.skip(reason)
    name = f"scraper_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with _pg_connect(PG_ADMIN_DB) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url(pg_database: str) -> Iterator[str]:
    """Yield a URL whose search_path is a fresh, empty schema (dropped after the test)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    dbname = pg_database.rsplit("/", 1)[1]
    with _pg_connect(dbname) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{pg_database}?options={quote(f'-csearch_path={schema}')}"
    finally:
        with _pg_connect(dbname) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """Return the URL of a not-yet-created SQLite database in a new folder of tmp_path."""
    return f"sqlite:///{tmp_path / 'db' / 'store.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """An empty database URL, once for SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("postgres_url"))
