"""Telegram delivery: the one place where Bot API send errors are caught and classified."""

from __future__ import annotations

import asyncio

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from scheduler.delivery import DeliveryResult, Outcome, Outgoing

_GONE = ("chat not found", "user is deactivated", "peer_id_invalid", "user not found")


def _markup(message: Outgoing) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=b.text, callback_data=b.data, url=b.url) for b in row]
            for row in message.buttons
        ]
    )


class TelegramDelivery:
    """Send outgoing messages through an aiogram Bot, one attempt per call."""

    def __init__(self, bot: Bot, *, timeout: float = 15.0) -> None:
        self.bot = bot
        self.timeout = timeout

    async def deliver(self, message: Outgoing) -> DeliveryResult:
        """Send once and classify the answer; only programming errors propagate."""
        try:
            async with asyncio.timeout(self.timeout):
                sent = await self.bot.send_message(
                    message.chat_id, message.text, reply_markup=_markup(message)
                )
        except TelegramRetryAfter as exc:
            return DeliveryResult(Outcome.RETRY_AFTER, float(exc.retry_after), exc.message)
        except TelegramForbiddenError as exc:
            return DeliveryResult(Outcome.BLOCKED, detail=exc.message)
        except (TelegramBadRequest, TelegramNotFound) as exc:
            gone = any(marker in exc.message.lower() for marker in _GONE)
            outcome = Outcome.CHAT_NOT_FOUND if gone else Outcome.BAD_REQUEST
            return DeliveryResult(outcome, detail=exc.message)
        except TelegramServerError as exc:
            return DeliveryResult(Outcome.SERVER_ERROR, detail=exc.message)
        except TimeoutError:
            return DeliveryResult(Outcome.TIMEOUT, detail=f"no answer in {self.timeout:g} s")
        except TelegramNetworkError as exc:
            return DeliveryResult(Outcome.NETWORK, detail=exc.message)
        except TelegramAPIError as exc:
            return DeliveryResult(Outcome.BAD_REQUEST, detail=exc.message)
        return DeliveryResult(Outcome.OK, message_id=sent.message_id)
