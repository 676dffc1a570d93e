"""Recording progress: the one place a candidate's steps are marked done or undone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.outbox import OutboxRepo
from bot.db.repo import CandidateRepo
from notices import Step


async def record_done(
    session: AsyncSession, user_id: int, steps: Sequence[Step], now: datetime
) -> list[Step]:
    """Mark steps done in the caller's transaction; return the ones newly marked."""
    repo = CandidateRepo(session)
    marked = [step for step in steps if await repo.mark_done(user_id, step.value, now)]
    # Same transaction: a step done (and every step before it) gets no more reminders.
    await OutboxRepo(session).cancel_for_done(user_id=user_id, steps=[s.value for s in marked])
    return marked


async def record_undone(session: AsyncSession, user_id: int, step: Step) -> bool:
    """Unmark a step in the caller's transaction; return False when it was not marked."""
    return await CandidateRepo(session).unmark(user_id, step.value)
