"""Staff see their commands in their own chat's menu; candidates' menus stay as they are."""

from __future__ import annotations

import logging

import pytest
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import DeleteMyCommands, SetMyCommands
from aiogram.types import BotCommandScopeChat
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db.models import StaffMember
from bot.texts import Texts
from handlers.menu import ADMIN_COMMANDS, MENU_COMMANDS, STAFF_COMMANDS, set_staff_menus
from handlers.staff import command_names, create_router
from tests.integration.conftest import Chat
from tests.integration.staff.helpers import ADMIN, STAFF, count_rows


def menus(chat: Chat, method: type[SetMyCommands] | type[DeleteMyCommands]) -> dict[
    tuple[int, str | None], list[str]
]:
    """(chat id, language) -> command names, of the per-chat menu calls the bot made."""
    found: dict[tuple[int, str | None], list[str]] = {}
    for call in chat.session.sent(method):
        assert isinstance(call.scope, BotCommandScopeChat)
        commands = getattr(call, "commands", [])
        found[(int(call.scope.chat_id), call.language_code)] = [c.command for c in commands]
    return found


def test_the_menu_lists_every_staff_command_and_only_those() -> None:
    assert set(STAFF_COMMANDS + ADMIN_COMMANDS) == command_names(create_router())
    assert not set(STAFF_COMMANDS + ADMIN_COMMANDS) & set(MENU_COMMANDS)


async def test_a_new_staff_member_gets_the_staff_menu(chat: Chat) -> None:
    await chat.send("/staff add 777 上海", user_id=ADMIN)

    staff_menu = list(MENU_COMMANDS + STAFF_COMMANDS)
    assert menus(chat, SetMyCommands) == {
        (777, None): staff_menu, (777, "zh"): staff_menu, (777, "en"): staff_menu,
    }
    english = next(c for c in chat.session.sent(SetMyCommands) if c.language_code == "en")
    assert {c.command: c.description for c in english.commands}["broadcast"].startswith("Staff")


async def test_a_removed_staff_member_gets_the_candidate_menu_back(chat: Chat) -> None:
    await chat.send("/staff add 777 上海", user_id=ADMIN)
    chat.session.clear()

    await chat.send("/staff remove 777", user_id=ADMIN)

    assert menus(chat, DeleteMyCommands) == {(777, None): [], (777, "zh"): [], (777, "en"): []}
    assert not chat.session.sent(SetMyCommands)


async def test_an_administrator_removed_as_staff_keeps_the_administrator_menu(chat: Chat) -> None:
    await chat.send(f"/staff add {ADMIN} 上海", user_id=ADMIN)
    chat.session.clear()

    await chat.send(f"/staff remove {ADMIN}", user_id=ADMIN)

    assert menus(chat, SetMyCommands)[(ADMIN, None)] == list(
        MENU_COMMANDS + STAFF_COMMANDS + ADMIN_COMMANDS
    )


async def test_a_refused_menu_does_not_stop_the_change(
    chat: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    """Telegram refuses a chat that never opened the bot: the role is given all the same."""
    chat.session.fail_next(
        SetMyCommands,
        TelegramBadRequest(method=SetMyCommands(commands=[]), message="chat not found"),
    )
    with caplog.at_level(logging.INFO):
        [reply] = await chat.send("/staff add 777 上海", user_id=ADMIN)

    assert "777" in reply
    assert await count_rows(chat.session_pool, StaffMember) == 1
    assert "refused" in caplog.text and "777" not in caplog.text


@pytest.mark.usefixtures("staff_member")
async def test_start_up_sets_every_staff_and_administrator_menu(
    chat: Chat, settings: Settings, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    assert await set_staff_menus(chat.bot, Texts(), settings, session_pool) == 2

    found = menus(chat, SetMyCommands)
    assert found[(ADMIN, "zh")] == list(MENU_COMMANDS + STAFF_COMMANDS + ADMIN_COMMANDS)
    assert found[(STAFF, "en")] == list(MENU_COMMANDS + STAFF_COMMANDS)
    assert len(found) == 6
