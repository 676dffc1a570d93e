"""Staff under faults and between colleagues: a 429 on the progress message costs neither the
broadcast nor the draft; only the author or an administrator may stop a broadcast."""

from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import EditMessageText, SendMessage
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Broadcast, OutboxMessage
from bot.knowledge import Knowledge
from bot.staff.roles import StaffRepo
from bot.texts import Texts
from handlers.staff.broadcast_progress import refresh_progress
from tests.factories import NOW
from tests.integration.conftest import Chat
from tests.integration.staff.helpers import (
    ADMIN,
    STAFF,
    add_candidates,
    answers_of,
    buttons,
    texts_of,
)

pytestmark = pytest.mark.usefixtures("staff_member")
COLLEAGUE = 2001  # staff for 上海 too
APOLOGY = "出了点问题"


async def _preview(chat: Chat, text: str = "{{ region }}考生请缴费") -> str:
    await add_candidates(chat.session_pool, 3, first_id=100)
    [start] = await chat.feed_text("/broadcast", user_id=STAFF)
    await chat.press(buttons(start)["上海"], user_id=STAFF)
    await chat.press("bc:aud:all", user_id=STAFF)
    calls = await chat.feed_text(text, user_id=STAFF)
    return buttons(calls[-1])["▶ 立即发送"]


async def _states(pool: async_sessionmaker[AsyncSession]) -> set[str]:
    async with pool() as session:
        return set((await session.scalars(select(OutboxMessage.state))).all())


@pytest.mark.adversarial("faults")
async def test_progress_429_keeps_the_broadcast_and_sends_the_message_later(
    chat: Chat, texts: Texts, knowledge: Knowledge
) -> None:
    send = await _preview(chat)
    chat.session.fail_next(SendMessage, TelegramRetryAfter(SendMessage(
        chat_id=STAFF, text="x"), "Too Many Requests: retry after 5", 5))
    calls = await chat.press(send, user_id=STAFF)
    assert not any(APOLOGY in t for t in texts_of(calls))
    assert await _states(chat.session_pool) == {"pending"}
    async with chat.session_pool() as session:
        broadcast = (await session.scalars(select(Broadcast))).one()
    assert broadcast.progress_message_id is None
    chat.session.clear()
    await refresh_progress(chat.bot, chat.session_pool, texts=texts, knowledge=knowledge,
                           now=NOW)
    [progress] = texts_of(chat.session.calls)
    assert "群发 #1" in progress


@pytest.mark.adversarial("faults")
async def test_progress_edit_429_does_not_end_the_broadcast(
    chat: Chat, texts: Texts, knowledge: Knowledge
) -> None:
    await chat.press(await _preview(chat), user_id=STAFF)
    chat.session.fail_next(EditMessageText, TelegramRetryAfter(EditMessageText(
        text="x"), "Too Many Requests: retry after 5", 5))
    await chat.press("bc:stop:1", user_id=STAFF)
    assert await _states(chat.session_pool) == {"cancelled"}


@pytest.mark.adversarial("faults")
async def test_progress_429_then_a_second_tap_makes_no_second_broadcast(chat: Chat) -> None:
    send = await _preview(chat)
    chat.session.fail_next(SendMessage, TelegramRetryAfter(SendMessage(
        chat_id=STAFF, text="x"), "Too Many Requests: retry after 5", 5))
    await chat.press(send, user_id=STAFF)  # the broadcast is made, the draft spent
    again = await chat.press(send, user_id=STAFF)
    assert answers_of(again)[0].show_alert  # stale: no second broadcast
    async with chat.session_pool() as session:
        assert len((await session.scalars(select(Broadcast))).all()) == 1


@pytest.fixture
async def colleague(chat: Chat) -> int:
    async with chat.session_pool.begin() as session:
        await StaffRepo(session).put(COLLEAGUE, ["shanghai"], added_by=ADMIN)
    return COLLEAGUE


@pytest.mark.adversarial("authorization")
@pytest.mark.parametrize("how", ["button", "command"])
async def test_stop_by_a_colleague_of_the_same_region_is_refused(
    chat: Chat, colleague: int, how: str
) -> None:
    await chat.press(await _preview(chat), user_id=STAFF)
    if how == "button":
        calls = await chat.press("bc:stop:1", user_id=colleague)
        assert answers_of(calls)[0].show_alert
    else:
        replies = await chat.send("/broadcast cancel", user_id=colleague)
        assert "没有正在进行的群发" in replies[0]
    assert await _states(chat.session_pool) == {"pending"}


@pytest.mark.slow
@pytest.mark.adversarial("authorization")
@pytest.mark.parametrize(("who", "how"), [
    (STAFF, "button"), (STAFF, "command"), (ADMIN, "button"), (ADMIN, "command"),
])
async def test_stop_by_the_author_or_an_administrator_works(
    chat: Chat, who: int, how: str
) -> None:
    await chat.press(await _preview(chat), user_id=STAFF)
    if how == "button":
        await chat.press("bc:stop:1", user_id=who)
    else:
        await chat.send("/broadcast cancel", user_id=who)
    assert await _states(chat.session_pool) == {"cancelled"}
