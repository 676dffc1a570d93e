"""Benchmark question answering: accuracy per set, part and category, latency, reply length.

Run from the repository root: ``python -m benchmarks.bench_qa`` (``--failures`` lists the
tuning parts' failures; the held-out parts' are never listed, so nobody tunes on them).
The keyword baseline (the entry whose keywords occur most often in the question) is measured
in the same run on the same cases.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable

from benchmarks.qa_eval import Case, ask, load_cases, problems, reply_of
from bot.knowledge import Knowledge
from bot.texts import Texts
from notices import KnowledgeBase, load_knowledge_base, warm_up
from notices.models import Entry
from notices.text import normalise


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


def _rate(ok: int, total: int) -> str:
    return f"{ok}/{total} = {ok / total:.1%}" if total else "0/0"


def main() -> None:
    """Print accuracy, latency and reply length of the answerer beside the keyword baseline."""
    show_failures = "--failures" in sys.argv
    warm_ms = timed(warm_up)
    load_ms = timed(load_knowledge_base, runs=5)
    knowledge = Knowledge.load()
    index_ms = timed(lambda: Knowledge(knowledge.kb).answerer, runs=5)
    texts = Texts()
    baseline = KeywordBaseline(knowledge.kb)
    cases = load_cases()

    groups: defaultdict[tuple[str, str], list[bool]] = defaultdict(list)
    cats: defaultdict[tuple[str, str], list[bool]] = defaultdict(list)
    base: defaultdict[str, list[bool]] = defaultdict(list)
    latencies: list[float] = []
    # CPU time beside wall time: other work on the machine stretches the wall clock only.
    cpu_times: list[float] = []
    lengths: list[int] = []
    failures: list[tuple[Case, str, list[str]]] = []
    for case in cases:
        for _ in range(3):
            knowledge.answerer.forget_questions()  # each timing is a question never seen
            start, cpu_start = time.perf_counter(), time.process_time()
            answer = ask(knowledge, case)
            cpu_times.append((time.process_time() - cpu_start) * 1000)
            latencies.append((time.perf_counter() - start) * 1000)
        reply = reply_of(answer, knowledge, texts)
        lengths.append(len(reply))
        found = problems(case, answer, reply, knowledge.kb)
        ok = not found
        groups[(case.source, case.part)].append(ok)
        if case.source != "questions":
            cats[(case.part, case.cat)].append(ok)
        if not ok and case.part == "tune":
            failures.append((case, reply.split("\n", 1)[0], found))
        if "entry" in case.expect:
            wanted = case.expect["entry"]
            wanted = wanted if isinstance(wanted, list) else [wanted]
            guess = baseline.best(case.q)
            base[case.part].append((guess.id if guess else None) in wanted)

    print(f"question sets: {len(cases)} questions")
    for (source, part), oks in sorted(groups.items()):
        print(f"  {source:24s} {part:8s} {_rate(sum(oks), len(oks))}")
    for part in ("tune", "holdout"):
        oks = [ok for (s, p), v in groups.items() if p == part for ok in v]
        public = [ok for (s, p), v in groups.items()
                  if p == part and s.startswith("questions_public") for ok in v]
        blind = [ok for (s, p), v in groups.items()
                 if p == part and s.startswith("questions_blind") for ok in v]
        print(f"  ALL {part:8s} {_rate(sum(oks), len(oks))}   public only: "
              f"{_rate(sum(public), len(public))}   blind only: {_rate(sum(blind), len(blind))}")
    # How many questions are in phrasings we did not write (the public sets), of all the
    # sets and of the sets without the blind ones (written by a session of ours that never
    # saw the code: not our phrasing of the tuned rules, but not real candidates' either).
    real = sum(1 for c in cases if c.source.startswith("questions_public"))
    unblind = sum(1 for c in cases if not c.source.startswith("questions_blind"))
    print(f"  real candidates' questions: {_rate(real, len(cases))} of all sets, "
          f"{_rate(real, unblind)} of the sets without the blind ones")
    print("by category (public, dated and blind sets):")
    for (part, cat), oks in sorted(cats.items()):
        print(f"  {part:8s} {cat:12s} {_rate(sum(oks), len(oks))}")
    for part, oks in sorted(base.items()):
        print(f"keyword baseline entry accuracy ({part}): {_rate(sum(oks), len(oks))}")
    print(
        f"answer latency p50 {percentile(latencies, 50):.2f} ms, "
        f"p99 {percentile(latencies, 99):.2f} ms (target p99 < 2 ms); "
        f"CPU time p50 {percentile(cpu_times, 50):.2f} ms, p99 {percentile(cpu_times, 99):.2f} ms"
    )
    print(
        f"reply length median {statistics.median(lengths):.0f} chars, "
        f"p90 {percentile([float(n) for n in lengths], 90):.0f} (target median <= 300)"
    )
    print(f"tokenizer warm-up (once per process): {warm_ms:.0f} ms")
    print(f"KB load {load_ms:.0f} ms + index build {index_ms:.0f} ms")
    if show_failures:
        print(f"tuning failures ({len(failures)}):")
        for case, first, found in failures:
            print(f"  {case.label} {case.q[:60]!r}\n      -> {first[:90]}\n      {found}")


if __name__ == "__main__":
    main()
