"""Text folding gives what the slow reference steps give, only faster."""

from __future__ import annotations

import re

import pytest
from opencc import OpenCC

from benchmarks.qa_eval import SET_FILES, SETS_DIR
from notices.text import Rewriter, alternation, detect_lang, to_simplified

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


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("am i eligible for 主管护师 with a bachelor and 4 yrs as 护师", "en"),
        ("guizhou 省直考点, online payment or no?", "en"),
        ("when does registration close", "en"),
        ("状态显示 waiting for review 啥意思", "zh"),
        ("my status says 审核中 for a week now, is that normal", "en"),
        # A pasted status is one term, its punctuation and all.
        ("it shows 您已完成报名确认，请等待考点、考区进行资格审核 so am I done now", "en"),
        ("显示“您已完成报名确认，请等待资格审核” 是不是 done 了 还要 do 什么", "zh"),
        ("www.21wecan-kaoshi.cn 这个是不是官网", "zh"),
        ("收到短信 http://t.cn/A6Lq9xZ 这链接能点吗", "zh"),
        ("我的ID card丢了怎么办", "zh"),
        ("缴费时间", "zh"),
        ("123", None),
    ],
)
def test_detect_lang_reads_the_sentence_not_the_terms_it_names(
    text: str, lang: str | None
) -> None:
    assert detect_lang(text) == lang


def test_a_latin_variant_is_rewritten_only_as_a_whole_word() -> None:
    rewrite = Rewriter({"公众号": ["gzh"], "考试": ["考式"]})
    assert "公众号" not in rewrite("weather in guangzhou")
    assert "公众号" in rewrite("哪个gzh是官方的")
    assert rewrite("考式时间") == " 考试 时间"
