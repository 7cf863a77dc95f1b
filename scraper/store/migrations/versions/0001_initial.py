"""Initial schema: sources, fetches, http_validators, articles, article_urls, blobs, article_versions.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False, server_default="feed"),
        sa.Column("enabled", sa.Boolean, nullable=False, server_default="1"),
        sa.Column("tags", sa.Text, nullable=False, server_default="[]"),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("last_outcome", sa.String(40)),
        sa.Column("last_error", sa.Text),
        sa.Column("last_attempt_at", TS),
        sa.Column("last_success_at", TS),
        sa.Column("consecutive_failures", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "fetches",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("source", sa.String(200)),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("outcome", sa.String(40), nullable=False),
        sa.Column("status", sa.Integer),
        sa.Column("error", sa.Text),
        sa.Column("elapsed_ms", sa.Float, nullable=False, server_default="0"),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("final_url", sa.Text),
    )
    op.create_index("ix_fetches_source_started", "fetches", ["source", "started_at"])
    op.create_index("ix_fetches_url", "fetches", ["url"])
    op.create_table(
        "http_validators",
        sa.Column("url", sa.Text, primary_key=True),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "articles",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("canonical_url", sa.Text, nullable=False, unique=True),
        sa.Column("guid", sa.Text),
        sa.Column("source", sa.String(200)),
        sa.Column("first_seen_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("latest_version", sa.Integer, nullable=False),
        sa.Column("edited_at", TS),
    )
    op.create_index("ix_articles_source", "articles", ["source"])
    op.create_index("ix_articles_guid", "articles", ["guid"])
    op.create_table(
        "article_urls",
        sa.Column("url", sa.Text, primary_key=True),
        sa.Column("article_id", BIG_ID, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    )
    op.create_index("ix_article_urls_article", "article_urls", ["article_id"])
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("compression", sa.String(16), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "article_versions",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("article_id", BIG_ID, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("fetched_at", TS, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("canonical_url", sa.Text),
        sa.Column("final_url", sa.Text),
        sa.Column("http_status", sa.Integer),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("source", sa.String(200)),
        sa.Column("title", sa.Text),
        sa.Column("description", sa.Text),
        sa.Column("authors", sa.Text, nullable=False, server_default="[]"),
        sa.Column("published", sa.Text),
        sa.Column("modified", sa.Text),
        sa.Column("published_at", TS),
        sa.Column("language", sa.Text),
        sa.Column("site_name", sa.Text),
        sa.Column("image", sa.Text),
        sa.Column("tags", sa.Text, nullable=False, server_default="[]"),
        sa.Column("body_z", sa.LargeBinary, nullable=False),
        sa.Column("body_html_z", sa.LargeBinary),
        sa.Column("links", sa.Text, nullable=False, server_default="[]"),
        sa.Column("comments", sa.Text, nullable=False, server_default="[]"),
        sa.Column("word_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("body_chars", sa.Integer, nullable=False, server_default="0"),
        sa.Column("provenance", sa.Text, nullable=False, server_default="{}"),
        sa.Column("changes", sa.Text),
        sa.Column("raw_sha256", sa.String(64), sa.ForeignKey("blobs.sha256")),
        sa.UniqueConstraint("article_id", "version", name="uq_article_versions_article_version"),
    )
    op.create_index("ix_article_versions_fetched_at", "article_versions", ["fetched_at"])
    op.create_index("ix_article_versions_raw", "article_versions", ["raw_sha256"])


def downgrade() -> None:
    for table in (
        "article_versions",
        "blobs",
        "article_urls",
        "articles",
        "http_validators",
        "fetches",
        "sources",
    ):
        op.drop_table(table)
