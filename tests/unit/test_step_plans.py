"""How a step is planned for one candidate: the region rule chosen, the terms it gives, the
note, and a staff milestone's window, on small hand-made rules."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from notices.models import Region, RegionMilestone, RegionRule, StepRule, Window
from notices.plans import RuleChoice, choose_rule, milestone_window, step_note, step_terms
from notices.steps import Step

WINDOW = Window(start=date(2024, 1, 29), end=date(2024, 2, 8), label_zh="网上缴费",
                label_en="Online payment")


def region_rule(mode: str, *regions: str, **fields: Any) -> RegionRule:
    return RegionRule(mode=mode, regions=regions, note_zh=f"{mode}注", note_en=f"{mode} note",
                      source=(f"{mode} passage",), **fields)


ONLINE = region_rule("online", "SH", "TJ")
AUTO = region_rule("auto", "HN", "SH", returning_only=True, hint_zh="（历史考生）",
                   hint_en="(returning)")
EXCEPTING = region_rule("online_except", "GZ", exception_cues=("省直考点",),
                        exception_note_zh="省直考点另行通知", exception_note_en="Own notice")
DEFAULT = region_rule("local", consequence_zh="默认后果")
STEP = StepRule(step=Step.PAY, name_zh="缴费", name_en="Pay", section="四", window=WINDOW,
                note_zh="步骤注", note_en="step note", consequence_zh="视为放弃",
                consequence_en="Forfeit", source=("step passage",), default=DEFAULT,
                rules=(AUTO, EXCEPTING, ONLINE))
GENERIC = StepRule(step=Step.EXAM, name_zh="考试", name_en="Exam", section="五", window=WINDOW,
                   note_zh="考试注", note_en="exam note", source=("exam passage",))


@pytest.mark.parametrize(
    ("region", "returning", "excepted", "expected"),
    [
        (None, None, False, RuleChoice(None)),  # no region: the step's own terms
        ("SH", False, False, RuleChoice(ONLINE)),  # a returning-only rule skips first-timers
        ("SH", True, False, RuleChoice(AUTO)),  # first listing rule that fits wins
        ("SH", None, False, RuleChoice(ONLINE, hint=AUTO)),  # unknown: hint the other rule
        ("HN", None, False, RuleChoice(DEFAULT, hint=AUTO)),
        ("HN", False, False, RuleChoice(DEFAULT)),
        ("XZ", True, False, RuleChoice(DEFAULT)),  # listed nowhere: the default
        ("GZ", None, False, RuleChoice(EXCEPTING)),
        ("GZ", None, True, RuleChoice(DEFAULT, passed_by=EXCEPTING)),  # 省直考点
        ("SH", True, True, RuleChoice(AUTO)),  # no exception cues: excepted changes nothing
    ],
)
def test_plans_choose_rule_picks_the_rule_for_the_candidate(
    region: str | None, returning: bool | None, excepted: bool, expected: RuleChoice
) -> None:
    assert choose_rule(STEP, region, returning, excepted) == expected


def test_plans_choose_rule_of_a_step_without_regional_rules_is_none() -> None:
    assert choose_rule(GENERIC, "SH", True) == RuleChoice(None)


def test_plans_step_terms_without_a_rule_are_the_steps_own() -> None:
    assert step_terms(GENERIC, RuleChoice(None)).mode == "all"
    assert step_terms(STEP, RuleChoice(None)).mode == "by_region"
    terms = step_terms(STEP, RuleChoice(None))
    assert (terms.window, terms.note_zh, terms.consequence_en, terms.sources) == (
        WINDOW, "步骤注", "Forfeit", ("step passage",)
    )


def test_plans_step_terms_of_a_rule_take_its_mode_note_and_sources() -> None:
    terms = step_terms(STEP, RuleChoice(ONLINE))
    assert (terms.mode, terms.window, terms.note_en, terms.sources) == (
        "online", WINDOW, "online note", ("online passage",)
    )
    # A rule with no consequence of its own keeps the step's.
    assert (terms.consequence_zh, terms.consequence_en) == ("视为放弃", "Forfeit")


def test_plans_step_terms_of_a_rule_without_the_window_have_none() -> None:
    local = region_rule("local", use_window=False, consequence_zh="另见通知")
    terms = step_terms(STEP, RuleChoice(local))
    assert terms.window is None
    assert (terms.consequence_zh, terms.consequence_en) == ("另见通知", "Forfeit")


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (RuleChoice(ONLINE), ("注", "note")),
        (RuleChoice(ONLINE, hint=AUTO), ("注（历史考生）", "note (returning)")),
        (RuleChoice(DEFAULT, passed_by=EXCEPTING), ("省直考点另行通知", "Own notice")),
        (RuleChoice(DEFAULT, passed_by=ONLINE), ("注", "note")),  # no note of its own
        (RuleChoice(DEFAULT, passed_by=EXCEPTING, hint=AUTO), ("省直考点另行通知", "Own notice")),
    ],
)
def test_plans_step_note_adds_the_hint_or_takes_the_exception_note(
    choice: RuleChoice, expected: tuple[str, str]
) -> None:
    assert step_note("注", "note", choice) == expected


def test_plans_milestone_window_is_labelled_by_its_note_or_the_region() -> None:
    region = Region(code="shanghai", name_zh="上海", full_name_zh="上海市", name_en="Shanghai",
                    group_zh="华东", group_en="East")
    bare = RegionMilestone(region="shanghai", step=Step.PAY, start=date(2024, 3, 1),
                           end=date(2024, 3, 5))
    window = milestone_window(STEP, bare, region)
    assert (window.start, window.end) == (date(2024, 3, 1), date(2024, 3, 5))
    assert (window.label_zh, window.label_en) == ("缴费（上海考区通知）", "Pay (Shanghai notice)")
    noted = bare.model_copy(update={"note_zh": "补缴", "note_en": "Late payment"})
    assert milestone_window(STEP, noted, region).label("en") == "Late payment"
