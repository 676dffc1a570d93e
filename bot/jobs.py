"""The one job registry: every periodic task of a process is a named job of one scheduler.

job id                  every  owner                        what it does
reminders.plan          300 s  scheduler/service.py         plan what is due into the outbox
reminders.send            2 s  scheduler/service.py         drain the outbox
reminders.count          30 s  scheduler/service.py         refresh the outbox depth gauge
reminders.purge           1 h  scheduler/service.py         delete old finished reminders
languages.refresh         5 s  bot/languages.py             /lang choices of other processes
staff.directory.reload   10 s  bot/staff/directory.py       who is staff, for /help
milestones.sync           5 s  bot/staff/regiondata.py      milestones other processes imported
broadcasts.progress       5 s  handlers/staff/broadcast_progress.py
                                                            broadcasts' progress and reports

The dispatcher factory (`bot/dispatcher.py`) makes one JobRegistry per dispatcher, reachable
by handlers and startup observers as `jobs`: it starts with the dispatcher, and each owner adds
its jobs in its own startup observer (where the objects its jobs need exist). It stops right
after the updates in flight: no new tick, runs that can wind down finish, the rest are
cancelled. APScheduler 3 keeps the jobs in memory, one scheduler per process: the database,
never a shared job store, is what processes agree on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import utc_clock

logger = logging.getLogger(__name__)

JOBS_KEY = "jobs"
# How long a stop waits for runs that wind down (a sender drain finishing its batch).
STOP_GRACE = 10.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    """A periodic task: its stable id, what it runs, how often, and how it stops."""

    id: str
    run: Callable[[], Awaitable[object]]
    every: float  # seconds between ticks
    # Run once as soon as the registry runs, rather than one interval after.
    at_start: bool = False
    # Asked when the registry stops: a run in progress then finishes (within STOP_GRACE)
    # instead of being cancelled half-way.
    wind_down: Callable[[], None] | None = None
    # A tick that finds the previous run still going is skipped by design; say nothing.
    quiet_when_busy: bool = False


class _QuietBusyJobs(logging.Filter):
    """Drop APScheduler's warning that a tick found a quiet job still running."""

    def __init__(self, registry: JobRegistry) -> None:
        super().__init__()
        self.registry = registry

    def filter(self, record: logging.LogRecord) -> bool:
        if "running instances" not in str(record.msg) or not record.args:
            return True
        args = record.args if isinstance(record.args, tuple) else (record.args,)
        job = self.registry.get(str(getattr(args[0], "id", "")))
        return job is None or not job.quiet_when_busy


class JobRegistry:
    """The named jobs of one process on one AsyncIOScheduler."""

    def __init__(self, *, grace: float = STOP_GRACE) -> None:
        self.grace = grace
        self.scheduler = AsyncIOScheduler(timezone="Asia/Shanghai")
        self._jobs: dict[str, Job] = {}
        self._running: dict[str, asyncio.Task[Any]] = {}
        self._stopping = False
        self._filter = _QuietBusyJobs(self)

    def __contains__(self, job_id: object) -> bool:
        return job_id in self._jobs

    def ids(self) -> list[str]:
        return list(self._jobs)

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def add(self, job: Job) -> None:
        """Schedule a job (coalesced, one run at a time), replacing any of the same id."""
        options: dict[str, Any] = {}
        if job.at_start:
            # APScheduler ticks on the wall clock, whatever time BOT_CLOCK shows.
            options["next_run_time"] = utc_clock()
        self._jobs[job.id] = job
        self.scheduler.add_job(
            self._run, "interval", args=(job.id,), id=job.id, name=job.id,
            seconds=job.every, coalesce=True, max_instances=1,
            misfire_grace_time=int(max(job.every, 60)), replace_existing=True, **options,
        )

    async def start(self) -> None:
        """Start ticking; jobs added from now on tick at once."""
        if self.scheduler.running:
            return
        logging.getLogger("apscheduler.scheduler").addFilter(self._filter)
        self.scheduler.start()
        logger.info("jobs: started %s", ", ".join(self._jobs) or "none yet")

    async def stop(self) -> None:
        """Stop ticking, let runs that wind down finish, cancel the rest, forget the jobs."""
        if not self.scheduler.running:
            return
        # Pause first: shutting APScheduler down cancels running jobs, and a sender drain
        # cancelled mid-way cannot record what it just sent (those would be sent again).
        self.scheduler.pause()
        self._stopping = True
        winding: list[asyncio.Task[Any]] = []
        for job in self._jobs.values():
            if job.wind_down is not None:
                job.wind_down()
                if (task := self._running.get(job.id)) is not None:
                    winding.append(task)
        if winding:
            _, busy = await asyncio.wait(winding, timeout=self.grace)
            if busy:
                logger.warning("jobs: %d run(s) still busy at shutdown; cancelled", len(busy))
        self.scheduler.remove_all_jobs()
        self.scheduler.shutdown(wait=False)  # cancels what still runs
        running = [task for task in self._running.values() if not task.done()]
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        await asyncio.sleep(0)  # AsyncIOScheduler shuts down in a callback of the loop
        self._jobs.clear()
        self._stopping = False
        logging.getLogger("apscheduler.scheduler").removeFilter(self._filter)

    async def _run(self, job_id: str) -> None:
        job = self._jobs.get(job_id)
        if job is None:
            return
        task = asyncio.current_task()
        if task is not None:
            self._running[job_id] = task
        try:
            await job.run()
        except asyncio.CancelledError:
            if not self._stopping:
                raise
            # Cancelled by stop(): every job picks up where it left off at its next start.
            logger.info("job %s stopped at shutdown", job_id)
        except Exception:
            logger.exception("job %s failed; it runs again in %g s", job_id, job.every)
        finally:
            self._running.pop(job_id, None)
