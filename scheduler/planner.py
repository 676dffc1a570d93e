"""The planner: candidate state x region calendar x rules x now -> outbox rows, set-based.

Candidates who share a region, returning flag and set of done steps (`done_mask`, kept on
the candidate's row by triggers) share the same due reminders, so the plan is computed once
per such group in Python, written to a small temp table, and joined to the candidates in SQL
(INSERT ... SELECT ... ON CONFLICT DO NOTHING), a chunk of candidates per transaction.
Running it twice, concurrently or after a crash inserts nothing new.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time as timer
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    Select,
    SmallInteger,
    String,
    Table,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from bot.db.base import UTCDateTime
from bot.db.models import Candidate, PlannerRun
from bot.db.outbox import (
    PENDING,
    PRIORITY_REMINDER,
    PRIORITY_URGENT,
    REMINDER,
    NewMessage,
    OutboxRepo,
)
from notices import KnowledgeBase, Step
from scheduler.rules import (
    Occasion,
    QuietHours,
    RuleSet,
    mask_steps,
    step_occasions,
    steps_to_remind,
)

logger = logging.getLogger(__name__)

# Any constant works; every process of a deployment must use the same one.
PLANNER_LOCK_ID = 0x6B5A_0005

_due_table = Table(
    "planner_due",
    MetaData(),
    Column("region_key", String(32), nullable=False),
    Column("ret_key", SmallInteger, nullable=False),
    Column("mask", Integer, nullable=False),
    Column("step", String(16), nullable=False),
    Column("occasion", String(32), nullable=False),
    Column("dedupe_key", String(80), nullable=False),
    Column("event_date", Date, nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("urgent", Boolean, nullable=False),
    Column("priority", SmallInteger, nullable=False),
    prefixes=["TEMPORARY"],
)


@dataclass(frozen=True, slots=True)
class Group:
    """Candidates sharing region, returning flag and done steps (so the same due set)."""

    region: str | None
    returning: bool | None
    mask: int
    size: int = 0


@dataclass(slots=True)
class PlanReport:
    """What one planner run did."""

    leader: bool = True
    groups: int = 0
    candidates: int = 0
    due_items: int = 0
    inserted: int = 0
    expired: int = 0
    missed: int = 0
    seconds: float = 0.0
    chunks: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _ret_key(returning: bool | None) -> int:
    return 2 if returning is None else int(returning)


class DuePlanner:
    """Compute the due reminders of a group, caching each region's occasions (pure)."""

    def __init__(self, kb: KnowledgeBase, rules: RuleSet, quiet: QuietHours) -> None:
        self.kb = kb
        self.rules = rules
        self.quiet = quiet
        self._cache: dict[tuple[str | None, bool | None], dict[Step, list[Occasion]] | None] = {}

    def occasions(self, region: str | None, returning: bool | None) -> dict[Step, list[Occasion]]:
        """Return every step's reminders for a region and returning flag."""
        key = (region, returning)
        if key not in self._cache:
            self._cache[key] = self._build(region, returning)
        return self._cache[key] or {}

    def _build(self, region: str | None, returning: bool | None) -> dict[Step, list[Occasion]]:
        try:
            plans = self.kb.plan(region, returning)
        except KeyError:
            logger.warning("planner: region %r is not in the knowledge base; skipped", region)
            return {}
        result: dict[Step, list[Occasion]] = {}
        for plan in plans:
            # Region unknown and the step differs by region: no date applies to everyone.
            if plan.mode == "by_region":
                continue
            occasions = step_occasions(plan, self.rules, self.quiet)
            if occasions:
                result[plan.step] = occasions
        return result

    def due(
        self, group: Group, *, now: datetime, horizon: timedelta = timedelta(0)
    ) -> list[Occasion]:
        """Return the group's reminders due by now + horizon and still relevant at now."""
        by_step = self.occasions(group.region, group.returning)
        due: list[Occasion] = []
        for step in steps_to_remind(mask_steps(group.mask)):
            for occasion in by_step.get(step, ()):
                if occasion.due_at <= now + horizon and occasion.expires_at > now:
                    due.append(occasion)
        return due

    def missed(self, group: Group, *, since: datetime, now: datetime) -> int:
        """Count reminders that fell due after `since` and lapsed before `now` (downtime)."""
        by_step = self.occasions(group.region, group.returning)
        return sum(
            1
            for step in steps_to_remind(mask_steps(group.mask))
            for o in by_step.get(step, ())
            if since < o.due_at and o.expires_at <= now
        )


