"""The candidate's journey as the chat shows it: step views, region groups, calendar entries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from bot.texts import Locale
from handlers.ics import CalendarEntry
from handlers.template_context import site_context
from notices import (
    STEP_ORDER,
    KnowledgeBase,
    Region,
    Step,
    StepPlan,
    cycle_end,
    cycle_over,
    local_date,
    window_status,
)

StepState = Literal["done", "past", "open", "upcoming", "local", "undated", "auto"]

# Words for /returning; anything else gets the usage and the buttons.
_YES = frozenset({"yes", "y", "true", "1", "是", "是的", "对", "历史考生"})
_NO = frozenset({"no", "n", "false", "0", "否", "不是", "不", "首次", "首次报考"})
# Steps whose plan depends on the region: their note is always worth showing.
_GENERIC_MODE = "all"
NOTES_FOR_FIRST = 2


@dataclass(frozen=True, slots=True)
class StepView:
    """One step for one candidate today: what the templates need, in one locale."""

    step: Step
    name: str
    state: StepState
    start: date | None
    end: date | None
    days: tuple[date, ...]
    days_left: int | None
    days_until_open: int | None
    next_day: date | None
    note: str
    consequence: str
    link: str | None
    ready: bool
    region_specific: bool

    @property
    def dated(self) -> bool:
        return self.start is not None


@dataclass(frozen=True, slots=True)
class RegionGroup:
    """A geographic group of regions, for a picker that fits a phone screen."""

    index: int
    name: str
    regions: tuple[Region, ...]


def ended_cycle(kb: KnowledgeBase, now: datetime, locale: Locale) -> dict[str, Any] | None:
    """Return what to say when the loaded notice year is over (None while it runs): its year,
    its last date and where the next year's notice will appear."""
    if not cycle_over(kb, now):
        return None
    return {
        "year": kb.year,
        "end": cycle_end(kb),
        "site": site_context(kb.cycle.official_site, locale),
    }


def known_region(kb: KnowledgeBase, code: str | None) -> Region | None:
    """Return the stored region if this year's data still knows it."""
    if code is None:
        return None
    try:
        return kb.region(code)
    except KeyError:
        return None


def region_groups(kb: KnowledgeBase, locale: Locale) -> list[RegionGroup]:
    """Return the regions grouped by geography, groups and regions in the data's order."""
    grouped: dict[str, list[Region]] = {}
    for region in kb.regions:
        grouped.setdefault(region.group(locale), []).append(region)
    return [
        RegionGroup(index=i, name=name, regions=tuple(regions))
        for i, (name, regions) in enumerate(grouped.items())
    ]


def auto_confirm_region(kb: KnowledgeBase, code: str) -> bool:
    """Return True when the region confirms returning candidates automatically."""
    plan = kb.plan(code, True)[STEP_ORDER.index(Step.CONFIRM)]
    return plan.mode == "auto_if_unchanged"


def parse_yes_no(text: str) -> bool | None:
    """Read /returning's argument: yes/no in English or Chinese, else None."""
    word = text.strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    return None


def open_predecessors(kb: KnowledgeBase, step: Step, done: Iterable[str]) -> list[Step]:
    """Return the steps `step` depends on (directly or not) that are not marked done."""
    needed: set[Step] = set()
    stack = list(kb.step_rule(step).requires)
    while stack:
        current = stack.pop()
        if current not in needed:
            needed.add(current)
            stack.extend(kb.step_rule(current).requires)
    finished = set(done)
    return [s for s in STEP_ORDER if s in needed and s.value not in finished]


def _view(plan: StepPlan, done: frozenset[str], now: datetime, locale: Locale) -> StepView:
    window = plan.window
    status = window_status(window, now) if window is not None else None
    state: StepState
    if plan.step.value in done:
        state = "done"
    elif plan.mode == "auto_if_unchanged":
        state = "auto"
    elif status is None and plan.mode == _GENERIC_MODE:
        # The notice gives no date and leaves none to the region (scores: 考后2个月).
        state = "undated"
    elif status is None:
        state = "local"
    else:
        state = {"closed": "past", "open": "open", "upcoming": "upcoming"}[status.state]  # type: ignore[assignment]
    return StepView(
        step=plan.step,
        name=plan.name(locale),
        state=state,
        start=window.start if window else None,
        end=window.end if window else None,
        days=window.days if window else (),
        days_left=status.days_left if status else None,
        days_until_open=status.days_until_open if status else None,
        next_day=status.next_day if status else None,
        note=plan.note(locale),
        consequence=plan.consequence(locale) or "",
        link=plan.link,
        ready=all(r.value in done for r in plan.requires),
        region_specific=plan.mode != _GENERIC_MODE,
    )


def step_views(
    kb: KnowledgeBase,
    *,
    region_code: str | None,
    returning: bool | None,
    done: Iterable[str],
    now: datetime,
    locale: Locale,
) -> list[StepView]:
    """Return every step as it applies to the candidate today, in the notice's order."""
    finished = frozenset(done)
    return [_view(plan, finished, now, locale) for plan in kb.plan(region_code, returning)]


def todo_views(views: list[StepView]) -> list[tuple[StepView, bool]]:
    """Return the steps not done, each with whether its note is worth showing."""
    remaining = [v for v in views if v.state != "done"]
    return [(v, v.region_specific or i < NOTES_FOR_FIRST) for i, v in enumerate(remaining)]


def calendar_entries(
    views: list[StepView],
    *,
    year: int,
    region_code: str,
    now: datetime,
) -> list[CalendarEntry]:
    """Return the calendar events of the dated steps not done whose days are still ahead."""
    today = local_date(now)
    entries: list[CalendarEntry] = []
    for view in views:
        if view.state == "done" or view.start is None or view.end is None:
            continue
        uid = f"{year}-{region_code}-{view.step.value}"
        description = "\n".join(p for p in (view.note, view.consequence) if p)
        spans = [(d, d, f"{uid}-{d:%m%d}") for d in view.days] or [(view.start, view.end, uid)]
        entries.extend(
            CalendarEntry(uid=u, summary=view.name, description=description, start=s, end=e)
            for s, e, u in spans
            if e >= today
        )
    return entries
