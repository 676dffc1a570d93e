"""Text folding gives what the slow reference steps give, only faster."""

from __future__ import annotations

import pytest
from opencc import OpenCC

from benchmarks.qa_eval import SET_FILES, SETS_DIR
from notices.text import to_simplified

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
