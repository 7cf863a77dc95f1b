"""Schema migrations: run Alembic programmatically from the scripts shipped in this package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from scraper.errors import StoreError
from scraper.store.engine import WRITE_OPTION, make_engine, safe_url

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# Arbitrary constant key: one migrator at a time per PostgreSQL database.
PG_MIGRATION_LOCK_KEY = 74_201_105


def alembic_config() -> Config:
    """Return an Alembic config pointing at the packaged migration scripts."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    """Return the newest revision this code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise StoreError("no migrations found in the package")
    return head


def current_revision(conn: Connection) -> str | None:
    """Return the revision the database is at, None when it has no schema yet."""
    return MigrationContext.configure(conn).get_current_revision()


def error_reason(exc: BaseException) -> str:
    """Return the first line of a driver error, without SQLAlchemy's boilerplate."""
    orig = getattr(exc, "orig", None) or exc
    text_ = str(orig).strip().splitlines()
    return text_[0] if text_ else type(orig).__name__


def upgrade_engine(engine: Engine) -> str:
    """Bring the database to head in one transaction; return the revision reached."""
    known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    head = head_revision()
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_MIGRATION_LOCK_KEY})
            current = current_revision(conn)
            if current is not None and current not in known:
                raise StoreError(
                    f"database schema is at revision {current!r}, which this version of the scraper does "
                    f"not know (newest known: {head!r}); upgrade the scraper",
                    url=safe_url(engine.url),
                )
            if current != head:
                cfg = alembic_config()
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
    return head


def check_engine(engine: Engine) -> str:
    """Raise StoreError unless the database schema is exactly at head; return the revision."""
    head = head_revision()
    where = safe_url(engine.url)
    with engine.connect() as conn:
        current = current_revision(conn)
    if current == head:
        return head
    if current is None:
        raise StoreError("database has no scraper schema; run `scraper db upgrade`", url=where)
    known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if current in known:
        raise StoreError(
            f"database schema is at revision {current!r}, head is {head!r}; run `scraper db upgrade`",
            url=where,
        )
    raise StoreError(
        f"database schema revision {current!r} is unknown to this version of the scraper (head {head!r})",
        url=where,
    )


def upgrade(db_url: str) -> str:
    """Create or upgrade the schema at `db_url` to head (`scraper db upgrade`); return the revision."""
    engine = make_engine(db_url)
    try:
        return upgrade_engine(engine)
    except StoreError:
        raise
    except (SQLAlchemyError, CommandError, OSError) as exc:
        raise StoreError(f"cannot migrate the database: {error_reason(exc)}", url=safe_url(db_url)) from None
    finally:
        engine.dispose()


def check_schema(db_url: str) -> str:
    """Raise StoreError unless the schema at `db_url` is the one this code expects; return the revision."""
    engine = make_engine(db_url)
    try:
        return check_engine(engine)
    except StoreError:
        raise
    except (SQLAlchemyError, OSError) as exc:
        raise StoreError(f"cannot open the database: {error_reason(exc)}", url=safe_url(db_url)) from None
    finally:
        engine.dispose()
