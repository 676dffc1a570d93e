"""The decisions inside OutboxRepo.claim, without a database: which rows, what a claim
writes, in which order claimed rows go out."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.dialects import sqlite

from bot.db.models import OutboxMessage
from bot.db.outbox import (
    BROADCAST,
    CLAIMED,
    PRIORITY_BROADCAST,
    PRIORITY_URGENT,
    REMINDER,
    ClaimedMessage,
    Due,
    claim_values,
    in_send_order,
)
from tests.factories import NOW

ROW = ClaimedMessage(
    id=1, user_id=7, kind=REMINDER, step="pay", occasion="open", event_date=None,
    payload=None, attempts=0, due_at=NOW, expires_at=None, broadcast_id=None, priority=10,
    urgent=False,
)


def _where(due: Due) -> str:
    stmt = select(OutboxMessage.id).where(*due.conditions(OutboxMessage))
    return str(stmt.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))


def test_claim_due_takes_pending_rows_of_the_kind_due_by_now() -> None:
    where = _where(Due(now=NOW, kind=BROADCAST))
    assert "outbox.state = 'pending'" in where
    assert "outbox.kind = 'broadcast'" in where
    assert "outbox.due_at <=" in where
    assert "urgent" not in where


def test_claim_due_in_quiet_hours_takes_urgent_rows_only() -> None:
    assert "outbox.urgent IS 1" in _where(Due(now=NOW, kind=REMINDER, urgent_only=True))


def test_claim_values_lease_the_rows_to_the_token() -> None:
    values = claim_values(now=NOW, lease=timedelta(minutes=2), token="t1")
    assert values == {
        "state": CLAIMED, "claim_token": "t1", "lease_until": NOW + timedelta(minutes=2),
        "updated_at": NOW,
    }


def test_claim_in_send_order_puts_priority_then_age_then_id() -> None:
    older = replace(ROW, id=9, due_at=NOW - timedelta(hours=1))
    urgent = replace(ROW, id=8, priority=PRIORITY_URGENT)
    broadcast = replace(ROW, id=2, priority=PRIORITY_BROADCAST, due_at=NOW - timedelta(days=1))
    same_time_later_id = replace(ROW, id=5)
    rows = [broadcast, same_time_later_id, ROW, urgent, older]
    assert [r.id for r in in_send_order(rows)] == [8, 9, 1, 5, 2]
