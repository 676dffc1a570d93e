"""The sender: drain the outbox at Telegram's pace, record every attempt, never lose a row.

A claimer takes due rows (all of a candidate's at once, so they go out as one digest) under a
lease, re-checking at send time that the candidate still wants and can receive them; workers
deliver through the rate limiter. Just before a worker calls the channel it marks the rows
`sending` (renewing the lease), and the first thing it does when the channel answers is write
the outcome; both writes are group commits, so under load one transaction carries the marks
or outcomes of every worker waiting for it. A crash loses nothing: claimed rows return to
pending when their lease runs out. A row that comes back still marked `sending` may have been
delivered before the crash: it is sent again as a possible duplicate, counted in
`outbox_possible_duplicates_total` and in its broadcast's report.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time as timer
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import metrics
from bot.db.models import Candidate, CandidateStep
from bot.db.outbox import (
    BROADCAST,
    CANCELLED,
    EXPIRED,
    FAILED,
    REMINDER,
    Attempt,
    ClaimedMessage,
    OutboxRepo,
)
from bot.reminders import next_morning
from notices import SHANGHAI
from scheduler.compose import Composer, Recipient
from scheduler.delivery import Delivery, DeliveryResult, Outcome, Outgoing
from scheduler.limiter import RateLimiter
from scheduler.rules import QuietHours
from scheduler.triage import Addressee, Verdict, triage

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SenderConfig:
    """Knobs of the sender (Settings supplies them in production)."""

    batch_size: int = 100
    concurrency: int = 32
    lease: timedelta = timedelta(seconds=120)
    max_attempts: int = 5
    max_retry_after: int = 5
    backoff_base: float = 2.0
    backoff_max: float = 300.0
    daily_cap: int = 3
    quiet: QuietHours = field(default_factory=QuietHours)
    morning: time = time(9, 0)
    flush_interval: float = 0.05  # how soon an outcome whose write failed is tried again
    broadcast_share: float = 0.3
    rate: float | None = None  # the send rate, so claims never outlast their lease


@dataclass(slots=True)
class Job:
    """One message's worth of rows for one candidate, as claimed."""

    token: str
    user_id: int
    kind: str
    rows: list[ClaimedMessage]
    messages: list[Outgoing]

    @property
    def ids(self) -> list[int]:
        return [row.id for row in self.rows]

    @property
    def attempts(self) -> int:
        return max(row.attempts for row in self.rows)


@dataclass(slots=True)
class SendReport:
    """What one drain did."""

    claimed: int = 0
    messages: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    blocked: int = 0
    cancelled: int = 0
    expired: int = 0
    deferred: int = 0
    recovered: int = 0
    possible_duplicates: int = 0  # messages sent again after a sender died mid-send


@dataclass(slots=True)
class _Pending:
    sent: list[tuple[int, str]] = field(default_factory=list)
    retry: list[tuple[Job, datetime, str, bool]] = field(default_factory=list)
    failed: list[tuple[Job, str]] = field(default_factory=list)
    blocked: list[tuple[Job, str]] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    release: list[Job] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.sent or self.retry or self.failed or self.blocked or self.attempts
            or self.release
        )

    def merge(self, later: _Pending) -> _Pending:
        """Return these outcomes followed by later ones."""
        return _Pending(
            self.sent + later.sent, self.retry + later.retry, self.failed + later.failed,
            self.blocked + later.blocked, self.attempts + later.attempts,
            self.release + later.release,
        )


