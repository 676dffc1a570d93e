"""Updates per second through the webhook, against a bare aiogram echo bot on the same stack;
beside it, pushes per second through the WeChat endpoint.

    python -m benchmarks.bench_webhook [--updates N] [--concurrency C] [--rounds R]

Three child processes: the fake Bot API (``tests.fakes.bot_api``), the assistant
(``python -m bot`` in webhook mode on a temp SQLite file) and a bare echo bot (aiogram
Dispatcher + ``SimpleRequestHandler``, served by this module with ``--serve-echo``). This process
posts ``/help`` updates from distinct users to each bot, C in flight, and times until the fake
API has received every reply. Both bots log at WARNING and answer inside the webhook request,
so the stack differs only by what the assistant does per update.

The WeChat figures: the assistant once more, as ``python -m bot`` with WECHAT_APP_ID (the
WeChat channel alone, against a fake WeChat API in this process), answering ``/help`` pushes
through the reply bridge and the same dispatcher as the passive reply; and, as its baseline,
two child processes serving ``create_wechat_app`` (bot/channels/wechat/endpoint.py) in plain
and in safe (AES) mode with a handler that only echoes the text (signature, freshness,
decryption, parsing, dedupe, the passive reply). This process posts text pushes signed (and
encrypted) by ``PushClient`` from distinct users, C in flight, built before the clock
starts, and times until every answer came back.
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
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.channels.wechat.endpoint import create_wechat_app
from bot.channels.wechat.messages import WeChatMessage
from bot.channels.wechat.settings import WeChatSettings
from tests.fakes.wechat_api import AES_KEY, APP_ID, APP_SECRET, FakeWeChatAPI, PushClient
from tests.fakes.wechat_api import TOKEN as PUSH_TOKEN

REPO_ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:BENCH-token-abcdefghijklmnopqrstuvwxyz"
SECRET = "bench-webhook-secret"
WEBHOOK_PATH = "/tg/webhook"
WECHAT_PATH = "/wechat"
WECHAT_MODES = ("plain", "safe")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TARGET_RATIO = 0.70
READY_TIMEOUT = 30.0
# Settings the assistant reads; none may leak in from the shell running the benchmark.
_SCRUBBED_ENV = ("BOT_TOKEN", "DATABASE_URL", "REDIS_URL", "NOTICES_DIR", "TELEGRAM_API_URL")


@dataclass(frozen=True)
class Options:
    updates: int
    concurrency: int
    warmup: int
    rounds: int


@dataclass(frozen=True)
class Target:
    name: str
    base_url: str
    pid: int


@dataclass(frozen=True)
class Sample:
    """One timed round against one bot."""

    rate: float  # updates per second, until the last reply reached the fake API
    cpu_ms: float | None  # the bot process's CPU time per update; None where /proc is missing


@dataclass
class Results:
    echo: list[Sample]
    assistant: list[Sample]
    reply: str
    wechat: dict[str, list[Sample]] = field(default_factory=dict)
    wechat_reply: str = ""
    assistant_wechat: list[Sample] = field(default_factory=list)
    assistant_wechat_reply: str = ""


def cpu_seconds(pid: int) -> float | None:
    """Return the user + system CPU time of a process so far (Linux)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def help_update(update_id: int, user_id: int) -> bytes:
    """Build a private-chat /help update as Telegram would post it."""
    user = {"id": user_id, "is_bot": False, "first_name": "考生", "language_code": "zh-hans"}
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": "考生"},
        "from": user,
        "text": "/help",
        "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
    }
    return json.dumps({"update_id": update_id, "message": message}).encode()


# --------------------------------------------------------------------- child processes


@contextlib.asynccontextmanager
async def child(
    *args: str, env: dict[str, str] | None = None, stdout: int | None = None
) -> AsyncIterator[asyncio.subprocess.Process]:
    """Run ``python -m ...`` from the repo root; terminate it (then kill) on exit."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        *args,
        cwd=REPO_ROOT,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=stdout,
    )
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def read_fake_url(proc: asyncio.subprocess.Process) -> str:
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), READY_TIMEOUT)
    if not line.startswith(b"listening on "):
        msg = f"the fake Bot API did not start: {line!r}"
        raise RuntimeError(msg)
    return line.decode().removeprefix("listening on ").strip()


async def wait_healthy(
    http: aiohttp.ClientSession, base_url: str, proc: asyncio.subprocess.Process
) -> None:
    """Poll /healthz until it answers; nothing else says when the server listens."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if proc.returncode is not None:
            msg = f"{base_url} exited with {proc.returncode} before it was ready"
            raise RuntimeError(msg)
        with contextlib.suppress(aiohttp.ClientError):
            async with http.get(f"{base_url}/healthz") as resp:
                if resp.status == 200:
                    return
        await asyncio.sleep(0.1)
    msg = f"{base_url}/healthz not ready within {READY_TIMEOUT} s"
    raise RuntimeError(msg)


