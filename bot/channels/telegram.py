"""The Telegram channel: long polling, or an aiohttp webhook server with /healthz."""

from __future__ import annotations

import asyncio
import errno
import hashlib
import logging
import signal
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramNetworkError,
    TelegramUnauthorizedError,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Update, User
from aiogram.utils.token import TokenValidationError
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from pydantic import ValidationError

from bot import metrics
from bot.config import Settings
from bot.errors import StartupError
from bot.logs import started
from bot.metrics import render_metrics

logger = logging.getLogger(__name__)

class KeepResponseModels(BaseRequestMiddleware):
    """Hold a reference to each `Response[T]` model aiogram parses answers with.

    aiogram builds `Response[method.__returning__]` on every call, and pydantic caches generic
    models only weakly: once the garbage collector has run, the next call rebuilds the model
    and its schema from scratch. That was a tenth of the CPU behind a /help reply.
    """

    def __init__(self) -> None:
        self._models: dict[type[TelegramMethod[Any]], type[Response[Any]]] = {}

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        kind = type(method)
        if kind not in self._models:
            self._models[kind] = Response[method.__returning__]  # type: ignore[name-defined]
        return await make_request(bot, method)


def create_bot(settings: Settings) -> Bot:
    """Build the Bot for BOT_TOKEN, pointed at TELEGRAM_API_URL when set."""
    assert settings.bot_token is not None
    session = AiohttpSession()
    if settings.telegram_api_url:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    try:
        bot = Bot(
            settings.bot_token.get_secret_value(),
            session=session,
            default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
        )
    except TokenValidationError:
        raise StartupError(
            "BOT_TOKEN is malformed: it should look like 123456789:AAH... as given by @BotFather"
        ) from None
    bot.session.middleware(KeepResponseModels())
    return bot


async def check_bot(bot: Bot, settings: Settings) -> User:
    """Ask the Bot API who we are, turning the usual failures into one clear line."""
    try:
        return await bot.get_me()
    except TelegramUnauthorizedError:
        raise StartupError(
            "Telegram rejected BOT_TOKEN (401 Unauthorized); check the token"
        ) from None
    except TelegramNetworkError as exc:
        where = settings.telegram_api_url or "api.telegram.org"
        raise StartupError(f"cannot reach the Bot API at {where}: {exc.message}") from None
    except (TelegramAPIError, ClientDecodeError) as exc:  # a 5xx, or not the Bot API at all
        where = settings.telegram_api_url or "api.telegram.org"
        raise StartupError(
            f"the Bot API at {where} did not answer getMe properly ({type(exc).__name__}); "
            "check TELEGRAM_API_URL"
        ) from None


def webhook_secret(settings: Settings) -> str:
    """Return WEBHOOK_SECRET, or one derived from the token (the same in every process)."""
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    assert settings.bot_token is not None
    return hashlib.sha256(settings.bot_token.get_secret_value().encode()).hexdigest()[:48]


async def run_polling(dp: Dispatcher, bot: Bot) -> None:
    """Long-poll until SIGTERM or SIGINT; aiogram finishes and shuts down cleanly."""
    await bot.delete_webhook(drop_pending_updates=False)
    logger.info("polling for updates")
    metrics_runner = await start_metrics_server(dp.workflow_data["settings"])
    try:
        await dp.start_polling(
            bot, allowed_updates=dp.resolve_used_update_types(), handle_signals=True
        )
    finally:
        if metrics_runner is not None:
            await metrics_runner.cleanup()


async def _healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def _metrics(_request: web.Request) -> web.Response:
    body, content_type = render_metrics()
    return web.Response(body=body, headers={"Content-Type": content_type})


async def start_metrics_server(settings: Settings) -> web.AppRunner | None:
    """Serve GET /metrics on METRICS_PORT in polling mode (the webhook app has its own)."""
    if settings.metrics_port is None:
        return None
    app = web.Application()
    add_health_routes(app)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.webhook_host, settings.metrics_port).start()
    except OSError as exc:
        await runner.cleanup()
        raise StartupError(
            f"cannot serve metrics on port {settings.metrics_port}: {exc.strerror}"
        ) from None
    logger.info("metrics on port %s", settings.metrics_port)
    return runner


