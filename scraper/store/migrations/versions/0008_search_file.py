"""SQLite's search index moves to a file of its own; every database gets a random id to tell it apart.

The FTS5 table indexed each version inside the writer's transaction, which cost as much as storing
the version; `scraper/store/search_file.py` now keeps it in `<name>.search.db` beside the database,
written on a thread and rebuilt from the versions on first use. The store id lets that file see that
it belongs to another database (a database deleted and made again under the same name). PostgreSQL
keeps its tsvector table; it gets the id too. A downgrade leaves SQLite with an empty FTS5 table.

Revision ID: 0008_search_file
Revises: 0007_search_automerge
Create Date: 2026-11-26
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0008_search_file"
down_revision = "0007_search_automerge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_info",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    insert = sa.text("INSERT INTO store_info (key, value) VALUES ('store_id', :sid)")
    op.execute(insert.bindparams(sid=uuid.uuid4().hex))
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS article_search")


def downgrade() -> None:
    op.drop_table("store_info")
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE article_search USING fts5("
            "title, body, url UNINDEXED, source UNINDEXED, published_at UNINDEXED, fetched_at UNINDEXED,"
            " tokenize = 'unicode61 remove_diacritics 2')"
        )
        op.execute("INSERT INTO article_search(article_search, rank) VALUES ('automerge', 16)")
