"""Full-text search over latest versions, on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scraper.store import Store
from scraper.store.search import fts5_query, search_store
from tests.store.factories import make_article


def test_search_ranks_matches_follows_new_versions_and_filters(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        store.save_article(
            make_article(1, title="TSMC lifts capex for 2 nm fabs", body="Foundry capex rises.\nMore text.")
        )
        texas = "Mining rigs will be assembled in Texas.\nFoundry partners named."
        store.save_article(make_article(2, title="Bitmain opens Texas plant", source="other", body=texas))
        store.save_article(make_article(3, title="Weather", body="Sunny all week."))

        hits = search_store(store, "foundry")
        assert {h.url.rsplit("-", 1)[1] for h in hits} == {"1", "2"}
        assert all("[" in h.snippet and "]" in h.snippet for h in hits)
        assert search_store(store, "foundry", source="other")[0].title == "Bitmain opens Texas plant"

        # a title match outranks a body-only match
        ranked = search_store(store, "Texas")
        assert ranked[0].title == "Bitmain opens Texas plant"

        # the index follows the newest version, in the same transaction
        store.save_article(make_article(3, title="Weather", body="Storm hits the foundry district.\nMore."))
        assert len(search_store(store, "foundry")) == 3
        assert search_store(store, "sunny") == []

        assert search_store(store, "foundry", since=datetime(2030, 1, 1, tzinfo=UTC)) == []
        assert search_store(store, '"AND OR NEAR(*') == []  # operators are words, never a syntax error
        assert search_store(store, "   ") == []
    finally:
        store.close()


def test_fts5_query_quotes_every_word() -> None:
    assert fts5_query('chip "fab" OR x*') == '"chip" "fab" "OR" "x"'


def test_sqlite_search_file_follows_other_writers_and_rebuilds(sqlite_url: str, tmp_path: Path) -> None:
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    search_db = path.with_name("store.search.db")
    writer = Store.open(sqlite_url)
    reader = Store.open(sqlite_url)  # stands for another process: its index learns only from the database
    try:
        writer.save_articles([make_article(n, title=f"Foundry news {n}") for n in range(3)])
        assert len(search_store(reader, "foundry")) == 3
        writer.save_article(make_article(1, title="Foundry news 1", body="Wafer prices climb.\nMore."))
        assert search_store(reader, "wafer")[0].url.endswith("-1")
        assert len(search_store(reader, "foundry")) == 3  # a new version replaces the row, never adds one
    finally:
        writer.close()
        reader.close()
    assert search_db.exists()

    # derived data: a deleted search file is rebuilt from the versions
    search_db.unlink()
    store = Store.open(sqlite_url)
    try:
        assert len(search_store(store, "foundry")) == 3
    finally:
        store.close()

    # a search file left from another database of the same name is not trusted
    stale = search_db.read_bytes()
    for p in path.parent.iterdir():
        p.unlink()
    store = Store.open(sqlite_url)
    try:
        search_db.write_bytes(stale)
        store.save_article(make_article(7, title="Weather", body="Sunny all week.\nMore."))
        assert search_store(store, "foundry") == []
        assert len(search_store(store, "sunny")) == 1
    finally:
        store.close()


def test_sqlite_search_thread_keeps_up_without_queries(sqlite_url: str) -> None:
    store = Store.open(sqlite_url)
    try:
        store.save_articles([make_article(n) for n in range(5)])
        assert store.sync_search() in (0, 5)  # the thread may already have indexed them
        assert store.sync_search() == 0
    finally:
        store.close()


def _search_in_forked_child(store: Store, done: Any) -> None:
    """Child: the search file, inherited mid-use, still indexes and answers (its own thread and file)."""
    store.engine.dispose(close=False)  # the parent's pooled connections are not the child's
    store.save_article(make_article(99, title="Forked foundry"))
    assert store.search_file is not None
    thread = store.search_file._thread  # the parent's thread did not come along: the child starts its own
    done.put((thread is not None and thread.is_alive(), len(search_store(store, "foundry"))))


def test_forked_child_gets_a_search_file_of_its_own(sqlite_url: str) -> None:
    import multiprocessing

    store = Store.open(sqlite_url)
    try:
        store.save_articles([make_article(n, title=f"Foundry news {n}") for n in range(3)])
        assert len(search_store(store, "foundry")) == 3  # the parent's connection and thread exist now
        ctx = multiprocessing.get_context("fork")
        done = ctx.Queue()
        child = ctx.Process(target=_search_in_forked_child, args=(store, done))
        child.start()
        assert done.get(timeout=60) == (True, 4)
        child.join(timeout=60)
        assert child.exitcode == 0
        assert len(search_store(store, "foundry")) == 4  # the parent still reads and follows the file
    finally:
        store.close()
