"""/broadcast: the guided flow, permissions at every step, exactly-once rows, progress, stop."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from aiogram.methods import EditMessageText, SendMessage
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Broadcast, Candidate, OutboxMessage, StaffAuditEntry
from bot.knowledge import Knowledge
from bot.texts import Texts
from handlers.staff.broadcast_progress import refresh_progress
from tests.factories import NOW
from tests.integration.conftest import Chat, FixedClock
from tests.integration.staff.helpers import (
    ADMIN,
    STAFF,
    add_candidates,
    answers_of,
    buttons,
    count_rows,
    texts_of,
)

pytestmark = pytest.mark.usefixtures("staff_member")

TEMPLATE = (
    "<b>{{ region }}</b>考生：缴费截止{{ deadline('pay') }}，"
    "还剩{{ days_left('pay') }}天 & 别忘了"
)


async def seed(pool: async_sessionmaker[AsyncSession]) -> None:
    await add_candidates(pool, 3, first_id=100)  # shanghai, not paid
    await add_candidates(pool, 1, first_id=200, steps=["pay"])  # paid
    await add_candidates(pool, 1, first_id=300, blocked=True)
    await add_candidates(pool, 1, first_id=400, reminders=False)  # paused with /stop
    await add_candidates(pool, 1, first_id=500, language="en")
    await add_candidates(pool, 2, first_id=600, region="jiangsu")


async def to_preview(chat: Chat, audience: str = "pay", *, user_id: int = STAFF) -> list[Any]:
    """Walk the flow to the preview; return the calls of the message step."""
    [start] = await chat.feed_text("/broadcast", user_id=user_id)
    await chat.press(buttons(start)["上海"], user_id=user_id)
    await chat.press(f"bc:aud:{audience}", user_id=user_id)
    return await chat.feed_text(TEMPLATE, user_id=user_id)


async def outbox(pool: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with pool() as session:
        return list((await session.scalars(select(OutboxMessage).order_by("user_id"))).all())


async def test_broadcast_offers_only_own_regions(chat: Chat) -> None:
    [start] = await chat.feed_text("/broadcast", user_id=STAFF)
    assert list(buttons(start)) == ["上海", "✖ 取消"]
    [admin_start] = await chat.feed_text("/broadcast", user_id=ADMIN)
    assert len(buttons(admin_start)) == 32 + 2


async def test_broadcast_preview_renders_for_a_sample_with_the_count(chat: Chat) -> None:
    await seed(chat.session_pool)
    calls = await to_preview(chat)
    preview, summary = texts_of(calls)
    assert "&lt;b&gt;上海&lt;/b&gt;考生：缴费截止2月8日，还剩9天 &amp; 别忘了" in preview
    assert "将发送给 <b>4</b> 人" in summary  # 3 unpaid + the English one
    assert list(buttons(calls[-1])) == ["▶ 立即发送", "⏰ 定时发送", "✖ 取消"]
    assert await count_rows(chat.session_pool, OutboxMessage) == 0


async def test_broadcast_send_now_enqueues_once_per_recipient(chat: Chat) -> None:
    await seed(chat.session_pool)
    calls = await to_preview(chat)
    send = buttons(calls[-1])["▶ 立即发送"]
    sent = await chat.press(send, user_id=STAFF)
    [progress] = [c for c in sent if isinstance(c, SendMessage)]
    assert "群发 #1" in progress.text and "共 4 人" in progress.text
    assert list(buttons(progress)) == ["⏹ 停止发送"]
    rows = await outbox(chat.session_pool)
    assert [r.user_id for r in rows] == [100, 101, 102, 500]
    assert {r.kind for r in rows} == {"broadcast"} and {r.dedupe_key for r in rows} == {
        "broadcast:1"
    }
    zh, en = rows[0].payload, rows[-1].payload
    assert zh is not None and en is not None
    assert zh["text"] == "&lt;b&gt;上海&lt;/b&gt;考生：缴费截止2月8日，还剩9天 &amp; 别忘了"
    assert "Shanghai" in en["text"] and "8 Feb" in en["text"]
    again = await chat.press(send, user_id=STAFF)
    assert answers_of(again)[0].show_alert
    assert await count_rows(chat.session_pool, OutboxMessage) == 4
    async with chat.session_pool() as session:
        entry = (await session.scalars(select(StaffAuditEntry))).one()
        broadcast = (await session.scalars(select(Broadcast))).one()
    assert (entry.action, entry.recipients, entry.regions) == ("broadcast", 4, ["shanghai"])
    assert broadcast.progress_message_id is not None and broadcast.state == "scheduled"


async def test_broadcast_schedule_for_a_time(chat: Chat) -> None:
    await seed(chat.session_pool)
    calls = await to_preview(chat, "all")
    await chat.press(buttons(calls[-1])["⏰ 定时发送"], user_id=STAFF)
    assert "看不懂这个时间" in (await chat.send("明天早上", user_id=STAFF))[0]
    assert "看不懂这个时间" in (await chat.send("2023-01-01 09:00", user_id=STAFF))[0]
    replies = await chat.send("2024-01-31 09:00", user_id=STAFF)
    assert "计划发送时间：2024-01-31 09:00" in replies[-1]
    rows = await outbox(chat.session_pool)
    assert len(rows) == 5
    assert {r.due_at for r in rows} == {NOW + timedelta(hours=23)}


async def test_broadcast_refuses_a_hostile_template_and_sends_nothing(chat: Chat) -> None:
    await seed(chat.session_pool)
    [start] = await chat.feed_text("/broadcast", user_id=STAFF)
    await chat.press(buttons(start)["上海"], user_id=STAFF)
    await chat.press("bc:aud:all", user_id=STAFF)
    [reply] = await chat.send("{{ ''.__class__.__mro__ }}", user_id=STAFF)
    assert "不允许访问内部属性 __mro__" in reply and "没有发送任何消息" in reply
    [reply] = await chat.send("{% for i in range(10**9) %}x{% endfor %}", user_id=STAFF)
    assert "range 太大" in reply
    assert await count_rows(chat.session_pool, Broadcast) == 0
    assert await count_rows(chat.session_pool, OutboxMessage) == 0


async def test_broadcast_to_another_region_is_refused(chat: Chat) -> None:
    await seed(chat.session_pool)
    await chat.feed_text("/broadcast", user_id=STAFF)
    calls = await chat.press("bc:region:jiangsu", user_id=STAFF)
    assert answers_of(calls)[0].show_alert and not texts_of(calls)
    calls = await chat.press("bc:aud:all", user_id=STAFF)  # skipping the region step
    assert answers_of(calls)[0].show_alert
    assert await chat.send("hello", user_id=STAFF) != []  # not in the flow: a question
    assert await count_rows(chat.session_pool, OutboxMessage) == 0


async def test_broadcast_send_rechecks_the_role(chat: Chat) -> None:
    await seed(chat.session_pool)
    calls = await to_preview(chat)
    await chat.send("/staff remove 2000", user_id=ADMIN)
    after = await chat.press(buttons(calls[-1])["▶ 立即发送"], user_id=STAFF)
    assert [type(c).__name__ for c in after] == ["AnswerCallbackQuery"]
    assert await count_rows(chat.session_pool, OutboxMessage) == 0


async def test_broadcast_drop_and_cancel_draft(chat: Chat) -> None:
    await seed(chat.session_pool)
    calls = await to_preview(chat)
    dropped = await chat.press(buttons(calls[-1])["✖ 取消"], user_id=STAFF)
    assert "已放弃" in texts_of(dropped)[0]
    await to_preview(chat)
    assert "已放弃" in (await chat.send("/broadcast cancel", user_id=STAFF))[0]
    assert await count_rows(chat.session_pool, OutboxMessage) == 0


async def test_broadcast_empty_audience(chat: Chat) -> None:
    await add_candidates(chat.session_pool, 1, first_id=100, steps=["pay"])
    calls = await to_preview(chat)
    assert "将发送给 <b>0</b> 人" in texts_of(calls)[-1]
    done = await chat.press(buttons(calls[-1])["▶ 立即发送"], user_id=STAFF)
    assert "没有符合条件的考生" in texts_of(done)[0]
    assert await count_rows(chat.session_pool, Broadcast) == 0


async def start_broadcast(chat: Chat) -> None:
    await seed(chat.session_pool)
    calls = await to_preview(chat)
    await chat.press(buttons(calls[-1])["▶ 立即发送"], user_id=STAFF)


async def test_broadcast_stop_cancels_pending_rows(chat: Chat) -> None:
    await start_broadcast(chat)
    calls = await chat.press("bc:stop:1", user_id=STAFF)
    edits = [c for c in calls if isinstance(c, EditMessageText)]
    assert "已停止" in edits[0].text and edits[0].reply_markup is None
    assert "4 条未发送的消息已取消" in texts_of(calls)[0]
    assert {r.state for r in await outbox(chat.session_pool)} == {"cancelled"}
    assert "没有正在进行的群发" in (await chat.send("/broadcast cancel", user_id=STAFF))[0]


async def test_broadcast_stop_by_command(chat: Chat) -> None:
    await start_broadcast(chat)
    replies = await chat.send("/broadcast cancel", user_id=STAFF)
    assert "已停止群发 #1" in replies[-1]


async def test_broadcast_stop_of_another_region_is_refused(chat: Chat) -> None:
    await add_candidates(chat.session_pool, 2, first_id=600, region="jiangsu")
    [start] = await chat.feed_text("/broadcast", user_id=ADMIN)
    await chat.press(buttons(start)["江苏"], user_id=ADMIN)
    await chat.press("bc:aud:all", user_id=ADMIN)
    calls = await chat.feed_text("江苏通知", user_id=ADMIN)
    await chat.press(buttons(calls[-1])["▶ 立即发送"], user_id=ADMIN)
    refused = await chat.press("bc:stop:1", user_id=STAFF)
    assert answers_of(refused)[0].show_alert
    assert {r.state for r in await outbox(chat.session_pool)} == {"pending"}
    assert "没有正在进行的群发" in (await chat.send("/broadcast cancel", user_id=STAFF))[0]


async def test_broadcast_progress_is_edited_then_closed_with_a_report(
    chat: Chat, clock: FixedClock, texts: Texts, knowledge: Knowledge
) -> None:
    await start_broadcast(chat)
    pool = chat.session_pool
    async with pool.begin() as session:
        o = OutboxMessage
        await session.execute(update(o).where(o.user_id == 100).values(state="sent"))
        await session.execute(update(o).where(o.user_id == 101).values(state="failed"))
        await session.execute(update(o).where(o.user_id == 102).values(state="failed"))
        await session.execute(update(Candidate).where(Candidate.user_id == 102).values(
            blocked=True))
    clock.now = NOW + timedelta(seconds=10)
    chat.session.clear()
    edited = await refresh_progress(chat.bot, pool, texts=texts, knowledge=knowledge,
                                    now=clock.now)
    [edit] = chat.session.sent(EditMessageText)
    assert edited == 1
    assert "已发送 1 · 失败 1 · 已屏蔽 1 · 剩余 1" in edit.text and "预计还需约" in edit.text
    assert await refresh_progress(chat.bot, pool, texts=texts, knowledge=knowledge,
                                  now=clock.now + timedelta(seconds=1)) == 0  # throttled
    async with pool.begin() as session:
        await session.execute(update(o).where(o.user_id == 500).values(state="sent"))
    chat.session.clear()
    await refresh_progress(chat.bot, pool, texts=texts, knowledge=knowledge,
                           now=clock.now + timedelta(seconds=6))
    [final] = chat.session.sent(EditMessageText)
    assert "已完成" in final.text and "送达 2 人，失败 1 人，已屏蔽 1 人" in final.text
    assert final.reply_markup is None
    async with pool() as session:
        broadcast = (await session.scalars(select(Broadcast))).one()
        actions = (await session.scalars(select(StaffAuditEntry.action))).all()
    assert broadcast.state == "done" and broadcast.finished_at is not None
    assert list(actions) == ["broadcast", "broadcast_done"]
    assert await refresh_progress(chat.bot, pool, texts=texts, knowledge=knowledge,
                                  now=clock.now + timedelta(minutes=1)) == 0
