"""The dispatcher registers every job in the one registry, starts and stops them with itself
(the registry alone: tests/unit/test_job_registry.py)."""

from __future__ import annotations

from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import jobs as registry_module
from bot.config import Settings
from bot.dispatcher import create_dispatcher
from bot.jobs import JOBS_KEY, JobRegistry
from bot.knowledge import Knowledge
from bot.texts import Texts
from tests.conftest import TOKEN
from tests.fakes.delivery import FakeDelivery
from tests.fakes.faulty_session import FaultySession
from tests.integration.conftest import FixedClock
from tests.unit.test_job_registry import EVERY_JOB


async def test_the_dispatcher_registers_every_job_in_the_one_registry(
    session_pool: async_sessionmaker[AsyncSession], knowledge: Knowledge, texts: Texts
) -> None:
    settings = Settings(_env_file=None, bot_token=TOKEN, database_url="sqlite+aiosqlite://")
    dp = create_dispatcher(settings=settings, session_pool=session_pool, knowledge=knowledge,
                           texts=texts, clock=FixedClock())
    bot = Bot(TOKEN, session=FaultySession())
    lifecycle = {"bot": bot, "dispatcher": dp, "delivery": FakeDelivery(), **dp.workflow_data}
    registry: JobRegistry = dp[JOBS_KEY]
    await dp.emit_startup(**lifecycle)
    try:
        assert set(registry.ids()) == EVERY_JOB
        assert registry.scheduler.running
    finally:
        await dp.emit_shutdown(**lifecycle)
        await bot.session.close()

    assert registry.ids() == []
    # The registry's docstring is the list a newcomer reads: it names every job.
    assert all(job_id in (registry_module.__doc__ or "") for job_id in EVERY_JOB)
