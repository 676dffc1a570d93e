"""draft_request: the broadcast a confirmed draft asks for, from the flow's FSM data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.staff.broadcasts import BroadcastRequest
from handlers.staff.broadcast import draft_regions, draft_request
from tests.factories import NOW

DATA: dict[str, Any] = {
    "regions": ["shanghai", "jiangsu"], "audience": "pay", "template": "{{ region }}",
    "draft": "abc",
}


def test_broadcast_draft_request_carries_the_draft_and_who_confirmed_it() -> None:
    later = NOW + timedelta(hours=5)
    request = draft_request(DATA, staff_id=7, chat_id=9, locale="en", send_at=later)
    assert request == BroadcastRequest(
        draft_key="abc", staff_id=7, regions=["shanghai", "jiangsu"], audience="pay",
        template="{{ region }}", send_at=later, chat_id=9, locale="en",
    )


def test_broadcast_draft_regions_of_a_draft_without_regions_are_none() -> None:
    assert draft_regions({}) == []
    assert draft_regions({"regions": ["shanghai"]}) == ["shanghai"]
