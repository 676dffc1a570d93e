"""The time source handlers use: injectable, so tests fix `now` instead of sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_clock() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


def now_from(clock: Clock | None) -> datetime:
    """Return the time of the injected clock, or the real one when none was injected."""
    return (clock or utc_clock)()
