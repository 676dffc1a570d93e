"""/todo, /deadlines, /calendar and the buttons that open them."""

from __future__ import annotations

from datetime import datetime

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.repo import CandidateRepo
from handlers.filters import from_user
from handlers.keyboards import MenuAction, answer_stale, message_of, prefixes
from handlers.reply import Reply
from handlers.screens import send_calendar, send_deadlines, send_profile, send_todo

SCREENS = {"todo": send_todo, "deadlines": send_deadlines, "calendar": send_calendar}


async def cmd_screen(
    message: Message, command: CommandObject, session: AsyncSession, reply: Reply, now: datetime
) -> None:
    """Show the to-do list (/todo), the region's calendar (/deadlines) or the .ics (/calendar)."""
    assert message.from_user is not None
    candidate = await CandidateRepo(session).load(message.from_user.id)
    await SCREENS[command.command.lower()](message, candidate, reply, now)


async def on_menu(
    query: CallbackQuery,
    callback_data: MenuAction,
    session: AsyncSession,
    reply: Reply,
    now: datetime,
) -> None:
    """Open the view a button names."""
    target, view = message_of(query), callback_data.view
    if target is None or (view not in SCREENS and view != "profile"):
        await answer_stale(query, reply)
        return
    await query.answer()
    candidate = await CandidateRepo(session).load(query.from_user.id)
    if view == "profile":
        await send_profile(target, candidate, reply)
        return
    await SCREENS[view](target, candidate, reply, now)


def create_router() -> Router:
    router = Router(name="todo")
    router.message.filter(from_user)
    router.message.register(cmd_screen, Command(*SCREENS))
    router.callback_query.register(on_menu, MenuAction.filter())
    router.callback_query.register(answer_stale, prefixes(MenuAction))
    return router