class Planner:
    """The planner tick: plan due reminders into the outbox for every eligible candidate."""

    def __init__(
        self,
        engine: AsyncEngine,
        kb: Callable[[], KnowledgeBase],
        rules: RuleSet,
        *,
        quiet: QuietHours | None = None,
        horizon: timedelta = timedelta(0),
        chunk_size: int = 100_000,
        parallel: int = 2,
        use_lock: bool = True,
        on_report: Callable[[PlanReport], None] | None = None,
    ) -> None:
        self.engine = engine
        self.kb = kb
        self.rules = rules
        self.quiet = quiet or QuietHours()
        self.horizon = horizon
        self.chunk_size = chunk_size
        # PostgreSQL inserts disjoint candidate ranges on this many connections at once.
        self.parallel = max(1, parallel)
        self.use_lock = use_lock
        self.on_report = on_report
        self._due_planner: DuePlanner | None = None

    def due_planner(self) -> DuePlanner:
        """Return a DuePlanner on the current knowledge base (its cache lives as long)."""
        kb = self.kb()
        if self._due_planner is None or self._due_planner.kb is not kb:
            self._due_planner = DuePlanner(kb, self.rules, self.quiet)
        return self._due_planner

    async def plan_candidates(
        self, session: AsyncSession, user_ids: Collection[int], now: datetime
    ) -> int:
        """Plan the due reminders of a few candidates in the caller's transaction; return how
        many rows went in. The wave's plan for one group, without the wave."""
        if not user_ids:
            return 0
        await session.flush()  # done_mask is kept by triggers: read it after the change
        c = Candidate
        found = await session.execute(
            select(c.user_id, c.region, c.is_returning, c.done_mask).where(
                c.user_id.in_(sorted(user_ids)), c.reminders_enabled.is_(True),
                c.blocked.is_(False),
            )
        )
        due_planner = self.due_planner()
        messages = [
            NewMessage(
                user_id=user_id, occasion=o.occasion, dedupe_key=o.dedupe_key,
                due_at=o.due_at, step=o.step.value, urgent=o.urgent,
                priority=PRIORITY_URGENT if o.urgent else PRIORITY_REMINDER,
                expires_at=o.expires_at, event_date=o.event_date,
            )
            for user_id, region, returning, mask in found
            for o in due_planner.due(
                Group(region, returning, mask), now=now, horizon=self.horizon
            )
        ]
        return await OutboxRepo(session).add(messages, now=now)

    async def run(self, now: datetime) -> PlanReport:
        """Plan everything due at `now`; return what was done."""
        started = timer.perf_counter()
        report = PlanReport()
        async with self.engine.connect() as conn:
            postgres = conn.dialect.name == "postgresql"
            if postgres and self.use_lock:
                report.leader = bool(
                    await conn.scalar(
                        text("SELECT pg_try_advisory_lock(:id)"), {"id": PLANNER_LOCK_ID}
                    )
                )
                await conn.commit()
                if not report.leader:
                    logger.info("planner: another process holds the planner lock; skipped")
                    return report
            try:
                await self._run(conn, now, report)
            finally:
                if postgres and self.use_lock:
                    await conn.rollback()
                    await conn.execute(
                        text("SELECT pg_advisory_unlock(:id)"), {"id": PLANNER_LOCK_ID}
                    )
                    await conn.commit()
        report.seconds = timer.perf_counter() - started
        logger.info(
            "planner: %d groups, %d candidates, %d due items, %d rows inserted, "
            "%d expired, %d missed in downtime, %.2f s",
            report.groups, report.candidates, report.due_items, report.inserted,
            report.expired, report.missed, report.seconds,
        )
        if self.on_report is not None:
            self.on_report(report)
        return report

    async def _run(self, conn: AsyncConnection, now: datetime, report: PlanReport) -> None:
        started_at = now
        async with conn.begin():
            # Rows whose occasion passed while nobody sent them (downtime) are dropped.
            report.expired = max(await OutboxRepo(conn).expire(now=now), 0)
            last = await conn.scalar(select(func.max(PlannerRun.planned_for)))
            groups = await self._groups(conn)
        report.groups = len(groups)
        report.candidates = sum(g.size for g in groups)
        due_planner = self.due_planner()
        rows: list[dict[str, Any]] = []
        for group in groups:
            for o in due_planner.due(group, now=now, horizon=self.horizon):
                rows.append(
                    {
                        "region_key": group.region or "", "ret_key": _ret_key(group.returning),
                        "mask": group.mask, "step": o.step.value, "occasion": o.occasion,
                        "dedupe_key": o.dedupe_key, "event_date": o.event_date,
                        "due_at": o.due_at, "expires_at": o.expires_at, "urgent": o.urgent,
                        "priority": PRIORITY_URGENT if o.urgent else PRIORITY_REMINDER,
                    }
                )
                report.due_items += group.size
            if last is not None:
                report.missed += due_planner.missed(group, since=last, now=now) * group.size
        if rows:
            report.inserted, report.chunks = await self._insert(
                conn, rows, now, report.candidates
            )
        async with conn.begin():
            await conn.execute(
                insert(PlannerRun).values(
                    started_at=started_at, finished_at=now, planned_for=now,
                    groups=report.groups, inserted=report.inserted, expired=report.expired,
                    missed=report.missed,
                )
            )
        if report.expired or report.missed:
            logger.warning(
                "planner: dropped %d queued and %d unplanned reminders whose moment passed "
                "(downtime)", report.expired, report.missed,
            )

    async def _groups(self, conn: AsyncConnection) -> list[Group]:
        c = Candidate.__table__.c
        stmt = (
            select(c.region, c.is_returning, c.done_mask, func.count())
            .where(c.reminders_enabled.is_(True), c.blocked.is_(False))
            .group_by(c.region, c.is_returning, c.done_mask)
        )
        result = await conn.execute(stmt)
        return [
            Group(region=row[0], returning=row[1], mask=int(row[2]), size=int(row[3]))
            for row in result
        ]

    async def _bounds(
        self, conn: AsyncConnection, chunk_size: int
    ) -> list[tuple[int | None, int | None]]:
        numbered = select(
            Candidate.user_id.label("user_id"),
            func.row_number().over(order_by=Candidate.user_id).label("n"),
        ).subquery()
        cuts: list[int] = list(
            (
                await conn.scalars(
                    select(numbered.c.user_id)
                    .where(numbered.c.n % chunk_size == 0)
                    .order_by(numbered.c.user_id)
                )
            ).all()
        )
        edges: list[int | None] = [None, *cuts, None]
        return list(itertools.pairwise(edges))

    async def _load_due(self, conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
        """Write the due set into this connection's temp table."""
        await conn.execute(text("DROP TABLE IF EXISTS planner_due"))
        await conn.run_sync(lambda sync: _due_table.create(sync))
        for start in range(0, len(rows), 1000):
            await conn.execute(_due_table.insert(), rows[start : start + 1000])
        # Temp tables have no statistics: without them PostgreSQL guesses a poor join.
        await conn.execute(text("ANALYZE planner_due"))

    async def _insert(
        self, conn: AsyncConnection, rows: list[dict[str, Any]], now: datetime, candidates: int
    ) -> tuple[int, int]:
        workers = self.parallel if conn.dialect.name == "postgresql" else 1
        # Twice as many ranges as connections: the one that connects later takes fewer.
        ranges = workers * 2 if workers > 1 else 1
        chunk_size = max(1, min(self.chunk_size, -(-candidates // ranges)))
        async with conn.begin():
            await self._load_due(conn, rows)
            if candidates <= chunk_size:  # one chunk holds them all: no cut points
                bounds: list[tuple[int | None, int | None]] = [(None, None)]
            else:
                bounds = await self._bounds(conn, chunk_size)
        inserted = 0
        try:
            if workers > 1 and len(bounds) > 1:
                pending = list(bounds)
                counts = await asyncio.gather(
                    self._insert_ranges(conn, pending, now),
                    *(
                        self._insert_elsewhere(rows, pending, now)
                        for _ in range(min(workers, len(bounds)) - 1)
                    ),
                )
                inserted = sum(counts)
            else:
                inserted = await self._insert_ranges(conn, list(bounds), now)
        finally:
            async with conn.begin():
                await conn.execute(text("DROP TABLE IF EXISTS planner_due"))
        return inserted, len(bounds)

    async def _insert_ranges(
        self,
        conn: AsyncConnection,
        pending: list[tuple[int | None, int | None]],
        now: datetime,
    ) -> int:
        """Insert the outbox rows of candidate ranges taken from `pending` until none is left."""
        inserted = 0
        while pending:
            low, high = pending.pop()
            async with conn.begin():
                if conn.dialect.name == "postgresql":
                    # The range's rows are sorted by candidate before insertion: in memory.
                    await conn.execute(text("SET LOCAL work_mem = '64MB'"))
                inserted += await OutboxRepo(conn).add_planned(self._planned(now, low, high))
        return inserted

    async def _insert_elsewhere(
        self,
        rows: list[dict[str, Any]],
        pending: list[tuple[int | None, int | None]],
        now: datetime,
    ) -> int:
        """Take ranges from `pending` on a connection of its own (PostgreSQL only)."""
        async with self.engine.connect() as conn:
            async with conn.begin():
                await self._load_due(conn, rows)
            try:
                return await self._insert_ranges(conn, pending, now)
            finally:
                async with conn.begin():
                    await conn.execute(text("DROP TABLE IF EXISTS planner_due"))

    def _planned(self, now: datetime, low: int | None, high: int | None) -> Select[Any]:
        """Select the outbox rows (PLANNED_COLUMNS) of the candidates in (low, high]."""
        c = Candidate.__table__.c
        d = _due_table.c
        user_range = []
        if low is not None:
            user_range.append(c.user_id > low)
        if high is not None:
            user_range.append(c.user_id <= high)
        ret_key = case((c.is_returning.is_(None), 2), (c.is_returning.is_(True), 1), else_=0)
        return (
            select(
                c.user_id, literal(REMINDER), d.priority, d.urgent, d.step, d.occasion,
                d.dedupe_key, d.event_date, literal(PENDING), d.due_at, d.expires_at,
                literal(0), literal(now, UTCDateTime), literal(now, UTCDateTime),
            )
            .select_from(
                Candidate.__table__.join(
                    _due_table,
                    and_(
                        d.region_key == func.coalesce(c.region, ""),
                        d.ret_key == ret_key,
                        d.mask == c.done_mask,
                    ),
                )
            )
            # Also keeps SQLite from reading ON CONFLICT as the join's ON.
            .where(c.reminders_enabled.is_(True), c.blocked.is_(False), *user_range)
            .order_by(c.user_id)
        )


async def purge_runs(session: AsyncSession, *, before: datetime) -> None:
    """Delete the records of planner runs started before `before`, but never the latest:
    the next run counts what was missed in downtime from it."""
    latest = select(func.max(PlannerRun.id)).scalar_subquery()
    await session.execute(
        delete(PlannerRun).where(PlannerRun.started_at < before, PlannerRun.id < latest),
        execution_options={"synchronize_session": False},
    )
