"""Benchmark question answering: accuracy and latency beside a keyword baseline.

Run from the repository root: ``python -m benchmarks.bench_qa``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from notices import Answerer, KnowledgeBase, Step, load_knowledge_base, warm_up
from notices.models import Entry
from notices.text import normalise

QUESTIONS = Path(__file__).resolve().parents[1] / "tests" / "notices" / "questions.yaml"


def load_cases() -> tuple[list[dict[str, Any]], str]:
    """Return the question cases and the default 'now'."""
    data = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    return data["cases"], str(data["defaults"]["now"])


def expected(case: dict[str, Any]) -> tuple[list[str], list[str | None]]:
    """Return the acceptable kinds and entry ids of a case."""
    expect = case["expect"]
    kinds = expect["kind"] if isinstance(expect["kind"], list) else [expect["kind"]]
    if "entry" not in expect:
        return kinds, []
    ids = expect["entry"] if isinstance(expect["entry"], list) else [expect["entry"]]
    return kinds, ids


class KeywordBaseline:
    """Pick the entry whose keywords occur most often as substrings of the question."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.entries = kb.entries

    def best(self, question: str) -> Entry | None:
        """Return the entry with the most keyword hits, or None."""
        text = normalise(question)
        scored = [(sum(text.count(k) for k in e.keywords if k), e) for e in self.entries]
        score, entry = max(scored, key=lambda item: item[0])
        return entry if score > 0 else None


def timed(fn: Callable[[], object], runs: int = 1) -> float:
    """Return the mean wall time of fn in milliseconds."""
    start = time.perf_counter()
    for _ in range(runs):
        fn()
    return (time.perf_counter() - start) * 1000 / runs


def percentile(values: list[float], pct: float) -> float:
    """Return the pct percentile (nearest rank) of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main() -> None:
    """Print accuracy and latency of the answerer and of the keyword baseline."""
    warm_ms = timed(warm_up)
    load_ms = timed(load_knowledge_base, runs=5)
    kb = load_knowledge_base()
    index_ms = timed(lambda: Answerer(kb), runs=5)
    answerer = Answerer(kb)
    baseline = KeywordBaseline(kb)
    cases, default_now = load_cases()

    hits = base_hits = scored = held = held_hits = 0
    latencies: list[float] = []
    base_latencies: list[float] = []
    for case in cases:
        profile = case.get("profile") or {}
        now = datetime.fromisoformat(str(case.get("now", default_now)))
        kinds, ids = expected(case)
        question = str(case["q"])
        done = frozenset(Step(s) for s in profile.get("done", []))
        for _ in range(3):
            start = time.perf_counter()
            answer = answerer.answer(
                question,
                region_code=profile.get("region"),
                returning=profile.get("returning"),
                done=done,
                now=now,
            )
            latencies.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            guess = baseline.best(question)
            base_latencies.append((time.perf_counter() - start) * 1000)
        got = answer.entry.id if answer.entry else None
        ok = answer.kind.value in kinds and (not ids or got in ids)
        hits += ok
        if case.get("holdout"):
            held += 1
            held_hits += ok
        if ids:
            scored += 1
            base_hits += (guess.id if guess else None) in ids
    entry_hits = sum(1 for c in cases if expected(c)[1] and _entry_ok(answerer, c, default_now))
    print(f"question set: {len(cases)} questions ({scored} with an expected entry)")
    print(f"answerer accuracy (kind and entry): {hits / len(cases):.1%}")
    print(f"  of which held out (not tuned on):  {held_hits}/{held}")
    print(f"answerer entry accuracy:            {entry_hits / scored:.1%}")
    print(f"keyword baseline entry accuracy:    {base_hits / scored:.1%}")
    print(
        f"answer latency p50 {percentile(latencies, 50):.2f} ms, "
        f"p99 {percentile(latencies, 99):.2f} ms (target p99 < 20 ms)"
    )
    print(
        f"baseline latency p50 {statistics.median(base_latencies):.3f} ms, "
        f"p99 {percentile(base_latencies, 99):.3f} ms"
    )
    print(f"tokenizer warm-up (once per process): {warm_ms:.0f} ms")
    print(
        f"KB load {load_ms:.0f} ms + index build {index_ms:.0f} ms = "
        f"{load_ms + index_ms:.0f} ms (target < 300 ms)"
    )


def _entry_ok(answerer: Answerer, case: dict[str, Any], default_now: str) -> bool:
    profile = case.get("profile") or {}
    now = datetime.fromisoformat(str(case.get("now", default_now)))
    answer = answerer.answer(
        str(case["q"]),
        region_code=profile.get("region"),
        returning=profile.get("returning"),
        done=frozenset(Step(s) for s in profile.get("done", [])),
        now=now,
    )
    return (answer.entry.id if answer.entry else None) in expected(case)[1]


if __name__ == "__main__":
    main()
