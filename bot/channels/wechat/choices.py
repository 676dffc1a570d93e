"""The numbered choices each WeChat user was shown last, so a reply "2" can be read as a tap
on the second button.

A WeChat text cannot carry buttons: the bridge shows a message's callback buttons as
numbered lines (bot/channels/wechat/text.py) and remembers them here, per internal user id
(never the openid), for a day. In memory for one process, or in Redis so that every process
behind one endpoint reads the same choices.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis

from bot.channels.wechat.recent import Recent
from bot.channels.wechat.text import Choice

logger = logging.getLogger(__name__)

CHOICES_TTL = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class Shown:
    """The callback buttons of one message, in the order they are numbered (from 1)."""

    message_id: int
    choices: tuple[Choice, ...]

    def pick(self, reply: str) -> Choice | None:
        """Return the choice a reply of just its number picks ("2", "２"), else None."""
        number = reply.strip().rstrip(".。")
        if not number.isdecimal() or len(number) > 3:
            return None
        index = int(number) - 1
        return self.choices[index] if 0 <= index < len(self.choices) else None

    def dumps(self) -> str:
        return json.dumps(
            {"m": self.message_id, "c": [[c.text, c.data] for c in self.choices]},
            ensure_ascii=False,
        )

    @classmethod
    def loads(cls, raw: str | bytes) -> Shown | None:
        try:
            data = json.loads(raw)
            choices = tuple(Choice(str(text), data=str(value)) for text, value in data["c"])
            return cls(int(data["m"]), choices)
        except (ValueError, KeyError, TypeError):
            logger.warning("wechat: remembered choices could not be read; dropped")
            return None


class ChoiceStore(Protocol):
    async def remember(self, user_id: int, shown: Shown) -> None:
        """Keep `shown` as the user's current choices, replacing the previous ones."""

    async def get(self, user_id: int) -> Shown | None:
        """Return the user's current choices, if any are remembered."""

    async def forget(self, user_id: int) -> None:
        """Drop the user's choices (they deleted their data)."""


class MemoryChoices:
    """Choices kept in this process for `ttl` seconds; at most `max_users` (oldest dropped)."""

    def __init__(
        self, ttl: float = CHOICES_TTL, *, max_users: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._shown: Recent[int, Shown] = Recent(ttl, max_size=max_users, clock=clock)

    async def remember(self, user_id: int, shown: Shown) -> None:
        self._shown.set(user_id, shown)

    async def get(self, user_id: int) -> Shown | None:
        return self._shown.get(user_id)

    async def forget(self, user_id: int) -> None:
        self._shown.discard(user_id)


class RedisChoices:
    """Choices in Redis under `<prefix>:wechat:choices:<user id>`, expiring after `ttl`."""

    def __init__(self, redis: Redis, *, prefix: str, ttl: float = CHOICES_TTL) -> None:
        self.redis = redis
        self.prefix = prefix
        self.ttl = max(1, int(ttl))

    def _key(self, user_id: int) -> str:
        return f"{self.prefix}:wechat:choices:{user_id}"

    async def remember(self, user_id: int, shown: Shown) -> None:
        await self.redis.set(self._key(user_id), shown.dumps(), ex=self.ttl)

    async def get(self, user_id: int) -> Shown | None:
        raw = await self.redis.get(self._key(user_id))
        return Shown.loads(raw) if raw is not None else None

    async def forget(self, user_id: int) -> None:
        await self.redis.delete(self._key(user_id))
