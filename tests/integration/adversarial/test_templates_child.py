"""Staff templates in the limited child process: every bomb is refused, and neither the
event loop nor the bot's memory notices."""

from __future__ import annotations

import asyncio
import resource
import sys
import time

import pytest

from bot.staff import sandbox
from bot.staff.sandbox import TemplateRefused, Values, render, run_child
from tests.payloads import TEMPLATE_BOMBS

VALUES = Values({"region": "上海"}, {"deadline": {"pay": "2月8日"}, "days_left": {"pay": 9}})
# The targets: a staff member's worst template costs under 100 MB and stalls other
# users under 200 ms.
MAX_EXTRA_KIB = 100 * 1024
MAX_STALL = 0.2

sandbox_case = pytest.mark.adversarial("sandbox")


pytestmark = pytest.mark.slow  # seconds each: see `make test-fast`


async def _max_stall(work: asyncio.Future[object]) -> float:
    """Return the longest the loop was unavailable to another user while `work` ran."""
    worst, last = 0.0, time.perf_counter()
    while not work.done():
        await asyncio.sleep(0.005)
        now = time.perf_counter()
        worst, last = max(worst, now - last - 0.005), now
    return worst


@sandbox_case
async def test_sandbox_worst_payloads_cost_little_memory_and_no_stall() -> None:
    baseline = (await run_child("{{ region }}", [VALUES])).peak_kib
    parent_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    async def bombs() -> list[int]:
        peaks = []
        for source in [*TEMPLATE_BOMBS[:6], *TEMPLATE_BOMBS[:2]]:  # the worst, twice
            with pytest.raises(TemplateRefused) as info:
                await run_child(source, [VALUES])
            peaks.append(info.value.peak_kib or 0)
        return peaks

    work = asyncio.ensure_future(bombs())
    stall = await _max_stall(work)
    peaks = await work
    parent_extra = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - parent_before
    child_extra = max(peaks) - baseline
    print(f"stall {stall * 1000:.1f} ms, parent +{parent_extra} KiB, child +{child_extra} KiB")
    assert stall < MAX_STALL
    assert parent_extra < MAX_EXTRA_KIB
    assert child_extra < MAX_EXTRA_KIB


@sandbox_case
async def test_sandbox_child_memory_limit_stops_a_runaway(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A bound that missed something: the child's address-space limit still holds.
    runaway = "from bot.staff.sandbox import _limit_child; _limit_child(); x = ' ' * 10**9"
    monkeypatch.setattr(sandbox, "CHILD_COMMAND", [sys.executable, "-I", "-c", runaway])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(TemplateRefused) as info:
        await render("{{ region }}", VALUES)
    assert info.value.code == "memory"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < MAX_EXTRA_KIB


@sandbox_case
async def test_sandbox_child_cpu_limit_stops_a_spin(monkeypatch: pytest.MonkeyPatch) -> None:
    spin = "from bot.staff.sandbox import _limit_child\n_limit_child()\nwhile True: pass"
    monkeypatch.setattr(sandbox, "CHILD_COMMAND", [sys.executable, "-I", "-c", spin])
    monkeypatch.setattr(sandbox, "CHILD_STARTUP_SECONDS", 0.5)
    work = asyncio.ensure_future(render("{{ region }}", VALUES, seconds=0.2))
    stall = await _max_stall(work)
    with pytest.raises(TemplateRefused) as info:
        await work
    assert info.value.code == "timeout"
    assert stall < MAX_STALL