class Sender:
    """Drain the outbox through a Delivery under a RateLimiter."""

    def __init__(
        self,
        pool: async_sessionmaker[AsyncSession],
        delivery: Delivery,
        limiter: RateLimiter,
        composer: Composer,
        *,
        config: SenderConfig | None = None,
        clock: Callable[[], datetime],
    ) -> None:
        self.pool = pool
        self.delivery = delivery
        self.limiter = limiter
        self.composer = composer
        self.config = config or SenderConfig()
        self.clock = clock
        self._pending = _Pending()
        self._write_lock = asyncio.Lock()
        self._marks: list[tuple[Job, asyncio.Future[bool]]] = []
        # SQLite lets one transaction write at a time and makes the others sleep and retry
        # (busy_timeout), so there marks and outcomes take turns here instead; PostgreSQL
        # writes both at once.
        bind = pool.kw.get("bind")
        one_writer = bind is not None and bind.dialect.name == "sqlite"
        self._mark_lock = self._write_lock if one_writer else asyncio.Lock()
        self._turn = 0
        self._stopping = False
        self._outstanding = 0
        self._finished = asyncio.Event()

    def request_stop(self) -> None:
        """Finish the messages being sent, give back the rest, claim no more (shutdown)."""
        self._stopping = True
        self._finished.set()

    # -- the drain ------------------------------------------------------------------------

    async def drain(self, *, max_batches: int | None = None) -> SendReport:
        """Send everything due now; return when nothing is left to claim."""
        report = SendReport()
        async with self.pool.begin() as session:
            report.recovered = await OutboxRepo(session).recover(now=self.clock())
        if report.recovered:
            logger.warning("sender: %d rows whose sender died are pending again",
                           report.recovered)
        # Unbounded: the budget of claimed messages (see _room) is what bounds it.
        queue: asyncio.Queue[Job | None] = asyncio.Queue()
        workers = [
            asyncio.create_task(self._worker(queue, report))
            for _ in range(self.config.concurrency)
        ]
        stop_flushing = asyncio.Event()
        flusher = asyncio.create_task(self._flusher(stop_flushing))
        try:
            batches = 0
            while (max_batches is None or batches < max_batches) and not self._stopping:
                room = await self._room()
                if room <= 0:
                    continue
                jobs = await self._claim(report, room)
                if jobs is None:
                    break
                batches += 1
                self._outstanding += len(jobs)
                for job in jobs:
                    await queue.put(job)
        finally:
            for _ in workers:
                await queue.put(None)
            await asyncio.gather(*workers, return_exceptions=True)
            stop_flushing.set()
            await flusher
            await self._commit()
        return report

    def _budget(self) -> int:
        """Return how many claimed messages may wait at once: what the rate sends in a
        quarter of the lease, so none waits long enough for its lease to run out."""
        cap = self.config.batch_size + self.config.concurrency
        if self.config.rate is None:
            return cap
        per_lease = self.config.rate * self.config.lease.total_seconds() / 4
        return max(1, min(cap, int(per_lease)))

    async def _room(self) -> int:
        """Wait until half a batch fits in the budget of claimed messages; return the room.

        Claiming again while half the budget is still queued keeps the workers fed during the
        claim (at 1,000 messages/s a claim of 250 takes tens of milliseconds), and claiming
        in half batches, not one row each time a message finishes, keeps claims few.
        """
        budget = self._budget()
        refill_at = budget - max(1, min(self.config.batch_size, budget) // 2)
        while self._outstanding > refill_at and not self._stopping:
            self._finished.clear()
            await self._finished.wait()
        return min(self.config.batch_size, budget - self._outstanding)

    async def _claim(self, report: SendReport, size: int) -> list[Job] | None:
        """Claim up to `size` rows' candidates and turn them into jobs; None when none due."""
        now = self.clock()
        token = uuid.uuid4().hex
        urgent_only = self.config.quiet.contains(now)
        broadcast_size = max(1, math.floor(size * self.config.broadcast_share))
        # Take turns leading, so neither kind can starve the other.
        self._turn += 1
        order = (
            [(REMINDER, size - broadcast_size), (BROADCAST, broadcast_size)]
            if self._turn % 2
            else [(BROADCAST, broadcast_size), (REMINDER, size - broadcast_size)]
        )
        async with self.pool.begin() as session:
            repo = OutboxRepo(session)
            rows: list[ClaimedMessage] = []
            # The lead kind takes its share, the other the rest, then the lead any room left.
            passes = [order[0], (order[1][0], 0), (order[0][0], 0)]
            for index, (kind, share) in enumerate(passes):
                room = share if index == 0 else size - len(rows)
                if room <= 0:
                    continue
                rows += await repo.claim(
                    now=now, kind=kind, limit=room, lease=self.config.lease, token=token,
                    urgent_only=urgent_only,
                )
            if not rows:
                return None
            report.claimed += len(rows)
            jobs = await self._vet(session, repo, rows, token, now, report)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("claim %s: rows %s", token, [r.id for r in rows])
        return jobs

    async def _vet(
        self,
        session: AsyncSession,
        repo: OutboxRepo,
        rows: list[ClaimedMessage],
        token: str,
        now: datetime,
        report: SendReport,
    ) -> list[Job]:
        """Re-check each row against the candidate now; return what is still worth sending."""
        recipients, addressees = await self._addressees(session, repo, rows, now)
        verdicts: dict[Verdict, list[ClaimedMessage]] = defaultdict(list)
        for row in rows:
            person = addressees.get(row.user_id)
            verdicts[triage(row, person, now, daily_cap=self.config.daily_cap)].append(row)
        await self._drop_and_hold(repo, verdicts, token, now, report)
        return self._jobs(verdicts.get(Verdict.SEND, []), recipients, token, now)

    async def _addressees(
        self, session: AsyncSession, repo: OutboxRepo, rows: list[ClaimedMessage], now: datetime
    ) -> tuple[dict[int, Recipient], dict[int, Addressee]]:
        """Read the rows' candidates as they are now: whom to compose for, and what triage
        needs (a candidate with no row is in neither)."""
        users = sorted({row.user_id for row in rows})
        people = list(await session.execute(
            select(
                Candidate.user_id, Candidate.language, Candidate.region,
                Candidate.is_returning, Candidate.blocked, Candidate.reminders_enabled,
            ).where(Candidate.user_id.in_(users))
        ))
        done: dict[int, set[str]] = defaultdict(set)
        for user_id, step in await session.execute(
            select(CandidateStep.user_id, CandidateStep.step).where(
                CandidateStep.user_id.in_(users)
            )
        ):
            done[user_id].add(step)
        reminder_users = {row.user_id for row in rows if row.kind == REMINDER}
        day_start = datetime.combine(now.astimezone(SHANGHAI).date(), time(0), tzinfo=SHANGHAI)
        sent_today = await repo.messages_sent_since(reminder_users, since=day_start)
        recipients = {
            p.user_id: Recipient(p.user_id, p.language, p.region, p.is_returning) for p in people
        }
        addressees = {
            p.user_id: Addressee(
                blocked=p.blocked, reminders_enabled=p.reminders_enabled,
                done=frozenset(done[p.user_id]), sent_today=sent_today.get(p.user_id, 0),
            )
            for p in people
        }
        return recipients, addressees

    async def _drop_and_hold(
        self,
        repo: OutboxRepo,
        verdicts: dict[Verdict, list[ClaimedMessage]],
        token: str,
        now: datetime,
        report: SendReport,
    ) -> None:
        """Write what triage decided for the rows that do not go out now."""
        for verdict, group in verdicts.items():
            if verdict.cancels:
                ids = [row.id for row in group]
                await repo.finish(ids, token=token, state=CANCELLED, now=now, error=verdict.value)
                metrics.REMINDERS_DROPPED.labels(verdict.value).inc(len(ids))
                report.cancelled += len(ids)
        expired = [row.id for row in verdicts.get(Verdict.EXPIRED, [])]
        if expired:
            await repo.finish(expired, token=token, state=EXPIRED, now=now, error="expired")
            metrics.REMINDERS_DROPPED.labels("expired").inc(len(expired))
            report.expired += len(expired)
            logger.info("outbox rows %s expired before they could go out", expired)
        deferred = [row.id for row in verdicts.get(Verdict.DEFER, [])]
        if deferred:
            morning = next_morning(now, self.config.morning)
            await repo.defer(deferred, token=token, due_at=morning, now=now)
            report.deferred += len(deferred)
            logger.info("outbox rows %s held until %s: daily cap reached", deferred, morning)

    def _jobs(
        self,
        rows: list[ClaimedMessage],
        recipients: dict[int, Recipient],
        token: str,
        now: datetime,
    ) -> list[Job]:
        """Compose the rows that go out: a candidate's reminders as one digest, each
        broadcast copy alone."""
        keep: dict[tuple[int, str, int | None], list[ClaimedMessage]] = defaultdict(list)
        for row in rows:
            keep[(row.user_id, row.kind, row.id if row.kind != REMINDER else None)].append(row)
        jobs: list[Job] = []
        for (user_id, kind, _), group in keep.items():
            messages = self.composer.compose(recipients[user_id], group, now)
            jobs.append(Job(token, user_id, kind, group, messages))
        return jobs

    # -- workers --------------------------------------------------------------------------

    async def _worker(self, queue: asyncio.Queue[Job | None], report: SendReport) -> None:
        while True:
            job = await queue.get()
            if job is None:
                return
            try:
                if self._stopping:
                    # Shutting down: hand the rows back now rather than after the lease.
                    self._pending.release.append(job)
                else:
                    await self._send(job, report)
            except Exception:
                # A bug, not a send error (those are results): leave the rows to the lease.
                logger.exception("sender: job for outbox rows %s crashed", job.ids)
            finally:
                # The job leaves the claim budget as soon as its outcome is buffered, so the
                # claimer refills while the outcome is being written.
                self._outstanding -= 1
                self._finished.set()
            # The outcome is written before this worker does anything else (no await came
            # between the channel's answer and here): a crash from now on cannot send twice.
            await self._commit()

    async def _send(self, job: Job, report: SendReport) -> None:
        attempt = job.attempts + 1
        result = DeliveryResult(Outcome.OK)
        message_id: int | None = None
        delivered = 0
        for message in job.messages:
            result = await self._deliver_one(job, message, attempt)
            if result.outcome is not Outcome.OK:
                break
            delivered += 1
            message_id = message_id or result.message_id
        if result.outcome is Outcome.LEASE_LOST:
            # Not sent by this claim: give back whatever rows it still holds, unmarked.
            self._pending.release.append(job)
            return
        self._settle(job, result, attempt, report, partly_delivered=delivered > 0)
        if result.outcome is Outcome.OK:
            logger.info("outbox rows %s sent as message %s (attempt %d)", job.ids, message_id,
                        attempt)

    def _settle(
        self, job: Job, result: DeliveryResult, attempt: int, report: SendReport, *,
        partly_delivered: bool,
    ) -> None:
        """Buffer the outcome of a job (no await: nothing may come between it and the write)."""
        report.messages += 1
        now = self.clock()
        outcome = result.outcome
        metrics.SEND_ATTEMPTS.labels(outcome.value).inc()
        if outcome is Outcome.OK:
            key = uuid.uuid4().hex
            self._pending.sent += [(row_id, key) for row_id in job.ids]
            report.sent += 1
            metrics.MESSAGES_SENT.labels(job.kind).inc()
            if any(row.possible_duplicate for row in job.rows):
                metrics.POSSIBLE_DUPLICATES.labels(job.kind).inc()
                report.possible_duplicates += 1
        elif outcome.unreachable:
            self._pending.blocked.append((job, outcome.value))
            report.blocked += 1
            metrics.MESSAGES_FAILED.labels(outcome.value).inc()
            logger.info("outbox rows %s: %s; candidate marked blocked", job.ids, outcome.value)
        elif (outcome.transient or outcome is Outcome.RETRY_AFTER) and (
            attempt < self.config.max_attempts
        ):
            delay = min(self.config.backoff_base * 2 ** (attempt - 1), self.config.backoff_max)
            delay = max(delay, result.retry_after or 0.0)
            error = f"{outcome.value}: {result.detail or ''}"
            # A request that timed out may have been delivered, and the messages of a digest
            # that went before the failing one were: the next try may duplicate them.
            maybe_delivered = partly_delivered or outcome is Outcome.TIMEOUT
            self._pending.retry.append(
                (job, now + timedelta(seconds=delay), error, maybe_delivered)
            )
            report.retried += 1
            logger.info("outbox rows %s: %s (attempt %d); retry in %.1f s", job.ids,
                        outcome.value, attempt, delay)
        else:
            self._pending.failed.append((job, f"{outcome.value}: {result.detail or ''}"))
            report.failed += 1
            metrics.MESSAGES_FAILED.labels(outcome.value).inc()
            logger.warning("outbox rows %s dead-lettered after attempt %d: %s", job.ids,
                           attempt, outcome.value)

    async def _deliver_one(self, job: Job, message: Outgoing, attempt: int) -> DeliveryResult:
        """Deliver one message, waiting out Telegram's retry_after a bounded number of times."""
        for _ in range(self.config.max_retry_after + 1):
            await self.limiter.acquire(message.chat_id)
            # Marked after the slot, so only a row whose request may have gone is marked (a
            # crash while waiting for a slot is no possible duplicate); `admit` comes after
            # the mark's write, so that write's latency cannot bunch requests past the cap.
            if not await self._mark_sending(job):
                return DeliveryResult(Outcome.LEASE_LOST)
            await self.limiter.admit(message.chat_id)
            started = timer.perf_counter()
            result = await self.delivery.deliver(message)
            self._record(job, attempt, result, started)
            if result.outcome is not Outcome.RETRY_AFTER:
                return result
            pause = result.retry_after or 1.0
            metrics.SEND_ATTEMPTS.labels(Outcome.RETRY_AFTER.value).inc()
            logger.info("outbox rows %s: flood control, every sender pauses %.0f s", job.ids,
                        pause)
            await self.limiter.pause(pause)
        return result

    async def _mark_sending(self, job: Job) -> bool:
        """Mark the job's rows as handed to the channel and renew their lease, with every
        other worker's waiting mark in one transaction; False when this claim lost a row."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._marks.append((job, future))
        async with self._mark_lock:
            # Whoever held the lock may have written this mark already; if not, it waits here.
            if self._marks:
                batch, self._marks = self._marks, []
                await self._write_marks(batch)
        return future.result()

    async def _write_marks(self, batch: list[tuple[Job, asyncio.Future[bool]]]) -> None:
        held: set[int] = set()
        now = self.clock()
        try:
            async with self.pool.begin() as session:
                held = await OutboxRepo(session).mark_sending(
                    [(job.token, job.ids) for job, _ in batch],
                    lease_until=now + self.config.lease, now=now,
                )
        except Exception:
            # Not marked, so not sent: the rows go back when their lease runs out.
            logger.exception("sender: could not mark outbox rows %s sending",
                             [row_id for job, _ in batch for row_id in job.ids])
        finally:
            for job, future in batch:
                if not future.done():
                    future.set_result(all(row_id in held for row_id in job.ids))
        for job, future in batch:
            if not future.result():
                logger.warning("outbox rows %s: lease lost while waiting; not sent by this "
                               "claim", job.ids)

    def _record(self, job: Job, attempt: int, result: DeliveryResult, started: float) -> None:
        at = self.clock()
        duration = int((timer.perf_counter() - started) * 1000)
        detail = result.detail[:200] if result.detail else None
        self._pending.attempts += [
            Attempt(row.id, row.user_id, attempt, at, result.outcome.value, detail, duration)
            for row in job.rows
        ]

    # -- writing results back -------------------------------------------------------------

    async def _flusher(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.config.flush_interval)
            await self._commit()

    async def _commit(self) -> None:
        """Write every outcome buffered so far: a group commit, one writer at a time, each
        taking whatever the workers buffered while the previous write ran."""
        async with self._write_lock:
            await self._flush()

    async def _flush(self) -> None:
        pending, self._pending = self._pending, _Pending()
        if not pending:
            return
        now = self.clock()
        try:
            async with self.pool.begin() as session:
                await self._write(session, pending, now)
        except Exception:
            # Keep the outcomes for the next flush: dropping them would resend what was sent.
            logger.exception("sender: could not record %d outcomes; will retry",
                             len(pending.attempts))
            self._pending = pending.merge(self._pending)

    async def _write(self, session: AsyncSession, pending: _Pending, now: datetime) -> None:
        repo = OutboxRepo(session)
        await repo.record_attempts(pending.attempts)
        await repo.record_sent(pending.sent, now=now)
        for job, due_at, error, maybe_delivered in pending.retry:
            await repo.retry_later(
                job.ids, token=job.token, due_at=due_at, now=now, error=error,
                maybe_delivered=maybe_delivered,
            )
        for job, reason in pending.failed:
            await repo.finish(job.ids, token=job.token, state=FAILED, now=now, error=reason)
        for job in pending.release:
            await repo.defer(job.ids, token=job.token, due_at=now, now=now)
        for job, reason in pending.blocked:
            await repo.finish(job.ids, token=job.token, state=FAILED, now=now, error=reason)
            await repo.mark_blocked(job.user_id)

