"""staff members and their regions, staff audit, stored region milestones, broadcasts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.base import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "staff_members",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("added_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_staff_members")),
    )
    op.create_table(
        "staff_regions",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["staff_members.user_id"],
            name=op.f("fk_staff_regions_user_id_staff_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "region", name=op.f("pk_staff_regions")),
    )
    op.create_table(
        "staff_audit",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_audit")),
    )
    op.create_index(op.f("ix_staff_audit_actor_id"), "staff_audit", ["actor_id"], unique=False)
    op.create_index(op.f("ix_staff_audit_at"), "staff_audit", ["at"], unique=False)
    op.create_table(
        "region_milestones",
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("note_zh", sa.String(length=500), nullable=False),
        sa.Column("note_en", sa.String(length=500), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("updated_by", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("region", "step", name=op.f("pk_region_milestones")),
    )
    op.create_table(
        "broadcasts",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("draft_key", sa.String(length=32), nullable=False),
        sa.Column("staff_id", sa.BigInteger(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("template", sa.String(length=4000), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("send_at", UTCDateTime(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("progress_message_id", sa.Integer(), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("progress_text", sa.String(length=4000), nullable=True),
        sa.Column("progress_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcasts")),
        sa.UniqueConstraint("draft_key", name=op.f("uq_broadcasts_draft_key")),
    )
    op.create_index(op.f("ix_broadcasts_staff_id"), "broadcasts", ["staff_id"], unique=False)
    op.create_index(op.f("ix_broadcasts_state"), "broadcasts", ["state"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_broadcasts_state"), table_name="broadcasts")
    op.drop_index(op.f("ix_broadcasts_staff_id"), table_name="broadcasts")
    op.drop_table("broadcasts")
    op.drop_table("region_milestones")
    op.drop_index(op.f("ix_staff_audit_at"), table_name="staff_audit")
    op.drop_index(op.f("ix_staff_audit_actor_id"), table_name="staff_audit")
    op.drop_table("staff_audit")
    op.drop_table("staff_regions")
    op.drop_table("staff_members")
