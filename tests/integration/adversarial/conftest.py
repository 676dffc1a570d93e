"""Adversarial tests run the real dispatcher on each backend: SQLite, and PostgreSQL when
TEST_POSTGRES_URL is set (where NUL bytes and the like used to fail at the insert)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram import Bot, Dispatcher
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.channels.local_session import LocalSession
from bot.config import Settings
from bot.dispatcher import create_dispatcher
from bot.knowledge import Knowledge
from bot.texts import Texts
from tests.conftest import TOKEN
from tests.integration.conftest import FixedClock

# The staff tests' settings (ADMIN_IDS set) and staff member for 上海.
from tests.integration.staff.conftest import settings, staff_member  # noqa: F401


@pytest.fixture
def engine(any_migrated_engine: AsyncEngine) -> AsyncEngine:
    """A migrated database on each backend."""
    return any_migrated_engine


@pytest.fixture
async def redis_bot(
    redis_url: str, tmp_path: Path, session_pool: async_sessionmaker[AsyncSession],
    texts: Texts, knowledge: Knowledge, clock: FixedClock,
) -> AsyncIterator[tuple[Dispatcher, Bot, LocalSession]]:
    """The real dispatcher with REDIS_URL set: Redis FSM storage and isolation, on the
    fixed clock inside the cycle (after it, no question waits for a region)."""
    dp = create_dispatcher(
        settings=Settings(_env_file=None, bot_token=None, redis_url=redis_url,
                          database_url=f"sqlite+aiosqlite:///{tmp_path}/unused.db"),
        session_pool=session_pool, knowledge=knowledge, texts=texts, clock=clock,
    )
    session = LocalSession()
    bot = Bot(TOKEN, session=session)
    yield dp, bot, session
    await bot.session.close()
    await dp.storage.close()
