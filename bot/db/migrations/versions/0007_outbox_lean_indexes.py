"""outbox: drop the (user_id, state) index, keep reminders out of the broadcast id index

Every outbox insert maintained five indexes. A candidate's rows are found through the
unique (user_id, dedupe_key) index as well, and only broadcast copies have a broadcast id.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_HAS_BROADCAST = sa.text("broadcast_id IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_outbox_user_state", table_name="outbox")
    op.drop_index("ix_outbox_broadcast_id", table_name="outbox")
    op.create_index(
        "ix_outbox_broadcast_id", "outbox", ["broadcast_id"],
        postgresql_where=_HAS_BROADCAST, sqlite_where=_HAS_BROADCAST,
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_broadcast_id", table_name="outbox")
    op.create_index("ix_outbox_broadcast_id", "outbox", ["broadcast_id"])
    op.create_index("ix_outbox_user_state", "outbox", ["user_id", "state"])
