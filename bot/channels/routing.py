"""One delivery for the reminder engine when a process serves several channels: each message
goes to the channel its user belongs to (bot/db/identities.py: a negative user id is another
channel's person, a positive one Telegram's)."""

from __future__ import annotations

from collections.abc import Mapping

from bot.db.identities import channel_of
from scheduler.delivery import Delivery, DeliveryResult, Outcome, Outgoing


class ChannelDeliveries:
    """Route each outgoing message to its user's channel; a channel this process does not
    serve is `CHAT_NOT_FOUND` (the row is given up, like a chat that is gone)."""

    def __init__(self, by_channel: Mapping[str, Delivery]) -> None:
        self.by_channel = dict(by_channel)

    async def deliver(self, message: Outgoing) -> DeliveryResult:
        delivery = self.by_channel.get(channel_of(message.chat_id))
        if delivery is None:
            return DeliveryResult(Outcome.CHAT_NOT_FOUND, detail="channel not served here")
        return await delivery.deliver(message)

    async def close(self) -> None:
        for delivery in self.by_channel.values():
            close = getattr(delivery, "close", None)
            if close is not None:
                await close()
