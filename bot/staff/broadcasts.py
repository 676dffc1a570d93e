"""Broadcasts: audience, per-region rendering, one outbox row per recipient, progress.

A broadcast's copies are outbox rows (kind=broadcast, dedupe key ``broadcast:<id>``), written
in the same transaction as the broadcast itself: it exists once or not at all, and a restart
neither loses nor repeats it. The sender delivers the rows at its rate cap; progress is read
back from the outbox, never kept in memory.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import ColumnElement, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.cleaning import clean_text
from bot.db.models import Broadcast, Candidate, CandidateStep
from bot.db.outbox import (
    BROADCAST,
    CANCELLED,
    PRIORITY_BROADCAST,
    NewMessage,
    OutboxRepo,
)
from bot.staff.roles import AuditRepo, StaffRole
from bot.staff.sandbox import Scalar, Values, literal_arguments, render, run_child
from bot.texts import Locale, format_date
from notices import KnowledgeBase, local_date, parse_step

AUDIENCE_ALL: Final = "all"
SCHEDULED: Final = "scheduled"
SENDING: Final = "sending"
DONE: Final = "done"
STOPPED: Final = "cancelled"
ACTIVE: Final = (SCHEDULED, SENDING)
# A broadcast copy still undelivered a day after its time is stale news.
EXPIRES_AFTER: Final = timedelta(days=1)


class NoRecipients(Exception):
    """Nobody in the regions matches the audience: there is nothing to send."""


@dataclass(frozen=True, slots=True)
class BroadcastRequest:
    """A confirmed draft: who sends which template to whom and when, and where its progress
    message goes."""

    draft_key: str  # the flow's draft: confirming it twice makes one broadcast
    staff_id: int
    regions: Sequence[str]
    audience: str
    template: str
    send_at: datetime
    chat_id: int  # the progress message's chat
    locale: Locale  # and its language


@dataclass(frozen=True, slots=True)
class Recipient:
    user_id: int
    region: str
    locale: Locale


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a broadcast stands, read from its outbox rows."""

    total: int
    sent: int
    failed: int
    blocked: int
    cancelled: int
    left: int
    # Copies sent again after an earlier try may have been delivered (a sender died between
    # Telegram's answer and its record, or the request timed out): a candidate may have two.
    possible_duplicates: int = 0

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.blocked


# Stands for a step with no date in a region while the template renders; the words around it
# ("还剩 … 天", "… days left") go with it, and the phrase for an undated step takes its place.
UNDATED: Final = "\ue000"
_AROUND_UNDATED: Final = re.compile(
    r"(?:(?:还剩|还有|剩余|剩下|仅剩|只剩|剩)\s*|\b(?:only|just)\s+(?:in\s+)?|\bin\s+)?"
    r"\ue000(?:\s*个?[天日]|\s*(?:more\s+)?days?\b(?:\s+(?:left|remaining|to\s+go))?)?",
    re.IGNORECASE,
)


def fill_undated(text: str, phrase: str) -> str:
    """Put the phrase for an undated step where the template used its date or days left,
    with the words that counted the days ("还剩 … 天"): it reads as a phrase of its own."""
    return _AROUND_UNDATED.sub(phrase, text)


def template_values(
    source: str, kb: KnowledgeBase, region: str, locale: Locale, now: datetime
) -> Values:
    """Return what a template may read for one region as of `now`: `region`, and the tables
    behind deadline(step) and days_left(step) (every step name, and each name the template
    writes, such as 缴费); a step with no date in the region reads UNDATED."""
    plans = {str(p.step): p for p in kb.plan(region, None)}
    today = local_date(now)
    found = kb.region(region)
    deadlines: dict[str, Scalar] = {}
    days_left: dict[str, Scalar] = {}
    for name in sorted({*plans, *literal_arguments(source)}):
        step = parse_step(name)
        if step is None:
            continue
        window = plans[str(step)].window
        deadlines[name] = UNDATED if window is None else format_date(window.end, locale)
        days_left[name] = UNDATED if window is None else max((window.end - today).days, 0)
    return Values(
        {"region": found.name(locale)},
        {"deadline": deadlines, "days_left": days_left},
        missing="step",
    )


