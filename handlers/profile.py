"""/profile, /region, /returning and the region and returning buttons."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock, now_from
from bot.db.models import Candidate
from bot.db.repo import CandidateRepo
from bot.knowledge import Knowledge
from bot.texts import Locale, Texts
from handlers.filters import from_user
from handlers.journey import (
    auto_confirm_region,
    known_region,
    parse_yes_no,
    region_groups,
)
from handlers.ui import (
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
from handlers.views import (
    ask_region,
    ask_returning,
    send_calendar,
    send_deadlines,
    send_profile,
    send_todo,
)
from notices import KnowledgeBase, Region

MAX_ECHO = 20
View = Callable[..., Awaitable[None]]
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
    kb: KnowledgeBase,
    texts: Texts,
    locale: Locale,
    now: datetime,
) -> None:
    """Save the region, then go on where the picker was opened from."""
    repo = CandidateRepo(session)
    await repo.set_region(user_id, region.code)
    candidate = await repo.load(user_id)
    if flow == "ob":
        await ask_returning(target, candidate, kb=kb, texts=texts, locale=locale, flow="ob")
        return
    follow_up = FOLLOW_UP.get(flow)
    auto = auto_confirm_region(kb, region.code)
    text = texts.render(
        "journey/region_set", locale, region=region.name(locale),
        auto=auto, returning=candidate.is_returning,
    )
    markup = None if follow_up else menu_keyboard(texts, locale, "todo", "deadlines")
    if auto and candidate.is_returning is None:
        # Returning candidates are confirmed automatically here: the answer matters, ask it.
        markup = returning_keyboard(texts, locale, "set", None)
    await target.answer(text, reply_markup=markup)
    if follow_up is not None:
        await follow_up(target, candidate, kb=kb, texts=texts, locale=locale, now=now)


def _returning_context(
    kb: KnowledgeBase, locale: Locale, candidate: Candidate
) -> dict[str, object]:
    region = known_region(kb, candidate.region)
    return {
        "region": region.name(locale) if region else None,
        "auto": region is not None and auto_confirm_region(kb, region.code),
        "returning": candidate.is_returning,
    }


async def cmd_profile(
    message: Message, session: AsyncSession, texts: Texts, locale: Locale, knowledge: Knowledge
) -> None:
    """Show what the assistant knows about the candidate."""
    assert message.from_user is not None
    candidate = await CandidateRepo(session).load(message.from_user.id)
    await send_profile(message, candidate, kb=knowledge.kb, texts=texts, locale=locale)


async def cmd_region(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    texts: Texts,
    locale: Locale,
    knowledge: Knowledge,
    clock: Clock | None = None,
) -> None:
    """Set the region by name; offer close matches for a typo, the picker when bare."""
    assert message.from_user is not None
    kb, wanted = knowledge.kb, (command.args or "").strip()
    region = kb.match_region(wanted) if wanted else None
    if region is not None:
        await apply_region(
            message, message.from_user.id, region, flow="set", session=session, kb=kb,
            texts=texts, locale=locale, now=now_from(clock),
        )
    elif not wanted:
        candidate = await CandidateRepo(session).get(message.from_user.id)
        current = known_region(kb, candidate.region if candidate else None)
        await ask_region(
            message, kb=kb, texts=texts, locale=locale, flow="set",
            current=current.name(locale) if current else None,
        )
    else:
        found = kb.suggest_regions(wanted)
        text = texts.render("journey/region_unknown", locale, text=wanted[:MAX_ECHO], found=found)
        markup = (
            regions_keyboard(texts, locale, found, "set", back=False) if found
            else groups_keyboard(region_groups(kb, locale), "set")
        )
        await message.answer(text, reply_markup=markup)


async def on_region_group(
    query: CallbackQuery,
    callback_data: RegionGroupAction,
    session: AsyncSession,
    texts: Texts,
    locale: Locale,
    knowledge: Knowledge,
) -> None:
    """Open a group's regions, or go back to the groups."""
    target, kb, flow = message_of(query), knowledge.kb, callback_data.flow
    groups = region_groups(kb, locale)
    if target is None or flow not in FLOWS or not ALL_GROUPS <= callback_data.group < len(groups):
        await answer_stale(query, texts, locale)
        return
    await query.answer()
    if callback_data.group != ALL_GROUPS:
        group = groups[callback_data.group]
        await edit(target, None, regions_keyboard(texts, locale, group.regions, flow, back=True))
    elif flow == "ob":
        candidate = await CandidateRepo(session).load(query.from_user.id)
        current = known_region(kb, candidate.region)
        await edit(target, None, onboarding_keyboard(texts, locale, groups, current))
    else:
        await edit(target, None, groups_keyboard(groups, flow))


async def on_region(
    query: CallbackQuery,
    callback_data: RegionAction,
    session: AsyncSession,
    state: FSMContext,
    texts: Texts,
    locale: Locale,
    knowledge: Knowledge,
    clock: Clock | None = None,
) -> None:
    """Save the region picked from the buttons."""
    target, kb = message_of(query), knowledge.kb
    region = known_region(kb, callback_data.code)
    if target is None or region is None or callback_data.flow not in FLOWS:
        await answer_stale(query, texts, locale)
        return
    await query.answer()
    if callback_data.flow == "ob" and await state.get_state() == OnboardStates.region:
        # The welcome waits no more for a region typed in words (handlers.start).
        await state.set_state(None)
    await apply_region(
        target, query.from_user.id, region, flow=callback_data.flow, session=session, kb=kb,
        texts=texts, locale=locale, now=now_from(clock),
    )


async def cmd_returning(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    texts: Texts,
    locale: Locale,
    knowledge: Knowledge,
) -> None:
    """Record whether the candidate failed last year (/returning yes|no|是|否)."""
    assert message.from_user is not None
    repo, kb = CandidateRepo(session), knowledge.kb
    value = parse_yes_no(command.args or "")
    candidate = await repo.load(message.from_user.id)
    if value is None:
        await ask_returning(message, candidate, kb=kb, texts=texts, locale=locale, flow="set")
        return
    candidate = await repo.set_returning(candidate.user_id, value)
    context = _returning_context(kb, locale, candidate)
    await message.answer(texts.render("journey/returning_set", locale, **context))


async def on_returning(
    query: CallbackQuery,
    callback_data: ReturningAction,
    session: AsyncSession,
    texts: Texts,
    locale: Locale,
    knowledge: Knowledge,
) -> None:
    """Save the answer from the buttons; at the end of onboarding, say what comes next."""
    target, repo, kb = message_of(query), CandidateRepo(session), knowledge.kb
    flow = callback_data.flow
    if target is None or flow not in FLOWS or callback_data.value not in RETURNING_VALUES:
        await answer_stale(query, texts, locale)
        return
    await query.answer()
    candidate = await repo.load(query.from_user.id)
    if callback_data.value == "ask":
        await ask_returning(target, candidate, kb=kb, texts=texts, locale=locale, flow=flow)
        return
    candidate = await repo.set_returning(candidate.user_id, callback_data.value == "yes")
    onboarding = flow == "ob"
    name = "journey/onboard_done" if onboarding else "journey/returning_set"
    markup = menu_keyboard(texts, locale, "todo", "deadlines", "calendar") if onboarding else None
    text = texts.render(name, locale, **_returning_context(kb, locale, candidate))
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