def child_env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _SCRUBBED_ENV and not key.startswith("WEBHOOK_")
    }
    env["LOG_LEVEL"] = "WARNING"
    env["PYTHONPATH"] = str(REPO_ROOT)
    return env


# --------------------------------------------------------------------- load


class Load:
    """Posts batches of /help updates from fresh users and times the replies."""

    def __init__(self, http: aiohttp.ClientSession, fake_url: str) -> None:
        self.http = http
        self.fake_url = fake_url
        self.next_id = 1
        self.next_user = 10_000_000

    async def run(self, target: Target, count: int, concurrency: int) -> Sample:
        """Send ``count`` updates; time them until the last reply reached the fake API."""
        payloads = [help_update(self.next_id + i, self.next_user + i) for i in range(count)]
        self.next_id += count
        self.next_user += count
        async with self.http.post(f"{self.fake_url}/_fake/reset") as resp:
            resp.raise_for_status()
        queue = iter(payloads)
        url = f"{target.base_url}{WEBHOOK_PATH}"
        headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}

        async def worker() -> None:
            for body in queue:
                async with self.http.post(url, data=body, headers=headers) as resp:
                    await resp.read()
                    if resp.status != 200:
                        msg = f"{target.name}: webhook answered HTTP {resp.status}"
                        raise RuntimeError(msg)

        cpu_before = cpu_seconds(target.pid)
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        await self.wait_replies(target, count)
        elapsed = time.perf_counter() - started
        cpu_after = cpu_seconds(target.pid)
        cpu_ms = None
        if cpu_before is not None and cpu_after is not None:
            cpu_ms = (cpu_after - cpu_before) * 1000 / count
        return Sample(count / elapsed, cpu_ms)

    async def wait_replies(self, target: Target, count: int) -> None:
        query = {"method": "sendMessage", "count": str(count), "timeout": "50"}
        async with self.http.get(f"{self.fake_url}/_fake/wait", params=query) as resp:
            done = await resp.json()
        if not done["ok"]:
            msg = f"{target.name}: {done['count']} of {count} replies arrived"
            raise RuntimeError(msg)
        async with self.http.get(f"{self.fake_url}/_fake/stats") as resp:
            stats = await resp.json()
        if stats["failed"]:
            msg = f"{target.name}: {stats['failed']} Bot API call(s) failed"
            raise RuntimeError(msg)


class PushLoad:
    """Posts text pushes from fresh WeChat users and times the endpoint's answers."""

    def __init__(self, http: aiohttp.ClientSession) -> None:
        self.http = http
        self.next_user = 0
        self.reply = ""

    async def run(
        self, target: Target, mode: str, count: int, concurrency: int, text: str | None = None
    ) -> Sample:
        """Send ``count`` signed pushes (of `text`, else a numbered question); time them until
        the last answer came back."""
        client = PushClient(aes_key=AES_KEY if mode == "safe" else None)
        now = int(time.time())
        pushes = [
            client.push(
                client.text(f"oBench{self.next_user + i:022d}", text or f"报名 {i}", now), now
            )
            for i in range(count)
        ]
        self.next_user += count
        queue = iter(pushes)
        url = f"{target.base_url}{WECHAT_PATH}"
        answers: list[str] = []

        async def worker() -> None:
            for query, body in queue:
                async with self.http.post(url, params=query, data=body) as resp:
                    text = await resp.text()
                    if resp.status != 200 or text == "success":
                        msg = f"{target.name}: endpoint answered HTTP {resp.status}: {text[:80]}"
                        raise RuntimeError(msg)
                    if not answers:
                        answers.append(text)

        cpu_before = cpu_seconds(target.pid)
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        cpu_after = cpu_seconds(target.pid)
        cpu_ms = None
        if cpu_before is not None and cpu_after is not None:
            cpu_ms = (cpu_after - cpu_before) * 1000 / count
        self.reply = str(client.read_reply(answers[0]).get("Content", ""))
        return Sample(count / elapsed, cpu_ms)


