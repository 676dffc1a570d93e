"""outbox: sending_at and possible_duplicate, so a crash between a send and its record shows

A sender marks a claimed row `sending_at` just before it hands the message to the channel and
clears the mark when it records the outcome. A row whose lease ran out with the mark still
set belonged to a sender that died after the channel may have delivered it: it goes back to
pending as a possible duplicate, and the broadcast report and a metric count it when it is
sent again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.base import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("sending_at", UTCDateTime(), nullable=True))
    op.add_column(
        "outbox",
        sa.Column(
            "possible_duplicate", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
    )


def downgrade() -> None:
    op.drop_column("outbox", "possible_duplicate")
    op.drop_column("outbox", "sending_at")
