"""The one job registry: named interval jobs, one run at a time, an orderly stop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.jobs import Job, JobRegistry
from bot.languages import REFRESH_JOB
from bot.staff.directory import RELOAD_JOB
from bot.staff.regiondata import SYNC_JOB
from handlers.staff.broadcast_progress import PROGRESS_JOB
from scheduler.service import COUNT_JOB, PLAN_JOB, PURGE_JOB, SEND_JOB

EVERY_JOB = {PLAN_JOB, SEND_JOB, COUNT_JOB, PURGE_JOB, REFRESH_JOB, RELOAD_JOB, SYNC_JOB,
             PROGRESS_JOB}


@pytest.fixture
async def jobs() -> AsyncIterator[JobRegistry]:
    registry = JobRegistry(grace=2.0)
    yield registry
    await registry.stop()


async def wait_for(event: asyncio.Event) -> None:
    await asyncio.wait_for(event.wait(), 5)


async def test_job_registry_schedules_a_coalesced_interval_job(jobs: JobRegistry) -> None:
    async def tick() -> None:
        pass

    jobs.add(Job(id="area.tick", run=tick, every=7.0))

    job = jobs.scheduler.get_job("area.tick")
    assert job is not None and job.name == "area.tick"
    assert job.trigger.interval == timedelta(seconds=7)
    assert job.coalesce and job.max_instances == 1
    assert job.misfire_grace_time == 60
    assert jobs.ids() == ["area.tick"]


async def test_job_registry_replaces_a_job_of_the_same_id(jobs: JobRegistry) -> None:
    async def tick() -> None:
        pass

    await jobs.start()
    jobs.add(Job(id="area.tick", run=tick, every=7.0))
    jobs.add(Job(id="area.tick", run=tick, every=9.0))

    assert len(jobs.scheduler.get_jobs()) == 1
    assert jobs.scheduler.get_job("area.tick").trigger.interval == timedelta(seconds=9)


async def test_job_registry_runs_an_at_start_job_at_once_and_others_an_interval_later(
    jobs: JobRegistry,
) -> None:
    ran: list[str] = []
    first = asyncio.Event()

    async def now() -> None:
        ran.append("now")
        first.set()

    async def later() -> None:
        ran.append("later")

    jobs.add(Job(id="area.now", run=now, every=3600.0, at_start=True))
    jobs.add(Job(id="area.later", run=later, every=3600.0))
    await jobs.start()
    await wait_for(first)

    assert ran == ["now"]


async def test_job_registry_logs_a_failed_run_and_ticks_again(
    jobs: JobRegistry, caplog: pytest.LogCaptureFixture
) -> None:
    runs = 0
    second = asyncio.Event()

    async def flaky() -> None:
        nonlocal runs
        runs += 1
        if runs == 1:
            raise RuntimeError("database away")
        second.set()

    jobs.add(Job(id="area.flaky", run=flaky, every=0.05, at_start=True))
    with caplog.at_level(logging.ERROR, logger="bot.jobs"):
        await jobs.start()
        await wait_for(second)

    assert "job area.flaky failed" in caplog.text


async def test_job_registry_stop_lets_a_winding_run_finish_and_cancels_the_rest(
    jobs: JobRegistry, caplog: pytest.LogCaptureFixture
) -> None:
    started = {"drain": asyncio.Event(), "loop": asyncio.Event()}
    stopping = asyncio.Event()
    outcome: dict[str, str] = {}

    async def drain() -> None:
        started["drain"].set()
        await stopping.wait()  # the batch in hand
        outcome["drain"] = "finished its batch"

    async def loop() -> None:
        started["loop"].set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            outcome["loop"] = "cancelled"
            raise

    jobs.add(Job(id="area.drain", run=drain, every=3600.0, at_start=True,
                 wind_down=stopping.set))
    jobs.add(Job(id="area.loop", run=loop, every=3600.0, at_start=True))
    await jobs.start()
    await wait_for(started["drain"])
    await wait_for(started["loop"])

    with caplog.at_level(logging.INFO):
        await jobs.stop()

    assert outcome == {"drain": "finished its batch", "loop": "cancelled"}
    assert "job area.loop stopped at shutdown" in caplog.text
    assert "raised an exception" not in caplog.text  # APScheduler saw no failure
    assert jobs.ids() == [] and not jobs.scheduler.running


async def test_job_registry_drops_the_busy_warning_of_quiet_jobs_only(
    jobs: JobRegistry, caplog: pytest.LogCaptureFixture
) -> None:
    release = asyncio.Event()
    running = {"area.quiet": asyncio.Event(), "area.loud": asyncio.Event()}

    def busy(job_id: str) -> Job:
        async def run() -> None:
            running[job_id].set()
            await release.wait()

        return Job(id=job_id, run=run, every=0.05, at_start=True,
                   quiet_when_busy=job_id == "area.quiet", wind_down=release.set)

    with caplog.at_level(logging.WARNING, logger="apscheduler"):
        jobs.add(busy("area.quiet"))
        jobs.add(busy("area.loud"))
        await jobs.start()
        for event in running.values():
            await wait_for(event)
        await asyncio.sleep(0.3)  # several ticks find both still running
        await jobs.stop()

    busy_warnings = [r.getMessage() for r in caplog.records if "running instances" in r.msg]
    assert busy_warnings and all("area.loud" in w for w in busy_warnings)
