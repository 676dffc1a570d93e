"""What applies when: step plans, window status in Asia/Shanghai, and the to-do list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from notices.kb import KnowledgeBase
from notices.models import SHANGHAI, Window
from notices.plans import StepPlan
from notices.steps import Step

WindowState = Literal["upcoming", "open", "closed"]


@dataclass(frozen=True, slots=True)
class WindowStatus:
    """Where a date falls against a window, counted in whole days in Asia/Shanghai."""

    state: WindowState
    today: date
    days_until_open: int | None
    days_left: int | None
    is_first_day: bool
    is_last_day: bool
    next_day: date | None = None


@dataclass(frozen=True, slots=True)
class TodoItem:
    """A step still to do, with its plan and where today falls against its window."""

    plan: StepPlan
    status: WindowStatus | None
    ready: bool
    past: bool

    @property
    def step(self) -> Step:
        """Return the step."""
        return self.plan.step


def local_date(now: datetime) -> date:
    """Return the calendar date in Asia/Shanghai of an aware datetime."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(SHANGHAI).date()


def window_status(window: Window, now: datetime) -> WindowStatus:
    """Return whether a window is upcoming, open or closed at an aware instant."""
    today = local_date(now)
    next_day = next((d for d in window.days if d >= today), None)
    if today < window.start:
        return WindowStatus(
            state="upcoming",
            today=today,
            days_until_open=(window.start - today).days,
            days_left=None,
            is_first_day=False,
            is_last_day=False,
            next_day=next_day,
        )
    if today > window.end:
        return WindowStatus(
            state="closed",
            today=today,
            days_until_open=None,
            days_left=None,
            is_first_day=False,
            is_last_day=False,
        )
    return WindowStatus(
        state="open",
        today=today,
        days_until_open=0,
        days_left=(window.end - today).days,
        is_first_day=today == window.start,
        is_last_day=today == window.end,
        next_day=next_day,
    )


def cycle_end(kb: KnowledgeBase) -> date:
    """Return the last date of the loaded notice year: the latest end of any step's window,
    staff-given region milestones included."""
    ends = [rule.window.end for rule in kb.cycle.steps if rule.window is not None]
    ends += [milestone.end for milestone in kb.milestones]
    return max(ends, default=date(kb.year, 12, 31))


def cycle_over(kb: KnowledgeBase, now: datetime) -> bool:
    """Return True when `now` falls after the last date of the loaded notice year: the next
    year's notice is not loaded yet, so no step of this one is worth listing as due."""
    return local_date(now) > cycle_end(kb)


def todo(
    kb: KnowledgeBase,
    *,
    region_code: str | None,
    returning: bool | None,
    done: set[Step] | frozenset[Step],
    now: datetime,
    excepted: frozenset[Step] = frozenset(),
) -> list[TodoItem]:
    """Return the steps not yet done, in order, each with its window status (for the steps
    in `excepted`, as in the excepted part of the region: "贵州省直考点")."""
    items: list[TodoItem] = []
    for plan in kb.plan(region_code, returning, excepted):
        if plan.step in done:
            continue
        status = window_status(plan.window, now) if plan.window else None
        ready = all(req in done for req in plan.requires)
        past = status is not None and status.state == "closed"
        items.append(TodoItem(plan=plan, status=status, ready=ready, past=past))
    return items
