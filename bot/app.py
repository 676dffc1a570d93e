"""Start-up: settings, logging, database, dispatcher, then the terminal chat or Telegram."""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from aiogram import Bot
from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.background import cancel
from bot.channels.console import ConsoleChannel
from bot.channels.telegram import check_bot, create_bot, run_polling, run_webhook
from bot.channels.telegram_delivery import HttpTelegramDelivery
from bot.clock import process_clock
from bot.config import Settings
from bot.db.engine import create_engine, create_session_pool, safe_url
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


async def run(settings: Settings) -> None:
    """Run the assistant until end of input (terminal) or a stop signal (Telegram)."""
    bot: Bot | None = create_bot(settings) if settings.bot_token is not None else None
    knowledge = load_knowledge(settings)
    engine = await prepare_database(settings.database_url)
    try:
        texts = Texts()
        session_pool = create_session_pool(engine)
        # Staff-imported region milestones live in the database: overlay them before serving.
        async with session_pool.begin() as session:
            await apply_stored(session, knowledge)
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
        if bot is None:
            await ConsoleChannel(dp).run()
            return
        await check_bot(bot, settings)
        await check_redis(settings.redis_url)
        if not settings.webhook_url:
            started(settings.log_level)  # the webhook server does so once its port is bound
        await set_commands(bot, texts)
        menus = asyncio.create_task(set_staff_menus(bot, texts, settings, session_pool))
        # The reminder engine sends through the channel's own delivery, as on the terminal.
        delivery = dp["delivery"] = HttpTelegramDelivery(bot, timeout=settings.send_timeout)
        try:
            if settings.webhook_url:
                await run_webhook(dp, bot, settings)
            else:
                await run_polling(dp, bot)
        finally:
            await cancel(menus)
            await delivery.close()
    finally:
        if bot is not None:
            await bot.session.close()
        await engine.dispose()


def main() -> int:
    """Run and map start-up problems to one line on stderr and a non-zero exit."""
    try:
        settings = Settings()
    except ValidationError as exc:
        error = exc.errors()[0]
        name = ".".join(str(p) for p in error["loc"]).upper()
        print(f"error: setting {name}: {error['msg']}", file=sys.stderr)
        return 2
    level = settings.log_level
    if settings.bot_token is None and "LOG_LEVEL" not in os.environ:
        level = "WARNING"  # keep the terminal chat readable
        settings = settings.model_copy(update={"log_level": level})
    secrets = [s.get_secret_value() for s in (settings.bot_token, settings.webhook_secret) if s]
    redactor = configure_logging(level, secrets)
    try:
        asyncio.run(run(settings))
    except StartupError as exc:
        print(f"error: {redactor.redact(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0
