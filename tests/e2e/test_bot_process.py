"""``python -m bot`` as a process, over HTTP against the fake Bot API."""

from __future__ import annotations

import asyncio
import re
import socket
import sys
from collections.abc import Callable, Iterator
from typing import Any

import aiohttp
import pytest

from tests.conftest import REPO_ROOT, TOKEN, free_port
from tests.e2e.helpers import STARTUP_TIMEOUT, BotProcess, StartBot, clean_env, wait_http_ok
from tests.fakes.bot_api import Call, FakeBotAPI, make_message_update

pytestmark = pytest.mark.e2e

WEBHOOK_URL = "https://bot.example.org/tg/webhook"
WEBHOOK_SECRET = "e2e-secret-Token_1"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
USER_ID = 700_001
# Start-up INFO logs (migrations) are fine; the failure itself must be one line.
QUIET = {"LOG_LEVEL": "WARNING"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def to_chat(chat_id: int) -> Callable[[Call], bool]:
    def predicate(call: Call) -> bool:
        return call.chat_id == chat_id

    return predicate


async def wait_for_text(api: FakeBotAPI, chat_id: int, *needles: str) -> str:
    """Wait until the messages sent to ``chat_id`` contain every needle; return them joined."""
    count = 1
    while True:
        try:
            await api.wait_for("sendMessage", count, STARTUP_TIMEOUT, to_chat(chat_id))
        except TimeoutError:
            sent = [(c.status, c.params.get("text")) for c in api.calls_to(chat_id)]
            msg = f"no message to {chat_id} with {needles}; sent: {sent}"
            raise AssertionError(msg) from None
        joined = "\n".join(api.sent_texts(chat_id))
        if all(needle in joined for needle in needles):
            return joined
        count = len(api.calls_to(chat_id, "sendMessage")) + 1


async def assert_exits_cleanly(process: BotProcess) -> None:
    process.terminate()
    code = await process.wait_exit()
    stderr = process.stderr()
    assert code == 0, stderr
    assert "Traceback" not in stderr, stderr
    assert TOKEN.split(":", 1)[1] not in stderr  # the token's secret is never logged


async def assert_fails_with_one_line(process: BotProcess, *mentions: str) -> str:
    """The process exits non-zero with one line on stderr (at LOG_LEVEL=WARNING)."""
    code = await process.wait_exit(STARTUP_TIMEOUT)
    stderr = process.stderr()
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert code != 0, stderr
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, stderr
    assert any(m.lower() in lines[0].lower() for m in mentions), stderr
    return lines[0]


# --------------------------------------------------------------------- polling


async def test_polling_start_sends_unofficial_notice_and_fraud_warning(
    fake_api: FakeBotAPI, bot_env: dict[str, str], start_bot: StartBot
) -> None:
    process = await start_bot(bot_env)
    await fake_api.wait_for("getUpdates", timeout=STARTUP_TIMEOUT)

    fake_api.push_update(make_message_update(USER_ID, "/start"))
    welcome = await wait_for_text(fake_api, USER_ID, "非官方", "诈骗")

    assert "非官方渠道" in welcome
    assert fake_api.calls_of("sendMessage")[0].params.get("parse_mode") == "HTML"
    assert process.returncode is None


async def test_polling_prepares_webhook_and_commands_before_polling(
    fake_api: FakeBotAPI, bot_env: dict[str, str], start_bot: StartBot
) -> None:
    await start_bot(bot_env)
    await fake_api.wait_for("getUpdates", timeout=STARTUP_TIMEOUT)

    methods = [c.method for c in fake_api.calls]
    first_poll = methods.index("getUpdates")
    assert "deleteWebhook" in methods[:first_poll]
    assert methods.index("setMyCommands") < first_poll
    english = fake_api.commands[("default", "en")]
    chinese = [cmds for (_, lang), cmds in fake_api.commands.items() if lang != "en"]
    english_by_command = {c["command"]: c["description"] for c in english}
    assert not CJK.search(english_by_command["start"] + english_by_command["help"])
    assert chinese
    assert all(CJK.search(c["description"]) for cmds in chinese for c in cmds)


async def test_polling_english_user_gets_english_welcome(
    fake_api: FakeBotAPI, bot_env: dict[str, str], start_bot: StartBot
) -> None:
    await start_bot(bot_env)
    await fake_api.wait_for("getUpdates", timeout=STARTUP_TIMEOUT)

    fake_api.push_update(make_message_update(USER_ID, "/start", language_code="en"))
    await fake_api.wait_for("sendMessage", timeout=STARTUP_TIMEOUT, predicate=to_chat(USER_ID))

    welcome = fake_api.sent_texts(USER_ID)[0].lower()
    assert "not an official" in welcome or "unofficial" in welcome
    assert "fraud" in welcome


async def test_polling_exits_zero_on_sigterm(
    fake_api: FakeBotAPI, bot_env: dict[str, str], start_bot: StartBot
) -> None:
    process = await start_bot(bot_env)
    await fake_api.wait_for("getUpdates", timeout=STARTUP_TIMEOUT)

    await assert_exits_cleanly(process)


async def test_polling_survives_bot_api_errors(
    fake_api: FakeBotAPI, bot_env: dict[str, str], start_bot: StartBot
) -> None:
    process = await start_bot(bot_env)
    await fake_api.wait_for("getUpdates", timeout=STARTUP_TIMEOUT)
    fake_api.fail("getUpdates", status=502)
    fake_api.block(USER_ID + 1)

    fake_api.push_update(make_message_update(USER_ID + 1, "/start"))
    fake_api.push_update(make_message_update(USER_ID, "/start"))
    await wait_for_text(fake_api, USER_ID, "非官方")
    # The two updates are handled concurrently: the blocked user's reply may come second.
    [blocked] = await fake_api.wait_for(
        "sendMessage", predicate=lambda call: call.chat_id == USER_ID + 1, timeout=15
    )

    assert [c.status for c in fake_api.calls_of("getUpdates")].count(502) == 1
    assert blocked.status == 403
    assert process.returncode is None
    await assert_exits_cleanly(process)


async def test_polling_sends_nothing_more_to_a_user_who_blocked_the_bot(
    fake_api: FakeBotAPI, bot_env: dict[str, str], start_bot: StartBot
) -> None:
    process = await start_bot(bot_env)
    await fake_api.wait_for("getUpdates", timeout=STARTUP_TIMEOUT)
    fake_api.block(USER_ID + 1)

    fake_api.push_update(make_message_update(USER_ID + 1, "/start"))
    await fake_api.wait_for("sendMessage", timeout=STARTUP_TIMEOUT, predicate=to_chat(USER_ID + 1))
    # Another user's whole round trip, then a clean exit: anything the bot still meant to
    # send to the blocked chat would have gone out by then.
    fake_api.push_update(make_message_update(USER_ID, "/start"))
    await wait_for_text(fake_api, USER_ID, "非官方")
    await assert_exits_cleanly(process)

    assert [c.status for c in fake_api.calls_to(USER_ID + 1)] == [403]


# --------------------------------------------------------------------- webhook


@pytest.fixture
def webhook_env(bot_env: dict[str, str], unused_port: int) -> dict[str, str]:
    return bot_env | {
        "WEBHOOK_URL": WEBHOOK_URL,
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(unused_port),
    }


@pytest.fixture
def webhook_base(unused_port: int) -> str:
    return f"http://127.0.0.1:{unused_port}"


async def start_webhook_bot(
    fake_api: FakeBotAPI, start_bot: StartBot, env: dict[str, str], base: str
) -> BotProcess:
    process = await start_bot(env)
    await fake_api.wait_for("setWebhook", timeout=STARTUP_TIMEOUT)
    await wait_http_ok(f"{base}/healthz")
    return process


async def post_update(base: str, update: dict[str, Any], secret: str | None) -> int:
    headers = {} if secret is None else {SECRET_HEADER: secret}
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=STARTUP_TIMEOUT)) as http,
        http.post(f"{base}/tg/webhook", json=update, headers=headers) as resp,
    ):
        await resp.read()
        return resp.status


