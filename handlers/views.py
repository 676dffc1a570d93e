"""Screens several features show: to-do list, deadlines, calendar, profile, the pickers."""

from __future__ import annotations

from datetime import datetime

from aiogram.types import BufferedInputFile, Message

from bot.db.models import Candidate
from bot.texts import Locale, Texts
from handlers.ics import build_calendar
from handlers.journey import (
    StepView,
    auto_confirm_region,
    calendar_entries,
    ended_cycle,
    known_region,
    region_groups,
    step_name,
    step_views,
    todo_views,
)
from handlers.ui import (
    answer_chunks,
    groups_keyboard,
    menu_keyboard,
    profile_keyboard,
    returning_keyboard,
    todo_keyboard,
)
from notices import STEP_ORDER, KnowledgeBase, Region, local_date


def _authority(kb: KnowledgeBase, locale: Locale) -> str:
    return kb.cycle.local_authority(locale)


async def ask_region(
    target: Message, *, kb: KnowledgeBase, texts: Texts, locale: Locale, flow: str,
    current: str | None = None,
) -> None:
    """Ask for the region with the geographic groups as buttons (saying the current one)."""
    groups = region_groups(kb, locale)
    text = texts.render("journey/region_ask", locale, groups=groups, flow=flow, current=current)
    await target.answer(text, reply_markup=groups_keyboard(groups, flow))


async def ask_returning(
    target: Message,
    candidate: Candidate,
    *,
    kb: KnowledgeBase,
    texts: Texts,
    locale: Locale,
    flow: str,
) -> None:
    """Ask whether the candidate failed last year, saying what it changes in their region."""
    region = known_region(kb, candidate.region)
    text = texts.render(
        "journey/returning_ask",
        locale,
        region=region.name(locale) if region else None,
        auto=region is not None and auto_confirm_region(kb, region.code),
    )
    markup = returning_keyboard(texts, locale, flow, candidate.is_returning)
    await target.answer(text, reply_markup=markup)


async def say_cycle_over(
    target: Message,
    candidate: Candidate,
    *,
    kb: KnowledgeBase,
    texts: Texts,
    locale: Locale,
    now: datetime,
) -> bool:
    """Say the loaded notice year has ended and where the next one will appear; False (and
    nothing said) while it runs."""
    ended = ended_cycle(kb, now, locale)
    if ended is None:
        return False
    region = known_region(kb, candidate.region)
    text = texts.render(
        "journey/cycle_over", locale, cycle=ended, today=local_date(now),
        region=region.name(locale) if region else None,
    )
    await target.answer(text, reply_markup=menu_keyboard(texts, locale, "profile"))
    return True


async def region_and_views(
    target: Message,
    candidate: Candidate,
    *,
    kb: KnowledgeBase,
    texts: Texts,
    locale: Locale,
    now: datetime,
    flow: str,
) -> tuple[Region, list[StepView]] | None:
    """Return the candidate's region and step views, or ask for the region and return None."""
    region = known_region(kb, candidate.region)
    if region is None:
        await ask_region(target, kb=kb, texts=texts, locale=locale, flow=flow)
        return None
    views = step_views(
        kb,
        region_code=region.code,
        returning=candidate.is_returning,
        done=candidate.done_steps,
        now=now,
        locale=locale,
    )
    return region, views


async def send_todo(
    target: Message,
    candidate: Candidate,
    *,
    kb: KnowledgeBase,
    texts: Texts,
    locale: Locale,
    now: datetime,
) -> None:
    """Send the candidate's next steps with their windows, or ask for the region first."""
    if await say_cycle_over(target, candidate, kb=kb, texts=texts, locale=locale, now=now):
        return
    found = await region_and_views(
        target, candidate, kb=kb, texts=texts, locale=locale, now=now, flow="todo"
    )
    if found is None:
        return
    region, views = found
    chunks = texts.chunks(
        "journey/todo",
        locale,
        region=region.name(locale),
        items=todo_views(views),
        today=local_date(now),
        authority=_authority(kb, locale),
    )
    await answer_chunks(target, chunks, todo_keyboard(texts, locale, views))


async def send_deadlines(
    target: Message,
    candidate: Candidate,
    *,
    kb: KnowledgeBase,
    texts: Texts,
    locale: Locale,
    now: datetime,
) -> None:
    """Send the region's whole calendar, past, current and coming marked."""
    if await say_cycle_over(target, candidate, kb=kb, texts=texts, locale=locale, now=now):
        return
    found = await region_and_views(
        target, candidate, kb=kb, texts=texts, locale=locale, now=now, flow="dl"
    )
    if found is None:
        return
    region, views = found
    chunks = texts.chunks(
        "journey/deadlines",
        locale,
        region=region.name(locale),
        steps=views,
        today=local_date(now),
        year=kb.year,
    )
    await answer_chunks(target, chunks, menu_keyboard(texts, locale, "todo", "calendar"))


async def send_calendar(
    target: Message,
    candidate: Candidate,
    *,
    kb: KnowledgeBase,
    texts: Texts,
    locale: Locale,
    now: datetime,
) -> None:
    """Send an .ics file of the remaining deadlines (or say there are none)."""
    found = await region_and_views(
        target, candidate, kb=kb, texts=texts, locale=locale, now=now, flow="cal"
    )
    if found is None:
        return
    region, views = found
    label = texts.labels(locale)
    entries = calendar_entries(
        views,
        year=kb.year,
        region_code=region.code,
        now=now,
    )
    undated = [v.name for v in views if v.state in ("local", "undated", "auto")]
    context = {"region": region.name(locale), "count": len(entries), "undated": undated}
    if not entries:
        await target.answer(texts.render("journey/calendar_empty", locale, **context))
        return
    data = build_calendar(
        entries,
        name=label["journey_ics_name"].format(year=kb.year),
        alarm_text=label["journey_ics_alarm"],
        footer=label["journey_ics_footer"],
        now=now,
    )
    document = BufferedInputFile(data, filename=f"exam-{kb.year}-{region.code}.ics")
    await target.answer_document(
        document, caption=texts.render("journey/calendar", locale, **context)
    )


async def send_profile(
    target: Message, candidate: Candidate, *, kb: KnowledgeBase, texts: Texts, locale: Locale
) -> None:
    """Show everything the assistant keeps about the candidate."""
    region = known_region(kb, candidate.region)
    done = [step_name(kb, s, locale) for s in STEP_ORDER if s.value in candidate.done_steps]
    text = texts.render(
        "journey/profile",
        locale,
        region=region.name(locale) if region else None,
        returning=candidate.is_returning,
        language=candidate.language,
        reminders=candidate.reminders_enabled,
        done=done,
    )
    await target.answer(text, reply_markup=profile_keyboard(texts, locale))
