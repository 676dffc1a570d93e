"""triage: what the sender does with a claimed row, one case per line."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.db.outbox import BROADCAST, REMINDER, ClaimedMessage
from scheduler.triage import Addressee, Verdict, still_due, triage
from tests.factories import NOW

CAP = 3
EARLIER, LATER = NOW - timedelta(seconds=1), NOW + timedelta(hours=1)
ROW = ClaimedMessage(
    id=1, user_id=7, kind=REMINDER, step="pay", occasion="open", event_date=None,
    payload=None, attempts=0, due_at=NOW, expires_at=None, broadcast_id=None, priority=0,
    urgent=False,
)
PERSON = Addressee(blocked=False, reminders_enabled=True, done=frozenset({"register"}))
BLOCKED = replace(PERSON, blocked=True)
STOPPED = replace(PERSON, reminders_enabled=False)
PAID = replace(PERSON, done=frozenset({"pay"}))
LATER_STEP_DONE = replace(PERSON, done=frozenset({"ticket"}))  # pay is past for them
CAPPED = replace(PERSON, sent_today=CAP)
BROADCAST_ROW = replace(ROW, kind=BROADCAST, step=None, broadcast_id=5)


@pytest.mark.parametrize(
    ("row", "person", "expected"),
    [
        (ROW, PERSON, Verdict.SEND),
        (ROW, None, Verdict.BLOCKED),  # the candidate is gone (/forget)
        (ROW, BLOCKED, Verdict.BLOCKED),
        (replace(ROW, expires_at=NOW), PERSON, Verdict.EXPIRED),
        (replace(ROW, expires_at=EARLIER), PERSON, Verdict.EXPIRED),
        (replace(ROW, expires_at=LATER), PERSON, Verdict.SEND),
        (replace(ROW, expires_at=EARLIER), BLOCKED, Verdict.BLOCKED),  # blocked comes first
        (ROW, STOPPED, Verdict.STOPPED),
        (replace(ROW, expires_at=EARLIER), STOPPED, Verdict.EXPIRED),
        (ROW, PAID, Verdict.DONE),
        (ROW, LATER_STEP_DONE, Verdict.DONE),
        (replace(ROW, step=None), PAID, Verdict.SEND),  # a row about no step stays
        (ROW, replace(PAID, reminders_enabled=False), Verdict.STOPPED),
        (ROW, CAPPED, Verdict.DEFER),
        (ROW, replace(CAPPED, sent_today=CAP - 1), Verdict.SEND),
        (ROW, replace(CAPPED, done=PAID.done), Verdict.DONE),  # dropped, not held
        (BROADCAST_ROW, PERSON, Verdict.SEND),
        (BROADCAST_ROW, STOPPED, Verdict.SEND),  # /stop pauses reminders, not broadcasts
        (BROADCAST_ROW, CAPPED, Verdict.SEND),  # the daily cap counts reminders only
        (BROADCAST_ROW, BLOCKED, Verdict.BLOCKED),
        (replace(BROADCAST_ROW, expires_at=EARLIER), PERSON, Verdict.EXPIRED),
    ],
)
def test_triage_decides_each_row(
    row: ClaimedMessage, person: Addressee | None, expected: Verdict
) -> None:
    assert triage(row, person, NOW, daily_cap=CAP) is expected


@pytest.mark.parametrize(
    ("verdict", "cancels"),
    [
        (Verdict.SEND, False), (Verdict.BLOCKED, True), (Verdict.EXPIRED, False),
        (Verdict.STOPPED, True), (Verdict.DONE, True), (Verdict.DEFER, False),
    ],
)
def test_triage_verdict_says_whether_it_cancels(verdict: Verdict, cancels: bool) -> None:
    assert verdict.cancels is cancels


def test_triage_still_due_skips_done_steps_and_those_before_the_last_done() -> None:
    due = still_due(frozenset({"submit"}))
    assert "submit" not in due and "register" not in due and "pay" in due
