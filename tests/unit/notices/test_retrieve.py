"""Ranking: what marks a topic as one the notice leaves out."""

from __future__ import annotations

from notices.models import Entry, EntryKind
from notices.retrieve import Index


def _entry(entry_id: str, keywords: tuple[str, ...], kind: EntryKind) -> Entry:
    return Entry(id=entry_id, kind=kind, topic_zh=keywords[0], topic_en="topic", section="考试",
                 answer_zh="答案", answer_en="answer", source=("原文",), keywords=keywords)


ENTRIES = (
    _entry("dates", ("考试", "日期", "考试时间"), EntryKind.ANSWER),
    _entry("machine", ("人机对话", "电脑"), EntryKind.ANSWER),
    _entry("rules", ("草稿纸", "考场规则", "电脑"), EntryKind.OUT_OF_SCOPE),
)


class _Spaces:
    """Cut text at spaces (the shared tokenizer's words depend on what was loaded before)."""

    def lcut(self, text: str) -> list[str]:
        return text.split()


def _index() -> Index:
    return Index(ENTRIES, canon=lambda text: text, tokenizer=_Spaces(),
                 stopwords=frozenset({"吗", "能"}), reading_words=["考试", "日期"])


def test_index_a_word_only_an_out_of_scope_entry_holds_marks_it() -> None:
    index = _index()
    found = index.outside(index.terms("考试 能 带 草稿纸 吗"))
    assert found is not None and found[1].id == "rules"


def test_index_words_answered_entries_share_mark_nothing() -> None:
    index = _index()
    assert index.outside(index.terms("电脑 考试")) is None


def test_index_a_marked_topic_tied_with_the_best_entry_wins() -> None:
    index = _index()
    terms = index.terms("人机对话 草稿纸")
    assert index.rank(terms)[0][1].id == "machine"  # ahead, but by less than 5 %
    found = index.outside(terms)
    assert found is not None and found[1].id == "rules"


def test_index_a_marked_topic_far_behind_the_best_entry_is_no_verdict() -> None:
    index = _index()
    assert index.outside(index.terms("人机对话 人机对话 人机对话 电脑 草稿纸")) is None


def test_index_a_word_cut_whole_in_the_question_grounds_the_entry_it_is_inside() -> None:
    # The entry's topic word "考场规则" is cut whole; a question may hold a word of it cut
    # otherwise ("场规则" here): every pair of its characters is the entry's own, so it is
    # grounded. A word sharing one pair only ("场地") is not.
    index = _index()
    rules = ENTRIES[2]
    assert index.grounded(index.terms("场规则"), rules)
    assert not index.grounded(index.terms("场地"), rules)
