"""The planner against a real database: once, only when it matters, after downtime, racing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import OutboxMessage
from bot.db.outbox import CANCELLED, EXPIRED, PENDING, OutboxRepo
from notices import SHANGHAI, load_knowledge_base
from scheduler.planner import Planner
from scheduler.rules import load_rules
from tests.integration.scheduler.conftest import add_candidate

KB = load_knowledge_base()
RULES = load_rules()
BEFORE_PAY = frozenset({"register", "wechat", "submit", "confirm", "review"})


def at(local: str) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=SHANGHAI).astimezone(UTC)


def planner(pool: async_sessionmaker[AsyncSession], **kwargs: object) -> Planner:
    engine = pool.kw["bind"]
    return Planner(engine, lambda: KB, RULES, **kwargs)  # type: ignore[arg-type]


async def rows(pool: async_sessionmaker[AsyncSession]) -> list[tuple[int, str, str, str]]:
    async with pool() as session:
        result = await session.execute(
            select(OutboxMessage.user_id, OutboxMessage.dedupe_key, OutboxMessage.state,
                   OutboxMessage.occasion).order_by(OutboxMessage.user_id, OutboxMessage.id)
        )
        return [(r[0], r[1], r[2], r[3]) for r in result]


async def test_planner_inserts_due_reminders_once(pool: async_sessionmaker[AsyncSession]) -> None:
    for user_id in (1, 2, 3):
        await add_candidate(pool, user_id, done=BEFORE_PAY)
    await add_candidate(pool, 4, region="shanxi", done=BEFORE_PAY)  # pays per local notice
    first = await planner(pool).run(at("2024-01-29 10:00"))
    second = await planner(pool).run(at("2024-01-29 10:05"))
    assert first.inserted == 3
    assert second.inserted == 0
    assert first.groups == 2
    assert await rows(pool) == [
        (u, "pay:open:20240129", PENDING, "open") for u in (1, 2, 3)
    ]


async def test_planner_plans_nothing_for_stopped_blocked_or_done(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    await add_candidate(pool, 1, done=BEFORE_PAY, enabled=False)
    await add_candidate(pool, 2, done=BEFORE_PAY, blocked=True)
    await add_candidate(pool, 3, done=BEFORE_PAY | {"pay"})
    await add_candidate(pool, 4, done=BEFORE_PAY)
    report = await planner(pool).run(at("2024-02-08 10:00"))
    assert report.inserted == 1
    assert await rows(pool) == [(4, "pay:last_day:20240208", PENDING, "last_day")]


async def test_planner_plans_nothing_once_the_window_closed(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    await add_candidate(pool, 1, done=BEFORE_PAY)
    report = await planner(pool).run(at("2024-02-09 09:00"))
    assert report.inserted == 0


async def test_planner_catches_up_after_downtime_and_drops_what_lapsed(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    await add_candidate(pool, 1, done=BEFORE_PAY)
    await add_candidate(pool, 2, done=BEFORE_PAY)
    await planner(pool).run(at("2024-01-29 10:00"))  # "open" queued for both
    async with pool.begin() as session:  # candidate 2's went out before the crash
        await session.execute(
            OutboxMessage.__table__.update()
            .where(OutboxMessage.user_id == 2)
            .values(state="sent")
        )
    # Down from 29 Jan until 8 Feb 10:00: "open" and "closing" lapsed; "last_day" still counts.
    report = await planner(pool).run(at("2024-02-08 10:00"))
    assert report.expired == 1  # candidate 1's queued "open"
    assert report.missed == 2  # "closing" for both, never planned
    assert report.inserted == 2
    assert await rows(pool) == [
        (1, "pay:open:20240129", EXPIRED, "open"),
        (1, "pay:last_day:20240208", PENDING, "last_day"),
        (2, "pay:open:20240129", "sent", "open"),
        (2, "pay:last_day:20240208", PENDING, "last_day"),
    ]
    again = await planner(pool).run(at("2024-02-08 10:01"))
    assert (again.inserted, again.expired, again.missed) == (0, 0, 0)


async def test_planner_concurrent_runs_insert_each_reminder_once(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    for user_id in range(1, 41):
        await add_candidate(pool, user_id, done=BEFORE_PAY if user_id % 2 else {"pay"})
    now = at("2024-02-05 09:30")
    reports = await asyncio.gather(
        planner(pool, chunk_size=7, use_lock=False).run(now),
        planner(pool, chunk_size=5, use_lock=False).run(now),
        planner(pool).run(now),
    )
    async with pool() as session:
        count = await session.scalar(select(func.count()).select_from(OutboxMessage))
    assert count == 20
    assert sum(r.inserted for r in reports) == 20


async def test_planner_done_step_cancels_its_pending_rows(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    await add_candidate(pool, 1, done=BEFORE_PAY)
    await planner(pool).run(at("2024-02-05 09:30"))
    async with pool.begin() as session:
        assert await OutboxRepo(session).cancel_pending(user_id=1, steps=["pay"]) == 1
    assert [r[2] for r in await rows(pool)] == [CANCELLED]


async def test_planner_lookahead_queues_rows_due_before_the_next_tick(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    await add_candidate(pool, 1, done=BEFORE_PAY)
    report = await planner(pool, horizon=timedelta(minutes=5)).run(at("2024-01-29 08:56"))
    assert report.inserted == 1
    async with pool() as session:
        due_at = await session.scalar(select(OutboxMessage.due_at))
    assert due_at == at("2024-01-29 09:00")


async def test_planner_parallel_ranges_insert_each_reminder_once(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    for user_id in range(1, 41):
        await add_candidate(pool, user_id, done=BEFORE_PAY if user_id % 2 else {"pay"})
    report = await planner(pool, chunk_size=4, parallel=3).run(at("2024-02-05 09:30"))
    assert report.inserted == 20
    assert report.chunks >= 10
    assert len({user for user, *_ in await rows(pool)}) == 20
