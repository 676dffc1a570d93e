"""Run the question set (questions.yaml) through the answerer and hold a pass-rate floor."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from notices import Answer, Answerer, Step

QUESTIONS = Path(__file__).with_name("questions.yaml")
PASS_RATE_FLOOR = 0.9
HELD_OUT_FLOOR = 0.8


def load_cases() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    data = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    return data["cases"], data["defaults"]


def ask(answerer: Answerer, case: dict[str, Any], defaults: dict[str, Any]) -> Answer:
    profile = case.get("profile") or {}
    now = datetime.fromisoformat(str(case.get("now", defaults["now"])))
    return answerer.answer(
        str(case["q"]),
        region_code=profile.get("region"),
        returning=profile.get("returning"),
        done=frozenset(Step(s) for s in profile.get("done", [])),
        now=now,
    )


def problems(answer: Answer, expect: dict[str, Any]) -> list[str]:
    found: list[str] = []
    kinds = expect["kind"] if isinstance(expect["kind"], list) else [expect["kind"]]
    if answer.kind.value not in kinds:
        found.append(f"kind {answer.kind.value} not in {kinds}")
    if "entry" in expect:
        wanted = expect["entry"] if isinstance(expect["entry"], list) else [expect["entry"]]
        got = answer.entry.id if answer.entry else None
        if got not in wanted:
            found.append(f"entry {got} not in {wanted}")
    if "lang" in expect and answer.lang != expect["lang"]:
        found.append(f"lang {answer.lang} != {expect['lang']}")
    text = answer.text()
    found += [f"missing {s!r}" for s in expect.get("contains", []) if s not in text]
    found += [f"unexpected {s!r}" for s in expect.get("absent", []) if s in text]
    return found


def test_question_set_has_enough_cases() -> None:
    cases, _ = load_cases()
    assert len(cases) >= 150


def test_question_set_pass_rate_above_floor(answerer: Answerer) -> None:
    cases, defaults = load_cases()
    failures: list[str] = []
    for index, case in enumerate(cases):
        answer = ask(answerer, case, defaults)
        issues = problems(answer, case["expect"])
        if issues:
            got = answer.entry.id if answer.entry else None
            tag = " (held out)" if case.get("holdout") else ""
            failures.append(
                f"[{index}]{tag} {case['q']!r} -> {answer.kind.value}/{got}: {issues}"
            )
    rate = 1 - len(failures) / len(cases)
    held = [c for c in cases if c.get("holdout")]
    held_failed = sum(1 for line in failures if "(held out)" in line)
    print(f"\nquestion set: {len(cases) - len(failures)}/{len(cases)} passed ({rate:.1%}); "
          f"held out: {len(held) - held_failed}/{len(held)}")
    for line in failures:
        print("  FAIL", line)
    assert rate >= PASS_RATE_FLOOR, f"pass rate {rate:.1%} below {PASS_RATE_FLOOR:.0%}"
    assert held and (len(held) - held_failed) / len(held) >= HELD_OUT_FLOOR
