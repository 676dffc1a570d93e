"""candidates.done_mask: the steps done as a bit mask, kept by triggers on candidate_steps

The planner groups candidates by region, returning flag and steps done. It used to aggregate
every candidate's steps twice per run (to find the groups, then to join them to the due set);
with the mask on the candidate's row, both are one scan of `candidates`.

Bit i stands for the i-th step of notices.STEP_ORDER. The list below is that order as this
migration wrote it; tests/integration/test_done_mask.py checks that it still is. A step added
to or moved in STEP_ORDER needs a new migration that rewrites the triggers and recomputes the
column.

The triggers set or clear one bit from the row as it is now (`done_mask | bit`), never from
a recount of candidate_steps: on PostgreSQL two transactions marking two steps of one
candidate at once would each recount without the other's step, and the second would erase
the first's bit. A batch operation that rebuilds `candidates` or `candidate_steps` on SQLite
drops their triggers; such a migration has to create them again.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

STEPS = ("register", "wechat", "submit", "confirm", "review", "pay", "ticket", "exam", "score")


def step_bit(column: str) -> str:
    """SQL for the bit of the step named in `column` (0 for a step not in STEPS)."""
    whens = " ".join(f"WHEN '{step}' THEN {1 << i}" for i, step in enumerate(STEPS))
    return f"(CASE {column} {whens} ELSE 0 END)"


def _set(row: str) -> str:
    return (
        f"UPDATE candidates SET done_mask = done_mask | {step_bit(row + '.step')} "
        f"WHERE user_id = {row}.user_id;"
    )


def _clear(row: str) -> str:
    return (
        f"UPDATE candidates SET done_mask = done_mask & ~{step_bit(row + '.step')} "
        f"WHERE user_id = {row}.user_id;"
    )


_POSTGRES = [
    f"""
    CREATE FUNCTION candidate_steps_done_mask() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            {_clear("OLD")}
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            {_set("NEW")}
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER candidate_steps_done_mask
    AFTER INSERT OR DELETE OR UPDATE OF user_id, step ON candidate_steps
    FOR EACH ROW EXECUTE FUNCTION candidate_steps_done_mask()
    """,
]

_SQLITE = [
    f"""
    CREATE TRIGGER candidate_steps_done_mask_insert AFTER INSERT ON candidate_steps
    BEGIN {_set("NEW")} END
    """,
    f"""
    CREATE TRIGGER candidate_steps_done_mask_delete AFTER DELETE ON candidate_steps
    BEGIN {_clear("OLD")} END
    """,
    f"""
    CREATE TRIGGER candidate_steps_done_mask_update AFTER UPDATE OF user_id, step
    ON candidate_steps
    BEGIN {_clear("OLD")} {_set("NEW")} END
    """,
]


def upgrade() -> None:
    op.add_column(
        "candidates",
        sa.Column("done_mask", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )
    for statement in _POSTGRES if op.get_context().dialect.name == "postgresql" else _SQLITE:
        op.execute(statement)
    op.execute(
        "UPDATE candidates SET done_mask = COALESCE((SELECT SUM("
        f"{step_bit('candidate_steps.step')}) FROM candidate_steps "
        "WHERE candidate_steps.user_id = candidates.user_id), 0)"
    )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER candidate_steps_done_mask ON candidate_steps")
        op.execute("DROP FUNCTION candidate_steps_done_mask()")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER candidate_steps_done_mask_{name}")
    # Not a batch operation: on SQLite it would copy `candidates` and drop the original, and
    # with foreign keys on, dropping it deletes every candidate's steps and outbox rows.
    # SQLite drops a column in place since 3.35.
    op.execute("ALTER TABLE candidates DROP COLUMN done_mask")
