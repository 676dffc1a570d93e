"""What every staff handler shares: the permission filter, what a staff helper acts with,
and region names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiogram import Bot
from aiogram.filters import Filter
from aiogram.types import TelegramObject, User
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.knowledge import Knowledge
from bot.staff.roles import StaffRepo, StaffRole
from bot.texts import Locale
from handlers.reply import Reply
from notices import KnowledgeBase


class StaffFilter(Filter):
    """Let staff (or only administrators) through, with their role as `staff`.

    Everyone else fails the filter, so the update falls through to the fallback router and
    gets the same reply as any unknown command: the staff tools do not exist for them.
    Put it last among a handler's filters, so only updates meant for it touch the database.
    """

    def __init__(self, *, admin_only: bool = False) -> None:
        self.admin_only = admin_only

    async def __call__(
        self,
        event: TelegramObject,
        session: AsyncSession,
        settings: Settings,
        knowledge: Knowledge,
        event_from_user: User | None = None,
    ) -> bool | dict[str, Any]:
        if event_from_user is None:
            return False
        role = await StaffRepo(session).role(
            event_from_user.id,
            admin_ids=settings.admin_ids,
            all_regions=[r.code for r in knowledge.kb.regions],
        )
        if role is None or (self.admin_only and not role.is_admin):
            return False
        return {"staff": role}


@dataclass(frozen=True, slots=True)
class StaffContext:
    """What a staff helper acts with: the bot, the update's unit of work, the staff member's
    role, the reply context and the update's time."""

    bot: Bot
    session: AsyncSession
    staff: StaffRole
    reply: Reply
    now: datetime


def region_names(kb: KnowledgeBase, codes: Iterable[str], locale: Locale) -> list[str]:
    """Return the regions' names in the locale, in the notice's region order."""
    wanted = set(codes)
    return [r.name(locale) for r in kb.regions if r.code in wanted]


def ordered_codes(kb: KnowledgeBase, codes: Iterable[str]) -> list[str]:
    wanted = set(codes)
    return [r.code for r in kb.regions if r.code in wanted]


def match_regions(kb: KnowledgeBase, text: str) -> tuple[list[str], list[str]]:
    """Split "上海,江苏、浙江" into region codes and the names that matched none."""
    found: list[str] = []
    unknown: list[str] = []
    for part in text.replace("，", ",").replace("、", ",").replace(";", ",").split(","):
        name = part.strip()
        if not name:
            continue
        region = kb.match_region(name)
        if region is None:
            unknown.append(name[:32])
        elif region.code not in found:
            found.append(region.code)
    return found, unknown
