"""Start-up mistakes each print one line and exit 2 at the default log level, the token
never shows, and in webhook mode a malformed body is answered once, without a traceback."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from tests.conftest import TOKEN, free_port
from tests.e2e.helpers import STARTUP_TIMEOUT, BotProcess, StartBot, wait_http_ok
from tests.e2e.test_bot_process import (
    SECRET_HEADER,
    WEBHOOK_SECRET,
    WEBHOOK_URL,
    start_webhook_bot,
)
from tests.fakes.bot_api import FakeBotAPI
from tests.payloads import WEBHOOK_BODIES

SECRET_PART = TOKEN.split(":", 1)[1]
startup_case = pytest.mark.adversarial("start-up")


def webhook_env(bot_env: dict[str, str], port: int) -> dict[str, str]:
    return bot_env | {"WEBHOOK_URL": WEBHOOK_URL, "WEBHOOK_SECRET": WEBHOOK_SECRET,
                      "WEBHOOK_HOST": "127.0.0.1", "WEBHOOK_PORT": str(port)}


async def exits_2_with_one_line(process: BotProcess, mention: str) -> str:
    code = await process.wait_exit(STARTUP_TIMEOUT)
    stderr = process.stderr()
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert code == 2, stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert mention.lower() in lines[0].lower(), stderr
    assert SECRET_PART not in stderr
    return lines[0]


@pytest.fixture
async def html_site() -> AsyncIterator[str]:
    """An ordinary web page where the Bot API should be."""
    async def page(_request: web.Request) -> web.Response:
        return web.Response(text="<html>" + "<p>hello</p>\n" * 73 + "</html>",
                            content_type="text/html")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", page)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


@startup_case
@pytest.mark.parametrize(
    ("change", "mention"),
    [
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"REDIS_URL": "notaurl"}, "REDIS_URL"),
        ({"REDIS_URL": "redis://127.0.0.1:1/0"}, "Redis"),
        ({"TELEGRAM_API_URL": "ftp://example.org"}, "TELEGRAM_API_URL"),
        ({"DATABASE_URL": "sqlite+aiosqlite:////proc/forbidden/db/bot.db"}, "database folder"),
    ],
)
async def test_startup_mistake_prints_one_line_and_exits_2(
    bot_env: dict[str, str], start_bot: StartBot, change: dict[str, str], mention: str
) -> None:
    await exits_2_with_one_line(await start_bot(bot_env | change), mention)


@startup_case
async def test_startup_getme_500_prints_one_line_and_exits_2(
    bot_env: dict[str, str], start_bot: StartBot, fake_api: FakeBotAPI
) -> None:
    fake_api.fail("getMe", status=500, times=None)
    await exits_2_with_one_line(await start_bot(bot_env), "getMe")


@startup_case
async def test_startup_html_page_as_bot_api_prints_one_line_without_the_token(
    bot_env: dict[str, str], start_bot: StartBot, html_site: str
) -> None:
    line = await exits_2_with_one_line(
        await start_bot(bot_env | {"TELEGRAM_API_URL": html_site}), "TELEGRAM_API_URL"
    )
    assert "<p>" not in line


@startup_case
async def test_startup_webhook_port_taken_fails_before_the_scheduler_runs(
    bot_env: dict[str, str], start_bot: StartBot, fake_api: FakeBotAPI
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = webhook_env(bot_env, port)
        await exits_2_with_one_line(await start_bot(env), str(port))
    assert "sendMessage" not in {c.method for c in fake_api.calls}


@pytest.mark.adversarial("webhook")
async def test_webhook_malformed_bodies_get_one_answer_and_a_metric(
    bot_env: dict[str, str], start_bot: StartBot, fake_api: FakeBotAPI
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = await start_webhook_bot(fake_api, start_bot, webhook_env(bot_env, port), base)
    statuses = []
    async with aiohttp.ClientSession() as http:
        for body in WEBHOOK_BODIES:
            async with http.post(f"{base}/tg/webhook", data=body,
                                 headers={SECRET_HEADER: WEBHOOK_SECRET}) as resp:
                statuses.append(resp.status)
        metrics = await (await wait_http_ok(f"{base}/metrics")).text()
    process.terminate()
    await process.wait_exit()
    stderr = process.stderr()
    assert set(statuses) <= {200, 400}, statuses
    assert "Traceback" not in stderr
    assert stderr.count("webhook: refused") == len(WEBHOOK_BODIES), stderr
    assert "webhook_rejected_total" in metrics
    assert SECRET_PART not in stderr
