"""/forget leaves nothing in any storage, Redis included, but a marker that names nobody and
expires; FSM data expires on its own."""

from __future__ import annotations

import pytest
from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.methods import SendMessage
from aiogram.types import User
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.local_session import LocalSession
from bot.db.models import Candidate, UnansweredQuestion
from bot.forgotten import FORGOTTEN_TTL, ForgottenMarks
from tests.factories import USER_ID, make_callback, make_message, make_update
from tests.integration.conftest import Chat

NEEDS_REGION = "确认要去哪里确认"  # answered per region: the question waits in FSM data
privacy_case = pytest.mark.adversarial("privacy")


async def _keys(dp: Dispatcher, user_id: int) -> list[bytes]:
    storage = dp.storage
    assert isinstance(storage, RedisStorage)
    return [k async for k in storage.redis.scan_iter(match=f"fsm:*{user_id}*")]


async def _send(dp: Dispatcher, bot: Bot, text: str, user_id: int) -> None:
    await dp.feed_update(bot, make_update(make_message(text, user_id=user_id)))


@pytest.mark.redis
@privacy_case
async def test_forget_without_a_profile_clears_the_pending_question_in_redis(
    redis_bot: tuple[Dispatcher, Bot, LocalSession],
) -> None:
    dp, bot, _ = redis_bot
    user = 888_001
    await _send(dp, bot, NEEDS_REGION, user)
    [key] = await _keys(dp, user)
    assert 0 < await dp.storage.redis.ttl(key) <= 86_400  # type: ignore[attr-defined]
    await _send(dp, bot, "/forget", user)
    assert await _keys(dp, user) == []


@pytest.mark.redis
@privacy_case
async def test_forget_confirmed_clears_state_and_data_in_redis(
    redis_bot: tuple[Dispatcher, Bot, LocalSession],
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    dp, bot, session = redis_bot
    user = 888_002
    async with session_pool.begin() as db:
        db.add(Candidate(user_id=user))
    await _send(dp, bot, NEEDS_REGION, user)
    assert await _keys(dp, user)
    await _send(dp, bot, "/forget", user)
    ask = [c for c in session.calls if isinstance(c, SendMessage)][-1]
    assert ask.reply_markup is not None
    sure = ask.reply_markup.inline_keyboard[0][0].callback_data  # type: ignore[union-attr]
    await dp.feed_update(bot, make_update(make_callback(str(sure), user_id=user)))
    assert await _keys(dp, user) == []
    async with session_pool() as db:
        assert await db.get(Candidate, user) is None
    await _forget_marker_names_nobody_and_expires(dp, user)


async def _forget_marker_names_nobody_and_expires(dp: Dispatcher, user_id: int) -> None:
    """The one thing /forget leaves: a marker, so a later command does not re-create the
    candidate; it holds no Telegram id and expires within FORGOTTEN_TTL."""
    marks = dp["forgotten_marks"]
    assert isinstance(marks, ForgottenMarks) and await marks.marked(user_id)
    redis = dp.storage.redis  # type: ignore[attr-defined]
    assert [k async for k in redis.scan_iter(match=f"*{user_id}*")] == []
    key = marks._key(user_id)
    assert 0 < await redis.ttl(key) <= FORGOTTEN_TTL.total_seconds()
    await marks.clear(user_id)
    assert not await redis.exists(key)


@pytest.mark.redis
@privacy_case
async def test_after_forget_a_command_re_creates_nothing_with_redis(
    redis_bot: tuple[Dispatcher, Bot, LocalSession],
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    dp, bot, session = redis_bot
    user = 888_003
    async with session_pool.begin() as db:
        db.add(Candidate(user_id=user))
    await _send(dp, bot, "/forget", user)
    ask = [c for c in session.calls if isinstance(c, SendMessage)][-1]
    assert ask.reply_markup is not None
    sure = ask.reply_markup.inline_keyboard[0][0].callback_data  # type: ignore[union-attr]
    await dp.feed_update(bot, make_update(make_callback(str(sure), user_id=user)))
    try:
        await _send(dp, bot, "/todo", user)
        reply = [c for c in session.calls if isinstance(c, SendMessage)][-1]
        assert "/start" in reply.text
        async with session_pool() as db:
            assert await db.get(Candidate, user) is None
        await _send(dp, bot, "/start", user)
        async with session_pool() as db:
            assert await db.get(Candidate, user) is not None
    finally:
        await dp["forgotten_marks"].clear(user)


@privacy_case
@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("qwerty 我是张三丰 asdf zxcv", "我是…"),
        ("qwerty @zhang_sf asdf zxcv", "qwerty … asdf"),
        ("qwerty ZHANG_SF asdf zxcv", "qwerty … asdf"),
        ("qwerty 110101199003071234 asdf", "qwerty … asdf"),
    ],
)
async def test_unanswered_questions_lose_the_askers_names_and_keep_the_region(
    chat: Chat, text: str, kept: str
) -> None:
    async with chat.session_pool.begin() as db:
        db.add(Candidate(user_id=USER_ID, region="shanghai"))
    message = make_message(text).model_copy(update={"from_user": User(
        id=USER_ID, is_bot=False, first_name="张三丰", username="zhang_sf", language_code="zh",
    )})
    await chat.feed(message)
    async with chat.session_pool() as db:
        [row] = (await db.scalars(select(UnansweredQuestion))).all()
    assert kept in row.text
    assert "张三丰" not in row.text and "zhang_sf" not in row.text.lower()
    assert row.region == "shanghai"
