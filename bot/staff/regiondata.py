"""Region milestones from staff: parse a CSV whole (all or nothing), store, overlay on the KB."""

from __future__ import annotations

import csv
import functools
import io
import logging
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db.cleaning import has_control
from bot.db.models import StoredMilestone
from bot.jobs import Job, JobRegistry
from bot.knowledge import Knowledge
from notices import KnowledgeBase, RegionMilestone, Step, parse_step

logger = logging.getLogger(__name__)

SYNC_JOB = "milestones.sync"
SYNC_EVERY = 5.0  # seconds

MAX_BYTES = 1_000_000
MAX_ROWS = 5_000
MAX_NOTE = 500
MAX_LINK = 500
MAX_ERRORS = 20
REQUIRED = ("region", "step", "start", "end")
OPTIONAL = ("note", "note_en", "link")
_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_LINK = re.compile(r"^https?://[^\s<>\"']+$")


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """What is wrong with an import file; `line` is 1-based (the header is line 1)."""

    code: str
    line: int | None = None
    params: dict[str, Any] = field(default_factory=dict)


class ImportRejected(Exception):
    """The file cannot be imported; nothing was changed."""

    def __init__(self, problems: Sequence[ImportProblem]) -> None:
        super().__init__(", ".join(p.code for p in problems))
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class Change:
    region: str
    step: str
    outcome: str  # added | updated | unchanged


