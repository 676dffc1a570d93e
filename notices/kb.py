"""The knowledge base: regions, step rules per region, entries and staff milestones."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from rapidfuzz import fuzz

from notices.models import (
    Cycle,
    Entry,
    KnowledgeBaseError,
    Lexicon,
    Region,
    RegionMilestone,
    StepRule,
)
from notices.plans import RuleChoice, StepPlan, choose_rule, milestone_window, step_terms
from notices.steps import STEP_ORDER, Step
from notices.text import alternation, fold, normalise

_LATIN = re.compile(r"[a-z]")
_SUGGEST_CUTOFF = 40.0
# How far before a region's name the words saying whose or when it is are looked for.
_SAID_SPAN, _SAID_SPAN_EN = 6, 12
# What stands between the names of a list of regions: separators and "and"-words only.
_LIST_GAP = re.compile(r"(?:[\s、，,/和跟与及或]|还有|以及|and|or)*")


def _squash(text: str) -> str:
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", text).split())


class KnowledgeBase:
    """An immutable, validated notice knowledge base for one exam year."""

    __slots__ = (
        "_by_code",
        "_entries",
        "_exact",
        "_milestones",
        "_pattern",
        "_said_cues",
        "_steps",
        "cycle",
        "lexicon",
        "notice_text",
        "regions",
        "year",
    )

    def __init__(
        self,
        *,
        cycle: Cycle,
        regions: tuple[Region, ...],
        lexicon: Lexicon,
        notice_text: str,
        milestones: tuple[RegionMilestone, ...] = (),
    ) -> None:
        self.cycle = cycle
        self.year = cycle.year
        self.regions = regions
        self.lexicon = lexicon
        self.notice_text = notice_text
        self._milestones = milestones
        self._by_code = {r.code: r for r in regions}
        self._steps = {rule.step: rule for rule in cycle.steps}
        self._entries = {e.id: e for e in cycle.entries}
        self._exact, self._pattern = _region_index(regions)
        # The words before a region's name that say it is the asker's now (1) or not (-1).
        self._said_cues = tuple(
            (cue, value)
            for cues, value in ((lexicon.region_now_cues, 1), (lexicon.region_past_cues, -1))
            for cue in map(fold, cues) if cue)

    @classmethod
    def build(
        cls,
        *,
        cycle: Cycle,
        regions: tuple[Region, ...],
        lexicon: Lexicon,
        notice_text: str,
        file_name: str = "cycle",
    ) -> KnowledgeBase:
        """Cross-check validated parts and return a KnowledgeBase, or raise."""
        _check(cycle, regions, notice_text, file_name)
        return cls(cycle=cycle, regions=regions, lexicon=lexicon, notice_text=notice_text)

    # -- regions ---------------------------------------------------------------------------

    def region(self, code: str) -> Region:
        """Return the region with this code; raise KeyError if unknown."""
        return self._by_code[code]

    def match_region(self, text: str) -> Region | None:
        """Return the region a name, alias or sentence names ("我在上海考", "粤"), or None."""
        return self.region_named(normalise(text))

    def region_named(self, folded: str) -> Region | None:
        """Return the region a normalised text names, or None (see `match_region`)."""
        if not folded:
            return None
        if folded in self._exact:
            return self._exact[folded]
        squeezed = folded.replace(" ", "")
        if squeezed in self._exact:
            return self._exact[squeezed]
        matches = list(self._pattern.finditer(folded))
        if not matches:
            return None
        found = [(m.end(), self._exact[m.group(0)]) for m in matches]
        said = [0] * len(found)
        if len({region.code for _, region in found}) > 1:
            # "去年在北京考的 今年调到天津了": a region said of the past or of someone else is
            # not the asker's; one said of where the asker is now is, unless another is where
            # the asker sits the exam ("我在北京工作，在河北考").
            said = [self._said_when(folded[max(0, m.start() - (
                _SAID_SPAN_EN if m.group(0).isascii() else _SAID_SPAN)) : m.start()])
                    for m in matches]
            if min(said) < 0 < max(said) or (min(said) < 0 and max(said) == 0):
                kept = [i for i, score in enumerate(said) if score >= 0]
                found, said = [found[i] for i in kept], [said[i] for i in kept]
        for end, region in found:
            # "我在北京工作，在河北考": the region next to 考 is where the candidate sits.
            if folded[end : end + 1] == "考" or folded[end : end + 3].startswith(("考区", "考点")):
                return region
        return found[said.index(max(said))][1]

    def regions_listed(self, folded: str) -> tuple[Region, ...]:
        """Return the regions a text names side by side, as one list ("江西 安徽 福建 都是网上
        缴费吗", "天津、上海和新疆兵团"), if it names two or more so; else ()."""
        run: list[Region] = []
        last_end = None
        for m in self._pattern.finditer(folded):
            region = self._exact[m.group(0)]
            if last_end is None or _LIST_GAP.fullmatch(folded[last_end : m.start()]) is None:
                if len(run) > 1:
                    break
                run = []
            if region not in run:
                run.append(region)
            last_end = m.end()
        return tuple(run) if len(run) > 1 else ()

    def _said_when(self, before: str) -> int:
        """Return 1 when the words before a region's name say it is the asker's now, -1 when
        they say it was before or someone else's, 0 otherwise (the nearest cue decides)."""
        nearest, score = -1, 0
        for cue, value in self._said_cues:
            at = before.rfind(cue)
            if at >= 0 and at + len(cue) > nearest:
                nearest, score = at + len(cue), value
        return score

    def suggest_regions(self, text: str, limit: int = 5) -> list[Region]:
        """Return regions whose names look like the text, best first (typos welcome)."""
        folded = normalise(text).replace(" ", "")
        if not folded or limit <= 0:
            return []
        exact = self.match_region(text)
        scored: list[tuple[float, int, Region]] = []
        for index, region in enumerate(self.regions):
            best = 0.0
            for name in region.names():
                candidate = fold(name).replace(" ", "")
                if not candidate:
                    continue
                score = fuzz.ratio(folded, candidate)
                if len(candidate) >= 2 and len(folded) > len(candidate):
                    score = max(score, fuzz.partial_ratio(candidate, folded) * 0.9)
                best = max(best, score)
            if region is exact:
                best = 101.0
            if best >= _SUGGEST_CUTOFF:
                scored.append((best, index, region))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [region for _, _, region in scored[:limit]]

    # -- entries and steps -----------------------------------------------------------------

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Return every answer entry in file order."""
        return self.cycle.entries

    def entry(self, entry_id: str) -> Entry:
        """Return the entry with this id; raise KeyError if unknown."""
        return self._entries[entry_id]

    def step_rule(self, step: Step) -> StepRule:
        """Return what the notice says about a step."""
        return self._steps[step]

    @property
    def milestones(self) -> tuple[RegionMilestone, ...]:
        """Return the staff milestones overlaid on this knowledge base."""
        return self._milestones

    def milestone(self, region_code: str | None, step: Step) -> RegionMilestone | None:
        """Return the latest milestone for a region and step, if staff added one."""
        if region_code is None:
            return None
        found = None
        for item in self._milestones:
            if item.region == region_code and item.step == step:
                found = item
        return found

    def plan(
        self,
        region_code: str | None,
        returning: bool | None,
        excepted: frozenset[Step] = frozenset(),
    ) -> list[StepPlan]:
        """Return every step as it applies to the region and candidate, in order.

        For the steps in `excepted` the candidate is in the excepted part of their region
        ("贵州省直考点"): the region's rules with an exception pass them by.
        """
        if region_code is not None:
            self.region(region_code)
        choices = {s: choose_rule(self._steps[s], region_code, returning, s in excepted)
                   for s in STEP_ORDER}
        return [self._plan_step(self._steps[s], region_code, choices) for s in STEP_ORDER]

    def _plan_step(
        self, rule: StepRule, region_code: str | None, choices: dict[Step, RuleChoice]
    ) -> StepPlan:
        terms = step_terms(rule, choices[rule.step])
        # A later step's rule that bears on this one first ("提交报名信息前须先上传材料").
        ahead = [c.rule for c in choices.values()
                 if c.rule is not None and c.rule.before is rule.step and c.rule.before_note_zh]
        heads_up_zh = "".join(r.before_note_zh for r in ahead)
        heads_up_en = " ".join(r.before_note_en for r in ahead)
        if ahead:
            terms = replace(
                terms,
                note_zh=heads_up_zh + terms.note_zh,
                note_en=f"{heads_up_en} {terms.note_en}",
                sources=(*terms.sources, *(p for r in ahead for p in r.before_source)),
            )
        milestone = self.milestone(region_code, rule.step)
        window = terms.window if milestone is None else milestone_window(
            rule, milestone, self.region(milestone.region)
        )
        return StepPlan(
            step=rule.step,
            name_zh=rule.name_zh,
            name_en=rule.name_en,
            section=rule.section,
            mode=terms.mode,
            window=window,
            consequence_zh=terms.consequence_zh,
            consequence_en=terms.consequence_en,
            note_zh=terms.note_zh,
            note_en=terms.note_en,
            source="\n".join(terms.sources),
            sources=terms.sources,
            requires=rule.requires,
            region_code=region_code,
            milestone=milestone,
            heads_up_zh=heads_up_zh,
            heads_up_en=heads_up_en,
        )

    def with_milestones(self, milestones: Sequence[RegionMilestone]) -> KnowledgeBase:
        """Return a new KnowledgeBase with region milestones overlaid (later ones win)."""
        for index, item in enumerate(milestones):
            if not isinstance(item, RegionMilestone):
                raise KnowledgeBaseError(f"milestones[{index}]: not a RegionMilestone")
            if item.region not in self._by_code:
                raise KnowledgeBaseError(
                    f"milestones[{index}]: field 'region': unknown region '{item.region}'"
                )
        return KnowledgeBase(
            cycle=self.cycle,
            regions=self.regions,
            lexicon=self.lexicon,
            notice_text=self.notice_text,
            milestones=(*self._milestones, *milestones),
        )

    def domain_words(self) -> list[str]:
        """Return the words the tokenizer should keep whole (from the data)."""
        words: set[str] = set(self.lexicon.domain_words)
        words.update(fold(k) for k in self.lexicon.synonyms)
        for entry in self.cycle.entries:
            words.update(fold(k) for k in entry.keywords)
        for region in self.regions:
            words.update(fold(n) for n in region.names())
        return sorted(w for w in words if w and not _LATIN.search(w))

    def __repr__(self) -> str:
        return (
            f"KnowledgeBase(year={self.year}, regions={len(self.regions)}, "
            f"entries={len(self.cycle.entries)}, milestones={len(self._milestones)})"
        )


def _region_index(
    regions: Iterable[Region],
) -> tuple[dict[str, Region], re.Pattern[str]]:
    exact: dict[str, Region] = {}
    for region in regions:
        for name in region.names():
            key = fold(name)
            if key:
                exact.setdefault(key, region)
                exact.setdefault(key.replace(" ", ""), region)
    contained = sorted((k for k in exact if len(k) > 1), key=len, reverse=True)
    # A one-character alias (粤, 沪) counts inside a sentence only as "在粤考" or "粤考区".
    singles = sorted(k for k in exact if len(k) == 1 and not _LATIN.search(k))
    choices = [c for k in singles for c in (("(?<=在)", k, "(?=考)"), ("", k, "(?=考区)"))]
    for key in contained:
        latin = _LATIN.search(key) is not None
        choices.append(("(?<![a-z])", key, "(?![a-z])") if latin else ("", key, ""))
    return exact, re.compile(alternation(choices))


def _fail(file_name: str, where: str, field: str, message: str) -> KnowledgeBaseError:
    return KnowledgeBaseError(f"{file_name}: {where}: field '{field}': {message}")


def _check(cycle: Cycle, regions: tuple[Region, ...], notice: str, file_name: str) -> None:
    _check_regions(regions)
    codes = {r.code for r in regions}
    squashed = _squash(notice)

    def verbatim(where: str, field: str, passages: Iterable[str]) -> None:
        for index, passage in enumerate(passages):
            if _squash(passage) not in squashed:
                raise _fail(
                    file_name, where, f"{field}[{index}]",
                    f"passage not found verbatim in {cycle.notice_file}: {passage[:40]!r}",
                )

    seen_steps: set[Step] = set()
    for index, rule in enumerate(cycle.steps):
        where = f"steps[{index}] (step={rule.step})"
        if rule.step in seen_steps:
            raise _fail(file_name, where, "step", f"duplicate step '{rule.step}'")
        for req in rule.requires:
            if req not in seen_steps:
                raise _fail(file_name, where, "requires", f"'{req}' must come earlier")
        seen_steps.add(rule.step)
        verbatim(where, "source", rule.source)
        named = [("default", rule.default)] if rule.default else []
        named += [(f"rules[{i}]", r) for i, r in enumerate(rule.rules)]
        for label, region_rule in named:
            assert region_rule is not None
            for code in region_rule.regions:
                if code not in codes:
                    raise _fail(
                        file_name, where, f"{label}.regions", f"unknown region '{code}'"
                    )
            verbatim(where, f"{label}.source", region_rule.source)
            verbatim(where, f"{label}.before_source", region_rule.before_source)
            if region_rule.before is not None and not (
                    region_rule.before_note_zh and region_rule.before_source):
                raise _fail(file_name, where, f"{label}.before",
                            "needs before_note_zh and before_source")
    missing = [s.value for s in STEP_ORDER if s not in seen_steps]
    if missing:
        raise KnowledgeBaseError(f"{file_name}: steps: missing step(s) {', '.join(missing)}")
    seen_ids: set[str] = set()
    for index, entry in enumerate(cycle.entries):
        where = f"entries[{index}] (id={entry.id})"
        if entry.id in seen_ids:
            raise _fail(file_name, where, "id", f"duplicate id '{entry.id}'")
        seen_ids.add(entry.id)
        verbatim(where, "source", entry.source)


def _check_regions(regions: tuple[Region, ...]) -> None:
    seen: dict[str, str] = {}
    for index, region in enumerate(regions):
        where = f"regions[{index}] (code={region.code})"
        for name in region.names():
            key = fold(name)
            owner = seen.get(key)
            if owner is not None and owner != region.code:
                raise _fail("regions.yaml", where, "aliases", f"'{name}' also names '{owner}'")
            seen[key] = region.code
    if not regions:
        raise KnowledgeBaseError("regions.yaml: field 'regions': must not be empty")
