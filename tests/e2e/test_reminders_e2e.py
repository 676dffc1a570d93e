"""The reminder sender over HTTP against the fake Bot API: faults, blocks, pacing, restarts."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import signal
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.channels.telegram_delivery import HttpTelegramDelivery, TelegramDelivery
from bot.db.engine import create_engine, create_session_pool
from bot.db.migrate import upgrade
from bot.db.models import Candidate, DeliveryAttempt, OutboxMessage
from bot.db.outbox import OPEN_STATES, NewMessage, OutboxRepo
from bot.texts import Texts
from notices import load_knowledge_base
from scheduler.compose import Composer
from scheduler.limiter import MemoryRateLimiter, RedisRateLimiter
from scheduler.rules import NO_QUIET_HOURS
from scheduler.sender import Sender, SenderConfig
from tests.conftest import REPO_ROOT, TOKEN
from tests.e2e.helpers import clean_env
from tests.factories import unique_prefix
from tests.fakes.bot_api import Call, FakeBotAPI
from tests.timing import most_in_one_second

pytestmark = pytest.mark.e2e

KB = load_knowledge_base()
FIRST_USER = 910_000


def utc_now() -> datetime:
    return datetime.now(UTC)


async def seed(pool: async_sessionmaker[AsyncSession], count: int) -> list[int]:
    """Insert candidates with one reminder each, due now; return their ids."""
    users = list(range(FIRST_USER, FIRST_USER + count))
    now = utc_now()
    async with pool.begin() as session:
        await session.execute(
            insert(Candidate),
            [{"user_id": u, "language": "zh", "region": "beijing", "is_returning": False,
              "created_at": now, "updated_at": now} for u in users],
        )
        await OutboxRepo(session).add(
            [NewMessage(user_id=u, occasion="closing", dedupe_key="pay:closing:20240205",
                        due_at=now - timedelta(seconds=1), step="pay") for u in users],
            now=now,
        )
    return users


async def open_rows(pool: async_sessionmaker[AsyncSession]) -> int:
    async with pool() as session:
        count = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.state.in_(OPEN_STATES)
            )
        )
    return int(count or 0)


def delivered(api: FakeBotAPI) -> Counter[int]:
    return Counter(int(c.chat_id) for c in api.calls_of("sendMessage") if c.ok and c.chat_id)


def max_in_any_second(calls: list[Call]) -> int:
    return most_in_one_second(c.time for c in calls)


@pytest.fixture
async def pool(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/e2e.db")
    await upgrade(engine)
    yield create_session_pool(engine)
    await engine.dispose()


@pytest.mark.parametrize("channel", ["aiogram", "http"])
async def test_sender_over_http_survives_faults_without_loss_or_duplicates(
    pool: async_sessionmaker[AsyncSession], channel: str
) -> None:
    users = await seed(pool, 40)
    blocked, gone = users[5], users[6]
    async with FakeBotAPI() as api:
        api.fail("sendMessage", status=429, retry_after=1, times=2)
        api.fail("sendMessage", status=500, times=3)
        api.fail("sendMessage", status=502, delay=1.0, times=2)  # our timeout is 0.3 s
        api.block(blocked)
        api.fail("sendMessage", status=400, description="Bad Request: chat not found",
                 chat_id=gone, times=None)
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api.url)))
        rate = 30.0
        delivery: TelegramDelivery | HttpTelegramDelivery = (
            TelegramDelivery(bot, timeout=0.3) if channel == "aiogram"
            else HttpTelegramDelivery(bot, timeout=0.3)
        )
        sender = Sender(
            pool, delivery, MemoryRateLimiter(rate),
            Composer(Texts(), lambda: KB),
            config=SenderConfig(
                # On the wall clock, at any hour.
                backoff_base=0.2, max_attempts=5, concurrency=8, quiet=NO_QUIET_HOURS
            ),
            clock=utc_now,
        )
        try:
            deadline = asyncio.get_running_loop().time() + 30
            while await open_rows(pool) and asyncio.get_running_loop().time() < deadline:
                await sender.drain()
                await asyncio.sleep(0.1)
        finally:
            if isinstance(delivery, HttpTelegramDelivery):
                await delivery.close()
            await bot.session.close()
        counts = delivered(api)
        calls = api.calls_of("sendMessage")
    assert await open_rows(pool) == 0
    assert set(counts) == set(users) - {blocked, gone}  # nothing lost
    assert set(counts.values()) == {1}  # nothing duplicated
    async with pool() as session:
        flags = dict(
            (await session.execute(
                select(Candidate.user_id, Candidate.blocked).where(Candidate.blocked.is_(True))
            )).all()
        )
        attempts = await session.scalar(select(func.count()).select_from(DeliveryAttempt))
    assert set(flags) == {blocked, gone}
    assert attempts == len(calls)  # every attempt recorded
    for user in users:
        times = sorted(c.time for c in calls if c.chat_id == user)
        assert all(b - a >= 0.95 for a, b in itertools.pairwise(times)), user
    assert max_in_any_second(calls) <= rate * 1.1


# -- the bot as a process: SIGKILL mid-wave, and two processes sharing PostgreSQL and Redis --


def bot_env(api: FakeBotAPI, database_url: str, **extra: str) -> dict[str, str]:
    return clean_env() | {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api.url,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        "PLANNER_INTERVAL": "3600",
        "SENDER_INTERVAL": "0.2",
        "OUTBOX_LEASE": "2",
        "PER_CHAT_INTERVAL": "1",
        "PYTHONUNBUFFERED": "1",
        # The wall clock drives these processes: without this, at night in Shanghai the
        # seeded (non-urgent) reminders would wait for the morning and the tests would fail.
        "QUIET_HOURS_START": "00:00",
        "QUIET_HOURS_END": "00:00",
    } | extra


async def start(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as stderr:  # the child keeps its own copy of the descriptor
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=REPO_ROOT, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
        )


async def wait_delivered(api: FakeBotAPI, count: int, within: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while len(delivered(api)) < count:
        remaining = deadline - loop.time()
        if remaining <= 0:
            return
        seen = sum(delivered(api).values())
        with contextlib.suppress(TimeoutError):
            await api.wait_for("sendMessage", seen + 1, remaining, predicate=lambda c: c.ok)


async def test_sigkill_mid_wave_loses_nothing_and_reports_duplicates(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    engine = create_engine(url)
    await upgrade(engine)
    pool = create_session_pool(engine)
    users = await seed(pool, 150)
    log = tmp_path / "bot.stderr"
    async with FakeBotAPI() as api:
        api.fail("sendMessage", status=None, delay=0.05, times=None)  # messages take time
        env = bot_env(api, url, SEND_RATE="50")
        first = await start(env, log)
        try:
            await wait_delivered(api, 40, within=30)
            first.send_signal(signal.SIGKILL)
            await first.wait()
            in_flight = sum(1 for c in api.calls_of("sendMessage") if c.answered_at is None)
            before = delivered(api)
            async with pool() as session:
                recorded = set(
                    (await session.scalars(
                        select(OutboxMessage.user_id).where(OutboxMessage.state == "sent")
                    )).all()
                )
            unrecorded = len(set(before) - recorded)
            second = await start(env, log)
            try:
                await wait_delivered(api, len(users), within=40)
            finally:
                second.terminate()
                await asyncio.wait_for(second.wait(), 15)
        finally:
            if first.returncode is None:
                first.kill()
        counts = delivered(api)
    await engine.dispose()
    duplicates = sum(n - 1 for n in counts.values())
    print(f"\nSIGKILL after {len(before)} deliveries: {in_flight} request(s) in flight and "
          f"{unrecorded} delivered but not yet recorded; {duplicates} duplicate(s) after restart")
    assert set(counts) == set(users), log.read_text()[-2000:]  # nothing lost
    # Any duplicate is a message in flight at the kill (sent, outcome not yet written).
    assert duplicates <= in_flight + unrecorded


@pytest.mark.postgres
@pytest.mark.redis
async def test_two_processes_share_the_outbox_and_the_rate_cap(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    name = f"e2e_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = postgres_url.rsplit("/", 1)[0] + f"/{name}"
    engine: AsyncEngine | None = create_engine(url)
    try:
        assert engine is not None
        await upgrade(engine)
        pool = create_session_pool(engine)
        users = await seed(pool, 120)
        rate = 40.0
        prefix = unique_prefix()
        # What the shared limiter admitted, in Redis time: the window it keeps holds the last
        # second's requests, so watching it every 0.1 s sees every one.
        window = RedisRateLimiter.from_url(redis_url, rate, prefix=f"{prefix}:send")
        admitted: dict[str, float] = {}
        watching = True

        async def watch() -> None:
            while watching:
                admitted.update(await window.admitted())
                await asyncio.sleep(0.1)

        watcher = asyncio.create_task(watch())
        async with FakeBotAPI() as api:
            env = bot_env(api, url, REDIS_URL=redis_url, SEND_RATE=str(rate),
                          REDIS_PREFIX=prefix)
            procs = [await start(env, tmp_path / f"bot-{i}.stderr") for i in range(2)]
            try:
                await wait_delivered(api, len(users), within=40)
            finally:
                for proc in procs:
                    proc.terminate()
                for proc in procs:
                    await asyncio.wait_for(proc.wait(), 15)
                watching = False
                await watcher
                await window.close()
            counts = delivered(api)
            calls = [c for c in api.calls_of("sendMessage") if c.ok]
        assert set(counts) == set(users)
        assert set(counts.values()) == {1}
        print(f"\nmost in one second: {most_in_one_second(list(admitted.values()))} admitted "
              f"by the shared limiter, {max_in_any_second(calls)} arrived at the fake (cap "
              f"{rate:.0f})")
        # The cap holds exactly where the processes decide: no second held more than 40
        # requests as the shared limiter admitted them.
        assert len(admitted) == len(api.calls_of("sendMessage"))
        assert most_in_one_second(list(admitted.values())) <= rate
        # At the fake the two processes' requests together keep the cap too, give or take the
        # skew between a request's admission and its arrival (both processes, the fake and
        # the database share 2 loaded cores here): measured up to 45 in a second, once 53 (a
        # CI run on 2026-12-01), and 80 if each process had its own cap. Half the cap again
        # keeps the two apart; the mean rate below holds the cap itself.
        assert max_in_any_second(calls) <= rate * 1.5
        times = sorted(c.time for c in calls)
        assert (len(times) - 1) / (times[-1] - times[0]) <= rate * 1.05
        async with pool() as session:
            senders = await session.scalar(
                select(func.count(func.distinct(OutboxMessage.message_key)))
            )
        assert senders == len(users)
        await engine.dispose()
        engine = None
    finally:
        if engine is not None:
            await engine.dispose()
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
