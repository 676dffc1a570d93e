"""Integration fixtures: a real database (SQLite, and PostgreSQL when given), the real
dispatcher, a chat driving it through a fake session."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import CallbackQuery, Message
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db.engine import create_engine, create_session_pool
from bot.db.migrate import upgrade
from bot.dispatcher import create_dispatcher
from bot.knowledge import Knowledge
from bot.texts import Texts
from tests.conftest import POSTGRES_URL, TOKEN, require_service
from tests.factories import NOW, make_callback, make_message, make_update
from tests.fakes.faulty_session import FaultySession


async def make_engine(backend: str, tmp_path: Path) -> tuple[AsyncEngine, str | None]:
    """Build an engine on an empty database: a temp SQLite file or a fresh PostgreSQL schema."""
    if backend == "sqlite":
        return create_engine(f"sqlite+aiosqlite:///{tmp_path}/test.db"), None
    url = require_service("postgres", POSTGRES_URL)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    await admin.dispose()
    engine = create_engine(url, connect_args={"server_settings": {"search_path": schema}})
    return engine, schema


async def drop_schema(schema: str) -> None:
    assert POSTGRES_URL is not None
    admin = create_engine(POSTGRES_URL)
    async with admin.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def any_engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An empty database on each backend (no migrations applied)."""
    engine, schema = await make_engine(request.param, tmp_path)
    yield engine
    await engine.dispose()
    if schema is not None:
        await drop_schema(schema)


@pytest.fixture
async def postgres_engine(postgres_url: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An empty PostgreSQL schema of its own (no migrations applied), for PostgreSQL-only
    behaviour: locks, concurrent transactions."""
    engine, schema = await make_engine("postgres", tmp_path)
    yield engine
    await engine.dispose()
    if schema is not None:
        await drop_schema(schema)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per run; each test works on a copy of it, which
    takes a fraction of the time the migrations take. The migrations themselves are tested
    on empty databases (`any_engine`)."""
    path = tmp_path_factory.mktemp("migrated") / "test.db"

    async def migrate() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(migrate())
    assert not path.with_name("test.db-wal").exists()  # all of it is in the file we copy
    return path


async def migrated_sqlite_engine(template: Path, tmp_path: Path) -> AsyncEngine:
    """An engine on a fresh copy of the migrated SQLite file."""
    shutil.copyfile(template, tmp_path / "test.db")
    return create_engine(f"sqlite+aiosqlite:///{tmp_path}/test.db")


@pytest.fixture
async def engine(migrated_sqlite: Path, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated SQLite database in a temp file."""
    engine = await migrated_sqlite_engine(migrated_sqlite, tmp_path)
    yield engine
    await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def any_migrated_engine(
    request: pytest.FixtureRequest, migrated_sqlite: Path, tmp_path: Path
) -> AsyncIterator[AsyncEngine]:
    """A migrated database on each backend: a copy of the migrated SQLite file, and a fresh
    PostgreSQL schema migrated when TEST_POSTGRES_URL is set."""
    if request.param == "sqlite":
        engine = await migrated_sqlite_engine(migrated_sqlite, tmp_path)
        yield engine
        await engine.dispose()
        return
    engine, schema = await make_engine("postgres", tmp_path)
    await upgrade(engine)
    yield engine
    await engine.dispose()
    assert schema is not None
    await drop_schema(schema)


@pytest.fixture
def session_pool(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_pool(engine)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None, bot_token=None, database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db"
    )


@dataclass
class Chat:
    """Drive the real dispatcher with updates and read what the bot sent back."""

    dp: Dispatcher
    bot: Bot
    session: FaultySession
    session_pool: async_sessionmaker[AsyncSession]

    async def feed(self, event: Message | CallbackQuery) -> list[TelegramMethod[Any]]:
        """Feed one update; return the Bot API calls it caused."""
        before = len(self.session.calls)
        await self.dp.feed_update(self.bot, make_update(event))
        return self.session.calls[before:]

    async def send(self, text: str, **kwargs: Any) -> list[str]:
        """Send a text message; return the texts the bot replied with."""
        calls = await self.feed(make_message(text, **kwargs))
        return [c.text for c in calls if hasattr(c, "text") and isinstance(c.text, str)]

    async def feed_text(self, text: str, **kwargs: Any) -> list[Any]:
        return await self.feed(make_message(text, **kwargs))

    async def press(self, data: str, **kwargs: Any) -> list[TelegramMethod[Any]]:
        return await self.feed(make_callback(data, **kwargs))


@dataclass
class FixedClock:
    """A clock tests set by hand: `clock.now = ...`."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def dp(
    settings: Settings,
    session_pool: async_sessionmaker[AsyncSession],
    texts: Texts,
    knowledge: Knowledge,
    clock: FixedClock,
) -> Dispatcher:
    """The real dispatcher, as the entry point builds it, on a fixed clock."""
    return create_dispatcher(
        settings=settings, session_pool=session_pool, knowledge=knowledge, texts=texts,
        clock=clock,
    )


@pytest.fixture
async def chat(
    dp: Dispatcher, session_pool: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Chat]:
    session = FaultySession()
    bot = Bot(TOKEN, session=session)
    yield Chat(dp=dp, bot=bot, session=session, session_pool=session_pool)
    await bot.session.close()
