"""SQLite's search index: an FTS5 table in a file of its own, following the store's committed versions.

Indexing a version's words costs as much as storing the version. In the store's own transaction it
made every save wait for FTS5; in a file of its own it is done on a thread beside the writer (SQLite
releases the GIL), and the store's write lock is never held for it. The file is derived data: it
records the last version id it indexed, catches up from there (after a crash, on the next open or
query), and is rebuilt from the store when missing or when it belongs to another database.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from scraper.errors import StoreError
from scraper.store import compression

log = logging.getLogger("scraper.store")

_OPEN: weakref.WeakSet[SearchFile] = weakref.WeakSet()
_INHERITED: list[sqlite3.Connection] = []  # a forked child's copies of its parent's connections


_HELD_AT_FORK: list[SearchFile] = []


def _before_fork() -> None:
    # a fork while a thread is inside SQLite copies SQLite's locks held: wait for the transaction
    for search_file in list(_OPEN):
        search_file._working.acquire()
        search_file._lock.acquire()
        _HELD_AT_FORK.append(search_file)


def _after_fork_in_parent() -> None:
    while _HELD_AT_FORK:
        search_file = _HELD_AT_FORK.pop()
        search_file._lock.release()
        search_file._working.release()


def _after_fork_in_child() -> None:
    _HELD_AT_FORK.clear()
    for search_file in list(_OPEN):
        search_file._forget_parent()


os.register_at_fork(
    before=_before_fork, after_in_parent=_after_fork_in_parent, after_in_child=_after_fork_in_child
)

SEARCH_SCHEMA_VERSION = 1  # PRAGMA user_version of the search file; another value rebuilds it
CATCH_UP_ROWS = 1000  # versions read and indexed per search-file transaction
SQL_INSERT_ROWS = 100  # rows per multi-row INSERT (7 values each, under SQLite's parameter limit)
SQL_LIST_ROWS = 500  # ids per IN (...) list
FOLLOW_POLL_S = 2.0  # how often the thread looks for versions written by other processes
SEARCH_BUSY_TIMEOUT_MS = 30_000
SEARCH_CACHE_KIB = 16 * 1024
SEARCH_WAL_AUTOCHECKPOINT_PAGES = 4000
# FTS5 merges its segments 16 at a time instead of 4: each word is rewritten once per size class it
# climbs, and there are half as many classes (29% fewer instructions measured with callgrind on
# 20,000 articles); a search probes more segments, which measured no slower.
SEARCH_AUTOMERGE_SEGMENTS = 16
# The FTS5 table the store's database held before the index moved to its own file (migration 0008).
_SCHEMA = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS article_search USING fts5("
    "title, body, url UNINDEXED, source UNINDEXED, published_at UNINDEXED, fetched_at UNINDEXED,"
    " tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TABLE IF NOT EXISTS search_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)
_STATE_STORE = "store_id"
_STATE_MARK = "last_version_id"
# One row for the whole batch: a thread reading row by row takes the GIL back after each row, and
# behind a writer running Python that waits up to the switch interval (5 ms) every time.
_NEXT_VERSIONS = (
    "SELECT json_group_array(json_array(v.id, v.article_id, a.canonical_url, v.title, hex(v.body_z),"
    " v.source, v.published_at, v.fetched_at))"
    " FROM (SELECT * FROM article_versions WHERE id > ? ORDER BY id LIMIT ?) AS v"
    " JOIN articles a ON a.id = v.article_id"
)
_STORE_ID = text("SELECT value FROM store_info WHERE key = 'store_id'")


def search_path(database: str) -> str:
    """The search file beside a store's database file: data/scraper.db -> data/scraper.search.db."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return ":memory:"
    path = Path(database).expanduser()
    return str(path.with_name(f"{path.stem}.search{path.suffix}"))


