"""The time source handlers, the planner and the sender use: injectable, so tests fix `now`
instead of sleeping, and BOT_CLOCK can start a whole process on any day of the cycle."""

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


def shifted_clock(start: datetime, *, real: Clock = utc_clock) -> Clock:
    """Return a clock that reads `start` now and runs forward at the real pace."""
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be timezone-aware")
    offset = start - real()

    def clock() -> datetime:
        return real() + offset

    return clock


def process_clock(start: datetime | None) -> Clock:
    """Return the process's clock: the real one, or one started at BOT_CLOCK."""
    return utc_clock if start is None else shifted_clock(start)
