"""What a candidate does with a reminder, whatever the channel: the data its buttons carry
back, and asking for it again tomorrow morning.

The reminder engine writes the buttons (scheduler.compose) and the chat layer answers them
(handlers.reminders); both read the format here, so neither imports the other.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, time, timedelta

from bot.db.outbox import NewMessage
from notices import SHANGHAI, KnowledgeBase, Step

ACTION_PREFIX = "rem"


def action_data(action: str, step: str) -> str:
    """Return the callback data of a reminder button (handlers.reminders.ReminderAction)."""
    return f"{ACTION_PREFIX}:{action}:{step}"


def next_morning(now: datetime, morning: time) -> datetime:
    """Return the next `morning` o'clock (Shanghai) strictly after `now`."""
    local = now.astimezone(SHANGHAI)
    candidate = datetime.combine(local.date(), morning, tzinfo=SHANGHAI)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate.astimezone(UTC)


def snooze_message(
    kb: KnowledgeBase,
    user_id: int,
    step: Step,
    *,
    region: str | None,
    returning: bool | None,
    now: datetime,
    morning: time,
) -> NewMessage:
    """Return the outbox row that reminds the candidate of a step again tomorrow morning."""
    due = next_morning(now, morning)
    if due - now < timedelta(hours=12):
        due += timedelta(days=1)  # "tomorrow", even when pressed before this morning's hour
    window = None
    with contextlib.suppress(KeyError):
        window = next(p.window for p in kb.plan(region, returning) if p.step == step)
    expires = window.closes_before().astimezone(UTC) if window else None
    day = due.astimezone(SHANGHAI).date()
    return NewMessage(
        user_id=user_id, occasion="snooze", dedupe_key=f"{step.value}:snooze:{day:%Y%m%d}",
        due_at=due, step=step.value, expires_at=expires, event_date=day,
    )
