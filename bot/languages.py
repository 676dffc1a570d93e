"""Every candidate's /lang choice in memory, so a reply that needs no candidate needs no query.

Most updates (/help, a question, a menu tap) only need the reply language. Asking the
database for it cost more than the rest of a /help reply put together, so each process keeps
the whole directory: loaded at start-up, changed by this process as soon as its transaction
commits, and refreshed every few seconds from rows other processes changed
(`candidates.updated_at` is indexed). A periodic full reload also drops the candidates another
process deleted (/forget). Until the first load succeeds the directory knows nobody, and
callers ask the database, as before.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.base import utcnow
from bot.db.models import Candidate
from bot.jobs import Job, JobRegistry

logger = logging.getLogger(__name__)

REFRESH_JOB = "languages.refresh"

# Rows changed this long before the previous refresh are read again, for clock skew between
# processes and for transactions that committed after that refresh's snapshot.
OVERLAP = timedelta(seconds=60)


class LanguageDirectory:
    """User id to explicit language, for every candidate who chose one."""

    def __init__(self, *, refresh_every: float = 5.0, reload_every: float = 600.0) -> None:
        self.refresh_every = refresh_every
        self.reload_every = reload_every
        self._languages: dict[int, str] = {}
        self._complete = False
        self._since: datetime | None = None
        # When this process last wrote each user, so an older snapshot does not undo it.
        self._written: dict[int, float] = {}
        self._reloaded = time.monotonic()

    @property
    def complete(self) -> bool:
        return self._complete

    def __len__(self) -> int:
        return len(self._languages)

    def get(self, user_id: int) -> tuple[bool, str | None]:
        """Return (known, language): known is False until the directory has been loaded."""
        if not self._complete:
            return False, None
        return True, self._languages.get(user_id)

    def record(self, user_id: int, language: str | None) -> None:
        """Apply a committed change: a new choice, or None for a deleted candidate."""
        self._written[user_id] = time.monotonic()
        self._set(user_id, language)

    def _set(self, user_id: int, language: str | None) -> None:
        if language is None:
            self._languages.pop(user_id, None)
        else:
            self._languages[user_id] = language

    async def load(self, session_pool: async_sessionmaker[AsyncSession]) -> None:
        """Read every explicit choice; from now on an absent user has made none."""
        started, since = time.monotonic(), utcnow() - OVERLAP
        rows = await _read(session_pool, Candidate.language.is_not(None))
        snapshot = {user_id: language for user_id, language in rows if language}
        # Keep what this process wrote while the snapshot was being read.
        for user_id, at in self._written.items():
            if at >= started:
                if user_id in self._languages:
                    snapshot[user_id] = self._languages[user_id]
                else:
                    snapshot.pop(user_id, None)
        self._languages = snapshot
        self._since = since
        self._complete = True
        self._forget_writes_before(started)

    async def refresh(self, session_pool: async_sessionmaker[AsyncSession]) -> int:
        """Pick up the choices other processes committed since the last refresh."""
        if self._since is None:
            await self.load(session_pool)
            return len(self._languages)
        started, since = time.monotonic(), utcnow() - OVERLAP
        changed = await _read(session_pool, Candidate.updated_at >= self._since)
        self._apply(changed, started)
        self._since = since
        self._forget_writes_before(started - OVERLAP.total_seconds())
        return len(changed)

    def _apply(self, rows: Iterable[tuple[int, str | None]], started: float) -> None:
        for user_id, language in rows:
            if self._written.get(user_id, 0.0) < started:
                self._set(user_id, language)

    def _forget_writes_before(self, moment: float) -> None:
        self._written = {uid: at for uid, at in self._written.items() if at >= moment}

    # ----------------------------------------------------------------- background upkeep

    async def start(
        self, session_pool: async_sessionmaker[AsyncSession], jobs: JobRegistry
    ) -> None:
        """Load now, then keep up with other processes through the job REFRESH_JOB."""
        try:
            await self.load(session_pool)
        except Exception:
            logger.exception("language directory: first load failed; asking the database")
        self._reloaded = time.monotonic()
        jobs.add(Job(id=REFRESH_JOB, run=functools.partial(self.keep_up, session_pool),
                     every=self.refresh_every, quiet_when_busy=True))

    async def keep_up(self, session_pool: async_sessionmaker[AsyncSession]) -> None:
        """Refresh from the rows changed lately; reload whole every `reload_every` seconds."""
        if time.monotonic() - self._reloaded >= self.reload_every:
            await self.load(session_pool)
            self._reloaded = time.monotonic()
        else:
            await self.refresh(session_pool)


async def _read(
    session_pool: async_sessionmaker[AsyncSession], condition: ColumnElement[bool]
) -> list[tuple[int, str | None]]:
    """Return (user id, language) of the candidates matching `condition`."""
    async with session_pool() as session:
        rows = await session.execute(
            select(Candidate.user_id, Candidate.language).where(condition)
        )
        return [(user_id, language) for user_id, language in rows]