async def test_webhook_registers_url_secret_and_serves_healthz(
    fake_api: FakeBotAPI, start_bot: StartBot, webhook_env: dict[str, str], webhook_base: str
) -> None:
    await start_webhook_bot(fake_api, start_bot, webhook_env, webhook_base)

    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{webhook_base}/healthz") as resp,
    ):
        health = await resp.json()
    set_webhook = fake_api.calls_of("setWebhook")[0]

    assert health == {"status": "ok"}
    assert set_webhook.params["url"] == WEBHOOK_URL
    assert set_webhook.params["secret_token"] == WEBHOOK_SECRET
    assert fake_api.calls_of("getUpdates") == []


async def test_webhook_start_with_secret_sends_welcome(
    fake_api: FakeBotAPI, start_bot: StartBot, webhook_env: dict[str, str], webhook_base: str
) -> None:
    await start_webhook_bot(fake_api, start_bot, webhook_env, webhook_base)

    status = await post_update(
        webhook_base, make_message_update(USER_ID, "/start", update_id=1), WEBHOOK_SECRET
    )
    welcome = await wait_for_text(fake_api, USER_ID, "非官方", "诈骗")

    assert status == 200
    assert "非官方渠道" in welcome


@pytest.mark.parametrize("secret", [None, "wrong-secret"], ids=["missing", "wrong"])
async def test_webhook_rejects_bad_secret_and_sends_nothing(
    fake_api: FakeBotAPI,
    start_bot: StartBot,
    webhook_env: dict[str, str],
    webhook_base: str,
    secret: str | None,
) -> None:
    await start_webhook_bot(fake_api, start_bot, webhook_env, webhook_base)

    rejected = await post_update(
        webhook_base, make_message_update(USER_ID, "/start", update_id=1), secret
    )
    # A good update afterwards proves the bot is answering; the rejected one left no trace.
    accepted = await post_update(
        webhook_base, make_message_update(USER_ID + 1, "/start", update_id=2), WEBHOOK_SECRET
    )
    await fake_api.wait_for("sendMessage", timeout=STARTUP_TIMEOUT, predicate=to_chat(USER_ID + 1))

    assert (rejected, accepted) == (401, 200)
    assert fake_api.calls_to(USER_ID) == []


