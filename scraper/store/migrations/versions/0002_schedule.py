"""Scheduling state: source_schedule (due times, back-off, claims) and service_state (heartbeats).

Revision ID: 0002_schedule
Revises: 0001_initial
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_schedule"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "source_schedule",
        sa.Column("source", sa.String(200), primary_key=True),
        sa.Column("interval_s", sa.Float, nullable=False),
        sa.Column("next_poll_at", TS, nullable=False),
        sa.Column("effective_interval_s", sa.Float, nullable=False),
        sa.Column("consecutive_failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("failing", sa.Boolean, nullable=False, server_default="0"),
        sa.Column("claimed_until", TS),
        sa.Column("claim_token", sa.String(32)),
        sa.Column("claimed_by", sa.Text),
        sa.Column("last_polled_at", TS),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_source_schedule_next_poll", "source_schedule", ["next_poll_at"])
    op.create_table(
        "service_state",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("host", sa.Text, nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("heartbeat_at", TS, nullable=False),
        sa.Column("inflight", sa.Integer, nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("service_state")
    op.drop_index("ix_source_schedule_next_poll", table_name="source_schedule")
    op.drop_table("source_schedule")
