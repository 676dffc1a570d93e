"""Builders and readers for the staff tools' tests."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from aiogram.methods import AnswerCallbackQuery, SendMessage, TelegramMethod
from aiogram.types import Document, InlineKeyboardMarkup, Message
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Candidate, CandidateStep, StaffAuditEntry
from tests.factories import make_message

ADMIN = 1000
STAFF = 2000  # staff for 上海 (shanghai) only, once `make_staff` ran
OTHER = 42  # a candidate, not staff
UNKNOWN_ZH = "没有 {} 这个命令。发送 /help 查看可用的命令，或者直接用文字提问。"
STAFF_COMMANDS = (
    "/staff", "/staff add 5 上海", "/staff remove 5", "/broadcast", "/broadcast cancel",
    "/import", "/reload", "/unanswered", "/stats", "/stats 上海", "/why 缴费",
)
_files = itertools.count(1)


def document_message(
    content: bytes, *, chat: Any, user_id: int, caption: str | None = "/import",
    file_name: str = "milestones.csv", file_size: int | None = None,
) -> Message:
    """A document message whose file the LocalSession serves for getFile and download."""
    file_id = f"file{next(_files)}"
    chat.session.add_file(file_id, f"documents/{file_id}.csv", content)
    document = Document(
        file_id=file_id, file_unique_id=file_id, file_name=file_name,
        mime_type="text/csv" if file_name.endswith(".csv") else None,
        file_size=len(content) if file_size is None else file_size,
    )
    return make_message(None, user_id=user_id, document=document, caption=caption)


def texts_of(calls: Sequence[TelegramMethod[Any]]) -> list[str]:
    return [c.text for c in calls if isinstance(c, SendMessage)]


def answers_of(calls: Sequence[TelegramMethod[Any]]) -> list[AnswerCallbackQuery]:
    return [c for c in calls if isinstance(c, AnswerCallbackQuery)]


def buttons(call: TelegramMethod[Any]) -> dict[str, str]:
    """Map each inline button's text to its callback data."""
    markup = getattr(call, "reply_markup", None)
    assert isinstance(markup, InlineKeyboardMarkup)
    return {b.text: str(b.callback_data) for row in markup.inline_keyboard for b in row}


async def add_candidates(
    pool: async_sessionmaker[AsyncSession],
    count: int,
    *,
    region: str = "shanghai",
    first_id: int = 10_000,
    language: str | None = None,
    steps: Sequence[str] = (),
    blocked: bool = False,
    reminders: bool = True,
) -> list[int]:
    """Insert candidates in one transaction; return their ids."""
    ids = list(range(first_id, first_id + count))
    async with pool.begin() as session:
        for user_id in ids:
            session.add(Candidate(
                user_id=user_id, region=region, language=language, blocked=blocked,
                reminders_enabled=reminders,
                steps=[CandidateStep(user_id=user_id, step=s) for s in steps],
            ))
    return ids


async def audit_actions(pool: async_sessionmaker[AsyncSession]) -> list[str]:
    async with pool() as session:
        return list((await session.scalars(
            select(StaffAuditEntry.action).order_by(StaffAuditEntry.id)
        )).all())


async def count_rows(pool: async_sessionmaker[AsyncSession], model: Any) -> int:
    async with pool() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)
