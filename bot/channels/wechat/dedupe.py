"""Which pushes were seen already: WeChat pushes a message again when no answer came within
5 seconds, and each push is handled once (the first to claim its key wins).

In memory (one process) with a TTL and a size bound, or in Redis (every process of a
deployment) with `SET NX EX`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from redis.asyncio import Redis

from bot.channels.wechat.recent import Recent


class Dedupe(Protocol):
    async def claim(self, key: str) -> bool:
        """Return True the first time `key` is claimed within the TTL, False after."""


class MemoryDedupe:
    """Claims held in this process, forgotten after `ttl` seconds; at most `max_keys` kept
    (the oldest dropped first), so a flood cannot grow it without bound."""

    def __init__(
        self, ttl: float, *, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.max_keys = max_keys
        self._seen: Recent[str, bool] = Recent(ttl, max_size=max_keys, clock=clock)

    async def claim(self, key: str) -> bool:
        if self._seen.get(key):
            return False
        self._seen.set(key, True)
        return True


class RedisDedupe:
    """Claims shared by every process through Redis keys that expire after `ttl`."""

    def __init__(self, redis: Redis, ttl: float, *, prefix: str) -> None:
        self.redis = redis
        self.ttl_ms = max(1, int(ttl * 1000))
        self.prefix = prefix

    async def claim(self, key: str) -> bool:
        done = await self.redis.set(f"{self.prefix}:wechat:seen:{key}", b"1", nx=True,
                                    px=self.ttl_ms)
        return bool(done)
