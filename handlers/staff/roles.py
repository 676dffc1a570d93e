"""/staff: administrators list, add and remove staff members and set their regions."""

from __future__ import annotations

from datetime import datetime

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.identities import person_id, person_refs
from bot.staff.roles import StaffRepo, StaffRole, add_staff, remove_staff
from handlers.menu import set_staff_menu
from handlers.reply import Reply
from handlers.staff.common import StaffFilter, match_regions, region_names


async def cmd_staff(
    message: Message,
    command: CommandObject,
    bot: Bot,
    session: AsyncSession,
    staff: StaffRole,
    settings: Settings,
    reply: Reply,
    now: datetime,
) -> None:
    """List staff, or add / remove one (administrators only)."""
    args = (command.args or "").split(maxsplit=2)
    kb, locale = reply.kb, reply.locale
    user_id = await person_id(session, args[1]) if len(args) > 1 else None
    if not args:
        listing = await StaffRepo(session).list()
        refs = await person_refs(session, (m.user_id for m in listing))
        members = [{"user_id": refs[m.user_id], "regions": region_names(kb, m.regions, locale)}
                   for m in listing]
        text = reply.render("staff/roles_list", members=members, admins=len(settings.admin_ids))
    elif user_id is None or args[0] not in ("add", "remove"):
        text = reply.render("staff/roles_usage")
    elif args[0] == "remove":
        removed = await remove_staff(session, actor=staff.user_id, user_id=user_id, now=now)
        text = reply.render("staff/roles_removed", user_id=args[1], removed=removed)
        if removed:
            await set_staff_menu(
                bot, reply.texts, user_id, staff=False, admin=user_id in settings.admin_ids
            )
    else:
        codes, unknown = match_regions(kb, args[2] if len(args) > 2 else "")
        if unknown or not codes:
            text = reply.render("staff/region_unknown", names=unknown or ["—"])
        else:
            created = await add_staff(
                session, actor=staff.user_id, user_id=user_id, regions=codes, now=now
            )
            await set_staff_menu(
                bot, reply.texts, user_id, staff=True, admin=user_id in settings.admin_ids
            )
            names = region_names(kb, codes, locale)
            text = reply.render(
                "staff/roles_added", user_id=args[1], regions=names, created=created
            )
    await message.answer(text)


def create_router() -> Router:
    router = Router(name="staff_roles")
    router.message.register(cmd_staff, Command("staff"), StaffFilter(admin_only=True))
    return router
