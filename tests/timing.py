"""Counting moments: shared by the rate-limiter tests and the end-to-end sender tests."""

from __future__ import annotations

from collections.abc import Iterable


def most_in_one_second(moments: Iterable[float], window: float = 1.0) -> int:
    """Return the most moments that fall within any one second (or a shorter `window`)."""
    times = sorted(moments)
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best
