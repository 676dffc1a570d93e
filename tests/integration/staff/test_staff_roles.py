"""Roles: administrators manage staff; everyone else sees the staff tools as unknown."""

from __future__ import annotations

import pytest
from aiogram.methods import SendMessage
from sqlalchemy import select

from bot.db.identities import person_id
from bot.db.models import Broadcast, OutboxMessage, StaffAuditEntry, StaffMember, StaffRegion
from tests.integration.conftest import Chat
from tests.integration.staff.helpers import (
    ADMIN,
    OTHER,
    STAFF,
    STAFF_COMMANDS,
    UNKNOWN_ZH,
    add_candidates,
    answers_of,
    audit_actions,
    count_rows,
)


@pytest.mark.slow
@pytest.mark.parametrize("command", STAFF_COMMANDS)
async def test_staff_commands_are_unknown_to_non_staff(chat: Chat, command: str) -> None:
    replies = await chat.send(command, user_id=OTHER)
    assert replies == [UNKNOWN_ZH.format(command.split()[0])]
    assert await count_rows(chat.session_pool, StaffAuditEntry) == 0
    assert await count_rows(chat.session_pool, StaffMember) == 0


@pytest.mark.usefixtures("staff_member")
@pytest.mark.parametrize("command", ["/staff", "/staff add 5 上海", "/staff remove 2000"])
async def test_staff_management_is_unknown_to_staff_members(chat: Chat, command: str) -> None:
    replies = await chat.send(command, user_id=STAFF)
    assert replies == [UNKNOWN_ZH.format("/staff")]
    assert await count_rows(chat.session_pool, StaffMember) == 1
    assert await audit_actions(chat.session_pool) == []


async def test_staff_add_list_and_remove_by_admin(chat: Chat) -> None:
    [added] = await chat.send("/staff add 777 上海，江苏", user_id=ADMIN)
    assert "777" in added and "上海" in added and "江苏" in added
    async with chat.session_pool() as session:
        regions = (await session.scalars(select(StaffRegion.region).order_by("region"))).all()
    assert regions == ["jiangsu", "shanghai"]
    [listing] = await chat.send("/staff", user_id=ADMIN)
    assert "<code>777</code>" in listing and "上海" in listing
    [changed] = await chat.send("/staff add 777 浙江", user_id=ADMIN)
    assert "已更新" in changed
    [removed] = await chat.send("/staff remove 777", user_id=ADMIN)
    assert "已移除" in removed
    assert await count_rows(chat.session_pool, StaffRegion) == 0
    assert await audit_actions(chat.session_pool) == ["staff_add", "staff_update", "staff_remove"]
    async with chat.session_pool() as session:
        entry = (await session.scalars(select(StaffAuditEntry))).first()
    assert entry is not None
    assert entry.actor_id == ADMIN and entry.regions == ["jiangsu", "shanghai"]
    assert entry.at.tzinfo is not None


async def test_wechat_staff_named_by_openid(chat: Chat) -> None:
    [added] = await chat.send("/staff add wechat:oStaff_1-x 湖南", user_id=ADMIN)
    assert "wechat:oStaff_1-x" in added and "湖南" in added
    async with chat.session_pool() as session:
        member = (await session.scalars(select(StaffMember))).one()
        assert member.user_id == await person_id(session, "wechat:oStaff_1-x") < 0
    [listing] = await chat.send("/staff", user_id=ADMIN)
    assert "<code>wechat:oStaff_1-x</code>" in listing
    [removed] = await chat.send("/staff remove wechat:oStaff_1-x", user_id=ADMIN)
    assert "已移除" in removed
    assert await count_rows(chat.session_pool, StaffMember) == 0


@pytest.mark.parametrize("ref", ["wechat:", "wechat:<b>", "qq:123", "-5", "x"])
async def test_staff_refs_that_name_no_one_get_the_usage(chat: Chat, ref: str) -> None:
    [reply] = await chat.send(f"/staff add {ref} 湖南", user_id=ADMIN)
    assert reply.startswith("用法")
    assert await count_rows(chat.session_pool, StaffMember) == 0


async def test_staff_add_with_unknown_region_changes_nothing(chat: Chat) -> None:
    [reply] = await chat.send("/staff add 777 上海,火星", user_id=ADMIN)
    assert "火星" in reply and "没有做任何修改" in reply
    assert await count_rows(chat.session_pool, StaffMember) == 0


async def test_staff_usage_in_english(chat: Chat) -> None:
    [reply] = await chat.send("/staff add x", user_id=ADMIN, language_code="en")
    assert reply.startswith("Usage:")


@pytest.mark.usefixtures("staff_member")
async def test_removed_staff_member_loses_the_tools(chat: Chat) -> None:
    await chat.send("/staff remove 2000", user_id=ADMIN)
    assert await chat.send("/stats", user_id=STAFF) == [UNKNOWN_ZH.format("/stats")]


@pytest.mark.slow
@pytest.mark.parametrize(
    "data",
    ["bc:region:shanghai", "bc:region:*", "bc:aud:all", "bc:send:x", "bc:later:x",
     "bc:drop:", "bc:stop:1"],
)
async def test_staff_callbacks_do_nothing_for_non_staff(chat: Chat, data: str) -> None:
    await add_candidates(chat.session_pool, 2)
    calls = await chat.press(data, user_id=OTHER)
    assert [type(c).__name__ for c in calls] == ["AnswerCallbackQuery"]
    assert answers_of(calls)[0].text is None  # the fallback's silent stale-button answer
    assert not [c for c in calls if isinstance(c, SendMessage)]
    assert await count_rows(chat.session_pool, Broadcast) == 0
    assert await count_rows(chat.session_pool, OutboxMessage) == 0
