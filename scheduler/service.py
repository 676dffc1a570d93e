"""The reminder engine's jobs: a few fixed jobs with stable ids tick the planner and the sender.

Never one job per reminder, and no job store shared between processes: the database
decides what is due; the process's job registry (bot/jobs.py) only ticks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection
from datetime import timedelta

from aiogram import Dispatcher
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import metrics
from bot.clock import Clock, utc_clock
from bot.config import Settings
from bot.db.outbox import STATES, OutboxRepo
from bot.jobs import Job, JobRegistry
from bot.knowledge import Knowledge
from bot.texts import Texts
from scheduler.compose import Composer
from scheduler.delivery import Delivery
from scheduler.limiter import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from scheduler.planner import Planner, PlanReport, purge_runs
from scheduler.rules import QuietHours, RuleSet, load_rules
from scheduler.sender import Sender, SenderConfig

logger = logging.getLogger(__name__)

PLAN_JOB = "reminders.plan"
SEND_JOB = "reminders.send"
COUNT_JOB = "reminders.count"
PURGE_JOB = "reminders.purge"
COUNT_INTERVAL = 30.0  # seconds
PURGE_INTERVAL = 3600.0  # seconds
PURGE_BATCH = 5_000  # rows per transaction: a SQLite writer is never held up for long
# Any constant works; every process of a deployment must use the same one.
PURGE_LOCK_ID = 0x6B5A_0006
SERVICE_KEY = "reminder_service"
# Plans what is due for some candidates in the caller's transaction; returns rows inserted.
PlanCandidates = Callable[[AsyncSession, Collection[int]], Awaitable[int]]


def record_plan(report: PlanReport) -> None:
    """Feed a planner run into the metrics."""
    if not report.leader:
        return
    metrics.PLANNER_SECONDS.observe(report.seconds)
    metrics.REMINDERS_PLANNED.inc(report.inserted)
    metrics.REMINDERS_DROPPED.labels("expired").inc(report.expired)
    metrics.REMINDERS_DROPPED.labels("missed").inc(report.missed)


def build_limiter(settings: Settings) -> RateLimiter:
    """Return the Redis limiter when REDIS_URL is set (shared by processes), else in-memory."""
    if settings.redis_url:
        return RedisRateLimiter.from_url(
            settings.redis_url, settings.send_rate, per_chat_interval=settings.per_chat_interval,
            prefix=f"{settings.redis_prefix}:send",
        )
    return MemoryRateLimiter(settings.send_rate, per_chat_interval=settings.per_chat_interval)


class ReminderService:
    """The planner and sender of one process, ticked by the process's job registry."""

    def __init__(
        self,
        *,
        settings: Settings,
        session_pool: async_sessionmaker[AsyncSession],
        knowledge: Knowledge,
        texts: Texts,
        delivery: Delivery,
        clock: Clock = utc_clock,
        rules: RuleSet | None = None,
    ) -> None:
        self.settings = settings
        self.session_pool = session_pool
        self.clock = clock
        quiet = QuietHours(settings.quiet_hours_start, settings.quiet_hours_end)
        rules = rules or load_rules()
        self.planner = Planner(
            session_pool.kw["bind"], lambda: knowledge.kb, rules, quiet=quiet,
            horizon=timedelta(seconds=settings.planner_interval), on_report=record_plan,
        )
        self.limiter = build_limiter(settings)
        self.delivery = delivery
        self.sender = Sender(
            session_pool,
            self.delivery,
            self.limiter,
            Composer(texts, lambda: knowledge.kb),
            config=SenderConfig(
                lease=timedelta(seconds=settings.outbox_lease),
                max_attempts=settings.send_max_attempts,
                daily_cap=settings.daily_reminder_cap,
                quiet=quiet,
                morning=settings.reminder_morning,
                concurrency=settings.sender_concurrency,
                rate=settings.send_rate,
            ),
            clock=clock,
        )

    def start(self, jobs: JobRegistry) -> None:
        """Add the fixed jobs to the process's registry (replacing any of the same id)."""
        for job in self.jobs():
            jobs.add(job)
        logger.info("reminders: planner every %.0f s, sender every %.1f s at %.0f msg/s",
                    self.settings.planner_interval, self.settings.sender_interval,
                    self.settings.send_rate)

    def jobs(self) -> list[Job]:
        """Return the engine's jobs: each runs once at start (catching up after downtime)."""
        return [
            Job(id=PLAN_JOB, run=self.plan, every=self.settings.planner_interval, at_start=True),
            # A drain runs until the outbox is empty and the next tick simply coalesces; on
            # stop it finishes its batch, so what it sent is recorded (not sent again).
            Job(id=SEND_JOB, run=self.send, every=self.settings.sender_interval, at_start=True,
                wind_down=self.sender.request_stop, quiet_when_busy=True),
            Job(id=COUNT_JOB, run=self.count, every=COUNT_INTERVAL, at_start=True),
            Job(id=PURGE_JOB, run=self.purge, every=PURGE_INTERVAL, at_start=True),
        ]

    async def stop(self) -> None:
        """Release the rate limiter's connections, once the registry has stopped the jobs."""
        self.sender.request_stop()
        await self.limiter.close()

    async def plan(self) -> PlanReport | None:
        """Run the planner for now."""
        try:
            return await self.planner.run(self.clock())
        except asyncio.CancelledError:
            logger.info("reminders: planner stopped at shutdown; the next run completes it")
            return None

    async def plan_candidates(self, session: AsyncSession, user_ids: Collection[int]) -> int:
        """Plan what is due for candidates whose state just changed, in the caller's
        transaction: a reminder already due goes out at the next sender tick."""
        inserted = await self.planner.plan_candidates(session, user_ids, self.clock())
        metrics.REMINDERS_PLANNED.inc(inserted)
        return inserted

    def attach(self, dispatcher: Dispatcher) -> None:
        """Make the service reachable from updates: candidates' changes are planned at once."""
        dispatcher[SERVICE_KEY] = self

    async def send(self) -> None:
        """Drain what is due."""
        try:
            await self.sender.drain()
        except asyncio.CancelledError:
            logger.info("reminders: sender stopped at shutdown; leases will expire")

    async def count(self) -> None:
        """Refresh the outbox depth gauge."""
        try:
            async with self.session_pool() as session:
                depth = await OutboxRepo(session).depth()
        except asyncio.CancelledError:
            return
        for state in STATES:
            metrics.OUTBOX_DEPTH.labels(state).set(depth[state])

    async def purge(self, *, batch: int = PURGE_BATCH) -> int:
        """Delete reminders finished more than OUTBOX_RETENTION_DAYS ago whose moment has
        passed, and old planner run records: a batch per transaction, so the outbox stops
        growing with every wave. On PostgreSQL one process purges at a time."""
        now = self.clock()
        before = now - timedelta(days=self.settings.outbox_retention_days)
        total = 0
        try:
            while True:
                async with self.session_pool.begin() as session:
                    if not await _purge_lock(session):
                        break
                    count = await OutboxRepo(session).purge(before=before, now=now, limit=batch)
                    if count < batch:
                        await purge_runs(session, before=before)
                total += count
                if count < batch:
                    break
        except asyncio.CancelledError:
            logger.info("reminders: purge stopped at shutdown; the next one goes on")
        if total:
            metrics.OUTBOX_PURGED.inc(total)
            logger.info("reminders: purged %d finished reminders older than %d days",
                        total, self.settings.outbox_retention_days)
        return total


