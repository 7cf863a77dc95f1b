"""The versioned snapshot store: sources, fetch log, articles and their versions, raw HTML blobs."""

from __future__ import annotations

import copy
import hashlib
import json
import operator
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from alembic.util.exc import CommandError
from sqlalchemy import (
    Connection,
    Engine,
    Text,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from scraper.errors import StoreError
from scraper.models import Article, FetchAttempt, FetchResult, Source
from scraper.store import compression
from scraper.store.content import (
    COMPARED_FIELDS,
    body_hash,
    body_unified_diff,
    content_hash,
    initial_changes,
    paragraphs,
    parse_datetime,
    summarize_changes,
)
from scraper.store.engine import SQLITE_CACHE_KIB, WRITE_OPTION, make_engine, safe_url
from scraper.store.identity import choose_identity, normalize_url
from scraper.store.migrate import check_engine, error_reason, upgrade_engine
from scraper.store.records import ArticleDiff, SaveResult, SourceStatus, ToSave, VersionInfo
from scraper.store.schema import (
    UTCDateTime,
    article_urls,
    article_versions,
    articles,
    blobs,
    fetches,
    http_validators,
    sources,
)
from scraper.store.search import SearchDoc, SearchIndex
from scraper.store.search_file import SearchFile, search_path
from scraper.store.stories import story_members

if TYPE_CHECKING:
    from scraper.config import Settings

KEEP_VERSIONS = 0  # 0 keeps every version; N keeps the newest N (the first version is always kept)
KEEP_DAYS = 0.0  # 0 keeps every version; D keeps versions fetched in the last D days (and the first)
STREAM_BATCH_ROWS = 500  # rows fetched per round trip when streaming; bounds export memory
SAVE_BATCH_SIZE = 200  # articles per transaction in save_articles
SQLITE_INSERT_ROWS = 100  # article rows per multi-row INSERT, under SQLite's bound-parameter limit
LOOKUP_CHUNK = 500  # URLs per IN (...) lookup, under SQLite's bound-parameter limit
NEW_ARTICLE_RETRIES = 3  # a concurrent writer may create the same article between lookup and insert
# Versions per batch from which they are compressed on the packer thread; a single save compresses
# inline rather than wait for a thread handoff.
PACK_THREAD_MIN_VERSIONS = 8
HASH_PIECE_BYTES = 2047  # hashlib keeps the GIL for updates up to this size (see _sha256_hex)
# SQLite: how often the search thread copies the WAL into the database file, beside the writer (the
# writers' own automatic checkpoint is a backstop far above what a second of writing adds)
STORE_CHECKPOINT_EVERY_S = 1.0

# Export record fields, in output order; the JSON Schema in scraper/export_schema.json describes them.
RECORD_FIELDS = (
    "url",
    "canonical_url",
    "source",
    "title",
    "description",
    "authors",
    "published",
    "modified",
    "language",
    "site_name",
    "image",
    "tags",
    "body",
    "word_count",
    "fetched_at",
    "version",
    "content_hash",
    "provenance",
    "edited",
    "edited_at",
    "story_id",
    "seen_at",
)
OPTIONAL_FIELDS = ("body_html", "links", "comments", "changes")
ALL_FIELDS = RECORD_FIELDS + OPTIONAL_FIELDS
SINCE_FIELDS = ("fetched", "published")

_JSON_COLUMNS = ("authors", "tags", "links", "comments", "provenance")
# Export fields read from a column of another name.
_FIELD_COLUMN = {
    "canonical_url": "identity",
    "body": "body_z",
    "body_html": "body_html_z",
    "edited": "version",
    "edited_at": "fetched_at",
}
SQLITE_STREAM_CACHE_KIB = 8 * 1024
_T = TypeVar("_T")
# what `save_articles` calls inside each batch's transaction: (connection, the batch, its results)
OnSaved = Callable[[Connection, list[ToSave], list[SaveResult]], None]


def _now() -> datetime:
    """Return the current time, aware UTC."""
    return datetime.now(UTC)


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _dumps(value: Any) -> str:
    """Serialize a JSON column value compactly."""
    return _ENCODER.encode(value) if value else ("[]" if isinstance(value, list) else _ENCODER.encode(value))


def _iso(value: datetime | None) -> str | None:
    """Format an aware datetime as ISO 8601, None stays None."""
    return value.isoformat() if value is not None else None


@dataclass
class _Pending:
    """An article prepared for writing: identity, hash and the version row minus its numbers."""

    item: ToSave
    identity: str
    aliases: list[str]
    content_hash: str
    fetched_at: datetime
    source: str | None
    guid: str | None
    paras: list[str]

    @cached_property
    def body_hash(self) -> str | None:
        """The body's text hash; computed only when needed (an unchanged refetch never needs it)."""
        return body_hash(self.paras)


def _prepare(item: ToSave) -> _Pending:
    """Compute what a save needs before touching the database (identity, aliases, content hash)."""
    art, fetch = item.article, item.fetch
    fetched_url = art.url or (fetch.url if fetch else None)
    final_url = fetch.final_url if fetch else None
    aliases: list[str] = []
    for u in (final_url, fetched_url):
        if u:
            n = normalize_url(u)
            if n not in aliases:
                aliases.append(n)
    identity = choose_identity(aliases[0] if aliases else None, art.canonical_url)
    if not identity:
        raise StoreError("article has neither url nor canonical_url; cannot identify it")
    if identity in aliases:
        aliases.remove(identity)
    aliases.insert(0, identity)
    fetched_at = parse_datetime(art.fetched_at)
    if fetched_at is None and fetch is not None and fetch.attempts:
        fetched_at = parse_datetime(fetch.attempts[-1].started_at)
    paras = paragraphs(art.body)
    return _Pending(
        item=item,
        identity=identity,
        aliases=aliases,
        content_hash=content_hash(art, paras),
        fetched_at=fetched_at or _now(),
        source=art.source,
        guid=item.guid,
        paras=paras,
    )


def _prepare_all(items: list[ToSave]) -> list[_Pending]:
    """`_prepare` every item of a chunk."""
    return [_prepare(i) for i in items]


@dataclass
class _Ref:
    """An article as the batch knows it; `article_id` stays None until a new article is inserted."""

    article_id: int | None
    version: int
    content_hash: str
    record: dict[str, Any] | None = None  # compared fields of `version` when written in this batch
    in_db: bool = True
    seen_at: datetime | None = None
    edited_at: datetime | None = None
    body_hash: str | None = None
    identity: str | None = None


@dataclass
class _Blobs:
    """Compressed forms of one version's raw HTML and texts."""

    raw_sha256: str | None
    raw_z: bytes | None
    body_z: bytes
    body_html_z: bytes | None


def _sha256_hex(data: bytes) -> str:
    """The sha256 of data, hashed in pieces small enough that hashlib keeps the GIL."""
    # hashlib lets go of the GIL for inputs over 2 KiB, and taking it back behind a thread running
    # Python waits up to the switch interval (5 ms): a batch's hashing on the packer thread took 100x
    # longer beside a busy writer (measured). Small pieces hash as fast and never wait.
    digest = hashlib.sha256()
    view = memoryview(data)
    for start in range(0, len(data), HASH_PIECE_BYTES):
        digest.update(view[start : start + HASH_PIECE_BYTES])
    return digest.hexdigest()


def _compress_versions(pending: list[_Pending], keep_raw: bool) -> list[_Blobs]:
    """Hash and compress the versions' raw pages and texts, a few C calls for the whole batch."""
    raws = [p.item.raw_html if keep_raw and p.item.raw_html else None for p in pending]
    raw_z = iter(compression.compress_many([r for r in raws if r], compression.RAW_ZSTD_LEVEL))
    htmls = [p.item.article.body_html for p in pending]
    texts = [(p.item.article.body or "").encode("utf-8") for p in pending]
    texts += [h.encode("utf-8") for h in htmls if h]
    texts_z = compression.compress_many(texts, compression.TEXT_ZSTD_LEVEL)
    bodies_z, html_z = texts_z[: len(pending)], iter(texts_z[len(pending) :])
    return [
        _Blobs(
            raw_sha256=_sha256_hex(raw) if raw else None,
            raw_z=next(raw_z) if raw else None,
            body_z=body_z,
            body_html_z=next(html_z) if html else None,
        )
        for raw, html, body_z in zip(raws, htmls, bodies_z, strict=True)
    ]


def _pack_versions(pending: list[_Pending], keep_raw: bool) -> Callable[[], list[_Blobs]]:
    """Start compressing versions (on the packer thread when there are enough); the result waits for them."""
    if len(pending) < PACK_THREAD_MIN_VERSIONS:
        packed = _compress_versions(pending, keep_raw)
        return lambda: packed
    return _packer().submit(_compress_versions, pending, keep_raw).result


_PACKER: list[ThreadPoolExecutor] = []
_PACKER_LOCK = threading.Lock()


def _packer() -> ThreadPoolExecutor:
    """The process's one packer thread, started on first use."""
    with _PACKER_LOCK:
        if not _PACKER:
            _PACKER.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-pack"))
        return _PACKER[0]


def _forget_packer() -> None:
    """In a forked child: the parent's packer thread does not exist there, so start afresh."""
    global _PACKER_LOCK
    _PACKER.clear()
    _PACKER_LOCK = threading.Lock()


os.register_at_fork(after_in_child=_forget_packer)


def _compared(art: Article) -> dict[str, Any]:
    """Return the fields `summarize_changes` compares, without copying the whole article."""
    return {name: getattr(art, name) for name in COMPARED_FIELDS}


def _version_row(
    p: _Pending, article_id: int, version: int, changes: dict[str, Any], packed: _Blobs
) -> dict[str, Any]:
    """Build the article_versions row of a pending article."""
    art, fetch = p.item.article, p.item.fetch
    return {
        "article_id": article_id,
        "version": version,
        "content_hash": p.content_hash,
        "fetched_at": p.fetched_at,
        "url": art.url or (fetch.url if fetch else None),
        "canonical_url": art.canonical_url,
        "final_url": fetch.final_url if fetch else None,
        "http_status": fetch.status if fetch else None,
        "etag": fetch.etag if fetch else None,
        "last_modified": fetch.last_modified if fetch else None,
        "source": art.source,
        "title": art.title,
        "description": art.description,
        "authors": _dumps(list(art.authors)),
        "published": art.published,
        "modified": art.modified,
        "published_at": parse_datetime(art.published),
        "language": art.language,
        "site_name": art.site_name,
        "image": art.image,
        "tags": _dumps(list(art.tags)),
        "body_z": packed.body_z,
        "body_html_z": packed.body_html_z,
        "links": _dumps(list(art.links)),
        "comments": _dumps(list(art.comments)),
        "word_count": art.word_count or len((art.body or "").split()),
        "body_chars": len(art.body or ""),
        "provenance": _dumps(dict(art.provenance)),
        "changes": _dumps(changes),
        "raw_sha256": packed.raw_sha256,
    }


class Store:
    """Versioned article store on SQLite or PostgreSQL; every write is one transaction."""

    def __init__(
        self,
        engine: Engine,
        *,
        store_raw_html: bool = True,
        keep_versions: int = KEEP_VERSIONS,
        keep_days: float = KEEP_DAYS,
    ) -> None:
        self.engine = engine
        self.url = safe_url(engine.url)
        self.dialect = engine.dialect.name
        self.store_raw_html = store_raw_html
        self.keep_versions = max(0, keep_versions)
        self.keep_days = max(0.0, keep_days)
        self._ins: Any = pg_dialect.insert if self.dialect == "postgresql" else sqlite_dialect.insert
        self._search = SearchIndex()
        # SQLite keeps its search index in a file of its own, indexed beside the writer, not in its
        # transactions; PostgreSQL indexes in the writer's transaction
        self.search_file = (
            SearchFile(engine, search_path(engine.url.database or ""), after_catch_up=self._checkpoint)
            if self.dialect == "sqlite"
            else None
        )
        self._checkpointed_at = 0.0
        self._seen_at = _seen_at_column(self.dialect)
        self._version_by_number = select(
            *[article_versions.c[c] for c in _STORED_COLUMNS],
            articles.c.canonical_url.label("identity"),
            self._seen_at,
        ).select_from(_VERSION_BY_NUMBER)

    @classmethod
    def open(
        cls,
        db_url: str,
        *,
        migrate: bool = True,
        store_raw_html: bool = True,
        keep_versions: int = KEEP_VERSIONS,
        keep_days: float = KEEP_DAYS,
    ) -> Store:
        """Open the store; migrate to head, or with migrate=False refuse a schema that is not at head."""
        engine = make_engine(db_url)
        try:
            if migrate:
                upgrade_engine(engine)
            else:
                check_engine(engine)
        except StoreError:
            engine.dispose()
            raise
        except (SQLAlchemyError, CommandError, OSError) as exc:
            engine.dispose()
            raise StoreError(f"cannot open the database: {error_reason(exc)}", url=safe_url(db_url)) from None
        return cls(engine, store_raw_html=store_raw_html, keep_versions=keep_versions, keep_days=keep_days)

    @classmethod
    def from_settings(cls, settings: Settings, *, migrate: bool = True) -> Store:
        """Open the store the settings name (db_url, store_raw_html, store_keep_versions, store_keep_days)."""
        return cls.open(
            settings.db_url,
            migrate=migrate,
            store_raw_html=settings.store_raw_html,
            keep_versions=settings.store_keep_versions,
            keep_days=settings.store_keep_days,
        )

    def close(self) -> None:
        """Stop the search indexer and close every pooled connection."""
        if self.search_file is not None:
            self.search_file.close()
        self.engine.dispose()

    def _checkpoint(self) -> None:
        """SQLite: copy the WAL into the database (PASSIVE: never blocks the writer), at most so often."""
        now = time.monotonic()
        if now - self._checkpointed_at < STORE_CHECKPOINT_EVERY_S:
            return
        self._checkpointed_at = now
        try:
            # the raw connection, outside any transaction: SQLite checkpoints only outside one
            raw = self.engine.raw_connection()
            try:
                raw.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            finally:
                raw.close()
        except (SQLAlchemyError, sqlite3.Error) as exc:
            raise StoreError(f"checkpoint failed: {error_reason(exc)}", url=self.url) from None

    def sync_search(self) -> int:
        """Index every committed version the search index lacks; return how many versions it read."""
        return self.search_file.catch_up() if self.search_file is not None else 0

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ---------------------------------------------------------------------------

    @contextmanager
    def _write(self, what: str) -> Iterator[Connection]:
        """Run a block in one write transaction; database errors become StoreError naming `what`."""
        try:
            with self.engine.connect() as conn:
                conn.execution_options(**{WRITE_OPTION: True})
                with conn.begin():
                    yield conn
        except StoreError:
            raise
        except SQLAlchemyError as exc:
            raise StoreError(f"{what} failed: {error_reason(exc)}", url=self.url) from exc

    @contextmanager
    def _read(self, what: str) -> Iterator[Connection]:
        """Run a block in one read transaction (one consistent snapshot)."""
        try:
            with self.engine.connect() as conn:
                if self.dialect == "postgresql":
                    conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    yield conn
        except StoreError:
            raise
        except SQLAlchemyError as exc:
            raise StoreError(f"{what} failed: {error_reason(exc)}", url=self.url) from exc

    # -- sources and fetch log ------------------------------------------------------------------

    def sync_sources(self, configured: list[Source]) -> None:
        """Insert or update the configured sources (name, url, kind, enabled, tags)."""
        if not configured:
            return
        now = _now()
        rows = [
            {
                "name": s.name,
                "url": s.url,
                "kind": s.kind,
                "enabled": s.enabled,
                "tags": _dumps(list(s.tags)),
                "created_at": now,
                "updated_at": now,
            }
            for s in configured
        ]
        stmt = self._ins(sources)
        stmt = stmt.on_conflict_do_update(
            index_elements=[sources.c.name],
            set_={
                "url": stmt.excluded.url,
                "kind": stmt.excluded.kind,
                "enabled": stmt.excluded.enabled,
                "tags": stmt.excluded.tags,
                "updated_at": stmt.excluded.updated_at,
            },
        )
        with self._write("sync sources") as conn:
            conn.execute(stmt, rows)

    def record_fetch(self, attempts: list[FetchAttempt], *, source: str | None = None) -> None:
        """Append one fetches row per HTTP attempt."""
        self.record_fetches([(attempts, source)])

    def record_fetches(self, items: Sequence[tuple[Sequence[FetchAttempt], str | None]]) -> None:
        """Do `record_fetch` for many (attempts, source) pairs in one transaction."""
        rows = [
            {
                "url": a.url,
                "source": source,
                "started_at": parse_datetime(a.started_at) or _now(),
                "outcome": a.outcome,
                "status": a.status,
                "error": a.error,
                "elapsed_ms": a.elapsed_ms,
                "etag": a.etag,
                "last_modified": a.last_modified,
                "final_url": a.final_url,
            }
            for attempts, source in items
            for a in attempts
        ]
        if rows:
            with self._write("record fetch") as conn:
                conn.execute(insert(fetches), rows)

    def record_source_result(self, name: str, *, outcome: str, error: str | None, at: datetime) -> None:
        """Record the outcome of one refresh of a source (success resets the failure count)."""
        ok = outcome in ("ok", "not-modified", "redirected")
        values: dict[str, Any] = {"last_outcome": outcome, "last_error": error, "last_attempt_at": at}
        if ok:
            values.update(last_success_at=at, consecutive_failures=0, last_error=None)
        else:
            values["consecutive_failures"] = sources.c.consecutive_failures + 1
        with self._write("record source result") as conn:
            result = conn.execute(update(sources).where(sources.c.name == name).values(**values))
            if result.rowcount == 0:
                raise StoreError(f"unknown source {name!r} (not synced from the sources file)", url=self.url)

    def source_statuses(self) -> list[SourceStatus]:
        """Return every known source with its last outcome and article count."""
        counts = select(articles.c.source, func.count().label("n")).group_by(articles.c.source).subquery()
        stmt = (
            select(sources, func.coalesce(counts.c.n, 0).label("articles"))
            .select_from(sources.outerjoin(counts, counts.c.source == sources.c.name))
            .order_by(sources.c.name)
        )
        with self._read("list sources") as conn:
            return [
                SourceStatus(
                    name=r.name,
                    url=r.url,
                    kind=r.kind,
                    enabled=bool(r.enabled),
                    last_outcome=r.last_outcome,
                    last_error=r.last_error,
                    last_success_at=r.last_success_at,
                    last_attempt_at=r.last_attempt_at,
                    consecutive_failures=r.consecutive_failures,
                    articles=int(r.articles),
                )
                for r in conn.execute(stmt)
            ]

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """Return the (ETag, Last-Modified) last seen for a URL, for a conditional GET."""
        stmt = select(http_validators.c.etag, http_validators.c.last_modified).where(
            http_validators.c.url == normalize_url(url)
        )
        with self._read("read validators") as conn:
            row = conn.execute(stmt).first()
        return (row.etag, row.last_modified) if row else (None, None)

    def save_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Remember a URL's ETag and Last-Modified (both None forgets them)."""
        key = normalize_url(url)
        with self._write("save validators") as conn:
            if etag is None and last_modified is None:
                conn.execute(delete(http_validators).where(http_validators.c.url == key))
                return
            stmt = self._ins(http_validators).values(
                url=key, etag=etag, last_modified=last_modified, updated_at=_now()
            )
            stmt = stmt.on_conflict_do_update(
                index_elements=[http_validators.c.url],
                set_={"etag": etag, "last_modified": last_modified, "updated_at": stmt.excluded.updated_at},
            )
            conn.execute(stmt)

    def validators_many(self, urls: Sequence[str]) -> dict[str, tuple[str | None, str | None]]:
        """Return `validators` for many URLs in one read, keyed by the URLs as given (unknown ones absent)."""
        keys: dict[str, list[str]] = {}
        for url in urls:
            keys.setdefault(normalize_url(url), []).append(url)
        found: dict[str, tuple[str | None, str | None]] = {}
        stmt = select(http_validators.c.url, http_validators.c.etag, http_validators.c.last_modified).where(
            http_validators.c.url.in_(bindparam("urls", expanding=True))
        )
        wanted = sorted(keys)
        with self._read("read validators") as conn:
            for start in range(0, len(wanted), LOOKUP_CHUNK):
                for row in conn.execute(stmt, {"urls": wanted[start : start + LOOKUP_CHUNK]}):
                    for url in keys[row.url]:
                        found[url] = (row.etag, row.last_modified)
        return found

    def save_validators_many(self, items: Sequence[tuple[str, str | None, str | None]]) -> None:
        """Do `save_validators` for many (url, ETag, Last-Modified) in one transaction."""
        if not items:
            return
        latest = {normalize_url(url): (etag, modified) for url, etag, modified in items}  # last one wins
        gone = sorted(k for k, (etag, modified) in latest.items() if etag is None and modified is None)
        now = _now()
        rows = [
            {"url": k, "etag": etag, "last_modified": modified, "updated_at": now}
            for k, (etag, modified) in latest.items()
            if etag is not None or modified is not None
        ]
        stmt = self._ins(http_validators)
        stmt = stmt.on_conflict_do_update(
            index_elements=[http_validators.c.url],
            set_={
                "etag": stmt.excluded.etag,
                "last_modified": stmt.excluded.last_modified,
                "updated_at": stmt.excluded.updated_at,
            },
        )
        with self._write("save validators") as conn:
            if gone:
                conn.execute(delete(http_validators).where(http_validators.c.url.in_(gone)))
            if rows:
                conn.execute(stmt, rows)

    # -- saving articles ------------------------------------------------------------------------

    def save_article(
        self,
        article: Article,
        *,
        raw_html: bytes | None = None,
        fetch: FetchResult | None = None,
        guid: str | None = None,
    ) -> SaveResult:
        """Save one article in one transaction; a new version only when its content hash changed."""
        pending = _prepare(ToSave(article, raw_html, fetch, guid))
        for attempt in range(NEW_ARTICLE_RETRIES):
            try:
                with self._write(f"save article {pending.identity}") as conn:
                    result = self._save_batch(conn, [pending])[0]
                if self.search_file is not None and result.created:
                    self.search_file.notify()
                return result
            except StoreError as exc:
                # Another writer created the same article after our lookup: look again and retry.
                if not isinstance(exc.__cause__, IntegrityError) or attempt == NEW_ARTICLE_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def save_articles(
        self, items: Sequence[ToSave | Article], *, on_saved: OnSaved | None = None
    ) -> list[SaveResult]:
        """Save many articles, a batch per transaction; a failing batch is redone article by article."""
        # `on_saved(conn, chunk, results)` runs inside each batch's transaction, after its writes, so
        # rows that belong with the articles (their stories) commit with them; the article-by-article
        # redo of a failed batch does not call it
        todo = [i if isinstance(i, ToSave) else ToSave(i) for i in items]
        chunks = [todo[start : start + SAVE_BATCH_SIZE] for start in range(0, len(todo), SAVE_BATCH_SIZE)]
        results: list[SaveResult] = []
        preparing: Callable[[], list[_Pending]] | None = None
        for k, chunk in enumerate(chunks):
            try:
                started, preparing = preparing, None
                pending = started() if started is not None else _prepare_all(chunk)
                with self._write("save articles") as conn:
                    saved = self._save_batch(conn, pending)
                    if on_saved is not None:
                        on_saved(conn, chunk, saved)
                    if k + 1 < len(chunks):
                        # SQLite commits without holding the GIL: prepare the next chunk meanwhile
                        preparing = _packer().submit(_prepare_all, chunks[k + 1]).result
                results.extend(saved)
                if self.search_file is not None:
                    self.search_file.notify()
                continue
            except StoreError:
                pass
            for item in chunk:
                try:
                    results.append(
                        self.save_article(
                            item.article, raw_html=item.raw_html, fetch=item.fetch, guid=item.guid
                        )
                    )
                except StoreError as exc:
                    results.append(SaveResult(article=item.article, created=False, version=0, error=str(exc)))
        return results

    def _lookup(self, conn: Connection, pending: list[_Pending]) -> tuple[dict[str, _Ref], set[str]]:
        """Map each known alias URL, guid key and body-hash key of the batch to its article's latest state;
        also return which of those URLs are syndicated copies."""
        urls = sorted({u for p in pending for u in p.aliases})
        found: dict[str, _Ref] = {}
        syndicated: set[str] = set()
        refs: dict[int, _Ref] = {}  # one object per article, however many URLs lead to it

        def ref_of(row: Any) -> _Ref:
            ref = refs.get(row.id)
            if ref is None:
                ref = refs[row.id] = _Ref(
                    row.id, row.latest_version, row.content_hash, body_hash=row.body_hash,
                    identity=row.canonical_url,
                )  # fmt: skip
            return ref

        for start in range(0, len(urls), LOOKUP_CHUNK):
            for row in conn.execute(_LOOKUP_URLS, {"urls": urls[start : start + LOOKUP_CHUNK]}):
                found[row.url] = ref_of(row)
                if row.syndicated:
                    syndicated.add(row.url)
        guids = sorted({p.guid for p in pending if p.guid and not any(a in found for a in p.aliases)})
        for start in range(0, len(guids), LOOKUP_CHUNK):
            for grow in conn.execute(_LOOKUP_GUIDS, {"guids": guids[start : start + LOOKUP_CHUNK]}):
                found.setdefault(f"guid:{grow.source}:{grow.guid}", ref_of(grow))
        bodies = sorted(
            {
                p.body_hash
                for p in pending
                if p.body_hash
                and not any(a in found for a in p.aliases)
                and f"guid:{p.source}:{p.guid}" not in found
            }
        )
        for start in range(0, len(bodies), LOOKUP_CHUNK):
            for brow in conn.execute(_LOOKUP_BODIES, {"hashes": bodies[start : start + LOOKUP_CHUNK]}):
                # rows come oldest article first: a copy joins the first article that carried the text
                found.setdefault(f"body:{brow.body_hash}", ref_of(brow))
        return found, syndicated

    def _save_batch(self, conn: Connection, pending: list[_Pending]) -> list[SaveResult]:
        """Write a batch inside the caller's transaction; return one result per article, in order."""
        known, syndicated = self._lookup(conn, pending)
        stored_urls = set(known)
        now = _now()
        plan: list[tuple[_Pending, _Ref, int, bool, dict[str, Any] | None, str | None]] = []
        new_refs: list[tuple[_Ref, _Pending]] = []
        alias_refs: list[tuple[str, _Ref, datetime, bool]] = []
        detach: list[str] = []
        for p in pending:
            matched = next((a for a in p.aliases if a in known), None)  # aliases[0] is the identity
            ref = known[matched] if matched is not None else None
            if ref is None and p.guid:
                ref = known.get(f"guid:{p.source}:{p.guid}")
            reprint = False
            if ref is not None and matched in syndicated:
                if p.body_hash is not None and p.body_hash == ref.body_hash:
                    reprint = True  # the reprint still carries the article's text: one more sighting
                else:
                    # The reprint's text and the article's went apart (either outlet edited): the reprint
                    # becomes an article of its own, its first version this text, rather than an edit of
                    # the article it once copied; otherwise fetches of the two would flip-flop versions.
                    for alias in p.aliases:
                        if alias in syndicated and known.get(alias) is ref:
                            detach.append(alias)
                            syndicated.discard(alias)
                            stored_urls.discard(alias)
                            del known[alias]
                    ref = None
            elif ref is None and p.body_hash is not None:
                ref = known.get(f"body:{p.body_hash}")
                # a body found by the lookup may have been edited earlier in this batch
                reprint = ref is not None and ref.body_hash == p.body_hash
                ref = ref if reprint else None
            if reprint:
                assert ref is not None
                if ref.seen_at is None or p.fetched_at > ref.seen_at:
                    ref.seen_at = p.fetched_at
                plan.append((p, ref, ref.version, False, None, ref.identity))
                for alias in p.aliases:
                    if alias not in stored_urls and known.get(alias) is not ref:
                        alias_refs.append((alias, ref, p.fetched_at, True))
                        syndicated.add(alias)
                    known[alias] = ref
                continue
            new_article = ref is None
            changes: dict[str, Any] | None = None
            if ref is None:
                ref = _Ref(
                    None, 1, p.content_hash, _compared(p.item.article), in_db=False,
                    body_hash=p.body_hash, identity=p.identity,
                )  # fmt: skip
                new_refs.append((ref, p))
                changes = initial_changes(p.paras)
            elif ref.content_hash != p.content_hash:
                assert ref.article_id is not None or ref.record is not None
                previous = ref.record
                if previous is None and ref.article_id is not None:
                    previous = self._version_record(conn, ref.article_id, ref.version)
                ref.record = _compared(p.item.article)
                changes = summarize_changes(previous, ref.record)
                ref.version += 1
                ref.content_hash = p.content_hash
                ref.body_hash = p.body_hash
                ref.edited_at = p.fetched_at
            if ref.seen_at is None or p.fetched_at > ref.seen_at:
                ref.seen_at = p.fetched_at
            plan.append((p, ref, ref.version, new_article, changes, None))
            for alias in p.aliases:
                if alias not in stored_urls and known.get(alias) is not ref:
                    alias_refs.append((alias, ref, p.fetched_at, False))
                known[alias] = ref
            if p.guid:
                known[f"guid:{p.source}:{p.guid}"] = ref
            if changes is not None and p.body_hash is not None:
                known.setdefault(f"body:{p.body_hash}", ref)
        writes = [
            (p, ref, version, changes) for p, ref, version, _, changes, _ in plan if changes is not None
        ]
        # zstd and sha256 release the GIL: compress on the packer thread while SQLite writes the rest
        packing = _pack_versions([p for p, _, _, _ in writes], self.store_raw_html)
        if detach:
            conn.execute(_DETACH_URLS, {"urls": detach})
        if new_refs:
            rows = [
                {
                    "canonical_url": p.identity, "guid": p.guid, "source": p.source,
                    "first_seen_at": p.fetched_at, "last_seen_at": ref.seen_at,
                    "latest_version": ref.version, "edited_at": ref.edited_at, "body_hash": ref.body_hash,
                }
                for ref, p in new_refs
            ]  # fmt: skip
            ids = self._insert_articles(conn, rows)
            for (ref, _), new_id in zip(new_refs, ids, strict=True):
                ref.article_id = new_id
        touched = {id(ref): ref for _, ref, _, _, _, _ in plan if ref.in_db}
        if touched:
            self._touch_articles(conn, list(touched.values()))
        if alias_refs:
            self._insert_rows(
                conn,
                article_urls,
                [
                    {"url": url, "article_id": ref.article_id, "first_seen_at": seen, "syndicated": synd}
                    for url, ref, seen, synd in alias_refs
                ],
                conflict="url",
            )
        if writes and self.search_file is None:
            # the search index follows each article's newest version, in this same transaction
            latest: dict[int, SearchDoc] = {}
            for p, ref, _version, _changes in writes:
                assert ref.article_id is not None
                art = p.item.article
                latest[ref.article_id] = SearchDoc(
                    ref.article_id, p.identity, art.title, art.body or "", art.source,
                    parse_datetime(art.published), p.fetched_at,
                )  # fmt: skip
            self._search.update(conn, list(latest.values()))
        packed = packing()
        version_rows: list[dict[str, Any]] = []
        blob_rows: dict[str, dict[str, Any]] = {}
        for (p, ref, version, changes), blob in zip(writes, packed, strict=True):
            assert ref.article_id is not None and changes is not None
            version_rows.append(_version_row(p, ref.article_id, version, changes, blob))
            if blob.raw_sha256 and blob.raw_z is not None and p.item.raw_html is not None:
                blob_rows.setdefault(
                    blob.raw_sha256,
                    {
                        "sha256": blob.raw_sha256, "size": len(p.item.raw_html),
                        "compression": compression.COMPRESSION_NAME, "data": blob.raw_z, "created_at": now,
                    },
                )  # fmt: skip
        if blob_rows:
            self._insert_rows(conn, blobs, list(blob_rows.values()), conflict="sha256")
        if version_rows:
            self._insert_rows(conn, article_versions, version_rows)
        if self.keep_versions or self.keep_days:
            for ref in {id(r): r for _, r, _, _ in writes if r.version > 1}.values():
                assert ref.article_id is not None
                self._apply_retention(conn, ref.article_id, now)
        results: list[SaveResult] = []
        for p, _, version, new_article, changes, copy_of in plan:
            # a shallow copy, as dataclasses.replace makes, without re-running __init__ per article
            out = copy.copy(p.item.article)
            out.version, out.content_hash = version, p.content_hash
            results.append(
                SaveResult(
                    article=out,
                    created=changes is not None,
                    version=version,
                    new_article=new_article,
                    copy_of=copy_of,
                )
            )
        return results

    def _touch_articles(self, conn: Connection, refs: list[_Ref]) -> None:
        """Record the latest sighting, version and body hash of articles already stored."""
        if self.dialect != "sqlite":
            conn.execute(
                _TOUCH_ARTICLE,
                [
                    {"aid": r.article_id, "seen": r.seen_at, "ver": r.version, "edited": r.edited_at,
                     "bh": r.body_hash}
                    for r in refs
                ],
            )  # fmt: skip
            return
        # The statement _TOUCH_ARTICLE compiles to, without SQLAlchemy's per-row parameter processing.
        # SQLite rewrites the index entry of every indexed column an UPDATE sets, changed or not: an
        # article seen again unchanged (edited_at None: no version in this batch) sets last_seen_at only.
        seen_sql = "last_seen_at = CASE WHEN last_seen_at > ? THEN last_seen_at ELSE ? END"
        edited = [r for r in refs if r.edited_at is not None]
        if edited:
            conn.exec_driver_sql(
                f"UPDATE articles SET {seen_sql}, latest_version = ?, edited_at = ?, body_hash = ?"
                " WHERE id = ?",
                [
                    (seen, seen, r.version, _sqlite_time(r.edited_at), r.body_hash, r.article_id)
                    for r in edited
                    for seen in (_sqlite_time(r.seen_at),)
                ],
            )
        if len(edited) < len(refs):
            conn.exec_driver_sql(
                f"UPDATE articles SET {seen_sql} WHERE id = ?",
                [
                    (seen, seen, r.article_id)
                    for r in refs
                    if r.edited_at is None
                    for seen in (_sqlite_time(r.seen_at),)
                ],
            )

    def _insert_articles(self, conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
        """Insert article rows; return their new ids in the order of `rows`."""
        if self.dialect != "sqlite":
            return list(conn.execute(_INSERT_ARTICLES, rows).scalars())
        names = list(rows[0])
        row_sql = f"({', '.join('?' * len(names))})"
        ids: dict[str, int] = {}
        # SQLite returns RETURNING rows in no promised order: map them back by the unique canonical URL
        for start in range(0, len(rows), SQLITE_INSERT_ROWS):
            chunk = rows[start : start + SQLITE_INSERT_ROWS]
            sql = (
                f"INSERT INTO articles ({', '.join(names)}) VALUES {', '.join([row_sql] * len(chunk))}"
                " RETURNING id, canonical_url"
            )
            params = tuple(v for row in _sqlite_params(articles, names, chunk) for v in row)
            ids.update((url, int(aid)) for aid, url in conn.exec_driver_sql(sql, params))
        return [ids[row["canonical_url"]] for row in rows]

    def _insert_rows(
        self, conn: Connection, table: Any, rows: list[dict[str, Any]], conflict: str | None = None
    ) -> None:
        """Insert rows in one executemany; with `conflict`, rows whose key exists are skipped."""
        if self.dialect != "sqlite":
            stmt = self._ins(table)
            if conflict is not None:
                stmt = stmt.on_conflict_do_nothing(index_elements=[table.c[conflict]])
            conn.execute(stmt, rows)
            return
        # Straight to sqlite3's executemany: SQLAlchemy's per-row parameter processing cost as much as
        # SQLite's own work for these wide rows (measured on the store bench).
        names = list(rows[0])
        sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        if conflict is not None:
            sql += f" ON CONFLICT ({conflict}) DO NOTHING"
        conn.exec_driver_sql(sql, _sqlite_params(table, names, rows))

    def _version_record(self, conn: Connection, article_id: int, version: int) -> dict[str, Any] | None:
        """Return the stored fields of one version as a dict of Article field names."""
        row = (
            conn.execute(
                self._version_by_number.where(
                    article_versions.c.article_id == article_id, article_versions.c.version == version
                )
            )
            .mappings()
            .first()
        )
        return _row_record(row, ALL_FIELDS) if row else None

    def _apply_retention(self, conn: Connection, article_id: int, now: datetime) -> None:
        """Delete versions outside the retention rules (first and latest always kept), then orphan blobs."""
        rows = conn.execute(
            select(article_versions.c.version, article_versions.c.fetched_at, article_versions.c.raw_sha256)
            .where(article_versions.c.article_id == article_id)
            .order_by(article_versions.c.version)
        ).all()
        keep = {rows[0].version, rows[-1].version}
        if self.keep_versions:
            keep.update(r.version for r in rows[-self.keep_versions :])
        if self.keep_days:
            cutoff = now - timedelta(days=self.keep_days)
            keep.update(r.version for r in rows if r.fetched_at >= cutoff)
        drop = [r for r in rows if r.version not in keep]
        if not drop:
            return
        conn.execute(
            delete(article_versions).where(
                article_versions.c.article_id == article_id,
                article_versions.c.version.in_([r.version for r in drop]),
            )
        )
        self._delete_orphan_blobs(conn, {r.raw_sha256 for r in drop if r.raw_sha256})

    def _delete_orphan_blobs(self, conn: Connection, shas: set[str]) -> int:
        """Delete those of `shas` no version refers to any more; return how many went."""
        if not shas:
            return 0
        still = select(article_versions.c.raw_sha256).where(article_versions.c.raw_sha256.in_(sorted(shas)))
        used = {r[0] for r in conn.execute(still)}
        gone = sorted(shas - used)
        if gone:
            conn.execute(delete(blobs).where(blobs.c.sha256.in_(gone)))
        return len(gone)

    def prune(self) -> int:
        """Apply the retention rules to every article (for days-based retention); return versions deleted."""
        if not (self.keep_versions or self.keep_days):
            return 0
        with self._read("list articles") as conn:
            ids = [r[0] for r in conn.execute(select(articles.c.id).where(articles.c.latest_version > 1))]
        before = self.count_versions()
        now = _now()
        for start in range(0, len(ids), SAVE_BATCH_SIZE):
            with self._write("prune versions") as conn:
                for article_id in ids[start : start + SAVE_BATCH_SIZE]:
                    self._apply_retention(conn, article_id, now)
        return before - self.count_versions()

    def count_versions(self) -> int:
        """Return the number of stored versions."""
        with self._read("count versions") as conn:
            return int(conn.execute(select(func.count()).select_from(article_versions)).scalar_one())

    # -- reading --------------------------------------------------------------------------------

    def _find_article(self, conn: Connection, url: str) -> tuple[int, int, str]:
        """Return (id, latest version, canonical URL) of the article reached through `url`."""
        key = normalize_url(url)
        row = conn.execute(
            select(articles.c.id, articles.c.latest_version, articles.c.canonical_url)
            .select_from(article_urls.join(articles, articles.c.id == article_urls.c.article_id))
            .where(article_urls.c.url == key)
        ).first()
        if row is None:
            raise StoreError("no article stored under this URL", url=url)
        return int(row.id), int(row.latest_version), str(row.canonical_url)

    def unknown_urls(self, urls: Sequence[str]) -> list[str]:
        """Return, in order, those of `urls` under which no article is stored (one query per chunk)."""
        keys = {u: normalize_url(u) for u in urls}
        known: set[str] = set()
        stmt = select(article_urls.c.url).where(article_urls.c.url.in_(bindparam("urls", expanding=True)))
        wanted = sorted(set(keys.values()))
        with self._read("look up urls") as conn:
            for start in range(0, len(wanted), LOOKUP_CHUNK):
                known.update(r[0] for r in conn.execute(stmt, {"urls": wanted[start : start + LOOKUP_CHUNK]}))
        return [u for u in urls if keys[u] not in known]

    def iter_latest(
        self,
        *,
        since: datetime | None = None,
        since_field: str = "fetched",
        source: str | None = None,
        tag: str | None = None,
        fields: Sequence[str] | None = None,
        all_versions: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Stream export records (latest or every version) from one snapshot; arguments are checked now."""
        stmt, wanted = self._export_query(since, since_field, source, tag, fields, all_versions)
        return self._stream(stmt, wanted, tag, _row_record)

    def iter_json(
        self,
        *,
        since: datetime | None = None,
        since_field: str = "fetched",
        source: str | None = None,
        tag: str | None = None,
        fields: Sequence[str] | None = None,
        all_versions: bool = False,
    ) -> Iterator[str]:
        """Stream the records of `iter_latest` already encoded as compact JSON objects (the export path)."""
        stmt, wanted = self._export_query(since, since_field, source, tag, fields, all_versions)
        return self._stream(stmt, wanted, tag, _row_json)

    def _export_query(
        self,
        since: datetime | None,
        since_field: str,
        source: str | None,
        tag: str | None,
        fields: Sequence[str] | None,
        all_versions: bool,
    ) -> tuple[Any, tuple[str, ...]]:
        """Check export arguments and build the query reading only the columns the fields need."""
        wanted = tuple(fields) if fields else RECORD_FIELDS
        unknown = [f for f in wanted if f not in ALL_FIELDS]
        if unknown:
            raise StoreError(f"unknown field(s) {', '.join(unknown)} (known: {', '.join(ALL_FIELDS)})")
        if since_field not in SINCE_FIELDS:
            raise StoreError(f"since_field must be one of {', '.join(SINCE_FIELDS)}, got {since_field!r}")
        av = article_versions
        needed = {"version", "tags"} | {_FIELD_COLUMN.get(f, f) for f in wanted}
        if "edited_at" in wanted:
            needed.add("fetched_at")
        cols = [av.c[c] for c in _STORED_COLUMNS if c in needed] + [
            articles.c.canonical_url.label("identity")
        ]
        if all_versions:
            joined = articles.join(av, av.c.article_id == articles.c.id)
        else:
            joined = articles.join(
                av, and_(av.c.article_id == articles.c.id, av.c.version == articles.c.latest_version)
            )
        if "seen_at" in wanted:
            cols.append(self._seen_at)
        if "story_id" in wanted:
            cols.append(story_members.c.story_id)
            joined = joined.outerjoin(story_members, story_members.c.article_id == articles.c.id)
        stmt = select(*cols).select_from(joined)
        stmt = stmt.order_by(articles.c.id, av.c.version) if all_versions else stmt.order_by(articles.c.id)
        if since is not None:
            stmt = stmt.where((av.c.fetched_at if since_field == "fetched" else av.c.published_at) >= since)
        if source is not None:
            stmt = stmt.where(articles.c.source == source)
        if tag is not None:
            # LIKE on the stored JSON narrows in SQL; the exact match on the decoded list decides
            stmt = stmt.where(av.c.tags.contains(_dumps(tag), autoescape=True))
        return stmt, wanted

    def _stream(
        self, stmt: Any, wanted: tuple[str, ...], tag: str | None, convert: Callable[[Any, Sequence[str]], _T]
    ) -> Iterator[_T]:
        """Yield converted rows of `stmt` from one read transaction, STREAM_BATCH_ROWS rows per round trip."""
        with self._read("export") as conn:
            if self.dialect == "sqlite":
                # a one-pass scan gains nothing from a big page cache; keep the reader's memory flat
                conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_STREAM_CACHE_KIB}")
            try:
                result = conn.execution_options(stream_results=True, yield_per=STREAM_BATCH_ROWS).execute(
                    stmt
                )
                for row in result.mappings():
                    if tag is not None and tag not in json.loads(row["tags"]):
                        continue
                    yield convert(row, wanted)
            finally:
                if self.dialect == "sqlite":
                    conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")

    def history(self, url: str) -> list[VersionInfo]:
        """List the stored versions of the article reached through `url`, oldest first."""
        av = article_versions
        with self._read("history") as conn:
            article_id, _, _ = self._find_article(conn, url)
            rows = conn.execute(
                select(
                    av.c.version,
                    av.c.fetched_at,
                    av.c.content_hash,
                    av.c.changes,
                    av.c.final_url,
                    av.c.http_status,
                    av.c.raw_sha256,
                )
                .where(av.c.article_id == article_id)
                .order_by(av.c.version)
            ).all()
        return [
            VersionInfo(
                version=r.version,
                fetched_at=r.fetched_at,
                content_hash=r.content_hash,
                changes=json.loads(r.changes) if r.changes else {},
                final_url=r.final_url,
                http_status=r.http_status,
                has_raw=r.raw_sha256 is not None,
            )
            for r in rows
        ]

    def has_article(self, url: str) -> bool:
        """Say whether an article was stored under this URL (any of the URLs it was reached through)."""
        return not self.unknown_urls([url])

    def get_version(self, url: str, n: int | None = None) -> dict[str, Any] | None:
        """Return one version (default the latest) as an export record plus fetch data; None if absent."""
        with self._read("show") as conn:
            article_id, latest, _ = self._find_article(conn, url)
            row = conn.execute(
                self._version_by_number.where(
                    article_versions.c.article_id == article_id,
                    article_versions.c.version == (latest if n is None else n),
                )
            )
            found = row.mappings().first()
            if found is None:
                return None
            record = _row_record(found, ALL_FIELDS)
            record["fetch"] = {
                "fetched_at": record["fetched_at"],
                "final_url": found["final_url"],
                "http_status": found["http_status"],
                "etag": found["etag"],
                "last_modified": found["last_modified"],
            }
            record["has_raw_html"] = found["raw_sha256"] is not None
            # the story is the article's, not the version's: the same for every version shown
            record["story_id"] = conn.execute(
                select(story_members.c.story_id).where(story_members.c.article_id == article_id)
            ).scalar()
            return record

    def get_raw_html(self, url: str, n: int | None = None) -> bytes | None:
        """Return the raw HTML kept for one version (default the latest), None if not kept."""
        with self._read("read raw html") as conn:
            article_id, latest, _ = self._find_article(conn, url)
            row = conn.execute(
                select(blobs.c.data, blobs.c.sha256)
                .select_from(article_versions.join(blobs, blobs.c.sha256 == article_versions.c.raw_sha256))
                .where(
                    article_versions.c.article_id == article_id,
                    article_versions.c.version == (latest if n is None else n),
                )
            ).first()
        if row is None:
            return None
        data = compression.decompress(bytes(row.data))
        if hashlib.sha256(data).hexdigest() != row.sha256:
            raise StoreError(f"raw HTML blob {row.sha256} is corrupt (hash mismatch)", url=self.url)
        return data

    def diff(self, url: str, from_n: int | None = None, to_n: int | None = None) -> ArticleDiff:
        """Compare two versions (default: the last two) field by field and the body paragraph by paragraph."""
        with self._read("diff") as conn:
            article_id, latest, canonical = self._find_article(conn, url)
            numbers = [
                r[0]
                for r in conn.execute(
                    select(article_versions.c.version)
                    .where(article_versions.c.article_id == article_id)
                    .order_by(article_versions.c.version)
                )
            ]
            to_v = to_n if to_n is not None else latest
            if from_n is None:
                earlier = [v for v in numbers if v < to_v]
                from_v = earlier[-1] if earlier else to_v
            else:
                from_v = from_n
            for v in (from_v, to_v):
                if v not in numbers:
                    raise StoreError(f"no version {v} (versions: {', '.join(map(str, numbers))})", url=url)
            old = self._version_record(conn, article_id, from_v)
            new = self._version_record(conn, article_id, to_v)
        assert old is not None and new is not None
        changes = summarize_changes(old, new)
        if from_v == to_v:
            changes = {**changes, "initial": False}
        # the body's change is the diff below; its entry here only gives the sizes
        fields = {
            name: (
                {"from_chars": len(old["body"]), "to_chars": len(new["body"])}
                if name == "body"
                else {"from": old.get(name), "to": new.get(name)}
            )
            for name in changes["fields"]
        }
        result = ArticleDiff(
            url=canonical,
            from_version=from_v,
            to_version=to_v,
            fields=fields,
            body_diff=body_unified_diff(old["body"], new["body"], f"version {from_v}", f"version {to_v}"),
            changes=changes,
        )
        return result


# Columns read back from article_versions to build export records.
_STORED_COLUMNS = (
    "url",
    "canonical_url",
    "source",
    "title",
    "description",
    "authors",
    "published",
    "modified",
    "language",
    "site_name",
    "image",
    "tags",
    "body_z",
    "word_count",
    "fetched_at",
    "version",
    "content_hash",
    "provenance",
    "body_html_z",
    "links",
    "comments",
    "changes",
    "final_url",
    "http_status",
    "etag",
    "last_modified",
    "raw_sha256",
)

_VERSION_BY_NUMBER = articles.join(article_versions, article_versions.c.article_id == articles.c.id)


def _seen_at_column(dialect: str) -> Any:
    """A per-article column: on PostgreSQL the export's seen_at JSON text itself, on SQLite a JSON array
    of [url, first seen] pairs (its aggregates cannot order) that _seen_at finishes."""
    au = article_urls
    if dialect == "postgresql":
        # compact JSON built in the query: the export splices it as it comes
        utc = func.timezone("UTC", au.c.first_seen_at)
        clock = func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS') + case(
            (func.to_char(utc, "US") == "000000", ""), else_=func.to_char(utc, ".US")
        )
        item = (
            literal('{"url":')
            + func.to_json(au.c.url).cast(Text)
            + ',"first_seen":'
            + func.coalesce(func.to_json(clock + "+00:00").cast(Text), "null")
            + "}"
        )
        agg = literal("[") + _ordered_concat(item, au) + "]"
    else:
        agg = func.json_group_array(func.json_array(au.c.url, au.c.first_seen_at))
    return select(agg).where(au.c.article_id == articles.c.id).scalar_subquery().label("seen_at")


def _ordered_concat(item: Any, au: Any) -> Any:
    """string_agg of `item` over an article's URLs, first seen first (unknown last), then by URL."""
    ordered = func.string_agg(item, pg_dialect.aggregate_order_by(literal(","), au.c.first_seen_at, au.c.url))
    return func.coalesce(ordered, "")


def _seen_at(value: Any) -> list[dict[str, Any]]:
    """Turn the seen_at column into [{url, first_seen}], first seen first (then by URL)."""
    pairs = json.loads(value) if isinstance(value, str) else (value or [])
    if pairs and isinstance(pairs[0], dict):  # PostgreSQL's, finished in the query
        return list(pairs)
    if len(pairs) == 1:  # nearly every article: nothing to order
        return [{"url": pairs[0][0], "first_seen": _utc_iso(pairs[0][1])}]
    seen = [(url, parse_datetime(when) if when else None) for url, when in pairs]
    seen.sort(key=lambda s: (s[1] is None, s[1] or _EPOCH, s[0]))
    return [{"url": url, "first_seen": _iso(when)} for url, when in seen]


def _utc_iso(when: str | None) -> str | None:
    """A stored time as ISO 8601 UTC, as datetime.isoformat() gives it."""
    if when is not None and len(when) == _SQLITE_TIME_LEN and when[10] == " ":
        # SQLite's stored form is UTC already: reshape the text instead of parsing it
        clock = when[11:19] if when.endswith(".000000") else when[11:]
        return f"{when[:10]}T{clock}+00:00"
    return _iso(parse_datetime(when))


_SQLITE_TIME_LEN = len("2025-07-29 14:00:00.000000")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _latest_join(base: Any) -> Any:
    """Join `base` (holding `articles`) to each article's latest version."""
    return base.join(
        article_versions,
        and_(
            article_versions.c.article_id == articles.c.id,
            article_versions.c.version == articles.c.latest_version,
        ),
    )


_REF_COLUMNS = (
    articles.c.id,
    articles.c.latest_version,
    articles.c.body_hash,
    articles.c.canonical_url,
    article_versions.c.content_hash,
)
_LOOKUP_URLS = (
    select(article_urls.c.url, article_urls.c.syndicated, *_REF_COLUMNS)
    .select_from(_latest_join(article_urls.join(articles, articles.c.id == article_urls.c.article_id)))
    .where(article_urls.c.url.in_(bindparam("urls", expanding=True)))
)
_LOOKUP_GUIDS = (
    select(articles.c.guid, articles.c.source, *_REF_COLUMNS)
    .select_from(_latest_join(articles))
    .where(articles.c.guid.in_(bindparam("guids", expanding=True)))
)
_LOOKUP_BODIES = (
    select(*_REF_COLUMNS)
    .select_from(_latest_join(articles))
    .where(articles.c.body_hash.in_(bindparam("hashes", expanding=True)))
    .order_by(articles.c.id)
)

_DETACH_URLS = delete(article_urls).where(
    article_urls.c.url.in_(bindparam("urls", expanding=True)), article_urls.c.syndicated
)


def _sqlite_time(value: datetime | None) -> str | None:
    """Format a datetime the way UTCDateTime stores it on SQLite (naive UTC text), so both compare alike."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}"
    )


def _sqlite_params(table: Any, names: list[str], rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Rows as sqlite3 parameter tuples in the order of `names`, datetimes as UTCDateTime writes them."""
    # itemgetter picks a row's values in C; only the few time columns go through Python
    pick = operator.itemgetter(*names) if len(names) > 1 else (lambda r: (r[names[0]],))
    times = [i for i, n in enumerate(names) if isinstance(table.c[n].type, UTCDateTime)]
    if not times:
        return [pick(r) for r in rows]
    out: list[tuple[Any, ...]] = []
    for r in rows:
        values = list(pick(r))
        for i in times:
            values[i] = _sqlite_time(values[i])
        out.append(tuple(values))
    return out


_INSERT_ARTICLES = insert(articles).returning(articles.c.id, sort_by_parameter_order=True)

_TOUCH_ARTICLE = (
    update(articles)
    .where(articles.c.id == bindparam("aid"))
    .values(
        # a late-arriving older fetch must not move last_seen_at back
        last_seen_at=case(
            (articles.c.last_seen_at > bindparam("seen", type_=UTCDateTime()), articles.c.last_seen_at),
            else_=bindparam("seen", type_=UTCDateTime()),
        ),
        latest_version=bindparam("ver"),
        edited_at=func.coalesce(bindparam("edited", type_=articles.c.edited_at.type), articles.c.edited_at),
        body_hash=bindparam("bh"),
    )
)


_ASCII_ENCODER = json.JSONEncoder(ensure_ascii=True)
_TEXT_ENCODER = json.JSONEncoder(ensure_ascii=False)


def _json_str(value: str | None) -> str:
    """Encode a string as JSON; ASCII text takes the C fast path, which gives the same bytes for it."""
    if value is None:
        return "null"
    return _ASCII_ENCODER.encode(value) if value.isascii() else _TEXT_ENCODER.encode(value)


def _row_json(row: Any, wanted: Sequence[str]) -> str:
    """Encode a stored version row as a compact JSON object, splicing the stored JSON columns as they are."""
    parts: list[str] = []
    for name in wanted:
        if name == "canonical_url":
            value = _json_str(row["identity"])
        elif name == "body":
            value = _json_str(compression.decompress_text(row["body_z"]))
        elif name == "body_html":
            value = _json_str(compression.decompress_text(row["body_html_z"]))
        elif name in _JSON_COLUMNS:
            value = row[name]
        elif name == "changes":
            value = row["changes"] or "null"
        elif name == "fetched_at":
            value = f'"{row["fetched_at"].isoformat()}"'
        elif name == "edited":
            value = "true" if row["version"] > 1 else "false"
        elif name == "edited_at":
            value = f'"{row["fetched_at"].isoformat()}"' if row["version"] > 1 else "null"
        elif name == "story_id":
            value = _json_str(row.get("story_id"))
        elif name == "seen_at":
            raw = row["seen_at"]
            value = raw if raw.startswith("[{") else _ENCODER.encode(_seen_at(raw))
        else:
            raw = row[name]
            value = _json_str(raw) if isinstance(raw, str) or raw is None else str(int(raw))
        parts.append(f'"{name}":{value}')
    return "{" + ",".join(parts) + "}"


def _row_record(row: Any, wanted: Sequence[str]) -> dict[str, Any]:
    """Turn a stored version row into an export record with the `wanted` fields, in that order."""
    record: dict[str, Any] = {}
    for name in wanted:
        if name == "canonical_url":
            record[name] = row["identity"]
        elif name == "body":
            record[name] = compression.decompress_text(row["body_z"])
        elif name == "body_html":
            record[name] = compression.decompress_text(row["body_html_z"])
        elif name in _JSON_COLUMNS:
            record[name] = json.loads(row[name])
        elif name == "changes":
            record[name] = json.loads(row["changes"]) if row["changes"] else None
        elif name == "story_id":
            # only export queries join the story; other reads report none
            record[name] = row.get("story_id")
        elif name == "seen_at":
            record[name] = _seen_at(row["seen_at"])
        elif name == "fetched_at":
            record[name] = _iso(row["fetched_at"])
        elif name == "edited":
            record[name] = row["version"] > 1
        elif name == "edited_at":
            record[name] = _iso(row["fetched_at"]) if row["version"] > 1 else None
        else:
            record[name] = row[name]
    return record


__all__ = ["ALL_FIELDS", "KEEP_DAYS", "KEEP_VERSIONS", "RECORD_FIELDS", "SourceStatus", "Store"]
