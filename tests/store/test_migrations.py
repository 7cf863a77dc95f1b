"""Alembic migrations: the migrated schema is the one the code queries, on both engines."""

from __future__ import annotations

import importlib
import pkgutil
import threading

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

import scraper.store
from scraper.store import Store, check_schema, head_revision, upgrade
from scraper.store.migrate import alembic_config
from scraper.store.schema import metadata

TABLES = {"sources", "fetches", "http_validators", "articles", "article_urls", "blobs", "article_versions"}


def _load_all_table_modules() -> None:
    """Import every module of the store package, so tables defined outside schema.py join the metadata."""
    for mod in pkgutil.iter_modules(scraper.store.__path__):
        importlib.import_module(f"scraper.store.{mod.name}")


def _declared_only(obj, name, type_, reflected, compare_to) -> bool:
    """Compare the tables the code declares; tables kept in raw SQL (FTS5, tsvector) are not in metadata."""
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is None or table.name in metadata.tables


def test_migrated_schema_matches_metadata(db_url: str) -> None:
    _load_all_table_modules()
    upgrade(db_url)
    engine = create_engine(db_url)
    with engine.connect() as conn:
        opts = {"compare_type": True, "include_object": _declared_only}
        diff = compare_metadata(MigrationContext.configure(conn, opts=opts), metadata)
        names = set(inspect(conn).get_table_names())
    engine.dispose()
    assert diff == [], diff
    assert names >= TABLES | {"alembic_version"}


def test_upgrade_is_idempotent_and_reports_head(db_url: str) -> None:
    assert upgrade(db_url) == head_revision()
    assert upgrade(db_url) == head_revision()
    assert check_schema(db_url) == head_revision()


def test_every_revision_downgrades_and_upgrades(db_url: str) -> None:
    from alembic import command

    engine = create_engine(db_url)
    upgrade(db_url)
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    with engine.connect() as conn:
        assert not TABLES & set(inspect(conn).get_table_names())
    engine.dispose()
    upgrade(db_url)
    Store.open(db_url, migrate=False).close()


def test_concurrent_first_opens_migrate_once(db_url: str) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def opener() -> None:
        try:
            start.wait()
            Store.open(db_url).close()
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert check_schema(db_url) == head_revision()