class CheckedRequestHandler(SimpleRequestHandler):
    """The webhook handler, answering a body that is no Update once, without a traceback.

    Malformed JSON, `null`, a list, bytes that are not UTF-8, wrong field types or an
    incomplete object get 200 (so Telegram does not send them again), one log line and a
    count in `webhook_rejected_total`."""

    async def _handle_request(self, bot: Bot, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            update = Update.model_validate_json(body, context={"bot": bot})
        except ValidationError as exc:
            reason = exc.errors()[0]["type"]
            metrics.WEBHOOK_REJECTED.labels(reason).inc()
            logger.warning("webhook: refused a body that is no update (%s, %d bytes)", reason,
                           len(body))
            return web.Response(status=200)
        result: TelegramMethod[Any] | None = await self.dispatcher.feed_webhook_update(
            bot, update, **self.data
        )
        return web.Response(body=self._build_response_writer(bot=bot, result=result))


def create_webhook_app(dp: Dispatcher, bot: Bot, settings: Settings) -> web.Application:
    """Build the aiohttp app: the webhook path (secret-checked) and GET /healthz."""
    app = web.Application()
    add_health_routes(app)
    # Handle each update inside its request, so a shutdown waits for the ones in flight.
    CheckedRequestHandler(
        dispatcher=dp, bot=bot, secret_token=webhook_secret(settings), handle_in_background=False
    ).register(app, path=settings.webhook_path)
    setup_application(app, dp, bot=bot, **dp.workflow_data)
    return app


def _bind(host: str, port: int) -> socket.socket:
    """Bind and listen on host:port, or fail with one clear line."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise StartupError(
                f"port {port} is already in use; stop the other program or set WEBHOOK_PORT"
            ) from None
        raise StartupError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.setblocking(False)
    return sock


async def run_webhook(
    dp: Dispatcher,
    bot: Bot,
    settings: Settings,
    *,
    also: Callable[[web.Application], None] | None = None,
) -> None:
    """Serve the webhook until SIGTERM or SIGINT, then finish in-flight updates and stop;
    `also` adds another channel's routes to the same server."""
    url = settings.webhook_url
    assert url is not None
    app = create_webhook_app(dp, bot, settings)
    if also is not None:
        also(app)

    async def register() -> None:
        await bot.set_webhook(
            url,
            secret_token=webhook_secret(settings),
            allowed_updates=dp.resolve_used_update_types(),
        )

    await serve(app, settings, on_serving=register)


class PathAccessLogger(AbstractAccessLogger):
    """The access log without query strings: WeChat puts the user's openid in each push's
    query, and personal data stays out of the logs."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info('%s "%s %s" %s %s %.3fs', request.remote, request.method,
                         request.path, response.status, response.body_length, time)


def add_health_routes(app: web.Application) -> None:
    """GET /healthz and /metrics, as every server of the process has them."""
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/metrics", _metrics)


async def serve(
    app: web.Application,
    settings: Settings,
    *,
    on_serving: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Serve `app` on WEBHOOK_HOST:WEBHOOK_PORT until SIGTERM or SIGINT, then stop (the
    app's cleanup finishes the updates in flight)."""
    # Bind the port first: the runner's set-up starts the scheduler, which must not run
    # (nor log) when the port is taken.
    sock = _bind(settings.webhook_host, settings.webhook_port)
    started(settings.log_level)
    runner = await _start(app, sock)
    try:
        if on_serving is not None:
            await on_serving()
        logger.info("server listening on port %s", settings.webhook_port)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        logger.info("stopping: finishing updates in flight")
    finally:
        await runner.cleanup()


async def start_side_server(app: web.Application, settings: Settings) -> web.AppRunner:
    """Serve `app` on WEBHOOK_HOST:WEBHOOK_PORT beside long polling (polling runs the
    dispatcher's start-up and shutdown; this server only takes requests)."""
    runner = await _start(app, _bind(settings.webhook_host, settings.webhook_port))
    logger.info("server listening on port %s", settings.webhook_port)
    return runner


async def _start(app: web.Application, sock: socket.socket) -> web.AppRunner:
    """Set `app` up (its start-up runs here) and serve it on the bound socket."""
    runner = web.AppRunner(app, handle_signals=False, access_log_class=PathAccessLogger)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    return runner
