"""Reminder rules as data, and the due set of every kind of region at fixed moments."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from bot.reminders import next_morning
from notices import KnowledgeBase, RegionMilestone, Step, load_knowledge_base
from scheduler.planner import DuePlanner, Group
from scheduler.rules import (
    QuietHours,
    RulesError,
    done_mask,
    load_rules,
    steps_to_remind,
)

KB = load_knowledge_base()
RULES = load_rules()


def at(local: str) -> datetime:
    """An aware instant from a Shanghai wall-clock time, '2024-01-29 10:00'."""
    from notices import SHANGHAI

    return datetime.fromisoformat(local).replace(tzinfo=SHANGHAI).astimezone(UTC)


def due(
    region: str | None, *, returning: bool | None = False, done: frozenset[str] = frozenset(),
    now: datetime, kb: KnowledgeBase = KB,
) -> set[tuple[str, str]]:
    planner = DuePlanner(kb, RULES, QuietHours())
    group = Group(region=region, returning=returning, mask=done_mask(done))
    return {(o.step.value, o.occasion) for o in planner.due(group, now=now)}


def test_rules_file_is_valid() -> None:
    assert {r.occasion for r in RULES.rules} >= {"open", "closing", "last_day", "eve"}


def test_rules_load_names_the_bad_field(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text("rules:\n  - occasion: open\n    steps: [nope]\n    anchor: start\n"
                   "    at: '09:00'\n", encoding="utf-8")
    with pytest.raises(RulesError, match=r"rules\.0\.steps"):
        load_rules(bad)


def test_rules_load_refuses_a_duplicate_occasion(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    rule = "  - {occasion: open, steps: [pay], anchor: start, at: '09:00'}\n"
    bad.write_text("rules:\n" + rule + rule, encoding="utf-8")
    with pytest.raises(RulesError, match="given twice"):
        load_rules(bad)


@pytest.mark.parametrize(
    ("region", "returning"),
    [
        ("beijing", False),  # online payment, on-site confirmation
        ("guizhou", False),  # online payment except the provincial site
        ("tianjin", False),  # online confirmation
        ("zhejiang", True),  # automatic confirmation for returning candidates
    ],
)
def test_due_online_payment_regions_get_every_pay_reminder(
    region: str, returning: bool
) -> None:
    done = frozenset({"register", "wechat", "submit", "confirm", "review"})
    assert due(region, returning=returning, done=done, now=at("2024-01-29 10:00")) == {
        ("pay", "open")
    }
    assert due(region, returning=returning, done=done, now=at("2024-02-05 09:30")) == {
        ("pay", "closing")
    }
    assert due(region, returning=returning, done=done, now=at("2024-02-08 12:00")) == {
        ("pay", "last_day")
    }
    assert due(region, returning=returning, done=done, now=at("2024-02-09 09:00")) == set()


@pytest.mark.parametrize("region", ["shanxi", "hubei"])
def test_due_local_payment_regions_get_no_dated_pay_reminder(region: str) -> None:
    done = frozenset({"register", "wechat", "submit", "confirm", "review"})
    assert due(region, done=done, now=at("2024-02-08 12:00")) == set()


def test_due_unknown_region_gets_only_national_dates() -> None:
    done = frozenset({"register", "wechat", "submit", "confirm", "review"})
    assert due(None, returning=None, done=done, now=at("2024-02-08 12:00")) == set()
    assert due(None, returning=None, done=done, now=at("2024-04-01 09:00")) == {
        ("ticket", "open")
    }


@pytest.mark.parametrize("region", [r.code for r in KB.regions])
def test_due_every_region_gets_ticket_exam_and_score_reminders(region: str) -> None:
    done = frozenset({"register", "wechat", "submit", "confirm", "review", "pay"})
    assert due(region, done=done, now=at("2024-04-01 09:00")) == {("ticket", "open")}
    assert due(region, done=done, now=at("2024-04-18 09:00")) == {("ticket", "closing")}
    done_ticket = done | {"ticket"}
    assert due(region, done=done_ticket, now=at("2024-04-12 19:00")) == {("exam", "eve")}
    assert due(region, done=done_ticket, now=at("2024-04-19 20:00")) == {("exam", "eve")}
    assert due(region, done=done_ticket, now=at("2024-04-15 19:00")) == set()
    # The notice gives no score date (考后2个月): no score reminder from the notice alone.
    done_exam = done_ticket | {"exam"}
    assert due(region, done=done_exam, now=at("2024-06-01 10:00")) == set()
    assert due(region, done=done_exam, now=at("2024-06-23 10:00")) == set()


def test_due_score_reminders_come_once_staff_give_the_date() -> None:
    kb = KB.with_milestones([RegionMilestone(
        region="beijing", step=Step.SCORE, start=date(2024, 6, 14), end=date(2024, 7, 31),
    )])
    done = frozenset({"register", "wechat", "submit", "confirm", "review", "pay", "ticket",
                      "exam"})
    assert due("beijing", done=done, now=at("2024-06-14 10:00"), kb=kb) == {
        ("score", "published")
    }
    assert due("beijing", done=done, now=at("2024-07-24 10:00"), kb=kb) == {
        ("score", "download")
    }
    assert due("beijing", done=done | {"score"}, now=at("2024-07-24 10:00"), kb=kb) == set()
    assert due("shanghai", done=done, now=at("2024-06-14 10:00"), kb=kb) == set()


def test_due_registration_steps_come_together_in_december() -> None:
    assert due("beijing", now=at("2023-12-01 09:00")) == {
        ("register", "open"), ("wechat", "open"), ("submit", "open")
    }
    assert due("beijing", now=at("2023-12-13 09:00")) == {
        ("register", "last_day"), ("wechat", "closing"), ("submit", "closing")
    }


def test_due_a_later_step_done_silences_earlier_ones() -> None:
    assert due("beijing", done=frozenset({"pay"}), now=at("2024-02-08 12:00")) == set()
    assert steps_to_remind(frozenset({"pay"}))[0] == Step.TICKET


def test_due_region_milestone_makes_confirm_reminders_without_code() -> None:
    milestone = RegionMilestone(
        region="shanxi", step=Step.CONFIRM, start=date(2023, 12, 18), end=date(2023, 12, 22)
    )
    kb = KB.with_milestones([milestone])
    done = frozenset({"register", "wechat", "submit"})
    assert due("shanxi", done=done, now=at("2023-12-18 09:00"), kb=kb) == {("confirm", "open")}
    assert due("shanxi", done=done, now=at("2023-12-19 09:00"), kb=kb) == {
        ("confirm", "closing")
    }
    assert due("shanxi", done=done, now=at("2023-12-22 09:00"), kb=kb) == {
        ("confirm", "last_day")
    }
    assert due("shanxi", done=done, now=at("2023-12-22 09:00")) == set()


def test_due_last_day_goes_out_in_the_morning_not_the_night() -> None:
    done = frozenset({"register", "wechat", "submit", "confirm", "review"})
    assert due("beijing", done=done, now=at("2024-02-08 08:59")) == {("pay", "closing")}
    planner = DuePlanner(KB, RULES, QuietHours())
    [last] = [o for o in planner.occasions("beijing", False)[Step.PAY] if o.occasion == "last_day"]
    assert last.due_at == at("2024-02-08 09:00")
    assert last.urgent


def test_quiet_hours_hold_non_urgent_until_they_end() -> None:
    quiet = QuietHours(time(22, 0), time(8, 0))
    assert quiet.contains(at("2024-02-01 23:30"))
    assert quiet.contains(at("2024-02-02 07:59"))
    assert not quiet.contains(at("2024-02-02 08:00"))
    assert quiet.after(at("2024-02-01 23:30")) == at("2024-02-02 08:00")
    assert quiet.after(at("2024-02-02 12:00")) == at("2024-02-02 12:00")


def test_quiet_hours_move_a_late_rule_to_the_morning() -> None:
    late = RULES.model_copy(
        update={"rules": tuple(r.model_copy(update={"at": time(23, 0)}) for r in RULES.rules)}
    )
    planner = DuePlanner(KB, late, QuietHours())
    pay = planner.occasions("beijing", False)[Step.PAY]
    by_name = {o.occasion: o for o in pay}
    assert by_name["open"].due_at == at("2024-01-30 08:00")
    assert by_name["last_day"].due_at == at("2024-02-08 23:00")  # urgent: not held


def test_next_morning_is_tomorrow_after_nine() -> None:
    assert next_morning(at("2024-02-01 10:00"), time(9, 0)) == at("2024-02-02 09:00")
    assert next_morning(at("2024-02-01 08:00"), time(9, 0)) == at("2024-02-01 09:00")
