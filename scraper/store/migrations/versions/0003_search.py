"""Full-text search: an FTS5 table on SQLite, a tsvector table with a GIN index on PostgreSQL.

Revision ID: 0003_search
Revises: 0002_schedule
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0003_search"
down_revision = "0002_schedule"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE article_search USING fts5("
            "title, body, url UNINDEXED, source UNINDEXED, published_at UNINDEXED, fetched_at UNINDEXED,"
            " tokenize = 'unicode61 remove_diacritics 2')"
        )
        return
    op.execute(
        "CREATE TABLE article_search ("
        " article_id BIGINT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,"
        " url TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, source TEXT NOT NULL,"
        " published_at TIMESTAMPTZ, fetched_at TIMESTAMPTZ NOT NULL, tsv TSVECTOR NOT NULL)"
    )
    op.execute("CREATE INDEX ix_article_search_tsv ON article_search USING GIN (tsv)")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS article_search")
