"""/todo, /deadlines, /calendar and the buttons that open them."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock, now_from
from bot.db.repo import CandidateRepo
from bot.knowledge import Knowledge
from bot.texts import Locale, Texts
from handlers.filters import from_user
from handlers.ui import MenuAction, answer_stale, message_of, prefixes
from handlers.views import send_calendar, send_deadlines, send_profile, send_todo

SCREENS = {"todo": send_todo, "deadlines": send_deadlines, "calendar": send_calendar}


async def cmd_screen(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    texts: Texts,
    locale: Locale,
    knowledge: Knowledge,
    clock: Clock | None = None,
) -> None:
    """Show the to-do list (/todo), the region's calendar (/deadlines) or the .ics (/calendar)."""
    assert message.from_user is not None
    candidate = await CandidateRepo(session).load(message.from_user.id)
    show = SCREENS[command.command.lower()]
    await show(
        message, candidate, kb=knowledge.kb, texts=texts, locale=locale, now=now_from(clock)
    )


async def on_menu(
    query: CallbackQuery,
    callback_data: MenuAction,
    session: AsyncSession,
    texts: Texts,
    locale: Locale,
    knowledge: Knowledge,
    clock: Clock | None = None,
) -> None:
    """Open the view a button names."""
    target, view = message_of(query), callback_data.view
    if target is None or (view not in SCREENS and view != "profile"):
        await answer_stale(query, texts, locale)
        return
    await query.answer()
    candidate = await CandidateRepo(session).load(query.from_user.id)
    kb = knowledge.kb
    if view == "profile":
        await send_profile(target, candidate, kb=kb, texts=texts, locale=locale)
        return
    await SCREENS[view](target, candidate, kb=kb, texts=texts, locale=locale, now=now_from(clock))


def create_router() -> Router:
    router = Router(name="todo")
    router.message.filter(from_user)
    router.message.register(cmd_screen, Command(*SCREENS))
    router.callback_query.register(on_menu, MenuAction.filter())
    router.callback_query.register(answer_stale, prefixes(MenuAction))
    return router
