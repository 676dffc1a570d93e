"""The outbox sender through the WeChat delivery: a reminder digest for a WeChat user (a
negative id) reaches them, and a spent daily quota (45009) pauses every send."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.channels.wechat.api import WeChatAPI
from bot.channels.wechat.delivery import SENDER_QUOTA_PAUSE, Recipient, WeChatDelivery
from bot.channels.wechat.settings import WeChatSettings
from bot.db.engine import create_session_pool
from bot.db.models import DeliveryAttempt
from bot.db.outbox import NewMessage, OutboxRepo
from bot.texts import Texts
from notices import SHANGHAI, load_knowledge_base
from scheduler.compose import Composer
from scheduler.delivery import Outcome, Outgoing
from scheduler.limiter import MemoryRateLimiter
from scheduler.sender import Sender, SenderConfig
from tests.fakes.wechat_api import APP_ID, APP_SECRET, FakeWeChatAPI
from tests.integration.conftest import FixedClock
from tests.integration.scheduler.conftest import add_candidate

KB = load_knowledge_base()
TEXTS = Texts()
NOW = datetime(2024, 2, 5, 10, 0, tzinfo=SHANGHAI).astimezone(UTC)
USER = -7
OPENID = "oWeChatUser_0123456789abcdef"


@pytest.fixture
def pool(any_migrated_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_pool(any_migrated_engine)


async def due_row(pool: async_sessionmaker[AsyncSession], user_id: int, step: str) -> None:
    await add_candidate(pool, user_id)
    async with pool.begin() as session:
        await OutboxRepo(session).add(
            [NewMessage(user_id=user_id, occasion="open", dedupe_key=f"k:{step}", due_at=NOW,
                        step=step)],
            now=NOW,
        )


def wechat_delivery(
    api: FakeWeChatAPI, session: aiohttp.ClientSession, last_seen: datetime | None
) -> WeChatDelivery:
    settings = WeChatSettings(
        _env_file=None, app_id=APP_ID, app_secret=APP_SECRET, api_url=api.url,
        reminder_template_id="TPL", send_rate=1000,
    )

    async def lookup(user_id: int) -> Recipient | None:
        return Recipient(OPENID, last_seen) if user_id == USER else None

    return WeChatDelivery(WeChatAPI(settings, session=session), lookup, clock=FixedClock(NOW))


def sender(
    pool: async_sessionmaker[AsyncSession], delivery: WeChatDelivery,
    limiter: MemoryRateLimiter, **config: object,
) -> Sender:
    return Sender(pool, delivery, limiter, Composer(TEXTS, lambda: KB),
                  config=SenderConfig(**config), clock=FixedClock(NOW))  # type: ignore[arg-type]


async def test_a_digest_reaches_a_wechat_user_as_text_or_template(
    pool: async_sessionmaker[AsyncSession], session: aiohttp.ClientSession,
    api: FakeWeChatAPI,
) -> None:
    await due_row(pool, USER, "pay")
    limiter = MemoryRateLimiter(1000, per_chat_interval=0.0)
    report = await sender(pool, wechat_delivery(api, session, None), limiter).drain()
    assert report.sent == 1
    [call] = api.of("template")
    data = call.body["data"]
    assert data["first"]["value"] == "⏰ 报考提醒" and data["keyword1"]["value"] == "缴费"
    assert call.body["url"].startswith("https://")

    async with pool.begin() as session_:
        await OutboxRepo(session_).add(
            [NewMessage(user_id=USER, occasion="open", dedupe_key="k:ticket", due_at=NOW,
                        step="ticket")],
            now=NOW,
        )
    recent = wechat_delivery(api, session, NOW - timedelta(hours=1))
    assert (await sender(pool, recent, limiter).drain()).sent == 1
    [text] = api.of("custom")
    assert "准考证" in text.body["text"]["content"] and "1. ✅" in text.body["text"]["content"]


async def test_a_spent_quota_pauses_every_send_briefly_and_wechat_until_midnight(
    pool: async_sessionmaker[AsyncSession], session: aiohttp.ClientSession,
    api: FakeWeChatAPI,
) -> None:
    await due_row(pool, USER, "pay")
    api.fail("template", errcode=45009)
    limiter = MemoryRateLimiter(1000, per_chat_interval=0.0)
    delivery = wechat_delivery(api, session, None)
    # One try per drain: the sender's in-loop retry would wait out the pause itself.
    report = await sender(pool, delivery, limiter, max_retry_after=0).drain()
    assert report.retried == 1 and report.sent == 0
    # Every other send, Telegram's included when they share the sender, waits a minute...
    assert limiter._paused_until - time.monotonic() == pytest.approx(SENDER_QUOTA_PAUSE, abs=5)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(limiter.acquire(12345), 0.2)
    # ...and WeChat's until midnight in Beijing (NOW is 10:00), without calling WeChat.
    calls = len(api.calls)
    result = await delivery.deliver(Outgoing(USER, "x"))
    assert result.outcome.transient and len(api.calls) == calls
    assert result.retry_after == pytest.approx(14 * 3600)
    assert Outcome.RETRY_AFTER.value in {a.outcome for a in await attempts(pool)}


async def attempts(pool: async_sessionmaker[AsyncSession]) -> list[DeliveryAttempt]:
    async with pool() as session:
        return list(await session.scalars(select(DeliveryAttempt)))
