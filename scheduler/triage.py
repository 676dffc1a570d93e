"""What the sender does with a claimed row, decided from facts alone (no database, no clock).

The sender re-checks every row at send time, because much can change between planning and
sending: the candidate blocked the bot, paused reminders, recorded the step, or had enough
reminders today. `triage` is that decision, one row at a time.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.db.outbox import REMINDER, ClaimedMessage
from scheduler.rules import steps_to_remind


class Verdict(StrEnum):
    """A claimed row's fate; the value of a cancelling verdict is the reason recorded."""

    SEND = "send"
    BLOCKED = "blocked"  # cancelled: the candidate blocked the bot, or is gone
    EXPIRED = "expired"  # too late to be worth sending
    STOPPED = "stopped"  # cancelled: reminders paused (/stop)
    DONE = "done"  # cancelled: the step is recorded, or no longer worth a reminder
    DEFER = "defer"  # held until the next morning: today's reminder cap is reached

    @property
    def cancels(self) -> bool:
        return self in _CANCELLING


_CANCELLING = frozenset({Verdict.BLOCKED, Verdict.STOPPED, Verdict.DONE})


@dataclass(frozen=True, slots=True)
class Addressee:
    """What the sender knows of a row's candidate when it vets the row."""

    blocked: bool
    reminders_enabled: bool
    done: frozenset[str]
    sent_today: int = 0


def triage(
    row: ClaimedMessage, person: Addressee | None, now: datetime, *, daily_cap: int
) -> Verdict:
    """Decide whether a claimed row goes out now, waits, or is dropped (and why)."""
    if person is None or person.blocked:
        return Verdict.BLOCKED
    if row.expires_at is not None and row.expires_at <= now:
        return Verdict.EXPIRED
    if row.kind != REMINDER:
        return Verdict.SEND
    if not person.reminders_enabled:
        return Verdict.STOPPED
    if row.step and row.step not in still_due(person.done):
        return Verdict.DONE
    if person.sent_today >= daily_cap:
        return Verdict.DEFER
    return Verdict.SEND


@functools.lru_cache(maxsize=1024)
def still_due(done: frozenset[str]) -> frozenset[str]:
    """Return the steps still worth a reminder for these done steps (a few hundred sets)."""
    return frozenset(step.value for step in steps_to_remind(done))
