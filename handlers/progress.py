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

from bot.clock import Clock, now_from
from bot.db.repo import CandidateRepo
from bot.knowledge import Knowledge
from bot.progress import record_done, record_undone
from bot.texts import Locale, Texts
from handlers.filters import from_user
from handlers.journey import open_predecessors, step_name, step_views, todo_views
from handlers.ui import (
    StepAction,
    answer_stale,
    message_of,
    parse_step_value,
    prefixes,
    todo_keyboard,
)
from notices import STEP_ORDER, KnowledgeBase, Step, local_date, parse_step, step_words

MAX_ECHO = 40
# Steps in one /done: separated by commas (Chinese or ASCII), 、 or spaces.
STEP_LIST = re.compile(r"[\s,，、;；]+")


class CascadeAction(CallbackData, prefix="cas"):
    step: str
    earlier: bool


def cascade_keyboard(texts: Texts, locale: Locale, step: Step, name: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=texts.label(locale, "journey_mark_all"),
        callback_data=CascadeAction(step=step.value, earlier=True),
    )
    builder.button(
        text=texts.label(locale, "journey_mark_only").format(step=name),
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
    kb: KnowledgeBase,
    texts: Texts,
    locale: Locale,
    now: datetime,
) -> None:
    """Mark a step (and, if asked, the open ones before it) done; ask once when unsure."""
    candidate = await CandidateRepo(session).load(user_id)
    before = open_predecessors(kb, step, candidate.done_steps)
    if before and earlier is None and step.value not in candidate.done_steps:
        names = [step_name(kb, s, locale) for s in before]
        name = step_name(kb, step, locale)
        text = texts.render("journey/cascade_ask", locale, step=name, earlier=names)
        await target.answer(text, reply_markup=cascade_keyboard(texts, locale, step, name))
        return
    steps = [*before, step] if earlier else [step]
    await say_marked(
        target, user_id, steps, session=session, kb=kb, texts=texts, locale=locale, now=now
    )


async def say_marked(
    target: Message,
    user_id: int,
    steps: list[Step],
    *,
    session: AsyncSession,
    kb: KnowledgeBase,
    texts: Texts,
    locale: Locale,
    now: datetime,
) -> None:
    """Mark these steps done and say so, with the next step still open."""
    candidate = await CandidateRepo(session).load(user_id)
    step = steps[-1]
    marked = await record_done(session, user_id, steps, now)
    views = step_views(
        kb, region_code=candidate.region, returning=candidate.is_returning,
        done=candidate.done_steps, now=now, locale=locale,
    )
    following = todo_views(views)
    text = texts.render(
        "journey/step_done", locale, step=step_name(kb, step, locale),
        marked=[step_name(kb, s, locale) for s in marked],
        next=following[0][0] if following else None, has_region=candidate.region is not None,
        today=local_date(now),
    )
    await target.answer(text)


async def unmark(
    target: Message, user_id: int, step: Step, *, session: AsyncSession, kb: KnowledgeBase,
    texts: Texts, locale: Locale,
) -> None:
    """Unmark one step and say whether it had been marked."""
    changed = await record_undone(session, user_id, step)
    text = texts.render(
        "journey/step_undone", locale, step=step_name(kb, step, locale), changed=changed
    )
    await target.answer(text)


async def unknown_step(
    target: Message, user_id: int, wanted: str, *, command: str, session: AsyncSession,
    kb: KnowledgeBase, texts: Texts, locale: Locale, now: datetime,
) -> None:
    """List the steps by name, with buttons for the next ones."""
    candidate = await CandidateRepo(session).load(user_id)
    steps = [(step_words(s)[0], step_name(kb, s, locale)) for s in STEP_ORDER]
    views = step_views(
        kb, region_code=candidate.region, returning=candidate.is_returning,
        done=candidate.done_steps, now=now, locale=locale,
    )
    text = texts.render(
        "journey/step_unknown", locale, text=wanted[:MAX_ECHO], steps=steps, command=command
    )
    await target.answer(text, reply_markup=todo_keyboard(texts, locale, views))


