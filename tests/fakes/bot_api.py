"""A fake Telegram Bot API server for end-to-end tests and benchmarks.

It speaks the HTTP surface aiogram uses (``TelegramAPIServer.from_base(url)``):
``{base}/bot{token}/{method}`` with JSON, urlencoded or multipart parameters, and
``{base}/file/bot{token}/{path}`` for downloads. Every call is recorded with its parsed
parameters and its outcome; faults (429, 5xx, 403, 400, slow answers) are queued per method.

In-process::

    async with FakeBotAPI() as api:
        bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api.url)))

As a process (benchmarks): ``python -m tests.fakes.bot_api --port 8081``. It prints
``listening on http://127.0.0.1:8081`` once ready and serves a small control API under
``/_fake/`` for the process that drives it:

- ``GET stats``: call counts per method and of failed calls;
- ``GET wait?method=&count=&timeout=``: wait for that many calls;
- ``GET calls?method=&limit=``: the last calls with their parameters and status;
- ``POST reset``: forget calls and faults.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import itertools
import json
import re
import secrets
import signal
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from aiohttp import web

__all__ = [
    "Call",
    "FakeBotAPI",
    "Fault",
    "UploadedFile",
    "make_callback_update",
    "make_document_update",
    "make_message_update",
    "make_sticker_update",
]

DEFAULT_BOT_ID = 123456

# Parameters whose values are free text: never JSON-decode them, or a text of "42" or "true"
# would come back as a number or a bool. Everything else in a form body is JSON-decoded when
# it parses, which is how aiogram encodes ints, bools and nested objects.
_TEXT_PARAMS = frozenset(
    {"text", "caption", "parse_mode", "callback_query_id", "file_id", "url", "secret_token",
     "language_code"}
)

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    403: "Forbidden: bot was blocked by the user",
    500: "Internal Server Error",
    502: "Bad Gateway",
}

_TAG_RE = re.compile(r"<[^>]+>")
_message_ids = itertools.count(1_000)


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content: bytes
    content_type: str


@dataclass
class Call:
    """One recorded Bot API request and how the fake answered it.

    ``status`` and ``response`` are set when the request arrives (the fake decides its answer
    at once), except for ``getUpdates``, whose ``response`` is filled when the long poll ends.
    ``answered_at`` is set once the answer is sent back (after any injected delay).
    """

    method: str
    params: dict[str, Any]
    token: str
    time: float
    status: int = 200
    response: dict[str, Any] | None = None
    answered_at: float | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> int | str | None:
        value = self.params.get("chat_id")
        return value if isinstance(value, int | str) else None

    @property
    def outcome(self) -> str:
        """``"ok"`` or the error description sent back."""
        if self.ok:
            return "ok"
        return str((self.response or {}).get("description", self.status))

    @property
    def result(self) -> Any:
        return (self.response or {}).get("result")


@dataclass
class Fault:
    """A queued failure for calls of one method (and chat, when ``chat_id`` is set)."""

    method: str
    times: int | None
    status: int | None
    retry_after: int | None
    description: str | None
    chat_id: int | str | None
    delay: float | None

    def matches(self, method: str, chat_id: int | str | None) -> bool:
        if self.method.lower() != method.lower():
            return False
        return self.chat_id is None or _same_chat(self.chat_id, chat_id)


@dataclass
class _StoredFile:
    file_id: str
    content: bytes
    file_path: str


def _same_chat(a: int | str | None, b: int | str | None) -> bool:
    return a is not None and b is not None and str(a) == str(b)


def _decode_form_value(key: str, value: str) -> Any:
    if key in _TEXT_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _error(status: int, description: str, retry_after: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return body


def _chat(chat_id: int | str) -> dict[str, Any]:
    numeric = int(chat_id)
    if numeric > 0:
        return {"id": numeric, "type": "private", "first_name": "考生"}
    return {"id": numeric, "type": "supergroup", "title": "Group"}


def _user(user_id: int, language_code: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "考生"}
    if language_code is not None:
        user["language_code"] = language_code
    return user


def _plain_text(text: str, parse_mode: Any) -> str:
    # Telegram answers with the text as the user sees it: markup removed, entities decoded.
    if isinstance(parse_mode, str) and parse_mode.upper() == "HTML":
        return html.unescape(_TAG_RE.sub("", text))
    return text


class FakeBotAPI:
    """An in-process (or standalone) fake of the Telegram Bot API over HTTP."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.calls: list[Call] = []
        self.downloads: list[str] = []
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.webhook: str | None = None  # its URL, once set
        self._faults: list[Fault] = []
        self._blocked: set[str] = set()
        self._files: dict[str, _StoredFile] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._changed = asyncio.Event()
        self._updates_changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.app = self._build_app()

    # ----------------------------------------------------------------- lifecycle

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        self._closing = True
        self._notify_updates()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ----------------------------------------------------------------- test controls

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates, numbering it when it has no ``update_id``."""
        update = dict(update)
        if "update_id" not in update:
            update["update_id"] = self._next_update_id
        self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        self._updates.append(update)
        self._notify_updates()
        return update

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return list(self._updates)

    def add_file(self, file_id: str, content: bytes, file_path: str) -> None:
        self._files[file_id] = _StoredFile(file_id, content, file_path)

    def fail(
        self,
        method: str,
        *,
        times: int | None = 1,
        status: int | None = 429,
        retry_after: int | None = None,
        description: str | None = None,
        chat_id: int | str | None = None,
        delay: float | None = None,
    ) -> Fault:
        """Make the next ``times`` calls of ``method`` fail (``times=None``: until cleared).

        ``status=None`` answers normally, which with ``delay`` makes a slow but good answer.
        A 429 carries ``retry_after`` (1 unless given).
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        fault = Fault(method, times, status, retry_after, description, chat_id, delay)
        self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self._faults.clear()

    def block(self, chat_id: int | str) -> None:
        """Answer every call addressed to ``chat_id`` with 403 until ``unblock``."""
        self._blocked.add(str(chat_id))

    def unblock(self, chat_id: int | str) -> None:
        self._blocked.discard(str(chat_id))

    def reset(self) -> None:
        """Forget recorded calls, downloads and faults (files and updates stay)."""
        self.calls.clear()
        self.downloads.clear()
        self._faults.clear()

    # ----------------------------------------------------------------- inspection

    def calls_of(self, method: str) -> list[Call]:
        wanted = method.lower()
        return [call for call in self.calls if call.method.lower() == wanted]

    def calls_to(self, chat_id: int | str, method: str | None = None) -> list[Call]:
        return [
            call
            for call in (self.calls if method is None else self.calls_of(method))
            if _same_chat(call.chat_id, chat_id)
        ]

    def chat_times(self, chat_id: int | str, method: str | None = None) -> list[float]:
        """Monotonic arrival times of the calls addressed to ``chat_id``, in order."""
        return [call.time for call in self.calls_to(chat_id, method)]

    def sent_texts(self, chat_id: int | str | None = None) -> list[str]:
        """Texts of the sendMessage calls that succeeded, optionally for one chat."""
        return [
            str(call.params.get("text", ""))
            for call in self.calls_of("sendMessage")
            if call.ok and (chat_id is None or _same_chat(call.chat_id, chat_id))
        ]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for the whole wait, as wait_for
        predicate: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Wait until ``count`` calls of ``method`` (matching ``predicate``) have arrived."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            # Take the event before checking, so a call recorded in between still wakes us.
            changed = self._changed
            matching = [c for c in self.calls_of(method) if predicate is None or predicate(c)]
            if len(matching) >= count:
                return matching
            remaining = deadline - loop.time()
            if remaining <= 0:
                seen = ", ".join(sorted({c.method for c in self.calls})) or "none"
                msg = (
                    f"{len(matching)} of {count} {method} call(s) within {timeout} s; "
                    f"methods called: {seen}"
                )
                raise TimeoutError(msg)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    # ----------------------------------------------------------------- HTTP

    def _build_app(self) -> web.Application:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_get("/_fake/stats", self._handle_stats)
        app.router.add_get("/_fake/wait", self._handle_wait)
        app.router.add_get("/_fake/calls", self._handle_calls)
        app.router.add_post("/_fake/reset", self._handle_reset)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        return app

    async def _handle_method(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        params = await self._read_params(request)
        call = Call(method=method, params=params, token=token, time=time.monotonic())
        self.calls.append(call)
        delay = self._decide(call)
        self._notify_calls()
        if method.lower() == "getupdates" and call.ok:
            call.response = {"ok": True, "result": await self._long_poll(params)}
        if delay:
            await asyncio.sleep(delay)
        call.answered_at = time.monotonic()
        self._notify_calls()
        return web.json_response(call.response, status=call.status, dumps=_dumps)

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = {
            key: _decode_form_value(key, value) for key, value in request.query.items()
        }
        files: dict[str, UploadedFile] = {}
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
        elif request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = UploadedFile(
                        value.filename, value.file.read(), value.content_type
                    )
                elif isinstance(value, str):
                    params[key] = _decode_form_value(key, value)
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                uploaded = files.get(value.removeprefix("attach://"))
                if uploaded is not None:
                    params[key] = uploaded
        return params

    def _decide(self, call: Call) -> float | None:
        """Set the call's status and response; return the delay before answering."""
        fault = self._take_fault(call)
        if fault is None and call.chat_id is not None and str(call.chat_id) in self._blocked:
            call.status, call.response = 403, _error(403, _DEFAULT_DESCRIPTIONS[403])
            return None
        if fault is not None and fault.status is not None:
            status = fault.status
            description = fault.description or _DEFAULT_DESCRIPTIONS.get(status, "Error")
            if status == 429 and fault.description is None:
                description = f"Too Many Requests: retry after {fault.retry_after}"
            call.status, call.response = status, _error(status, description, fault.retry_after)
            return fault.delay
        try:
            result = self._result(call)
        except _APIError as exc:
            call.status, call.response = exc.status, _error(exc.status, exc.description)
        else:
            call.response = {"ok": True, "result": result}
        return fault.delay if fault is not None else None

    def _take_fault(self, call: Call) -> Fault | None:
        for fault in self._faults:
            if fault.matches(call.method, call.chat_id):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                return fault
        return None

    async def _long_poll(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = params.get("offset")
        if isinstance(offset, int):
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        timeout = params.get("timeout")
        wait = float(timeout) if isinstance(timeout, int | float) and timeout > 0 else 0.0
        deadline = asyncio.get_running_loop().time() + wait
        while not self._updates and not self._closing:
            changed = self._updates_changed
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)
        return list(self._updates)

    async def _handle_file(self, request: web.Request) -> web.Response:
        path = request.match_info["file_path"]
        self.downloads.append(path)
        for stored in self._files.values():
            if stored.file_path == path:
                return web.Response(body=stored.content, content_type="application/octet-stream")
        return web.json_response(_error(404, "Not Found"), status=404)

    async def _handle_stats(self, request: web.Request) -> web.Response:
        counts: dict[str, int] = {}
        for call in self.calls:
            counts[call.method] = counts.get(call.method, 0) + 1
        failed = sum(1 for call in self.calls if not call.ok)
        return web.json_response({"total": len(self.calls), "failed": failed, "counts": counts})

    async def _handle_wait(self, request: web.Request) -> web.Response:
        method = request.query.get("method", "sendMessage")
        count = int(request.query.get("count", "1"))
        timeout = float(request.query.get("timeout", "5"))
        try:
            calls = await self.wait_for(method, count, timeout)
        except TimeoutError:
            return web.json_response({"ok": False, "count": len(self.calls_of(method))})
        return web.json_response({"ok": True, "count": len(calls)})

    async def _handle_calls(self, request: web.Request) -> web.Response:
        method = request.query.get("method")
        limit = int(request.query.get("limit", "10"))
        calls = self.calls if method is None else self.calls_of(method)
        body = [
            {"method": c.method, "params": c.params, "status": c.status} for c in calls[-limit:]
        ]
        return web.json_response(body, dumps=_dumps)

    async def _handle_reset(self, request: web.Request) -> web.Response:
        self.reset()
        return web.json_response({"ok": True})

    def _notify_calls(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _notify_updates(self) -> None:
        self._updates_changed.set()
        self._updates_changed = asyncio.Event()

    # ----------------------------------------------------------------- results

    def _bot_user(self, token: str) -> dict[str, Any]:
        prefix = token.split(":", 1)[0]
        return {
            "id": int(prefix) if prefix.isdigit() else DEFAULT_BOT_ID,
            "is_bot": True,
            "first_name": "考试助手（测试）",
            "username": "exam_assistant_test_bot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _message(self, call: Call, **extra: Any) -> dict[str, Any]:
        chat_id = call.chat_id
        if chat_id is None:
            raise _APIError(400, "Bad Request: chat_id is empty")
        message: dict[str, Any] = {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "chat": _chat(chat_id),
            "from": self._bot_user(call.token),
        }
        markup = call.params.get("reply_markup")
        # Message.reply_markup can only be an inline keyboard; reply keyboards are not echoed.
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        message.update(extra)
        return message

    def _store_upload(self, value: Any, kind: str) -> dict[str, Any]:
        if isinstance(value, UploadedFile):
            content, name = value.content, value.filename
        else:
            content, name = b"", str(value).rsplit("/", 1)[-1]
        file_id = f"{kind}-{secrets.token_hex(6)}"
        self.add_file(file_id, content, f"{kind}s/{name}")
        return {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_size": len(content),
            "file_name": name,
        }

    def _result(self, call: Call) -> Any:
        method = call.method.lower()
        params = call.params
        if method == "getme":
            return self._bot_user(call.token)
        if method == "getupdates":
            if self.webhook is not None:
                raise _APIError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            return []
        if method == "sendmessage":
            text = str(params.get("text", ""))
            if not text.strip():
                raise _APIError(400, "Bad Request: message text is empty")
            if len(_plain_text(text, params.get("parse_mode"))) > 4096:
                raise _APIError(400, "Bad Request: message is too long")
            return self._message(call, text=_plain_text(text, params.get("parse_mode")))
        if method == "editmessagetext":
            message = self._message(call, text=str(params.get("text", "")))
            message["message_id"] = params.get("message_id", message["message_id"])
            message["edit_date"] = int(time.time())
            return message
        if method == "editmessagereplymarkup":
            message = self._message(call, text="")
            message["message_id"] = params.get("message_id", message["message_id"])
            return message
        if method == "senddocument":
            document = self._store_upload(params.get("document"), "document")
            return self._message(call, document=document, **self._caption(params))
        if method == "getfile":
            stored = self._files.get(str(params.get("file_id")))
            if stored is None:
                raise _APIError(400, "Bad Request: invalid file_id")
            return {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_id,
                "file_size": len(stored.content),
                "file_path": stored.file_path,
            }
        if method == "setwebhook":
            self.webhook = str(params.get("url", ""))
            return True
        if method == "deletewebhook":
            self.webhook = None
            return True
        if method == "getwebhookinfo":
            return {
                "url": self.webhook or "",
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            }
        if method in {"setmycommands", "deletemycommands", "getmycommands"}:
            return self._commands(method, params)
        return True

    @staticmethod
    def _caption(params: dict[str, Any]) -> dict[str, Any]:
        caption = params.get("caption")
        if not caption:
            return {}
        return {"caption": _plain_text(str(caption), params.get("parse_mode"))}

    def _commands(self, method: str, params: dict[str, Any]) -> Any:
        scope = params.get("scope")
        key = (
            json.dumps(scope, sort_keys=True)
            if scope and scope != {"type": "default"}
            else "default",
            str(params.get("language_code") or ""),
        )
        if method == "setmycommands":
            commands = params.get("commands")
            self.commands[key] = list(commands) if isinstance(commands, list) else []
            return True
        if method == "deletemycommands":
            self.commands.pop(key, None)
            return True
        return self.commands.get(key, [])


class _APIError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        return {"filename": value.filename, "size": len(value.content)}
    raise TypeError(type(value).__name__)


# --------------------------------------------------------------------- update builders


def _message_payload(user_id: int, *, chat_id: int | None = None,
                     language_code: str | None = "zh-hans") -> dict[str, Any]:
    chat = _chat(user_id if chat_id is None else chat_id)
    if chat_id is None:
        chat["first_name"] = "考生"
    return {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat,
        "from": _user(user_id, language_code),
    }


def make_message_update(
    user_id: int,
    text: str,
    *,
    chat_id: int | None = None,
    language_code: str | None = "zh-hans",
    update_id: int | None = None,
) -> dict[str, Any]:
    """Build a text message update from ``user_id`` (a private chat unless ``chat_id``)."""
    message = _message_payload(user_id, chat_id=chat_id, language_code=language_code)
    message["text"] = text
    if text.startswith("/"):
        length = len(text.split(maxsplit=1)[0].encode("utf-16-le")) // 2
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    update: dict[str, Any] = {"message": message}
    return update if update_id is None else {"update_id": update_id, **update}


def make_callback_update(user_id: int, data: str, *, message_id: int = 1) -> dict[str, Any]:
    """Build a callback_query update for a button on the bot's message ``message_id``."""
    chat = _chat(user_id)
    message = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": chat,
        "from": {"id": DEFAULT_BOT_ID, "is_bot": True, "first_name": "考试助手（测试）"},
        "text": "…",
    }
    callback = {
        "id": secrets.token_hex(8),
        "from": _user(user_id, "zh-hans"),
        "chat_instance": str(chat["id"]),
        "data": data,
        "message": message,
    }
    return {"callback_query": callback}


def make_document_update(user_id: int, *, file_id: str, caption: str) -> dict[str, Any]:
    """Build a message update carrying a CSV document (register its bytes with ``add_file``)."""
    message = _message_payload(user_id)
    message["document"] = {
        "file_id": file_id,
        "file_unique_id": f"u-{file_id}",
        "file_name": "candidates.csv",
        "mime_type": "text/csv",
        "file_size": 0,
    }
    message["caption"] = caption
    return {"message": message}


def make_sticker_update(user_id: int) -> dict[str, Any]:
    """Build a message update carrying a sticker (something the bot does not understand)."""
    message = _message_payload(user_id)
    message["sticker"] = {
        "file_id": "sticker-1",
        "file_unique_id": "u-sticker-1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "👍",
    }
    return {"message": message}


# --------------------------------------------------------------------- standalone process


async def serve(host: str, port: int) -> None:
    """Serve until SIGTERM or SIGINT."""
    api = FakeBotAPI(host=host, port=port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with api:
        print(f"listening on {api.url}", flush=True)
        await stop.wait()


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    args = parser.parse_args(None if argv is None else list(argv))
    asyncio.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
