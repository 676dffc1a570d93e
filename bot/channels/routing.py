"""A process serving several channels: each message goes to the channel its user belongs to
(bot/db/identities.py: a negative user id is another channel's person, a positive one
Telegram's). `ChannelDeliveries` does it for the reminder engine, `RoutingSession` for what
the core and the handlers send with the process's Bot outside an update of that channel
(a broadcast's progress in a staff chat, a staff member's menu)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from typing import TYPE_CHECKING, Any

from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

from bot.db.identities import channel_of
from scheduler.delivery import Delivery, DeliveryResult, Outcome, Outgoing

if TYPE_CHECKING:
    from aiogram import Bot


class ChannelDeliveries:
    """Route each outgoing message to its user's channel; a channel this process does not
    serve is `CHAT_NOT_FOUND` (the row is given up, like a chat that is gone). Each channel
    closes its own delivery."""

    def __init__(self, by_channel: Mapping[str, Delivery]) -> None:
        self.by_channel = dict(by_channel)

    async def deliver(self, message: Outgoing) -> DeliveryResult:
        delivery = self.by_channel.get(channel_of(message.chat_id))
        if delivery is None:
            return DeliveryResult(Outcome.CHAT_NOT_FOUND, detail="channel not served here")
        return await delivery.deliver(message)


def chat_of(method: TelegramMethod[Any]) -> int | None:
    """The chat a Bot API call is about: its chat id, or its command scope's."""
    chat_id = getattr(method, "chat_id", None)
    if chat_id is None:
        chat_id = getattr(getattr(method, "scope", None), "chat_id", None)
    return chat_id if isinstance(chat_id, int) else None


class RoutingSession(BaseSession):
    """The Telegram Bot's session in a process that also serves another channel: a call
    about one of that channel's users goes to its session (which answers it as that
    channel does), everything else to Telegram."""

    def __init__(self, telegram: BaseSession, others: Mapping[str, BaseSession]) -> None:
        super().__init__()
        self.telegram = telegram
        self.others = dict(others)

    def _target(self, method: TelegramMethod[Any]) -> BaseSession:
        chat_id = chat_of(method)
        if chat_id is None:
            return self.telegram
        return self.others.get(channel_of(chat_id), self.telegram)

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        # Through the target's own middlewares, as if the Bot called it directly.
        return await self._target(method)(bot, method, timeout)

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        async for chunk in self.telegram.stream_content(
            url, headers, timeout, chunk_size, raise_for_status
        ):
            yield chunk

    async def close(self) -> None:
        await self.telegram.close()
