"""The in-memory language directory: no query for replies that need only the language."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from aiogram.types import TelegramObject
from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.base import utcnow
from bot.db.models import Candidate
from bot.db.repo import CandidateRepo
from bot.jobs import JobRegistry
from bot.languages import REFRESH_JOB, LanguageDirectory
from handlers.middlewares import DbSessionMiddleware
from tests.factories import USER_ID
from tests.integration.conftest import Chat
from tests.integration.journey.helpers import button_data

OTHER = 77


@contextmanager
def statements(session_pool: async_sessionmaker[AsyncSession]) -> Iterator[list[str]]:
    """Record every SQL statement the block sends."""
    seen: list[str] = []
    engine = session_pool.kw["bind"].sync_engine

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def directory_of(chat: Chat) -> LanguageDirectory:
    directory = chat.dp["language_directory"]
    assert isinstance(directory, LanguageDirectory)
    return directory


async def save_language(
    session_pool: async_sessionmaker[AsyncSession], user_id: int, language: str
) -> None:
    """What another process does: write the choice without telling this directory."""
    async with session_pool.begin() as session:
        await CandidateRepo(session).set_language(user_id, language)


async def test_before_loading_the_language_comes_from_the_database(chat: Chat) -> None:
    await save_language(chat.session_pool, USER_ID, "en")
    assert directory_of(chat).get(USER_ID) == (False, None)
    with statements(chat.session_pool) as sent:
        replies = await chat.send("/help")
    assert "Commands" in replies[0]
    assert any("FROM candidates" in s for s in sent)


async def test_once_loaded_help_needs_no_query_for_new_or_known_users(chat: Chat) -> None:
    await save_language(chat.session_pool, USER_ID, "en")
    await directory_of(chat).load(chat.session_pool)
    with statements(chat.session_pool) as sent:
        known = await chat.send("/help")  # chose English, though Telegram says zh
        new = await chat.send("/help", user_id=OTHER)  # never seen: Telegram's language
        new_en = await chat.send("/help", user_id=OTHER + 1, language_code="en")
    assert sent == []
    assert "Commands" in known[0]
    assert "怎么用" in new[0]
    assert "Commands" in new_en[0]


async def test_a_choice_reaches_the_directory_when_its_transaction_commits(chat: Chat) -> None:
    directory = directory_of(chat)
    await directory.load(chat.session_pool)
    await chat.send("/lang en")
    assert directory.get(USER_ID) == (True, "en")
    with statements(chat.session_pool) as sent:
        replies = await chat.send("/help")
    assert sent == [] and "Commands" in replies[0]
    await chat.send("/lang zh")
    assert "怎么用" in (await chat.send("/help", language_code="en"))[0]


async def test_a_rolled_back_choice_is_not_recorded(
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    directory = LanguageDirectory()
    await directory.load(session_pool)
    middleware = DbSessionMiddleware(session_pool, directory)

    async def failing(_event: TelegramObject, data: dict[str, Any]) -> None:
        await CandidateRepo(data["session"]).set_language(USER_ID, "en")
        raise RuntimeError("the handler failed after writing")

    with pytest.raises(RuntimeError):
        await middleware(failing, TelegramObject(), {})
    assert directory.get(USER_ID) == (True, None)
    async with session_pool() as session:
        assert await session.get(Candidate, USER_ID) is None


async def test_forget_removes_the_choice_from_memory(chat: Chat) -> None:
    directory = directory_of(chat)
    await directory.load(chat.session_pool)
    await chat.send("/lang en")
    ask = await chat.feed_text("/forget")
    await chat.press(button_data(ask[0], "Yes, delete"))
    assert directory.get(USER_ID) == (True, None)
    assert len(directory) == 0


async def test_refresh_picks_up_what_other_processes_changed(
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    directory = LanguageDirectory()
    await save_language(session_pool, USER_ID, "zh")
    await directory.load(session_pool)
    await save_language(session_pool, USER_ID, "en")
    await save_language(session_pool, OTHER, "en")
    assert directory.get(USER_ID) == (True, "zh")
    await directory.refresh(session_pool)
    assert directory.get(USER_ID) == (True, "en")
    assert directory.get(OTHER) == (True, "en")


async def test_refresh_reads_only_recent_rows(
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    directory = LanguageDirectory()
    for user_id in range(1, 51):
        await save_language(session_pool, user_id, "en")
    long_ago = utcnow() - timedelta(hours=1)
    async with session_pool.begin() as session:
        await session.execute(update(Candidate).values(updated_at=long_ago))
    await directory.load(session_pool)
    await save_language(session_pool, OTHER, "zh")
    assert await directory.refresh(session_pool) == 1
    assert len(directory) == 51


async def test_an_older_snapshot_does_not_undo_this_processs_write(
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    """A refresh that read the row before this process's commit keeps the newer choice."""
    directory = LanguageDirectory()
    await save_language(session_pool, USER_ID, "zh")
    await directory.load(session_pool)
    stale = [(USER_ID, "zh")]
    started = time.monotonic()
    directory.record(USER_ID, "en")
    directory._apply(stale, started - 1)  # a snapshot begun before the write
    assert directory.get(USER_ID) == (True, "en")


async def test_a_full_reload_drops_candidates_deleted_elsewhere(
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    directory = LanguageDirectory()
    await save_language(session_pool, USER_ID, "en")
    await directory.load(session_pool)
    async with session_pool.begin() as session:
        await CandidateRepo(session).delete(USER_ID)
    await directory.refresh(session_pool)  # a deleted row has no updated_at to see
    assert directory.get(USER_ID) == (True, "en")
    await directory.load(session_pool)
    assert directory.get(USER_ID) == (True, None)


async def eventually(directory: LanguageDirectory, user_id: int, language: str | None) -> bool:
    """Wait up to two seconds for the directory to hold this choice."""
    for _ in range(100):
        if directory.get(user_id) == (True, language):
            return True
        await asyncio.sleep(0.02)
    return False


async def test_the_background_task_keeps_up_and_stops(
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    directory, jobs = LanguageDirectory(refresh_every=0.05, reload_every=0.12), JobRegistry()
    await jobs.start()
    await directory.start(session_pool, jobs)
    assert directory.complete
    await save_language(session_pool, USER_ID, "en")
    assert await eventually(directory, USER_ID, "en")
    async with session_pool.begin() as session:
        await CandidateRepo(session).delete(USER_ID)
    assert await eventually(directory, USER_ID, None)
    await jobs.stop()
    assert REFRESH_JOB not in jobs


async def test_the_dispatcher_loads_the_directory_at_start_up(chat: Chat) -> None:
    await save_language(chat.session_pool, USER_ID, "en")
    await chat.dp.emit_startup(**chat.dp.workflow_data, bot=chat.bot)
    try:
        assert directory_of(chat).get(USER_ID) == (True, "en")
    finally:
        await chat.dp.emit_shutdown(**chat.dp.workflow_data, bot=chat.bot)
