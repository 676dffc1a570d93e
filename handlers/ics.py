"""An iCalendar file of a candidate's remaining deadlines, for phone calendars to import."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Alarm, Calendar, Event

PRODID = "-//exam-assistant//candidate journey//ZH"
UID_DOMAIN = "exam-assistant.invalid"
# The notice gives days, not hours: all-day events, so no time zone can shift them. Alarms
# ring at 09:00 the day before the window opens and the day before its last day.
OPENING_ALARM = timedelta(hours=-15)
CLOSING_ALARM = timedelta(days=-1, hours=-15)


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One all-day event: `start` to `end` inclusive, with a UID stable across exports."""

    uid: str
    summary: str
    description: str
    start: date
    end: date


def _alarm(text: str, trigger: timedelta, related: str) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", text)
    alarm.add("trigger", trigger, parameters={"RELATED": related})
    return alarm


def _event(entry: CalendarEntry, *, alarm_text: str, footer: str, now: datetime) -> Event:
    event = Event()
    event.add("uid", f"{entry.uid}@{UID_DOMAIN}")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", entry.start)
    event.add("dtend", entry.end + timedelta(days=1))
    event.add("summary", entry.summary)
    event.add("description", "\n\n".join(p for p in (entry.description, footer) if p))
    event.add("transp", "TRANSPARENT")
    event.add_component(_alarm(f"{alarm_text}{entry.summary}", OPENING_ALARM, "START"))
    if entry.end > entry.start:
        event.add_component(_alarm(f"{alarm_text}{entry.summary}", CLOSING_ALARM, "END"))
    return event


def build_calendar(
    entries: Sequence[CalendarEntry],
    *,
    name: str,
    alarm_text: str,
    footer: str,
    now: datetime,
) -> bytes:
    """Return the .ics bytes of all-day events, each with its alarms."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    for entry in entries:
        calendar.add_component(_event(entry, alarm_text=alarm_text, footer=footer, now=now))
    data: bytes = calendar.to_ical()
    return data
