"""Reading the time staff give for a scheduled broadcast (Beijing time)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from notices import SHANGHAI

MAX_AHEAD = timedelta(days=30)
_FULL = re.compile(r"^(?:(\d{4})[-/.])?(\d{1,2})[-/.](\d{1,2})\s+(\d{1,2})[:：](\d{2})$")
_TIME = re.compile(r"^(\d{1,2})[:：](\d{2})$")


def parse_send_time(text: str, *, now: datetime) -> datetime | None:
    """Return the UTC-aware instant "2024-02-01 09:00", "02-01 09:00" or "09:00" names.

    A bare time means its next occurrence. None when unreadable, past or over 30 days ahead.
    """
    value = text.strip()
    local_now = now.astimezone(SHANGHAI)
    try:
        if (match := _TIME.match(value)) is not None:
            at = time(int(match[1]), int(match[2]))
            when = datetime.combine(local_now.date(), at, tzinfo=SHANGHAI)
            if when <= local_now:
                when += timedelta(days=1)
        elif (match := _FULL.match(value)) is not None:
            day = date(int(match[1] or local_now.year), int(match[2]), int(match[3]))
            when = datetime.combine(day, time(int(match[4]), int(match[5])), tzinfo=SHANGHAI)
        else:
            return None
    except ValueError:
        return None
    if not now < when <= now + MAX_AHEAD:
        return None
    return when.astimezone(now.tzinfo)


def time_example(now: datetime) -> str:
    """Return tomorrow 09:00 in Beijing time, written the way parse_send_time reads it."""
    tomorrow = now.astimezone(SHANGHAI).date() + timedelta(days=1)
    return f"{tomorrow.isoformat()} 09:00"
