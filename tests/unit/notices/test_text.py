"""Text folding gives what the slow reference steps give, only faster."""

from __future__ import annotations

import re

import pytest
from opencc import OpenCC

from benchmarks.qa_eval import SET_FILES, SETS_DIR
from notices.text import alternation, to_simplified

_REFERENCE = OpenCC("t2s")


@pytest.mark.parametrize(
    "text",
    ["繳費時間是什麼時候", "一目瞭然的說明", "不瞭解 臺灣考區", "已经缴费了", "pay 繳費?", "",
     "不"],
)
def test_to_simplified_matches_the_converter(text: str) -> None:
    assert to_simplified(text) == _REFERENCE.convert(text)


@pytest.mark.parametrize("name", SET_FILES)
def test_to_simplified_matches_the_converter_on_each_line_of_the_question_sets(
    name: str,
) -> None:
    lines = (SETS_DIR / name).read_text(encoding="utf-8").splitlines()
    assert [to_simplified(s) for s in lines] == [_REFERENCE.convert(s) for s in lines]


_CHOICES = [
    ("", "报名", ""), ("", "报名时间", ""), ("", "报", "(?=考区)"), ("(?<=在)", "报", "(?=考)"),
    ("(?<![a-z0-9])", "pay", "(?![a-z0-9])"), ("(?<![a-z0-9])", "pay online", "(?![a-z0-9])"),
    ("(?<![a-z0-9])", "加qq", "(?![a-z0-9])"), ("", "p", ""),
]


@pytest.mark.parametrize(
    "text",
    ["报名时间", "在报考", "报考区", "pay online", "repay", "pay", "1pay 加qq 加qqq", "pp",
     "报名时间报名报", "", "in pay onlines pay"],
)
def test_alternation_matches_what_the_plain_alternation_matches(text: str) -> None:
    plain = re.compile("|".join(b + re.escape(w) + a for b, w, a in _CHOICES))
    grouped = re.compile(alternation(_CHOICES))
    assert [m.span() for m in grouped.finditer(text)] == [m.span() for m in plain.finditer(text)]
