"""English words the lexicon does not hold are brought to the form it holds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from notices import Answerer, AnswerKind, Step
from notices.text import EnglishWords
from notices.understand import Aspect

NOW = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)

WORDS = EnglishWords(["admission", "confirm", "register", "pay", "copy", "recognised", "ticket"])


@pytest.mark.parametrize(
    ("typed", "known"),
    [
        ("confirming", "confirm"),
        ("confirmed", "confirm"),
        ("registers", "register"),
        ("pays", "pay"),
        ("copies", "copy"),
        ("recognized", "recognised"),
    ],
)
def test_english_words_an_inflection_becomes_the_known_form(typed: str, known: str) -> None:
    assert WORDS.word(typed) == known


@pytest.mark.parametrize(
    ("typed", "known"), [("admisson", "admission"), ("admissoin", "admission"),
                         ("admisssion", "admission"), ("admizsion", "admission")]
)
def test_english_words_one_keystroke_from_a_long_word_is_that_word(
    typed: str, known: str
) -> None:
    assert WORDS.word(typed) == known


@pytest.mark.parametrize("typed", ["pint", "point", "weather", "is", "x"])
def test_english_words_short_or_unknown_words_stay_as_typed(typed: str) -> None:
    assert WORDS.word(typed) == typed


def test_english_words_rewrite_latin_runs_and_leave_chinese_alone() -> None:
    assert WORDS("my admisson 准考证 confirming") == "my admission 准考证 confirm"


def test_english_words_a_misspelt_question_is_read_as_typed_right(answerer: Answerer) -> None:
    right = answerer.answer("when can I print the admission ticket", now=NOW)
    typo = answerer.answer("when can I print the admisson tickets", now=NOW)
    assert typo.reading is not None and right.reading is not None
    assert typo.reading.asked == right.reading.asked == (Step.TICKET,)
    assert typo.entry == right.entry


@pytest.mark.parametrize(
    ("question", "entry"),
    [("how many subjects must I pass to get the certificate?", "score_rolling"),
     ("I got my 护师 qualification in 2019, from when my years count?", "work_years"),
     # "for this exam" says which exam, as 卫生资格考试 does: the site is asked for, not
     # the exam days.
     ("what is the official website for this exam", "official_info"),
     ("what is official wechat account name?", "official_info"),
     ("when is the exam", "exam_dates"),
     # Signing up is applying, unless an account is named.
     ("whats the last day to sign up", "registration_dates"),
     ("how do I sign up for an account", "register_once"),
     ("what are the whole steps from 注册 to 准考证", "process_overview"),
     ("phone number for the exam office in Hebei?", "ask_local"),
     # Step names in pinyin, as candidates trained abroad type them.
     ("how do i print my zhunkaozheng", "ticket"),
     ("when does jiaofei start", "pay_online"),
     ("do my years count from my zhiye zhuce", "work_years"),
     # How the years are counted at all: from when and to when, the years rule says both.
     ("how are years of experience counted for a radiology technician", "work_years"),
     ("is it on paper or on computer?", "computer_exam"),
     # Asking for the score to be checked again is asking for a rescore.
     ("Can I ask them to check my score again? I think it is wrong", "no_rescore")],
)
def test_english_words_phrases_are_read_as_the_topic_they_name(
    answerer: Answerer, question: str, entry: str
) -> None:
    answer = answerer.answer(question, now=NOW)
    assert answer.entry is not None and answer.entry.id == entry


@pytest.mark.parametrize("question", ["are you a robot or a real person?", "你是真人还是机器人"])
def test_english_words_asking_who_answers_is_a_greeting(answerer: Answerer, question: str) -> None:
    """Who answers is told by the greeting: an unofficial assistant answering from the
    notice, not the warning about unofficial channels."""
    assert answerer.answer(question, now=NOW).kind is AnswerKind.SMALLTALK


@pytest.mark.parametrize("question", ["thanks a lot, that really helped!", "it helped, thank you",
                                      "打扰了 谢谢你啊", "辛苦了 问了这么多 麻烦你了"])
def test_english_words_thanks_however_said_are_thanked(answerer: Answerer, question: str) -> None:
    answer = answerer.answer(question, now=NOW)
    assert answer.kind is AnswerKind.SMALLTALK and answer.thanks


def test_english_words_an_exam_done_then_anything_left_is_what_comes_next(
    answerer: Answerer,
) -> None:
    answer = answerer.answer("exam done yesterday. anything still to do?", now=NOW)
    assert answer.reading is not None and answer.reading.aspect is Aspect.NEXT
