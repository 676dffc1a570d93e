"""The sender with a scripted channel: digests, re-checks at send time, caps, retries."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Candidate, DeliveryAttempt, OutboxMessage
from bot.db.outbox import BROADCAST, PRIORITY_BROADCAST, NewMessage, OutboxRepo
from bot.reminders import action_data
from bot.texts import Locale, Texts
from notices import SHANGHAI, load_knowledge_base
from scheduler.compose import Composer, Recipient
from scheduler.delivery import DeliveryResult, Outcome, Outgoing
from scheduler.limiter import MemoryRateLimiter
from scheduler.planner import Planner
from scheduler.rules import load_rules
from scheduler.sender import Job, Sender, SenderConfig, SendReport
from tests.fakes.delivery import FakeDelivery
from tests.integration.conftest import FixedClock
from tests.integration.scheduler.conftest import add_candidate

KB = load_knowledge_base()
TEXTS = Texts()
BEFORE_PAY = frozenset({"register", "wechat", "submit", "confirm", "review"})


def at(local: str) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=SHANGHAI).astimezone(UTC)


def make_sender(
    pool: async_sessionmaker[AsyncSession], clock: FixedClock, delivery: FakeDelivery,
    **config: object,
) -> Sender:
    return Sender(
        pool, delivery, MemoryRateLimiter(10_000, per_chat_interval=0.0),
        Composer(TEXTS, lambda: KB), config=SenderConfig(**config),  # type: ignore[arg-type]
        clock=clock,
    )


async def plan(pool: async_sessionmaker[AsyncSession], now: datetime) -> None:
    await Planner(pool.kw["bind"], lambda: KB, load_rules()).run(now)


async def states(pool: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with pool() as session:
        return (await OutboxRepo(session).depth()).by_state


async def test_sender_sends_one_digest_per_candidate(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    await add_candidate(pool, 1)
    await add_candidate(pool, 2, language="en")
    now = at("2023-12-01 09:00")
    await plan(pool, now)  # register, wechat and submit open together
    delivery = FakeDelivery()
    report = await make_sender(pool, FixedClock(now), delivery).drain()
    assert report.sent == 2
    [zh] = delivery.sent[:1] if delivery.sent[0].chat_id == 1 else delivery.sent[1:]
    assert "注册" in zh.text and "提交报名信息" in zh.text and "21wecan.com" in zh.text
    datas = [b.data for row in zh.buttons for b in row if b.data]
    assert action_data("done", "register") in datas
    assert action_data("snooze", "submit") in datas
    assert any(b.url == "https://www.21wecan.com/" for row in zh.buttons for b in row)
    assert "Register" in delivery.texts(2)[0]
    assert await states(pool) == {"sent": 6}
    assert await make_sender(pool, FixedClock(now), delivery).drain() == type(report)()


async def test_sender_rechecks_the_candidate_at_send_time(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    for user_id in (1, 2, 3, 4):
        await add_candidate(pool, user_id, done=BEFORE_PAY)
    now = at("2024-02-05 10:00")
    await plan(pool, now)
    async with pool.begin() as session:
        await session.execute(
            Candidate.__table__.update().where(Candidate.user_id == 1).values(
                reminders_enabled=False
            )
        )
        await session.execute(
            Candidate.__table__.update().where(Candidate.user_id == 2).values(blocked=True)
        )
        from bot.db.models import CandidateStep

        session.add(CandidateStep(user_id=3, step="pay", done_at=now))
    delivery = FakeDelivery()
    report = await make_sender(pool, FixedClock(now), delivery).drain()
    assert [m.chat_id for m in delivery.sent] == [4]
    assert report.cancelled == 3


async def test_sender_daily_cap_holds_the_rest_until_morning(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    await add_candidate(pool, 1)
    now = at("2024-02-05 10:00")
    async with pool.begin() as session:
        await OutboxRepo(session).add(
            [NewMessage(user_id=1, occasion="x", dedupe_key=f"b:{i}", due_at=now,
                        kind="reminder", step=None) for i in range(2)],
            now=now,
        )
    clock = FixedClock(now)
    delivery = FakeDelivery()
    sender = make_sender(pool, clock, delivery, daily_cap=1)
    await sender.drain()
    assert len(delivery.sent) == 1  # the two rows went as one digest
    async with pool.begin() as session:
        await OutboxRepo(session).add(
            [NewMessage(user_id=1, occasion="y", dedupe_key="b:late", due_at=now)], now=now
        )
    report = await sender.drain()
    assert report.deferred == 1
    assert len(delivery.sent) == 1
    clock.now = at("2024-02-06 09:00")
    await sender.drain()
    assert len(delivery.sent) == 2


async def test_sender_quiet_hours_hold_non_urgent_messages(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    await add_candidate(pool, 1)
    await add_candidate(pool, 2)
    night = at("2024-02-07 23:00")
    async with pool.begin() as session:
        await OutboxRepo(session).add(
            [
                NewMessage(user_id=1, occasion="closing", dedupe_key="a", due_at=night),
                NewMessage(user_id=2, occasion="last_day", dedupe_key="b", due_at=night,
                           urgent=True, priority=0),
            ],
            now=night,
        )
    clock = FixedClock(night)
    delivery = FakeDelivery()
    await make_sender(pool, clock, delivery).drain()
    assert [m.chat_id for m in delivery.sent] == [2]
    clock.now = at("2024-02-08 08:00")
    await make_sender(pool, clock, delivery).drain()
    assert [m.chat_id for m in delivery.sent] == [2, 1]


async def test_sender_retries_server_errors_then_dead_letters(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    await add_candidate(pool, 1)
    await add_candidate(pool, 2)
    now = at("2024-02-05 10:00")
    async with pool.begin() as session:
        await OutboxRepo(session).add(
            [NewMessage(user_id=u, occasion="x", dedupe_key="k", due_at=now) for u in (1, 2)],
            now=now,
        )
    delivery = FakeDelivery()
    delivery.fail(1, DeliveryResult(Outcome.SERVER_ERROR), DeliveryResult(Outcome.TIMEOUT))
    delivery.fail(2, *[DeliveryResult(Outcome.SERVER_ERROR)] * 3)
    clock = FixedClock(now)
    sender = make_sender(pool, clock, delivery, max_attempts=3, backoff_base=1.0)
    for _ in range(4):
        await sender.drain()
        clock.now += timedelta(seconds=10)
    assert [m.chat_id for m in delivery.sent] == [1]
    async with pool() as session:
        failed = (await session.execute(
            select(OutboxMessage.user_id, OutboxMessage.state, OutboxMessage.last_error)
            .where(OutboxMessage.state != "sent")
        )).all()
        attempts = await session.scalar(select(func.count()).select_from(DeliveryAttempt))
    assert [(r[0], r[1]) for r in failed] == [(2, "failed")]
    assert failed[0][2].startswith("server_error")
    assert attempts == 6


async def test_sender_blocked_candidate_is_marked_and_loses_pending_rows(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    await add_candidate(pool, 1)
    now = at("2024-02-05 10:00")
    async with pool.begin() as session:
        await OutboxRepo(session).add(
            [
                NewMessage(user_id=1, occasion="x", dedupe_key="now", due_at=now),
                NewMessage(user_id=1, occasion="x", dedupe_key="later",
                           due_at=now + timedelta(days=1)),
            ],
            now=now,
        )
    delivery = FakeDelivery()
    delivery.fail(1, DeliveryResult(Outcome.BLOCKED, detail="Forbidden: bot was blocked"))
    report = await make_sender(pool, FixedClock(now), delivery).drain()
    assert report.blocked == 1
    async with pool() as session:
        blocked = await session.scalar(select(Candidate.blocked).where(Candidate.user_id == 1))
    assert blocked is True
    assert await states(pool) == {"failed": 1, "cancelled": 1}


async def test_sender_retry_after_pauses_and_retries(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    await add_candidate(pool, 1)
    now = at("2024-02-05 10:00")
    async with pool.begin() as session:
        await OutboxRepo(session).add(
            [NewMessage(user_id=1, occasion="x", dedupe_key="k", due_at=now)], now=now
        )
    delivery = FakeDelivery()
    delivery.fail(1, DeliveryResult(Outcome.RETRY_AFTER, retry_after=0.05))
    await make_sender(pool, FixedClock(now), delivery).drain()
    assert [a[1] for a in delivery.attempts] == [Outcome.RETRY_AFTER, Outcome.OK]
    assert delivery.attempts[1][2] - delivery.attempts[0][2] >= 0.04


@pytest.mark.parametrize("lead", ["reminder", "broadcast"])
async def test_sender_interleaves_broadcasts_with_reminders(
    pool: async_sessionmaker[AsyncSession], lead: str
) -> None:
    now = at("2024-02-05 10:00")
    for user_id in range(1, 21):
        await add_candidate(pool, user_id)
    async with pool.begin() as session:
        await OutboxRepo(session).add(
            [NewMessage(user_id=u, occasion="x", dedupe_key="r", due_at=now) for u in range(1, 21)]
            + [
                NewMessage(user_id=u, occasion="b", dedupe_key="b:1", due_at=now,
                           kind=BROADCAST, priority=PRIORITY_BROADCAST, broadcast_id=1,
                           payload={"text": "考区通知"})
                for u in range(1, 21)
            ],
            now=now,
        )
    delivery = FakeDelivery()
    sender = make_sender(pool, FixedClock(now), delivery, batch_size=10, concurrency=1)
    sender._turn = 0 if lead == "reminder" else 1
    await sender.drain(max_batches=1)
    kinds = {"broadcast" if m.text == "考区通知" else "reminder" for m in delivery.sent}
    assert kinds == {"reminder", "broadcast"}


class CountingTexts(Texts):
    def __init__(self) -> None:
        super().__init__()
        self.renders = 0

    def render(self, name: str, locale: Locale, /, **context: Any) -> str:
        self.renders += 1
        return super().render(name, locale, **context)


async def test_composer_renders_each_digest_once_per_wave(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    now = at("2024-02-05 10:00")
    for user_id in (1, 2, 3):
        await add_candidate(pool, user_id, done=BEFORE_PAY)
    await add_candidate(pool, 4, done=BEFORE_PAY, language="en")
    await plan(pool, now)
    async with pool.begin() as session:
        rows = await OutboxRepo(session).claim(
            now=now, kind="reminder", limit=10, lease=timedelta(minutes=1), token="t"
        )
    by_user = {row.user_id: [row] for row in rows}
    assert set(by_user) == {1, 2, 3, 4}
    texts, kb = CountingTexts(), [KB]
    composer = Composer(texts, lambda: kb[0])

    def compose(user_id: int, language: str) -> str:
        recipient = Recipient(user_id, language, "beijing", False)
        [message] = composer.compose(recipient, by_user[user_id], now)
        assert message.chat_id == user_id and message.buttons
        return message.text

    zh = [compose(user_id, "zh") for user_id in (1, 2, 3)]
    assert len(set(zh)) == 1 and texts.renders == 1
    assert "Pay" in compose(4, "en") and texts.renders == 2
    kb[0] = load_knowledge_base()  # a reload: nothing rendered from the old base is reused
    assert compose(1, "zh") == zh[0] and texts.renders == 3


@pytest.mark.slow
async def test_sender_claims_again_while_half_the_budget_is_still_queued(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    """Workers are never starved by a claim: it starts while others still wait to be sent."""
    now = at("2024-02-05 10:00")
    for user_id in range(1, 81):
        await add_candidate(pool, user_id, done=BEFORE_PAY)
    await plan(pool, now)

    class PacedDelivery(FakeDelivery):
        """A send that takes as long as a real one (tens of ms), so the claim's own query,
        however slow a loaded machine makes it, finishes before the queue runs dry."""

        async def deliver(self, message: Outgoing) -> DeliveryResult:
            await asyncio.sleep(0.02)
            return await super().deliver(message)

    delivery = PacedDelivery()
    sender = Sender(
        pool, delivery, MemoryRateLimiter(250, per_chat_interval=0.0),
        Composer(TEXTS, lambda: KB), config=SenderConfig(batch_size=20, concurrency=2),
        clock=FixedClock(now),
    )
    queued: list[int] = []
    claim = sender._claim

    async def recorded(report: SendReport, size: int) -> list[Job] | None:
        queued.append(sender._outstanding)
        return await claim(report, size)

    sender._claim = recorded  # type: ignore[method-assign]
    report = await sender.drain()
    assert report.sent == 80
    # Budget 22 (a batch and the workers): the next claim starts once 12 are left, not
    # when the workers and their queue hold the last 4.
    assert queued[0] == 0 and min(queued[1:]) >= 8, queued
