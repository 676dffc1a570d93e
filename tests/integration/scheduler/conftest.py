"""Fixtures for the reminder engine: a migrated database on each backend, candidate builders."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db.engine import create_session_pool
from bot.db.models import Candidate, CandidateStep

# Tuesday 30 Jan 2024, 10:00 in Shanghai: the online payment window (29 Jan - 8 Feb) is open.
from tests.factories import NOW


@pytest.fixture
def pool(any_migrated_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A migrated database (SQLite, and PostgreSQL when given) and its session pool."""
    return create_session_pool(any_migrated_engine)


async def add_candidate(
    pool: async_sessionmaker[AsyncSession],
    user_id: int,
    *,
    region: str | None = "beijing",
    returning: bool | None = False,
    done: Iterable[str] = (),
    language: str | None = "zh",
    enabled: bool = True,
    blocked: bool = False,
) -> None:
    """Insert a candidate with the steps they reported done."""
    async with pool.begin() as session:
        session.add(
            Candidate(
                user_id=user_id, language=language, region=region, is_returning=returning,
                reminders_enabled=enabled, blocked=blocked, created_at=NOW, updated_at=NOW,
            )
        )
        await session.flush()
        steps = [{"user_id": user_id, "step": s, "done_at": NOW} for s in done]
        if steps:
            await session.execute(insert(CandidateStep), steps)
