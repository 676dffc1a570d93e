"""The broadcast progress job: edit each broadcast's progress message, then its final report.

Counts are read from the outbox (the database is the truth); edits are throttled per
broadcast through the database, so several processes edit a message once per period between
them. The job (PROGRESS_JOB) is one of the process's named jobs (bot/jobs.py), added when the
dispatcher starts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, now_from
from bot.config import Settings
from bot.db.models import Broadcast
from bot.jobs import Job, JobRegistry
from bot.knowledge import Knowledge
from bot.staff.broadcasts import (
    ACTIVE,
    DONE,
    SCHEDULED,
    SENDING,
    STOPPED,
    BroadcastRepo,
    Progress,
    eta_seconds,
)
from bot.staff.roles import AuditRepo
from bot.texts import Locale, Texts
from handlers.staff.callbacks import StaffCallback
from handlers.staff.common import region_names
from notices import SHANGHAI

logger = logging.getLogger(__name__)

PROGRESS_JOB = "broadcasts.progress"
EVERY = timedelta(seconds=5)


class BroadcastAction(StaffCallback, prefix="bc"):
    action: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class Edit:
    chat_id: int
    message_id: int
    text: str
    markup: InlineKeyboardMarkup | None


def stop_keyboard(texts: Texts, locale: Locale, broadcast_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=texts.label(locale, "staff_stop"),
        callback_data=BroadcastAction(action="stop", value=str(broadcast_id)),
    )
    return builder.as_markup()


def progress_text(
    broadcast: Broadcast, progress: Progress, *, texts: Texts, knowledge: Knowledge,
    now: datetime,
) -> str:
    """Render the progress message (or the final report) of a broadcast."""
    locale: Locale = "en" if broadcast.locale == "en" else "zh"
    return texts.render(
        "staff/broadcast_progress", locale, id=broadcast.id, p=progress,
        state=texts.label(locale, f"staff_state_{broadcast.state}"),
        regions=region_names(knowledge.kb, broadcast.regions, locale),
        scheduled=broadcast.state == SCHEDULED,
        send_at=broadcast.send_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
        final=broadcast.state in (DONE, STOPPED), stopped=broadcast.state == STOPPED,
        eta=eta_seconds(broadcast, progress, now),
    )


async def plan_edit(
    session: AsyncSession, broadcast: Broadcast, *, texts: Texts, knowledge: Knowledge,
    now: datetime,
) -> Edit | None:
    """Move the broadcast's state on, and return the edit its message needs (if any)."""
    repo = BroadcastRepo(session)
    if broadcast.state == SCHEDULED and broadcast.send_at <= now:
        broadcast.state = SENDING
    progress = await repo.progress(broadcast)
    if broadcast.state == SENDING and progress.left == 0:
        broadcast.state, broadcast.finished_at = DONE, now
        await AuditRepo(session).record(
            broadcast.staff_id, "broadcast_done", now=now, regions=broadcast.regions,
            recipients=progress.sent, detail=f"broadcast {broadcast.id}, failed "
            f"{progress.failed}, blocked {progress.blocked}",
        )
    text = progress_text(broadcast, progress, texts=texts, knowledge=knowledge, now=now)
    if text == broadcast.progress_text or broadcast.progress_message_id is None:
        return None
    broadcast.progress_text = text
    locale: Locale = "en" if broadcast.locale == "en" else "zh"
    markup = stop_keyboard(texts, locale, broadcast.id) if broadcast.state in ACTIVE else None
    return Edit(broadcast.chat_id, broadcast.progress_message_id, text, markup)


async def send_progress(
    bot: Bot, session: AsyncSession, broadcast: Broadcast, *, texts: Texts,
    knowledge: Knowledge, now: datetime,
) -> None:
    """Send the broadcast's progress message, if Telegram lets us now.

    A refusal (a 429 on the staff member's own chat, say) costs only the message: the
    broadcast is under way regardless, and the progress job sends the message later."""
    text = progress_text(broadcast, await BroadcastRepo(session).progress(broadcast),
                         texts=texts, knowledge=knowledge, now=now)
    locale: Locale = "en" if broadcast.locale == "en" else "zh"
    try:
        sent = await bot.send_message(broadcast.chat_id, text,
                                      reply_markup=stop_keyboard(texts, locale, broadcast.id))
    except TelegramAPIError as exc:
        logger.info("broadcast %s: progress message not sent yet (%s)", broadcast.id,
                    type(exc).__name__)
        return
    broadcast.progress_message_id, broadcast.progress_text = sent.message_id, text


async def refresh_progress(
    bot: Bot,
    session_pool: async_sessionmaker[AsyncSession],
    *,
    texts: Texts,
    knowledge: Knowledge,
    now: datetime,
    every: timedelta = EVERY,
) -> int:
    """Update every active broadcast's progress message; return how many were edited."""
    edits: list[Edit] = []
    async with session_pool.begin() as session:
        repo = BroadcastRepo(session)
        for broadcast in await repo.active():
            if await repo.claim_progress(broadcast.id, now=now, every=every):
                edit = await plan_edit(session, broadcast, texts=texts, knowledge=knowledge,
                                       now=now)
                edits.extend([edit] if edit else [])
    for edit in edits:  # outside the transaction: no lock held over the network
        await apply_edit(bot, edit)
    async with session_pool.begin() as session:
        for broadcast in await BroadcastRepo(session).without_progress_message():
            await send_progress(bot, session, broadcast, texts=texts, knowledge=knowledge,
                                now=now)
    return len(edits)


async def apply_edit(bot: Bot, edit: Edit) -> None:
    try:
        await bot.edit_message_text(
            text=edit.text, chat_id=edit.chat_id, message_id=edit.message_id,
            reply_markup=edit.markup,
        )
    except TelegramAPIError as exc:  # not modified, deleted, rate-limited: next round
        logger.info("progress edit skipped: %s", type(exc).__name__)


async def start_progress_job(
    bot: Bot, settings: Settings, session_pool: async_sessionmaker[AsyncSession],
    texts: Texts, knowledge: Knowledge, jobs: JobRegistry, clock: Clock | None = None,
) -> None:
    """Add PROGRESS_JOB when the bot runs on Telegram (the terminal chat sends no outbox)."""
    if settings.bot_token is None:
        return

    async def refresh() -> None:
        await refresh_progress(bot, session_pool, texts=texts, knowledge=knowledge,
                               now=now_from(clock), every=EVERY * 0.8)

    jobs.add(Job(id=PROGRESS_JOB, run=refresh, every=EVERY.total_seconds(), at_start=True,
                 quiet_when_busy=True))