class SearchFile:
    """The FTS5 index of a SQLite store, in its own file, kept up to date by `catch_up` and a thread."""

    def __init__(
        self, engine: Engine, path: str, *, after_catch_up: Callable[[], None] | None = None
    ) -> None:
        self._engine = engine
        self._after_catch_up = after_catch_up  # the store's own upkeep, done on this thread too
        self.path = path
        self._lock = threading.Lock()  # one catch-up or query at a time on the one connection
        self._working = threading.Lock()  # held while the thread is inside SQLite (see _before_fork)
        self._conn: sqlite3.Connection | None = None
        self._store_id: str | None = None
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        _OPEN.add(self)

    def _forget_parent(self) -> None:
        """In a forked child: the parent's thread does not exist here and its connection is not ours."""
        if self._conn is not None:
            # SQLite connections must not cross a fork: keep the parent's unclosed rather than touch it
            _INHERITED.append(self._conn)
            self._conn = None
        self._lock = threading.Lock()
        self._working = threading.Lock()
        self._wake = threading.Event()
        self._thread = None

    # -- connection --------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        """Open the search file (once), creating or rebuilding its schema when needed."""
        if self._conn is not None:
            return self._conn
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {SEARCH_BUSY_TIMEOUT_MS}")
            if self.path != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(f"PRAGMA cache_size = -{SEARCH_CACHE_KIB}")
            conn.execute(f"PRAGMA wal_autocheckpoint = {SEARCH_WAL_AUTOCHECKPOINT_PAGES}")
            conn.execute("BEGIN IMMEDIATE")
            (version,) = conn.execute("PRAGMA user_version").fetchone()
            if version != SEARCH_SCHEMA_VERSION:
                # derived data: a file of another layout is dropped and rebuilt from the store
                conn.execute("DROP TABLE IF EXISTS article_search")
                conn.execute("DROP TABLE IF EXISTS search_state")
                for sql in _SCHEMA:
                    conn.execute(sql)
                conn.execute(
                    "INSERT INTO article_search(article_search, rank) VALUES ('automerge', ?)",
                    (SEARCH_AUTOMERGE_SEGMENTS,),
                )
                conn.execute(f"PRAGMA user_version = {SEARCH_SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            conn.close()
            raise StoreError(f"cannot open the search index: {exc}", url=self.path) from None
        self._conn = conn
        return conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock and one write transaction on the search file; errors become StoreError."""
        with self._lock:
            conn = self._connect()
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise StoreError(f"search index write failed: {exc}", url=self.path) from None

    # -- following the store -----------------------------------------------------------------------

    def _source_store_id(self) -> str:
        """The random id the store's database was created with (migration 0008)."""
        if self._store_id is None:
            with self._engine.connect() as conn:
                self._store_id = str(conn.execute(_STORE_ID).scalar_one())
        return self._store_id

    def catch_up(self, *, until_closed: bool = False) -> int:
        """Index every version committed since the file's mark; return how many versions were read."""
        total = 0
        while True:
            read = self._index_next()
            total += read
            # (the thread stops between transactions when the store closes: a rebuild may be long)
            if read < CATCH_UP_ROWS or (until_closed and self._stopping):
                return total

    def _index_next(self) -> int:
        """Index the next versions after the mark in one search-file transaction; return how many."""
        with self._working:
            return self._index_batch()

    def _index_batch(self) -> int:
        """_index_next's work, with `_working` held."""
        try:
            store_id = self._source_store_id()
        except SQLAlchemyError as exc:
            raise StoreError(f"search index cannot read the store: {exc}", url=self.path) from None
        with self._transaction() as conn:
            state = dict(conn.execute("SELECT key, value FROM search_state").fetchall())
            if state.get(_STATE_STORE) != store_id:
                # a file left from another database of the same name: start again from nothing
                conn.execute("DELETE FROM article_search")
                conn.execute("DELETE FROM search_state")
                conn.execute("INSERT INTO search_state VALUES (?, ?)", (_STATE_STORE, store_id))
                state = {_STATE_STORE: store_id}
            mark = int(state.get(_STATE_MARK, 0))
            try:
                with self._engine.connect() as store_conn:
                    found = store_conn.exec_driver_sql(_NEXT_VERSIONS, (mark, CATCH_UP_ROWS)).scalar()
            except SQLAlchemyError as exc:
                raise StoreError(f"search index cannot read the store: {exc}", url=self.path) from None
            rows: list[list[Any]] = sorted(json.loads(found or "[]"))
            if not rows:
                return 0
            # [id, article_id, url, title, body_z as hex, source, published_at, fetched_at], in id order
            latest = {r[1]: r for r in rows}  # the newest version of each article wins
            ids = list(latest)
            present = [
                rowid
                for start in range(0, len(ids), SQL_LIST_ROWS)
                for (rowid,) in conn.execute(
                    "SELECT rowid FROM article_search WHERE rowid IN"
                    f" ({', '.join('?' * len(ids[start : start + SQL_LIST_ROWS]))})",
                    ids[start : start + SQL_LIST_ROWS],
                )
            ]
            for start in range(0, len(present), SQL_LIST_ROWS):
                part = present[start : start + SQL_LIST_ROWS]
                marks = ", ".join("?" * len(part))
                conn.execute(f"DELETE FROM article_search WHERE rowid IN ({marks})", part)
            docs = list(latest.values())
            bodies = [compression.decompress(bytes.fromhex(r[4])) for r in docs]
            for start in range(0, len(docs), SQL_INSERT_ROWS):
                part = docs[start : start + SQL_INSERT_ROWS]
                params = [
                    value
                    for r, body in zip(part, bodies[start : start + SQL_INSERT_ROWS], strict=True)
                    for value in (r[1], r[3] or "", body.decode("utf-8"), r[2], r[5] or "", r[6], r[7])
                ]
                conn.execute(
                    "INSERT INTO article_search (rowid, title, body, url, source, published_at, fetched_at)"
                    f" VALUES {', '.join(['(?, ?, ?, ?, ?, ?, ?)'] * len(part))}",
                    params,
                )
            conn.execute(
                "INSERT INTO search_state VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (_STATE_MARK, str(rows[-1][0])),
            )
            return len(rows)

    # -- the thread --------------------------------------------------------------------------------

    def notify(self) -> None:
        """Tell the follower that versions were committed, starting it on first use (file stores only)."""
        if self.path == ":memory:":
            return  # another thread cannot see an in-memory store: queries catch up instead
        if self._thread is None:
            self._thread = threading.Thread(target=self._follow, name="search-index", daemon=True)
            self._thread.start()
        self._wake.set()

    def _follow(self) -> None:
        """Catch up whenever woken (or every FOLLOW_POLL_S), until closed."""
        while not self._stopping:
            self._wake.wait(FOLLOW_POLL_S)
            self._wake.clear()
            if self._stopping:
                break
            try:
                self.catch_up(until_closed=True)
                if self._after_catch_up is not None:
                    with self._working:
                        self._after_catch_up()
            except StoreError as exc:
                # the next wake-up retries; queries catch up themselves meanwhile
                log.warning("%s", exc)

    def close(self) -> None:
        """Stop the follower (its current transaction finishes) and close the file."""
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def query(self, sql: str, params: dict[str, Any], row: Callable[[sqlite3.Row], Any]) -> list[Any]:
        """Catch up, then run one read on the search file; return `row` of each result."""
        self.catch_up()
        with self._lock:
            conn = self._connect()
            try:
                cursor = conn.cursor()
                cursor.row_factory = sqlite3.Row
                return [row(r) for r in cursor.execute(sql, params).fetchall()]
            except sqlite3.Error as exc:
                raise StoreError(f"search failed: {exc}", url=self.path) from None
