"""The one error router: domain errors become friendly replies, the rest an apology and a log."""

from __future__ import annotations

import logging
import traceback

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent, Update, User
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.repo import CandidateRepo
from bot.errors import AssistantError, Throttled
from bot.languages import LanguageDirectory
from bot.texts import Locale, Texts, resolve_locale

logger = logging.getLogger(__name__)


def _chat_id(update: Update) -> int | None:
    if update.message is not None:
        return update.message.chat.id
    if update.callback_query is not None and update.callback_query.message is not None:
        return update.callback_query.message.chat.id
    return None


def _locale(languages: LanguageDirectory, user: User | None) -> Locale:
    # The update's transaction is gone; use what is known without the database.
    if user is None:
        return resolve_locale(None, None)
    return resolve_locale(languages.get(user.id)[1], user.language_code)


async def _reply(bot: Bot, update: Update, text: str) -> None:
    chat_id = _chat_id(update)
    if chat_id is None:
        return
    try:
        await bot.send_message(chat_id, text)
    except TelegramAPIError as exc:
        logger.warning("could not send the error reply for update %s: %s", update.update_id, exc)


async def on_blocked(
    event: ErrorEvent,
    session_pool: async_sessionmaker[AsyncSession],
    event_from_user: User | None = None,
) -> None:
    """Mark a candidate who blocked the bot mid-reply as blocked; say nothing more."""
    logger.info("update %s: the user has blocked the bot", event.update.update_id)
    if event_from_user is not None:
        async with session_pool.begin() as session:
            await CandidateRepo(session).set_blocked(event_from_user.id, True)


async def on_assistant_error(
    event: ErrorEvent,
    bot: Bot,
    texts: Texts,
    language_directory: LanguageDirectory,
    event_from_user: User | None = None,
) -> None:
    """Reply with the domain error's own template (a tapped button stops spinning first)."""
    error = event.exception
    assert isinstance(error, AssistantError)
    locale = _locale(language_directory, event_from_user)
    query = event.update.callback_query
    if query is not None:
        try:
            await bot.answer_callback_query(query.id)
        except TelegramAPIError as exc:
            logger.info("could not answer the button of update %s: %s",
                        event.update.update_id, type(exc).__name__)
    await _reply(bot, event.update, texts.render(error.template, locale, **error.context))


async def on_unexpected_error(
    event: ErrorEvent,
    bot: Bot,
    texts: Texts,
    language_directory: LanguageDirectory,
    event_from_user: User | None = None,
) -> None:
    """Log the failure without personal data and apologise to the user."""
    error = event.exception
    # The traceback's frames only: an exception's message may quote what the user typed.
    frames = "".join(traceback.format_tb(error.__traceback__))
    logger.error(
        "update %s failed with %s\n%s", event.update.update_id, type(error).__name__, frames
    )
    locale = _locale(language_directory, event_from_user)
    await _reply(bot, event.update, texts.render("errors/generic", locale))


async def on_throttled(event: ErrorEvent) -> None:
    """Drop an update of a flood silently: the flooder's earlier updates are being answered."""
    logger.debug("update %s dropped: its sender has too many waiting", event.update.update_id)


def create_router() -> Router:
    router = Router(name="errors")
    router.errors.register(on_throttled, ExceptionTypeFilter(Throttled))
    router.errors.register(on_blocked, ExceptionTypeFilter(TelegramForbiddenError))
    router.errors.register(on_assistant_error, ExceptionTypeFilter(AssistantError))
    router.errors.register(on_unexpected_error)
    return router
