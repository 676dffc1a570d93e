"""The one error router: domain errors become friendly replies, the rest an apology and a log."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent, Update

from bot.errors import AssistantError
from bot.texts import DEFAULT_LOCALE, Locale, Texts

logger = logging.getLogger(__name__)


def _chat_id(update: Update) -> int | None:
    if update.message is not None:
        return update.message.chat.id
    if update.callback_query is not None and update.callback_query.message is not None:
        return update.callback_query.message.chat.id
    return None


async def _reply(bot: Bot, update: Update, text: str) -> None:
    chat_id = _chat_id(update)
    if chat_id is None:
        return
    try:
        await bot.send_message(chat_id, text)
    except TelegramAPIError as exc:
        logger.warning("could not send the error reply for update %s: %s", update.update_id, exc)


async def on_assistant_error(event: ErrorEvent, bot: Bot, texts: Texts, **data: Any) -> None:
    """Reply with the domain error's own template."""
    error = event.exception
    assert isinstance(error, AssistantError)
    locale: Locale = data.get("locale", DEFAULT_LOCALE)
    await _reply(bot, event.update, texts.render(error.template, locale, **error.context))


async def on_unexpected_error(event: ErrorEvent, bot: Bot, texts: Texts, **data: Any) -> None:
    """Log the failure without personal data and apologise to the user."""
    error = event.exception
    # The traceback's frames only: an exception's message may quote what the user typed.
    frames = "".join(traceback.format_tb(error.__traceback__))
    logger.error(
        "update %s failed with %s\n%s", event.update.update_id, type(error).__name__, frames
    )
    locale: Locale = data.get("locale", DEFAULT_LOCALE)
    await _reply(bot, event.update, texts.render("errors/generic", locale))


def create_router() -> Router:
    router = Router(name="errors")
    router.errors.register(on_assistant_error, ExceptionTypeFilter(AssistantError))
    router.errors.register(on_unexpected_error)
    return router
