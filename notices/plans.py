"""A step as it applies to one region and candidate: what the knowledge base plans."""

from __future__ import annotations

from dataclasses import dataclass

from notices.models import RegionMilestone, Window, in_language
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

    def consequence(self, lang: str) -> str | None:
        """Return what missing the step costs, in a language, if the notice says."""
        return in_language(lang, self.consequence_zh, self.consequence_en)
