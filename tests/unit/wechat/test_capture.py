"""What one push's replies become: held for the passive reply, then sent in order."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from bot.channels.wechat.capture import Capture


class Outbox:
    def __init__(self) -> None:
        self.sent: list[str] = []
        self.tasks: list[asyncio.Task[None]] = []

    async def send(self, openid: str, text: str) -> None:
        await asyncio.sleep(0)  # let others add while this one is on its way
        self.sent.append(f"{openid}:{text}")

    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(coro)
        self.tasks.append(task)
        return task

    async def settle(self) -> None:
        while not all(task.done() for task in self.tasks):
            await asyncio.gather(*self.tasks)


async def test_capture_reply_joins_messages_with_a_blank_line() -> None:
    outbox = Outbox()
    capture = Capture("o1", outbox.send, outbox.spawn)
    capture.add("一")
    capture.add("二")
    assert capture.reply() == "一\n\n二"
    await outbox.settle()
    assert outbox.sent == []


async def test_capture_reply_over_the_limit_sends_the_rest() -> None:
    outbox = Outbox()
    capture = Capture("o1", outbox.send, outbox.spawn)
    for text in ("aaaa", "bbbb", "cccc"):
        capture.add(text)
    assert capture.reply(limit=10) == "aaaa\n\nbbbb"
    await outbox.settle()
    assert outbox.sent == ["o1:cccc"]


async def test_capture_live_sends_held_then_later_texts_in_order() -> None:
    outbox = Outbox()
    capture = Capture("o1", outbox.send, outbox.spawn)
    capture.add("1")
    capture.add("2")
    capture.go_live()
    capture.add("3")
    await asyncio.sleep(0)
    capture.add("4")
    await outbox.settle()
    capture.add("5")
    await outbox.settle()
    assert outbox.sent == ["o1:1", "o1:2", "o1:3", "o1:4", "o1:5"]


async def test_capture_with_nothing_held_replies_none() -> None:
    outbox = Outbox()
    assert Capture("o1", outbox.send, outbox.spawn).reply() is None
    assert outbox.tasks == []
