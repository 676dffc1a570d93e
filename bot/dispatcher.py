"""The one dispatcher factory, used by the entry point and the tests alike."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiogram import Dispatcher
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
from redis.asyncio import BlockingConnectionPool, Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.forgotten import ForgottenMarks
from bot.jobs import JOBS_KEY, JobRegistry
from bot.knowledge import Knowledge
from bot.languages import LanguageDirectory
from bot.staff.directory import StaffDirectory
from bot.staff.regiondata import MilestoneSync
from bot.texts import Texts
from handlers import get_routers
from handlers.keyboards import OnboardStates
from handlers.middlewares import (
    CandidateMiddleware,
    CleanTextMiddleware,
    ClockMiddleware,
    CommandWordsMiddleware,
    DbSessionMiddleware,
    InFlightTracker,
    ReplyMiddleware,
    ThrottledIsolation,
)
from scheduler import service as reminders

# Redis connections per process; when all are busy a caller waits (up to REDIS_WAIT seconds)
# instead of failing with MaxConnectionsError.
REDIS_CONNECTIONS = 50
REDIS_WAIT = 20.0
FSM_TTL = timedelta(days=1)


def create_redis(url: str) -> Redis:
    """Return a client on a bounded pool that waits for a free connection."""
    pool = BlockingConnectionPool.from_url(url, max_connections=REDIS_CONNECTIONS,
                                           timeout=REDIS_WAIT)
    return Redis(connection_pool=pool)


def create_dispatcher(
    *,
    settings: Settings,
    session_pool: async_sessionmaker[AsyncSession],
    knowledge: Knowledge,
    texts: Texts | None = None,
    storage: BaseStorage | None = None,
    events_isolation: BaseEventIsolation | None = None,
    **workflow_data: Any,
) -> Dispatcher:
    """Wire storage, middlewares, routers and long-lived objects into a Dispatcher."""
    redis: Redis | None = None
    if settings.redis_url and storage is None:
        # Several processes behind one webhook share FSM state and per-user isolation.
        redis = create_redis(settings.redis_url)
        # A flow left half-way (a draft, a pending question) expires instead of staying.
        storage = RedisStorage(redis, state_ttl=FSM_TTL, data_ttl=FSM_TTL)
        events_isolation = events_isolation or RedisEventIsolation(redis)
    if redis is None and isinstance(storage, RedisStorage):
        redis = storage.redis
    token = settings.bot_token.get_secret_value() if settings.bot_token else None
    # Who deleted their data lately: in Redis where the processes share it.
    forgotten = ForgottenMarks.for_token(token, redis=redis)
    texts = texts or Texts()
    dp = Dispatcher(
        storage=storage or MemoryStorage(),
        # One update at a time per user, and a flood from one user queues only that user:
        # two taps never leave a half-written state.
        events_isolation=ThrottledIsolation(events_isolation or SimpleEventIsolation()),
        settings=settings,
        session_pool=session_pool,
        knowledge=knowledge,
        texts=texts,
        forgotten_marks=forgotten,
        **workflow_data,
    )
    in_flight = InFlightTracker()
    dp["in_flight"] = in_flight
    dp.update.outer_middleware(in_flight)
    # Shutdown observers run in registration order: let updates in flight finish first
    # (aiogram's polling does not wait for them), then the scheduler and the rest stop.
    dp.shutdown.register(in_flight.drain)
    # Every periodic task is a named job of this one registry (bot/jobs.py lists them): it
    # runs from the first startup observer on, so each owner below (and the routers') adds
    # its jobs when it starts; it stops before any owner releases what its jobs use.
    jobs = dp[JOBS_KEY] = JobRegistry()
    dp.startup.register(jobs.start)
    dp.shutdown.register(jobs.stop)
    dp.startup.register(reminders.on_startup)
    dp.shutdown.register(reminders.on_shutdown)
    languages = LanguageDirectory()
    dp["language_directory"] = languages
    # Loads every candidate's language before the first update, then keeps it current.
    dp.startup.register(languages.start)
    # Who is staff, for /help: loaded at start-up, kept current the same way.
    staff = StaffDirectory(settings.admin_ids)
    dp["staff_directory"] = staff
    dp.startup.register(staff.start)
    # Region milestones another process imported reach this one's knowledge base.
    dp.startup.register(MilestoneSync(knowledge).start)
    dp.update.outer_middleware(CleanTextMiddleware())
    dp.update.outer_middleware(ClockMiddleware())
    # Candidates whose state changed get their reminders planned at once, when the engine
    # runs in this process; the chat layer finds it through this hook, never by import.
    dp.update.outer_middleware(
        DbSessionMiddleware(
            session_pool, languages, staff, plan_hook=lambda: reminders.plan_hook(dp)
        )
    )
    # Where plain text is a question (or the welcome's region), "退订" is /stop.
    dp.message.outer_middleware(
        CommandWordsMiddleware(texts.command_words(), states={None, OnboardStates.region.state})
    )
    # Inner middlewares run after routing and are inherited by every router below.
    candidates, replies = CandidateMiddleware(languages, forgotten), ReplyMiddleware()
    for name, observer in dp.observers.items():
        if name not in ("update", "error"):
            observer.middleware(candidates)
            observer.middleware(replies)  # after candidates: it needs their locale
    dp.include_routers(*get_routers())
    return dp

