"""What staff read: knowledge gaps (unanswered questions, grouped) and statistics."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from rapidfuzz import fuzz
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Candidate, CandidateStep, UnansweredQuestion
from bot.db.outbox import OutboxRepo
from notices import STEP_ORDER, Step
from notices.text import normalise

SIMILARITY = 80.0
MAX_QUESTIONS = 1000
MAX_GROUPS = 15


@dataclass(slots=True)
class QuestionGroup:
    """Similar questions: the newest one's text stands for the group."""

    text: str
    latest: datetime
    count: int = 1
    regions: set[str | None] = field(default_factory=set)
    kinds: set[str] = field(default_factory=set)
    key: str = ""


def group_questions(
    questions: Sequence[UnansweredQuestion], *, threshold: float = SIMILARITY
) -> list[QuestionGroup]:
    """Cluster questions (given newest first) by token-set similarity of normalised text."""
    groups: list[QuestionGroup] = []
    for question in questions:
        key = normalise(question.text)
        # Chinese has no spaces: compare the characters as tokens.
        tokens = " ".join(key) if not key.isascii() else key
        for group in groups:
            if fuzz.token_set_ratio(tokens, group.key) >= threshold:
                group.count += 1
                break
        else:
            group = QuestionGroup(question.text, question.created_at, key=tokens)
            groups.append(group)
        group.regions.add(question.region)
        group.kinds.add(question.kind)
    return groups


class UnansweredReport:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def groups(
        self, *, regions: Collection[str], include_no_region: bool, limit: int = MAX_GROUPS
    ) -> tuple[list[QuestionGroup], int]:
        """Return the newest groups of similar questions asked in `regions`, and the total."""
        q = UnansweredQuestion
        scope: ColumnElement[bool] = q.region.in_(sorted(regions))
        if include_no_region:
            scope = scope | q.region.is_(None)
        rows = (
            await self.session.scalars(
                select(q).where(scope).order_by(q.created_at.desc(), q.id.desc())
                .limit(MAX_QUESTIONS)
            )
        ).all()
        groups = group_questions(rows)
        return groups[:limit], len(rows)


@dataclass(slots=True)
class RegionStats:
    region: str
    candidates: int = 0
    subscribed: int = 0
    blocked: int = 0
    steps: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    kind: str
    state: str
    count: int


class StatsRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def regions(self, regions: Collection[str]) -> list[RegionStats]:
        """Count candidates, subscribed, blocked and steps done per region."""
        c, s = Candidate, CandidateStep
        scope = sorted(regions)
        found: dict[str, RegionStats] = {}
        rows = await self.session.execute(
            select(c.region, c.reminders_enabled, c.blocked, func.count())
            .where(c.region.in_(scope))
            .group_by(c.region, c.reminders_enabled, c.blocked)
        )
        for region, enabled, blocked, count in rows:
            stats = found.setdefault(str(region), RegionStats(str(region)))
            stats.candidates += count
            stats.blocked += count if blocked else 0
            stats.subscribed += count if enabled and not blocked else 0
        steps = await self.session.execute(
            select(c.region, s.step, func.count())
            .join(s, s.user_id == c.user_id)
            .where(c.region.in_(scope))
            .group_by(c.region, s.step)
        )
        for region, step, count in steps:
            found.setdefault(str(region), RegionStats(str(region))).steps[step] = count
        order = {code: i for i, code in enumerate(scope)}
        return sorted(found.values(), key=lambda r: order[r.region])

    async def outbox_by_day(
        self, regions: Collection[str], *, now: datetime, days: int = 7
    ) -> tuple[list[DayCount], dict[str, int]]:
        """Count finished outbox rows per Shanghai day, kind and state; and pending per kind."""
        outbox = OutboxRepo(self.session)
        rows = await outbox.finished_by_day(regions, since=now - timedelta(days=days))
        counts = [DayCount(day, kind, state, n) for day, kind, state, n in rows]
        counts.sort(key=lambda item: (item.day, item.kind, item.state), reverse=True)
        return counts, await outbox.open_by_kind(regions)


def daily_table(counts: Sequence[DayCount]) -> list[tuple[date, dict[str, int]]]:
    """Fold day counts into rows: day -> {"reminder_sent": n, "broadcast_failed": n, ...}."""
    table: dict[date, dict[str, int]] = defaultdict(dict)
    for item in counts:
        table[item.day][f"{item.kind}_{item.state}"] = item.count
    return sorted(table.items(), reverse=True)


def step_bars(stats: Sequence[RegionStats]) -> tuple[list[tuple[Step, int]], int]:
    """Sum steps done over regions: bars in the notice's step order and the candidates."""
    total = sum(s.candidates for s in stats)
    bars = [(step, sum(s.steps.get(str(step), 0) for s in stats)) for step in STEP_ORDER]
    return bars, total