async def render_for(
    source: str, *, kb: KnowledgeBase, region: str, locale: Locale, now: datetime, unknown: str
) -> str:
    """Render a staff template as the candidates of `region` reading `locale` will see it;
    `unknown` is the phrase for a step with no date there."""
    return fill_undated(await render(source, template_values(source, kb, region, locale, now)),
                        unknown)


class BroadcastRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _audience(self, regions: Collection[str], audience: str) -> list[ColumnElement[bool]]:
        c = Candidate
        where: list[ColumnElement[bool]] = [
            c.region.in_(sorted(regions)), c.blocked.is_(False), c.reminders_enabled.is_(True)
        ]
        if audience != AUDIENCE_ALL:
            s = CandidateStep
            where.append(~exists().where(s.user_id == c.user_id, s.step == audience))
        return where

    async def count(self, regions: Collection[str], audience: str) -> int:
        """Count who would receive a broadcast to `audience` in `regions`."""
        where = self._audience(regions, audience)
        stmt = select(func.count()).select_from(Candidate).where(*where)
        return int(await self.session.scalar(stmt) or 0)

    async def recipients(self, regions: Collection[str], audience: str) -> list[Recipient]:
        """Return the recipients in Telegram id order (blocked and paused ones left out)."""
        c = Candidate
        rows = await self.session.execute(
            select(c.user_id, c.region, c.language)
            .where(*self._audience(regions, audience))
            .order_by(c.user_id)
        )
        return [
            Recipient(int(uid), str(region), "en" if lang == "en" else "zh")
            for uid, region, lang in rows
        ]

    async def create(self, request: BroadcastRequest, *, now: datetime) -> Broadcast | None:
        """Create the broadcast of a draft; None when this draft was already confirmed."""
        taken = await self.session.scalar(
            select(Broadcast.id).where(Broadcast.draft_key == request.draft_key)
        )
        if taken is not None:
            return None
        broadcast = Broadcast(
            draft_key=request.draft_key, staff_id=request.staff_id,
            regions=list(request.regions), audience=request.audience,
            template=clean_text(request.template), state=SCHEDULED, send_at=request.send_at,
            total=0, chat_id=request.chat_id, locale=request.locale, created_at=now,
        )
        self.session.add(broadcast)
        await self.session.flush()
        return broadcast

    async def enqueue(
        self,
        broadcast: Broadcast,
        recipients: Sequence[Recipient],
        texts: dict[tuple[str, Locale], str],
        *,
        now: datetime,
    ) -> int:
        """Write one outbox row per recipient (never twice: the dedupe key is the broadcast)."""
        key = f"broadcast:{broadcast.id}"
        messages = [
            NewMessage(
                user_id=r.user_id, occasion="broadcast", dedupe_key=key,
                due_at=broadcast.send_at, kind=BROADCAST, priority=PRIORITY_BROADCAST,
                expires_at=broadcast.send_at + EXPIRES_AFTER, broadcast_id=broadcast.id,
                payload={"text": texts[(r.region, r.locale)]},
            )
            for r in recipients
        ]
        added = await OutboxRepo(self.session).add(messages, now=now)
        broadcast.total = added
        return added

    async def get(self, broadcast_id: int) -> Broadcast | None:
        return await self.session.get(Broadcast, broadcast_id)

    async def active(self, *, staff_id: int | None = None) -> list[Broadcast]:
        """Return broadcasts scheduled or under way (one staff member's, or everyone's)."""
        stmt = select(Broadcast).where(Broadcast.state.in_(ACTIVE)).order_by(Broadcast.id)
        if staff_id is not None:
            stmt = stmt.where(Broadcast.staff_id == staff_id)
        return list((await self.session.scalars(stmt)).all())

    async def without_progress_message(self) -> list[Broadcast]:
        """Return active broadcasts whose progress message Telegram did not take yet."""
        stmt = select(Broadcast).where(
            Broadcast.state.in_(ACTIVE), Broadcast.progress_message_id.is_(None)
        ).order_by(Broadcast.id).with_for_update(skip_locked=True)
        return list((await self.session.scalars(stmt)).all())

    async def cancel(self, broadcast: Broadcast, *, now: datetime) -> int:
        """Stop a broadcast: its copies not yet taken by a sender are cancelled."""
        cancelled = await OutboxRepo(self.session).cancel_broadcast(broadcast.id, now=now)
        broadcast.state, broadcast.finished_at = STOPPED, now
        return cancelled

    async def progress(self, broadcast: Broadcast) -> Progress:
        """Count the broadcast's copies by outcome; a blocked candidate's copy counts blocked."""
        tally = {
            "sent": 0, "failed": 0, "blocked": 0, "cancelled": 0, "left": 0,
            "possible_duplicates": 0,
        }
        rows = await OutboxRepo(self.session).broadcast_tally(broadcast.id)
        for state, blocked, count, suspect in rows:
            if state == "sent":
                tally["sent"] += count
                tally["possible_duplicates"] += suspect
            elif state in ("pending", "claimed"):
                tally["left"] += count
            elif blocked:
                tally["blocked"] += count
            elif state == CANCELLED:
                tally["cancelled"] += count
            else:  # failed, expired
                tally["failed"] += count
        return Progress(total=broadcast.total, **tally)

    async def claim_progress(self, broadcast_id: int, *, now: datetime, every: timedelta) -> bool:
        """Take the right to edit this broadcast's progress now (one process per period)."""
        b = Broadcast
        result = await self.session.execute(
            update(b)
            .where(b.id == broadcast_id, b.progress_at.is_(None) | (b.progress_at <= now - every))
            .values(progress_at=now),
            execution_options={"synchronize_session": False},
        )
        return bool(getattr(result, "rowcount", 0))


