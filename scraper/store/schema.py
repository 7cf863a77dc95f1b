"""Table definitions the store's queries use; the Alembic migrations create the same tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.sql.expression import false
from sqlalchemy.types import TypeDecorator

NAME_LEN = 200
OUTCOME_LEN = 40
SHA256_HEX_LEN = 64

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL wants 64-bit ids for the logs.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetime stored as UTC (naive UTC text on SQLite, timestamptz on PostgreSQL)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert an aware datetime to UTC; naive values are taken as UTC already."""
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        if not isinstance(value, datetime):
            value = datetime.fromisoformat(str(value))
        result: datetime = value
        return result.replace(tzinfo=UTC) if result.tzinfo is None else result.astimezone(UTC)


metadata = MetaData()

sources = Table(
    "sources",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(NAME_LEN), nullable=False, unique=True),
    Column("url", Text, nullable=False),
    Column("kind", String(20), nullable=False, server_default="feed"),
    Column("enabled", Boolean, nullable=False, server_default="1"),
    Column("tags", Text, nullable=False, server_default="[]"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("last_outcome", String(OUTCOME_LEN)),
    Column("last_error", Text),
    Column("last_attempt_at", UTCDateTime),
    Column("last_success_at", UTCDateTime),
    Column("consecutive_failures", Integer, nullable=False, server_default="0"),
)

fetches = Table(
    "fetches",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False),
    Column("source", String(NAME_LEN)),
    Column("started_at", UTCDateTime, nullable=False),
    Column("outcome", String(OUTCOME_LEN), nullable=False),
    Column("status", Integer),
    Column("error", Text),
    Column("elapsed_ms", Float, nullable=False, server_default="0"),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("final_url", Text),
    Index("ix_fetches_source_started", "source", "started_at"),
    Index("ix_fetches_url", "url"),
)

http_validators = Table(
    "http_validators",
    metadata,
    Column("url", Text, primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("updated_at", UTCDateTime, nullable=False),
)

# facts about the database itself: `store_id`, a random id made with it (the search file checks it)
store_info = Table(
    "store_info",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)

articles = Table(
    "articles",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("canonical_url", Text, nullable=False, unique=True),
    Column("guid", Text),
    Column("source", String(NAME_LEN)),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("latest_version", Integer, nullable=False),
    Column("edited_at", UTCDateTime),
    # content.body_hash of the latest version (None for short bodies): how a syndicated copy finds it
    Column("body_hash", String(SHA256_HEX_LEN)),
    Index("ix_articles_source", "source"),
    Index("ix_articles_guid", "guid"),
    Index("ix_articles_body_hash", "body_hash"),
)

# Every normalized URL an article was reached through (fetched, final, canonical), and since when.
# `syndicated` URLs are other pages (another outlet's reprint) that carried the same body when first seen.
article_urls = Table(
    "article_urls",
    metadata,
    Column("url", Text, primary_key=True),
    Column("article_id", BigId, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("first_seen_at", UTCDateTime),  # null only if written by code older than migration 0005
    Column("syndicated", Boolean, nullable=False, server_default=false()),
    Index("ix_article_urls_article", "article_id"),
)

# Raw HTML, zstd-compressed, stored once per distinct byte string.
blobs = Table(
    "blobs",
    metadata,
    Column("sha256", String(SHA256_HEX_LEN), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("compression", String(16), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

article_versions = Table(
    "article_versions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("article_id", BigId, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("content_hash", String(SHA256_HEX_LEN), nullable=False),
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("url", Text),
    Column("canonical_url", Text),
    Column("final_url", Text),
    Column("http_status", Integer),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("source", String(NAME_LEN)),
    Column("title", Text),
    Column("description", Text),
    Column("authors", Text, nullable=False, server_default="[]"),
    Column("published", Text),
    Column("modified", Text),
    Column("published_at", UTCDateTime),
    Column("language", Text),
    Column("site_name", Text),
    Column("image", Text),
    Column("tags", Text, nullable=False, server_default="[]"),
    Column("body_z", LargeBinary, nullable=False),
    Column("body_html_z", LargeBinary),
    Column("links", Text, nullable=False, server_default="[]"),
    Column("comments", Text, nullable=False, server_default="[]"),
    Column("word_count", Integer, nullable=False, server_default="0"),
    Column("body_chars", Integer, nullable=False, server_default="0"),
    Column("provenance", Text, nullable=False, server_default="{}"),
    Column("changes", Text),
    Column("raw_sha256", String(SHA256_HEX_LEN), ForeignKey("blobs.sha256")),
    UniqueConstraint("article_id", "version", name="uq_article_versions_article_version"),
    Index("ix_article_versions_fetched_at", "fetched_at"),
    Index("ix_article_versions_raw", "raw_sha256"),
)

__all__ = [
    "UTCDateTime",
    "article_urls",
    "article_versions",
    "articles",
    "blobs",
    "fetches",
    "http_validators",
    "metadata",
    "sources",
    "store_info",
]
