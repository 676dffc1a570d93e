"""/todo and /deadlines: windows for the region, days left in Shanghai, the region's rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiogram.methods import SendMessage

from bot.texts import MESSAGE_LIMIT
from notices import STEP_ORDER, Step
from tests.integration.conftest import Chat, FixedClock
from tests.integration.journey.helpers import (
    STALE_ZH,
    arrange,
    button_data,
    buttons,
    joined,
    load,
    stale_answers,
)

ONLINE_CONFIRM = ["tianjin", "shanghai", "xinjiang_bingtuan"]
AUTO_CONFIRM = [
    "beijing", "hebei", "liaoning", "jilin", "heilongjiang", "shanghai", "zhejiang", "shandong",
    "henan", "chongqing", "guizhou", "yunnan", "shaanxi", "gansu", "xinjiang",
    "xinjiang_bingtuan",
]
LOCAL_PAY = ["shanxi", "hubei"]
ALL_REGIONS = [
    "beijing", "tianjin", "hebei", "shanxi", "neimenggu", "liaoning", "jilin", "heilongjiang",
    "shanghai", "jiangsu", "zhejiang", "anhui", "fujian", "jiangxi", "shandong", "henan",
    "hubei", "hunan", "guangdong", "guangxi", "hainan", "chongqing", "sichuan", "guizhou",
    "yunnan", "xizang", "shaanxi", "gansu", "qinghai", "ningxia", "xinjiang",
    "xinjiang_bingtuan",
]


def section(text: str, title: str) -> str:
    """Return one numbered step of a to-do list, from its title to the next blank line."""
    start = text.index(title)
    end = text.find("\n\n", start)
    return text[start:] if end < 0 else text[start:end]


async def todo_text(chat: Chat, **kwargs: str) -> str:
    return joined(await chat.feed_text("/todo", **kwargs))


async def test_todo_lists_windows_days_left_and_consequences(chat: Chat) -> None:
    await arrange(chat.session_pool, region="hubei", returning=False)

    text = await todo_text(chat)

    assert "<b>📋 我的待办 · 湖北考区</b>\n今天：2024年1月30日（北京时间）" in text
    # The notice's dates of 2023 carry their year in 2024.
    assert "⛔ 2023年12月1日–12月13日 · 已过（2023年12月13日截止）" in section(text, "1. 注册")
    confirm = section(text, "4. 报名确认")
    assert "以湖北考区通知为准" in confirm
    assert "逾期未进行现场确认的，视为自动放弃本次考试" in confirm
    assert "📍" in section(text, "6. 缴费")
    assert "⏳" not in text  # 湖北 pays per its local notice, not online
    assert "🔜 4月1日–4月21日 · 62 天后开始" in section(text, "7. 打印准考证")
    assert "🔜 4月13日、4月14日、4月20日、4月21日 · 74 天后开考" in section(text, "8. 考试")
    # The notice gives no score date, only 考后2个月: none is shown, not even 约.
    score = section(text, "9. 查成绩")
    assert "考后2个月" in score and "约" not in score and "6月" not in score
    assert "逾期无法补打和补办成绩单" in section(text, "9. 查成绩")


async def test_todo_in_english(chat: Chat) -> None:
    await arrange(chat.session_pool, region="jiangsu", returning=False)

    text = await todo_text(chat, language_code="en")

    assert "<b>📋 My to-do list · Jiangsu</b>\nToday: 30 Jan 2024 (Beijing time)" in text
    assert "⏳ 29 Jan – 8 Feb · open, 9 days left" in section(text, "6. Pay the fee")
    assert "Jiangsu's own notice decides" in section(text, "4. Confirm the application")
    assert "Missing on-site confirmation by the deadline counts as giving up this exam" in text


async def test_todo_leaves_out_steps_done(chat: Chat) -> None:
    await arrange(chat.session_pool, region="jiangsu", done=[Step.REGISTER, Step.WECHAT])

    text = await todo_text(chat)

    assert "1. 提交报名信息" in text
    assert "注册" not in text.split("1. 提交报名信息")[0]


async def test_todo_when_everything_is_done(chat: Chat) -> None:
    await arrange(chat.session_pool, region="jiangsu", done=list(Step))

    calls = await chat.feed_text("/todo")

    assert "🎉 所有步骤都已标记完成" in calls[0].text
    assert next(label for label, _ in buttons(calls[0])) == "↩ 撤销：查成绩"


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2024, 2, 8, 15, 59, tzinfo=UTC), "⏳ 1月29日–2月8日 · 今天截止！"),
        (datetime(2024, 2, 8, 16, 0, tzinfo=UTC), "⛔ 1月29日–2月8日 · 已过（2月8日截止）"),
        (datetime(2024, 1, 28, 16, 0, tzinfo=UTC), "⏳ 1月29日–2月8日 · 进行中，还剩 10 天"),
        (datetime(2024, 1, 28, 15, 59, tzinfo=UTC), "🔜 1月29日–2月8日 · 明天开始"),
    ],
)
async def test_days_are_counted_in_shanghai(
    chat: Chat, clock: FixedClock, now: datetime, expected: str
) -> None:
    await arrange(chat.session_pool, region="beijing")
    clock.now = now

    text = await todo_text(chat)

    assert expected in section(text, "6. 缴费")


async def test_exam_days_show_the_next_one(chat: Chat, clock: FixedClock) -> None:
    await arrange(chat.session_pool, region="beijing")
    clock.now = datetime(2024, 4, 15, 2, 0, tzinfo=UTC)

    text = await todo_text(chat)

    assert "⏳ 4月13日、4月14日、4月20日、4月21日 · 下一场 4月20日" in section(text, "8. 考试")


async def test_todo_without_region_asks_for_it_then_shows_the_list(chat: Chat) -> None:
    calls = await chat.feed_text("/todo")

    assert "先告诉我你的考区" in calls[0].text
    group = await chat.press(button_data(calls[0], "华北"))
    picked = await chat.press(button_data(group[1], "天津"))

    texts = [c.text for c in picked if isinstance(c, SendMessage)]
    assert texts[0].startswith("考区已设为 <b>天津</b>")
    assert "<b>📋 我的待办 · 天津考区</b>" in texts[1]
    candidate = await load(chat.session_pool)
    assert candidate is not None and candidate.region == "tianjin"


@pytest.mark.parametrize("region", ONLINE_CONFIRM)
async def test_online_confirmation_regions(chat: Chat, region: str) -> None:
    await arrange(chat.session_pool, region=region, returning=False)

    confirm = section(await todo_text(chat), "4. 报名确认")

    assert "本考区线上确认：须在提交报名信息前按考区要求上传报名材料" in confirm
    assert "逾期未重新上传报名材料并提交报名信息的，视为自动放弃本次考试" in confirm


@pytest.mark.slow
@pytest.mark.parametrize("region", AUTO_CONFIRM)
async def test_automatic_confirmation_for_returning_candidates(chat: Chat, region: str) -> None:
    await arrange(chat.session_pool, region=region, returning=True)

    confirm = section(await todo_text(chat), "4. 报名确认")

    assert "🟢 历史考生自动确认" in confirm
    assert "本考区开通历史考生自动确认" in confirm
    assert "自动确认失败又未按要求进行报名确认的，视为自动放弃本次考试" in confirm


@pytest.mark.slow
@pytest.mark.parametrize("region", AUTO_CONFIRM)
async def test_no_automatic_confirmation_for_first_timers(chat: Chat, region: str) -> None:
    await arrange(chat.session_pool, region=region, returning=False)

    confirm = section(await todo_text(chat), "4. 报名确认")

    assert "🟢" not in confirm
    assert ("线上确认" in confirm) is (region in ONLINE_CONFIRM)


@pytest.mark.slow
@pytest.mark.parametrize("region", sorted(set(ALL_REGIONS) - set(AUTO_CONFIRM)))
async def test_returning_candidates_elsewhere_confirm_as_usual(chat: Chat, region: str) -> None:
    await arrange(chat.session_pool, region=region, returning=True)

    confirm = section(await todo_text(chat), "4. 报名确认")

    assert "🟢" not in confirm
    assert "考区通知为准" in confirm


async def test_unknown_returning_status_hints_at_automatic_confirmation(chat: Chat) -> None:
    await arrange(chat.session_pool, region="henan")

    confirm = section(await todo_text(chat), "4. 报名确认")

    assert "若您是2023年考试未通过的历史考生" in confirm


async def test_guizhou_pays_online_except_the_provincial_site(chat: Chat) -> None:
    await arrange(chat.session_pool, region="guizhou")

    pay = section(await todo_text(chat), "6. 缴费")

    assert "⏳ 1月29日–2月8日 · 进行中，还剩 9 天" in pay
    assert "省直考点" in pay


@pytest.mark.parametrize("region", LOCAL_PAY)
async def test_local_payment_regions_follow_their_notice(chat: Chat, region: str) -> None:
    await arrange(chat.session_pool, region=region)

    pay = section(await todo_text(chat), "6. 缴费")

    assert "📍 须知未统一规定日期" in pay
    assert "不在网上缴费名单中" in pay
    assert "1月29日" not in pay


@pytest.mark.slow
@pytest.mark.parametrize("region", sorted(set(ALL_REGIONS) - set(LOCAL_PAY)))
async def test_online_payment_regions_show_the_window(chat: Chat, region: str) -> None:
    await arrange(chat.session_pool, region=region)

    pay = section(await todo_text(chat), "6. 缴费")

    assert "⏳ 1月29日–2月8日 · 进行中，还剩 9 天" in pay


@pytest.mark.slow
@pytest.mark.parametrize("language_code", ["zh-hans", "en"])
@pytest.mark.parametrize("returning", [True, False, None])
async def test_every_region_fits_telegram_messages(
    chat: Chat, language_code: str, returning: bool | None
) -> None:
    for index, region in enumerate(ALL_REGIONS):
        await arrange(chat.session_pool, user_id=1000 + index, region=region, returning=returning)
        for command in ("/todo", "/deadlines"):
            calls = await chat.feed_text(
                command, user_id=1000 + index, language_code=language_code
            )
            assert calls
            assert all(len(c.text) <= MESSAGE_LIMIT for c in calls)


async def test_deadlines_mark_past_current_coming_and_done(chat: Chat) -> None:
    await arrange(chat.session_pool, region="shanghai", returning=False, done=[Step.REGISTER])

    calls = await chat.feed_text("/deadlines")

    text = calls[0].text
    assert "<b>🗓 上海考区 · 2024年度时间节点</b>" in text
    assert "✅ <b>注册</b>\n2023年12月1日–12月13日 · 已完成" in text
    assert "⛔ <b>绑定微信</b>\n2023年12月1日–12月14日 · 已过（2023年12月14日截止）" in text
    assert "📍 <b>报名确认</b>\n日期见上海考区通知" in text
    assert "⏳ <b>缴费</b>\n1月29日–2月8日 · 进行中，还剩 9 天" in text
    assert "🔜 <b>打印准考证</b>\n4月1日–4月21日 · 62 天后开始" in text
    assert [label for label, _ in buttons(calls[0])] == ["📋 我的待办", "📥 导出日历"]


async def test_deadlines_in_english(chat: Chat) -> None:
    await arrange(chat.session_pool, region="shanghai", returning=True)

    text = joined(await chat.feed_text("/deadlines", language_code="en"))

    assert "<b>🗓 Shanghai · 2024 deadlines</b>" in text
    assert "🟢 <b>Confirm the application</b>\nautomatic for returning candidates" in text
    assert "🔜 <b>Print the admission ticket</b>\n1 Apr – 21 Apr · opens in 62 days" in text


async def test_deadlines_without_region_asks_for_it(chat: Chat) -> None:
    calls = await chat.feed_text("/deadlines")
    group = await chat.press(button_data(calls[0], "西南"))
    picked = await chat.press(button_data(group[1], "贵州"))

    assert "<b>🗓 贵州考区 · 2024年度时间节点</b>" in joined(picked)


@pytest.mark.parametrize(
    ("view", "needle"),
    [("todo", "我的待办"), ("deadlines", "时间节点"), ("profile", "我的资料")],
)
async def test_menu_buttons_open_the_views(chat: Chat, view: str, needle: str) -> None:
    await arrange(chat.session_pool, region="fujian")

    calls = await chat.press(f"mn:{view}")

    assert needle in joined(calls)


async def test_forged_menu_button_changes_nothing(chat: Chat) -> None:
    calls = await chat.press("mn:admin")

    assert stale_answers(calls) == [STALE_ZH]
    assert await load(chat.session_pool) is None


@pytest.mark.parametrize(
    ("language_code", "expected"),
    [
        ("zh-hans", "下一步：<b>考试</b> · 4月13日、4月14日、4月20日、4月21日 · 10 天后开考"),
        ("en", "Next: <b>Sit the exam</b> · 13 Apr, 14 Apr, 20 Apr, 21 Apr · starts in 10 days"),
    ],
)
async def test_exam_status_reads_as_the_exam_starting_not_a_window_opening(
    chat: Chat, clock: FixedClock, language_code: str, expected: str
) -> None:
    clock.now = datetime(2024, 4, 3, 2, 0, tzinfo=UTC)  # 3 Apr, ten days before the exam
    before_ticket = STEP_ORDER[: STEP_ORDER.index(Step.TICKET)]
    await arrange(chat.session_pool, region="beijing", returning=False, done=before_ticket)
    text = joined(await chat.feed_text("/done ticket", language_code=language_code))
    assert expected in text
