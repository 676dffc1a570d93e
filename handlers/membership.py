"""Blocking and unblocking the bot in a private chat: reminders stop and start with it."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import KICKED, MEMBER, ChatMemberUpdatedFilter
from aiogram.types import ChatMemberUpdated
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.outbox import OutboxRepo
from bot.db.repo import CandidateRepo


async def on_blocked(event: ChatMemberUpdated, session: AsyncSession) -> None:
    """Mark the candidate blocked and cancel what waits for them: nothing more is sent."""
    await OutboxRepo(session).mark_blocked(event.from_user.id)


async def on_unblocked(event: ChatMemberUpdated, session: AsyncSession) -> None:
    """Mark the candidate active again."""
    await CandidateRepo(session).set_blocked(event.from_user.id, False)


def create_router() -> Router:
    router = Router(name="membership")
    router.my_chat_member.filter(F.chat.type == ChatType.PRIVATE)
    router.my_chat_member.register(
        on_blocked, ChatMemberUpdatedFilter(member_status_changed=KICKED)
    )
    router.my_chat_member.register(
        on_unblocked, ChatMemberUpdatedFilter(member_status_changed=MEMBER)
    )
    return router
