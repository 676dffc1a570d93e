"""WeChat end to end: `python -m bot` with WECHAT_APP_ID serves the push endpoint against the
fake WeChat API; users follow, onboard by numbers, ask, get reminders by customer-service or
template message, and unfollow; two processes share one access token."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import create_engine, create_session_pool
from bot.db.identities import WECHAT, IdentityRepo
from bot.db.migrate import upgrade
from bot.db.models import Candidate, OutboxMessage
from bot.db.repo import CandidateRepo
from bot.step_records import record_done
from notices import SHANGHAI, STEP_ORDER, Step
from tests.conftest import TOKEN as BOT_TOKEN
from tests.conftest import free_port
from tests.e2e.helpers import STARTUP_TIMEOUT, BotProcess, StartBot, clean_env, wait_http_ok
from tests.factories import unique_prefix
from tests.fakes.bot_api import FakeBotAPI, make_message_update
from tests.fakes.wechat_api import (
    AES_KEY,
    APP_ID,
    APP_SECRET,
    TOKEN,
    FakeWeChatAPI,
    PushClient,
    WeChatCall,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# The first morning of online payment: a candidate whose review is done is due to pay.
CLOCK = datetime(2024, 1, 29, 9, 30, tzinfo=SHANGHAI)
TEMPLATE = "TPL-reminder"


@pytest.fixture
async def wechat_api() -> AsyncIterator[FakeWeChatAPI]:
    async with FakeWeChatAPI() as api:
        yield api


def wechat_env(api: FakeWeChatAPI, tmp_path: Path, port: int, **more: str) -> dict[str, str]:
    return clean_env() | {
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_APP_ID": APP_ID,
        "WECHAT_APP_SECRET": APP_SECRET,
        "WECHAT_API_URL": api.url,
        "WECHAT_REMINDER_TEMPLATE_ID": TEMPLATE,
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        "BOT_CLOCK": CLOCK.strftime("%Y-%m-%dT%H:%M"),
        "SENDER_INTERVAL": "0.5",
        "PYTHONUNBUFFERED": "1",
    } | more


class WeChatUser:
    """One follower, pushing through the bot's endpoint as WeChat does."""

    def __init__(self, base: str, openid: str, client: PushClient | None = None) -> None:
        self.url = f"{base}/wechat"
        self.openid = openid
        self.client = client or PushClient()

    async def push(self, xml: str) -> tuple[float, str]:
        """Push `xml`; return the seconds the endpoint took and the reply's text ("success"
        when there is none)."""
        query, body = self.client.push(xml, int(time.time()))
        started = time.monotonic()
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(timeout=timeout) as http, http.post(
            self.url, params=query, data=body
        ) as resp:
            assert resp.status == 200, await resp.text()
            answer = await resp.text()
        elapsed = time.monotonic() - started
        if answer == "success":
            return elapsed, answer
        return elapsed, str(self.client.read_reply(answer)["Content"])

    async def say(self, text: str, msg_id: int | None = None) -> str:
        return (await self.push(self.client.text(self.openid, text, int(time.time()), msg_id)))[1]

    async def event(self, event: str) -> str:
        return (await self.push(self.client.event(self.openid, event, int(time.time()))))[1]


async def start_wechat_bot(start_bot: StartBot, env: dict[str, str]) -> BotProcess:
    process = await start_bot(env)
    await wait_http_ok(f"http://127.0.0.1:{env['WEBHOOK_PORT']}/healthz")
    return process


