"""Where the handlers' replies to a WeChat user go while one push of theirs is handled.

WeChat waits 5 seconds for the answer to a push. What the handlers send within the reply
window is held and becomes the passive reply; once the window has closed (or the passive
reply is full), the rest goes out as customer-service messages, in the order it was sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from aiogram.methods import TelegramMethod

from bot.channels.local_session import LocalSession
from bot.channels.wechat.text import MESSAGE_BYTES, split_bytes

Send = Callable[[str, str], Awaitable[None]]  # (openid, text)
Spawn = Callable[[Coroutine[Any, Any, None]], "asyncio.Task[None]"]


class Capture:
    """The texts sent to one user for one push: held for the passive reply, then sent."""

    def __init__(self, openid: str, send: Send, spawn: Spawn) -> None:
        self.openid = openid
        self.live = False  # the passive reply is gone: send as it comes
        self._send = send
        self._spawn = spawn
        self._texts: list[str] = []
        self._sending: asyncio.Task[None] | None = None

    def add(self, text: str) -> None:
        self._texts.append(text)
        if self.live:
            self._kick()

    def go_live(self) -> None:
        """Send what is held and, from now on, whatever is added."""
        self.live = True
        self._kick()

    def reply(self, limit: int = MESSAGE_BYTES) -> str | None:
        """Return the passive reply: what is held, a blank line between messages, at most
        `limit` bytes of it; the rest is sent as customer-service messages."""
        pieces = split_bytes("\n\n".join(self._texts), limit)
        self._texts = pieces[1:]
        self.go_live()
        return pieces[0] if pieces else None

    def _kick(self) -> None:
        # One sender at a time, draining in order: a text added while it sends waits its turn.
        if self._texts and (self._sending is None or self._sending.done()):
            self._sending = self._spawn(self._drain())

    async def _drain(self) -> None:
        while self._texts:
            await self._send(self.openid, self._texts.pop(0))


class WeChatSession(LocalSession):
    """Answer Bot API calls locally, as the terminal chat does, keeping no record: every call,
    once answered, goes to `deliver`, which turns it into WeChat text for its user."""

    def __init__(self, deliver: Callable[[TelegramMethod[Any], Any], Awaitable[None]]) -> None:
        super().__init__(record=False)
        self._deliver = deliver

    async def on_result(self, method: TelegramMethod[Any], result: Any) -> None:
        await self._deliver(method, result)
