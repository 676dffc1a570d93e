"""Rate limiters: the global cap, per-chat spacing and the shared pause, in memory (the same
tests on Redis: tests/integration/scheduler/test_limiter_redis.py)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator

import pytest

from scheduler.limiter import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from tests.timing import most_in_one_second


@pytest.fixture(params=["memory"])
async def make_limiter(request: pytest.FixtureRequest) -> AsyncIterator[object]:
    """In-memory limiters; tests/integration/scheduler/test_limiter_redis.py runs the same
    tests on Redis limiters."""
    made: list[RateLimiter] = []

    def make(rate: float, per_chat: float = 1.0) -> RateLimiter:
        limiter = MemoryRateLimiter(rate, per_chat_interval=per_chat)
        made.append(limiter)
        return limiter

    yield make
    for limiter in made:
        await limiter.close()


async def _stamps(limiter: RateLimiter, chats: list[int]) -> list[float]:
    stamps: list[float] = []

    async def one(chat: int) -> None:
        await limiter.acquire(chat)
        stamps.append(time.monotonic())

    await asyncio.gather(*(one(c) for c in chats))
    return sorted(stamps)


async def test_limiter_keeps_the_global_rate(make_limiter: object) -> None:
    limiter = make_limiter(200.0)  # type: ignore[operator]
    stamps = await _stamps(limiter, list(range(100)))
    elapsed = stamps[-1] - stamps[0]
    assert 0.40 <= elapsed <= 0.65  # 100 slots at 200/s, a 50 ms catch-up allowed


async def test_limiter_spaces_messages_to_one_chat(make_limiter: object) -> None:
    limiter = make_limiter(1000.0, 0.2)  # type: ignore[operator]
    stamps = await _stamps(limiter, [7, 7, 7])
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert all(gap >= 0.18 for gap in gaps)


async def test_limiter_pause_holds_every_sender(make_limiter: object) -> None:
    limiter = make_limiter(1000.0)  # type: ignore[operator]
    await limiter.pause(0.3)
    started = time.monotonic()
    await _stamps(limiter, [1, 2, 3])
    assert time.monotonic() - started >= 0.28


@pytest.mark.slow
async def test_limiter_admits_no_more_than_the_cap_in_any_second_however_late_callers_come(
    make_limiter: object,
) -> None:
    """A caller that wakes late after its slot (its process was descheduled, a write came
    between) would go with the callers of later slots; `admit` holds it while the last second
    is full, so the requests as admitted never exceed the cap in a second."""
    rate = 50
    limiter = make_limiter(float(rate))  # type: ignore[operator]
    would_go: list[float] = []
    admitted: list[float] = []
    seen: dict[str, float] = {}
    done = asyncio.Event()

    async def watch() -> None:  # Redis: what the shared window held, in Redis time
        while not done.is_set():
            seen.update(await limiter.admitted())
            await asyncio.sleep(0.1)
        seen.update(await limiter.admitted())

    woken = itertools.count()

    async def one(index: int) -> None:
        await limiter.acquire(index)
        if next(woken) < 20:
            await asyncio.sleep(0.3)  # the first 20 slots' callers are stalled past them
        would_go.append(time.monotonic())
        await limiter.admit(index)
        admitted.append(time.monotonic())

    watcher = asyncio.create_task(watch()) if isinstance(limiter, RedisRateLimiter) else None
    await asyncio.gather(*(one(i) for i in range(80)))
    done.set()
    if watcher is not None:
        await watcher
        assert len(seen) == 80 and most_in_one_second(list(seen.values())) <= rate
    else:
        # Stamped with no await after the limiter counts, but a few microseconds later; and the
        # limiter admits a caller exactly one second after the oldest of the window, so two
        # stamps may fall a hair under a second apart: a millisecond's allowance.
        assert most_in_one_second(admitted, window=0.999) <= rate
    assert most_in_one_second(would_go) > rate * 1.1  # the slots alone let the late ones bunch
    assert max(admitted) - min(admitted) < 2.5  # and the cap is still reached (80 at 50/s)


async def test_limiter_admit_after_a_pause_takes_a_fresh_slot(make_limiter: object) -> None:
    limiter = make_limiter(1000.0)  # type: ignore[operator]
    await limiter.acquire(1)
    await limiter.pause(0.3)  # Telegram said retry_after between the slot and the request
    started = time.monotonic()
    await limiter.admit(1)
    assert time.monotonic() - started >= 0.28
