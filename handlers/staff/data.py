"""/import (region milestones from a CSV file) and /reload (the notice files)."""

from __future__ import annotations

import asyncio
import io
import logging

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Document, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock, now_from
from bot.knowledge import Knowledge
from bot.memory import settle_heap
from bot.staff.regiondata import (
    MAX_BYTES,
    MAX_ROWS,
    ImportProblem,
    ImportRejected,
    import_milestones,
)
from bot.staff.roles import AuditRepo, StaffRole
from bot.texts import Locale, Texts, split_message
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
    knowledge: Knowledge,
    texts: Texts,
    locale: Locale,
    clock: Clock | None = None,
) -> None:
    """Import a milestone file sent with /import, or ask for one."""
    if message.document is not None:
        await process_file(message, state, bot, session, staff, knowledge, texts, locale, clock)
        return
    await state.set_state(ImportStates.file)
    regions = region_names(knowledge.kb, staff.regions, locale)
    await message.answer(texts.render(
        "staff/import_ask", locale, steps=[str(s) for s in STEP_ORDER], regions=regions,
        max_rows=MAX_ROWS, max_kb=MAX_BYTES // 1000,
    ))


async def process_file(
    message: Message,
    state: FSMContext,
    bot: Bot,
    session: AsyncSession,
    staff: StaffRole,
    knowledge: Knowledge,
    texts: Texts,
    locale: Locale,
    clock: Clock | None = None,
) -> None:
    """Validate the whole file; import it, or say line by line what is wrong."""
    assert message.document is not None
    await state.clear()
    try:
        raw = await _download(bot, message.document)
        changes = await import_milestones(
            session, knowledge, raw, actor=staff.user_id, allowed=staff.regions,
            now=now_from(clock),
        )
    except ImportRejected as exc:
        reply = texts.render("staff/import_rejected", locale, problems=exc.problems)
    else:
        counts = {o: sum(c.outcome == o for c in changes) for o in OUTCOMES}
        shown = [{"region": region_names(knowledge.kb, [c.region], locale)[0], "step": c.step,
                  "outcome": c.outcome} for c in changes]
        reply = texts.render("staff/import_done", locale, changes=shown, **counts)
    for chunk in split_message(reply):
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
    message: Message,
    session: AsyncSession,
    staff: StaffRole,
    knowledge: Knowledge,
    texts: Texts,
    locale: Locale,
    clock: Clock | None = None,
) -> None:
    """Reload the notice files, all or nothing: on an error the old base stays live."""
    now = now_from(clock)
    try:
        kb = await asyncio.to_thread(knowledge.reload)
    except KnowledgeBaseError as exc:
        await AuditRepo(session).record(staff.user_id, "reload_failed", now=now)
        await message.answer(texts.render("staff/reload_failed", locale, error=str(exc)[:1500]))
        return
    settle_heap()  # the old base's cycles are garbage now; the new one is long-lived
    await AuditRepo(session).record(staff.user_id, "reload", now=now, detail=f"year {kb.year}")
    await message.answer(texts.render(
        "staff/reload_done", locale, year=kb.year, regions=len(kb.regions),
        milestones=len(kb.milestones),
    ))


def create_router() -> Router:
    router = Router(name="staff_data")
    router.message.register(cmd_import, Command("import"), StaffFilter())
    router.message.register(
        process_file, StateFilter(ImportStates.file), F.document, StaffFilter()
    )
    router.message.register(cmd_reload, Command("reload"), StaffFilter())
    return router
