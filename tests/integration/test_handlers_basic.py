"""The skeleton's handlers, through the real dispatcher."""

from __future__ import annotations

import asyncio
import logging

import pytest
from aiogram.exceptions import TelegramForbiddenError
from aiogram.methods import AnswerCallbackQuery, SendMessage
from sqlalchemy import select

from bot.db.models import Candidate
from handlers.middlewares import InFlightTracker
from tests.factories import USER_ID, make_sticker_message
from tests.integration.conftest import Chat


async def test_start_warns_unofficial_and_fraud(chat: Chat) -> None:
    replies = await chat.send("/start")
    assert len(replies) == 1
    assert "非官方渠道" in replies[0]
    assert "诈骗" in replies[0]
    async with chat.session_pool() as session:
        candidate = await session.get(Candidate, USER_ID)
    assert candidate is not None
    assert candidate.created_at.tzinfo is not None


async def test_start_in_english_for_english_telegram_users(chat: Chat) -> None:
    replies = await chat.send("/start", language_code="en")
    assert "not an official channel" in replies[0]
    assert "fraud" in replies[0]


async def test_help_lists_commands_in_both_languages(chat: Chat) -> None:
    zh = (await chat.send("/help"))[0]
    en = (await chat.send("/help", language_code="en-US"))[0]
    for command in ("/region", "/done", "/todo", "/deadlines", "/calendar", "/forget"):
        assert command in zh
        assert command in en
    assert "命令" in zh
    assert "Commands" in en


async def test_lang_choice_wins_over_telegram_language(chat: Chat) -> None:
    assert await chat.send("/lang en") == ["OK, I will reply in English from now on."]
    replies = await chat.send("/help", language_code="zh-hans")
    assert "Commands" in replies[0]
    async with chat.session_pool() as session:
        languages = (await session.scalars(select(Candidate.language))).all()
    assert languages == ["en"]


async def test_lang_without_argument_offers_buttons(chat: Chat) -> None:
    calls = await chat.feed_text("/lang")
    markup = calls[0].reply_markup
    assert [b.text for b in markup.inline_keyboard[0]] == ["中文", "English"]
    calls = await chat.press(markup.inline_keyboard[0][1].callback_data)
    assert isinstance(calls[0], AnswerCallbackQuery)
    assert calls[1].text == "OK, I will reply in English from now on."


async def test_lang_forged_callback_changes_nothing(chat: Chat) -> None:
    calls = await chat.press("lang:xx")
    assert [type(c) for c in calls] == [AnswerCallbackQuery]
    async with chat.session_pool() as session:
        assert await session.get(Candidate, USER_ID) is None


async def test_unknown_command_points_to_help_and_escapes_markup(chat: Chat) -> None:
    replies = await chat.send("/<b>boom</b>")
    assert "&lt;b&gt;boom&lt;/b&gt;" in replies[0]
    assert "/help" in replies[0]


async def test_stale_callback_is_answered_quietly(chat: Chat) -> None:
    calls = await chat.press("something:old:42")
    assert [type(c) for c in calls] == [AnswerCallbackQuery]


async def test_sticker_gets_a_friendly_reply(chat: Chat) -> None:
    calls = await chat.feed(make_sticker_message())
    assert "文字" in calls[0].text


@pytest.mark.parametrize(
    "text", ["好" * 5000, "😀" * 300, "<script>alert(1)</script>", "\u0000\u200b"]
)
async def test_odd_text_never_crashes(chat: Chat, text: str) -> None:
    calls = await chat.feed_text(text)
    assert calls
    assert all(isinstance(c, SendMessage) and len(c.text) <= 4096 for c in calls)
    assert all("<script>" not in c.text for c in calls)


async def test_handler_error_apologises_and_rolls_back(
    chat: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    chat.session.fail_next(SendMessage, RuntimeError("secret user text"))
    with caplog.at_level(logging.ERROR):
        calls = await chat.feed_text("/lang en")
    assert "抱歉" in calls[-1].text
    assert "RuntimeError" in caplog.text
    assert "secret user text" not in caplog.text
    async with chat.session_pool() as session:
        assert await session.get(Candidate, USER_ID) is None
    assert await chat.send("/help") != []


async def test_shutdown_waits_for_updates_in_flight() -> None:
    tracker = InFlightTracker(grace_seconds=5)
    release = asyncio.Event()
    finished: list[str] = []

    async def slow_handler(event: object, data: dict[str, object]) -> None:
        await release.wait()
        finished.append("done")

    task = asyncio.create_task(tracker(slow_handler, object(), {}))  # type: ignore[arg-type]
    await asyncio.sleep(0)
    assert tracker.active == 1
    drain = asyncio.create_task(tracker.drain())
    await asyncio.sleep(0)
    assert not drain.done()
    release.set()
    assert await drain is True
    await task
    assert finished == ["done"]
    assert await tracker.drain() is True


async def test_blocked_mid_reply_marks_blocked_without_apology(chat: Chat) -> None:
    await chat.send("/start")
    chat.session.fail_next(
        SendMessage,
        TelegramForbiddenError(
            method=SendMessage(chat_id=USER_ID, text="x"),
            message="Forbidden: bot was blocked by the user",
        ),
    )
    calls = await chat.feed_text("/help")
    assert len(calls) == 1  # the failed reply only: no apology to a chat that blocked us
    async with chat.session_pool() as session:
        candidate = await session.get(Candidate, USER_ID)
    assert candidate is not None and candidate.blocked


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("/todp", "你是不是想发 /todo？"), ("/deadline", "你是不是想发 /deadlines？")],
)
async def test_unknown_command_suggests_the_nearest(chat: Chat, typed: str, expected: str) -> None:
    replies = await chat.send(typed)
    assert expected in replies[0]


async def test_unknown_command_far_from_any_suggests_none(chat: Chat) -> None:
    replies = await chat.send("/xyzzyq")
    assert "是不是" not in replies[0]
