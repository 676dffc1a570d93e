"""Rank knowledge-base entries against a question with BM25 over words and CJK bigrams."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

from notices.models import Entry, EntryKind
from notices.steps import Step
from notices.text import CueSet, cjk_bigrams, normalise

# Ranking constants, set on the tuning question set and kept round on purpose.
_K1 = 1.2
_K1_PLUS_1 = _K1 + 1
_B = 0.75
_FIELD_WEIGHTS = {"keywords": 3.0, "questions": 2.0, "topic": 2.0, "answer": 1.0}
_BIGRAM_WEIGHT = 0.35
# A word about the asker ("主管护师", "检验技师") in a question: it says little of the topic.
_LIGHT = 0.3
# An entry saying the notice does not cover something ("合格线", "教材"): its words are
# precise markers, so on near-equal evidence it beats an entry sharing general words.
_OUT_OF_SCOPE_BOOST = 1.2
_STEP_BOOST = 1.25
_TIME_BOOST = 1.2
# How many steps an entry may be about and still be favoured for naming one of them.
_SPECIFIC = 4
# An out-of-scope entry named by a marker word answers when it scores at least this share of
# the best entry: the marker is what is asked about ("机考给不给草稿纸": the scratch paper, not
# the computer exam around it).
_MARKER_TIE = 0.8
# An entry about a step the question does not name: kept, but it must match much better.
_OTHER_STEP = 0.5
# So must an entry about a change of details, for a question that states no change.
_NO_CHANGE = 0.5
# One question is ranked several times while it is answered; its terms are cut once.
_TERMS_CACHE = 1024
# The chunks (words between spaces) cut while questions are answered.
_CUTS_CACHE = 4096
_LATIN_TOKEN = re.compile(r"^[a-z0-9]+$")
_DAY_STATED = re.compile(r"\d{1,2}月\d{1,2}日")


def _pairs_within(word: str, own: set[str]) -> bool:
    """Return True when a Chinese word of three or more characters is cut whole in a question
    but apart in an entry ("密码找回" inside "密码找回问题"): every pair of its characters is
    among the entry's own bigram terms."""
    grams = cjk_bigrams(word)
    return len(word) > 2 and len(grams) == len(word) - 1 and all(f"#{g}" in own for g in grams)


