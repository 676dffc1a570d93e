"""/done, /undo, their buttons, the question about earlier steps, and concurrent taps."""

from __future__ import annotations

import asyncio

import pytest
from aiogram.methods import AnswerCallbackQuery, SendMessage

from bot.texts import Texts
from notices import STEP_ORDER, Step
from tests.factories import make_callback, make_message
from tests.integration.conftest import Chat
from tests.integration.journey.helpers import (
    STALE_ZH,
    arrange,
    button_data,
    buttons,
    done_steps,
    load,
    stale_answers,
)

EARLIER_THAN_PAY = {"register", "wechat", "submit", "confirm", "review"}


async def test_done_first_step_marks_it_and_names_the_next(chat: Chat) -> None:
    await arrange(chat.session_pool, region="shanghai")

    replies = await chat.send("/done 注册")

    assert replies[0].startswith("已标记完成：注册 ✅")
    assert "下一步：<b>绑定微信</b>" in replies[0]
    assert await done_steps(chat.session_pool) == {"register"}


async def test_done_with_open_earlier_steps_asks_once_then_marks_all(chat: Chat) -> None:
    await arrange(chat.session_pool, region="shanghai")

    ask = await chat.feed_text("/done 缴费")

    earlier = "注册、绑定微信、提交报名信息、报名确认、资格审核"
    assert f"「缴费」之前还有 5 步没有标记：{earlier}" in ask[0].text
    assert await done_steps(chat.session_pool) == set()
    marked = await chat.press(button_data(ask[0], "前面几步"))
    assert "已标记完成：注册、绑定微信、提交报名信息、报名确认、资格审核、缴费" in marked[1].text
    assert "下一步：<b>打印准考证</b> · 4月1日–4月21日 · 62 天后开始" in marked[1].text
    assert await done_steps(chat.session_pool) == EARLIER_THAN_PAY | {"pay"}


async def test_done_with_open_earlier_steps_can_mark_only_this_one(chat: Chat) -> None:
    ask = await chat.feed_text("/done pay", language_code="en")

    assert "Before “Pay the fee”, 5 step(s) are not marked" in ask[0].text
    marked = await chat.press(button_data(ask[0], "Only"), language_code="en")
    assert marked[1].text.startswith("Marked done: Pay the fee ✅")
    assert "Send /region" in marked[1].text
    assert await done_steps(chat.session_pool) == {"pay"}


async def test_done_twice_says_it_was_already_marked(chat: Chat) -> None:
    await arrange(chat.session_pool, done=[Step.REGISTER])

    replies = await chat.send("/done register")

    assert replies[0].startswith("「注册」之前已经标记过了")
    assert await done_steps(chat.session_pool) == {"register"}


async def test_undo_unmarks_and_says_when_nothing_was_marked(chat: Chat) -> None:
    await arrange(chat.session_pool, done=[Step.REGISTER, Step.WECHAT])

    assert (await chat.send("/undo 绑定微信"))[0] == "已撤销「绑定微信」的完成标记。"
    assert (await chat.send("/undo wechat", language_code="en"))[0] == (
        "“Bind WeChat” was not marked done."
    )
    assert await done_steps(chat.session_pool) == {"register"}


@pytest.mark.parametrize("command", ["/done", "/done 体检", "/undo xyz"])
async def test_unknown_step_lists_the_steps(chat: Chat, command: str) -> None:
    calls = await chat.feed_text(command)

    text = calls[0].text
    for name in ("注册", "绑定微信", "提交报名信息", "报名确认", "资格审核", "缴费", "打印准考证",
                 "考试", "查成绩"):
        assert f"{command.split()[0]} {name}" in text
    assert next(label for label, _ in buttons(calls[0])) == "✓ 已完成：注册"
    assert await done_steps(chat.session_pool) == set()


async def test_unknown_step_lists_english_names_in_english(chat: Chat) -> None:
    replies = await chat.send("/done flying", language_code="en")

    assert "There is no step called “flying”" in replies[0]
    for step in STEP_ORDER:
        assert f"/done {step.value} — " in replies[0]


