"""A bounded map whose entries expire: what one process remembers of recent WeChat users."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Recent(Generic[K, V]):
    """Values kept for `ttl` seconds after they were last set; at most `max_size` of them,
    the least recently set dropped first, so a flood of users cannot grow it without bound."""

    def __init__(
        self, ttl: float, *, max_size: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.max_size = max_size
        self._clock = clock
        self._values: OrderedDict[K, tuple[float, V]] = OrderedDict()  # key -> (expiry, value)

    def __len__(self) -> int:
        return len(self._values)

    def set(self, key: K, value: V) -> None:
        now = self._clock()
        self._values.pop(key, None)
        # Every entry lives `ttl`, so the oldest set are the first to expire.
        while self._values and next(iter(self._values.values()))[0] <= now:
            self._values.popitem(last=False)
        self._values[key] = (now + self.ttl, value)
        while len(self._values) > self.max_size:
            self._values.popitem(last=False)

    def discard(self, key: K) -> None:
        self._values.pop(key, None)

    def get(self, key: K) -> V | None:
        kept = self._values.get(key)
        if kept is None:
            return None
        if kept[0] <= self._clock():
            del self._values[key]
            return None
        return kept[1]
