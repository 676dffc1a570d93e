"""/calendar: an .ics of the remaining deadlines that phone calendars import."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from aiogram.methods import SendDocument
from aiogram.types import BufferedInputFile
from icalendar import Calendar

from notices import Step
from tests.integration.conftest import Chat, FixedClock
from tests.integration.journey.helpers import arrange, button_data, joined


async def export(chat: Chat, **kwargs: str) -> tuple[SendDocument, Calendar]:
    calls = await chat.feed_text("/calendar", **kwargs)
    documents = [c for c in calls if isinstance(c, SendDocument)]
    assert len(documents) == 1, calls
    upload = documents[0].document
    assert isinstance(upload, BufferedInputFile)
    return documents[0], Calendar.from_ical(upload.data)


def events_by_summary(calendar: Calendar) -> dict[str, list[object]]:
    found: dict[str, list[object]] = {}
    for event in calendar.walk("VEVENT"):
        found.setdefault(str(event["SUMMARY"]), []).append(event)
    return found


async def test_calendar_holds_each_remaining_deadline_as_an_all_day_event(chat: Chat) -> None:
    await arrange(chat.session_pool, region="shanghai", returning=False)

    document, calendar = await export(chat)

    assert document.document.filename == "exam-2024-shanghai.ics"
    assert "上海考区的 6 个时间节点" in document.caption
    assert "未列入（日期见考区通知）：报名确认、资格审核、查成绩" in document.caption
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Shanghai"
    spans = {
        (str(e["SUMMARY"]), e.decoded("DTSTART"), e.decoded("DTEND"))
        for e in calendar.walk("VEVENT")
    }
    assert spans == {
        ("缴费", date(2024, 1, 29), date(2024, 2, 9)),
        ("打印准考证", date(2024, 4, 1), date(2024, 4, 22)),
        ("考试", date(2024, 4, 13), date(2024, 4, 14)),
        ("考试", date(2024, 4, 14), date(2024, 4, 15)),
        ("考试", date(2024, 4, 20), date(2024, 4, 21)),
        ("考试", date(2024, 4, 21), date(2024, 4, 22)),
    }


async def test_calendar_events_are_all_day_with_alarms_and_stable_uids(
    chat: Chat, clock: FixedClock
) -> None:
    await arrange(chat.session_pool, region="guizhou")
    _, first = await export(chat)
    clock.now += timedelta(hours=3)
    _, second = await export(chat)

    events = list(first.walk("VEVENT"))
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    assert uids == [str(e["UID"]) for e in second.walk("VEVENT")]
    assert "2024-guizhou-pay@exam-assistant.invalid" in uids
    for event in events:
        start = event.decoded("DTSTART")
        assert type(start) is date  # all-day: no time zone can move the day
        assert event["DTSTART"].params["VALUE"] == "DATE"
        assert event.decoded("DTSTAMP").tzinfo is not None
        alarms = event.walk("VALARM")
        assert alarms
        for alarm in alarms:
            assert str(alarm["ACTION"]) == "DISPLAY"
            assert alarm.decoded("TRIGGER") < timedelta(0)
            assert str(alarm["DESCRIPTION"]).startswith("提醒：")
        related = sorted(str(a["TRIGGER"].params.get("RELATED")) for a in alarms)
        multi_day = event.decoded("DTEND") - start > timedelta(days=1)
        assert related == (["END", "START"] if multi_day else ["START"])
    pay = next(e for e in events if str(e["SUMMARY"]) == "缴费")
    assert "省直考点" in str(pay["DESCRIPTION"])
    assert "非官方" in str(pay["DESCRIPTION"])


async def test_calendar_leaves_out_steps_done_and_windows_past(
    chat: Chat, clock: FixedClock
) -> None:
    await arrange(chat.session_pool, region="beijing", done=[Step.TICKET])
    clock.now = datetime(2024, 4, 14, 2, 0, tzinfo=UTC)

    document, calendar = await export(chat, language_code="en")

    spans = sorted(
        (str(e["SUMMARY"]), e.decoded("DTSTART")) for e in calendar.walk("VEVENT")
    )
    assert spans == [
        ("Sit the exam", date(2024, 4, 14)),
        ("Sit the exam", date(2024, 4, 20)),
        ("Sit the exam", date(2024, 4, 21)),
    ]
    assert document.caption.startswith("📥 3 date(s) for Beijing")
    assert str(calendar["X-WR-CALNAME"]) == "2024 health qualification exam · my to-do"


async def test_calendar_with_nothing_ahead_says_so(chat: Chat, clock: FixedClock) -> None:
    await arrange(chat.session_pool, region="beijing")
    clock.now = datetime(2024, 7, 1, 2, 0, tzinfo=UTC)

    replies = await chat.send("/calendar")

    assert replies == [
        "北京考区已经没有尚未结束的时间节点可以导出。发送 /deadlines 查看全部时间节点。"
    ]


async def test_calendar_without_region_asks_then_sends_the_file(chat: Chat) -> None:
    calls = await chat.feed_text("/calendar")
    group = await chat.press(button_data(calls[0], "华东"))

    picked = await chat.press(button_data(group[1], "浙江"))

    assert "考区已设为 <b>浙江</b>" in joined(picked)
    documents = [c for c in picked if isinstance(c, SendDocument)]
    assert documents[0].document.filename == "exam-2024-zhejiang.ics"


async def test_calendar_button_under_the_deadlines(chat: Chat) -> None:
    await arrange(chat.session_pool, region="sichuan")
    deadlines = await chat.feed_text("/deadlines")

    calls = await chat.press(button_data(deadlines[0], "导出日历"))

    assert [c.document.filename for c in calls if isinstance(c, SendDocument)] == [
        "exam-2024-sichuan.ics"
    ]
