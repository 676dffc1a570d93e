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

# Descriptions of a 400/404 that mean the chat is gone for good, not that our request is wrong.
_GONE = ("chat not found", "user is deactivated", "peer_id_invalid", "user not found")
# The Bot API error_code each aiogram error is raised for (aiogram picks the class by it).
_ERROR_CODES: tuple[tuple[type[TelegramAPIError], int], ...] = (
    (TelegramForbiddenError, 403), (TelegramNotFound, 404), (TelegramBadRequest, 400),
    (TelegramServerError, 500),
)


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
        except TimeoutError:
            return _timed_out(self.timeout)
        except TelegramAPIError as exc:
            return classify_error(exc)
        return DeliveryResult(Outcome.OK, message_id=sent.message_id)


class HttpTelegramDelivery:
    """sendMessage over one aiohttp session, without building aiogram models per message.

    The sender's hot path: at 1,000 messages/s aiogram's request and response models cost more
    CPU than everything else together. The same classifier as TelegramDelivery: classify().
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
            return _timed_out(self.timeout)
        except (aiohttp.ClientError, ValueError) as exc:
            return DeliveryResult(Outcome.NETWORK, detail=type(exc).__name__)
        if isinstance(answer, dict) and answer.get("ok"):
            result = answer.get("result") or {}
            return DeliveryResult(Outcome.OK, message_id=result.get("message_id"))
        answer = answer if isinstance(answer, dict) else {}
        return classify(
            int(answer.get("error_code") or status), str(answer.get("description") or status),
            retry_after=(answer.get("parameters") or {}).get("retry_after"),
        )


def classify(
    code: int | None, description: str, *, retry_after: float | None = None
) -> DeliveryResult:
    """Turn the Bot API's refusal (its error_code and description) into a delivery outcome:
    the one place that decides what a refusal means for the sender."""
    if code == 429:  # flood control: wait as long as Telegram says, then try again
        return DeliveryResult(Outcome.RETRY_AFTER, float(retry_after or 1), description)
    if code == 403:  # the user blocked the bot (or never started it)
        return DeliveryResult(Outcome.BLOCKED, detail=description)
    if code in (400, 404):
        gone = any(marker in description.lower() for marker in _GONE)
        outcome = Outcome.CHAT_NOT_FOUND if gone else Outcome.BAD_REQUEST
        return DeliveryResult(outcome, detail=description)
    if code is not None and code >= 500:
        return DeliveryResult(Outcome.SERVER_ERROR, detail=description)
    return DeliveryResult(Outcome.BAD_REQUEST, detail=description)


def classify_error(exc: TelegramAPIError) -> DeliveryResult:
    """Classify an aiogram send error as classify() does the answer it was raised for."""
    if isinstance(exc, TelegramRetryAfter):
        return classify(429, exc.message, retry_after=exc.retry_after)
    if isinstance(exc, TelegramNetworkError):  # no answer (or a body too large to send)
        return DeliveryResult(Outcome.NETWORK, detail=exc.message)
    code = next((code for kind, code in _ERROR_CODES if isinstance(exc, kind)), None)
    return classify(code, exc.message)


def _timed_out(timeout: float) -> DeliveryResult:
    return DeliveryResult(Outcome.TIMEOUT, detail=f"no answer in {timeout:g} s")
