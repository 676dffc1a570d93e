"""Windows in Asia/Shanghai, to-do ordering and staff milestones."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from notices import (
    KnowledgeBase,
    KnowledgeBaseError,
    RegionMilestone,
    Step,
    todo,
    window_status,
)


def at(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert value.tzinfo is not None
    return value


@pytest.mark.parametrize(
    ("now", "state", "first", "last", "days_left"),
    [
        ("2024-01-28T15:59:59Z", "upcoming", False, False, None),
        ("2024-01-28T16:00:00Z", "open", True, False, 10),
        ("2024-02-08T15:59:59Z", "open", False, True, 0),
        ("2024-02-08T16:00:00Z", "closed", False, False, None),
        ("2024-02-08T23:59:59+08:00", "open", False, True, 0),
        ("2024-02-01T12:00:00+08:00", "open", False, False, 7),
    ],
)
def test_window_status_boundaries_in_shanghai(
    kb: KnowledgeBase, now: str, state: str, first: bool, last: bool, days_left: int | None
) -> None:
    window = kb.plan("beijing", None)[5].window
    assert window is not None
    status = window_status(window, at(now))
    assert status.state == state
    assert status.is_first_day is first
    assert status.is_last_day is last
    assert status.days_left == days_left


def test_window_status_counts_days_until_open(kb: KnowledgeBase) -> None:
    window = kb.plan("beijing", None)[6].window
    assert window is not None
    status = window_status(window, at("2024-03-30T09:00:00+08:00"))
    assert status.state == "upcoming"
    assert status.days_until_open == 2


def test_window_status_rejects_naive_datetime(kb: KnowledgeBase) -> None:
    window = kb.plan("beijing", None)[6].window
    assert window is not None
    with pytest.raises(ValueError, match="aware"):
        window_status(window, datetime(2024, 4, 1))


def test_window_opens_and_closes_in_shanghai(kb: KnowledgeBase) -> None:
    window = kb.plan("beijing", None)[5].window
    assert window is not None
    assert window.opens_at().isoformat() == "2024-01-29T00:00:00+08:00"
    assert window.closes_at().isoformat() == "2024-02-08T23:59:59+08:00"


def test_window_status_exam_gives_next_exam_day(kb: KnowledgeBase) -> None:
    window = kb.plan(None, None)[7].window
    assert window is not None
    status = window_status(window, at("2024-04-15T10:00:00+08:00"))
    assert status.next_day == date(2024, 4, 20)


def test_plan_score_has_no_date_the_notice_does_not_give(kb: KnowledgeBase) -> None:
    plan = kb.plan(None, None)[8]
    assert plan.window is None
    assert "考后2个月" in plan.note_zh and "约" not in plan.note_zh


def test_todo_lists_remaining_steps_in_order(kb: KnowledgeBase) -> None:
    items = todo(kb, region_code="beijing", returning=False,
                 done={Step.REGISTER, Step.WECHAT, Step.SUBMIT},
                 now=at("2024-02-01T10:00:00+08:00"))
    assert [i.step for i in items] == [Step.CONFIRM, Step.REVIEW, Step.PAY, Step.TICKET,
                                       Step.EXAM, Step.SCORE]
    assert items[0].ready and not items[1].ready
    pay = items[2]
    assert pay.status is not None and pay.status.state == "open"


def test_todo_flags_past_windows(kb: KnowledgeBase) -> None:
    items = todo(kb, region_code="beijing", returning=None, done=set(),
                 now=at("2024-02-20T10:00:00+08:00"))
    past = {i.step for i in items if i.past}
    assert past == {Step.REGISTER, Step.WECHAT, Step.SUBMIT, Step.PAY}


def test_with_milestones_returns_new_kb_and_leaves_old_untouched(kb: KnowledgeBase) -> None:
    milestone = RegionMilestone(region="sichuan", step=Step.CONFIRM, start=date(2023, 12, 5),
                                end=date(2023, 12, 20), note_zh="四川现场确认", link="https://x")
    updated = kb.with_milestones([milestone])
    assert updated is not kb
    assert kb.plan("sichuan", None)[3].window is None
    confirm = updated.plan("sichuan", None)[3]
    assert confirm.window is not None
    assert confirm.window.label_zh == "四川现场确认"
    assert confirm.link == "https://x"
    assert updated.plan("beijing", None)[3].window is None
    items = todo(updated, region_code="sichuan", returning=None, done=set(),
                 now=at("2023-12-20T12:00:00+08:00"))
    confirm_item = next(i for i in items if i.step is Step.CONFIRM)
    assert confirm_item.status is not None and confirm_item.status.is_last_day


def test_with_milestones_rejects_unknown_region(kb: KnowledgeBase) -> None:
    milestone = RegionMilestone(region="atlantis", step=Step.PAY, start=date(2024, 1, 1),
                                end=date(2024, 1, 2))
    with pytest.raises(KnowledgeBaseError, match="unknown region 'atlantis'"):
        kb.with_milestones([milestone])


def test_region_milestone_rejects_end_before_start() -> None:
    with pytest.raises(ValueError, match="before start"):
        RegionMilestone(region="beijing", step=Step.PAY, start=date(2024, 1, 2),
                        end=date(2024, 1, 1))
