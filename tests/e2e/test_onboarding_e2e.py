"""Onboarding over HTTP: ``python -m bot`` polling the fake Bot API, driven by button taps."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.db.engine import create_engine, create_session_pool
from bot.db.models import Candidate, CandidateStep
from tests.e2e.helpers import STARTUP_TIMEOUT, StartBot
from tests.fakes.bot_api import Call, FakeBotAPI, make_callback_update, make_message_update

pytestmark = pytest.mark.e2e

USER_ID = 700_101


def to_user(call: Call) -> bool:
    return call.chat_id == USER_ID


def button(call: Call, text: str) -> str:
    """Return the callback data of the one button whose label contains ``text``."""
    markup: dict[str, Any] = call.params["reply_markup"]
    found = [
        b["callback_data"] for row in markup["inline_keyboard"] for b in row if text in b["text"]
    ]
    assert len(found) == 1, markup
    return str(found[0])


async def nth(api: FakeBotAPI, method: str, count: int) -> Call:
    """Wait for the ``count``-th call of ``method`` to the user and return it."""
    calls = await api.wait_for(method, count, STARTUP_TIMEOUT, to_user)
    return calls[count - 1]


async def reply_with(api: FakeBotAPI, text: str) -> Call:
    """Wait for the message to the user that contains ``text``, wherever it comes in order."""

    def wanted(call: Call) -> bool:
        return to_user(call) and text in str(call.params.get("text", ""))

    return (await api.wait_for("sendMessage", 1, STARTUP_TIMEOUT, wanted))[0]


async def tap(api: FakeBotAPI, on: Call, text: str) -> None:
    message_id = on.result["message_id"] if isinstance(on.result, dict) else 1
    api.push_update(make_callback_update(USER_ID, button(on, text), message_id=message_id))


async def test_onboarding_region_returning_then_todo_over_http(
    fake_api: FakeBotAPI, bot_env: dict[str, str], start_bot: StartBot
) -> None:
    # A day inside the 2024 cycle: after it, /todo says the cycle has ended instead.
    process = await start_bot(bot_env | {"BOT_CLOCK": "2024-01-30T10:00"})
    await fake_api.wait_for("getUpdates", timeout=STARTUP_TIMEOUT)

    fake_api.push_update(make_message_update(USER_ID, "/start"))
    welcome = await nth(fake_api, "sendMessage", 1)
    await tap(fake_api, welcome, "华东")
    regions = await nth(fake_api, "editMessageReplyMarkup", 1)
    await tap(fake_api, regions, "上海")
    question = await reply_with(fake_api, "你是历史考生吗")
    await tap(fake_api, question, "否")
    done = await reply_with(fake_api, "设置完成")
    fake_api.push_update(make_message_update(USER_ID, "/todo"))
    # The payment window is open that day, so a reminder planned on the region change may
    # arrive before or after the /todo reply: take the reply by what it is, not its place.
    todo = await reply_with(fake_api, "我的待办 · ")
    process.terminate()
    assert await process.wait_exit() == 0, process.stderr()

    assert "非官方渠道" in welcome.params["text"] and "诈骗" in welcome.params["text"]
    assert "你是历史考生吗" in question.params["text"]
    assert "设置完成" in done.params["text"]
    text = todo.params["text"]
    assert "我的待办 · 上海考区" in text
    for step in ("注册", "绑定微信", "提交报名信息", "报名确认", "资格审核", "缴费", "打印准考证"):
        assert step in text
    assert "本考区线上确认" in text
    assert len(fake_api.calls_of("answerCallbackQuery")) == 3
    assert all(c.ok for c in fake_api.calls_to(USER_ID))
    assert "Traceback" not in process.stderr()
    engine = create_engine(bot_env["DATABASE_URL"])
    try:
        async with create_session_pool(engine)() as session:
            candidate = await session.get(Candidate, USER_ID)
            steps = (await session.scalars(select(CandidateStep))).all()
    finally:
        await engine.dispose()
    assert candidate is not None
    assert (candidate.region, candidate.is_returning) == ("shanghai", False)
    assert steps == []
