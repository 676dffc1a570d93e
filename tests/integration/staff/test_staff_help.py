"""/help lists the staff commands to staff, and /staff too to administrators, from an
in-memory staff directory: no query per /help, kept current by /staff add and remove."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.jobs import JobRegistry
from bot.staff.directory import RELOAD_JOB, StaffDirectory
from bot.staff.roles import StaffRepo
from handlers import staff
from tests.integration.conftest import Chat
from tests.integration.staff.helpers import ADMIN, OTHER, STAFF
from tests.integration.test_languages import statements

STAFF_ONLY = ("/broadcast", "/import", "/stats", "/unanswered", "/why", "/reload")
ADMIN_ONLY = ("/staff add", "/staff remove")
HEADS = {
    "zh-hans": ("工作人员命令", "管理员命令"), "en": ("Staff commands", "Administrator commands"),
}
NEW = 777


def directory_of(chat: Chat) -> StaffDirectory:
    directory = chat.dp["staff_directory"]
    assert isinstance(directory, StaffDirectory)
    return directory


async def help_for(chat: Chat, user_id: int, language_code: str = "zh-hans") -> str:
    [reply] = await chat.send("/help", user_id=user_id, language_code=language_code)
    return reply


@pytest.mark.usefixtures("staff_member")
@pytest.mark.parametrize("language_code", ["zh-hans", "en"])
async def test_staff_help_lists_the_staff_commands(chat: Chat, language_code: str) -> None:
    await directory_of(chat).load(chat.session_pool)

    reply = await help_for(chat, STAFF, language_code)

    staff_head, admin_head = HEADS[language_code]
    assert staff_head in reply and all(c in reply for c in STAFF_ONLY)
    assert admin_head not in reply and not any(c in reply for c in ADMIN_ONLY)
    assert "/forget" in reply  # their candidate commands stay


@pytest.mark.parametrize("language_code", ["zh-hans", "en"])
async def test_admin_help_lists_the_admin_commands_too(chat: Chat, language_code: str) -> None:
    await directory_of(chat).load(chat.session_pool)

    reply = await help_for(chat, ADMIN, language_code)

    staff_head, admin_head = HEADS[language_code]
    assert staff_head in reply and admin_head in reply
    assert all(c in reply for c in STAFF_ONLY + ADMIN_ONLY)


@pytest.mark.usefixtures("staff_member")
@pytest.mark.parametrize("language_code", ["zh-hans", "en"])
async def test_candidate_help_has_no_staff_section(chat: Chat, language_code: str) -> None:
    await directory_of(chat).load(chat.session_pool)

    reply = await help_for(chat, OTHER, language_code)

    assert not any(head in reply for head in HEADS[language_code])
    assert not any(c in reply for c in (*STAFF_ONLY, "/staff"))
    assert "/forget" in reply


@pytest.mark.usefixtures("staff_member")
async def test_once_loaded_staff_help_needs_no_query(chat: Chat) -> None:
    await directory_of(chat).load(chat.session_pool)
    await chat.dp["language_directory"].load(chat.session_pool)

    with statements(chat.session_pool) as sent:
        for user_id in (STAFF, ADMIN, OTHER):
            await help_for(chat, user_id)

    assert sent == []


@pytest.mark.usefixtures("staff_member")
async def test_before_loading_only_administrators_are_known_and_nothing_is_asked(
    chat: Chat,
) -> None:
    await chat.dp["language_directory"].load(chat.session_pool)

    with statements(chat.session_pool) as sent:
        staff_reply = await help_for(chat, STAFF)
        admin_reply = await help_for(chat, ADMIN)

    assert sent == []
    assert "工作人员命令" not in staff_reply
    assert "管理员命令" in admin_reply


async def test_staff_add_and_remove_reach_help_at_once(chat: Chat) -> None:
    await directory_of(chat).load(chat.session_pool)
    assert "工作人员命令" not in await help_for(chat, NEW)

    await chat.send(f"/staff add {NEW} 上海", user_id=ADMIN)
    assert directory_of(chat).rank(NEW) == "staff"
    assert "工作人员命令" in await help_for(chat, NEW)

    await chat.send(f"/staff remove {NEW}", user_id=ADMIN)
    assert directory_of(chat).rank(NEW) is None
    assert "工作人员命令" not in await help_for(chat, NEW)


async def test_a_reload_picks_up_what_other_processes_changed(
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    directory = StaffDirectory({ADMIN})
    await directory.load(session_pool)
    async with session_pool.begin() as session:
        await StaffRepo(session).put(NEW, ["shanghai"], added_by=ADMIN)
    assert directory.rank(NEW) is None

    await directory.load(session_pool)
    assert directory.rank(NEW) == "staff"

    async with session_pool.begin() as session:
        await StaffRepo(session).remove(NEW)
    await directory.load(session_pool)
    assert directory.rank(NEW) is None
    assert directory.rank(ADMIN) == "admin"


def test_an_older_snapshot_does_not_undo_this_processs_write() -> None:
    directory = StaffDirectory()
    started = time.monotonic()
    directory.record(NEW, True)
    directory._apply([], started - 1)  # a snapshot read before the /staff add committed
    assert directory.rank(NEW) == "staff"
    directory.record(NEW, False)
    directory._apply([NEW], started - 1)  # read before the /staff remove committed
    assert directory.rank(NEW) is None
    directory._apply([NEW], time.monotonic() + 1)  # a later snapshot is the truth again
    assert directory.rank(NEW) == "staff"


async def test_the_background_task_keeps_up_and_stops(
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    directory, jobs = StaffDirectory(refresh_every=0.05), JobRegistry()
    await jobs.start()
    await directory.start(session_pool, jobs)
    assert directory.complete
    async with session_pool.begin() as session:
        await StaffRepo(session).put(NEW, ["shanghai"], added_by=ADMIN)
    for _ in range(100):
        if directory.rank(NEW) == "staff":
            break
        await asyncio.sleep(0.02)
    assert directory.rank(NEW) == "staff"
    await jobs.stop()
    assert RELOAD_JOB not in jobs


@pytest.mark.usefixtures("staff_member")
async def test_the_dispatcher_loads_the_directory_at_start_up(chat: Chat) -> None:
    await chat.dp.emit_startup(**chat.dp.workflow_data, bot=chat.bot)
    try:
        assert directory_of(chat).rank(STAFF) == "staff"
    finally:
        await chat.dp.emit_shutdown(**chat.dp.workflow_data, bot=chat.bot)


async def test_help_names_every_command_the_staff_routers_handle(chat: Chat) -> None:
    await directory_of(chat).load(chat.session_pool)
    reply = await help_for(chat, ADMIN, "en")
    handled = staff.command_names(staff.create_router())
    assert handled == {c.split()[0].lstrip("/") for c in STAFF_ONLY + ADMIN_ONLY}
    assert all(f"/{name} —" in reply for name in handled)
