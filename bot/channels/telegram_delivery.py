"""Telegram delivery: the one place where Bot API send errors are caught and classified."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
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


class HttpTelegramDelivery:
    """sendMessage over one aiohttp session, without building aiogram models per message.

    The sender's hot path: at 1,000 messages/s aiogram's request and response models cost more
    CPU than everything else together. Same classification as TelegramDelivery.
    """

    def __init__(
        self, bot: Bot, *, timeout: float = 15.0, session: aiohttp.ClientSession | None = None
    ) -> None:
        self.url = bot.session.api.api_url(token=bot.token, method="sendMessage")
        self.timeout = timeout
        self._session = session
        self._owned = session is None

    async def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=100), json_serialize=json.dumps
            )
        return self._session

    async def close(self) -> None:
        """Close the HTTP session if this delivery opened it."""
        if self._session is not None and self._owned:
            await self._session.close()
            self._session = None

    async def deliver(self, message: Outgoing) -> DeliveryResult:
        """Send once and classify the answer; only programming errors propagate."""
        body: dict[str, Any] = {
            "chat_id": message.chat_id, "text": message.text, "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        }
        if message.buttons:
            body["reply_markup"] = {
                "inline_keyboard": [
                    [
                        {"text": b.text, "callback_data": b.data} if b.data is not None
                        else {"text": b.text, "url": b.url}
                        for b in row
                    ]
                    for row in message.buttons
                ]
            }
        http = await self._http()
        try:
            async with asyncio.timeout(self.timeout):
                async with http.post(self.url, json=body) as response:
                    status = response.status
                    answer = await response.json(content_type=None)
        except TimeoutError:
            return DeliveryResult(Outcome.TIMEOUT, detail=f"no answer in {self.timeout:g} s")
        except (aiohttp.ClientError, ValueError) as exc:
            return DeliveryResult(Outcome.NETWORK, detail=type(exc).__name__)
        if isinstance(answer, dict) and answer.get("ok"):
            result = answer.get("result") or {}
            return DeliveryResult(Outcome.OK, message_id=result.get("message_id"))
        return _classify(status, answer if isinstance(answer, dict) else {})


def _classify(status: int, answer: dict[str, Any]) -> DeliveryResult:
    code = int(answer.get("error_code") or status)
    detail = str(answer.get("description") or status)
    if code == 429:
        retry_after = (answer.get("parameters") or {}).get("retry_after") or 1
        return DeliveryResult(Outcome.RETRY_AFTER, float(retry_after), detail)
    if code == 403:
        return DeliveryResult(Outcome.BLOCKED, detail=detail)
    if code in (400, 404):
        gone = any(marker in detail.lower() for marker in _GONE)
        return DeliveryResult(Outcome.CHAT_NOT_FOUND if gone else Outcome.BAD_REQUEST,
                              detail=detail)
    if code >= 500:
        return DeliveryResult(Outcome.SERVER_ERROR, detail=detail)
    return DeliveryResult(Outcome.BAD_REQUEST, detail=detail)
