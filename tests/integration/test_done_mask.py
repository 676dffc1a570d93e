"""candidates.done_mask follows candidate_steps, by triggers, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import importlib.util
import random
from datetime import UTC, datetime
from types import ModuleType

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_session_pool
from bot.db.migrate import MIGRATIONS_DIR, downgrade, upgrade
from bot.db.models import Candidate, CandidateStep
from bot.db.repo import CandidateRepo
from notices import STEP_ORDER
from scheduler.rules import done_mask

NOW = datetime(2024, 2, 8, 2, 0, tzinfo=UTC)


def _migration() -> ModuleType:
    path = MIGRATIONS_DIR / "versions" / "0008_candidates_done_mask.py"
    spec = importlib.util.spec_from_file_location("migration_0008", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_triggers_number_the_steps_as_step_order_does() -> None:
    """The planner reads bit i as STEP_ORDER[i]; a reordered journey needs a new migration."""
    assert tuple(s.value for s in STEP_ORDER) == _migration().STEPS


async def _mask(engine: AsyncEngine, user_id: int) -> int | None:
    async with engine.connect() as conn:
        return await conn.scalar(select(Candidate.done_mask).where(Candidate.user_id == user_id))


async def _recount(engine: AsyncEngine, user_id: int) -> int:
    async with engine.connect() as conn:
        steps = await conn.scalars(
            select(CandidateStep.step).where(CandidateStep.user_id == user_id)
        )
        return done_mask(frozenset(steps))


async def test_marking_and_unmarking_each_step_sets_and_clears_its_bit(
    any_engine: AsyncEngine,
) -> None:
    await upgrade(any_engine)
    pool = create_session_pool(any_engine)
    async with pool.begin() as session:
        await CandidateRepo(session).load(1)
    assert await _mask(any_engine, 1) == 0
    done: set[str] = set()
    for step in STEP_ORDER:
        async with pool.begin() as session:
            assert await CandidateRepo(session).mark_done(1, step.value, NOW)
        done.add(step.value)
        assert await _mask(any_engine, 1) == done_mask(frozenset(done))
    for step in reversed(STEP_ORDER[::2]):
        async with pool.begin() as session:
            assert await CandidateRepo(session).unmark(1, step.value)
        done.discard(step.value)
        assert await _mask(any_engine, 1) == done_mask(frozenset(done))


async def test_a_rolled_back_mark_leaves_the_mask(any_engine: AsyncEngine) -> None:
    await upgrade(any_engine)
    pool = create_session_pool(any_engine)
    async with pool.begin() as session:
        await CandidateRepo(session).mark_done(1, "pay", NOW)
    async with pool() as session:
        await CandidateRepo(session).mark_done(1, "ticket", NOW)
        await session.rollback()
    assert await _mask(any_engine, 1) == done_mask(frozenset({"pay"}))


async def test_every_way_of_writing_steps_keeps_the_mask(any_engine: AsyncEngine) -> None:
    """New candidates with steps, bulk deletes, moved rows, unknown steps: mask == recount."""
    await upgrade(any_engine)
    pool = create_session_pool(any_engine)
    rng = random.Random(5)
    names = [s.value for s in STEP_ORDER]
    async with pool.begin() as session:
        for user_id in (1, 2, 3):
            session.add(
                Candidate(
                    user_id=user_id, created_at=NOW, updated_at=NOW,
                    steps=[CandidateStep(step=s, done_at=NOW) for s in rng.sample(names, 4)],
                )
            )
    async with pool.begin() as session:  # a step no migration knows counts for nothing
        session.add(CandidateStep(user_id=3, step="interview", done_at=NOW))
    async with pool.begin() as session:
        await session.execute(delete(CandidateStep).where(CandidateStep.user_id == 1))
    async with pool.begin() as session:  # a row moved to another candidate and step
        moved = (await session.scalars(
            select(CandidateStep).where(CandidateStep.user_id == 2).limit(1)
        )).one()
        free = sorted(set(names) - set(await session.scalars(
            select(CandidateStep.step).where(CandidateStep.user_id == 3)
        )))[0]
        await session.execute(
            update(CandidateStep)
            .where(CandidateStep.user_id == 2, CandidateStep.step == moved.step)
            .values(user_id=3, step=free)
        )
    for user_id in (1, 2, 3):
        assert await _mask(any_engine, user_id) == await _recount(any_engine, user_id)
    assert await _mask(any_engine, 1) == 0


async def test_forget_deletes_the_candidate_with_the_steps(any_engine: AsyncEngine) -> None:
    await upgrade(any_engine)
    pool = create_session_pool(any_engine)
    async with pool.begin() as session:
        await CandidateRepo(session).mark_done(1, "pay", NOW)
    async with pool.begin() as session:
        await CandidateRepo(session).delete(1)
    assert await _mask(any_engine, 1) is None
    async with any_engine.connect() as conn:
        assert await conn.scalar(select(CandidateStep.user_id)) is None


async def test_the_migration_computes_the_masks_of_existing_candidates(
    any_engine: AsyncEngine,
) -> None:
    await upgrade(any_engine, "0007")
    async with any_engine.begin() as conn:
        for user_id in (1, 2):
            await conn.execute(
                text(
                    "INSERT INTO candidates (user_id, created_at, updated_at) VALUES (:u, :t, :t)"
                ),
                {"u": user_id, "t": NOW},
            )
        for step in ("register", "wechat", "pay"):
            await conn.execute(
                text("INSERT INTO candidate_steps (user_id, step, done_at) VALUES (1, :s, :t)"),
                {"s": step, "t": NOW},
            )
    await upgrade(any_engine)
    assert await _mask(any_engine, 1) == done_mask(frozenset({"register", "wechat", "pay"}))
    assert await _mask(any_engine, 2) == 0


@pytest.mark.postgres
async def test_two_steps_marked_at_once_both_count(postgres_engine: AsyncEngine) -> None:
    """Each transaction's trigger sets its bit on the row as the other left it."""
    await upgrade(postgres_engine)
    pool = create_session_pool(postgres_engine)
    async with pool.begin() as session:
        await CandidateRepo(session).load(1)
    first, second = pool(), pool()
    try:
        await first.begin()
        await second.begin()
        assert await CandidateRepo(first).mark_done(1, "pay", NOW)
        # The second waits on the first's row lock, then sets its bit on the new row.
        marking = asyncio.ensure_future(CandidateRepo(second).mark_done(1, "ticket", NOW))
        await asyncio.sleep(0.2)
        assert not marking.done()
        await first.commit()
        assert await marking
        await second.commit()
    finally:
        await first.close()
        await second.close()
    assert await _mask(postgres_engine, 1) == done_mask(frozenset({"pay", "ticket"}))


async def test_downgrading_keeps_every_candidates_steps(any_engine: AsyncEngine) -> None:
    """Dropping the column must not rebuild `candidates`: on SQLite that deletes its children."""
    await upgrade(any_engine)
    pool = create_session_pool(any_engine)
    async with pool.begin() as session:
        await CandidateRepo(session).mark_done(1, "pay", NOW)
    await downgrade(any_engine, "0007")
    async with any_engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM candidate_steps")) == 1
    await upgrade(any_engine)
    assert await _mask(any_engine, 1) == done_mask(frozenset({"pay"}))
