"""The sender against the fake Bot API: achieved rate as a share of the cap, CPU per message.

    python -m benchmarks.bench_sender [--seconds S] [--caps 30,1000]

The fake Bot API runs as its own process (``python -m tests.fakes.bot_api``) so its CPU is
not ours. For each cap, an outbox on a temp SQLite file holds cap x S reminders to distinct
candidates; the real sender (aiogram over HTTP, the in-memory limiter) drains it. The rate is
deliveries over the time from the first to the last, as the fake recorded them; duplicates
are chats the fake saw more than one message for. The baseline is the naive loop: one
send_message after another, awaiting each, no limiter, no outbox.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from sqlalchemy import insert

from bot.channels.telegram_delivery import HttpTelegramDelivery
from bot.db.engine import create_engine, create_session_pool
from bot.db.migrate import upgrade
from bot.db.models import Candidate
from bot.db.outbox import NewMessage, OutboxRepo
from bot.texts import Texts
from notices import load_knowledge_base
from scheduler.compose import Composer
from scheduler.limiter import MemoryRateLimiter
from scheduler.rules import NO_QUIET_HOURS
from scheduler.sender import Sender, SenderConfig

REPO_ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:BENCH-token-abcdefghijklmnopqrstuvwxyz"
TARGET_SHARE = 0.97
FIRST_USER = 5_000_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def fake_api() -> AsyncIterator[str]:
    """Run the fake Bot API as a child process; yield its URL."""
    port = _free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fakes.bot_api", "--port", str(port), cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    await asyncio.wait_for(proc.stdout.readline(), 30)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGTERM)
        await proc.wait()


async def fake_calls(url: str, http: aiohttp.ClientSession, limit: int) -> list[dict[str, Any]]:
    async with http.get(f"{url}/_fake/calls", params={"method": "sendMessage",
                                                     "limit": str(limit)}) as response:
        calls: list[dict[str, Any]] = await response.json()
    return calls


async def fake_times(url: str, http: aiohttp.ClientSession) -> None:
    async with http.post(f"{url}/_fake/reset"):
        pass


async def seed(url: str, count: int) -> Any:
    engine = create_engine(url)
    await upgrade(engine)
    pool = create_session_pool(engine)
    now = datetime.now(UTC)
    users = range(FIRST_USER, FIRST_USER + count)
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
    return engine, pool


class Stamped:
    """Wrap a delivery and note when each successful send completed."""

    def __init__(self, inner: HttpTelegramDelivery) -> None:
        self.inner = inner
        self.times: list[float] = []

    async def deliver(self, message: Any) -> Any:
        result = await self.inner.deliver(message)
        self.times.append(time.perf_counter())
        return result


def make_bot(api: str) -> Bot:
    return Bot(
        TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api), limit=512),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


async def run_cap(api: str, cap: float, seconds: float, workdir: Path) -> dict[str, Any]:
    """Drain cap x seconds reminders under the cap; return rate, CPU and duplicates."""
    count = int(cap * seconds)
    engine, pool = await seed(f"sqlite+aiosqlite:///{workdir}/send-{int(cap)}.db", count)
    bot = make_bot(api)
    inner = HttpTelegramDelivery(bot, timeout=10)
    delivery = Stamped(inner)
    kb = load_knowledge_base()
    sender = Sender(
        pool, delivery, MemoryRateLimiter(cap), Composer(Texts(), lambda: kb),
        config=SenderConfig(
            batch_size=max(50, int(cap / 4)), concurrency=max(8, min(16, int(cap / 20))),
            # On the wall clock at any hour: quiet hours would hold the (non-urgent) wave.
            quiet=NO_QUIET_HOURS,
        ),
        clock=lambda: datetime.now(UTC),
    )
    async with aiohttp.ClientSession() as http:
        await fake_times(api, http)
        cpu = time.process_time()
        report = await sender.drain()
        cpu = time.process_time() - cpu
        calls = await fake_calls(api, http, count * 2)
    await inner.close()
    await bot.session.close()
    await engine.dispose()
    times = sorted(delivery.times)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    rate = (len(times) - 1) / span if span else 0.0
    per_chat = Counter(c["params"]["chat_id"] for c in calls if c["status"] == 200)
    return {
        "cap": cap, "messages": report.sent, "rate": rate, "share": rate / cap,
        "cpu_ms": cpu / max(report.sent, 1) * 1000,
        "duplicates": sum(n - 1 for n in per_chat.values()),
        "lost": count - len(per_chat),
    }


async def run_baseline(api: str, count: int) -> dict[str, Any]:
    """The naive loop: await each send_message in turn."""
    bot = make_bot(api)
    text = "<b>提醒</b> 缴费还剩3天截止。"
    cpu = time.process_time()
    started = time.perf_counter()
    for index in range(count):
        await bot.send_message(FIRST_USER + index, text)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    await bot.session.close()
    return {"messages": count, "rate": count / elapsed, "cpu_ms": cpu / count * 1000}


async def bench(caps: list[float], seconds: float) -> bool:
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        async with fake_api() as api:
            base = await run_baseline(api, 300)
            print(f"baseline (sequential send_message, no limiter): {base['rate']:.0f} msg/s, "
                  f"{base['cpu_ms']:.2f} ms CPU per message")
            for cap in caps:
                result = await run_cap(api, cap, seconds, Path(tmp))
                print(
                    f"cap {cap:>6.0f}/s: {result['messages']:>6} messages at "
                    f"{result['rate']:.1f}/s = {result['share']:.1%} of the cap, "
                    f"{result['cpu_ms']:.2f} ms CPU per message, "
                    f"{result['duplicates']} duplicates, {result['lost']} lost"
                )
                ok = ok and result["share"] >= TARGET_SHARE and result["share"] <= 1.02
                ok = ok and result["duplicates"] == 0 and result["lost"] == 0
    print(f"target: >= {TARGET_SHARE:.0%} of each cap (and not above it), 0 duplicates, "
          f"0 lost: {'met' if ok else 'MISSED'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each wave")
    parser.add_argument("--caps", default="30,1000", help="comma-separated caps (msg/s)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    os.environ.pop("DATABASE_URL", None)
    caps = [float(c) for c in args.caps.split(",") if c.strip()]
    ok = asyncio.run(bench(caps, args.seconds))
    print(json.dumps({"ok": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