async def launch(
    session: AsyncSession,
    request: BroadcastRequest,
    *,
    kb: KnowledgeBase,
    now: datetime,
    unknown: dict[str, str],
) -> Broadcast | None:
    """Create a broadcast and its outbox rows in the caller's transaction, and audit it.

    Returns None when the draft was already confirmed; raises NoRecipients for nobody.
    Renders once per (region, language) as of the sending time; raises TemplateRefused
    (nothing written) if any render fails.
    """
    repo = BroadcastRepo(session)
    recipients = await repo.recipients(request.regions, request.audience)
    if not recipients:
        raise NoRecipients
    keys = sorted({(r.region, r.locale) for r in recipients})
    template, send_at = request.template, request.send_at
    values = [template_values(template, kb, region, lc, send_at) for region, lc in keys]
    # One child process renders every (region, language) the broadcast needs.
    texts = (await run_child(template, values)).texts
    rendered = {
        key: fill_undated(text, unknown[key[1]]) for key, text in zip(keys, texts, strict=True)
    }
    broadcast = await repo.create(request, now=now)
    if broadcast is None:
        return None
    added = await repo.enqueue(broadcast, recipients, rendered, now=now)
    await AuditRepo(session).record(
        request.staff_id, "broadcast", now=now, regions=request.regions, recipients=added,
        detail=f"broadcast {broadcast.id}, audience {request.audience}",
    )
    return broadcast


def may_stop(broadcast: Broadcast, staff: StaffRole) -> bool:
    """Return True when this person may stop the broadcast: its author, or an administrator.

    One rule for the stop button and `/broadcast cancel` alike: a colleague of the same
    region may not stop someone else's broadcast."""
    return staff.is_admin or broadcast.staff_id == staff.user_id


def eta_seconds(broadcast: Broadcast, progress: Progress, now: datetime) -> int | None:
    """Estimate the seconds left from the pace so far (None before the first copy is out)."""
    elapsed = (now - broadcast.send_at).total_seconds()
    if progress.done <= 0 or elapsed <= 0 or progress.left <= 0:
        return None
    return max(1, round(progress.left * elapsed / progress.done))
