"""/help lists the staff commands to staff, and /staff too to administrators, in both
languages; candidates' /help is unchanged."""

from __future__ import annotations

import pytest

from tests.conftest import Chat
from tests.staff.helpers import ADMIN, STAFF

STAFF_COMMANDS = ("/broadcast", "/import", "/stats", "/reload", "/unanswered", "/why")


@pytest.mark.usefixtures("staff_member")
@pytest.mark.parametrize(
    ("user_id", "language_code", "head", "admin"),
    [(STAFF, "zh-hans", "工作人员命令", False), (STAFF, "en", "Staff commands", False),
     (ADMIN, "zh-hans", "管理员命令", True), (ADMIN, "en", "Administrator commands", True)],
)
async def test_help_for_staff_and_administrators_lists_their_commands(
    chat: Chat, user_id: int, language_code: str, head: str, admin: bool
) -> None:
    reply = (await chat.send("/help", user_id=user_id, language_code=language_code))[0]

    assert head in reply and all(c in reply for c in STAFF_COMMANDS)
    assert ("/staff add" in reply and "/staff remove" in reply) is admin


@pytest.mark.usefixtures("staff_member")
@pytest.mark.parametrize("language_code", ["zh-hans", "en"])
async def test_help_for_candidates_mentions_no_staff_command(
    chat: Chat, language_code: str
) -> None:
    reply = (await chat.send("/help", language_code=language_code))[0]

    assert not any(c in reply for c in (*STAFF_COMMANDS, "/staff"))
    assert "/forget" in reply
