"""Who is staff, in memory, so /help can show staff their commands without a query.

The directory answers what to *show*, never what to *allow*: every staff command still asks
the database through StaffFilter, so a role taken away in another process stops working at
once, even before this copy hears of it.

Administrators come from ADMIN_IDS and are known from the start. Staff members are loaded
when the dispatcher starts, changed by this process as soon as a /staff add or remove
commits, and reloaded whole every few seconds for what other processes changed: the table
holds a few dozen rows, and a whole reload also sees removals, which no `updated_at` can.
Until the first load succeeds the directory knows no staff member, and /help shows them the
candidates' commands only: it never queries for them.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Collection, Iterable
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import StaffMember
from bot.jobs import Job, JobRegistry

logger = logging.getLogger(__name__)

RELOAD_JOB = "staff.directory.reload"
Rank = Literal["staff", "admin"]
# A reload that began this long after one of this process's writes no longer guards it.
WRITE_GUARD = 60.0


class StaffDirectory:
    """User id to rank, for administrators and staff members."""

    def __init__(
        self, admin_ids: Collection[int] = (), *, refresh_every: float = 10.0
    ) -> None:
        self.admin_ids = frozenset(admin_ids)
        self.refresh_every = refresh_every
        self._members: frozenset[int] = frozenset()
        self._complete = False
        # When this process last wrote each member, so an older snapshot does not undo it.
        self._written: dict[int, float] = {}

    @property
    def complete(self) -> bool:
        return self._complete

    def rank(self, user_id: int) -> Rank | None:
        """Return "admin", "staff" or None (a candidate, or not loaded yet)."""
        if user_id in self.admin_ids:
            return "admin"
        return "staff" if user_id in self._members else None

    def record(self, user_id: int, member: bool) -> None:
        """Apply a committed change: made staff (True) or no longer staff (False)."""
        self._written[user_id] = time.monotonic()
        self._members = (self._members | {user_id}) if member else (self._members - {user_id})

    async def load(self, session_pool: async_sessionmaker[AsyncSession]) -> None:
        """Read every staff member, replacing what the directory held."""
        started = time.monotonic()
        async with session_pool() as session:
            snapshot = set((await session.scalars(select(StaffMember.user_id))).all())
        self._apply(snapshot, started)
        self._complete = True

    def _apply(self, snapshot: Iterable[int], started: float) -> None:
        members = set(snapshot)
        # Keep what this process wrote while the snapshot was being read.
        for user_id, at in self._written.items():
            if at >= started:
                members.discard(user_id)
                if user_id in self._members:
                    members.add(user_id)
        self._members = frozenset(members)
        self._written = {
            uid: at for uid, at in self._written.items() if at >= started - WRITE_GUARD
        }

    # ----------------------------------------------------------------- background upkeep

    async def start(
        self, session_pool: async_sessionmaker[AsyncSession], jobs: JobRegistry
    ) -> None:
        """Load now, then keep up with other processes through the job RELOAD_JOB."""
        try:
            await self.load(session_pool)
        except Exception:
            logger.exception("staff directory: first load failed; retrying in the background")
        jobs.add(Job(id=RELOAD_JOB, run=functools.partial(self.load, session_pool),
                     every=self.refresh_every, quiet_when_busy=True))
