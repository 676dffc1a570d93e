"""/done and /undo, their buttons, and the question about earlier steps still open."""

from __future__ import annotations

import re
from datetime import datetime

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.repo import CandidateRepo
from bot.step_records import record_done, record_undone
from handlers.filters import from_user
from handlers.keyboards import (
    StepAction,
    answer_stale,
    message_of,
    parse_step_value,
    prefixes,
    todo_keyboard,
)
from handlers.reply import Reply
from handlers.step_views import open_predecessors, step_views, todo_views
from notices import STEP_ORDER, Step, local_date, parse_step, step_words

MAX_ECHO = 40
# Steps in one /done: separated by commas (Chinese or ASCII), 、 or spaces.
STEP_LIST = re.compile(r"[\s,，、;；]+")


class CascadeAction(CallbackData, prefix="cas"):
    step: str
    earlier: bool


def cascade_keyboard(reply: Reply, step: Step, name: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=reply.label("journey_mark_all"),
        callback_data=CascadeAction(step=step.value, earlier=True),
    )
    builder.button(
        text=reply.label("journey_mark_only").format(step=name),
        callback_data=CascadeAction(step=step.value, earlier=False),
    )
    builder.adjust(1)
    return builder.as_markup()


async def mark(
    target: Message,
    user_id: int,
    step: Step,
    *,
    earlier: bool | None,
    session: AsyncSession,
    reply: Reply,
    now: datetime,
) -> None:
    """Mark a step (and, if asked, the open ones before it) done; ask once when unsure."""
    candidate = await CandidateRepo(session).load(user_id)
    before = open_predecessors(reply.kb, step, candidate.done_steps)
    if before and earlier is None and step.value not in candidate.done_steps:
        names = [reply.step_name(s) for s in before]
        name = reply.step_name(step)
        text = reply.render("journey/cascade_ask", step=name, earlier=names)
        await target.answer(text, reply_markup=cascade_keyboard(reply, step, name))
        return
    steps = [*before, step] if earlier else [step]
    await say_marked(target, user_id, steps, session=session, reply=reply, now=now)


async def say_marked(
    target: Message,
    user_id: int,
    steps: list[Step],
    *,
    session: AsyncSession,
    reply: Reply,
    now: datetime,
) -> None:
    """Mark these steps done and say so, with the next step still open."""
    candidate = await CandidateRepo(session).load(user_id)
    step = steps[-1]
    marked = await record_done(session, user_id, steps, now)
    views = step_views(
        reply.kb, region_code=candidate.region, returning=candidate.is_returning,
        done=candidate.done_steps, now=now, locale=reply.locale,
    )
    following = todo_views(views)
    text = reply.render(
        "journey/step_done", step=reply.step_name(step),
        marked=[reply.step_name(s) for s in marked],
        next=following[0][0] if following else None, has_region=candidate.region is not None,
        today=local_date(now),
    )
    await target.answer(text)


async def unmark(
    target: Message, user_id: int, step: Step, *, session: AsyncSession, reply: Reply
) -> None:
    """Unmark one step and say whether it had been marked."""
    changed = await record_undone(session, user_id, step)
    text = reply.render("journey/step_undone", step=reply.step_name(step), changed=changed)
    await target.answer(text)


async def unknown_step(
    target: Message, user_id: int, wanted: str, *, command: str, session: AsyncSession,
    reply: Reply, now: datetime,
) -> None:
    """List the steps by name, with buttons for the next ones."""
    candidate = await CandidateRepo(session).load(user_id)
    steps = [(step_words(s)[0], reply.step_name(s)) for s in STEP_ORDER]
    views = step_views(
        reply.kb, region_code=candidate.region, returning=candidate.is_returning,
        done=candidate.done_steps, now=now, locale=reply.locale,
    )
    text = reply.render("journey/step_unknown", text=wanted[:MAX_ECHO], steps=steps,
                        command=command)
    await target.answer(text, reply_markup=todo_keyboard(reply, views))


async def cmd_done(
    message: Message, command: CommandObject, session: AsyncSession, reply: Reply, now: datetime
) -> None:
    """Mark steps done: /done 缴费, /done pay, /done register, wechat, submit."""
    assert message.from_user is not None
    user_id = message.from_user.id
    names = [name for name in STEP_LIST.split(command.args or "") if name]
    parsed = {name: parse_step(name) for name in names}
    unknown = next((name for name, step in parsed.items() if step is None), None)
    steps = [step for step in parsed.values() if step is not None]
    if not steps or unknown is not None:
        await unknown_step(message, user_id, unknown or "", command="done", session=session,
                           reply=reply, now=now)
    elif len(steps) == 1:
        await mark(message, user_id, steps[0], earlier=None, session=session, reply=reply,
                   now=now)
    else:  # a list says which steps: mark exactly those, in the notice's order
        ordered = [s for s in STEP_ORDER if s in steps]
        await say_marked(message, user_id, ordered, session=session, reply=reply, now=now)


async def cmd_undo(
    message: Message, command: CommandObject, session: AsyncSession, reply: Reply, now: datetime
) -> None:
    """Unmark a step: /undo 缴费, /undo pay."""
    assert message.from_user is not None
    user_id, wanted = message.from_user.id, command.args or ""
    step = parse_step(wanted)
    if step is None:
        await unknown_step(message, user_id, wanted, command="undo", session=session,
                           reply=reply, now=now)
        return
    await unmark(message, user_id, step, session=session, reply=reply)


async def on_step(
    query: CallbackQuery,
    callback_data: StepAction,
    session: AsyncSession,
    reply: Reply,
    now: datetime,
) -> None:
    """Mark or unmark the step a to-do button names."""
    target, step = message_of(query), parse_step_value(callback_data.step)
    if target is None or step is None or callback_data.op not in ("done", "undo"):
        await answer_stale(query, reply)
        return
    await query.answer()
    if callback_data.op == "undo":
        await unmark(target, query.from_user.id, step, session=session, reply=reply)
        return
    await mark(target, query.from_user.id, step, earlier=None, session=session, reply=reply,
               now=now)


async def on_cascade(
    query: CallbackQuery,
    callback_data: CascadeAction,
    session: AsyncSession,
    reply: Reply,
    now: datetime,
) -> None:
    """Mark the step alone, or with the earlier steps still open."""
    target, step = message_of(query), parse_step_value(callback_data.step)
    if target is None or step is None:
        await answer_stale(query, reply)
        return
    await query.answer()
    await mark(target, query.from_user.id, step, earlier=callback_data.earlier, session=session,
               reply=reply, now=now)


def create_router() -> Router:
    router = Router(name="progress")
    router.message.filter(from_user)
    router.message.register(cmd_done, Command("done"))
    router.message.register(cmd_undo, Command("undo"))
    router.callback_query.register(on_step, StepAction.filter())
    router.callback_query.register(on_cascade, CascadeAction.filter())
    router.callback_query.register(answer_stale, prefixes(StepAction, CascadeAction))
    return router
