"""What people type, hostile or broken, on each backend: answered, never an apology, and no
control character reaches the database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.cleaning import clean_text
from bot.db.models import Broadcast, OutboxMessage, StoredMilestone, UnansweredQuestion
from tests.integration.conftest import Chat
from tests.integration.staff.helpers import (
    STAFF,
    add_candidates,
    buttons,
    document_message,
    texts_of,
)
from tests.payloads import CHAT_TEXT, CSV_BAD

APOLOGY = "出了点问题"  # errors/generic: the reply to an unexpected failure
chat_case = pytest.mark.adversarial("chat input")


@pytest.mark.slow
@chat_case
@pytest.mark.parametrize("text", CHAT_TEXT)
async def test_chat_text_is_answered_without_an_apology(chat: Chat, text: str) -> None:
    replies = await chat.send(text)
    assert replies and not any(APOLOGY in r for r in replies)
    async with chat.session_pool() as session:
        stored = (await session.scalars(select(UnansweredQuestion.text))).all()
    assert all(clean_text(t) == t for t in stored)


@chat_case
async def test_chat_nul_in_a_question_is_stripped_before_it_is_stored(chat: Chat) -> None:
    await chat.send("qwerty\x00 asdf\x01 zxcv")
    async with chat.session_pool() as session:
        stored = (await session.scalars(select(UnansweredQuestion.text))).all()
    assert stored and all("\x00" not in t and "\x01" not in t for t in stored)


@chat_case
@pytest.mark.usefixtures("staff_member")
async def test_chat_nul_in_a_broadcast_text_keeps_the_draft_and_sends(chat: Chat) -> None:
    await add_candidates(chat.session_pool, 2, first_id=100)
    [start] = await chat.feed_text("/broadcast", user_id=STAFF)
    await chat.press(buttons(start)["上海"], user_id=STAFF)
    await chat.press("bc:aud:all", user_id=STAFF)
    calls = await chat.feed_text("{{ region }}考生\x00请注意\x1b缴费", user_id=STAFF)
    preview = texts_of(calls)[0]
    assert "上海考生请注意缴费" in preview
    sent = await chat.press(buttons(calls[-1])["▶ 立即发送"], user_id=STAFF)
    assert not any(APOLOGY in t for t in texts_of(sent))
    async with chat.session_pool() as session:
        broadcast = (await session.scalars(select(Broadcast))).one()
        payloads = (await session.scalars(select(OutboxMessage.payload))).all()
    assert "\x00" not in broadcast.template
    assert [p["text"] for p in payloads if p] == ["上海考生请注意缴费"] * 2


csv_case = pytest.mark.adversarial("CSV")


@pytest.mark.slow
@csv_case
@pytest.mark.usefixtures("staff_member")
@pytest.mark.parametrize("content", CSV_BAD)
async def test_csv_hostile_import_is_refused_by_line_or_stored_clean(
    chat: Chat, content: str
) -> None:
    calls = await chat.feed(document_message(content.encode(), chat=chat, user_id=STAFF))
    reply = "\n".join(texts_of(calls))
    assert APOLOGY not in reply
    async with chat.session_pool() as session:
        notes = (await session.scalars(select(StoredMilestone.note_zh))).all()
    assert all(clean_text(n) == n for n in notes)


@csv_case
@pytest.mark.usefixtures("staff_member")
async def test_csv_nul_in_a_note_is_a_line_error(chat: Chat) -> None:
    content = "region,step,start,end,note,link\n上海,pay,2024-01-29,2024-02-08,a\x00b,\n"
    calls = await chat.feed(document_message(content.encode(), chat=chat, user_id=STAFF))
    reply = "\n".join(texts_of(calls))
    assert "第2行：note 含有控制字符" in reply
