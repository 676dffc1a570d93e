"""The fake Bot API behaves like Telegram for aiogram's real HTTP session."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeDefault,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)

from tests.conftest import REPO_ROOT, TOKEN
from tests.fakes.bot_api import (
    FakeBotAPI,
    UploadedFile,
    make_callback_update,
    make_document_update,
    make_message_update,
    make_sticker_update,
)

USER_ID = 424242
# The fake's own checks (a slow loop when only the bot changed): timeouts, a process.
pytestmark = pytest.mark.slow


@pytest.fixture
async def client_bot(fake_api: FakeBotAPI) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake_api.url))
    bot = Bot(TOKEN, session=session)
    yield bot
    await session.close()


async def test_fake_send_message_returns_message_and_records_call(
    fake_api: FakeBotAPI, client_bot: Bot
) -> None:
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="待办", callback_data="todo")]]
    )

    first = await client_bot.send_message(USER_ID, "<b>你好</b> &amp; hi", parse_mode="HTML")
    second = await client_bot.send_message(USER_ID, "42", reply_markup=markup)

    assert first.text == "你好 & hi"
    assert first.chat.id == USER_ID
    assert first.from_user is not None and first.from_user.is_bot
    assert second.message_id > first.message_id
    assert second.reply_markup is not None
    assert second.reply_markup.inline_keyboard[0][0].callback_data == "todo"
    call = fake_api.calls_of("sendMessage")[1]
    assert call.token == TOKEN
    assert call.params["chat_id"] == USER_ID
    assert call.params["text"] == "42"  # free text is never JSON-decoded
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "todo"
    assert fake_api.sent_texts(USER_ID) == ["<b>你好</b> &amp; hi", "42"]
    assert fake_api.sent_texts(USER_ID + 1) == []


async def test_fake_accepts_json_and_query_parameters(fake_api: FakeBotAPI) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{fake_api.url}/bot{TOKEN}/sendMessage", json={"chat_id": 7, "text": "json"}
        ) as resp:
            body = await resp.json()
        async with http.get(
            f"{fake_api.url}/bot{TOKEN}/sendMessage", params={"chat_id": "8", "text": "1"}
        ) as resp:
            assert resp.status == 200

    assert body["ok"] is True
    assert body["result"]["text"] == "json"
    assert [(c.chat_id, c.params["text"]) for c in fake_api.calls] == [(7, "json"), (8, "1")]


async def test_fake_429_surfaces_as_retry_after_once(
    fake_api: FakeBotAPI, client_bot: Bot
) -> None:
    fake_api.fail("sendMessage", retry_after=7)

    with pytest.raises(TelegramRetryAfter) as caught:
        await client_bot.send_message(USER_ID, "first")
    await client_bot.send_message(USER_ID, "second")

    assert caught.value.retry_after == 7
    failed, succeeded = fake_api.calls_of("sendMessage")
    assert (failed.status, failed.outcome) == (429, "Too Many Requests: retry after 7")
    assert failed.response is not None
    assert failed.response["parameters"] == {"retry_after": 7}
    assert succeeded.ok
    assert fake_api.sent_texts() == ["second"]


async def test_fake_fault_for_one_chat_leaves_others_alone(
    fake_api: FakeBotAPI, client_bot: Bot
) -> None:
    fake_api.fail("sendMessage", status=400, chat_id=USER_ID, times=None)

    await client_bot.send_message(USER_ID + 1, "other chat")
    for _ in range(2):
        with pytest.raises(TelegramBadRequest, match="chat not found"):
            await client_bot.send_message(USER_ID, "missing chat")

    fake_api.clear_faults()
    await client_bot.send_message(USER_ID, "found again")
    assert fake_api.sent_texts() == ["other chat", "found again"]


async def test_fake_server_errors_surface_as_server_error(
    fake_api: FakeBotAPI, client_bot: Bot
) -> None:
    fake_api.fail("sendMessage", status=502)

    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await client_bot.send_message(USER_ID, "x")


async def test_fake_blocked_chat_gets_403_until_unblocked(
    fake_api: FakeBotAPI, client_bot: Bot
) -> None:
    fake_api.block(USER_ID)

    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await client_bot.send_message(USER_ID, "blocked")
    await client_bot.send_message(USER_ID + 1, "not blocked")
    fake_api.unblock(USER_ID)
    await client_bot.send_message(USER_ID, "unblocked")

    assert [c.outcome for c in fake_api.calls_to(USER_ID)] == [
        "Forbidden: bot was blocked by the user",
        "ok",
    ]


@pytest.mark.slow
async def test_fake_delay_causes_client_timeout(fake_api: FakeBotAPI, client_bot: Bot) -> None:
    fake_api.fail("sendMessage", status=None, delay=1.5)

    with pytest.raises(TelegramNetworkError, match="timeout"):
        await client_bot.send_message(USER_ID, "slow", request_timeout=1)
    # A slow answer is still a good one for a patient client.
    fake_api.fail("sendMessage", status=None, delay=0.2)
    await client_bot.send_message(USER_ID, "patient", request_timeout=5)

    patient = fake_api.calls_of("sendMessage")[1]
    assert patient.answered_at is not None
    assert patient.answered_at - patient.time >= 0.2


async def test_fake_long_poll_wakes_on_push_and_honours_offset(
    fake_api: FakeBotAPI, client_bot: Bot
) -> None:
    loop = asyncio.get_running_loop()
    poll = asyncio.create_task(client_bot.get_updates(timeout=10, request_timeout=20))
    await fake_api.wait_for("getUpdates")
    started = loop.time()

    pushed = fake_api.push_update(make_message_update(USER_ID, "/start"))
    updates = await asyncio.wait_for(poll, 5)

    assert loop.time() - started < 2  # woke on the push, not at the poll timeout
    assert [u.update_id for u in updates] == [pushed["update_id"]]
    message = updates[0].message
    assert message is not None and message.text == "/start"
    again = await client_bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [pushed["update_id"]]  # not confirmed yet
    assert await client_bot.get_updates(offset=pushed["update_id"] + 1, timeout=0) == []
    assert fake_api.pending_updates == []


@pytest.mark.slow
async def test_fake_long_poll_returns_empty_after_timeout(
    fake_api: FakeBotAPI, client_bot: Bot
) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()

    updates = await client_bot.get_updates(timeout=1)

    assert updates == []
    assert 0.9 <= loop.time() - started < 3


async def test_fake_get_updates_conflicts_with_webhook(
    fake_api: FakeBotAPI, client_bot: Bot
) -> None:
    await client_bot.set_webhook("https://bot.example.org/tg/webhook", secret_token="s3cret")

    with pytest.raises(TelegramConflictError):
        await client_bot.get_updates(timeout=0)
    info = await client_bot.get_webhook_info()
    await client_bot.delete_webhook()

    assert fake_api.webhook is None
    assert info.url == "https://bot.example.org/tg/webhook"
    assert fake_api.calls_of("setWebhook")[0].params["secret_token"] == "s3cret"
    assert await client_bot.get_updates(timeout=0) == []


async def test_fake_file_download(fake_api: FakeBotAPI, client_bot: Bot) -> None:
    fake_api.add_file("doc-1", "姓名,考区\n张三,北京\n".encode(), "documents/file_1.csv")

    file = await client_bot.get_file("doc-1")
    assert file.file_path == "documents/file_1.csv"
    downloaded = await client_bot.download_file(file.file_path)

    assert downloaded is not None
    assert downloaded.read().decode() == "姓名,考区\n张三,北京\n"
    assert fake_api.downloads == ["documents/file_1.csv"]
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await client_bot.get_file("missing")


async def test_fake_records_uploaded_document(fake_api: FakeBotAPI, client_bot: Bot) -> None:
    sent = await client_bot.send_document(
        USER_ID, BufferedInputFile(b"a,b\n", filename="report.csv"), caption="报告"
    )

    assert sent.document is not None and sent.document.file_name == "report.csv"
    assert sent.caption == "报告"
    uploaded = fake_api.calls_of("sendDocument")[0].params["document"]
    assert isinstance(uploaded, UploadedFile)
    assert (uploaded.filename, uploaded.content) == ("report.csv", b"a,b\n")
    # What the bot uploaded can be fetched back, as on Telegram.
    assert (await client_bot.get_file(sent.document.file_id)).file_size == 4


async def test_fake_stores_commands_per_language(fake_api: FakeBotAPI, client_bot: Bot) -> None:
    await client_bot.set_my_commands([BotCommand(command="start", description="开始")])
    await client_bot.set_my_commands(
        [BotCommand(command="start", description="Start")],
        scope=BotCommandScopeDefault(),
        language_code="en",
    )

    # An explicit default scope is the same as none, as on Telegram.
    assert fake_api.commands == {
        ("default", ""): [{"command": "start", "description": "开始"}],
        ("default", "en"): [{"command": "start", "description": "Start"}],
    }
    fetched = await client_bot.get_my_commands(language_code="en")
    assert [(c.command, c.description) for c in fetched] == [("start", "Start")]


async def test_fake_records_per_chat_times_in_order(fake_api: FakeBotAPI, client_bot: Bot) -> None:
    for text in ("a", "b", "c"):
        await client_bot.send_message(USER_ID, text)
    await client_bot.send_message(USER_ID + 1, "other")

    times = fake_api.chat_times(USER_ID)

    assert len(times) == 3
    assert times == sorted(times)
    assert len(fake_api.chat_times(USER_ID + 1, "sendMessage")) == 1


async def test_fake_unknown_method_is_true_and_recorded(fake_api: FakeBotAPI) -> None:
    url = f"{fake_api.url}/bot{TOKEN}/setMyShortDescription"
    async with aiohttp.ClientSession() as http, http.post(url) as resp:
        body = await resp.json()

    assert body == {"ok": True, "result": True}
    assert [c.method for c in fake_api.calls] == ["setMyShortDescription"]


async def test_fake_wait_for_times_out_with_what_was_called(
    fake_api: FakeBotAPI, client_bot: Bot
) -> None:
    await client_bot.get_me()

    with pytest.raises(TimeoutError, match=r"0 of 1 sendMessage.*getMe"):
        await fake_api.wait_for("sendMessage", timeout=0.1)


async def test_fake_wait_for_wakes_on_matching_call(fake_api: FakeBotAPI, client_bot: Bot) -> None:
    waiter = asyncio.create_task(
        fake_api.wait_for("sendMessage", predicate=lambda c: c.chat_id == USER_ID)
    )
    await client_bot.send_message(USER_ID + 1, "not this one")
    await asyncio.sleep(0)
    assert not waiter.done()

    await client_bot.send_message(USER_ID, "this one")

    calls = await asyncio.wait_for(waiter, 1)
    assert [c.params["text"] for c in calls] == ["this one"]


@pytest.mark.parametrize(
    "update",
    [
        make_message_update(USER_ID, "/region 北京"),
        make_message_update(USER_ID, "hello", language_code="en", chat_id=-1001234),
        make_callback_update(USER_ID, "todo:pay", message_id=5),
        make_document_update(USER_ID, file_id="doc-9", caption="/import"),
        make_sticker_update(USER_ID),
    ],
    ids=["command", "group-text", "callback", "document", "sticker"],
)
def test_fake_update_builders_validate_as_aiogram_updates(update: dict[str, Any]) -> None:
    parsed = Update.model_validate({"update_id": 1, **update})

    event = parsed.message or parsed.callback_query
    assert event is not None
    assert event.from_user is not None and event.from_user.id == USER_ID


def test_fake_command_update_has_bot_command_entity() -> None:
    update = make_message_update(USER_ID, "/region 北京")

    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 7}]
    assert update["message"]["from"]["language_code"] == "zh-hans"


async def test_fake_runs_as_standalone_process(unused_port: int) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakes.bot_api",
        "--port",
        str(unused_port),
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 15)
        url = line.decode().removeprefix("listening on ").strip()
        assert url == f"http://127.0.0.1:{unused_port}"
        async with aiohttp.ClientSession() as http:
            await http.post(f"{url}/bot{TOKEN}/sendMessage", data={"chat_id": "1", "text": "x"})
            async with http.get(f"{url}/_fake/wait?method=sendMessage&count=1") as resp:
                assert (await resp.json())["ok"] is True
            async with http.get(f"{url}/_fake/stats") as resp:
                assert (await resp.json())["counts"] == {"sendMessage": 1}

        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 10) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
