"""/stop, /resume, /forget (nothing about the candidate is left), blocking the bot."""

from __future__ import annotations

import pytest
from aiogram.methods import AnswerCallbackQuery, EditMessageReplyMarkup
from sqlalchemy import inspect, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.base import Base
from bot.db.models import DeliveryAttempt, OutboxMessage
from bot.db.outbox import NewMessage, OutboxRepo
from notices import Step
from tests.factories import USER_ID
from tests.integration.conftest import Chat
from tests.integration.journey.helpers import (
    NOW,
    STALE_ZH,
    arrange,
    button_data,
    done_steps,
    load,
    member_update,
    stale_answers,
)

OTHER_USER = 77


async def rows_about(pool: async_sessionmaker[AsyncSession], user_id: int) -> dict[str, int]:
    """Count, in every table of the schema, the rows whose user_id or chat_id is this user."""
    counts: dict[str, int] = {}
    async with pool() as session:
        conn = await session.connection()
        existing = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name in ("user_id", "chat_id")]
            if table.name not in existing or not columns:
                continue
            for column in columns:
                query = select(text("count(*)")).select_from(table).where(column == user_id)
                counts[f"{table.name}.{column.name}"] = (await session.execute(query)).scalar_one()
    return counts


@pytest.mark.parametrize(
    ("language_code", "stopped", "resumed"),
    [("zh-hans", "已暂停提醒", "提醒已恢复"), ("en", "Reminders paused", "Reminders are back on")],
)
async def test_stop_and_resume_switch_reminders(
    chat: Chat, language_code: str, stopped: str, resumed: str
) -> None:
    assert (await chat.send("/stop", language_code=language_code))[0].startswith(stopped)
    candidate = await load(chat.session_pool)
    assert candidate is not None and candidate.reminders_enabled is False

    assert (await chat.send("/resume", language_code=language_code))[0].startswith(resumed)
    candidate = await load(chat.session_pool)
    assert candidate is not None and candidate.reminders_enabled is True


async def add_reminder(pool: async_sessionmaker[AsyncSession], user_id: int) -> None:
    """A pending reminder and one failed delivery try, as the reminder engine leaves them."""
    async with pool.begin() as session:
        row = OutboxMessage(
            user_id=user_id, step="pay", occasion="closing", dedupe_key=f"pay:closing:{user_id}",
            due_at=NOW,
        )
        session.add(row)
        await session.flush()
        session.add(
            DeliveryAttempt(outbox_id=row.id, user_id=user_id, attempt=1, at=NOW, outcome="5xx")
        )


async def test_forget_asks_then_deletes_every_row_about_the_candidate(chat: Chat) -> None:
    await arrange(chat.session_pool, region="shanghai", returning=True, done=[Step.REGISTER])
    await add_reminder(chat.session_pool, USER_ID)
    await arrange(chat.session_pool, user_id=OTHER_USER, region="beijing", done=[Step.REGISTER])
    await add_reminder(chat.session_pool, OTHER_USER)
    await chat.send("/done 绑定微信")
    await chat.send("/stop")
    assert sum((await rows_about(chat.session_pool, USER_ID)).values()) >= 3

    ask = await chat.feed_text("/forget")
    assert "确定要删除" in ask[0].text
    calls = await chat.press(button_data(ask[0], "确认删除"))

    assert isinstance(calls[1], EditMessageReplyMarkup) and calls[1].reply_markup is None
    assert calls[2].text.startswith("已删除你的全部数据")
    remaining = await rows_about(chat.session_pool, USER_ID)
    assert {"candidates.user_id", "candidate_steps.user_id", "outbox.user_id"} <= set(remaining)
    assert set(remaining.values()) == {0}, remaining
    assert await done_steps(chat.session_pool, OTHER_USER) == {"register"}
    assert set((await rows_about(chat.session_pool, OTHER_USER)).values()) != {0}


async def test_forget_cancel_keeps_everything(chat: Chat) -> None:
    await arrange(chat.session_pool, region="shanghai", done=[Step.REGISTER])

    ask = await chat.feed_text("/forget", language_code="en")
    calls = await chat.press(button_data(ask[0], "Cancel"), language_code="en")

    assert calls[2].text == "Cancelled: nothing was deleted."
    assert await done_steps(chat.session_pool) == {"register"}


async def test_forget_without_data_creates_nothing(chat: Chat) -> None:
    replies = await chat.send("/forget")

    assert replies == ["我这里没有保存你的任何数据。"]
    assert await load(chat.session_pool) is None


async def test_forget_button_pressed_twice_is_stale(chat: Chat) -> None:
    await arrange(chat.session_pool)
    await chat.press("fg:1")

    calls = await chat.press("fg:1")

    assert [type(c) for c in calls] == [AnswerCallbackQuery]
    assert stale_answers(calls) == [STALE_ZH]
    assert await load(chat.session_pool) is None


@pytest.mark.parametrize("data", ["fg:maybe", "fg", "fg:1:2"])
async def test_forged_forget_button_deletes_nothing(chat: Chat, data: str) -> None:
    await arrange(chat.session_pool)

    calls = await chat.press(data)

    assert stale_answers(calls) == [STALE_ZH]
    assert await load(chat.session_pool) is not None


async def test_blocking_and_unblocking_the_bot(chat: Chat) -> None:
    await arrange(chat.session_pool)
    async with chat.session_pool.begin() as session:
        await OutboxRepo(session).add(
            [NewMessage(user_id=USER_ID, occasion="open", dedupe_key="pay:open", due_at=NOW,
                        step="pay")],
            now=NOW,
        )

    await chat.dp.feed_update(chat.bot, member_update("kicked"))
    candidate = await load(chat.session_pool)
    assert candidate is not None and candidate.blocked is True
    async with chat.session_pool() as session:  # what waited for them is cancelled at once
        states = (await session.scalars(select(OutboxMessage.state))).all()
    assert states == ["cancelled"]

    await chat.dp.feed_update(chat.bot, member_update("member"))
    candidate = await load(chat.session_pool)
    assert candidate is not None and candidate.blocked is False
    assert chat.session.calls == []


async def test_blocking_by_a_stranger_stores_nothing(chat: Chat) -> None:
    await chat.dp.feed_update(chat.bot, member_update("kicked"))

    assert await load(chat.session_pool) is None
