"""/unanswered (knowledge gaps, grouped) and /stats (with a chart of progress by step)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock, now_from
from bot.knowledge import Knowledge
from bot.staff.chart import bar_chart
from bot.staff.reports import StatsRepo, UnansweredReport, daily_table, step_bars
from bot.staff.roles import AuditRepo, StaffRole
from bot.texts import Locale, Texts, split_message
from handlers.questions import render_answer
from handlers.staff.common import StaffFilter, match_regions, ordered_codes, region_names


async def cmd_unanswered(
    message: Message,
    session: AsyncSession,
    staff: StaffRole,
    knowledge: Knowledge,
    texts: Texts,
    locale: Locale,
    clock: Clock | None = None,
) -> None:
    """Show the questions the assistant could not answer well, similar ones grouped.

    Staff see their regions' questions; those asked with no region set are for administrators.
    """
    groups, total = await UnansweredReport(session).groups(
        regions=staff.regions, include_no_region=staff.is_admin
    )
    kb = knowledge.kb
    for group in groups:
        group.regions = set(region_names(kb, [r for r in group.regions if r], locale))
    await AuditRepo(session).record(
        staff.user_id, "unanswered", now=now_from(clock), regions=staff.regions
    )
    reply = texts.render(
        "staff/unanswered", locale, groups=groups, total=total, admin=staff.is_admin
    )
    for chunk in split_message(reply):
        await message.answer(chunk)


async def cmd_stats(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    staff: StaffRole,
    knowledge: Knowledge,
    texts: Texts,
    locale: Locale,
    clock: Clock | None = None,
) -> None:
    """Show candidates by region and step, and messages by day; chart progress by step."""
    kb, now = knowledge.kb, now_from(clock)
    scope = sorted(staff.regions)
    if command.args:
        scope, unknown = match_regions(kb, command.args)
        if unknown or not scope or not staff.may_act_for(scope):
            await message.answer(texts.render("staff/forbidden", locale))
            return
    repo = StatsRepo(session)
    regions = await repo.regions(ordered_codes(kb, scope))
    counts, pending = await repo.outbox_by_day(scope, now=now)
    names = {p.step: p.name(locale) for p in kb.plan(None, None)}
    shown = [{"name": region_names(kb, [r.region], locale)[0], "candidates": r.candidates,
              "subscribed": r.subscribed, "blocked": r.blocked,
              "steps": [(names[s], r.steps.get(str(s), 0)) for s in names]} for r in regions]
    one = len(scope) == 1
    name = region_names(kb, scope, locale)[0] if one else texts.label(locale, "staff_all")
    await AuditRepo(session).record(staff.user_id, "stats", now=now, regions=scope)
    reply = texts.render("staff/stats", locale, scope=name, regions=shown,
                         days=daily_table(counts), pending=pending)
    for chunk in split_message(reply):
        await message.answer(chunk)
    bars, total = step_bars(regions)
    if total:
        title = texts.label(locale, "staff_chart_title").format(region=name, total=total)
        png = bar_chart(title, [(names.get(step, step), n) for step, n in bars], total)
        caption = texts.render("staff/stats_chart", locale, name=name, total=total)
        await message.answer_photo(BufferedInputFile(png, "stats.png"), caption=caption)


async def cmd_why(
    message: Message,
    command: CommandObject,
    knowledge: Knowledge,
    texts: Texts,
    locale: Locale,
    clock: Clock | None = None,
) -> None:
    """Show how a question is read and why it gets its answer (/why <question>)."""
    if not command.args:
        await message.answer(texts.render("staff/why_usage", locale))
        return
    answer = knowledge.answerer.answer(command.args, now=now_from(clock))
    reply = render_answer(answer, knowledge, texts, "en" if answer.lang == "en" else locale)
    await message.answer(
        texts.render("staff/why", locale, why=answer.why(), first=reply.split("\n", 1)[0])
    )


def create_router() -> Router:
    router = Router(name="staff_reports")
    router.message.register(cmd_why, Command("why"), StaffFilter())
    router.message.register(cmd_unanswered, Command("unanswered"), StaffFilter())
    router.message.register(cmd_stats, Command("stats"), StaffFilter())
    return router