async def cmd_done(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    texts: Texts,
    locale: Locale,
    knowledge: Knowledge,
    clock: Clock | None = None,
) -> None:
    """Mark steps done: /done 缴费, /done pay, /done register, wechat, submit."""
    assert message.from_user is not None
    user_id, kb, now = message.from_user.id, knowledge.kb, now_from(clock)
    names = [name for name in STEP_LIST.split(command.args or "") if name]
    parsed = {name: parse_step(name) for name in names}
    unknown = next((name for name, step in parsed.items() if step is None), None)
    steps = [step for step in parsed.values() if step is not None]
    if not steps or unknown is not None:
        await unknown_step(
            message, user_id, unknown or "", command="done", session=session, kb=kb,
            texts=texts, locale=locale, now=now,
        )
    elif len(steps) == 1:
        await mark(
            message, user_id, steps[0], earlier=None, session=session, kb=kb, texts=texts,
            locale=locale, now=now,
        )
    else:  # a list says which steps: mark exactly those, in the notice's order
        ordered = [s for s in STEP_ORDER if s in steps]
        await say_marked(
            message, user_id, ordered, session=session, kb=kb, texts=texts, locale=locale,
            now=now,
        )


async def cmd_undo(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    texts: Texts,
    locale: Locale,
    knowledge: Knowledge,
    clock: Clock | None = None,
) -> None:
    """Unmark a step: /undo 缴费, /undo pay."""
    assert message.from_user is not None
    user_id, wanted, kb = message.from_user.id, command.args or "", knowledge.kb
    step = parse_step(wanted)
    if step is None:
        await unknown_step(
            message, user_id, wanted, command="undo", session=session, kb=kb, texts=texts,
            locale=locale, now=now_from(clock),
        )
        return
    await unmark(message, user_id, step, session=session, kb=kb, texts=texts, locale=locale)


async def on_step(
    query: CallbackQuery,
    callback_data: StepAction,
    session: AsyncSession,
    texts: Texts,
    locale: Locale,
    knowledge: Knowledge,
    clock: Clock | None = None,
) -> None:
    """Mark or unmark the step a to-do button names."""
    target, step = message_of(query), parse_step_value(callback_data.step)
    if target is None or step is None or callback_data.op not in ("done", "undo"):
        await answer_stale(query, texts, locale)
        return
    await query.answer()
    kb, user_id = knowledge.kb, query.from_user.id
    if callback_data.op == "undo":
        await unmark(target, user_id, step, session=session, kb=kb, texts=texts, locale=locale)
        return
    await mark(
        target, user_id, step, earlier=None, session=session, kb=kb, texts=texts,
        locale=locale, now=now_from(clock),
    )


async def on_cascade(
    query: CallbackQuery,
    callback_data: CascadeAction,
    session: AsyncSession,
    texts: Texts,
    locale: Locale,
    knowledge: Knowledge,
    clock: Clock | None = None,
) -> None:
    """Mark the step alone, or with the earlier steps still open."""
    target, step = message_of(query), parse_step_value(callback_data.step)
    if target is None or step is None:
        await answer_stale(query, texts, locale)
        return
    await query.answer()
    await mark(
        target, query.from_user.id, step, earlier=callback_data.earlier, session=session,
        kb=knowledge.kb, texts=texts, locale=locale, now=now_from(clock),
    )


def create_router() -> Router:
    router = Router(name="progress")
    router.message.filter(from_user)
    router.message.register(cmd_done, Command("done"))
    router.message.register(cmd_undo, Command("undo"))
    router.callback_query.register(on_step, StepAction.filter())
    router.callback_query.register(on_cascade, CascadeAction.filter())
    router.callback_query.register(answer_stale, prefixes(StepAction, CascadeAction))
    return router