def parse_milestones(
    raw: bytes, *, kb: KnowledgeBase, allowed: Collection[str]
) -> list[RegionMilestone]:
    """Validate a whole CSV file of milestones, or raise ImportRejected with every problem."""
    if len(raw) > MAX_BYTES:
        raise ImportRejected([ImportProblem("too_big", params={"limit": MAX_BYTES // 1000})])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportRejected([ImportProblem("encoding", line)]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise ImportRejected([ImportProblem("empty")]) from None
    missing = [c for c in REQUIRED if c not in header]
    unknown = [_printable(c) for c in header if c not in REQUIRED + OPTIONAL]
    if missing or unknown or len(set(header)) != len(header):
        problem = ImportProblem(
            "header", 1, {"missing": ", ".join(missing), "unknown": ", ".join(unknown)}
        )
        raise ImportRejected([problem])
    problems: list[ImportProblem] = []
    items: list[RegionMilestone] = []
    seen: dict[tuple[str, str], int] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(items) + len(problems) >= MAX_ROWS:
                raise ImportRejected([ImportProblem("too_many_rows", params={"limit": MAX_ROWS})])
            item = _parse_row(row, header, line, kb=kb, allowed=allowed, problems=problems)
            if item is None:
                continue
            key = (item.region, str(item.step))
            if key in seen:
                problems.append(ImportProblem("duplicate", line, {"first": seen[key]}))
                continue
            seen[key] = line
            items.append(item)
    except csv.Error:
        problems.append(ImportProblem("csv", reader.line_num))
    if problems:
        raise ImportRejected(problems[:MAX_ERRORS])
    if not items:
        raise ImportRejected([ImportProblem("empty")])
    return items


def _parse_row(
    row: list[str],
    header: list[str],
    line: int,
    *,
    kb: KnowledgeBase,
    allowed: Collection[str],
    problems: list[ImportProblem],
) -> RegionMilestone | None:
    if len(row) != len(header):
        problems.append(ImportProblem("columns", line, {"found": len(row), "want": len(header)}))
        return None
    cells = {name: value.strip() for name, value in zip(header, row, strict=True)}
    before = len(problems)
    for name, value in cells.items():
        if has_control(value):
            problems.append(ImportProblem("control", line, {"field": name}))
            return None
    region = kb.match_region(cells["region"]) if cells["region"] else None
    if region is None:
        problems.append(ImportProblem("region_unknown", line, {"value": cells["region"][:40]}))
    elif region.code not in allowed:
        problems.append(ImportProblem("region_forbidden", line, {"value": region.name_zh}))
    step = parse_step(cells["step"]) if cells["step"] else None
    if step is None:
        problems.append(ImportProblem("step_unknown", line, {"value": cells["step"][:40]}))
    start, end = _date(cells, "start", line, problems), _date(cells, "end", line, problems)
    if start is not None and end is not None and end < start:
        problems.append(ImportProblem("date_order", line))
    note, note_en, link = cells.get("note", ""), cells.get("note_en", ""), cells.get("link", "")
    if len(note) > MAX_NOTE or len(note_en) > MAX_NOTE:
        problems.append(ImportProblem("note_long", line, {"limit": MAX_NOTE}))
    if link and (len(link) > MAX_LINK or not _LINK.match(link)):
        problems.append(ImportProblem("link_bad", line, {"value": link[:60]}))
    if len(problems) > before or region is None or step is None:
        return None
    assert start is not None and end is not None
    return RegionMilestone(
        region=region.code, step=step, start=start, end=end,
        note_zh=note, note_en=note_en or note, link=link or None,
    )


def _printable(text: str) -> str:
    return "".join(ch for ch in text if ch.isprintable())[:30]


def _date(
    cells: dict[str, str], name: str, line: int, problems: list[ImportProblem]
) -> date | None:
    value = cells[name]
    match = _DATE.match(value)
    try:
        if match is None:
            raise ValueError(value)
        parsed = date(int(match[1]), int(match[2]), int(match[3]))
        if not 2000 <= parsed.year <= 2100:
            raise ValueError(value)
    except ValueError:
        problems.append(ImportProblem("date_bad", line, {"field": name, "value": value[:40]}))
        return None
    return parsed


class MilestoneRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all(self) -> list[RegionMilestone]:
        """Return every stored milestone, in region and step order."""
        rows = await self.session.scalars(
            select(StoredMilestone).order_by(StoredMilestone.region, StoredMilestone.step)
        )
        return [_to_milestone(row) for row in rows]

    async def upsert(
        self, items: Sequence[RegionMilestone], *, by: int, now: datetime
    ) -> list[Change]:
        """Store milestones, replacing those of the same region and step; say what changed."""
        changes: list[Change] = []
        for item in items:
            row = await self.session.get(StoredMilestone, (item.region, str(item.step)))
            if row is None:
                self.session.add(_to_row(item, by=by, now=now))
                changes.append(Change(item.region, str(item.step), "added"))
            elif _to_milestone(row) == item:
                changes.append(Change(item.region, str(item.step), "unchanged"))
            else:
                row.start, row.end, row.link = item.start, item.end, item.link
                row.note_zh, row.note_en = item.note_zh, item.note_en
                row.updated_by, row.updated_at = by, now
                changes.append(Change(item.region, str(item.step), "updated"))
        await self.session.flush()
        return changes


def overlayable(kb: KnowledgeBase, items: Sequence[RegionMilestone]) -> list[RegionMilestone]:
    """Keep the milestones whose region the knowledge base knows (a new year may drop one)."""
    known = {r.code for r in kb.regions}
    kept = [m for m in items if m.region in known]
    if len(kept) != len(items):
        logger.warning("ignored %d stored milestones of unknown regions", len(items) - len(kept))
    return kept


def _to_milestone(row: StoredMilestone) -> RegionMilestone:
    return RegionMilestone(
        region=row.region, step=Step(row.step), start=row.start, end=row.end,
        note_zh=row.note_zh, note_en=row.note_en, link=row.link,
    )


def _to_row(item: RegionMilestone, *, by: int, now: datetime) -> StoredMilestone:
    return StoredMilestone(
        region=item.region, step=str(item.step), start=item.start, end=item.end,
        note_zh=item.note_zh, note_en=item.note_en, link=item.link, updated_by=by, updated_at=now,
    )


async def apply_stored(session: AsyncSession, knowledge: Knowledge) -> int:
    """Overlay every stored milestone on the live knowledge base; return how many."""
    items = overlayable(knowledge.kb, await MilestoneRepo(session).all())
    knowledge.set_milestones(items)
    return len(items)


async def import_milestones(
    session: AsyncSession,
    knowledge: Knowledge,
    raw: bytes,
    *,
    actor: int,
    allowed: Collection[str],
    now: datetime,
) -> list[Change]:
    """Validate, store and overlay a milestone file, all or nothing; audit it.

    Raises ImportRejected (nothing stored, the knowledge base unchanged) when any row is bad.
    """
    from bot.staff.roles import AuditRepo

    items = parse_milestones(raw, kb=knowledge.kb, allowed=allowed)
    changes = await MilestoneRepo(session).upsert(items, by=actor, now=now)
    await apply_stored(session, knowledge)
    counts = {o: sum(c.outcome == o for c in changes) for o in ("added", "updated", "unchanged")}
    await AuditRepo(session).record(
        actor, "import", now=now, regions={c.region for c in changes}, recipients=None,
        detail=", ".join(f"{n} {o}" for o, n in counts.items()),
    )
    return changes


async def stored_signature(session: AsyncSession) -> tuple[int, datetime | None]:
    """Return (how many, last change) of the stored milestones: cheap change detection."""
    row = (
        await session.execute(
            select(func.count(), func.max(StoredMilestone.updated_at))
        )
    ).one()
    return int(row[0]), row[1]


class MilestoneSync:
    """Overlay the milestones another process imported on this process's knowledge base."""

    def __init__(self, knowledge: Knowledge, *, every: float = SYNC_EVERY) -> None:
        self.knowledge = knowledge
        self.every = every
        self._signature: tuple[int, datetime | None] | None = None

    async def start(
        self, settings: Settings, session_pool: async_sessionmaker[AsyncSession],
        jobs: JobRegistry,
    ) -> None:
        """Sync through the job SYNC_JOB when the bot runs on Telegram, the only channel
        several processes serve (the terminal chat is one process)."""
        if settings.bot_token is not None:
            # Now first: the stored milestones' signature at start is what later runs compare.
            jobs.add(Job(id=SYNC_JOB, run=functools.partial(self.sync, session_pool),
                         every=self.every, at_start=True, quiet_when_busy=True))

    async def sync(self, session_pool: async_sessionmaker[AsyncSession]) -> bool:
        """Overlay the stored milestones if they changed since the last sync; return whether
        they did (the first sync only takes note of them: start-up overlaid them)."""
        async with session_pool.begin() as session:
            signature = await stored_signature(session)
            changed = self._signature is not None and signature != self._signature
            if changed:
                await apply_stored(session, self.knowledge)
        self._signature = signature
        return changed
