"""/staff: administrators list, add and remove staff members and set their regions."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock, now_from
from bot.config import Settings
from bot.knowledge import Knowledge
from bot.staff.roles import StaffRepo, StaffRole, add_staff, remove_staff
from bot.texts import Locale, Texts
from handlers.menu import set_staff_menu
from handlers.staff.common import StaffFilter, match_regions, region_names


async def cmd_staff(
    message: Message,
    command: CommandObject,
    bot: Bot,
    session: AsyncSession,
    staff: StaffRole,
    settings: Settings,
    knowledge: Knowledge,
    texts: Texts,
    locale: Locale,
    clock: Clock | None = None,
) -> None:
    """List staff, or add / remove one (administrators only)."""
    args = (command.args or "").split(maxsplit=2)
    kb, now = knowledge.kb, now_from(clock)
    if not args:
        listing = await StaffRepo(session).list()
        members = [{"user_id": m.user_id, "regions": region_names(kb, m.regions, locale)}
                   for m in listing]
        reply = texts.render(
            "staff/roles_list", locale, members=members, admins=len(settings.admin_ids)
        )
    elif len(args) < 2 or not args[1].isdigit() or args[0] not in ("add", "remove"):
        reply = texts.render("staff/roles_usage", locale)
    elif args[0] == "remove":
        user_id = int(args[1])
        removed = await remove_staff(session, actor=staff.user_id, user_id=user_id, now=now)
        reply = texts.render("staff/roles_removed", locale, user_id=user_id, removed=removed)
        if removed:
            await set_staff_menu(
                bot, texts, user_id, staff=False, admin=user_id in settings.admin_ids
            )
    else:
        user_id = int(args[1])
        codes, unknown = match_regions(kb, args[2] if len(args) > 2 else "")
        if unknown or not codes:
            reply = texts.render("staff/region_unknown", locale, names=unknown or ["—"])
        else:
            created = await add_staff(
                session, actor=staff.user_id, user_id=user_id, regions=codes, now=now
            )
            await set_staff_menu(
                bot, texts, user_id, staff=True, admin=user_id in settings.admin_ids
            )
            names = region_names(kb, codes, locale)
            reply = texts.render(
                "staff/roles_added", locale, user_id=user_id, regions=names, created=created
            )
    await message.answer(reply)


def create_router() -> Router:
    router = Router(name="staff_roles")
    router.message.register(cmd_staff, Command("staff"), StaffFilter(admin_only=True))
    return router
