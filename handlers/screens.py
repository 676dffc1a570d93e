"""Screens several features show: to-do list, deadlines, calendar, profile, the pickers."""

from __future__ import annotations

from datetime import datetime

from aiogram.types import BufferedInputFile, Message

from bot.db.models import Candidate
from handlers.ics import build_calendar
from handlers.keyboards import (
    answer_chunks,
    groups_keyboard,
    menu_keyboard,
    profile_keyboard,
    returning_keyboard,
    todo_keyboard,
)
from handlers.reply import Reply
from handlers.step_views import (
    StepView,
    auto_confirm_region,
    calendar_entries,
    ended_cycle,
    known_region,
    region_groups,
    step_views,
    todo_views,
)
from notices import STEP_ORDER, Region, local_date


async def ask_region(
    target: Message, reply: Reply, *, flow: str, current: str | None = None
) -> None:
    """Ask for the region with the geographic groups as buttons (saying the current one)."""
    groups = region_groups(reply.kb, reply.locale)
    text = reply.render("journey/region_ask", groups=groups, flow=flow, current=current)
    await target.answer(text, reply_markup=groups_keyboard(groups, flow))


def returning_context(candidate: Candidate, reply: Reply) -> dict[str, object]:
    """Describe the candidate's region as the returning question and answer need it."""
    region = known_region(reply.kb, candidate.region)
    return {
        "region": reply.region_name(region),
        "auto": region is not None and auto_confirm_region(reply.kb, region.code),
        "returning": candidate.is_returning,
    }


async def ask_returning(target: Message, candidate: Candidate, reply: Reply, *, flow: str) -> None:
    """Ask whether the candidate failed last year, saying what it changes in their region."""
    text = reply.render("journey/returning_ask", **returning_context(candidate, reply))
    markup = returning_keyboard(reply, flow, candidate.is_returning)
    await target.answer(text, reply_markup=markup)


async def say_cycle_over(
    target: Message, candidate: Candidate, reply: Reply, now: datetime
) -> bool:
    """Say the loaded notice year has ended and where the next one will appear; False (and
    nothing said) while it runs."""
    ended = ended_cycle(reply.kb, now, reply.locale)
    if ended is None:
        return False
    region = known_region(reply.kb, candidate.region)
    text = reply.render(
        "journey/cycle_over", cycle=ended, today=local_date(now),
        region=reply.region_name(region),
    )
    await target.answer(text, reply_markup=menu_keyboard(reply, "profile"))
    return True


async def region_and_views(
    target: Message, candidate: Candidate, reply: Reply, now: datetime, *, flow: str
) -> tuple[Region, list[StepView]] | None:
    """Return the candidate's region and step views, or ask for the region and return None."""
    region = known_region(reply.kb, candidate.region)
    if region is None:
        await ask_region(target, reply, flow=flow)
        return None
    views = step_views(
        reply.kb,
        region_code=region.code,
        returning=candidate.is_returning,
        done=candidate.done_steps,
        now=now,
        locale=reply.locale,
    )
    return region, views


async def send_todo(target: Message, candidate: Candidate, reply: Reply, now: datetime) -> None:
    """Send the candidate's next steps with their windows, or ask for the region first."""
    if await say_cycle_over(target, candidate, reply, now):
        return
    found = await region_and_views(target, candidate, reply, now, flow="todo")
    if found is None:
        return
    region, views = found
    chunks = reply.chunks(
        "journey/todo",
        region=region.name(reply.locale),
        items=todo_views(views),
        today=local_date(now),
        authority=reply.kb.cycle.local_authority(reply.locale),
    )
    await answer_chunks(target, chunks, todo_keyboard(reply, views))


async def send_deadlines(
    target: Message, candidate: Candidate, reply: Reply, now: datetime
) -> None:
    """Send the region's whole calendar, past, current and coming marked."""
    if await say_cycle_over(target, candidate, reply, now):
        return
    found = await region_and_views(target, candidate, reply, now, flow="dl")
    if found is None:
        return
    region, views = found
    chunks = reply.chunks(
        "journey/deadlines",
        region=region.name(reply.locale),
        steps=views,
        today=local_date(now),
        year=reply.kb.year,
    )
    await answer_chunks(target, chunks, menu_keyboard(reply, "todo", "calendar"))


async def send_calendar(
    target: Message, candidate: Candidate, reply: Reply, now: datetime
) -> None:
    """Send an .ics file of the remaining deadlines (or say there are none)."""
    found = await region_and_views(target, candidate, reply, now, flow="cal")
    if found is None:
        return
    region, views = found
    year, label = reply.kb.year, reply.labels()
    entries = calendar_entries(views, year=year, region_code=region.code, now=now)
    undated = [v.name for v in views if v.state in ("local", "undated", "auto")]
    context = {"region": region.name(reply.locale), "count": len(entries), "undated": undated}
    if not entries:
        await target.answer(reply.render("journey/calendar_empty", **context))
        return
    data = build_calendar(
        entries,
        name=label["journey_ics_name"].format(year=year),
        alarm_text=label["journey_ics_alarm"],
        footer=label["journey_ics_footer"],
        now=now,
    )
    document = BufferedInputFile(data, filename=f"exam-{year}-{region.code}.ics")
    await target.answer_document(document, caption=reply.render("journey/calendar", **context))


async def send_profile(target: Message, candidate: Candidate, reply: Reply) -> None:
    """Show everything the assistant keeps about the candidate."""
    region = known_region(reply.kb, candidate.region)
    done = [reply.step_name(s) for s in STEP_ORDER if s.value in candidate.done_steps]
    text = reply.render(
        "journey/profile",
        region=reply.region_name(region),
        returning=candidate.is_returning,
        language=candidate.language,
        reminders=candidate.reminders_enabled,
        done=done,
    )
    await target.answer(text, reply_markup=profile_keyboard(reply))