class Index:
    """A BM25 index of entries; `rank` scores them for one question."""

    def __init__(
        self,
        entries: Sequence[Entry],
        *,
        canon: Callable[[str], str],
        tokenizer: Any,
        stopwords: frozenset[str],
        light: frozenset[str] = frozenset(),
        muted: Iterable[str] = (),
        reading_words: Iterable[str] = (),
    ) -> None:
        self._entries = tuple(entries)
        self._canon = canon
        self._tk = tokenizer
        self._stop = stopwords
        self._light = light
        # Phrases of a question that name no topic (who told the asker: "同事说").
        self._muted = CueSet(muted)
        # Entries with no keywords nor questions are reached by name only (guards), not ranked.
        self._entries = tuple(e for e in self._entries if e.keywords or e.questions)
        self._topic_terms: set[str] = set()
        self._own_topic: list[set[str]] = []
        self._terms_cache: dict[str, dict[str, float]] = {}
        self._cuts: dict[str, list[str]] = {}
        # The terms scored last, and their scores: a question's terms are scored several times
        # (whether it is out of scope, then its ranks).
        self._scored: tuple[dict[str, float], dict[int, float]] | None = None
        self._docs = [self._document(e) for e in self._entries]
        self._lengths = [sum(doc.values()) for doc in self._docs]
        self._avg = sum(self._lengths) / max(len(self._lengths), 1)
        df: Counter[str] = Counter()
        for doc in self._docs:
            df.update(doc.keys())
        n = len(self._docs)
        self._idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        norms = [_K1 * (1 - _B + _B * length / self._avg) for length in self._lengths]
        # Postings (term -> entries holding it) so a question touches only matching entries,
        # each with its term frequency and its BM25 denominator (tf + norm, added once here).
        self._postings: defaultdict[str, list[tuple[int, float, float]]] = defaultdict(list)
        for index, doc in enumerate(self._docs):
            for term, tf in doc.items():
                self._postings[term].append((index, tf, tf + norms[index]))
        self._boosts = [
            _OUT_OF_SCOPE_BOOST if e.kind is EntryKind.OUT_OF_SCOPE else 1.0 for e in self._entries
        ]
        self._steps = [frozenset(e.steps) for e in self._entries]
        # Entries that give a date: a step's window, or a fixed day the notice states ("均计算
        # 到2023年12月31日").
        self._dated = [e.time_aware or (e.kind is EntryKind.ANSWER
                                        and _DAY_STATED.search(e.answer_zh) is not None)
                       for e in self._entries]
        self._positions = {e.id: i for i, e in enumerate(self._entries)}
        self._markers = self._out_of_scope_markers(reading_words)

    def terms(self, canon: str, weight: float = 1.0) -> dict[str, float]:
        """Return the weighted terms of a canonical text: words, then CJK bigrams."""
        if weight == 1.0:
            cached = self._terms_cache.get(canon)
            if cached is None:
                cached = self._terms(self._muted.strip(canon), 1.0, asked=True)
                if len(self._terms_cache) >= _TERMS_CACHE:
                    self._terms_cache.clear()
                self._terms_cache[canon] = cached
            return cached
        return self._terms(canon, weight)

    def forget_questions(self) -> None:
        """Drop the cut terms of past questions (benchmarks time each question cold)."""
        self._terms_cache.clear()
        self._cuts.clear()
        self._scored = None

    def _terms(self, canon: str, weight: float, *, asked: bool = False) -> dict[str, float]:
        terms: defaultdict[str, float] = defaultdict(float)
        light: set[str] = set()
        skipped: set[str] = set()
        for token in self._cut(canon):
            if token in self._stop:
                # Nor do the pairs within a stop word ("是不是" says nothing of the topic).
                skipped.update(cjk_bigrams(token))
                continue
            if _LATIN_TOKEN.match(token) and len(token) > 3 and token.endswith("s"):
                token = token[:-1]
            if asked and token in self._light:
                light.update(cjk_bigrams(token))
                terms[token] += weight * _LIGHT
            else:
                terms[token] += weight
        for gram in cjk_bigrams(canon):
            if gram not in self._stop and gram not in skipped:
                share = _LIGHT if gram in light else 1.0
                terms["#" + gram] += weight * _BIGRAM_WEIGHT * share
        return dict(terms)

    def _cut(self, canon: str) -> list[str]:
        """Return the words of a text, cutting each chunk between spaces once.

        jieba cuts at spaces anyway, so the words are the same as of the whole text; and a
        long question's asking part, ranked too, is mostly chunks of the whole.
        """
        words: list[str] = []
        for chunk in canon.split():
            cut = self._cuts.get(chunk)
            if cut is None:
                if len(self._cuts) >= _CUTS_CACHE:
                    self._cuts.clear()
                cut = self._cuts[chunk] = self._tk.lcut(chunk)
            words.extend(cut)
        return words

    def _document(self, entry: Entry) -> dict[str, float]:
        fields: dict[str, Iterable[str]] = {
            "keywords": entry.keywords,
            "questions": entry.questions,
            "topic": (entry.topic_zh, entry.topic_en),
            "answer": (entry.answer_zh, entry.answer_en),
        }
        doc: defaultdict[str, float] = defaultdict(float)
        own: set[str] = set()
        self._own_topic.append(own)
        for name, texts in fields.items():
            for text in texts:
                canon = self._canon(normalise(text, 2000))
                for term, weight in self.terms(canon, _FIELD_WEIGHTS[name]).items():
                    doc[term] += weight
                    if name != "answer":
                        self._topic_terms.add(term)
                        own.add(term)
        return dict(doc)

    def _out_of_scope_markers(self, reading_words: Iterable[str]) -> list[frozenset[str]]:
        """Return, per entry, the words that mark its topic as one the notice leaves out.

        A marker is a word of an out-of-scope entry's keywords or topic that no entry the
        notice answers holds in any field ("草稿纸", "比特币", "发票"), and that the reading
        does not take a step, an aspect or the asker from ("考场", "几点", "护师").
        """
        words = [w.replace(" ", "") for w in reading_words if w]
        reading = {t for w in words for t in self.terms(self._canon(w))}
        glued = re.compile(f"(?:{'|'.join(re.escape(w) for w in words)})+") if words else None
        answered = {t for e, doc in zip(self._entries, self._docs, strict=True)
                    if e.kind is not EntryKind.OUT_OF_SCOPE for t in doc}
        markers: list[frozenset[str]] = []
        for entry in self._entries:
            own: set[str] = set()
            if entry.kind is EntryKind.OUT_OF_SCOPE:
                for text in (*entry.keywords, entry.topic_zh, entry.topic_en):
                    own.update(self.terms(self._canon(normalise(text, 2000))))
            markers.append(frozenset(
                t for t in own
                if not t.startswith("#") and len(t) > 1 and t not in answered and t not in reading
                # Reading words run together ("能报": a can-word and a step's verb).
                and not (glued is not None and glued.fullmatch(t))
            ))
        return markers

    def outside(self, terms: dict[str, float]) -> tuple[float, Entry] | None:
        """Return the out-of-scope entry a question is about, with its score, when one of its
        markers is among the question's words and it scores near the best entry."""
        scores = self._scores(terms)
        if not scores:
            return None
        boosts = self._boosts
        boosted = {i: s * boosts[i] for i, s in scores.items()}
        markers = self._markers
        # Most entries have no markers: skip them before walking the question's terms.
        marked = [i for i in boosted if markers[i] and not markers[i].isdisjoint(terms)]
        if not marked:
            return None
        best = max(marked, key=lambda i: (boosted[i], -i))
        if boosted[best] < _MARKER_TIE * max(boosted.values()):
            return None
        return boosted[best], self._entries[best]

    def _scores(self, terms: dict[str, float]) -> dict[int, float]:
        scored = self._scored
        if scored is not None and scored[0] is terms:
            return scored[1]
        # Per entry, its shares summed in the order of the question's terms.
        scores = [0.0] * len(self._entries)
        idf_of, postings = self._idf.get, self._postings
        for term, qweight in terms.items():
            idf = idf_of(term)
            if idf is None:
                continue
            # Multiplied in the same order as qweight * idf * tf * (_K1 + 1) / (tf + norm).
            weight = qweight * idf
            for index, tf, denominator in postings[term]:
                scores[index] += weight * tf * _K1_PLUS_1 / denominator
        positive = {i: s for i, s in enumerate(scores) if s > 0}
        self._scored = (terms, positive)
        return positive

    def dated(self, entry: Entry) -> bool:
        """Return True if an entry gives a date (a step's window or a fixed day)."""
        index = self._positions.get(entry.id)
        return index is not None and self._dated[index]

    def on_topic(self, terms: dict[str, float]) -> bool:
        """Return True if a term of the question names a topic (keywords, questions, topics).

        Words that only the answers' running text contains ("写", "一首") say nothing of
        what the notice covers.
        """
        return any(term in self._topic_terms for term in terms if not term.startswith("#"))

    def grounded(self, terms: dict[str, float], entry: Entry) -> bool:
        """Return True if a word of the question is one of the entry's topic words (its
        keywords, questions or topic), not only a word of its running answer text."""
        index = self._positions.get(entry.id)
        if index is None:
            return True  # reached by name only, never ranked
        own = self._own_topic[index]
        return any(t in own or _pairs_within(t, own) for t, w in terms.items()
                   if not t.startswith("#") and w >= 1.0 and (len(t) > 1 or t.isascii()))

    def rank(
        self,
        terms: dict[str, float],
        *,
        steps: Collection[Step] = (),
        timely: bool = False,
        hold_back: bool = True,
        changed: bool = True,
    ) -> list[tuple[float, Entry]]:
        """Return entries that share a term with the question, best first.

        Entries about the steps the question names are favoured and, with `hold_back`,
        entries about other steps held back; `timely` favours entries that carry a date;
        without `changed`, entries about a change of details are held back.
        """
        scores = self._scores(terms)
        named = frozenset(steps)
        entries, boosts = self._entries, self._boosts
        # (-score, index): best first, then in file order.
        ranked: list[tuple[float, int]] = []
        for index, score in scores.items():
            if score <= 0:
                continue
            about = self._steps[index]
            if named and about:
                if not named.isdisjoint(about):
                    # (An entry about every step, the overview, is about none in particular.)
                    if len(about) <= _SPECIFIC:
                        score *= _STEP_BOOST
                elif hold_back and not (changed and entries[index].on_change):
                    # (A stated change makes what follows a change an answer, whatever
                    # step is named: "以前用通行证注册 现在换身份证了 成绩还算不".)
                    score *= _OTHER_STEP
            if timely and self._dated[index]:
                score *= _TIME_BOOST
            if not changed and entries[index].on_change:
                score *= _NO_CHANGE
            score *= boosts[index]
            ranked.append((-score, index))
        ranked.sort()
        return [(-score, entries[index]) for score, index in ranked]
