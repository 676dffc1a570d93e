"""/stop and /resume for reminders; /forget deletes everything about the candidate."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.repo import CandidateRepo
from bot.forgotten import ForgottenMarks
from handlers.filters import from_user
from handlers.keyboards import answer_stale, edit, message_of, prefixes
from handlers.reply import Reply


class ForgetAction(CallbackData, prefix="fg"):
    sure: bool


def forget_keyboard(reply: Reply) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for sure, key in ((True, "journey_forget_yes"), (False, "journey_forget_no")):
        builder.button(text=reply.label(key), callback_data=ForgetAction(sure=sure))
    return builder.as_markup()


async def cmd_stop(message: Message, session: AsyncSession, reply: Reply) -> None:
    """Switch reminders off."""
    assert message.from_user is not None
    await CandidateRepo(session).set_reminders(message.from_user.id, False)
    await message.answer(reply.render("journey/stopped"))


async def cmd_resume(message: Message, session: AsyncSession, reply: Reply) -> None:
    """Switch reminders back on."""
    assert message.from_user is not None
    await CandidateRepo(session).set_reminders(message.from_user.id, True)
    await message.answer(reply.render("journey/resumed"))


async def cmd_forget(
    message: Message, session: AsyncSession, state: FSMContext, reply: Reply
) -> None:
    """Ask for confirmation before deleting the candidate's data."""
    assert message.from_user is not None
    if await CandidateRepo(session).get(message.from_user.id) is None:
        # No row, but maybe a flow's data (a question waiting for its region) or a channel
        # account: not kept either.
        await CandidateRepo(session).delete(message.from_user.id)
        await state.clear()
        await message.answer(reply.render("journey/forget_nothing"))
        return
    await message.answer(reply.render("journey/forget_ask"), reply_markup=forget_keyboard(reply))


async def on_forget(
    query: CallbackQuery,
    callback_data: ForgetAction,
    session: AsyncSession,
    state: FSMContext,
    reply: Reply,
    forgotten_marks: ForgottenMarks,
) -> None:
    """Delete every row about the candidate (steps and reminders cascade), or cancel; until
    they send /start, no later command re-creates them."""
    target, repo = message_of(query), CandidateRepo(session)
    if target is None or (callback_data.sure and await repo.get(query.from_user.id) is None):
        await answer_stale(query, reply)
        return
    await query.answer()
    await edit(target, None, None)
    if not callback_data.sure:
        await target.answer(reply.render("journey/forget_cancelled"))
        return
    await repo.delete(query.from_user.id)
    await state.clear()
    await forgotten_marks.mark(query.from_user.id)
    await target.answer(reply.render("journey/forgotten"))


def create_router() -> Router:
    router = Router(name="privacy")
    router.message.filter(from_user)
    router.message.register(cmd_stop, Command("stop"))
    router.message.register(cmd_resume, Command("resume"))
    router.message.register(cmd_forget, Command("forget"))
    router.callback_query.register(on_forget, ForgetAction.filter())
    router.callback_query.register(answer_stale, prefixes(ForgetAction))
    return router
