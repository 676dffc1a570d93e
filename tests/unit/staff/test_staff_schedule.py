"""Reading the Beijing time staff give for a scheduled broadcast."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.staff.schedule import parse_send_time, time_example
from tests.factories import NOW  # 10:00 on 30 Jan 2024 in Beijing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-31 09:00", datetime(2024, 1, 31, 1, 0, tzinfo=UTC)),
        ("1/31 09:00", datetime(2024, 1, 31, 1, 0, tzinfo=UTC)),
        ("11:30", datetime(2024, 1, 30, 3, 30, tzinfo=UTC)),
        ("09：00", datetime(2024, 1, 31, 1, 0, tzinfo=UTC)),  # passed today: tomorrow
    ],
)
def test_parse_send_time_reads_beijing_times(text: str, expected: datetime) -> None:
    assert parse_send_time(text, now=NOW) == expected


@pytest.mark.parametrize("text", ["2024-01-29 09:00", "2024-03-15 09:00", "25:00", "明天", ""])
def test_parse_send_time_refuses_past_far_or_unreadable(text: str) -> None:
    assert parse_send_time(text, now=NOW) is None


def test_time_example_is_tomorrow_morning() -> None:
    assert time_example(NOW) == "2024-01-31 09:00"
    assert parse_send_time(time_example(NOW), now=NOW) is not None
