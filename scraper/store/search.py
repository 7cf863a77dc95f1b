"""Full-text search over each article's latest version: SQLite FTS5 or PostgreSQL tsvector, one interface."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, text

if TYPE_CHECKING:
    from scraper.store.search_file import SearchFile
    from scraper.store.store import Store

SEARCH_LIMIT = 20
SNIPPET_WORDS = 16
# 'simple' keeps every language's words as they are (no English stemming of German text)
PG_TS_CONFIG = "simple"
_WORD_RE = re.compile(r"\w+", re.UNICODE)


@dataclass
class Hit:
    """One search result: the article and why it matched."""

    url: str
    title: str | None
    source: str | None
    published_at: datetime | None
    fetched_at: datetime | None
    snippet: str
    rank: float

    def to_dict(self) -> dict[str, Any]:
        """Return the hit as a JSON-ready dict."""
        return {
            "url": self.url,
            "title": self.title,
            "source": self.source,
            "published": self.published_at.isoformat() if self.published_at else None,
            "fetched_at": self.fetched_at.isoformat() if self.fetched_at else None,
            "snippet": self.snippet,
            "rank": round(self.rank, 6),
        }


def fts5_query(query: str) -> str:
    """Turn user words into an FTS5 query that matches all of them, so no FTS5 syntax error can occur."""
    words = _WORD_RE.findall(query)
    return " ".join(f'"{w}"' for w in words)


def _aware(value: Any) -> datetime | None:
    """A datetime from a row (SQLite gives text), in UTC when it had no zone."""
    if value is None:
        return None
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@dataclass
class SearchDoc:
    """What the index keeps of an article's latest version."""

    article_id: int
    url: str
    title: str | None
    body: str
    source: str | None
    published_at: datetime | None
    fetched_at: datetime


def _hit(row: Any, rank: float) -> Hit:
    """A Hit from a result row."""
    return Hit(
        row.url,
        row.title or None,
        row.source or None,
        _aware(row.published_at),
        _aware(row.fetched_at),
        row.snip,
        rank,
    )


class SearchIndex:
    """PostgreSQL: keeps each article's search row at its latest version, in the writer's transaction."""

    def update(self, conn: Connection, docs: list[SearchDoc]) -> None:
        """Replace the search rows of these articles (call in the transaction that writes their versions)."""
        if not docs:
            return
        rows = [
            {
                "id": d.article_id, "url": d.url, "title": d.title or "", "body": d.body,
                "source": d.source or "",
                "published_at": d.published_at.isoformat() if d.published_at else None,
                "fetched_at": d.fetched_at.isoformat(),
            }
            for d in docs
        ]  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO article_search"
                " (article_id, url, title, body, source, published_at, fetched_at, tsv)"
                " VALUES (:id, :url, :title, :body, :source, CAST(:published_at AS timestamptz),"
                " CAST(:fetched_at AS timestamptz),"
                f" setweight(to_tsvector('{PG_TS_CONFIG}', :title), 'A') ||"
                f" setweight(to_tsvector('{PG_TS_CONFIG}', :body), 'B'))"
                " ON CONFLICT (article_id) DO UPDATE SET url = EXCLUDED.url, title = EXCLUDED.title,"
                " body = EXCLUDED.body, source = EXCLUDED.source, published_at = EXCLUDED.published_at,"
                " fetched_at = EXCLUDED.fetched_at, tsv = EXCLUDED.tsv"
            ),
            rows,
        )

    def search(
        self,
        conn: Connection,
        query: str,
        *,
        since: datetime | None = None,
        source: str | None = None,
        limit: int = SEARCH_LIMIT,
    ) -> list[Hit]:
        """Ranked hits for the words of `query` (all must match), best first, with snippets."""
        params: dict[str, Any] = {
            "limit": limit,
            "source": source,
            "since": since.isoformat() if since else None,
        }
        params["q"] = " ".join(_WORD_RE.findall(query))
        if not params["q"]:
            return []
        sql = (
            f"SELECT url, title, source, published_at, fetched_at, ts_rank_cd(tsv, q) AS rank,"
            f" ts_headline('{PG_TS_CONFIG}', body, q, 'StartSel=[, StopSel=], MaxWords={SNIPPET_WORDS},"
            " MinWords=6, MaxFragments=1, FragmentDelimiter=…') AS snip"
            f" FROM article_search, plainto_tsquery('{PG_TS_CONFIG}', :q) AS q"
            " WHERE tsv @@ q AND (CAST(:source AS text) IS NULL OR source = :source)"
            " AND (CAST(:since AS timestamptz) IS NULL"
            " OR coalesce(published_at, fetched_at) >= CAST(:since AS timestamptz))"
            " ORDER BY rank DESC, article_id LIMIT :limit"
        )
        rows = conn.execute(text(sql), params).all()
        return [_hit(r, float(r.rank)) for r in rows]


def _sqlite_search(
    index: SearchFile, query: str, *, since: datetime | None, source: str | None, limit: int
) -> list[Hit]:
    """Ranked hits from SQLite's FTS5 search file (caught up with the store first)."""
    q = fts5_query(query)
    if not q:
        return []
    params: dict[str, Any] = {
        "q": q,
        "limit": limit,
        "source": source,
        # the file holds times as the store does on SQLite: naive UTC text, which sorts as time
        "since": since.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if since else None,
    }
    sql = (
        "SELECT url, title, source, published_at, fetched_at,"
        " bm25(article_search, 10.0, 1.0) AS rank,"
        f" snippet(article_search, 1, '[', ']', '…', {SNIPPET_WORDS}) AS snip"
        " FROM article_search WHERE article_search MATCH :q"
        " AND (:source IS NULL OR source = :source)"
        " AND (:since IS NULL OR coalesce(published_at, fetched_at) >= :since)"
        " ORDER BY rank LIMIT :limit"
    )

    def hit(row: Any) -> Hit:
        # bm25 is lower-is-better; flip it so every engine ranks higher-is-better
        return Hit(
            row["url"],
            row["title"] or None,
            row["source"] or None,
            _aware(row["published_at"]),
            _aware(row["fetched_at"]),
            row["snip"],
            -float(row["rank"]),
        )

    return index.query(sql, params, hit)


def search_store(
    store: Store,
    query: str,
    *,
    since: datetime | None = None,
    source: str | None = None,
    limit: int = SEARCH_LIMIT,
) -> list[Hit]:
    """Search a store's index: SQLite's search file, caught up first, or PostgreSQL in one read."""
    if store.search_file is not None:
        return _sqlite_search(store.search_file, query, since=since, source=source, limit=limit)
    with store._read("search") as conn:
        return SearchIndex().search(conn, query, since=since, source=source, limit=limit)