async def test_webhook_exits_zero_on_sigterm(
    fake_api: FakeBotAPI, start_bot: StartBot, webhook_env: dict[str, str], webhook_base: str
) -> None:
    process = await start_webhook_bot(fake_api, start_bot, webhook_env, webhook_base)

    await assert_exits_cleanly(process)


async def test_webhook_answers_many_users_concurrently(
    fake_api: FakeBotAPI, start_bot: StartBot, webhook_env: dict[str, str], webhook_base: str
) -> None:
    await start_webhook_bot(fake_api, start_bot, webhook_env, webhook_base)
    users = range(USER_ID, USER_ID + 20)

    statuses = await asyncio.gather(
        *(
            post_update(webhook_base, make_message_update(u, "/help", update_id=i), WEBHOOK_SECRET)
            for i, u in enumerate(users, start=1)
        )
    )
    await fake_api.wait_for("sendMessage", count=len(users), timeout=STARTUP_TIMEOUT)

    assert set(statuses) == {200}
    assert {c.chat_id for c in fake_api.calls_of("sendMessage")} == set(users)


# --------------------------------------------------------------------- bad configuration


async def test_malformed_token_fails_with_one_line(
    bot_env: dict[str, str], start_bot: StartBot
) -> None:
    process = await start_bot(bot_env | QUIET | {"BOT_TOKEN": "abc"})

    line = await assert_fails_with_one_line(process, "BOT_TOKEN")

    assert "abc" not in line  # the token is never echoed


async def test_unreachable_database_fails_with_one_line(
    bot_env: dict[str, str], start_bot: StartBot
) -> None:
    url = "postgresql+asyncpg://u@127.0.0.1:1/x"
    process = await start_bot(bot_env | QUIET | {"DATABASE_URL": url})

    await assert_fails_with_one_line(process, "database")


@pytest.fixture
def occupied_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


async def test_webhook_port_in_use_fails_with_one_line(
    webhook_env: dict[str, str], start_bot: StartBot, occupied_port: int
) -> None:
    process = await start_bot(webhook_env | QUIET | {"WEBHOOK_PORT": str(occupied_port)})

    await assert_fails_with_one_line(process, str(occupied_port))


async def test_unreachable_bot_api_fails_with_one_line(
    bot_env: dict[str, str], start_bot: StartBot
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    process = await start_bot(bot_env | QUIET | {"TELEGRAM_API_URL": url})

    await assert_fails_with_one_line(process, "Bot API", url)


def test_clean_env_drops_bot_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "1:x")
    monkeypatch.setenv("WEBHOOK_PORT", "1")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1")
    monkeypatch.setenv("WECHAT_APP_ID", "wx1")

    env = clean_env()

    assert not {"BOT_TOKEN", "WEBHOOK_PORT", "REDIS_URL", "WECHAT_APP_ID"} & env.keys()


async def test_webhook_benchmark_runs_and_reports_the_target() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.bench_webhook",
        *("--updates", "20", "--concurrency", "4", "--warmup", "5", "--rounds", "1"),
        cwd=REPO_ROOT,
        env=clean_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(proc.communicate(), 180)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()

    report = stdout.decode()
    assert proc.returncode == 0, stderr.decode()
    assert re.search(r"echo bot .*\d+\.\d updates/s", report), report
    assert re.search(r"assistant .*\d+\.\d updates/s", report), report
    assert "target: >= 70% of echo" in report
    assert re.search(r"plain mode: .*\d+\.\d updates/s", report), report
    assert re.search(r"safe mode \(AES\): .*\d+\.\d updates/s", report), report
    assert re.search(r"assistant over WeChat .*\d+\.\d updates/s", report), report
    assert "its passive reply to /help begins: 怎么用" in report
    assert "endpoint's passive reply: 报名" in report