async def _purge_lock(session: AsyncSession) -> bool:
    """Take the purge lock for this transaction; False when another process holds it."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    held = await session.scalar(
        text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": PURGE_LOCK_ID}
    )
    return bool(held)


async def on_startup(
    settings: Settings,
    session_pool: async_sessionmaker[AsyncSession],
    knowledge: Knowledge,
    texts: Texts,
    dispatcher: Dispatcher | None = None,
    delivery: Delivery | None = None,
    jobs: JobRegistry | None = None,
) -> None:
    """Start the reminder engine on the channel's delivery (Telegram's, the terminal chat's);
    a dispatcher without one (handler tests) runs none."""
    if not settings.reminders or dispatcher is None or delivery is None or jobs is None:
        return
    clock = dispatcher.workflow_data.get("clock") or utc_clock
    service = ReminderService(
        settings=settings, session_pool=session_pool, knowledge=knowledge, texts=texts,
        delivery=delivery, clock=clock,
    )
    service.attach(dispatcher)
    service.start(jobs)


async def on_shutdown(dispatcher: Dispatcher | None = None) -> None:
    """Release the reminder engine, if it was started (its jobs have stopped by now)."""
    if dispatcher is None:
        return
    service = dispatcher.workflow_data.pop(SERVICE_KEY, None)
    if isinstance(service, ReminderService):
        await service.stop()


def plan_hook(dispatcher: Dispatcher) -> PlanCandidates | None:
    """Return the per-candidate planner of the engine running on this dispatcher, if any."""
    service = dispatcher.workflow_data.get(SERVICE_KEY)
    return service.plan_candidates if isinstance(service, ReminderService) else None
