"""/start: the notice, then language, region and returning, keeping what is known; /help."""

from __future__ import annotations

from datetime import datetime

from aiogram import Router
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Candidate
from bot.db.repo import CandidateRepo
from bot.forgotten import ForgottenMarks
from bot.staff.directory import StaffDirectory
from bot.texts import LOCALES, Locale
from handlers.filters import from_user, is_question
from handlers.keyboards import (
    OnboardAction,
    OnboardStates,
    answer_stale,
    edit,
    groups_keyboard,
    message_of,
    onboarding_keyboard,
    prefixes,
)
from handlers.profile import MAX_ECHO, apply_region
from handlers.reply import Reply
from handlers.screens import ask_returning
from handlers.step_views import ended_cycle, known_region, region_groups
from notices import local_date


def onboarding_screen(
    reply: Reply, candidate: Candidate, now: datetime
) -> tuple[str, InlineKeyboardMarkup]:
    """Render the welcome with the language and region choices, what is known marked."""
    kb, locale = reply.kb, reply.locale
    region = known_region(kb, candidate.region)
    groups = region_groups(kb, locale)
    text = reply.render(
        "journey/start", region=reply.region_name(region),
        returning=candidate.is_returning, groups=groups, cycle=ended_cycle(kb, now, locale),
        today=local_date(now),
    )
    return text, onboarding_keyboard(reply, groups, region)


async def cmd_start(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    state: FSMContext,
    reply: Reply,
    now: datetime,
    forgotten_marks: ForgottenMarks,
) -> None:
    """Greet, warn, then ask the language and the region (a deep link preselects it)."""
    assert message.from_user is not None
    repo = CandidateRepo(session)
    # The one way back after /forget: the candidate starts afresh, on purpose.
    await forgotten_marks.clear(message.from_user.id)
    candidate = await repo.get_or_create(message.from_user.id)
    linked = reply.kb.match_region(command.args) if command.args else None
    if linked is not None:
        candidate = await repo.set_region(candidate.user_id, linked.code)
    text, markup = onboarding_screen(reply, candidate, now)
    if known_region(reply.kb, candidate.region) is None:
        await state.set_state(OnboardStates.region)
    await message.answer(text, reply_markup=markup)


async def process_region(
    message: Message, session: AsyncSession, state: FSMContext, reply: Reply, now: datetime
) -> None:
    """Set the region the welcome asked for from text; else show the picker once more."""
    assert message.text is not None and message.from_user is not None
    kb, wanted = reply.kb, message.text.strip()
    await state.set_state(None)  # one try: the next text is a question again
    region = kb.match_region(wanted)
    if region is None:
        text = reply.render("journey/region_not_named", text=wanted[:MAX_ECHO])
        groups = region_groups(kb, reply.locale)
        await message.answer(text, reply_markup=groups_keyboard(groups, "ob"))
        return
    await apply_region(message, message.from_user.id, region, flow="ob", session=session,
                       reply=reply, now=now)


async def on_onboard(
    query: CallbackQuery,
    callback_data: OnboardAction,
    session: AsyncSession,
    reply: Reply,
    now: datetime,
) -> None:
    """Switch the welcome to the language picked, or keep the known region and go on."""
    target, repo = message_of(query), CandidateRepo(session)
    op, value, user_id = callback_data.op, callback_data.value, query.from_user.id
    candidate = await repo.get(user_id)
    if target is not None and op == "lang" and value in LOCALES:
        chosen: Locale = "zh" if value == "zh" else "en"
        candidate = await repo.set_language(user_id, chosen)
        await query.answer()
        await edit(target, *onboarding_screen(reply.to(chosen), candidate, now))
    elif target and op == "keep" and candidate and known_region(reply.kb, candidate.region):
        await query.answer()
        candidate = await repo.load(user_id)
        await ask_returning(target, candidate, reply, flow="ob")
    else:
        await answer_stale(query, reply)


async def cmd_help(message: Message, reply: Reply, staff_directory: StaffDirectory) -> None:
    """List what the assistant can do; staff and administrators see their commands too."""
    assert message.from_user is not None
    rank = staff_directory.rank(message.from_user.id)
    await message.answer(reply.render("help", rank=rank))


def create_router() -> Router:
    router = Router(name="start")
    router.message.filter(from_user)
    router.message.register(cmd_start, CommandStart())
    router.message.register(cmd_help, Command("help"))
    router.message.register(process_region, StateFilter(OnboardStates.region), is_question)
    router.callback_query.register(on_onboard, OnboardAction.filter())
    router.callback_query.register(answer_stale, prefixes(OnboardAction))
    return router
