"""BOT_CLOCK: the process clock starts at a given Shanghai time and runs forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from bot.clock import process_clock, shifted_clock, utc_clock
from bot.config import Settings
from notices import SHANGHAI


def test_settings_bot_clock_without_zone_is_shanghai() -> None:
    settings = Settings(_env_file=None, bot_clock="2024-01-29T09:30")
    assert settings.bot_clock == datetime(2024, 1, 29, 1, 30, tzinfo=UTC)
    assert settings.bot_clock is not None and settings.bot_clock.tzinfo is SHANGHAI


def test_settings_bot_clock_blank_is_the_real_time() -> None:
    assert Settings(_env_file=None, bot_clock=" ").bot_clock is None
    assert process_clock(None) is utc_clock


def test_settings_bot_clock_malformed_says_the_expected_form() -> None:
    with pytest.raises(ValidationError, match="2024-01-29T09:30"):
        Settings(_env_file=None, bot_clock="next monday")


def test_shifted_clock_starts_at_the_given_time_and_runs_forward() -> None:
    real = [datetime(2025, 6, 1, tzinfo=UTC)]
    start = datetime(2024, 1, 29, 9, 30, tzinfo=SHANGHAI)
    clock = shifted_clock(start, real=lambda: real[0])
    assert clock() == start
    real[0] += timedelta(seconds=90)
    assert clock() == start + timedelta(seconds=90)


def test_shifted_clock_refuses_a_naive_start() -> None:
    with pytest.raises(ValueError, match="aware"):
        shifted_clock(datetime(2024, 1, 29, 9, 30))
