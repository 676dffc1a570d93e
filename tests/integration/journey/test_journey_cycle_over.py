"""After the last date of the loaded notice year: say the cycle has ended, list no steps."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.knowledge import Knowledge
from notices import cycle_end, cycle_over
from tests.integration.conftest import Chat, FixedClock

AFTER = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)  # 1 Mar 2025, 10:00 in Shanghai


def test_cycle_over_only_after_the_last_date_of_the_year(knowledge: Knowledge) -> None:
    kb = knowledge.kb
    assert cycle_end(kb) == date(2024, 4, 21)  # the last exam day: scores have no date
    assert not cycle_over(kb, datetime(2024, 4, 21, 15, 59, tzinfo=UTC))  # 23:59 Shanghai
    assert cycle_over(kb, datetime(2024, 4, 21, 16, 0, tzinfo=UTC))


async def test_after_the_cycle_welcome_and_todo_say_it_has_ended(
    chat: Chat, clock: FixedClock
) -> None:
    clock.now = AFTER
    welcome = "\n".join(await chat.send("/start"))
    assert "2024年度的考试周期已经结束" in welcome
    assert "2024年4月21日" in welcome  # a date of another year carries its year
    assert "https://www.21wecan.com/" in welcome and "微信公众号" in welcome
    await chat.send("/region 北京")
    todo = "\n".join(await chat.send("/todo"))
    assert "2024年度的考试周期已经结束" in todo and "下一年度的考生须知还没有载入" in todo
    assert "已过" not in todo and "缴费" not in todo
    deadlines = "\n".join(await chat.send("/deadlines"))
    assert "考试周期已经结束" in deadlines and "⛔" not in deadlines


async def test_after_the_cycle_english_todo_says_it_has_ended(
    chat: Chat, clock: FixedClock
) -> None:
    clock.now = AFTER
    await chat.send("/lang en")
    await chat.send("/region 北京")
    todo = "\n".join(await chat.send("/todo"))
    assert "The 2024 exam cycle has ended" in todo and "21 Apr 2024" in todo
    assert "Next year's notice is not loaded" in todo


async def test_inside_the_cycle_todo_lists_the_steps(chat: Chat) -> None:
    await chat.send("/region 北京")
    todo = "\n".join(await chat.send("/todo"))
    assert "考试周期已经结束" not in todo and "缴费" in todo
