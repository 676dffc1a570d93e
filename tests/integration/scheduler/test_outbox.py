"""The outbox repository: insert once, claim atomically under a lease, cancel, record."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, inspect, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db.migrate import downgrade, upgrade
from bot.db.models import DeliveryAttempt, OutboxMessage
from bot.db.outbox import (
    CANCELLED,
    CLAIMED,
    PENDING,
    SENT,
    Attempt,
    NewMessage,
    OutboxRepo,
)
from tests.factories import NOW
from tests.integration.scheduler.conftest import add_candidate

LEASE = timedelta(seconds=30)


def _msg(user_id: int, key: str = "pay:open", *, step: str = "pay") -> NewMessage:
    return NewMessage(user_id=user_id, occasion=key.split(":")[1], dedupe_key=key,
                      due_at=NOW, step=step)


async def test_outbox_migration_up_down_up(any_engine: AsyncEngine) -> None:
    await upgrade(any_engine)
    await downgrade(any_engine, "0002")
    async with any_engine.connect() as conn:
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    assert "outbox" not in tables
    assert "delivery_attempts" not in tables
    await upgrade(any_engine)
    async with any_engine.connect() as conn:
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    assert {"outbox", "delivery_attempts", "planner_runs"} <= tables


async def test_outbox_add_skips_duplicates(pool: async_sessionmaker[AsyncSession]) -> None:
    await add_candidate(pool, 1)
    async with pool.begin() as session:
        assert await OutboxRepo(session).add([_msg(1), _msg(1)], now=NOW) == 1
    async with pool.begin() as session:
        assert await OutboxRepo(session).add([_msg(1), _msg(1, "pay:closing")], now=NOW) == 1
    async with pool() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 2


async def test_outbox_claim_takes_each_row_once(pool: async_sessionmaker[AsyncSession]) -> None:
    for user_id in range(1, 11):
        await add_candidate(pool, user_id)
    async with pool.begin() as session:
        await OutboxRepo(session).add(
            [_msg(u, k) for u in range(1, 11) for k in ("pay:open", "ticket:open")], now=NOW
        )

    async def sender(token: str) -> list[int]:
        taken: list[int] = []
        while True:
            async with pool.begin() as session:
                rows = await OutboxRepo(session).claim(
                    now=NOW, kind="reminder", limit=3, lease=LEASE, token=token
                )
            if not rows:
                return taken
            taken += [r.id for r in rows]

    results = await asyncio.gather(*(sender(f"t{i}") for i in range(4)))
    ids = [i for batch in results for i in batch]
    assert len(ids) == len(set(ids)) == 20


async def test_outbox_claim_takes_all_due_rows_of_a_candidate(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    await add_candidate(pool, 1)
    async with pool.begin() as session:
        await OutboxRepo(session).add([_msg(1, "pay:open"), _msg(1, "ticket:open")], now=NOW)
    async with pool.begin() as session:
        rows = await OutboxRepo(session).claim(
            now=NOW, kind="reminder", limit=1, lease=LEASE, token="t"
        )
    assert len(rows) == 2


async def test_outbox_lease_expiry_lets_another_sender_reclaim(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    await add_candidate(pool, 1)
    async with pool.begin() as session:
        repo = OutboxRepo(session)
        await repo.add([_msg(1)], now=NOW)
        assert len(await repo.claim(now=NOW, kind="reminder", limit=5, lease=LEASE, token="a"))
    async with pool.begin() as session:
        repo = OutboxRepo(session)
        assert await repo.recover(now=NOW + LEASE / 2) == 0
        assert await repo.claim(now=NOW, kind="reminder", limit=5, lease=LEASE, token="b") == []
        assert await repo.recover(now=NOW + LEASE * 2) == 1
        rows = await repo.claim(now=NOW + LEASE * 2, kind="reminder", limit=5, lease=LEASE,
                                token="b")
        assert len(rows) == 1
        # The dead sender's late report no longer counts: the row belongs to claim b.
        assert await repo.finish([rows[0].id], token="a", state=SENT, now=NOW) == 0
        assert await repo.finish([rows[0].id], token="b", state=SENT, now=NOW) == 1


async def test_outbox_cancel_pending_only_touches_that_step(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    await add_candidate(pool, 1)
    async with pool.begin() as session:
        repo = OutboxRepo(session)
        await repo.add([_msg(1, "pay:open"), _msg(1, "ticket:open", step="ticket")], now=NOW)
        assert await repo.cancel_pending(user_id=1, steps=["pay"]) == 1
    async with pool() as session:
        rows = await session.execute(select(OutboxMessage.step, OutboxMessage.state))
        states = {row[0]: row[1] for row in rows}
    assert states == {"pay": CANCELLED, "ticket": PENDING}


async def test_outbox_rows_go_when_the_candidate_is_forgotten(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    await add_candidate(pool, 1)
    async with pool.begin() as session:
        repo = OutboxRepo(session)
        await repo.add([_msg(1)], now=NOW)
        [row] = await repo.claim(now=NOW, kind="reminder", limit=1, lease=LEASE, token="t")
        await repo.record_attempts([Attempt(row.id, 1, 1, NOW, "ok")])
    async with pool.begin() as session:
        from bot.db.repo import CandidateRepo

        await CandidateRepo(session).delete(1)
    async with pool() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        assert await session.scalar(select(func.count()).select_from(DeliveryAttempt)) == 0


async def test_outbox_depth_counts_states(pool: async_sessionmaker[AsyncSession]) -> None:
    await add_candidate(pool, 1)
    async with pool.begin() as session:
        repo = OutboxRepo(session)
        await repo.add([_msg(1, "pay:open"), _msg(1, "pay:closing")], now=NOW)
        await repo.claim(now=NOW, kind="reminder", limit=1, lease=LEASE, token="t")
        depth = await repo.depth()
    assert depth[CLAIMED] == 2
    assert depth[PENDING] == 0
