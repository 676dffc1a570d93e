"""The journey's tests: the real dispatcher on a clock the test sets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from aiogram import Dispatcher
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.dispatcher import create_dispatcher
from bot.knowledge import Knowledge
from bot.texts import Texts
from tests.journey.helpers import NOW


@dataclass
class JourneyClock:
    """A clock tests move by hand: `clock.now = ...`."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> JourneyClock:
    return JourneyClock()


@pytest.fixture
def dp(
    settings: Settings,
    session_pool: async_sessionmaker[AsyncSession],
    texts: Texts,
    knowledge: Knowledge,
    clock: JourneyClock,
) -> Dispatcher:
    """The real dispatcher, as the entry point builds it, on the test's clock."""
    return create_dispatcher(
        settings=settings, session_pool=session_pool, knowledge=knowledge, texts=texts,
        clock=clock,
    )
