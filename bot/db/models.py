"""Typed SQLAlchemy models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, UTCDateTime, utcnow


class Candidate(Base):
    """A person using the assistant: only their user id and what they chose to tell us.

    The user id is the project's own key for a person on any channel: a Telegram user's is
    their Telegram id (positive); a user of another channel gets a negative one from
    `ChannelUser` below."""

    __tablename__ = "candidates"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str | None] = mapped_column(String(8))
    region: Mapped[str | None] = mapped_column(String(32), index=True)
    is_returning: Mapped[bool | None] = mapped_column(Boolean)
    # /stop switches reminders off; blocked is set when Telegram says the bot was blocked.
    reminders_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    blocked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bit i set when STEP_ORDER[i] is in `steps`; kept by triggers on candidate_steps
    # (migration 0008), read only by the planner, which groups candidates by it.
    done_mask: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # Indexed: every process reads the rows changed lately (bot/languages.py).
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, index=True
    )

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


class UnansweredQuestion(Base):
    """A question the assistant could not answer well, kept for staff without who asked it."""

    __tablename__ = "unanswered_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    text: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(32), index=True)
    lang: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


# -- people on channels other than Telegram ---------------------------------------------------

# SQLite makes only an INTEGER PRIMARY KEY an auto-incrementing rowid.
_BigId = BigInteger().with_variant(Integer, "sqlite")


class ChannelUser(Base):
    """A person of a channel whose ids are not Telegram's (a WeChat openid is a string): the
    (channel, external id) key and the internal user id, `-id`, every other table uses.

    Holds no more than the channel's pseudonymous id and when the person last wrote (WeChat
    lets an account answer freely only within 48 hours of that); /forget deletes the row."""

    __tablename__ = "channel_users"
    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_channel_users_channel_external_id"),
        # An id is never given again (SQLite would reuse the highest one after a /forget):
        # whatever is still keyed by a forgotten id must not reach the next person.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# -- reminders and broadcasts: the outbox ------------------------------------------------------

class OutboxMessage(Base):
    """A message waiting to go out (or gone): one reminder occasion or one broadcast copy."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key", name="uq_outbox_user_id_dedupe_key"),
        # The claim scans this index in send order: lowest priority number first, then due.
        # A candidate's rows are found through the unique (user_id, dedupe_key) index.
        Index("ix_outbox_claim", "state", "kind", "priority", "due_at", "id"),
        # Only broadcast copies have a broadcast id: reminders (most rows) stay out of it.
        Index(
            "ix_outbox_broadcast_id", "broadcast_id",
            postgresql_where=text("broadcast_id IS NOT NULL"),
            sqlite_where=text("broadcast_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("candidates.user_id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(16), default="reminder")  # reminder | broadcast
    # Lower goes first; urgent reminders 0, reminders 10, broadcasts 20 unless staff say.
    priority: Mapped[int] = mapped_column(SmallInteger, default=10)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)  # may go out in quiet hours
    broadcast_id: Mapped[int | None] = mapped_column(BigInteger)
    step: Mapped[str | None] = mapped_column(String(16))
    occasion: Mapped[str] = mapped_column(String(32))
    dedupe_key: Mapped[str] = mapped_column(String(80))
    event_date: Mapped[date | None] = mapped_column(Date)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # pending -> claimed -> sent | failed; or cancelled / expired while waiting.
    state: Mapped[str] = mapped_column(String(16), default="pending")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_key: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))
    # Set just before the channel is called, cleared when the outcome is recorded: a claimed
    # row whose lease ran out with it set may have been delivered by a sender that died.
    sending_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Sent again after such a death: the candidate may have two copies.
    possible_duplicate: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class DeliveryAttempt(Base):
    """One try at delivering an outbox row, and how it ended."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    outbox_id: Mapped[int] = mapped_column(
        _BigId, ForeignKey("outbox.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("candidates.user_id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(24))
    detail: Mapped[str | None] = mapped_column(String(200))
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


class PlannerRun(Base):
    """One planner tick: when, and what it did (no candidate data)."""

    __tablename__ = "planner_runs"

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    planned_for: Mapped[datetime] = mapped_column(UTCDateTime)  # the `now` it planned for
    groups: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    expired: Mapped[int] = mapped_column(Integer, default=0)
    missed: Mapped[int] = mapped_column(Integer, default=0)


# -- staff: roles, audit, region data, broadcasts ------------------------------------------------


class StaffMember(Base):
    """Someone an administrator made staff, for the regions listed in `regions`."""

    __tablename__ = "staff_members"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    added_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    regions: Mapped[list[StaffRegion]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )


class StaffRegion(Base):
    """One region (考区 code) a staff member may act for."""

    __tablename__ = "staff_regions"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("staff_members.user_id", ondelete="CASCADE"), primary_key=True
    )
    region: Mapped[str] = mapped_column(String(32), primary_key=True)


class StaffAuditEntry(Base):
    """One staff action: who, what, when, for which regions, to how many recipients."""

    __tablename__ = "staff_audit"

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    actor_id: Mapped[int] = mapped_column(BigInteger, index=True)
    action: Mapped[str] = mapped_column(String(32))
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    recipients: Mapped[int | None] = mapped_column(Integer)
    # What was done, never candidate data: "user 123", "broadcast 7", "3 added, 1 updated".
    detail: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class StoredMilestone(Base):
    """A region's own dates for a step, imported by staff; overlaid on the notice data."""

    __tablename__ = "region_milestones"

    region: Mapped[str] = mapped_column(String(32), primary_key=True)
    step: Mapped[str] = mapped_column(String(16), primary_key=True)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    note_zh: Mapped[str] = mapped_column(String(500), default="")
    note_en: Mapped[str] = mapped_column(String(500), default="")
    link: Mapped[str | None] = mapped_column(String(500))
    updated_by: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Broadcast(Base):
    """A staff notice to the candidates of some regions; its copies are outbox rows."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    # The draft's key: confirming the same draft twice creates one broadcast.
    draft_key: Mapped[str] = mapped_column(String(32), unique=True)
    staff_id: Mapped[int] = mapped_column(BigInteger, index=True)
    regions: Mapped[list[str]] = mapped_column(JSON)
    audience: Mapped[str] = mapped_column(String(16))
    template: Mapped[str] = mapped_column(String(4000))
    # scheduled -> sending -> done; or cancelled.
    state: Mapped[str] = mapped_column(String(16), default="scheduled", index=True)
    send_at: Mapped[datetime] = mapped_column(UTCDateTime)
    total: Mapped[int] = mapped_column(Integer, default=0)
    # Where the progress message lives, and in which language it is written.
    chat_id: Mapped[int] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(Integer)
    locale: Mapped[str] = mapped_column(String(8), default="zh")
    progress_text: Mapped[str | None] = mapped_column(String(4000))
    progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
