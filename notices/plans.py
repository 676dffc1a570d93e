"""A step as it applies to one region and candidate: what the knowledge base plans."""

from __future__ import annotations

from dataclasses import dataclass, replace

from notices.models import Region, RegionMilestone, RegionRule, StepRule, Window, in_language
from notices.steps import Step


@dataclass(frozen=True, slots=True)
class StepPlan:
    """A step as it applies to one region and candidate."""

    step: Step
    name_zh: str
    name_en: str
    section: str
    mode: str
    window: Window | None
    consequence_zh: str | None
    consequence_en: str | None
    note_zh: str
    note_en: str
    source: str
    sources: tuple[str, ...]
    requires: tuple[Step, ...]
    region_code: str | None = None
    milestone: RegionMilestone | None = None
    # What a later step's rule asks first of this one ("本考区线上确认：提交前须先…"), also
    # at the head of the note.
    heads_up_zh: str = ""
    heads_up_en: str = ""

    @property
    def link(self) -> str | None:
        """Return the staff-given link of the region milestone, if any."""
        return self.milestone.link if self.milestone else None

    def name(self, lang: str) -> str:
        """Return the step's name in a language (缴费, Pay the fee)."""
        return in_language(lang, self.name_zh, self.name_en)

    def note(self, lang: str) -> str:
        """Return what the notice says of the step here, in a language."""
        return in_language(lang, self.note_zh, self.note_en)

    def heads_up(self, lang: str) -> str:
        """Return what a later step's rule asks first of this one, in a language, or ""."""
        return in_language(lang, self.heads_up_zh, self.heads_up_en)

    def consequence(self, lang: str) -> str | None:
        """Return what missing the step costs, in a language, if the notice says."""
        return in_language(lang, self.consequence_zh, self.consequence_en)


@dataclass(frozen=True, slots=True)
class RuleChoice:
    """Which of a step's region rules applies to one candidate, and what else bears on it."""

    rule: RegionRule | None  # None: the step's own terms
    passed_by: RegionRule | None = None  # a rule that lists the region but excepts the candidate
    hint: RegionRule | None = None  # a returning-only rule that may apply: its hint is noted


@dataclass(frozen=True, slots=True)
class StepTerms:
    """How a step works for one candidate, before any staff milestone."""

    mode: str
    window: Window | None
    note_zh: str
    note_en: str
    consequence_zh: str | None
    consequence_en: str | None
    sources: tuple[str, ...]


def choose_rule(
    rule: StepRule, region_code: str | None, returning: bool | None, excepted: bool = False
) -> RuleChoice:
    """Pick the region rule for a candidate: the first listing the region that fits them, else
    the step's default; an excepted candidate ("省直考点") gets the default where a rule with
    exception cues lists the region, and an unknown returning status notes a hint."""
    if region_code is None or not (rule.rules or rule.default):
        return RuleChoice(None)
    hint: RegionRule | None = None
    for candidate in rule.rules:
        if region_code not in candidate.regions:
            continue
        if excepted and candidate.exception_cues:
            return RuleChoice(rule.default, passed_by=candidate, hint=hint)
        if candidate.returning_only and returning is not True:
            if returning is None and candidate.hint_zh:
                hint = candidate
            continue
        return RuleChoice(candidate, hint=hint)
    return RuleChoice(rule.default, hint=hint)


def step_terms(rule: StepRule, choice: RuleChoice) -> StepTerms:
    """Return the step's mode, window, note, consequence and sources under the chosen rule."""
    chosen = choice.rule
    if chosen is None:
        terms = StepTerms(
            mode="by_region" if (rule.rules or rule.default) else "all",
            window=rule.window,
            note_zh=rule.note_zh,
            note_en=rule.note_en,
            consequence_zh=rule.consequence_zh,
            consequence_en=rule.consequence_en,
            sources=rule.source,
        )
    else:
        terms = StepTerms(
            mode=chosen.mode,
            window=rule.window if chosen.use_window else None,
            note_zh=chosen.note_zh,
            note_en=chosen.note_en,
            consequence_zh=chosen.consequence_zh or rule.consequence_zh,
            consequence_en=chosen.consequence_en or rule.consequence_en,
            sources=chosen.source,
        )
    note_zh, note_en = step_note(terms.note_zh, terms.note_en, choice)
    return replace(terms, note_zh=note_zh, note_en=note_en)


def step_note(note_zh: str, note_en: str, choice: RuleChoice) -> tuple[str, str]:
    """Add the returning hint to a note; an excepting rule's own note replaces it."""
    if choice.hint is not None:
        note_zh, note_en = f"{note_zh}{choice.hint.hint_zh}", f"{note_en} {choice.hint.hint_en}"
    passed_by = choice.passed_by
    if passed_by is not None and passed_by.exception_note_zh:
        note_zh, note_en = passed_by.exception_note_zh, passed_by.exception_note_en
    return note_zh, note_en


def milestone_window(rule: StepRule, milestone: RegionMilestone, region: Region) -> Window:
    """Return the window a staff milestone gives a step, labelled by its note or the region."""
    return Window(
        start=milestone.start,
        end=milestone.end,
        label_zh=milestone.note_zh or f"{rule.name_zh}（{region.name_zh}考区通知）",
        label_en=milestone.note_en or f"{rule.name_en} ({region.name_en} notice)",
    )
