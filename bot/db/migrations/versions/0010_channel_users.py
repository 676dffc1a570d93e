"""channel_users: people of channels whose ids are not Telegram's, keyed by (channel, id)

A WeChat user is known by an openid, a string per account. Every table keys people by an
integer user id, which for Telegram is the Telegram id; a WeChat user gets the negative of
this table's row id, so the two never meet and no existing row changes: Telegram
candidates, their steps, outbox rows and staff roles stay exactly as they are.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.base import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_users",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True, autoincrement=True,
        ),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint(
            "channel", "external_id", name="uq_channel_users_channel_external_id"
        ),
        sqlite_autoincrement=True,  # never reuse a forgotten person's id
    )


def downgrade() -> None:
    op.drop_table("channel_users")
