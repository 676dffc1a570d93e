"""Send pacing: a global rate cap, one message a second per chat, and a shared retry_after pause.

Both limiters hand out send slots like a GCRA: each caller reserves the next free slot (no
earlier than its chat's next slot and the end of any pause) and sleeps until it. Slots are
absolute times, so pacing does not drift; a slot that fell a little into the past (the event
loop was busy) is still used, up to `tolerance`, so the achieved rate stays at the cap.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Protocol

from redis.asyncio import Redis


class RateLimiter(Protocol):
    """What a sender needs from a limiter."""

    async def acquire(self, chat_id: int) -> None:
        """Wait until a message may go to this chat."""

    async def pause(self, seconds: float) -> None:
        """Hold every sender for `seconds` (Telegram said retry_after)."""

    async def close(self) -> None:
        """Release connections."""


class MemoryRateLimiter:
    """One process's limiter."""

    def __init__(
        self,
        rate: float,
        *,
        per_chat_interval: float = 1.0,
        tolerance: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self.per_chat_interval = per_chat_interval
        self.tolerance = tolerance
        self.clock = clock
        self._next_free = 0.0
        self._paused_until = 0.0
        self._chat_next: dict[int, float] = {}
        self._sweep_at = 0.0

    async def acquire(self, chat_id: int) -> None:
        """Reserve the next slot this chat may use and sleep until it."""
        while True:
            now = self.clock()
            # A slot a little in the past is still used (the loop was busy); an idle limiter
            # starts from now, so it never bursts above the cap.
            base = self._next_free if self._next_free >= now - self.tolerance else now
            slot = max(base, self._paused_until, self._chat_next.get(chat_id, 0.0))
            self._next_free = slot + self.interval
            # Spacing counts from when the message really goes, not from a slot in the past.
            self._chat_next[chat_id] = max(slot, now) + self.per_chat_interval
            if now > self._sweep_at:
                self._sweep(now)
            if slot > now:
                await asyncio.sleep(slot - now)
            if self._paused_until <= max(slot, self.clock()):
                return

    def _sweep(self, now: float) -> None:
        self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}
        self._sweep_at = now + 10.0

    async def pause(self, seconds: float) -> None:
        """Hold every sender of this process for `seconds`."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)

    async def close(self) -> None:
        """Nothing to release."""


# KEYS: next free slot, pause end, this chat's next slot. ARGV: interval, per-chat interval,
# tolerance (all ms). Returns the wait in ms as a string (Lua numbers become integers).
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local per_chat = tonumber(ARGV[2])
local tolerance = tonumber(ARGV[3])
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if slot < now - tolerance then slot = now end
slot = math.max(slot, tonumber(redis.call('GET', KEYS[2]) or '0'))
slot = math.max(slot, tonumber(redis.call('GET', KEYS[3]) or '0'))
local keep = math.ceil(slot - now) + 60000
redis.call('SET', KEYS[1], string.format('%.3f', slot + interval), 'PX', keep)
local chat_next = math.max(slot, now) + per_chat
local chat_ttl = math.ceil(chat_next - now) + 1000
redis.call('SET', KEYS[3], string.format('%.3f', chat_next), 'PX', chat_ttl)
return string.format('%.3f', slot - now)
"""

# KEYS: pause end. ARGV: pause (ms). Extends the pause, never shortens it.
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local until_ms = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ms > current then
  redis.call('SET', KEYS[1], string.format('%.3f', until_ms), 'PX', math.ceil(ARGV[1]) + 1000)
end
return string.format('%.3f', math.max(until_ms, current) - now)
"""

# KEYS: pause end. Returns ms left of the pause (0 when none).
_PAUSE_LEFT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
return string.format('%.3f', math.max(0, current - now))
"""


class RedisRateLimiter:
    """The limiter shared by every process of a deployment (Redis's clock decides)."""

    def __init__(
        self,
        redis: Redis,
        rate: float,
        *,
        per_chat_interval: float = 1.0,
        tolerance: float = 0.05,
        prefix: str = "exam-bot:send",
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.redis = redis
        # One hash tag: every key of a script lands on the same Redis Cluster slot.
        self.prefix = "{" + prefix + "}"
        self._args = (1000.0 / rate, per_chat_interval * 1000.0, tolerance * 1000.0)
        self._acquire = redis.register_script(_ACQUIRE)
        self._pause = redis.register_script(_PAUSE)
        self._pause_left = redis.register_script(_PAUSE_LEFT)

    @classmethod
    def from_url(cls, url: str, rate: float, **kwargs: object) -> RedisRateLimiter:
        """Connect to REDIS_URL."""
        return cls(Redis.from_url(url), rate, **kwargs)  # type: ignore[arg-type]

    def _keys(self, chat_id: int) -> list[str]:
        return [f"{self.prefix}:next", f"{self.prefix}:pause", f"{self.prefix}:chat:{chat_id}"]

    async def acquire(self, chat_id: int) -> None:
        """Reserve the next shared slot this chat may use and sleep until it."""
        while True:
            wait_ms = float(await self._acquire(keys=self._keys(chat_id), args=self._args))
            if wait_ms <= 0:
                return  # the slot was reserved after any pause was set
            await asyncio.sleep(wait_ms / 1000.0)
            left = float(await self._pause_left(keys=[f"{self.prefix}:pause"]))
            if left <= 0:
                return
            await asyncio.sleep(left / 1000.0)

    async def pause(self, seconds: float) -> None:
        """Hold every sender of every process for `seconds`."""
        await self._pause(keys=[f"{self.prefix}:pause"], args=[seconds * 1000.0])

    async def close(self) -> None:
        """Close the Redis connection pool."""
        await self.redis.aclose()


def unique_prefix() -> str:
    """Return a fresh key prefix (tests and benchmarks running side by side never collide)."""
    return f"exam-bot-test:{uuid.uuid4().hex[:12]}"
