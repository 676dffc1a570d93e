"""candidate progress: reminder switch, blocked flag, steps done

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.base import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("candidates") as batch:
        batch.add_column(
            sa.Column("reminders_enabled", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch.add_column(
            sa.Column("blocked", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "candidate_steps",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("done_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["candidates.user_id"],
            name=op.f("fk_candidate_steps_user_id_candidates"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "step", name=op.f("pk_candidate_steps")),
    )


def downgrade() -> None:
    op.drop_table("candidate_steps")
    with op.batch_alter_table("candidates") as batch:
        batch.drop_column("blocked")
        batch.drop_column("reminders_enabled")
