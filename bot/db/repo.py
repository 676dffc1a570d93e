"""Repositories: they query and mutate, and never commit (the caller's unit of work does)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime

from sqlalchemy import delete, inspect
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.cleaning import clean_text
from bot.db.identities import IdentityRepo
from bot.db.models import Candidate, CandidateStep, UnansweredQuestion
from notices.text import PERSONAL, SECRET

# Long digit runs (ID, phone, ticket numbers), e-mail addresses and typed passwords never
# reach the database (the patterns live beside the answerer's, which warns the asker).
MAX_QUESTION_CHARS = 500


_LANGUAGE_CHANGES = "language_changes"


def language_changes(session: AsyncSession) -> dict[int, str | None]:
    """The language choices this session changed (None: candidate deleted), by user id.

    Whoever commits the session passes them on to the in-memory language directory.
    """
    changes: dict[int, str | None] = session.info.setdefault(_LANGUAGE_CHANGES, {})
    return changes


_PLAN_CHANGES = "plan_changes"


def plan_changes(session: AsyncSession) -> set[int]:
    """The candidates whose region, returning flag, steps or reminders this session changed.

    Whoever commits the session has their reminders planned at once, not at the next wave.
    """
    changed: set[int] = session.info.setdefault(_PLAN_CHANGES, set())
    return changed


_CREATE_CHECK = "create_check"
# Awaited with the user id before a candidate row is created; raises to refuse.
CreateCheck = Callable[[int], Awaitable[None]]


def check_creation(session: AsyncSession, check: CreateCheck) -> None:
    """Have `check` approve (or refuse, by raising) every candidate this session creates."""
    session.info[_CREATE_CHECK] = check


class CandidateRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int) -> Candidate | None:
        """Return the candidate with this Telegram id, if any."""
        return await self.session.get(Candidate, user_id)

    async def get_or_create(self, user_id: int) -> Candidate:
        """Return the candidate, creating an empty row on first contact (if the session's
        creation check lets it)."""
        candidate = await self.session.get(Candidate, user_id)
        if candidate is None:
            check: CreateCheck | None = self.session.info.get(_CREATE_CHECK)
            if check is not None:
                await check(user_id)
            candidate = Candidate(user_id=user_id, steps=[])
            self.session.add(candidate)
            await self.session.flush()
            plan_changes(self.session).add(user_id)
        return candidate

    async def set_language(self, user_id: int, language: str) -> Candidate:
        """Save the candidate's explicit language choice."""
        candidate = await self.get_or_create(user_id)
        candidate.language = language
        language_changes(self.session)[user_id] = language
        return candidate

    async def set_region(self, user_id: int, region: str | None) -> Candidate:
        """Save the candidate's exam region (考区) code."""
        candidate = await self.get_or_create(user_id)
        candidate.region = region
        plan_changes(self.session).add(user_id)
        return candidate

    async def delete(self, user_id: int) -> None:
        """Delete the candidate's row, and a non-Telegram user's channel account."""
        await self.session.execute(delete(Candidate).where(Candidate.user_id == user_id))
        await IdentityRepo(self.session).forget(user_id)
        language_changes(self.session)[user_id] = None
        plan_changes(self.session).discard(user_id)

    async def load(self, user_id: int) -> Candidate:
        """Return the candidate (created on first contact) with the steps done loaded."""
        candidate = await self.get_or_create(user_id)
        if "steps" in inspect(candidate).unloaded:
            await self.session.refresh(candidate, attribute_names=["steps"])
        return candidate

    async def set_returning(self, user_id: int, returning: bool | None) -> Candidate:
        """Save whether the candidate failed last year's exam (automatic confirmation)."""
        candidate = await self.get_or_create(user_id)
        candidate.is_returning = returning
        plan_changes(self.session).add(user_id)
        return candidate

    async def set_reminders(self, user_id: int, enabled: bool) -> Candidate:
        """Switch the candidate's reminders on (/resume) or off (/stop)."""
        candidate = await self.get_or_create(user_id)
        candidate.reminders_enabled = enabled
        if enabled:
            plan_changes(self.session).add(user_id)
        return candidate

    async def set_blocked(self, user_id: int, blocked: bool) -> Candidate | None:
        """Record that the candidate blocked or unblocked the bot; unknown users stay unknown."""
        candidate = await self.get(user_id)
        if candidate is not None:
            candidate.blocked = blocked
        return candidate

    async def mark_done(self, user_id: int, step: str, now: datetime) -> bool:
        """Record a step as done; return False when it already was."""
        candidate = await self.load(user_id)
        if step in candidate.done_steps:
            return False
        candidate.steps.append(CandidateStep(user_id=user_id, step=step, done_at=now))
        await self.session.flush()
        plan_changes(self.session).add(user_id)
        return True

    async def unmark(self, user_id: int, step: str) -> bool:
        """Forget that a step was done; return False when it was not marked."""
        candidate = await self.load(user_id)
        found = [s for s in candidate.steps if s.step == step]
        for item in found:
            candidate.steps.remove(item)
        await self.session.flush()
        if found:
            plan_changes(self.session).add(user_id)
        return bool(found)


def redact(text: str, names: Iterable[str | None] = ()) -> str:
    """Remove what could identify a person or open their account (long numbers, e-mail
    addresses, a typed password, the asker's own names and @username) from free text."""
    text = PERSONAL.sub("…", SECRET.sub(r"\1\2…", clean_text(text)))
    # A one-character name would take that character out of every question: names of two
    # characters or more only.
    own = {n.strip().lstrip("@") for n in names if n and len(n.strip().lstrip("@")) >= 2}
    for name in sorted(own, key=len, reverse=True):
        text = re.sub(rf"@?{re.escape(name)}", "…", text, flags=re.IGNORECASE)
    return text.strip()[:MAX_QUESTION_CHARS]


class UnansweredRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(
        self, question: str, *, kind: str, region: str | None, lang: str, now: datetime,
        names: Iterable[str | None] = (),
    ) -> None:
        """Keep a question the knowledge base could not answer, redacted and anonymous.

        `names` are the asker's own (first name, last name, @username): they are cut out of
        the text like ID numbers are. `region` is the question's, else the asker's, so the
        region's staff see it."""
        self.session.add(
            UnansweredQuestion(
                text=redact(question, names), kind=kind, region=region, lang=lang,
                created_at=now,
            )
        )
