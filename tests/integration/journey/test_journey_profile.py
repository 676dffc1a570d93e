"""/profile, /region and /returning, by command and by button, in both languages."""

from __future__ import annotations

import pytest
from aiogram.methods import EditMessageReplyMarkup

from notices import Step
from tests.integration.conftest import Chat
from tests.integration.journey.helpers import arrange, button_data, buttons, last_keyboard, load


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("上海", "shanghai"),
        ("广东省", "guangdong"),
        ("粤", "guangdong"),
        ("guangdong", "guangdong"),
        ("新疆兵团", "xinjiang_bingtuan"),
        ("Inner Mongolia", "neimenggu"),
    ],
)
async def test_region_by_name_or_alias_is_saved(chat: Chat, text: str, code: str) -> None:
    replies = await chat.send(f"/region {text}")

    assert "考区已设为" in replies[0]
    candidate = await load(chat.session_pool)
    assert candidate is not None and candidate.region == code


async def test_region_set_in_english(chat: Chat) -> None:
    replies = await chat.send("/region 北京", language_code="en")

    assert replies[0].startswith("Your region is now <b>Beijing</b>")
    assert "/returning yes" in replies[0]  # Beijing confirms returning candidates automatically


@pytest.mark.parametrize(("typo", "expected"), [("新彊", "新疆"), ("上诲市", "上海")])
async def test_region_typo_offers_the_closest_matches_as_buttons(
    chat: Chat, typo: str, expected: str
) -> None:
    calls = await chat.feed_text(f"/region {typo}")

    assert f"没有找到考区“{typo}”" in calls[0].text
    labels = [label for label, _ in buttons(calls[0])]
    assert labels[0] == expected
    assert labels[-1] == "全部考区"
    assert (await load(chat.session_pool)) is None
    picked = await chat.press(button_data(calls[0], expected))
    assert "考区已设为" in picked[1].text
    candidate = await load(chat.session_pool)
    assert candidate is not None and candidate.region is not None


async def test_region_nonsense_offers_the_groups(chat: Chat) -> None:
    calls = await chat.feed_text("/region zzzzqqq", language_code="en")

    assert "I don't know a region called “zzzzqqq”" in calls[0].text
    assert next(label for label, _ in buttons(calls[0])) == "North China"


async def test_region_without_argument_shows_the_picker(chat: Chat) -> None:
    calls = await chat.feed_text("/region")

    assert "请选择考区" in calls[0].text
    group = await chat.press(button_data(calls[0], "华中"))
    assert isinstance(group[1], EditMessageReplyMarkup)
    assert [label for label, _ in buttons(group[1])] == ["河南", "湖北", "湖南", "← 返回"]
    back = await chat.press(button_data(group[1], "返回"))
    assert next(label for label, _ in buttons(back[1])) == "华北"
    picked = await chat.press(button_data(group[1], "湖北"))
    assert "考区已设为 <b>湖北</b>" in picked[1].text
    candidate = await load(chat.session_pool)
    assert candidate is not None and candidate.region == "hubei"


@pytest.mark.parametrize(
    ("word", "value"),
    [("yes", True), ("是", True), ("YES", True), ("no", False), ("否", False), ("不是", False)],
)
async def test_returning_command_saves_the_answer(chat: Chat, word: str, value: bool) -> None:
    await arrange(chat.session_pool, region="henan")

    replies = await chat.send(f"/returning {word}")

    assert replies[0].startswith("已记录")
    candidate = await load(chat.session_pool)
    assert candidate is not None and candidate.is_returning is value


async def test_returning_yes_explains_the_regions_rule_in_english(chat: Chat) -> None:
    await arrange(chat.session_pool, region="hubei")

    replies = await chat.send("/returning yes", language_code="en")

    assert "Hubei does not confirm returning candidates automatically" in replies[0]


async def test_returning_without_a_clear_answer_asks_with_buttons(chat: Chat) -> None:
    await arrange(chat.session_pool, region="beijing")

    calls = await chat.feed_text("/returning maybe")

    assert "你是历史考生吗" in calls[0].text
    assert "北京考区开通了历史考生自动确认" in calls[0].text
    answered = await chat.press(button_data(calls[0], "否"))
    assert answered[1].text.startswith("已记录：不是历史考生")
    candidate = await load(chat.session_pool)
    assert candidate is not None and candidate.is_returning is False


@pytest.mark.parametrize(
    ("language_code", "needles"),
    [
        (
            "zh-hans",
            ["考区：上海", "历史考生：是", "提醒：开启", "已完成：注册、绑定微信", "/forget"],
        ),
        ("en", ["Region: Shanghai", "Returning candidate: yes", "Reminders: on",
                "Steps done: Register an account, Bind WeChat", "/forget"]),
    ],
)
async def test_profile_shows_what_is_known(
    chat: Chat, language_code: str, needles: list[str]
) -> None:
    await arrange(
        chat.session_pool, region="shanghai", returning=True, done=[Step.WECHAT, Step.REGISTER]
    )

    replies = await chat.send("/profile", language_code=language_code)

    for needle in needles:
        assert needle in replies[0]


async def test_profile_of_a_new_candidate_says_what_is_missing(chat: Chat) -> None:
    calls = await chat.feed_text("/profile")

    assert "未设置（发送 /region）" in calls[0].text
    assert "暂无" in calls[0].text
    change = await chat.press(button_data(calls[0], "修改考区"))
    assert next(label for label, _ in buttons(change[1])) == "华北"
    ask = await chat.press(button_data(calls[0], "历史考生"))
    assert "你是历史考生吗" in ask[1].text


async def test_lang_choice_shows_in_profile(chat: Chat) -> None:
    await chat.send("/lang en")

    calls = await chat.feed_text("/profile", language_code="zh-hans")

    assert "Language: English" in calls[0].text
    assert "My profile" in last_keyboard(calls).text


async def test_region_with_automatic_confirmation_asks_the_returning_question(
    chat: Chat,
) -> None:
    calls = await chat.feed_text("/region 北京")
    assert "你是历史考生吗" in calls[0].text
    await chat.press(button_data(calls[0], "是"))
    candidate = await load(chat.session_pool)
    assert candidate is not None and candidate.is_returning is True


async def test_region_without_automatic_confirmation_asks_nothing_more(chat: Chat) -> None:
    calls = await chat.feed_text("/region 湖北")
    assert "历史考生" not in calls[0].text
    assert "📋 我的待办" in [label for label, _ in buttons(calls[0])]


async def test_region_without_argument_says_the_current_region(chat: Chat) -> None:
    await chat.send("/region 湖北")
    calls = await chat.feed_text("/region")
    assert "当前考区：<b>湖北</b>" in calls[0].text and "请选择考区" in calls[0].text
    assert "华中" in [label for label, _ in buttons(calls[0])]
