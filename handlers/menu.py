"""The command menu: the candidate commands for everyone, the staff commands in a staff
member's own chat (with /staff for an administrator), in Chinese and English."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.staff.roles import StaffRepo
from bot.texts import Locale, Texts

logger = logging.getLogger(__name__)

MENU_COMMANDS = (
    "start",
    "help",
    "todo",
    "deadlines",
    "calendar",
    "profile",
    "region",
    "lang",
    "stop",
    "resume",
)
# Added to the menu of a staff member's own chat; administrators also get ADMIN_COMMANDS.
STAFF_COMMANDS = ("broadcast", "stats", "unanswered", "why", "import", "reload")
ADMIN_COMMANDS = ("staff",)
# The menu in Chinese (also for every language without a menu of its own) and in English.
_MENU_LANGUAGES: tuple[tuple[str | None, Locale], ...] = (
    (None, "zh"), ("zh", "zh"), ("en", "en"),
)


def _menu(texts: Texts, locale: Locale, names: tuple[str, ...]) -> list[BotCommand]:
    return [
        BotCommand(command=name, description=texts.label(locale, f"cmd_{name}"))
        for name in names
    ]


async def set_commands(bot: Bot, texts: Texts) -> None:
    """Register the menu commands in Chinese (the default) and English."""
    for language_code, locale in _MENU_LANGUAGES:
        await bot.set_my_commands(_menu(texts, locale, MENU_COMMANDS), language_code=language_code)


async def set_staff_menu(
    bot: Bot, texts: Texts, user_id: int, *, staff: bool, admin: bool
) -> bool:
    """Put the staff commands in the menu of this person's own chat with the bot (with
    /staff for an administrator), or take them out when they are neither any more.

    Return False when Telegram refuses, as it does for someone who never opened a chat
    with the bot: the commands work without the menu all the same."""
    scope = BotCommandScopeChat(chat_id=user_id)
    names = MENU_COMMANDS + (STAFF_COMMANDS if staff or admin else ())
    names += ADMIN_COMMANDS if admin else ()
    try:
        for language_code, locale in _MENU_LANGUAGES:
            if staff or admin:
                await bot.set_my_commands(
                    _menu(texts, locale, names), scope=scope, language_code=language_code
                )
            else:
                await bot.delete_my_commands(scope=scope, language_code=language_code)
    except TelegramAPIError as exc:  # no user id in the log
        logger.info("staff menu: Telegram refused one chat's menu (%s)", type(exc).__name__)
        return False
    return True


async def set_staff_menus(
    bot: Bot, texts: Texts, settings: Settings, session_pool: async_sessionmaker[AsyncSession]
) -> int:
    """Give every staff member and administrator their menu; return how many Telegram took.

    Runs in the background at start-up: one slow or refused chat delays nothing."""
    try:
        async with session_pool() as session:
            staff = {member.user_id for member in await StaffRepo(session).list()}
        admins = settings.admin_ids
        done = 0
        for user_id in sorted(staff | admins):
            done += await set_staff_menu(
                bot, texts, user_id, staff=user_id in staff, admin=user_id in admins
            )
    except (SQLAlchemyError, TelegramAPIError) as exc:
        logger.warning("staff menu: not set at start-up (%s)", type(exc).__name__)
        return 0
    logger.info("staff menu: set for %d of %d staff chats", done, len(staff | admins))
    return done
