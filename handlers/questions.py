"""Plain text is a question: answer it from the notice, for this candidate, today."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from aiogram import Router
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot import metrics
from bot.db.models import Candidate
from bot.db.repo import CandidateRepo, UnansweredRepo
from bot.knowledge import Knowledge
from bot.texts import Locale, Texts, split_message
from handlers.filters import is_question
from handlers.reply import Reply
from handlers.template_context import answer_context, entry_context
from notices import Answer, AnswerKind, Step

# Questions the knowledge base could not answer well: staff review them with /unanswered.
RECORDED_KINDS = frozenset({AnswerKind.SUGGEST, AnswerKind.OUT_OF_SCOPE})
# Replies that state a rule keep the notice passage it rests on one tap away.
SOURCED_KINDS = frozenset({AnswerKind.ANSWER, AnswerKind.NEED_REGION, AnswerKind.FRAUD})
MAX_BUTTON_TEXT = 40
PENDING_QUESTION = "pending_question"


class TopicAction(CallbackData, prefix="topic"):
    entry_id: str


class AskRegionAction(CallbackData, prefix="askreg"):
    code: str


class SourceAction(CallbackData, prefix="src"):
    entry_id: str


def answer_keyboard(answer: Answer, reply: Reply) -> InlineKeyboardMarkup | None:
    """Offer the closest topics, the notice passage, and the regions when they matter."""
    builder = InlineKeyboardBuilder()
    if answer.kind is AnswerKind.SUGGEST:
        for entry in answer.suggestions:
            topic = entry.topic(reply.locale)
            builder.button(
                text=topic[:MAX_BUTTON_TEXT], callback_data=TopicAction(entry_id=entry.id)
            )
        builder.adjust(1)
        return builder.as_markup() if builder.buttons else None
    widths: list[int] = []
    if answer.entry is not None and answer.entry.source and answer.kind in SOURCED_KINDS:
        builder.button(
            text=reply.label("answer_source"),
            callback_data=SourceAction(entry_id=answer.entry.id),
        )
        widths.append(1)
    if answer.kind is AnswerKind.NEED_REGION or answer.offer_regions:
        for region in reply.kb.regions:
            name = region.name(reply.locale)
            builder.button(text=name, callback_data=AskRegionAction(code=region.code))
        widths.extend([4] * ((len(reply.kb.regions) + 3) // 4))
    if widths:
        builder.adjust(*widths)
    return builder.as_markup() if builder.buttons else None


def render_answer(answer: Answer, knowledge: Knowledge, texts: Texts, locale: Locale) -> str:
    """Render an Answer with the template of its kind."""
    cycle = knowledge.kb.cycle
    authority = cycle.local_authority(locale)
    context = answer_context(answer, locale, authority, knowledge.kb.year)
    reply = texts.render(f"answer/{answer.kind.value}", locale, **context)
    if answer.secret:
        # Whatever the answer, the asker learns not to send passwords or ID numbers.
        reply += "\n" + texts.render("answer/privacy_note", locale)
    return reply


class Profile(TypedDict):
    region_code: str | None
    returning: bool | None
    done: frozenset[Step]
    lang: str | None


def profile_of(candidate: Candidate | None) -> Profile:
    """Return what the candidate told us that shapes an answer."""
    if candidate is None:
        return Profile(region_code=None, returning=None, done=frozenset(), lang=None)
    return Profile(
        region_code=candidate.region,
        returning=candidate.is_returning,
        done=frozenset(Step(s) for s in candidate.done_steps),
        lang=candidate.language,
    )


async def send_answer(message: Message, answer: Answer, reply: Reply) -> None:
    """Send the rendered answer in message-sized pieces, buttons under the last."""
    if answer.lang == "en":  # a question written in English is answered in English
        reply = reply.to("en")
    keyboard = answer_keyboard(answer, reply)
    chunks = split_message(render_answer(answer, reply.knowledge, reply.texts, reply.locale))
    for i, chunk in enumerate(chunks, start=1):
        await message.answer(chunk, reply_markup=keyboard if i == len(chunks) else None)


async def on_question(
    message: Message,
    session: AsyncSession,
    state: FSMContext,
    reply: Reply,
    candidate: Candidate | None,
    now: datetime,
) -> None:
    """Answer a question typed in the candidate's own words."""
    assert message.text is not None
    answer = reply.knowledge.answerer.answer(message.text, now=now, **profile_of(candidate))
    metrics.ANSWERS.labels(answer.kind.value).inc()
    if answer.kind in RECORDED_KINDS:
        region = answer.region.code if answer.region else (candidate.region if candidate else None)
        user = message.from_user
        names = (user.first_name, user.last_name, user.username) if user else ()
        await UnansweredRepo(session).record(
            message.text, kind=answer.kind.value, region=region, lang=answer.lang, now=now,
            names=names,
        )
    if answer.kind is AnswerKind.NEED_REGION or answer.offer_regions:
        await state.update_data({PENDING_QUESTION: message.text})
    await send_answer(message, answer, reply)


async def on_topic(
    query: CallbackQuery,
    callback_data: TopicAction,
    reply: Reply,
    candidate: Candidate | None,
    now: datetime,
) -> None:
    """Answer the topic the candidate picked from the suggestions."""
    await query.answer()
    answerer = reply.knowledge.answerer
    answer = answerer.explain(callback_data.entry_id, now=now, **profile_of(candidate))
    if answer is not None and isinstance(query.message, Message):
        await send_answer(query.message, answer, reply)


async def on_ask_region(
    query: CallbackQuery,
    callback_data: AskRegionAction,
    session: AsyncSession,
    state: FSMContext,
    reply: Reply,
    now: datetime,
) -> None:
    """Save the region picked for a question, then answer the question for it."""
    await query.answer()
    try:
        reply.kb.region(callback_data.code)
    except KeyError:
        return
    candidate = await CandidateRepo(session).set_region(query.from_user.id, callback_data.code)
    question = (await state.get_data()).get(PENDING_QUESTION)
    await state.update_data({PENDING_QUESTION: None})
    if isinstance(question, str) and isinstance(query.message, Message):
        answer = reply.knowledge.answerer.answer(question, now=now, **profile_of(candidate))
        await send_answer(query.message, answer, reply)


async def on_source(query: CallbackQuery, callback_data: SourceAction, reply: Reply) -> None:
    """Show the notice passages an answer rests on."""
    await query.answer()
    try:
        entry = reply.kb.entry(callback_data.entry_id)
    except KeyError:
        return
    if isinstance(query.message, Message):
        title = reply.kb.cycle.notice_title
        for chunk in reply.chunks("answer/source", entry=entry_context(entry, reply.locale),
                                  title=title):
            await query.message.answer(chunk)


def create_router() -> Router:
    router = Router(name="questions")
    router.message.register(on_question, is_question)
    router.callback_query.register(on_topic, TopicAction.filter())
    router.callback_query.register(on_ask_region, AskRegionAction.filter())
    router.callback_query.register(on_source, SourceAction.filter())
    return router
