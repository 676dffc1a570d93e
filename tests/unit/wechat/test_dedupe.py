"""The in-memory dedupe store: a key is claimed once within its TTL, and the store is bounded."""

from __future__ import annotations

from bot.channels.wechat.dedupe import MemoryDedupe


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_memory_dedupe_claims_a_key_once_within_the_ttl() -> None:
    clock = Ticks()
    seen = MemoryDedupe(300, clock=clock)
    assert await seen.claim("msg:1")
    assert not await seen.claim("msg:1")
    assert await seen.claim("msg:2")
    clock.now += 299
    assert not await seen.claim("msg:1")
    clock.now += 2  # past the TTL: a new push with the same id is new again
    assert await seen.claim("msg:1")


async def test_memory_dedupe_keeps_at_most_max_keys() -> None:
    seen = MemoryDedupe(300, max_keys=3, clock=Ticks())
    for key in "abcde":
        assert await seen.claim(key)
    assert len(seen._seen) == 3
    assert not await seen.claim("e")
    assert await seen.claim("a")  # the oldest were dropped to make room
