"""Stories: story_signatures (one per article), stories, story_members.

Revision ID: 0004_stories
Revises: 0003_search
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_stories"
down_revision = "0003_search"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "story_signatures",
        sa.Column("article_id", BIG_ID, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("signature", sa.LargeBinary, nullable=False),
        sa.Column("title_tokens", sa.Text, nullable=False),
        sa.Column("published_at", TS, nullable=False),
        sa.Column("source", sa.String(200)),
    )
    op.create_index("ix_story_signatures_published", "story_signatures", ["published_at"])
    op.create_table(
        "stories",
        sa.Column("story_id", sa.String(64), primary_key=True),
        sa.Column("first_article_id", sa.BigInteger, nullable=False),
        sa.Column("first_source", sa.String(200)),
        sa.Column("first_seen_at", TS, nullable=False),
        sa.Column("member_count", sa.Integer, nullable=False, server_default="1"),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_stories_first_seen", "stories", ["first_seen_at"])
    op.create_table(
        "story_members",
        sa.Column("article_id", BIG_ID, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("story_id", sa.String(64), nullable=False),
        sa.Column("matched_article_id", sa.BigInteger),
        sa.Column("score", sa.Float, nullable=False, server_default="0"),
        sa.Column("assigned_at", TS, nullable=False),
    )
    op.create_index("ix_story_members_story", "story_members", ["story_id"])


def downgrade() -> None:
    op.drop_table("story_members")
    op.drop_table("stories")
    op.drop_table("story_signatures")
