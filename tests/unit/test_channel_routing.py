"""The reminder engine's deliveries: each message to its user's channel."""

from __future__ import annotations

from bot.channels.routing import ChannelDeliveries
from bot.db.identities import TELEGRAM, WECHAT
from scheduler.delivery import DeliveryResult, Outcome, Outgoing


class Recorder:
    def __init__(self) -> None:
        self.sent: list[int] = []
        self.closed = False

    async def deliver(self, message: Outgoing) -> DeliveryResult:
        self.sent.append(message.chat_id)
        return DeliveryResult(Outcome.OK, message_id=1)

    async def close(self) -> None:
        self.closed = True


async def test_messages_go_to_their_users_channel() -> None:
    telegram, wechat = Recorder(), Recorder()
    deliveries = ChannelDeliveries({TELEGRAM: telegram, WECHAT: wechat})
    for chat_id in (42, -7, 43, -8):
        assert (await deliveries.deliver(Outgoing(chat_id, "x"))).outcome is Outcome.OK
    assert telegram.sent == [42, 43] and wechat.sent == [-7, -8]
    await deliveries.close()
    assert telegram.closed and wechat.closed


async def test_a_channel_not_served_here_is_not_found() -> None:
    deliveries = ChannelDeliveries({TELEGRAM: Recorder()})
    result = await deliveries.deliver(Outgoing(-7, "x"))
    assert result.outcome is Outcome.CHAT_NOT_FOUND
