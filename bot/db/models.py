"""Typed SQLAlchemy models."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, String, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, UTCDateTime, utcnow


class Candidate(Base):
    """A person using the assistant: only their Telegram id and what they chose to tell us."""

    __tablename__ = "candidates"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str | None] = mapped_column(String(8))
    region: Mapped[str | None] = mapped_column(String(32), index=True)
    is_returning: Mapped[bool | None] = mapped_column(Boolean)
    # /stop switches reminders off; blocked is set when Telegram says the bot was blocked.
    reminders_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    blocked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    steps: Mapped[list[CandidateStep]] = relationship(
        back_populates="candidate", cascade="all, delete-orphan", passive_deletes=True,
        lazy="selectin",
    )

    @property
    def done_steps(self) -> frozenset[str]:
        return frozenset(s.step for s in self.steps)


class CandidateStep(Base):
    """A step the candidate reported done (self-reported or imported by staff)."""

    __tablename__ = "candidate_steps"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("candidates.user_id", ondelete="CASCADE"), primary_key=True
    )
    step: Mapped[str] = mapped_column(String(16), primary_key=True)
    done_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    candidate: Mapped[Candidate] = relationship(back_populates="steps")
