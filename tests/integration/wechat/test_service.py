"""The WeChat channel as the entry point wires it: openids resolved to user ids (the time of
the last contact saved, at most every few minutes), recipients looked up for reminders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiogram import Dispatcher
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.wechat.recent import Recent
from bot.channels.wechat.service import WeChatChannel
from bot.channels.wechat.settings import WeChatSettings
from bot.db.identities import IdentityRepo
from bot.db.models import Candidate, ChannelUser
from bot.db.repo import CandidateRepo
from tests.factories import make_wechat
from tests.integration.conftest import FixedClock


@pytest.fixture
async def channel(
    dp: Dispatcher, wechat_settings: WeChatSettings,
    session_pool: async_sessionmaker[AsyncSession], clock: FixedClock,
) -> AsyncIterator[WeChatChannel]:
    channel = WeChatChannel(dp, wechat_settings, session_pool=session_pool, clock=clock)
    yield channel
    await channel.close()


async def test_resolve_saves_the_last_contact_and_finds_the_recipient(
    channel: WeChatChannel, clock: FixedClock
) -> None:
    first = await channel.resolve("oReader_1")
    assert first < 0 and await channel.resolve("oReader_1") == first
    assert await channel.resolve("oReader_2") not in (first, 0)
    recipient = await channel.recipient(first)
    assert recipient is not None and recipient.openid == "oReader_1"
    assert recipient.last_seen == clock()
    assert await channel.recipient(123456) is None  # a Telegram user


async def test_last_contact_saved_again_after_the_precision(
    channel: WeChatChannel, clock: FixedClock
) -> None:
    user_id = await channel.resolve("oReader_1")
    start = clock()
    clock.now = start + timedelta(minutes=1)
    await channel.resolve("oReader_1")  # a read: the saved time is recent enough
    assert (await channel.recipient(user_id)).last_seen == start  # type: ignore[union-attr]
    channel._seen_saved = Recent(0.0)  # as if SEEN_PRECISION had passed
    await channel.resolve("oReader_1")
    assert (await channel.recipient(user_id)).last_seen == clock()  # type: ignore[union-attr]


async def test_a_forgotten_user_writing_again_is_a_new_person(
    channel: WeChatChannel, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    user_id = await channel.resolve("oReader_1")
    async with session_pool.begin() as session:  # /forget, perhaps in another process
        await CandidateRepo(session).delete(user_id)
    again = await channel.resolve("oReader_1")
    assert again != user_id
    async with session_pool() as session:
        assert await IdentityRepo(session).account(user_id) is None


async def test_an_image_from_someone_unknown_is_answered_and_nothing_is_kept(
    channel: WeChatChannel, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    reply = await channel.bridge.handle(make_wechat("unsupported", openid="oStranger_1"))
    assert reply is not None and "文字" in reply
    assert await channel.find("oStranger_1") is None
    async with session_pool() as session:
        assert await session.scalar(select(func.count()).select_from(ChannelUser)) == 0
        assert await session.scalar(select(func.count()).select_from(Candidate)) == 0
