"""The tests' LocalSession: the same recorder, which can also be told to fail a call."""

from __future__ import annotations

from collections import defaultdict, deque
from typing import TYPE_CHECKING, Any

from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

from bot.channels.local_session import LocalSession

if TYPE_CHECKING:
    from aiogram import Bot


class FaultySession(LocalSession):
    """Record every call like LocalSession; raise the errors queued with `fail_next`."""

    def __init__(self) -> None:
        super().__init__()
        self._faults: dict[type[TelegramMethod[Any]], deque[Exception]] = defaultdict(deque)

    def fail_next(self, method_type: type[TelegramMethod[Any]], error: Exception) -> None:
        """Make the next call of `method_type` raise `error` (for fault tests)."""
        self._faults[method_type].append(error)

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        faults = self._faults.get(type(method))
        if faults:
            self.calls.append(method)
            raise faults.popleft()
        return await super().make_request(bot, method, timeout)
