"""/profile, /region, /returning and the region and returning buttons."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Candidate
from bot.db.repo import CandidateRepo
from handlers.filters import from_user
from handlers.keyboards import (
    ALL_GROUPS,
    FLOWS,
    OnboardStates,
    RegionAction,
    RegionGroupAction,
    ReturningAction,
    answer_stale,
    edit,
    groups_keyboard,
    menu_keyboard,
    message_of,
    onboarding_keyboard,
    prefixes,
    regions_keyboard,
    returning_keyboard,
)
from handlers.reply import Reply
from handlers.screens import (
    ask_region,
    ask_returning,
    returning_context,
    send_calendar,
    send_deadlines,
    send_profile,
    send_todo,
)
from handlers.step_views import auto_confirm_region, known_region, parse_yes_no, region_groups
from notices import Region

MAX_ECHO = 20
View = Callable[[Message, Candidate, Reply, datetime], Awaitable[None]]
# After a region picked from /todo, /deadlines or /calendar, show what was asked for.
FOLLOW_UP: dict[str, View] = {"todo": send_todo, "dl": send_deadlines, "cal": send_calendar}
RETURNING_VALUES = frozenset({"yes", "no", "ask"})


async def apply_region(
    target: Message,
    user_id: int,
    region: Region,
    *,
    flow: str,
    session: AsyncSession,
    reply: Reply,
    now: datetime,
) -> None:
    """Save the region, then go on where the picker was opened from."""
    repo = CandidateRepo(session)
    await repo.set_region(user_id, region.code)
    candidate = await repo.load(user_id)
    if flow == "ob":
        await ask_returning(target, candidate, reply, flow="ob")
        return
    follow_up = FOLLOW_UP.get(flow)
    auto = auto_confirm_region(reply.kb, region.code)
    text = reply.render(
        "journey/region_set", region=region.name(reply.locale),
        auto=auto, returning=candidate.is_returning,
    )
    markup = None if follow_up else menu_keyboard(reply, "todo", "deadlines")
    if auto and candidate.is_returning is None:
        # Returning candidates are confirmed automatically here: the answer matters, ask it.
        markup = returning_keyboard(reply, "set", None)
    await target.answer(text, reply_markup=markup)
    if follow_up is not None:
        await follow_up(target, candidate, reply, now)


async def cmd_profile(message: Message, session: AsyncSession, reply: Reply) -> None:
    """Show what the assistant knows about the candidate."""
    assert message.from_user is not None
    candidate = await CandidateRepo(session).load(message.from_user.id)
    await send_profile(message, candidate, reply)


async def cmd_region(
    message: Message, command: CommandObject, session: AsyncSession, reply: Reply, now: datetime
) -> None:
    """Set the region by name; offer close matches for a typo, the picker when bare."""
    assert message.from_user is not None
    kb, wanted = reply.kb, (command.args or "").strip()
    region = kb.match_region(wanted) if wanted else None
    if region is not None:
        await apply_region(message, message.from_user.id, region, flow="set", session=session,
                           reply=reply, now=now)
    elif not wanted:
        candidate = await CandidateRepo(session).get(message.from_user.id)
        current = known_region(kb, candidate.region if candidate else None)
        await ask_region(message, reply, flow="set", current=reply.region_name(current))
    else:
        found = kb.suggest_regions(wanted)
        text = reply.render("journey/region_unknown", text=wanted[:MAX_ECHO], found=found)
        markup = (
            regions_keyboard(reply, found, "set", back=False) if found
            else groups_keyboard(region_groups(kb, reply.locale), "set")
        )
        await message.answer(text, reply_markup=markup)


async def on_region_group(
    query: CallbackQuery, callback_data: RegionGroupAction, session: AsyncSession, reply: Reply
) -> None:
    """Open a group's regions, or go back to the groups."""
    target, kb, flow = message_of(query), reply.kb, callback_data.flow
    groups = region_groups(kb, reply.locale)
    if target is None or flow not in FLOWS or not ALL_GROUPS <= callback_data.group < len(groups):
        await answer_stale(query, reply)
        return
    await query.answer()
    if callback_data.group != ALL_GROUPS:
        group = groups[callback_data.group]
        await edit(target, None, regions_keyboard(reply, group.regions, flow, back=True))
    elif flow == "ob":
        candidate = await CandidateRepo(session).load(query.from_user.id)
        current = known_region(kb, candidate.region)
        await edit(target, None, onboarding_keyboard(reply, groups, current))
    else:
        await edit(target, None, groups_keyboard(groups, flow))


async def on_region(
    query: CallbackQuery,
    callback_data: RegionAction,
    session: AsyncSession,
    state: FSMContext,
    reply: Reply,
    now: datetime,
) -> None:
    """Save the region picked from the buttons."""
    target = message_of(query)
    region = known_region(reply.kb, callback_data.code)
    if target is None or region is None or callback_data.flow not in FLOWS:
        await answer_stale(query, reply)
        return
    await query.answer()
    if callback_data.flow == "ob" and await state.get_state() == OnboardStates.region:
        # The welcome waits no more for a region typed in words (handlers.start).
        await state.set_state(None)
    await apply_region(target, query.from_user.id, region, flow=callback_data.flow,
                       session=session, reply=reply, now=now)


async def cmd_returning(
    message: Message, command: CommandObject, session: AsyncSession, reply: Reply
) -> None:
    """Record whether the candidate failed last year (/returning yes|no|是|否)."""
    assert message.from_user is not None
    repo = CandidateRepo(session)
    value = parse_yes_no(command.args or "")
    candidate = await repo.load(message.from_user.id)
    if value is None:
        await ask_returning(message, candidate, reply, flow="set")
        return
    candidate = await repo.set_returning(candidate.user_id, value)
    context = returning_context(candidate, reply)
    await message.answer(reply.render("journey/returning_set", **context))


async def on_returning(
    query: CallbackQuery, callback_data: ReturningAction, session: AsyncSession, reply: Reply
) -> None:
    """Save the answer from the buttons; at the end of onboarding, say what comes next."""
    target, repo = message_of(query), CandidateRepo(session)
    flow = callback_data.flow
    if target is None or flow not in FLOWS or callback_data.value not in RETURNING_VALUES:
        await answer_stale(query, reply)
        return
    await query.answer()
    candidate = await repo.load(query.from_user.id)
    if callback_data.value == "ask":
        await ask_returning(target, candidate, reply, flow=flow)
        return
    candidate = await repo.set_returning(candidate.user_id, callback_data.value == "yes")
    onboarding = flow == "ob"
    name = "journey/onboard_done" if onboarding else "journey/returning_set"
    markup = menu_keyboard(reply, "todo", "deadlines", "calendar") if onboarding else None
    text = reply.render(name, **returning_context(candidate, reply))
    await target.answer(text, reply_markup=markup)


def create_router() -> Router:
    router = Router(name="profile")
    router.message.filter(from_user)
    router.message.register(cmd_profile, Command("profile"))
    router.message.register(cmd_region, Command("region"))
    router.message.register(cmd_returning, Command("returning"))
    router.callback_query.register(on_region_group, RegionGroupAction.filter())
    router.callback_query.register(on_region, RegionAction.filter())
    router.callback_query.register(on_returning, ReturningAction.filter())
    router.callback_query.register(
        answer_stale, prefixes(RegionGroupAction, RegionAction, ReturningAction)
    )
    return router
