"""Repositories: they query and mutate, and never commit (the caller's unit of work does)."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Candidate


class CandidateRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int) -> Candidate | None:
        """Return the candidate with this Telegram id, if any."""
        return await self.session.get(Candidate, user_id)

    async def get_or_create(self, user_id: int) -> Candidate:
        """Return the candidate, creating an empty row on first contact."""
        candidate = await self.session.get(Candidate, user_id)
        if candidate is None:
            candidate = Candidate(user_id=user_id)
            self.session.add(candidate)
            await self.session.flush()
        return candidate

    async def set_language(self, user_id: int, language: str) -> Candidate:
        """Save the candidate's explicit language choice."""
        candidate = await self.get_or_create(user_id)
        candidate.language = language
        return candidate

    async def delete(self, user_id: int) -> None:
        """Delete the candidate's row."""
        await self.session.execute(delete(Candidate).where(Candidate.user_id == user_id))
