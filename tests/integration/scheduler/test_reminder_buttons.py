"""The buttons under a reminder, through the real dispatcher."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.db.models import Candidate, CandidateStep, OutboxMessage
from bot.db.outbox import CANCELLED, PENDING, NewMessage, OutboxRepo
from bot.reminders import action_data
from tests.factories import USER_ID
from tests.integration.conftest import Chat

NOW = datetime(2024, 2, 5, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, pay window open


async def _candidate_with_reminders(chat: Chat) -> None:
    async with chat.session_pool.begin() as session:
        session.add(Candidate(user_id=USER_ID, language="zh", region="beijing",
                              is_returning=False, created_at=NOW, updated_at=NOW))
        await session.flush()
        await OutboxRepo(session).add(
            [
                NewMessage(user_id=USER_ID, occasion="closing", dedupe_key="pay:closing",
                           due_at=NOW, step="pay"),
                NewMessage(user_id=USER_ID, occasion="open", dedupe_key="ticket:open",
                           due_at=NOW, step="ticket"),
            ],
            now=NOW,
        )


async def test_reminder_done_button_marks_step_and_cancels_its_reminders(chat: Chat) -> None:
    await _candidate_with_reminders(chat)
    calls = await chat.press(action_data("done", "pay"))
    assert any("缴费" in str(getattr(c, "text", "")) for c in calls)
    async with chat.session_pool() as session:
        steps = (await session.scalars(select(CandidateStep.step))).all()
        states = dict((await session.execute(
            select(OutboxMessage.step, OutboxMessage.state)
        )).all())
    assert steps == ["pay"]
    assert states == {"pay": CANCELLED, "ticket": PENDING}


async def test_reminder_snooze_button_plans_tomorrow_morning(chat: Chat) -> None:
    await _candidate_with_reminders(chat)
    chat.dp["clock"] = lambda: NOW
    await chat.press(action_data("snooze", "pay"))
    async with chat.session_pool() as session:
        snoozed = (await session.scalars(
            select(OutboxMessage).where(OutboxMessage.occasion == "snooze")
        )).one()
    assert snoozed.step == "pay"
    assert snoozed.due_at == datetime(2024, 2, 6, 1, 0, tzinfo=UTC)  # 09:00 Shanghai
    assert snoozed.expires_at == datetime(2024, 2, 8, 16, 0, tzinfo=UTC)
