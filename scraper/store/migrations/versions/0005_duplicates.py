"""Syndicated duplicates: articles.body_hash, article_urls.first_seen_at and article_urls.syndicated.

Revision ID: 0005_duplicates
Revises: 0004_stories
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from scraper.store import compression
from scraper.store.content import body_hash, paragraphs

revision = "0005_duplicates"
down_revision = "0004_stories"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
BACKFILL_BATCH = 1000


def upgrade() -> None:
    op.add_column("articles", sa.Column("body_hash", sa.String(64)))
    op.create_index("ix_articles_body_hash", "articles", ["body_hash"])
    op.add_column("article_urls", sa.Column("first_seen_at", TS))
    op.add_column(
        "article_urls", sa.Column("syndicated", sa.Boolean, nullable=False, server_default=sa.false())
    )
    conn = op.get_bind()
    # the URLs known so far were first seen with their article
    conn.execute(
        sa.text(
            "UPDATE article_urls SET first_seen_at ="
            " (SELECT first_seen_at FROM articles WHERE articles.id = article_urls.article_id)"
        )
    )
    # existing copies stay separate articles; the hash lets later copies find them
    select = sa.text(
        "SELECT a.id, v.body_z FROM articles a JOIN article_versions v"
        " ON v.article_id = a.id AND v.version = a.latest_version"
        " WHERE a.id > :after ORDER BY a.id LIMIT :n"
    )
    update = sa.text("UPDATE articles SET body_hash = :h WHERE id = :id")
    after = 0
    # in pages of ids: a big store's bodies never sit in memory at once
    while batch := conn.execute(select, {"after": after, "n": BACKFILL_BATCH}).all():
        after = batch[-1][0]
        params = []
        for article_id, body_z in batch:
            digest = body_hash(paragraphs(compression.decompress_text(body_z)))
            if digest is not None:
                params.append({"h": digest, "id": article_id})
        if params:
            conn.execute(update, params)


def downgrade() -> None:
    op.drop_column("article_urls", "syndicated")
    op.drop_column("article_urls", "first_seen_at")
    op.drop_index("ix_articles_body_hash", table_name="articles")
    op.drop_column("articles", "body_hash")
