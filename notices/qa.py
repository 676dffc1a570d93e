"""Question answering over the knowledge base: normalise, tokenise, rank with BM25."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Literal

from notices.calendar import StepPlan, TodoItem, WindowStatus, todo, window_status
from notices.kb import KnowledgeBase
from notices.models import Entry, EntryKind, OfficialSite, Region
from notices.steps import STEP_ORDER, Step, step_words
from notices.text import (
    MAX_CHARS,
    CueSet,
    Rewriter,
    cjk_bigrams,
    detect_lang,
    fold,
    normalise,
    tokenizer,
)

Lang = Literal["zh", "en"]
RegionFrom = Literal["question", "profile"]

# Ranking constants, set on the development question set and kept round on purpose.
_K1 = 1.2
_B = 0.75
_FIELD_WEIGHTS = {"keywords": 3.0, "questions": 2.0, "topic": 2.0, "answer": 1.0}
_BIGRAM_WEIGHT = 0.35
_STEP_BOOST = 1.25
_TIME_BOOST = 1.2
_MIN_SCORE = 2.5
_CONFIDENCE_SCALE = 6.0
_MAX_SUGGESTIONS = 3
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_LATIN_TOKEN = re.compile(r"^[a-z0-9]+$")


class AnswerKind(StrEnum):
    """What kind of reply the question gets."""

    ANSWER = "answer"
    NEED_REGION = "need_region"
    SUGGEST = "suggest"
    OUT_OF_SCOPE = "out_of_scope"
    FRAUD = "fraud"
    SMALLTALK = "smalltalk"
    EMPTY = "empty"


@dataclass(frozen=True, slots=True)
class Answer:
    """Structured facts for one question; the bot renders them per locale."""

    kind: AnswerKind
    lang: Lang
    confidence: float
    site: OfficialSite
    entry: Entry | None = None
    suggestions: list[Entry] = field(default_factory=list)
    region: Region | None = None
    region_from: RegionFrom | None = None
    statuses: list[tuple[StepPlan, WindowStatus | None]] = field(default_factory=list)
    next_steps: list[TodoItem] = field(default_factory=list)

    def text(self, lang: Lang | None = None) -> str:
        """Return every fact this answer carries as plain text (for checks and logs)."""
        zh = (lang or self.lang) == "zh"
        parts: list[str] = []
        if self.entry is not None:
            parts.append(self.entry.answer_zh if zh else self.entry.answer_en)
        for plan, _ in self.statuses:
            parts.append(plan.note_zh if zh else plan.note_en)
            if plan.window is not None:
                parts.append(plan.window.label_zh if zh else plan.window.label_en)
            consequence = plan.consequence_zh if zh else plan.consequence_en
            if consequence:
                parts.append(consequence)
        for item in self.next_steps:
            parts.append(item.plan.name_zh if zh else item.plan.name_en)
            if item.plan.window is not None:
                parts.append(item.plan.window.label_zh if zh else item.plan.window.label_en)
        return "\n".join(parts)


@dataclass(frozen=True, slots=True)
class _Query:
    clean: str
    canon: str
    terms: dict[str, float]
    steps: frozenset[Step]
    time_cue: bool
    next_cue: bool


class Answerer:
    """Answer candidates' questions from one knowledge base (rebuild it on reload)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        lex = kb.lexicon
        self.kb = kb
        self._zh = Rewriter(lex.synonyms)
        self._en = Rewriter(lex.english, words=True)
        self._stop = frozenset(fold(w) for w in lex.stopwords) | frozenset(
            fold(w) for w in lex.english_stopwords
        )
        self._time = CueSet(lex.time_cues)
        self._next = CueSet(lex.next_cues)
        self._chat = CueSet([*lex.greetings, *lex.thanks, *lex.stopwords])
        self._injection = CueSet(lex.injection_cues)
        self._abuse = CueSet(lex.abuse)
        self._fraud = CueSet(lex.fraud_cues)
        self._other_year = CueSet(lex.other_year_cues)
        self._step_cues = {s: CueSet(self._canon(fold(w)) for w in step_words(s)) for s in Step}
        self._tk = tokenizer(kb.domain_words())
        self._docs: list[dict[str, float]] = []
        self._lengths: list[float] = []
        for entry in kb.entries:
            doc = self._document(entry)
            self._docs.append(doc)
            self._lengths.append(sum(doc.values()))
        self._avg = sum(self._lengths) / max(len(self._lengths), 1)
        df: Counter[str] = Counter()
        for doc in self._docs:
            df.update(doc.keys())
        n = len(self._docs)
        self._idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self._fallback = [e for e in kb.entries if e.kind is EntryKind.ANSWER][:_MAX_SUGGESTIONS]

    # -- text -----------------------------------------------------------------------------

    def _canon(self, clean: str) -> str:
        return " ".join(self._zh(self._en(clean)).split())

    def _terms(self, canon: str, weight: float = 1.0) -> dict[str, float]:
        terms: defaultdict[str, float] = defaultdict(float)
        for token in self._tk.lcut(canon):
            token = token.strip()
            if not token or token in self._stop:
                continue
            if _LATIN_TOKEN.match(token) and len(token) > 3 and token.endswith("s"):
                token = token[:-1]
            terms[token] += weight
        for gram in cjk_bigrams(canon):
            if gram not in self._stop:
                terms["#" + gram] += weight * _BIGRAM_WEIGHT
        return dict(terms)

    def _document(self, entry: Entry) -> dict[str, float]:
        fields: dict[str, Iterable[str]] = {
            "keywords": entry.keywords,
            "questions": entry.questions,
            "topic": (entry.topic_zh, entry.topic_en),
            "answer": (entry.answer_zh, entry.answer_en),
        }
        doc: defaultdict[str, float] = defaultdict(float)
        for name, texts in fields.items():
            for text in texts:
                canon = self._canon(normalise(text, 2000))
                for term, weight in self._terms(canon, _FIELD_WEIGHTS[name]).items():
                    doc[term] += weight
        return dict(doc)

    def _query(self, clean: str) -> _Query:
        canon = self._canon(clean)
        steps = frozenset(s for s, cues in self._step_cues.items() if cues.find(canon))
        return _Query(
            clean=clean,
            canon=canon,
            terms=self._terms(canon),
            steps=steps,
            time_cue=bool(self._time.find(canon) or self._time.find(clean)),
            next_cue=bool(self._next.find(canon) or self._next.find(clean)),
        )

    # -- ranking --------------------------------------------------------------------------

    def _rank(self, query: _Query) -> list[tuple[float, Entry]]:
        ranked: list[tuple[float, Entry]] = []
        for doc, length, entry in zip(self._docs, self._lengths, self.kb.entries, strict=True):
            score = 0.0
            norm = _K1 * (1 - _B + _B * length / self._avg)
            for term, qweight in query.terms.items():
                tf = doc.get(term)
                if tf:
                    score += qweight * self._idf[term] * tf * (_K1 + 1) / (tf + norm)
            if score <= 0:
                continue
            if query.steps and query.steps.intersection(entry.steps):
                score *= _STEP_BOOST
            if query.time_cue and entry.time_aware:
                score *= _TIME_BOOST
            if query.next_cue and entry.next_steps:
                score = score * 2 + _MIN_SCORE * 2
            ranked.append((score, entry))
        ranked.sort(key=lambda item: -item[0])
        return ranked

    # -- answering ------------------------------------------------------------------------

    def answer(
        self,
        question: str,
        *,
        region_code: str | None = None,
        returning: bool | None = None,
        done: frozenset[Step] = frozenset(),
        lang: str | None = None,
        now: datetime,
    ) -> Answer:
        """Answer one question for a candidate's profile at an aware instant."""
        raw = question[: MAX_CHARS * 4] if isinstance(question, str) else ""
        detected = detect_lang(raw)
        answer_lang: Lang = "en" if (detected or lang) == "en" else "zh"
        site = self.kb.cycle.official_site

        def reply(kind: AnswerKind, **extra: object) -> Answer:
            return Answer(kind=kind, lang=answer_lang, site=site, **extra)  # type: ignore[arg-type]

        clean = normalise(raw)
        if not clean:
            return reply(AnswerKind.EMPTY, confidence=1.0)
        if self._injection.find(clean):
            return reply(AnswerKind.OUT_OF_SCOPE, confidence=1.0, entry=self._oos("oos_general"))
        if self._fraud.find(clean) or self._fraud.find(self._canon(clean)):
            return reply(AnswerKind.FRAUD, confidence=1.0, entry=self._fraud_entry())
        clean = self._abuse.strip(clean)
        if not clean:
            return reply(AnswerKind.EMPTY, confidence=1.0)
        if not self._chat.strip(clean).replace(" ", ""):
            return reply(AnswerKind.SMALLTALK, confidence=1.0)
        if self._other_year.find(clean) or any(
            int(y) not in (self.kb.year, self.kb.year - 1) for y in _YEAR.findall(clean)
        ):
            return reply(
                AnswerKind.OUT_OF_SCOPE, confidence=0.9, entry=self._oos("oos_other_years")
            )

        region, region_from = self._region(raw, region_code)
        query = self._query(clean)
        ranked = self._rank(query)
        if not ranked or ranked[0][0] < _MIN_SCORE:
            suggestions = [e for _, e in ranked[:_MAX_SUGGESTIONS]] or list(self._fallback)
            top = ranked[0][0] if ranked else 0.0
            return reply(
                AnswerKind.SUGGEST,
                confidence=self._confidence(top),
                suggestions=suggestions,
                region=region,
                region_from=region_from,
            )
        score, entry = ranked[0]
        confidence = self._confidence(score)
        if entry.kind is EntryKind.OUT_OF_SCOPE:
            return reply(AnswerKind.OUT_OF_SCOPE, confidence=confidence, entry=entry)
        if entry.kind is EntryKind.FRAUD:
            return reply(AnswerKind.FRAUD, confidence=confidence, entry=entry)
        code = region.code if region else None
        statuses = self._statuses(entry, query, code, returning, now)
        next_steps: list[TodoItem] = []
        if entry.next_steps:
            next_steps = todo(self.kb, region_code=code, returning=returning, done=done, now=now)
        kind = AnswerKind.ANSWER
        if entry.region_dependent and region is None:
            kind = AnswerKind.NEED_REGION
        return reply(
            kind,
            confidence=confidence,
            entry=entry,
            suggestions=[e for _, e in ranked[1 : 1 + _MAX_SUGGESTIONS]],
            region=region,
            region_from=region_from,
            statuses=statuses,
            next_steps=next_steps,
        )

    def explain(
        self,
        entry_id: str,
        *,
        region_code: str | None = None,
        returning: bool | None = None,
        done: frozenset[Step] = frozenset(),
        lang: str | None = None,
        now: datetime,
    ) -> Answer | None:
        """Answer with one chosen entry (a suggestion the candidate picked); None if unknown."""
        try:
            entry = self.kb.entry(entry_id)
        except KeyError:
            return None
        answer_lang: Lang = "en" if lang == "en" else "zh"
        region, _ = self._region("", region_code)
        code = region.code if region else None
        query = _Query(
            clean="", canon="", terms={}, steps=frozenset(), time_cue=True, next_cue=False
        )
        kind = AnswerKind.ANSWER
        if entry.kind is EntryKind.OUT_OF_SCOPE:
            kind = AnswerKind.OUT_OF_SCOPE
        elif entry.kind is EntryKind.FRAUD:
            kind = AnswerKind.FRAUD
        elif entry.region_dependent and region is None:
            kind = AnswerKind.NEED_REGION
        next_steps: list[TodoItem] = []
        if entry.next_steps:
            next_steps = todo(self.kb, region_code=code, returning=returning, done=done, now=now)
        return Answer(
            kind=kind,
            lang=answer_lang,
            confidence=1.0,
            site=self.kb.cycle.official_site,
            entry=entry,
            region=region,
            region_from="profile" if region else None,
            statuses=self._statuses(entry, query, code, returning, now),
            next_steps=next_steps,
        )

    def _confidence(self, score: float) -> float:
        return round(1 - math.exp(-score / _CONFIDENCE_SCALE), 3)

    def _region(
        self, raw: str, region_code: str | None
    ) -> tuple[Region | None, RegionFrom | None]:
        found = self.kb.match_region(raw[:MAX_CHARS])
        if found is not None:
            return found, "question"
        if region_code is not None:
            try:
                return self.kb.region(region_code), "profile"
            except KeyError:
                return None, None
        return None, None

    def _statuses(
        self,
        entry: Entry,
        query: _Query,
        region_code: str | None,
        returning: bool | None,
        now: datetime,
    ) -> list[tuple[StepPlan, WindowStatus | None]]:
        steps = [s for s in entry.steps if s in query.steps] or list(entry.steps)
        if len(steps) > 1 and not query.steps and not entry.time_aware:
            return []
        plans = {p.step: p for p in self.kb.plan(region_code, returning)}
        ordered = [s for s in STEP_ORDER if s in steps]
        result: list[tuple[StepPlan, WindowStatus | None]] = []
        for step in ordered:
            window = plans[step].window
            result.append((plans[step], window_status(window, now) if window else None))
        return result

    def _oos(self, entry_id: str) -> Entry | None:
        try:
            return self.kb.entry(entry_id)
        except KeyError:
            return next((e for e in self.kb.entries if e.kind is EntryKind.OUT_OF_SCOPE), None)

    def _fraud_entry(self) -> Entry | None:
        return next((e for e in self.kb.entries if e.kind is EntryKind.FRAUD), None)