async def wait_calls(api: FakeWeChatAPI, name: str, openid: str, within: float = 30) -> WeChatCall:
    """The first successful `name` call (custom or template) to `openid`."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for call in api.of(name):
            if call.errcode == 0 and isinstance(call.body, dict) and (
                call.body.get("touser") == openid
            ):
                return call
        await asyncio.sleep(0.1)
    raise AssertionError(f"no {name} message to {openid} within {within} s: {api.calls}")


async def assert_exits_cleanly(process: BotProcess) -> None:
    process.terminate()
    assert await process.wait_exit() == 0, process.stderr()
    assert "Traceback" not in process.stderr()


@pytest.mark.parametrize("safe_mode", [False, True], ids=["plain", "safe-mode"])
async def test_follow_onboard_by_numbers_ask_retry_and_unfollow(
    wechat_api: FakeWeChatAPI, start_bot: StartBot, tmp_path: Path, safe_mode: bool
) -> None:
    port = free_port()
    env = wechat_env(wechat_api, tmp_path, port)
    client = PushClient()
    if safe_mode:
        env["WECHAT_AES_KEY"] = AES_KEY
        client = PushClient(aes_key=AES_KEY)
    process = await start_wechat_bot(start_bot, env)
    user = WeChatUser(f"http://127.0.0.1:{port}", "oFollower_0001", client)

    welcome = await user.event("subscribe")
    assert "报考助手" in welcome and "3. 华北" in welcome and "<b>" not in welcome
    assert "1. 北京" in await user.say("3")  # 华北
    assert "历史考生" in await user.say("1")  # 北京, then: did you fail last year?
    saved = await user.say("2")  # not returning
    assert "北京" in saved

    elapsed, answer = await user.push(
        client.text(user.openid, "缴费什么时候截止", int(time.time()))
    )
    assert elapsed < 5  # inside WeChat's window: the passive reply
    assert "缴费" in answer and "2月" in answer

    # WeChat pushes a message again when it got no answer in time: handled once.
    retried = client.text(user.openid, "/todo", int(time.time()), msg_id=424242)
    first = (await user.push(retried))[1]
    await asyncio.sleep(1)  # what did not fit the passive reply follows by customer service
    followed = len(wechat_api.of("custom"))
    again = (await user.push(retried))[1]
    await asyncio.sleep(1)
    assert "缴费" in first and again == "success"
    assert len(wechat_api.of("custom")) == followed  # nothing handled or sent twice

    assert "文字" in (await user.push(client.image(user.openid, int(time.time()))))[1]
    assert await user.event("unsubscribe") == "success"
    assert wechat_api.menu is not None  # the custom menu, created at start
    assert {b["name"] for b in wechat_api.menu["button"]}
    await assert_exits_cleanly(process)
    assert user.openid not in process.stderr()  # not even in the access log

    engine = create_engine(env["DATABASE_URL"])
    async with create_session_pool(engine)() as session:
        [candidate] = (await session.scalars(select(Candidate))).all()
    await engine.dispose()
    assert candidate.user_id < 0 and candidate.region == "beijing" and candidate.blocked


async def seed_due_to_pay(
    pool: async_sessionmaker[AsyncSession], openid: str, last_seen: datetime
) -> int:
    """A WeChat candidate in 北京 whose review is done (the payment reminder is due)."""
    review = STEP_ORDER.index(Step.REVIEW)
    async with pool.begin() as session:
        user_id = await IdentityRepo(session).user_id(WECHAT, openid, seen=last_seen)
        await CandidateRepo(session).set_region(user_id, "beijing")
        await CandidateRepo(session).set_returning(user_id, False)
        await record_done(session, user_id, STEP_ORDER[: review + 1], last_seen)
    return user_id


async def test_reminders_by_customer_service_within_48_hours_by_template_after(
    wechat_api: FakeWeChatAPI, start_bot: StartBot, tmp_path: Path
) -> None:
    port = free_port()
    env = wechat_env(wechat_api, tmp_path, port)
    engine = create_engine(env["DATABASE_URL"])
    await upgrade(engine)
    pool = create_session_pool(engine)
    recent = await seed_due_to_pay(pool, "oRecent_0001", CLOCK - timedelta(hours=1))
    await seed_due_to_pay(pool, "oLongAgo_0002", CLOCK - timedelta(hours=72))
    gone = await seed_due_to_pay(pool, "oGone_0003", CLOCK - timedelta(hours=1))
    async with pool.begin() as session:
        await CandidateRepo(session).set_blocked(gone, True)  # unfollowed before
    process = await start_wechat_bot(start_bot, env)

    text = await wait_calls(wechat_api, "custom", "oRecent_0001")
    assert "缴费" in text.body["text"]["content"]
    template = await wait_calls(wechat_api, "template", "oLongAgo_0002")
    assert template.body["template_id"] == TEMPLATE
    assert "缴费" in str(template.body["data"])
    assert not [c for c in wechat_api.of("template") if c.body.get("touser") == "oRecent_0001"]

    # The recent one unfollows: nothing more reaches them; the one who left got nothing.
    user = WeChatUser(f"http://127.0.0.1:{port}", "oRecent_0001")
    assert await user.event("unsubscribe") == "success"
    await asyncio.sleep(2)
    sent_to = {c.body.get("touser") for c in wechat_api.calls if isinstance(c.body, dict)}
    assert "oGone_0003" not in sent_to
    await assert_exits_cleanly(process)
    async with pool() as session:
        blocked = await session.get(Candidate, recent)
        open_rows = (await session.scalars(
            select(OutboxMessage).where(OutboxMessage.user_id == recent,
                                        OutboxMessage.state == "pending")
        )).all()
    await engine.dispose()
    assert blocked is not None and blocked.blocked and not open_rows


@pytest.mark.redis
async def test_two_processes_share_one_access_token(
    wechat_api: FakeWeChatAPI, start_bot: StartBot, tmp_path: Path, redis_url: str
) -> None:
    wechat_api.token_delay = 0.3  # let both processes ask at once
    ports = free_port(), free_port()
    prefix = unique_prefix()  # no token a run before left in Redis
    processes = [
        await start_bot(wechat_env(
            wechat_api, tmp_path, port, REDIS_URL=redis_url, REDIS_PREFIX=prefix,
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/bot-{port}.db",
        ))
        for port in ports
    ]
    for port in ports:
        await wait_http_ok(f"http://127.0.0.1:{port}/healthz", STARTUP_TIMEOUT)
    for _ in range(300):  # the menus are set in the background after start
        if len(wechat_api.of("menu")) >= 2:
            break
        await asyncio.sleep(0.1)
    menus = wechat_api.of("menu")
    assert len(menus) == 2 and all(call.errcode == 0 for call in menus)
    assert len([c for c in wechat_api.of("token") if "access_token" in c.answer]) == 1
    assert len({call.query["access_token"] for call in menus}) == 1
    for process in processes:
        await assert_exits_cleanly(process)
    redis = Redis.from_url(redis_url)
    await redis.delete(*[k async for k in redis.scan_iter(f"{prefix}:*")] or ["-"])
    await redis.aclose()


@pytest.mark.parametrize("mode", ["webhook", "polling"])
async def test_one_process_serves_telegram_and_wechat(
    wechat_api: FakeWeChatAPI, fake_api: FakeBotAPI, start_bot: StartBot, tmp_path: Path,
    mode: str,
) -> None:
    port = free_port()
    env = wechat_env(
        wechat_api, tmp_path, port, BOT_TOKEN=BOT_TOKEN, TELEGRAM_API_URL=fake_api.url
    )
    if mode == "webhook":
        env |= {"WEBHOOK_URL": "https://bot.example.org/tg/webhook",
                "WEBHOOK_SECRET": "e2e-secret-Token_1"}
    process = await start_wechat_bot(start_bot, env)
    base = f"http://127.0.0.1:{port}"
    update = make_message_update(700_001, "/start", update_id=1)
    if mode == "webhook":
        await fake_api.wait_for("setWebhook", timeout=STARTUP_TIMEOUT)
        async with aiohttp.ClientSession() as http, http.post(
            f"{base}/tg/webhook", json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": "e2e-secret-Token_1"},
        ) as resp:
            assert resp.status == 200
    else:
        fake_api.push_update(update)
    await fake_api.wait_for("sendMessage", 1, STARTUP_TIMEOUT)
    assert "非官方渠道" in "\n".join(fake_api.sent_texts(700_001))

    welcome = await WeChatUser(base, "oBoth_0001").event("subscribe")
    assert "非官方渠道" in welcome
    # The WeChat user's welcome did not go to Telegram, nor Telegram's to WeChat.
    assert all(int(call.chat_id or 0) > 0 for call in fake_api.calls_of("sendMessage"))
    assert not wechat_api.of("custom")
    await assert_exits_cleanly(process)


async def test_a_wrong_app_secret_stops_start_up_with_one_line(
    wechat_api: FakeWeChatAPI, start_bot: StartBot, tmp_path: Path
) -> None:
    env = wechat_env(wechat_api, tmp_path, free_port(), LOG_LEVEL="WARNING",
                     WECHAT_APP_SECRET="not-the-secret-0123456789")
    process = await start_bot(env)
    assert await process.wait_exit(STARTUP_TIMEOUT) == 2
    lines = [line for line in process.stderr().splitlines() if line.strip()]
    assert len(lines) == 1 and "WECHAT_APP_SECRET" in lines[0], lines
    assert "not-the-secret-0123456789" not in process.stderr()
