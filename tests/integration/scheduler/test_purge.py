"""Retention: finished reminders whose moment has passed are deleted; nothing comes back."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import metrics
from bot.config import Settings
from bot.db.engine import create_session_pool
from bot.db.migrate import upgrade
from bot.db.models import DeliveryAttempt, OutboxMessage, PlannerRun
from bot.db.outbox import (
    BROADCAST,
    CANCELLED,
    CLAIMED,
    EXPIRED,
    FAILED,
    PENDING,
    REMINDER,
    SENT,
    OutboxRepo,
)
from bot.jobs import JobRegistry
from bot.knowledge import Knowledge
from bot.texts import Texts
from scheduler.service import PURGE_JOB, PURGE_LOCK_ID, ReminderService
from tests.factories import NOW
from tests.fakes.delivery import FakeDelivery
from tests.integration.scheduler.conftest import add_candidate
from tests.integration.scheduler.test_planner import planner

RETENTION = timedelta(days=30)
DAY = timedelta(days=1)


async def _row(
    pool: async_sessionmaker[AsyncSession],
    key: str,
    *,
    state: str = SENT,
    touched: datetime,
    expires: datetime | None,
    kind: str = REMINDER,
) -> int:
    async with pool.begin() as session:
        row = OutboxMessage(
            user_id=1, kind=kind, priority=10, urgent=False, step="pay", occasion=key,
            dedupe_key=key, state=state, due_at=touched, expires_at=expires, attempts=1,
            created_at=touched, updated_at=touched, broadcast_id=7 if kind == BROADCAST else None,
        )
        session.add(row)
        await session.flush()
        session.add(
            DeliveryAttempt(
                outbox_id=row.id, user_id=1, attempt=1, at=touched, outcome="sent", duration_ms=1
            )
        )
        return row.id


async def _keys(pool: async_sessionmaker[AsyncSession]) -> set[str]:
    async with pool() as session:
        return set(await session.scalars(select(OutboxMessage.dedupe_key)))


def _service(pool: async_sessionmaker[AsyncSession], now: datetime) -> ReminderService:
    settings = Settings(_env_file=None, bot_token=None, outbox_retention_days=30)
    return ReminderService(
        settings=settings, session_pool=pool, knowledge=Knowledge.load(), texts=Texts(),
        delivery=FakeDelivery(), clock=lambda: now,
    )


async def _fill(pool: async_sessionmaker[AsyncSession]) -> set[str]:
    """One row of each kind around the retention line; return the keys that must stay."""
    await add_candidate(pool, 1)
    old, passed = NOW - RETENTION - 10 * DAY, NOW - RETENTION - 5 * DAY
    for state in (SENT, FAILED, CANCELLED, EXPIRED):
        await _row(pool, f"old-{state}", state=state, touched=old, expires=passed)
    await _row(pool, "old-no-expiry", touched=old, expires=None)
    await _row(pool, "old-pending", state=PENDING, touched=old, expires=passed)
    await _row(pool, "old-claimed", state=CLAIMED, touched=old, expires=passed)
    await _row(pool, "old-still-current", touched=old, expires=NOW + DAY)
    await _row(pool, "recent", touched=NOW - RETENTION + DAY, expires=NOW - DAY)
    await _row(pool, "old-broadcast", kind=BROADCAST, touched=old, expires=passed)
    return {"old-pending", "old-claimed", "old-still-current", "recent", "old-broadcast"}


async def test_purge_deletes_finished_reminders_whose_moment_passed(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    keep = await _fill(pool)

    async with pool.begin() as session:
        purged = await OutboxRepo(session).purge(before=NOW - RETENTION, now=NOW)

    assert purged == 5
    assert await _keys(pool) == keep
    async with pool() as session:  # the attempts went with their rows
        attempts = await session.scalar(select(func.count()).select_from(DeliveryAttempt))
    assert attempts == len(keep)


async def test_the_purge_job_goes_in_batches_and_keeps_the_latest_planner_run(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    keep = await _fill(pool)
    async with pool.begin() as session:
        for started in (NOW - 60 * DAY, NOW - 40 * DAY, NOW - DAY):
            session.add(PlannerRun(started_at=started, finished_at=started, planned_for=started))
    before = metrics.OUTBOX_PURGED._value.get()

    assert await _service(pool, NOW).purge(batch=2) == 5

    assert await _keys(pool) == keep
    assert metrics.OUTBOX_PURGED._value.get() - before == 5
    async with pool() as session:
        runs = list(await session.scalars(select(PlannerRun.started_at)))
    assert runs == [NOW - DAY]


async def test_the_newest_planner_run_stays_after_long_downtime(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    """The next planner run counts what was missed from it."""
    async with pool.begin() as session:
        for started in (NOW - 90 * DAY, NOW - 60 * DAY):
            session.add(PlannerRun(started_at=started, finished_at=started, planned_for=started))

    await _service(pool, NOW).purge()

    async with pool() as session:
        assert list(await session.scalars(select(PlannerRun.started_at))) == [NOW - 60 * DAY]


async def test_a_purged_reminder_is_not_planned_again(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    """Only rows whose occasion has lapsed go: the rest still stop the planner repeating them."""
    await add_candidate(pool, 1, done=["register", "wechat", "submit", "confirm", "review"])
    first = await planner(pool, use_lock=False).run(NOW)
    assert first.inserted >= 1
    later = NOW + timedelta(hours=1)
    async with pool.begin() as session:
        await session.execute(update(OutboxMessage).values(state=SENT, updated_at=NOW))
        # Everything finished before `later` counts as old here: only the moment protects.
        await OutboxRepo(session).purge(before=later, now=later)
    kept = await _keys(pool)
    assert kept, "a reminder whose occasion is still current must stay"

    again = await planner(pool, use_lock=False).run(later)

    assert again.inserted == 0
    assert await _keys(pool) == kept


async def test_the_purge_job_runs_hourly(pool: async_sessionmaker[AsyncSession]) -> None:
    service, jobs = _service(pool, NOW), JobRegistry()
    service.start(jobs)  # the registry not running: nothing ticks
    try:
        job = jobs.scheduler.get_job(PURGE_JOB)
        assert job is not None
        assert job.trigger.interval == timedelta(hours=1)
        assert job.max_instances == 1 and job.coalesce
    finally:
        await service.stop()


@pytest.mark.postgres
async def test_one_process_purges_at_a_time(postgres_engine: AsyncEngine) -> None:
    await upgrade(postgres_engine)
    pool = create_session_pool(postgres_engine)
    await _fill(pool)
    async with postgres_engine.connect() as other:  # another process, mid-purge
        await other.execute(text("SELECT pg_advisory_lock(:id)"), {"id": PURGE_LOCK_ID})
        assert await _service(pool, NOW).purge() == 0
        await other.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": PURGE_LOCK_ID})
    assert await _service(pool, NOW).purge() == 5
