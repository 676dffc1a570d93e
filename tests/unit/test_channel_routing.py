"""The reminder engine's deliveries: each message to its user's channel."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeChat

from bot.channels.local_session import LocalSession
from bot.channels.routing import ChannelDeliveries, RoutingSession
from bot.db.identities import TELEGRAM, WECHAT
from scheduler.delivery import DeliveryResult, Outcome, Outgoing


class Recorder:
    def __init__(self) -> None:
        self.sent: list[int] = []

    async def deliver(self, message: Outgoing) -> DeliveryResult:
        self.sent.append(message.chat_id)
        return DeliveryResult(Outcome.OK, message_id=1)


async def test_messages_go_to_their_users_channel() -> None:
    telegram, wechat = Recorder(), Recorder()
    deliveries = ChannelDeliveries({TELEGRAM: telegram, WECHAT: wechat})
    for chat_id in (42, -7, 43, -8):
        assert (await deliveries.deliver(Outgoing(chat_id, "x"))).outcome is Outcome.OK
    assert telegram.sent == [42, 43] and wechat.sent == [-7, -8]


async def test_a_channel_not_served_here_is_not_found() -> None:
    deliveries = ChannelDeliveries({TELEGRAM: Recorder()})
    result = await deliveries.deliver(Outgoing(-7, "x"))
    assert result.outcome is Outcome.CHAT_NOT_FOUND


async def test_bot_calls_about_another_channels_user_go_to_its_session() -> None:
    telegram, wechat = LocalSession(), LocalSession()
    bot = Bot("1000000:routing-test", session=RoutingSession(telegram, {WECHAT: wechat}))
    await bot.send_message(42, "to Telegram")
    await bot.send_message(-7, "to WeChat")
    await bot.edit_message_text("edited", chat_id=-7, message_id=3)
    await bot.set_my_commands([BotCommand(command="todo", description="x")],
                              scope=BotCommandScopeChat(chat_id=-7))
    await bot.get_me()  # about no chat: Telegram's
    assert telegram.sent_texts() == ["to Telegram"] and len(telegram.calls) == 2
    assert wechat.sent_texts() == ["to WeChat", "edited"] and len(wechat.calls) == 3
