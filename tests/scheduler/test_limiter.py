"""Rate limiters: the global cap, per-chat spacing and the shared pause, in memory and Redis."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator

import pytest

from scheduler.limiter import MemoryRateLimiter, RateLimiter, RedisRateLimiter, unique_prefix


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def make_limiter(request: pytest.FixtureRequest) -> AsyncIterator[object]:
    made: list[RateLimiter] = []

    def make(rate: float, per_chat: float = 1.0) -> RateLimiter:
        limiter: RateLimiter
        if request.param == "memory":
            limiter = MemoryRateLimiter(rate, per_chat_interval=per_chat)
        else:
            url = request.getfixturevalue("redis_url")
            limiter = RedisRateLimiter.from_url(
                url, rate, per_chat_interval=per_chat, prefix=unique_prefix()
            )
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


async def test_limiter_redis_is_shared_between_instances(redis_url: str) -> None:
    prefix = unique_prefix()
    first = RedisRateLimiter.from_url(redis_url, 100.0, prefix=prefix)
    second = RedisRateLimiter.from_url(redis_url, 100.0, prefix=prefix)
    try:
        started = time.monotonic()
        await asyncio.gather(
            _stamps(first, list(range(25))), _stamps(second, list(range(100, 125)))
        )
        assert time.monotonic() - started >= 0.42  # 50 slots at 100/s between them
    finally:
        await first.close()
        await second.close()
