"""The buttons under a reminder: mark the step done, or remind me tomorrow morning."""

from __future__ import annotations

from datetime import datetime

from aiogram import F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import Candidate
from bot.db.outbox import OutboxRepo
from bot.reminders import ACTION_PREFIX, snooze_message
from bot.step_records import record_done
from handlers.reply import Reply
from notices import Step


class ReminderAction(CallbackData, prefix=ACTION_PREFIX):
    """A reminder button: action is "done" or "snooze"; packs as bot.reminders.action_data."""

    action: str
    step: str


def _step(value: str) -> Step | None:
    return Step(value) if value in {s.value for s in Step} else None


async def on_done(
    query: CallbackQuery,
    callback_data: ReminderAction,
    session: AsyncSession,
    reply: Reply,
    now: datetime,
) -> None:
    """Record the reminded step as done; its pending reminders go in the same transaction."""
    step = _step(callback_data.step)
    if step is None:
        await query.answer(reply.label("rem_stale"))
        return
    await record_done(session, query.from_user.id, [step], now)
    await query.answer(reply.label("rem_done_ok").format(step=reply.step_name(step)))


async def on_snooze(
    query: CallbackQuery,
    callback_data: ReminderAction,
    session: AsyncSession,
    settings: Settings,
    reply: Reply,
    candidate: Candidate | None,
    now: datetime,
) -> None:
    """Plan the same step again for tomorrow morning."""
    step = _step(callback_data.step)
    if step is None or candidate is None:
        await query.answer(reply.label("rem_stale"))
        return
    message = snooze_message(
        reply.kb, candidate.user_id, step, region=candidate.region,
        returning=candidate.is_returning, now=now, morning=settings.reminder_morning,
    )
    await OutboxRepo(session).add([message], now=now)
    await query.answer(reply.label("rem_snooze_ok"))


def create_router() -> Router:
    router = Router(name="reminders")
    router.callback_query.register(on_done, ReminderAction.filter(F.action == "done"))
    router.callback_query.register(
        on_snooze, ReminderAction.filter(F.action == "snooze")
    )
    return router
