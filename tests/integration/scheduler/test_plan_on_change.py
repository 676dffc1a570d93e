"""Planning on events: a candidate's change plans their reminders at once, not at the wave."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Dispatcher
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db.models import OutboxMessage, PlannerRun
from bot.db.outbox import PENDING
from bot.knowledge import Knowledge
from bot.texts import Texts
from handlers.done import CascadeAction
from scheduler.service import ReminderService
from tests.factories import USER_ID
from tests.fakes.delivery import FakeDelivery
from tests.integration.conftest import Chat, FixedClock


@pytest.fixture
async def delivery() -> FakeDelivery:
    return FakeDelivery()


@pytest.fixture
async def service(
    dp: Dispatcher,
    settings: Settings,
    session_pool: async_sessionmaker[AsyncSession],
    knowledge: Knowledge,
    texts: Texts,
    clock: FixedClock,
    delivery: FakeDelivery,
) -> AsyncIterator[ReminderService]:
    """The reminder engine attached to the dispatcher, its jobs not ticking: tests tick it."""
    service = ReminderService(
        settings=settings, session_pool=session_pool, knowledge=knowledge, texts=texts,
        delivery=delivery, clock=clock,
    )
    service.attach(dp)
    yield service
    await service.stop()


async def _count(pool: async_sessionmaker[AsyncSession], model: type[object]) -> int:
    async with pool() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _beijing_review_done(chat: Chat) -> None:
    """Set the region to Beijing and mark review done, with every step before it."""
    await chat.send("/region 北京")
    await chat.send("/done review")
    await chat.press(CascadeAction(step="review", earlier=True).pack())


async def test_region_then_done_sends_the_due_reminder_within_one_sender_tick(
    chat: Chat, service: ReminderService, delivery: FakeDelivery
) -> None:
    # 30 Jan 2024, 10:00 in Shanghai: Beijing's online payment window is open.
    await chat.send("/start")
    await _beijing_review_done(chat)
    await service.send()  # one sender tick
    texts = delivery.texts(USER_ID)
    assert len(texts) == 1
    assert "缴费" in texts[0] and "现在可以办理了" in texts[0]
    assert await _count(chat.session_pool, PlannerRun) == 0  # no planner wave ran


async def test_stop_plans_nothing_and_resume_plans_at_once(
    chat: Chat, service: ReminderService, delivery: FakeDelivery
) -> None:
    await chat.send("/stop")
    await _beijing_review_done(chat)
    await service.send()
    assert delivery.texts(USER_ID) == []
    await chat.send("/resume")
    async with chat.session_pool() as session:
        pending = (await session.scalars(
            select(OutboxMessage.dedupe_key).where(OutboxMessage.state == PENDING)
        )).all()
    assert pending == ["pay:open:20240129"]


async def test_changes_without_a_reminder_engine_plan_nothing(chat: Chat) -> None:
    await chat.send("/region 北京")
    await chat.send("/done submit")
    assert await _count(chat.session_pool, OutboxMessage) == 0