@pytest.mark.slow
@pytest.mark.parametrize("step", STEP_ORDER)
async def test_every_listed_step_name_is_understood(chat: Chat, texts: Texts, step: Step) -> None:
    await arrange(chat.session_pool, done=STEP_ORDER[: STEP_ORDER.index(step)])
    name = chat.dp["knowledge"].kb.step_rule(step).name_zh

    await chat.send(f"/done {name}")
    await chat.send(f"/undo {step.value}")
    await chat.send(f"/done {step.value}")

    assert step.value in await done_steps(chat.session_pool)


async def test_todo_buttons_mark_and_undo_steps(chat: Chat) -> None:
    await arrange(chat.session_pool, region="beijing", done=[Step.REGISTER])
    todo = (await chat.feed_text("/todo"))[-1]
    assert [label for label, _ in buttons(todo)][:4] == [
        "✓ 已完成：绑定微信", "✓ 已完成：提交报名信息", "✓ 已完成：报名确认", "↩ 撤销：注册",
    ]

    await chat.press(button_data(todo, "绑定微信"))
    undone = await chat.press(button_data(todo, "撤销"))

    assert undone[1].text == "已撤销「注册」的完成标记。"
    assert await done_steps(chat.session_pool) == {"wechat"}


@pytest.mark.parametrize("data", ["st:done:nope", "st:fly:pay", "st:done", "cas:pay", "cas:x:1"])
async def test_forged_step_buttons_change_nothing(chat: Chat, data: str) -> None:
    calls = await chat.press(data)

    assert [type(c) for c in calls] == [AnswerCallbackQuery]
    assert stale_answers(calls) == [STALE_ZH]
    assert await done_steps(chat.session_pool) == set()


async def test_concurrent_updates_from_one_candidate_all_apply(chat: Chat) -> None:
    await chat.send("/start")
    updates = [
        make_callback("cas:pay:1"),
        make_callback("cas:ticket:1"),
        make_message("/region 湖北"),
        make_message("/returning 是"),
        make_message("/done 考试"),
        make_callback("cas:wechat:0"),
    ]

    results = await asyncio.gather(*(chat.feed(u) for u in updates))

    replies = [c.text for calls in results for c in calls if isinstance(c, SendMessage)]
    assert not [r for r in replies if "抱歉" in r]
    steps = await done_steps(chat.session_pool)
    assert EARLIER_THAN_PAY | {"pay", "ticket"} <= steps
    candidate = await load(chat.session_pool)
    assert candidate is not None
    assert (candidate.region, candidate.is_returning) == ("hubei", True)


async def test_concurrent_first_contact_creates_one_candidate(chat: Chat) -> None:
    updates = [make_message(text) for text in ("/done 注册", "/stop", "/region 上海", "/todo")]

    await asyncio.gather(*(chat.feed(u) for u in updates))

    candidate = await load(chat.session_pool)
    assert candidate is not None
    assert (candidate.region, candidate.reminders_enabled) == ("shanghai", False)
    assert await done_steps(chat.session_pool) == {"register"}


@pytest.mark.parametrize(
    "args", ["register, wechat, submit", "注册，绑定微信，提交", "register wechat、submit"]
)
async def test_done_with_a_list_marks_each_step(chat: Chat, args: str) -> None:
    await chat.send("/region 北京")
    replies = await chat.send(f"/done {args}")
    assert "已标记完成：注册、绑定微信、提交报名信息" in replies[0]
    candidate = await load(chat.session_pool)
    assert candidate is not None
    assert candidate.done_steps == {"register", "wechat", "submit"}


async def test_done_list_with_an_unknown_name_echoes_it_whole_and_marks_nothing(
    chat: Chat,
) -> None:
    replies = await chat.send("/done register, 补充学历证明材料和工作年限证明")
    assert "没有叫“补充学历证明材料和工作年限证明”的步骤" in replies[0]
    candidate = await load(chat.session_pool)
    assert candidate is not None and candidate.done_steps == frozenset()
