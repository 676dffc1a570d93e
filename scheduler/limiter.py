"""Send pacing: a global rate cap, one message a second per chat, and a shared retry_after pause.

Both limiters hand out send slots like a GCRA: each caller reserves the next free slot (no
earlier than its chat's next slot and the end of any pause) and sleeps until it. Slots are
absolute times, so pacing does not drift; a slot that fell a little into the past (the event
loop was busy) is still used, up to `tolerance`, so the achieved rate stays at the cap.

Slots alone do not keep the cap: a caller that wakes late (its process was descheduled, its
loop busy, a write sat between the slot and the request) sends with the callers of later
slots, and two processes measured up to 44 requests in one second under a cap of 40 while
their slots never had more than 40. So `admit`, the last step before a request, counts the
requests of the last second (per process in memory, for every process in Redis) and holds a
caller while the window is full: however late callers come, no 1-second window holds more
than the cap (its whole part, at least one).
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Protocol, cast

from redis.asyncio import Redis


class RateLimiter(Protocol):
    """What a sender needs from a limiter."""

    async def acquire(self, chat_id: int) -> None:
        """Wait for this chat's next slot."""

    async def admit(self, chat_id: int) -> None:
        """The last step before the request: wait until it keeps the cap in every 1-second
        window, and count it (call it after `acquire`, with nothing slow after it)."""

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
        self.window_cap = window_cap(rate)
        self._window: deque[float] = deque()  # when the requests of the last second went

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

    async def admit(self, chat_id: int) -> None:
        """Count the request now, or wait until the last second has room for it."""
        while True:
            now = self.clock()
            if self._paused_until > now:
                # Paused since the slot: wait it out and take a fresh slot, paced as the rest.
                await self.acquire(chat_id)
                continue
            while self._window and self._window[0] <= now - 1.0:
                self._window.popleft()
            if len(self._window) < self.window_cap:
                self._window.append(now)
                # Spacing counts from when the message really goes.
                self._chat_next[chat_id] = max(
                    self._chat_next.get(chat_id, 0.0), now + self.per_chat_interval
                )
                return
            await asyncio.sleep(self._window[0] + 1.0 - now)

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

# KEYS: the last second's requests (a sorted set), pause end, this chat's next slot. ARGV: the
# window's cap, per-chat interval (ms), a unique member. Returns 'ok' when the request is
# counted, 'wait:<ms>' while the window is full, 'pause:<ms>' while every sender is held.
_ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local pause = tonumber(redis.call('GET', KEYS[2]) or '0')
if pause > now then return 'pause:' .. string.format('%.3f', pause - now) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.3f', now - 1000))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local oldest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
  return 'wait:' .. string.format('%.3f', oldest + 1000 - now)
end
redis.call('ZADD', KEYS[1], string.format('%.3f', now), ARGV[3])
redis.call('PEXPIRE', KEYS[1], 2000)
local chat_next = now + tonumber(ARGV[2])
if chat_next > tonumber(redis.call('GET', KEYS[3]) or '0') then
  redis.call('SET', KEYS[3], string.format('%.3f', chat_next), 'PX',
             math.ceil(ARGV[2]) + 1000)
end
return 'ok'
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
        self._window_cap = window_cap(rate)
        self._acquire = redis.register_script(_ACQUIRE)
        self._admit = redis.register_script(_ADMIT)
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

    async def admit(self, chat_id: int) -> None:
        """Count the request now in the window every process shares, or wait for room."""
        keys = [f"{self.prefix}:window", f"{self.prefix}:pause", f"{self.prefix}:chat:{chat_id}"]
        while True:
            args = (self._window_cap, self._args[1], uuid.uuid4().hex)
            answer = await self._admit(keys=keys, args=args)
            text = answer.decode() if isinstance(answer, bytes) else str(answer)
            verdict, _, ms = text.partition(":")
            if verdict == "ok":
                return
            if verdict == "pause":
                # Held since the slot: a fresh slot after the pause, paced as the rest.
                await self.acquire(chat_id)
            else:
                await asyncio.sleep(float(ms) / 1000.0)

    async def admitted(self) -> dict[str, float]:
        """Return the requests the window holds (each its id and the Redis time, in seconds,
        it was admitted): what a test or an operator can watch of the shared cap."""
        entries = await self.redis.zrange(f"{self.prefix}:window", 0, -1, withscores=True)
        return {
            (key.decode() if isinstance(key, bytes) else str(key)): float(score) / 1000.0
            for key, score in cast(list[tuple[bytes | str, float]], entries)
        }

    async def pause(self, seconds: float) -> None:
        """Hold every sender of every process for `seconds`."""
        await self._pause(keys=[f"{self.prefix}:pause"], args=[seconds * 1000.0])

    async def close(self) -> None:
        """Close the Redis connection pool."""
        await self.redis.aclose()


def window_cap(rate: float) -> int:
    """Return how many requests one second may hold at this rate (its whole part, at least 1)."""
    return max(1, math.floor(rate))

