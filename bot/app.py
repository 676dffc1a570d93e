"""Start-up: settings, logging, database, dispatcher, then the terminal chat, or Telegram,
WeChat, or both in one process."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import setup_application
from aiohttp import web
from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.background import cancel
from bot.channels.console import ConsoleChannel
from bot.channels.routing import ChannelDeliveries, RoutingSession
from bot.channels.telegram import (
    add_health_routes,
    check_bot,
    create_bot,
    run_polling,
    run_webhook,
    serve,
    start_side_server,
)
from bot.channels.telegram_delivery import HttpTelegramDelivery
from bot.channels.wechat.service import WeChatChannel
from bot.channels.wechat.settings import WeChatSettings
from bot.clock import process_clock
from bot.config import Settings
from bot.db.engine import create_engine, create_session_pool, safe_url
from bot.db.identities import TELEGRAM, WECHAT, wechat_people
from bot.db.migrate import upgrade
from bot.dispatcher import create_dispatcher
from bot.errors import StartupError
from bot.knowledge import Knowledge
from bot.logs import configure_logging, started
from bot.memory import settle_heap
from bot.staff.regiondata import apply_stored
from bot.texts import Texts
from handlers.menu import set_commands, set_staff_menus
from notices import KnowledgeBaseError
from scheduler.delivery import Delivery

logger = logging.getLogger("bot")


async def prepare_database(url: str) -> AsyncEngine:
    """Create the engine and apply migrations, or fail with one clear line."""
    engine = create_engine(url)
    try:
        await upgrade(engine)
    except (SQLAlchemyError, OSError) as exc:
        await engine.dispose()
        reason = getattr(exc, "orig", None) or exc
        detail = str(reason).splitlines()[0] if str(reason) else type(reason).__name__
        raise StartupError(
            f"cannot open the database at {safe_url(url)}: {detail}. "
            "Check DATABASE_URL and that the database server is running."
        ) from None
    return engine


def load_knowledge(settings: Settings) -> Knowledge:
    """Load the notice knowledge base, or fail with the loader's precise message."""
    try:
        return Knowledge.load(settings.notices_dir)
    except KnowledgeBaseError as exc:
        raise StartupError(f"the notice data is broken: {exc}") from None


async def check_redis(url: str | None) -> None:
    """Ping REDIS_URL, or fail with one clear line: every update would need it."""
    if url is None:
        return
    redis = Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
    try:
        await redis.ping()
    except (RedisError, OSError) as exc:
        raise StartupError(
            f"cannot reach Redis at REDIS_URL: {type(exc).__name__}; check that it runs"
        ) from None
    finally:
        await redis.aclose()


async def run(settings: Settings, wechat: WeChatSettings | None = None) -> None:
    """Run the assistant until end of input (terminal) or a stop signal (Telegram, WeChat,
    or both in one process)."""
    wechat = wechat if wechat is not None and wechat.enabled else None
    bot: Bot | None = create_bot(settings) if settings.bot_token is not None else None
    knowledge = load_knowledge(settings)
    engine = await prepare_database(settings.database_url)
    channel: WeChatChannel | None = None
    telegram: HttpTelegramDelivery | None = None
    try:
        texts = Texts()
        session_pool = create_session_pool(engine)
        # Staff-imported region milestones live in the database: overlay them before serving.
        async with session_pool.begin() as session:
            await apply_stored(session, knowledge)
            if wechat is not None and wechat.admin_openids:
                admins = await wechat_people(session, wechat.admin_openids)
                settings = settings.model_copy(update={"admin_ids": settings.admin_ids | admins})
        dp = create_dispatcher(
            settings=settings,
            session_pool=session_pool,
            knowledge=knowledge,
            texts=texts,
            clock=process_clock(settings.bot_clock),
        )
        # Build the question index now (the tokenizer takes about a second), not on the
        # first candidate's question.
        await asyncio.to_thread(lambda: knowledge.answerer)
        settle_heap()
        if bot is None and wechat is None:
            await ConsoleChannel(dp).run()
            return
        if bot is not None:
            await check_bot(bot, settings)
        await check_redis(settings.redis_url)
        deliveries: dict[str, Delivery] = {}
        if wechat is not None:
            channel = WeChatChannel(
                dp, wechat, session_pool=session_pool, redis_url=settings.redis_url,
                prefix=settings.redis_prefix,
            )
            await channel.check()
            deliveries[WECHAT] = channel.delivery
        if bot is not None:
            telegram = HttpTelegramDelivery(bot, timeout=settings.send_timeout)
            deliveries[TELEGRAM] = telegram
            if channel is not None:
                # What the core sends with the Bot to a WeChat user goes through the bridge.
                bot.session = RoutingSession(bot.session, {WECHAT: channel.bridge.session})
        # The reminder engine sends through the channels' own deliveries, as on the terminal.
        dp["delivery"] = (
            ChannelDeliveries(deliveries) if len(deliveries) > 1
            else next(iter(deliveries.values()))
        )
        await serve_channels(dp, settings, texts, session_pool, bot=bot, wechat=channel)
    finally:
        # Each channel closes its own delivery (the reminder engine stopped with the server).
        if channel is not None:
            await channel.close()
        if telegram is not None:
            await telegram.close()
        if bot is not None:
            await bot.session.close()
        await engine.dispose()


