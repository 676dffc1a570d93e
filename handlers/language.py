"""/lang zh|en and its buttons."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.repo import CandidateRepo
from bot.texts import LOCALES, Locale
from handlers.filters import from_user
from handlers.reply import Reply


class LangAction(CallbackData, prefix="lang"):
    code: str


def language_keyboard(reply: Reply) -> InlineKeyboardBuilder:
    builder = InlineKeyboardBuilder()
    for code in LOCALES:
        builder.button(text=reply.label(f"lang_{code}"), callback_data=LangAction(code=code))
    return builder


async def cmd_lang(
    message: Message, command: CommandObject, session: AsyncSession, reply: Reply
) -> None:
    """Switch the reply language, or offer the choice."""
    assert message.from_user is not None
    code = (command.args or "").strip().lower()[:2]
    if code not in LOCALES:
        keyboard = language_keyboard(reply).as_markup()
        await message.answer(reply.render("lang_usage"), reply_markup=keyboard)
        return
    chosen: Locale = "zh" if code == "zh" else "en"
    await CandidateRepo(session).set_language(message.from_user.id, chosen)
    await message.answer(reply.to(chosen).render("lang_set"))


async def on_lang(
    query: CallbackQuery, callback_data: LangAction, session: AsyncSession, reply: Reply
) -> None:
    """Apply the language picked from the buttons."""
    code = callback_data.code
    if code not in LOCALES:
        await query.answer()
        return
    chosen: Locale = "zh" if code == "zh" else "en"
    await CandidateRepo(session).set_language(query.from_user.id, chosen)
    await query.answer()
    if query.message is not None:
        await query.message.answer(reply.to(chosen).render("lang_set"))


def create_router() -> Router:
    router = Router(name="language")
    router.message.filter(from_user)
    router.message.register(cmd_lang, Command("lang"))
    router.callback_query.register(on_lang, LangAction.filter())
    return router
