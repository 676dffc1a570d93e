"""/import (region milestones from a CSV file) and /reload (the notice files)."""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import datetime

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Document, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.memory import settle_heap
from bot.staff.regiondata import (
    MAX_BYTES,
    MAX_ROWS,
    ImportProblem,
    ImportRejected,
    import_milestones,
)
from bot.staff.roles import AuditRepo, StaffRole
from bot.texts import split_message
from handlers.reply import Reply
from handlers.staff.common import StaffFilter, region_names
from notices import STEP_ORDER, KnowledgeBaseError

logger = logging.getLogger(__name__)
OUTCOMES = ("added", "updated", "unchanged")
_CSV_TYPES = ("text/csv", "text/plain", "application/csv", "application/vnd.ms-excel")


class ImportStates(StatesGroup):
    file = State()


async def cmd_import(
    message: Message,
    state: FSMContext,
    bot: Bot,
    session: AsyncSession,
    staff: StaffRole,
    reply: Reply,
    now: datetime,
) -> None:
    """Import a milestone file sent with /import, or ask for one."""
    if message.document is not None:
        await process_file(message, state, bot, session, staff, reply, now)
        return
    await state.set_state(ImportStates.file)
    regions = region_names(reply.kb, staff.regions, reply.locale)
    await message.answer(reply.render(
        "staff/import_ask", steps=[str(s) for s in STEP_ORDER], regions=regions,
        max_rows=MAX_ROWS, max_kb=MAX_BYTES // 1000,
    ))


async def process_file(
    message: Message,
    state: FSMContext,
    bot: Bot,
    session: AsyncSession,
    staff: StaffRole,
    reply: Reply,
    now: datetime,
) -> None:
    """Validate the whole file; import it, or say line by line what is wrong."""
    assert message.document is not None
    await state.clear()
    try:
        raw = await _download(bot, message.document)
        changes = await import_milestones(
            session, reply.knowledge, raw, actor=staff.user_id, allowed=staff.regions, now=now
        )
    except ImportRejected as exc:
        text = reply.render("staff/import_rejected", problems=exc.problems)
    else:
        counts = {o: sum(c.outcome == o for c in changes) for o in OUTCOMES}
        shown = [{"region": region_names(reply.kb, [c.region], reply.locale)[0], "step": c.step,
                  "outcome": c.outcome} for c in changes]
        text = reply.render("staff/import_done", changes=shown, **counts)
    for chunk in split_message(text):
        await message.answer(chunk)


async def _download(bot: Bot, document: Document) -> bytes:
    name = (document.file_name or "").lower()
    if not name.endswith((".csv", ".txt")) and document.mime_type not in _CSV_TYPES:
        raise ImportRejected([ImportProblem("not_csv")])
    if document.file_size is not None and document.file_size > MAX_BYTES:
        raise ImportRejected([ImportProblem("too_big", params={"limit": MAX_BYTES // 1000})])
    buffer = io.BytesIO()
    await bot.download(document, destination=buffer)
    return buffer.getvalue()


async def cmd_reload(
    message: Message, session: AsyncSession, staff: StaffRole, reply: Reply, now: datetime
) -> None:
    """Reload the notice files, all or nothing: on an error the old base stays live."""
    try:
        kb = await asyncio.to_thread(reply.knowledge.reload)
    except KnowledgeBaseError as exc:
        await AuditRepo(session).record(staff.user_id, "reload_failed", now=now)
        await message.answer(reply.render("staff/reload_failed", error=str(exc)[:1500]))
        return
    settle_heap()  # the old base's cycles are garbage now; the new one is long-lived
    await AuditRepo(session).record(staff.user_id, "reload", now=now, detail=f"year {kb.year}")
    await message.answer(reply.render(
        "staff/reload_done", year=kb.year, regions=len(kb.regions), milestones=len(kb.milestones)
    ))


def create_router() -> Router:
    router = Router(name="staff_data")
    router.message.register(cmd_import, Command("import"), StaffFilter())
    router.message.register(
        process_file, StateFilter(ImportStates.file), F.document, StaffFilter()
    )
    router.message.register(cmd_reload, Command("reload"), StaffFilter())
    return router
