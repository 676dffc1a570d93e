"""index candidates.updated_at, read every few seconds for language changes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_candidates_updated_at"), "candidates", ["updated_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_candidates_updated_at"), table_name="candidates")
