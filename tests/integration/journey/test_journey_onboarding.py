"""Onboarding on /start: notice, language, region from buttons or a deep link, returning."""

from __future__ import annotations

import pytest
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    SendMessage,
)

from tests.integration.conftest import Chat
from tests.integration.journey.helpers import (
    STALE_EN,
    STALE_ZH,
    arrange,
    button_data,
    buttons,
    load,
    stale_answers,
)

GROUPS_ZH = ["华北", "东北", "华东", "华中", "华南", "西南", "西北"]


async def test_start_shows_notice_then_language_and_region_groups(chat: Chat) -> None:
    calls = await chat.feed_text("/start")

    assert [type(c) for c in calls] == [SendMessage]
    text = calls[0].text
    assert "非官方渠道" in text and "诈骗" in text
    assert "华东：上海 江苏 浙江 安徽 福建 江西 山东" in text
    labels = [label for label, _ in buttons(calls[0])]
    assert labels == ["✓ 中文", "English", *GROUPS_ZH]
    rows = [len(row) for row in calls[0].reply_markup.inline_keyboard]
    assert rows == [2, 3, 3, 1]
    candidate = await load(chat.session_pool)
    assert candidate is not None and candidate.region is None


async def test_start_in_english_lists_regions_in_english(chat: Chat) -> None:
    calls = await chat.feed_text("/start", language_code="en")

    text = calls[0].text
    assert "not an official channel" in text and "fraud" in text
    assert "East China: Shanghai, Jiangsu" in text
    assert [label for label, _ in buttons(calls[0])][:2] == ["中文", "✓ English"]


async def test_start_language_button_switches_the_welcome(chat: Chat) -> None:
    start = (await chat.feed_text("/start"))[0]

    calls = await chat.press(button_data(start, "English"))

    assert isinstance(calls[0], AnswerCallbackQuery)
    edit = calls[1]
    assert isinstance(edit, EditMessageText)
    assert "not an official channel" in edit.text
    assert [label for label, _ in buttons(edit)][:2] == ["中文", "✓ English"]
    candidate = await load(chat.session_pool)
    assert candidate is not None and candidate.language == "en"


@pytest.mark.parametrize(
    ("language_code", "group", "region", "yes", "asked", "done"),
    [
        ("zh-hans", "华东", "上海", "是", "自动确认", "设置完成"),
        ("en", "East China", "Shanghai", "Yes", "automatically", "All set"),
    ],
)
async def test_onboarding_picks_region_then_returning(
    chat: Chat, language_code: str, group: str, region: str, yes: str, asked: str, done: str
) -> None:
    start = (await chat.feed_text("/start", language_code=language_code))[0]

    opened = await chat.press(button_data(start, group), language_code=language_code)
    edit = opened[1]
    assert isinstance(edit, EditMessageReplyMarkup)
    labels = [label for label, _ in buttons(edit)]
    assert region in labels and len(labels) == 8  # 7 regions of the group and "back"

    question = await chat.press(button_data(edit, region), language_code=language_code)
    assert asked in question[1].text
    answer = await chat.press(button_data(question[1], yes), language_code=language_code)

    assert done in answer[1].text
    assert next(label for label, _ in buttons(answer[1])).endswith(
        "我的待办" if language_code != "en" else "My to-do list"
    )
    candidate = await load(chat.session_pool)
    assert candidate is not None
    assert (candidate.region, candidate.is_returning) == ("shanghai", True)


async def test_onboarding_back_button_shows_language_and_groups_again(chat: Chat) -> None:
    start = (await chat.feed_text("/start"))[0]
    group = (await chat.press(button_data(start, "西北")))[1]

    back = (await chat.press(button_data(group, "返回")))[1]

    assert [label for label, _ in buttons(back)] == ["✓ 中文", "English", *GROUPS_ZH]


async def test_start_deep_link_preselects_the_region(chat: Chat) -> None:
    calls = await chat.feed_text("/start shanghai")

    assert "已记录为 <b>上海</b>" in calls[0].text
    assert "✓ 继续：上海" in [label for label, _ in buttons(calls[0])]
    candidate = await load(chat.session_pool)
    assert candidate is not None and candidate.region == "shanghai"
    question = await chat.press(button_data(calls[0], "继续"))
    assert "你是历史考生吗" in question[1].text


