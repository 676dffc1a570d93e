"""Rate limiters on Redis: the tests of tests/unit/scheduler/test_limiter.py on Redis
limiters, and two instances sharing one limit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from scheduler.limiter import RateLimiter, RedisRateLimiter
from tests.factories import unique_prefix

# Collected here again, with this module's `make_limiter`: the same checks on Redis.
from tests.unit.scheduler.test_limiter import (  # noqa: F401
    _stamps,
    test_limiter_admit_after_a_pause_takes_a_fresh_slot,
    test_limiter_admits_no_more_than_the_cap_in_any_second_however_late_callers_come,
    test_limiter_keeps_the_global_rate,
    test_limiter_pause_holds_every_sender,
    test_limiter_spaces_messages_to_one_chat,
)

pytestmark = pytest.mark.redis


@pytest.fixture(params=["redis"])
async def make_limiter(request: pytest.FixtureRequest) -> AsyncIterator[object]:
    made: list[RateLimiter] = []
    url = request.getfixturevalue("redis_url")

    def make(rate: float, per_chat: float = 1.0) -> RateLimiter:
        limiter = RedisRateLimiter.from_url(
            url, rate, per_chat_interval=per_chat, prefix=unique_prefix()
        )
        made.append(limiter)
        return limiter

    yield make
    for limiter in made:
        await limiter.close()


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
