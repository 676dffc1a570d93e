"""After /forget nothing re-creates the candidate but /start; new people are created as ever."""

from __future__ import annotations

import pytest
from aiogram.methods import AnswerCallbackQuery, SendMessage

from notices import Step
from tests.integration.conftest import Chat
from tests.integration.journey.helpers import arrange, button_data, load

RESTART = {"zh-hans": "请发送 /start 重新开始", "en": "Send /start to begin again"}
YES = {"zh-hans": "确认删除", "en": "Yes, delete"}


async def forget(chat: Chat, language_code: str = "zh-hans") -> None:
    ask = await chat.feed_text("/forget", language_code=language_code)
    await chat.press(button_data(ask[0], YES[language_code]), language_code=language_code)
    assert await load(chat.session_pool) is None


@pytest.mark.parametrize("language_code", ["zh-hans", "en"])
async def test_after_forget_todo_creates_no_row_and_points_to_start(
    chat: Chat, language_code: str
) -> None:
    await arrange(chat.session_pool, region="shanghai", done=[Step.REGISTER])
    await forget(chat, language_code)

    replies = await chat.send("/todo", language_code=language_code)

    assert len(replies) == 1 and RESTART[language_code] in replies[0]
    assert await load(chat.session_pool) is None

    await chat.send("/start", language_code=language_code)
    candidate = await load(chat.session_pool)
    assert candidate is not None and candidate.region is None and not candidate.steps


@pytest.mark.slow
@pytest.mark.parametrize(
    "command", ["/region 上海", "/returning yes", "/done 注册", "/undo 注册", "/lang en",
                "/stop", "/resume", "/deadlines", "/calendar", "/profile"],
)
async def test_after_forget_no_command_but_start_re_creates_the_candidate(
    chat: Chat, command: str
) -> None:
    await arrange(chat.session_pool, region="shanghai")
    await forget(chat)

    replies = await chat.send(command)

    assert RESTART["zh-hans"] in replies[-1]
    assert await load(chat.session_pool) is None


async def test_after_forget_an_old_button_re_creates_nothing(chat: Chat) -> None:
    await arrange(chat.session_pool, region="shanghai")
    await forget(chat)

    calls = await chat.press("mn:todo")

    assert any(isinstance(c, AnswerCallbackQuery) for c in calls)
    [reply] = [c for c in calls if isinstance(c, SendMessage)]
    assert RESTART["zh-hans"] in reply.text
    assert await load(chat.session_pool) is None


async def test_someone_who_never_had_a_row_is_created_by_a_command_as_before(
    chat: Chat,
) -> None:
    replies = await chat.send("/region 上海")

    assert not any(RESTART["zh-hans"] in r for r in replies)
    candidate = await load(chat.session_pool)
    assert candidate is not None and candidate.region == "shanghai"


async def test_after_start_the_candidate_is_kept_again(chat: Chat) -> None:
    await arrange(chat.session_pool)
    await forget(chat)
    await chat.send("/start")

    await chat.send("/region 上海")

    candidate = await load(chat.session_pool)
    assert candidate is not None and candidate.region == "shanghai"
