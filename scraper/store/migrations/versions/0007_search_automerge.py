"""SQLite: the FTS5 search index merges its segments 16 at a time instead of 4: about 30% less indexing work.

FTS5 writes each transaction's new words as a segment and merges segments of one size class once
`automerge` of them exist, so every indexed word is rewritten once per size class it climbs. At 16
there are half as many classes to climb: measured with callgrind on 20,000 bench articles indexed 200
per transaction, 29% fewer instructions for the whole run (reading the pages included); one-word
bm25 queries took no longer (7.6 ms against 8.2 ms). A search reads more segments (up to 15 per size
class instead of 3), each one B-tree probe per word. PostgreSQL's GIN index has no such setting.

Revision ID: 0007_search_automerge
Revises: 0006_articles_fillfactor
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0007_search_automerge"
down_revision = "0006_articles_fillfactor"
branch_labels = None
depends_on = None

SEARCH_AUTOMERGE_SEGMENTS = 16  # FTS5 allows 2..16; its default is 4
FTS5_DEFAULT_AUTOMERGE = 4


def _set_automerge(segments: int) -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"INSERT INTO article_search(article_search, rank) VALUES ('automerge', {segments})")


def upgrade() -> None:
    _set_automerge(SEARCH_AUTOMERGE_SEGMENTS)


def downgrade() -> None:
    _set_automerge(FTS5_DEFAULT_AUTOMERGE)