async def serve_channels(
    dp: Dispatcher,
    settings: Settings,
    texts: Texts,
    session_pool: async_sessionmaker[AsyncSession],
    *,
    bot: Bot | None,
    wechat: WeChatChannel | None,
) -> None:
    """Serve until a stop signal: Telegram by webhook (WeChat's endpoint on the same server)
    or by polling (WeChat's server beside it), or WeChat alone."""
    background: list[asyncio.Task[Any]] = []
    if bot is not None:
        await set_commands(bot, texts)
        background.append(asyncio.create_task(set_staff_menus(bot, texts, settings,
                                                              session_pool)))
    if wechat is not None:
        background.append(asyncio.create_task(wechat.create_menu(texts)))
    try:
        if bot is not None and settings.webhook_url:
            await run_webhook(dp, bot, settings, also=wechat.register if wechat else None)
        elif bot is not None:
            side = await start_side_server(wechat_app(wechat), settings) if wechat else None
            started(settings.log_level)  # the webhook server does so once its port is bound
            try:
                await run_polling(dp, bot)
            finally:
                if side is not None:
                    await side.cleanup()
        else:
            assert wechat is not None
            app = wechat_app(wechat)
            # The dispatcher starts and stops with the server, as with Telegram's webhook.
            setup_application(app, dp, bot=wechat.bridge.bot, **dp.workflow_data)
            await serve(app, settings)
    finally:
        for task in background:
            await cancel(task)


def wechat_app(wechat: WeChatChannel) -> web.Application:
    """The WeChat push endpoint at WECHAT_PATH, with GET /healthz and /metrics."""
    app = web.Application(client_max_size=wechat.settings.max_body)
    add_health_routes(app)
    wechat.register(app)
    return app


def setting_error(exc: ValidationError) -> str:
    """One line naming the environment variable that is wrong, and why."""
    error = exc.errors()[0]
    prefix = "WECHAT_" if exc.title == WeChatSettings.__name__ else ""
    name = ".".join(str(p) for p in error["loc"]).upper()
    message = str(error["msg"]).removeprefix("Value error, ")
    if not name:  # a check across several settings names them itself
        return f"settings: {message}"
    return f"setting {prefix}{name}: {message}"


def main() -> int:
    """Run and map start-up problems to one line on stderr and a non-zero exit."""
    try:
        settings = Settings()
        wechat = WeChatSettings()
    except ValidationError as exc:
        print(f"error: {setting_error(exc)}", file=sys.stderr)
        return 2
    level = settings.log_level
    if settings.bot_token is None and not wechat.enabled and "LOG_LEVEL" not in os.environ:
        level = "WARNING"  # keep the terminal chat readable
        settings = settings.model_copy(update={"log_level": level})
    secrets = [s.get_secret_value() for s in (settings.bot_token, settings.webhook_secret) if s]
    redactor = configure_logging(level, secrets + wechat.secret_values())
    try:
        asyncio.run(run(settings, wechat))
    except StartupError as exc:
        print(f"error: {redactor.redact(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0