async def test_start_deep_link_with_unknown_code_changes_nothing(chat: Chat) -> None:
    calls = await chat.feed_text("/start atlantis")

    assert "非官方渠道" in calls[0].text
    candidate = await load(chat.session_pool)
    assert candidate is not None and candidate.region is None


async def test_start_again_keeps_what_is_known(chat: Chat) -> None:
    await arrange(chat.session_pool, region="tianjin", returning=False, language="en")

    calls = await chat.feed_text("/start", language_code="zh-hans")

    assert "I have <b>Tianjin</b>" in calls[0].text
    assert "✓ Keep: Tianjin" in [label for label, _ in buttons(calls[0])]
    question = await chat.press(button_data(calls[0], "Keep"))
    assert "✓ No" in [label for label, _ in buttons(question[1])]
    candidate = await load(chat.session_pool)
    assert candidate is not None
    assert (candidate.region, candidate.is_returning, candidate.language) == (
        "tianjin", False, "en",
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "data",
    [
        "ob:lang:xx",
        "ob:keep:",
        "ob:fly:",
        "rg:atlantis:ob",
        "rg:shanghai:evil",
        "rg:shanghai",
        "rgp:99:ob",
        "rgp:x:ob",
        "ret:maybe:ob",
        "ret:yes:nowhere",
    ],
)
async def test_forged_or_stale_onboarding_button_changes_nothing(chat: Chat, data: str) -> None:
    await arrange(chat.session_pool)

    calls = await chat.press(data)

    assert [type(c) for c in calls] == [AnswerCallbackQuery]
    assert stale_answers(calls) == [STALE_ZH]
    candidate = await load(chat.session_pool)
    assert candidate is not None
    assert (candidate.region, candidate.is_returning, candidate.language) == (None, None, None)


@pytest.mark.parametrize("data", ["ob:lang:xx", "ob:keep:", "rg:atlantis:ob", "ret:maybe:ob"])
async def test_forged_button_from_a_stranger_stores_nothing(chat: Chat, data: str) -> None:
    calls = await chat.press(data)

    assert stale_answers(calls) == [STALE_ZH]
    assert await load(chat.session_pool) is None


async def test_stale_button_notice_in_english(chat: Chat) -> None:
    calls = await chat.press("rg:atlantis:set", language_code="en")

    assert stale_answers(calls) == [STALE_EN]


@pytest.mark.parametrize(
    ("text", "code"), [("我在山西太原", "shanxi"), ("山西的", "shanxi"), ("上海", "shanghai")]
)
async def test_onboarding_region_typed_in_words_is_set(chat: Chat, text: str, code: str) -> None:
    await chat.send("/start")

    calls = await chat.feed_text(text)

    candidate = await load(chat.session_pool)
    assert candidate is not None and candidate.region == code
    assert len(calls) == 1 and "历史考生" in calls[0].text  # onboarding goes on: returning?
    assert buttons(calls[0])  # with its yes/no buttons


async def test_onboarding_text_naming_no_region_shows_the_picker_with_a_hint(chat: Chat) -> None:
    await chat.send("/start")

    calls = await chat.feed_text("今天天气不错")

    assert calls[0].text.startswith("没有从“今天天气不错”认出考区")
    assert [label for label, _ in buttons(calls[0])] == GROUPS_ZH
    candidate = await load(chat.session_pool)
    assert candidate is not None and candidate.region is None
    # One try only: the next text is a question again, not another hint.
    again = await chat.send("今天天气不错")
    assert not again[0].startswith("没有从")


async def test_region_words_after_a_button_pick_are_a_question(chat: Chat) -> None:
    start = (await chat.feed_text("/start"))[0]
    opened = await chat.press(button_data(start, "华东"))
    await chat.press(button_data(opened[1], "上海"))

    await chat.send("我在山西太原")

    candidate = await load(chat.session_pool)
    assert candidate is not None and candidate.region == "shanghai"


async def test_start_with_a_known_region_does_not_wait_for_one(chat: Chat) -> None:
    await arrange(chat.session_pool, region="beijing")
    await chat.send("/start")

    await chat.send("山西")

    candidate = await load(chat.session_pool)
    assert candidate is not None and candidate.region == "beijing"
