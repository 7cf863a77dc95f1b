"""Stories in the store: each article's signature and story, reloaded into a StoryIndex per process."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    bindparam,
    func,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from scraper.errors import StoreError
from scraper.models import Article
from scraper.store import compression
from scraper.store.identity import normalize_url
from scraper.store.schema import (
    NAME_LEN,
    BigId,
    UTCDateTime,
    article_urls,
    article_versions,
    articles,
    metadata,
)
from scraper.stories import STORY_WINDOW_S, StoryDoc, StoryIndex, signature, title_tokens
from scraper.stories.decision import as_utc
from scraper.stories.signature import SIGNATURE_VERSION

if TYPE_CHECKING:
    from scraper.store.store import Store

STORY_ID_LEN = 64
RELOAD_MARGIN_S = 24 * 3600.0  # reload a little more than the window: late arrivals dated earlier
PRUNE_EVERY = 1000  # assignments between two prunes of the in-memory index
LOOKUP_CHUNK = 500  # URLs per IN (...) when finding a batch's articles (SQLite caps bound parameters)

story_signatures = Table(
    "story_signatures",
    metadata,
    Column("article_id", BigId, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("signature", LargeBinary, nullable=False),
    Column("title_tokens", Text, nullable=False),
    Column("published_at", UTCDateTime, nullable=False),
    Column("source", String(NAME_LEN)),
    Index("ix_story_signatures_published", "published_at"),
)

stories = Table(
    "stories",
    metadata,
    Column("story_id", String(STORY_ID_LEN), primary_key=True),
    Column("first_article_id", BigInteger, nullable=False),
    Column("first_source", String(NAME_LEN)),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("member_count", Integer, nullable=False, server_default="1"),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_stories_first_seen", "first_seen_at"),
)

story_members = Table(
    "story_members",
    metadata,
    Column("article_id", BigId, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("story_id", String(STORY_ID_LEN), nullable=False),
    Column("matched_article_id", BigInteger),
    Column("score", Float, nullable=False, server_default="0"),
    Column("assigned_at", UTCDateTime, nullable=False),
    Index("ix_story_members_story", "story_id"),
)


_FIND_ARTICLES = (
    select(article_urls.c.url, article_urls.c.article_id, story_members.c.story_id)
    .select_from(
        article_urls.outerjoin(story_members, story_members.c.article_id == article_urls.c.article_id)
    )
    .where(article_urls.c.url.in_(bindparam("urls", expanding=True)))
)
_RESIGN = (
    update(story_signatures)
    .where(story_signatures.c.article_id == bindparam("aid"))
    .values(signature=bindparam("sig"))
)
# a story's member count, recounted from its rows: other processes add members too
_COUNT_MEMBERS = (
    update(stories)
    .where(stories.c.story_id == bindparam("sid"))
    .values(
        member_count=select(func.count())
        .where(story_members.c.story_id == bindparam("sid"))
        .scalar_subquery()
    )
)


def _resign(conn: Connection, ids: list[int]) -> dict[int, bytes]:
    """Sign again, from their stored bodies, articles whose signatures an older version made, and store
    the new signatures (their minhash slots would not compare with today's); returns them by id."""
    av, a = article_versions, articles
    latest = av.join(a, (a.c.id == av.c.article_id) & (a.c.latest_version == av.c.version))
    out: dict[int, bytes] = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        chunk = ids[start : start + LOOKUP_CHUNK]
        for row in conn.execute(
            select(av.c.article_id, av.c.body_z).select_from(latest).where(a.c.id.in_(chunk))
        ):
            out[int(row.article_id)] = signature(compression.decompress_text(row.body_z))
    if out:
        conn.execute(_RESIGN, [{"aid": aid, "sig": sig} for aid, sig in out.items()])
    return out


@dataclass
class StoryMember:
    """One article of a story, as `scraper stories` lists it."""

    url: str
    source: str | None
    title: str | None
    published_at: datetime | None
    fetched_at: datetime | None


def _when(article: Article) -> datetime:
    """The time an article is placed at: published, else fetched, else now."""
    for value in (article.published, article.fetched_at):
        if value:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                continue
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.now(UTC)


class StoryKeeper:
    """Assigns stored articles to stories, incrementally, keeping the index in step with the store."""

    def __init__(self, store: Store, *, window_s: float = STORY_WINDOW_S) -> None:
        self.store = store
        self.window_s = window_s
        self.index = StoryIndex(window_s=window_s)
        self._last_article_id = 0
        self._since_prune = 0
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Forget the in-memory index (it may hold assignments a failed transaction undid); reload on use."""
        with self._lock:
            self._forget()

    def _forget(self) -> None:
        """`reset` with the lock held."""
        self.index = StoryIndex(window_s=self.window_s)
        self._last_article_id = self._since_prune = 0

    def _catch_up(self, conn: Connection, now: datetime) -> None:
        """Add to the index what this or other processes stored since the last look (with their stories)."""
        since = now - timedelta(seconds=self.window_s + RELOAD_MARGIN_S)
        s, m = story_signatures, story_members
        stmt = (
            select(
                s.c.article_id, s.c.signature, s.c.title_tokens, s.c.published_at, s.c.source, m.c.story_id
            )
            .select_from(s.join(m, m.c.article_id == s.c.article_id))
            .where(s.c.article_id > self._last_article_id, s.c.published_at >= since)
            .order_by(s.c.published_at, s.c.article_id)
        )
        rows = conn.execute(stmt).all()
        top = conn.execute(select(func.max(s.c.article_id))).scalar()
        stale = [int(r.article_id) for r in rows if r.signature[:1] != bytes([SIGNATURE_VERSION])]
        fresh = _resign(conn, stale) if stale else {}
        for r in rows:
            self.index.add(
                str(r.article_id),
                fresh.get(int(r.article_id), r.signature),
                json.loads(r.title_tokens),
                r.published_at,
                r.story_id,
                source=r.source,
            )
        self._last_article_id = max(self._last_article_id, int(top or 0))

    def assign(self, article: Article) -> str | None:
        """Give a stored article its story (once; later versions keep it) and return the story id."""
        with self.store._write("assign story") as conn:
            return self.assign_many(conn, [(article, None)])[0]

    def assign_many(
        self, conn: Connection, items: Sequence[tuple[Article, bytes | None]]
    ) -> list[str | None]:
        """Give stored articles (with their signatures, None to make them) their stories within `conn`'s
        transaction, so an article and its story are committed together; returns each story id."""
        # A failure here rolls back to a savepoint (the caller's articles stay), forgets the index and
        # raises StoreError: the articles get their stories on their next version.
        with self._lock:
            try:
                with conn.begin_nested():
                    return self._assign_in(conn, items)
            except (SQLAlchemyError, ValueError) as exc:
                self._forget()
                raise StoreError(f"assign stories failed: {exc}", url=self.store.url) from exc
            except BaseException:  # cancelled, or a bug: the index must not keep what was rolled back
                self._forget()
                raise

    def _assign_in(self, conn: Connection, items: Sequence[tuple[Article, bytes | None]]) -> list[str | None]:
        """`assign_many`'s work, inside its savepoint and lock."""
        now = datetime.now(UTC)
        urls = [article.url or article.canonical_url for article, _ in items]
        keys = [normalize_url(u) if u else None for u in urls]
        known: dict[str, tuple[int, str | None]] = {}
        wanted = sorted({k for k in keys if k is not None})
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            for row in conn.execute(_FIND_ARTICLES, {"urls": wanted[start : start + LOOKUP_CHUNK]}):
                known[row.url] = (int(row.article_id), row.story_id)
        out: list[str | None] = []
        caught_up = False
        sig_rows: list[dict[str, Any]] = []
        member_rows: list[dict[str, Any]] = []
        touched: dict[str, Any] = {}
        done: dict[int, str] = {}
        for (article, sig), key in zip(items, keys, strict=True):
            found = known.get(key) if key is not None else None
            if found is None:
                out.append(None)
                continue
            aid, story_id = found
            if story_id is None:
                story_id = done.get(aid)
            if story_id is not None:
                out.append(str(story_id))
                continue
            if not caught_up:
                self._catch_up(conn, now)
                caught_up = True
            body = article.body or ""
            doc = StoryDoc(
                sig if sig is not None else signature(body),
                title_tokens(article.title or ""),
                as_utc(_when(article)),
            )
            got = self.index.add(
                str(aid), doc.signature, doc.title_tokens, doc.published_at, source=article.source
            )
            tokens = json.dumps(list(doc.title_tokens))
            sig_rows.append(
                {"article_id": aid, "signature": doc.signature, "title_tokens": tokens,
                 "published_at": doc.published_at, "source": article.source}
            )  # fmt: skip
            matched = int(got.matched_article_id) if got.matched_article_id else None
            member_rows.append(
                {"article_id": aid, "story_id": got.story_id, "matched_article_id": matched,
                 "score": got.score, "assigned_at": now}
            )  # fmt: skip
            touched[got.story_id] = self.index.story(got.story_id)
            done[aid] = got.story_id
            self._last_article_id = max(self._last_article_id, aid)
            self._since_prune += 1
            out.append(got.story_id)
        if sig_rows:
            self._persist(conn, sig_rows, member_rows, touched, now)
        if self._since_prune >= PRUNE_EVERY:
            self.index.prune(now - timedelta(seconds=self.window_s + RELOAD_MARGIN_S))
            self._since_prune = 0
        return out

    def _persist(
        self, conn: Connection, sig_rows: list[dict[str, Any]], member_rows: list[dict[str, Any]],
        touched: dict[str, Any], now: datetime,
    ) -> None:  # fmt: skip
        """Write the signatures, the memberships and the touched stories' summaries."""
        ins = self.store._ins
        conn.execute(ins(story_signatures).on_conflict_do_nothing(), sig_rows)
        conn.execute(ins(story_members).on_conflict_do_nothing(), member_rows)
        upsert = ins(stories)
        conn.execute(
            upsert.on_conflict_do_update(
                index_elements=["story_id"],
                set_={
                    "first_article_id": upsert.excluded.first_article_id,
                    "first_source": upsert.excluded.first_source,
                    "first_seen_at": upsert.excluded.first_seen_at,
                    "updated_at": upsert.excluded.updated_at,
                },
            ),
            [
                {"story_id": sid, "first_article_id": int(story.first_article_id),
                 "first_source": story.first_source, "first_seen_at": story.first_seen,
                 "member_count": 1, "updated_at": now}
                for sid, story in touched.items()
            ],
        )  # fmt: skip
        conn.execute(_COUNT_MEMBERS, [{"sid": sid} for sid in touched])


def list_stories(
    store: Store, *, since: datetime | None = None, tag: str | None = None, limit: int | None = None
) -> Iterator[dict[str, Any]]:
    """Stories newest first, each with its member articles (outlet, time, title, URL)."""
    st, m, a, av = stories, story_members, articles, article_versions
    stmt = select(st).order_by(st.c.first_seen_at.desc(), st.c.story_id)
    if since is not None:
        stmt = stmt.where(st.c.first_seen_at >= since)
    if limit:
        stmt = stmt.limit(limit)
    members_stmt = (
        select(
            m.c.story_id,
            a.c.canonical_url,
            a.c.source,
            av.c.title,
            av.c.published_at,
            av.c.fetched_at,
            av.c.tags,
        )
        .select_from(
            m.join(a, a.c.id == m.c.article_id).join(
                av, (av.c.article_id == a.c.id) & (av.c.version == a.c.latest_version)
            )
        )
        .where(
            m.c.story_id.in_(
                select(st.c.story_id).where(st.c.first_seen_at >= since) if since else select(st.c.story_id)
            )
        )
    )
    with store._read("list stories") as conn:
        by_story: dict[str, list[dict[str, Any]]] = {}
        for r in conn.execute(members_stmt):
            by_story.setdefault(r.story_id, []).append(
                {
                    "url": r.canonical_url,
                    "source": r.source,
                    "title": r.title,
                    "published": r.published_at.isoformat() if r.published_at else None,
                    "fetched_at": r.fetched_at.isoformat() if r.fetched_at else None,
                    "tags": json.loads(r.tags),
                }
            )
        for row in conn.execute(stmt):
            members = sorted(
                by_story.get(row.story_id, []), key=lambda x: x["published"] or x["fetched_at"] or ""
            )
            if tag is not None and not any(tag in mem["tags"] for mem in members):
                continue
            yield {
                "story_id": row.story_id,
                "first_source": row.first_source,
                "first_seen_at": row.first_seen_at.isoformat(),
                "size": len(members),
                "articles": [{k: v for k, v in mem.items() if k != "tags"} for mem in members],
            }
