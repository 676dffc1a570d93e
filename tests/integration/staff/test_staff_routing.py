"""Only staff commands, staff flows and staff buttons enter the staff routers."""

from __future__ import annotations

import pytest

from handlers.staff import STAFF_STATES, StaffMessages, command_names, create_router, staff_buttons
from tests.factories import make_callback, make_message
from tests.integration.conftest import Chat
from tests.integration.staff.helpers import STAFF, STAFF_COMMANDS


def test_the_root_filter_knows_every_staff_command() -> None:
    names = command_names(create_router())
    assert names == {c.split()[0].removeprefix("/") for c in STAFF_COMMANDS}


@pytest.mark.parametrize(
    ("text", "state", "enters"),
    [
        ("/broadcast", None, True),
        ("/STATS@exam_bot 上海", None, True),
        ("/help", None, False),
        ("/", None, False),
        ("准考证什么时候打印", None, False),
        ("全体考生请注意", "BroadcastStates:message", True),
        ("准考证什么时候打印", "SomeoneElse:state", False),
    ],
)
async def test_staff_messages_filter(text: str, state: str | None, enters: bool) -> None:
    check = StaffMessages(command_names(create_router()))
    assert await check(make_message(text), raw_state=state) is enters


async def test_a_file_captioned_import_enters() -> None:
    check = StaffMessages(frozenset({"import"}))
    assert await check(make_message(None, caption="/import"), raw_state=None)
    assert await check(make_message(None), raw_state="ImportStates:file")
    assert "ImportStates:file" in STAFF_STATES


@pytest.mark.parametrize(
    ("data", "enters"), [("bc:stop:1", True), ("lang:en", False), (None, False)]
)
async def test_staff_buttons_filter(data: str | None, enters: bool) -> None:
    query = make_callback(data) if data is not None else make_callback("x").model_copy(
        update={"data": None}
    )
    assert await staff_buttons(query) is enters


@pytest.mark.usefixtures("staff_member")
async def test_staff_still_ask_questions_and_use_candidate_commands(chat: Chat) -> None:
    help_reply = await chat.send("/help", user_id=STAFF)
    assert "怎么用" in help_reply[0]
    answer = await chat.send("准考证什么时候打印", user_id=STAFF)
    assert answer and "准考证" in answer[0]
