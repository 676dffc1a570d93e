"""/start and /help."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.repo import CandidateRepo
from bot.texts import Locale, Texts


async def cmd_start(message: Message, session: AsyncSession, texts: Texts, locale: Locale) -> None:
    """Greet, say this is not an official channel, repeat the fraud warning."""
    assert message.from_user is not None
    await CandidateRepo(session).get_or_create(message.from_user.id)
    await message.answer(texts.render("start", locale))


async def cmd_help(message: Message, texts: Texts, locale: Locale) -> None:
    """List what the assistant can do."""
    await message.answer(texts.render("help", locale))


def create_router() -> Router:
    router = Router(name="start")
    router.message.filter(F.from_user)
    router.message.register(cmd_start, CommandStart())
    router.message.register(cmd_help, Command("help"))
    return router
