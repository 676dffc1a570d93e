"""Staff templates: every bomb is refused before it is built, in a limited child process,
and neither the event loop nor the bot's memory notices."""

from __future__ import annotations

import asyncio
import resource
import sys
import time

import pytest

from bot.staff import sandbox
from bot.staff.sandbox import TemplateRefused, Values, render, render_now, run_child
from tests.adversarial.payloads import TEMPLATE_BOMBS, TEMPLATE_LEAKS

VALUES = Values({"region": "上海"}, {"deadline": {"pay": "2月8日"}, "days_left": {"pay": 9}})
FUNCTIONS = {"deadline": lambda step: "2月8日", "days_left": lambda step: 9}
# The targets: a staff member's worst template costs under 100 MB and stalls other
# users under 200 ms.
MAX_EXTRA_KIB = 100 * 1024
MAX_STALL = 0.2

sandbox_case = pytest.mark.adversarial("sandbox")


@sandbox_case
@pytest.mark.parametrize("source", TEMPLATE_BOMBS)
def test_sandbox_refuses_each_bomb_before_building_it(source: str) -> None:
    started = time.monotonic()
    with pytest.raises(TemplateRefused) as info:
        render_now(source, {"region": "上海"}, FUNCTIONS)
    assert info.value.code in {"format", "output", "number", "iterations"}
    assert time.monotonic() - started < 0.5


@sandbox_case
@pytest.mark.parametrize("source", TEMPLATE_LEAKS)
def test_sandbox_never_outputs_a_callable_or_container(source: str) -> None:
    with pytest.raises(TemplateRefused) as info:
        render_now(source, {"region": "上海"}, FUNCTIONS)
    assert info.value.code in {"value", "attribute", "filter", "undefined", "call"}


@sandbox_case
def test_sandbox_still_renders_scalars_and_sums() -> None:
    source = "{{ region }}{{ 'ab' * 3 }}{{ 7 % 3 }}{{ [1, 2]|join('-') }}{{ deadline('pay') }}"
    assert render_now(source, {"region": "上海"}, FUNCTIONS) == "上海ababab11-22月8日"


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
