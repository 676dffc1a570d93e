"""Broadcast variables for a step with no date in a region read as a phrase; template errors
are shown to staff in their own language only."""

from __future__ import annotations

import re

import pytest

from bot.staff.broadcasts import UNDATED, fill_undated
from tests.integration.conftest import Chat
from tests.integration.staff.helpers import ADMIN, add_candidates, buttons, texts_of

pytestmark = pytest.mark.usefixtures("staff_member")


async def preview(chat: Chat, template: str, region: str = "山西") -> list[str]:
    [start] = await chat.feed_text("/broadcast", user_id=ADMIN)
    await chat.press(buttons(start)[region], user_id=ADMIN)
    await chat.press("bc:aud:all", user_id=ADMIN)
    return texts_of(await chat.feed_text(template, user_id=ADMIN))


async def test_undated_step_renders_as_a_phrase_not_inside_a_count(chat: Chat) -> None:
    await add_candidates(chat.session_pool, 1, first_id=100, region="shanxi")

    [text, _summary] = await preview(
        chat, "缴费截止{{ deadline('pay') }}，还剩{{ days_left('pay') }}天"
    )

    assert "缴费截止以考区通知为准，以考区通知为准" in text
    assert "还剩" not in text and " 天" not in text


@pytest.mark.parametrize(
    ("written", "reads"),
    [
        (f"还剩 {UNDATED} 天", "以考区通知为准"),
        (f"只剩{UNDATED}日！", "以考区通知为准！"),
        (f"Pay within {UNDATED} days.", "Pay within 以考区通知为准."),
        (f"only {UNDATED} more days left", "以考区通知为准"),
        (f"Deadline: {UNDATED}", "Deadline: 以考区通知为准"),
    ],
)
def test_fill_undated_takes_the_counting_words_with_it(written: str, reads: str) -> None:
    assert fill_undated(written, "以考区通知为准") == reads


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("{{ nothing }}", "没有这个变量：nothing"),
        ("{{ 1/0 }}", "除数为零"),
        ("{{ region + 1 }}", "类型不匹配"),
        ("第一行\n{% for %}", "第2行：模板语法错误"),
    ],
)
async def test_template_errors_are_in_the_staff_members_language_only(
    chat: Chat, template: str, says: str
) -> None:
    [reply] = await preview(chat, template, region="上海")

    assert says in reply
    body = reply.split("：", 1)[1].replace(says, "")  # the name staff wrote is theirs
    assert not re.search(r"[A-Za-z]{3,}", body.replace("broadcast cancel", "")), reply
