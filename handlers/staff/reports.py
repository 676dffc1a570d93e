"""/unanswered (knowledge gaps, grouped) and /stats (with a chart of progress by step)."""

from __future__ import annotations

from datetime import datetime

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.staff.chart import bar_chart
from bot.staff.reports import StatsRepo, UnansweredReport, daily_table, step_bars
from bot.staff.roles import AuditRepo, StaffRole
from handlers.questions import render_answer
from handlers.reply import Reply
from handlers.staff.common import StaffFilter, match_regions, ordered_codes, region_names


async def cmd_unanswered(
    message: Message,
    session: AsyncSession,
    staff: StaffRole,
    reply: Reply,
    now: datetime,
) -> None:
    """Show the questions the assistant could not answer well, similar ones grouped.

    Staff see their regions' questions; those asked with no region set are for administrators.
    """
    groups, total = await UnansweredReport(session).groups(
        regions=staff.regions, include_no_region=staff.is_admin
    )
    for group in groups:
        group.regions = set(region_names(reply.kb, [r for r in group.regions if r], reply.locale))
    await AuditRepo(session).record(staff.user_id, "unanswered", now=now, regions=staff.regions)
    for chunk in reply.chunks(
        "staff/unanswered", groups=groups, total=total, admin=staff.is_admin
    ):
        await message.answer(chunk)


async def cmd_stats(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    staff: StaffRole,
    reply: Reply,
    now: datetime,
) -> None:
    """Show candidates by region and step, and messages by day; chart progress by step."""
    kb, locale = reply.kb, reply.locale
    scope = sorted(staff.regions)
    if command.args:
        scope, unknown = match_regions(kb, command.args)
        if unknown or not scope or not staff.may_act_for(scope):
            await message.answer(reply.render("staff/forbidden"))
            return
    repo = StatsRepo(session)
    regions = await repo.regions(ordered_codes(kb, scope))
    counts, pending = await repo.outbox_by_day(scope, now=now)
    names = {p.step: p.name(locale) for p in kb.plan(None, None)}
    shown = [{"name": region_names(kb, [r.region], locale)[0], "candidates": r.candidates,
              "subscribed": r.subscribed, "blocked": r.blocked,
              "steps": [(names[s], r.steps.get(str(s), 0)) for s in names]} for r in regions]
    one = len(scope) == 1
    name = region_names(kb, scope, locale)[0] if one else reply.label("staff_all")
    await AuditRepo(session).record(staff.user_id, "stats", now=now, regions=scope)
    for chunk in reply.chunks("staff/stats", scope=name, regions=shown,
                              days=daily_table(counts), pending=pending):
        await message.answer(chunk)
    bars, total = step_bars(regions)
    if total:
        title = reply.label("staff_chart_title").format(region=name, total=total)
        png = bar_chart(title, [(names.get(step, step), n) for step, n in bars], total)
        caption = reply.render("staff/stats_chart", name=name, total=total)
        await message.answer_photo(BufferedInputFile(png, "stats.png"), caption=caption)


async def cmd_why(message: Message, command: CommandObject, reply: Reply, now: datetime) -> None:
    """Show how a question is read and why it gets its answer (/why <question>)."""
    if not command.args:
        await message.answer(reply.render("staff/why_usage"))
        return
    knowledge = reply.knowledge
    answer = knowledge.answerer.answer(command.args, now=now)
    answered = render_answer(
        answer, knowledge, reply.texts, "en" if answer.lang == "en" else reply.locale
    )
    await message.answer(
        reply.render("staff/why", why=answer.why(), first=answered.split("\n", 1)[0])
    )


def create_router() -> Router:
    router = Router(name="staff_reports")
    router.message.register(cmd_why, Command("why"), StaffFilter())
    router.message.register(cmd_unanswered, Command("unanswered"), StaffFilter())
    router.message.register(cmd_stats, Command("stats"), StaffFilter())
    return router