async def measure(options: Options) -> Results:
    """Time both bots in alternating rounds; keep the assistant's reply to /help."""
    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=options.concurrency * 2)
    with tempfile.TemporaryDirectory(prefix="bench-webhook-") as tmp:
        env = child_env()
        echo_port, bot_port, api_port = free_port(), free_port(), free_port()
        async with (
            FakeWeChatAPI() as wechat_api,
            aiohttp.ClientSession(timeout=timeout, connector=connector) as http,
            child(
                "tests.fakes.bot_api",
                "--port",
                str(api_port),
                env=env,
                stdout=asyncio.subprocess.PIPE,
            ) as api_proc,
        ):
            fake_url = await read_fake_url(api_proc)
            bot_env = env | {
                "BOT_TOKEN": TOKEN,
                "TELEGRAM_API_URL": fake_url,
                "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bench.db",
                "WEBHOOK_URL": f"https://bench.example.org{WEBHOOK_PATH}",
                "WEBHOOK_SECRET": SECRET,
                "WEBHOOK_HOST": "127.0.0.1",
                "WEBHOOK_PORT": str(bot_port),
            }
            me = "benchmarks.bench_webhook"
            ports = {name: free_port() for name in ("plain", "safe", "assistant-wechat")} | {
                "echo": echo_port, "assistant": bot_port,
            }
            wechat_env = env | {
                "WECHAT_TOKEN": PUSH_TOKEN,
                "WECHAT_APP_ID": APP_ID,
                "WECHAT_APP_SECRET": APP_SECRET,
                "WECHAT_API_URL": wechat_api.url,
                "WECHAT_PATH": WECHAT_PATH,
                "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bench-wechat.db",
                "WEBHOOK_HOST": "127.0.0.1",
                "WEBHOOK_PORT": str(ports["assistant-wechat"]),
            }
            specs = (
                ("echo", (me, "--serve-echo", str(echo_port), fake_url), env),
                ("assistant", ("bot",), bot_env),
                ("assistant-wechat", ("bot",), wechat_env),
                *((mode, (me, "--serve-wechat", str(ports[mode]), mode), env)
                  for mode in WECHAT_MODES),
            )
            async with contextlib.AsyncExitStack() as stack:
                targets: dict[str, Target] = {}
                # One at a time: four starting at once on two cores can miss READY_TIMEOUT.
                for name, args, child_env_ in specs:
                    proc = await stack.enter_async_context(child(*args, env=child_env_))
                    targets[name] = Target(name, f"http://127.0.0.1:{ports[name]}", proc.pid)
                    await wait_healthy(http, targets[name].base_url, proc)
                echo, assistant = targets["echo"], targets["assistant"]
                wechat = {mode: targets[mode] for mode in WECHAT_MODES}
                load, pushes = Load(http, fake_url), PushLoad(http)
                for target in (echo, assistant):
                    await load.run(target, options.warmup, options.concurrency)
                for mode, target in wechat.items():
                    await pushes.run(target, mode, options.warmup, options.concurrency)
                assistant_wechat = targets["assistant-wechat"]
                await pushes.run(assistant_wechat, "plain", options.warmup, options.concurrency,
                                 "/help")
                reply = await last_reply(http, fake_url)
                results = Results([], [], reply, {mode: [] for mode in WECHAT_MODES})
                # Alternate, so drifting load on the machine hits every target alike.
                for _ in range(options.rounds):
                    for target, samples in ((echo, results.echo), (assistant, results.assistant)):
                        samples.append(
                            await load.run(target, options.updates, options.concurrency)
                        )
                    results.assistant_wechat.append(await pushes.run(
                        assistant_wechat, "plain", options.updates, options.concurrency, "/help"
                    ))
                    results.assistant_wechat_reply = pushes.reply
                    for mode, target in wechat.items():
                        results.wechat[mode].append(
                            await pushes.run(target, mode, options.updates, options.concurrency)
                        )
                results.wechat_reply = pushes.reply
    return results


async def last_reply(http: aiohttp.ClientSession, fake_url: str) -> str:
    params = {"method": "sendMessage", "limit": "1"}
    async with http.get(f"{fake_url}/_fake/calls", params=params) as resp:
        calls: list[dict[str, Any]] = await resp.json()
    return str(calls[-1]["params"].get("text", ""))


# --------------------------------------------------------------------- echo bot


async def serve_echo(port: int, api_url: str) -> None:
    """Serve a bare aiogram echo bot on the same stack as the assistant, until SIGTERM."""
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    dp = Dispatcher()
    dp.include_router(router)
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url))
    bot = Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    app = web.Application()
    app.router.add_get("/healthz", healthz)
    # Like the assistant: each update is handled inside its request.
    SimpleRequestHandler(
        dispatcher=dp, bot=bot, secret_token=SECRET, handle_in_background=False
    ).register(app, path=WEBHOOK_PATH)
    setup_application(app, dp, bot=bot)
    await serve_until_signal(app, port)


