"""Common words for the commands: an exact short message is the command, anything longer a
question."""

from __future__ import annotations

import pytest

from bot.texts import Texts, normalise_word
from tests.integration.conftest import Chat
from tests.integration.journey.helpers import arrange, load


@pytest.mark.parametrize("text", ["退订", "取消提醒", " 退订！", "stop", "Stop."])
async def test_stop_words_pause_reminders(chat: Chat, text: str) -> None:
    await arrange(chat.session_pool)

    replies = await chat.send(text)

    assert replies[0].startswith("已暂停提醒")
    candidate = await load(chat.session_pool)
    assert candidate is not None and candidate.reminders_enabled is False


async def test_resume_todo_and_help_words_run_their_commands(chat: Chat) -> None:
    await arrange(chat.session_pool, region="shanghai")
    await chat.send("退订")

    assert (await chat.send("恢复提醒"))[0] == (await chat.send("/resume"))[0]
    assert (await chat.send("我的待办")) == (await chat.send("/todo"))
    assert (await chat.send("待办")) == (await chat.send("/todo"))
    assert (await chat.send("帮助")) == (await chat.send("/help"))
    assert (await chat.send("help", language_code="en")) == (
        await chat.send("/help", language_code="en")
    )


async def test_forget_word_still_asks_for_confirmation(chat: Chat) -> None:
    await arrange(chat.session_pool)

    calls = await chat.feed_text("删除我的数据")

    assert "确定要删除" in calls[0].text
    assert await load(chat.session_pool) is not None


@pytest.mark.parametrize("text", ["怎么退订提醒？", "stop sending me reminders please", "帮助我"])
async def test_a_command_word_inside_a_longer_message_stays_a_question(
    chat: Chat, text: str
) -> None:
    await arrange(chat.session_pool)

    await chat.send(text)

    candidate = await load(chat.session_pool)
    assert candidate is not None and candidate.reminders_enabled is True


async def test_help_word_works_while_the_welcome_waits_for_a_region(chat: Chat) -> None:
    await chat.send("/start")

    assert (await chat.send("帮助")) == (await chat.send("/help"))


def test_command_words_are_data_per_locale_and_normalised() -> None:
    words = Texts().command_words()

    assert words["退订"] == "stop" and words["stop"] == "stop"
    assert words["恢复提醒"] == "resume" and words["我的待办"] == "todo"
    assert words["删除我的数据"] == "forget" and words["帮助"] == "help"
    assert normalise_word("  Delete   my data! ") == "delete my data"
