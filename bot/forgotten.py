"""Who deleted their data lately, so a later command does not quietly re-create them.

After /forget there is no row, exactly as for someone who never wrote: the database alone
cannot tell "deleted a minute ago" from "new". New people keep being created on their first
command, as always; people who deleted their data are asked to send /start instead. Telling
the two apart needs a marker, and it is the only thing kept after /forget:

- it expires (FORGOTTEN_TTL), and /start removes it at once;
- it holds no Telegram id: its key is an HMAC of the id under a secret derived from the bot
  token, so a dump of Redis (or of memory) does not say who deleted their data;
- it lives in Redis when the dispatcher has Redis (every process sees it), else in memory.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

from redis.asyncio import Redis

from bot.errors import DataForgotten

FORGOTTEN_TTL = timedelta(days=7)
_PREFIX = "forgotten:"


class ForgottenMarks:
    """Markers of recent /forget, by keyed digest of the user id, each with a TTL."""

    def __init__(
        self,
        *,
        secret: bytes | None = None,
        redis: Redis | None = None,
        ttl: timedelta = FORGOTTEN_TTL,
    ) -> None:
        # Without a shared secret (no bot token) only this process can match its markers.
        self._secret = secret or os.urandom(32)
        self.redis = redis
        self.ttl = ttl
        self._local: dict[str, float] = {}  # key to expiry (monotonic), without Redis
        # What else deletes a user's data when they /forget: a channel's own stores (the
        # WeChat bridge's remembered choices and openids); each handles its own errors.
        self.on_forget: list[Callable[[int], Awaitable[None]]] = []

    @classmethod
    def for_token(cls, token: str | None, *, redis: Redis | None = None) -> ForgottenMarks:
        """Build the markers of one bot: processes sharing the token share the secret."""
        secret = hashlib.sha256(b"forgotten-marks:" + token.encode()).digest() if token else None
        return cls(secret=secret, redis=redis)

    def _key(self, user_id: int) -> str:
        digest = hmac.new(self._secret, str(user_id).encode(), hashlib.sha256).hexdigest()
        return _PREFIX + digest[:32]

    async def mark(self, user_id: int) -> None:
        """Remember, until the TTL runs out, that this user deleted their data, and let
        every `on_forget` hook delete what it keeps about them."""
        for hook in self.on_forget:
            await hook(user_id)
        key = self._key(user_id)
        if self.redis is not None:
            await self.redis.set(key, b"1", ex=self.ttl)
            return
        now = time.monotonic()
        self._local = {k: until for k, until in self._local.items() if until > now}
        self._local[key] = now + self.ttl.total_seconds()

    async def marked(self, user_id: int) -> bool:
        """Return True when this user deleted their data less than the TTL ago."""
        key = self._key(user_id)
        if self.redis is not None:
            return bool(await self.redis.exists(key))
        return self._local.get(key, 0.0) > time.monotonic()

    async def clear(self, user_id: int) -> None:
        """Drop the marker: the user started afresh with /start."""
        key = self._key(user_id)
        if self.redis is not None:
            await self.redis.delete(key)
            return
        self._local.pop(key, None)

    async def refuse(self, user_id: int) -> None:
        """Raise DataForgotten when this user deleted their data: only /start re-creates them."""
        if await self.marked(user_id):
            raise DataForgotten