async def serve_wechat(port: int, mode: str) -> None:
    """Serve the WeChat endpoint with a handler echoing the text, until SIGTERM."""
    settings = WeChatSettings(
        _env_file=None, token=PUSH_TOKEN, app_id=APP_ID, app_secret=APP_SECRET,
        aes_key=AES_KEY if mode == "safe" else None, path=WECHAT_PATH,
    )

    async def echo(message: WeChatMessage) -> str | None:
        return message.text or None

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = create_wechat_app(settings, echo)
    app.router.add_get("/healthz", healthz)
    await serve_until_signal(app, port)


async def serve_until_signal(app: web.Application, port: int) -> None:
    """Serve `app` on a loopback port until SIGTERM or SIGINT."""
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


# --------------------------------------------------------------------- report


def report(options: Options, results: Results) -> None:
    echo = statistics.median(s.rate for s in results.echo)
    bot = statistics.median(s.rate for s in results.assistant)
    # Each round's ratio compares two back-to-back runs; their median resists outside load.
    ratio = statistics.median(
        b.rate / e.rate for e, b in zip(results.echo, results.assistant, strict=True)
    )
    print(
        f"webhook /help: {options.updates} updates from distinct users, "
        f"{options.concurrency} in flight, median of {options.rounds} round(s)"
    )
    print(f"  echo bot (aiogram + SimpleRequestHandler): {_line(echo, results.echo)}")
    print(f"  assistant (python -m bot):                 {_line(bot, results.assistant)}")
    first_line = results.reply.splitlines()[0][:60] if results.reply else "(empty)"
    print(f"  assistant's reply to /help begins: {first_line}")
    print(f"ratio: {ratio:.0%} of echo (median of per-round ratios)")
    echo_cpu = [s.cpu_ms for s in results.echo if s.cpu_ms is not None]
    bot_cpu = [s.cpu_ms for s in results.assistant if s.cpu_ms is not None]
    if echo_cpu and bot_cpu:
        cpu_ratio = statistics.median(echo_cpu) / statistics.median(bot_cpu)
        print(f"cpu: the echo bot's CPU per update is {cpu_ratio:.0%} of the assistant's")
    verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
    print(f"target: >= {TARGET_RATIO:.0%} of echo ({verdict})")
    if results.assistant_wechat:
        rate = statistics.median(s.rate for s in results.assistant_wechat)
        print("wechat /help: signed pushes from distinct users, the same concurrency")
        line = _line(rate, results.assistant_wechat)
        print(f"  assistant over WeChat (python -m bot, bridge): {line}")
        first = results.assistant_wechat_reply.splitlines()
        print(f"  its passive reply to /help begins: {first[0][:60] if first else '(empty)'}")
        print(f"  beside the assistant over Telegram above:     {bot:8.1f} updates/s")
    if results.wechat:
        print("wechat endpoint alone (create_wechat_app, a handler echoing the text)")
        for mode, samples in results.wechat.items():
            rate = statistics.median(s.rate for s in samples)
            label = f"{mode} mode{' (AES)' if mode == 'safe' else ''}:"
            print(f"  {label:<44} {_line(rate, samples)}")
        print(f"  endpoint's passive reply: {results.wechat_reply[:60]}")


def _line(median_rate: float, samples: Sequence[Sample]) -> str:
    rates = ", ".join(f"{s.rate:.0f}" for s in samples)
    line = f"{median_rate:8.1f} updates/s [{rates}]"
    cpu = [s.cpu_ms for s in samples if s.cpu_ms is not None]
    if cpu:
        line += f", {statistics.median(cpu):.2f} ms CPU/update"
    return line


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--updates", type=int, default=1000, help="updates per round")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight")
    parser.add_argument("--warmup", type=int, default=200, help="warm-up updates per bot")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per bot")
    parser.add_argument(
        "--serve-echo", nargs=2, metavar=("PORT", "API_URL"), help=argparse.SUPPRESS
    )
    parser.add_argument(
        "--serve-wechat", nargs=2, metavar=("PORT", "MODE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if min(args.updates, args.concurrency, args.rounds, args.warmup) < 1:
        parser.error("--updates, --concurrency, --warmup and --rounds must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve_echo is not None:
        logging.basicConfig(level=logging.WARNING)
        port, api_url = args.serve_echo
        asyncio.run(serve_echo(int(port), api_url))
        return 0
    if args.serve_wechat is not None:
        logging.basicConfig(level=logging.WARNING)
        port, mode = args.serve_wechat
        asyncio.run(serve_wechat(int(port), mode))
        return 0
    options = Options(args.updates, args.concurrency, args.warmup, args.rounds)
    try:
        results = asyncio.run(measure(options))
    except (RuntimeError, aiohttp.ClientError, TimeoutError) as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    report(options, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
