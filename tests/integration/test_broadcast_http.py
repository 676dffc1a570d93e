"""A broadcast to 2,000 candidates end to end: the real dispatcher and the real sender over
HTTP to the fake Bot API, with injected 429s, 5xx and blocked chats.

Checked: each active candidate got the message exactly once, blocked ones were marked, a
second drain (a restart) sends nothing more, and the final report's counts match the fake
server's record.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from sqlalchemy import func, select

from bot.channels.telegram import create_bot
from bot.channels.telegram_delivery import TelegramDelivery
from bot.config import Settings
from bot.db.engine import create_engine, create_session_pool
from bot.db.migrate import upgrade
from bot.db.models import Broadcast, Candidate, OutboxMessage
from bot.dispatcher import create_dispatcher
from bot.knowledge import Knowledge
from bot.staff.roles import StaffRepo
from bot.texts import Texts
from handlers.staff.broadcast_progress import refresh_progress
from scheduler.compose import Composer
from scheduler.limiter import MemoryRateLimiter
from scheduler.sender import Sender, SenderConfig
from tests.conftest import TOKEN
from tests.factories import make_callback, make_message, make_update
from tests.fakes.bot_api import FakeBotAPI
from tests.integration.conftest import FixedClock
from tests.integration.staff.helpers import add_candidates

# No process is started (that is tests/e2e/), but 2,000 candidates take a while.
pytestmark = pytest.mark.slow

STAFF = 2000
RECIPIENTS = 2000
FIRST = 100_000
BLOCKED_AT_TELEGRAM = [FIRST + i for i in range(0, RECIPIENTS, 100)]  # 20 block the bot


def markup_data(call: Any) -> dict[str, str]:
    markup = call.params["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    return {b["text"]: b["callback_data"] for row in markup["inline_keyboard"] for b in row}


async def test_broadcast_to_2000_candidates_exactly_once(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/bot.db")
    await upgrade(engine)
    pool = create_session_pool(engine)
    settings = Settings(_env_file=None, bot_token=TOKEN, telegram_api_url=fake_api.url,
                        admin_ids="1", database_url="sqlite+aiosqlite://")
    knowledge, texts, clock = Knowledge.load(), Texts(), FixedClock()
    await add_candidates(pool, RECIPIENTS, first_id=FIRST)
    await add_candidates(pool, 5, first_id=FIRST + RECIPIENTS, blocked=True)  # already blocked
    async with pool.begin() as session:
        await StaffRepo(session).put(STAFF, ["shanghai"], added_by=1)
    dp = create_dispatcher(settings=settings, session_pool=pool, knowledge=knowledge,
                           texts=texts, clock=clock)
    bot = create_bot(settings)
    try:
        progress_id = await run_flow(bot, dp, fake_api)
        for chat_id in BLOCKED_AT_TELEGRAM:
            fake_api.block(chat_id)
        fake_api.fail("sendMessage", times=3, status=429, retry_after=1)
        fake_api.fail("sendMessage", times=2, status=502)
        await drain(bot, pool, knowledge, texts, clock)
        await refresh_progress(bot, pool, texts=texts, knowledge=knowledge,
                               now=clock.now + timedelta(minutes=5))
        await drain(bot, pool, knowledge, texts, clock)  # after a restart: nothing to send
    finally:
        await bot.session.close()
    recipients = set(range(FIRST, FIRST + RECIPIENTS))
    delivered = Counter(
        int(c.params["chat_id"]) for c in fake_api.calls_of("sendMessage")
        if c.ok and int(c.params["chat_id"]) in recipients | {FIRST + RECIPIENTS}
    )
    assert set(delivered) == recipients - set(BLOCKED_AT_TELEGRAM)
    assert set(delivered.values()) == {1}
    async with pool() as session:
        blocked = set((await session.scalars(
            select(Candidate.user_id).where(Candidate.blocked.is_(True))
        )).all())
        states = dict((await session.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        )).all())
        broadcast = (await session.scalars(select(Broadcast))).one()
    assert set(BLOCKED_AT_TELEGRAM) <= blocked
    assert states == {"sent": RECIPIENTS - 20, "failed": 20}
    assert broadcast.state == "done"
    final = [c for c in fake_api.calls_of("editMessageText")
             if c.params["message_id"] == progress_id][-1]
    assert f"送达 {len(delivered)} 人，失败 0 人，已屏蔽 {len(BLOCKED_AT_TELEGRAM)} 人" in (
        final.params["text"]
    )
    await engine.dispose()


async def run_flow(bot: Bot, dp: Any, fake_api: FakeBotAPI) -> int:
    """Go through /broadcast as the staff member; return the progress message's id."""
    await dp.feed_update(bot, make_update(make_message("/broadcast", user_id=STAFF)))
    region = markup_data(fake_api.calls_of("sendMessage")[-1])["上海"]
    await dp.feed_update(bot, make_update(make_callback(region, user_id=STAFF)))
    await dp.feed_update(bot, make_update(make_callback("bc:aud:all", user_id=STAFF)))
    text = "{{ region }}考区通知：缴费截止{{ deadline('pay') }}。<请勿回复>"
    await dp.feed_update(bot, make_update(make_message(text, user_id=STAFF)))
    preview, summary = fake_api.calls_of("sendMessage")[-2:]
    assert "上海考区通知：缴费截止2月8日。&lt;请勿回复&gt;" in preview.params["text"]
    assert f"将发送给 <b>{RECIPIENTS}</b> 人" in summary.params["text"]
    send = markup_data(summary)["▶ 立即发送"]
    await dp.feed_update(bot, make_update(make_callback(send, user_id=STAFF)))
    await dp.feed_update(bot, make_update(make_callback(send, user_id=STAFF)))  # a double tap
    progress = fake_api.calls_of("sendMessage")[-1]
    assert f"共 {RECIPIENTS} 人" in progress.params["text"]
    return int(progress.result["message_id"])


async def drain(
    bot: Bot, pool: Any, knowledge: Knowledge, texts: Texts, clock: FixedClock
) -> None:
    """Run the real sender until nothing is due, moving the clock past retry times."""
    sender = Sender(
        pool, TelegramDelivery(bot, timeout=5.0), MemoryRateLimiter(1000, per_chat_interval=0.0),
        Composer(texts, lambda: knowledge.kb), config=SenderConfig(batch_size=500),
        clock=clock,
    )
    for _ in range(30):
        await sender.drain()
        await refresh_progress(bot, pool, texts=texts, knowledge=knowledge, now=clock.now)
        async with pool() as session:
            left = await session.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.state.in_(("pending", "claimed"))))
        if not left:
            return
        clock.now += timedelta(seconds=30)
    raise AssertionError("the outbox did not drain")
