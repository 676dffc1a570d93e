"""Reminder rules (validated YAML) and the pure calendar arithmetic of occasions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from notices import SHANGHAI, STEP_ORDER, Step, StepPlan, Window

RULES_FILE = Path(__file__).with_name("rules.yaml")
Anchor = Literal["start", "end", "each_day"]


class RulesError(Exception):
    """The reminder rules file is missing or invalid."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Rule(_Frozen):
    """One occasion of a step's window that deserves a reminder."""

    occasion: str = Field(pattern=r"^[a-z][a-z_]{0,15}$")
    steps: tuple[Step, ...] = Field(min_length=1)
    anchor: Anchor
    days: int = Field(default=0, ge=-60, le=60)
    at: time
    urgent: bool = False


class RuleSet(_Frozen):
    """Every reminder rule, and the morning time held messages move to."""

    morning: time = time(9, 0)
    rules: tuple[Rule, ...]

    @model_validator(mode="after")
    def _unique(self) -> RuleSet:
        seen: set[tuple[Step, str]] = set()
        for rule in self.rules:
            for step in rule.steps:
                if (step, rule.occasion) in seen:
                    raise ValueError(f"occasion '{rule.occasion}' given twice for step {step}")
                seen.add((step, rule.occasion))
        return self

    def for_step(self, step: Step) -> tuple[Rule, ...]:
        """Return the rules that apply to a step."""
        return tuple(r for r in self.rules if step in r.steps)


def load_rules(path: Path = RULES_FILE) -> RuleSet:
    """Read and validate the rules file, or raise RulesError saying what is wrong."""
    try:
        with path.open(encoding="utf-8") as fh:
            raw = yaml.safe_load(fh)
        return RuleSet.model_validate(raw)
    except OSError as exc:
        raise RulesError(f"{path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise RulesError(f"{path}: not valid YAML: {exc}") from None
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        raise RulesError(f"{path}: field '{where}': {error['msg']}") from None


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Local hours when only urgent messages go out (start > end wraps past midnight)."""

    start: time = time(22, 0)
    end: time = time(8, 0)

    def contains(self, moment: datetime) -> bool:
        """Return True when an aware instant falls in quiet hours, Asia/Shanghai."""
        local = moment.astimezone(SHANGHAI).time()
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def after(self, moment: datetime) -> datetime:
        """Return the moment itself, or the end of the quiet hours it falls in."""
        if not self.contains(moment):
            return moment
        local = moment.astimezone(SHANGHAI)
        end = datetime.combine(local.date(), self.end, tzinfo=SHANGHAI)
        if end <= local:
            end += timedelta(days=1)
        return end.astimezone(UTC)


# Start equal to end: every message may go out at any hour (for runs on the wall clock).
NO_QUIET_HOURS = QuietHours(time(0, 0), time(0, 0))


@dataclass(frozen=True, slots=True)
class Occasion:
    """One reminder of one step: when it goes out and until when it is worth sending."""

    step: Step
    occasion: str
    event_date: date
    due_at: datetime
    expires_at: datetime
    urgent: bool

    @property
    def dedupe_key(self) -> str:
        """Return the key that makes this reminder happen once per candidate."""
        return f"{self.step.value}:{self.occasion}:{self.event_date:%Y%m%d}"


def local_at(day: date, at: time) -> datetime:
    """Return a Shanghai wall-clock time on a day as an aware UTC instant."""
    return datetime.combine(day, at, tzinfo=SHANGHAI).astimezone(UTC)


def step_occasions(plan: StepPlan, rules: RuleSet, quiet: QuietHours) -> list[Occasion]:
    """Return the reminders a step's window calls for, earliest first, each with its expiry."""
    window = plan.window
    if window is None:
        return []
    found: list[tuple[datetime, date, Rule, datetime]] = []
    for rule in rules.for_step(plan.step):
        for day, hard_expiry in _anchor_days(window, rule):
            due_day = day + timedelta(days=rule.days)
            if rule.anchor == "end" and rule.days < 0 and due_day <= window.start:
                continue  # a short window: "closing soon" would fall on the opening day
            due = local_at(due_day, rule.at)
            if not rule.urgent:
                due = quiet.after(due)
            if due < hard_expiry:
                found.append((due, day, rule, hard_expiry))
    found.sort(key=lambda item: (item[0], item[2].occasion))
    occasions: list[Occasion] = []
    for index, (due, day, rule, hard_expiry) in enumerate(found):
        later = [f[0] for f in found[index + 1 :] if f[0] > due]
        expires = min([hard_expiry, *later[:1]])
        occasions.append(
            Occasion(
                step=plan.step, occasion=rule.occasion, event_date=day, due_at=due,
                expires_at=expires, urgent=rule.urgent,
            )
        )
    return occasions


def _anchor_days(window: Window, rule: Rule) -> list[tuple[date, datetime]]:
    closes = window.closes_before().astimezone(UTC)
    if rule.anchor == "start":
        return [(window.start, closes)]
    if rule.anchor == "end":
        return [(window.end, closes)]
    days = window.days or tuple(
        window.start + timedelta(days=i) for i in range((window.end - window.start).days + 1)
    )
    return [(d, local_at(d, time(0, 0))) for d in days]


def steps_to_remind(done: frozenset[str]) -> tuple[Step, ...]:
    """Return the steps still worth reminding: not done, and no later step done either."""
    last_done = max((i for i, s in enumerate(STEP_ORDER) if s.value in done), default=-1)
    return tuple(s for s in STEP_ORDER[last_done + 1 :] if s.value not in done)


def done_mask(done: frozenset[str]) -> int:
    """Return the bit mask of done steps (bit i is STEP_ORDER[i])."""
    return sum(1 << i for i, s in enumerate(STEP_ORDER) if s.value in done)


def mask_steps(mask: int) -> frozenset[str]:
    """Return the done steps a bit mask stands for."""
    return frozenset(s.value for i, s in enumerate(STEP_ORDER) if mask >> i & 1)
