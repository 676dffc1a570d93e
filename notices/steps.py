"""The candidate's steps and the words people use for them."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from notices.text import to_simplified


class Step(StrEnum):
    """A step of the candidate's journey, in the notice's order."""

    REGISTER = "register"
    WECHAT = "wechat"
    SUBMIT = "submit"
    CONFIRM = "confirm"
    REVIEW = "review"
    PAY = "pay"
    TICKET = "ticket"
    EXAM = "exam"
    SCORE = "score"


STEP_ORDER: tuple[Step, ...] = tuple(Step)

# The interface vocabulary of /done and /undo (DESIGN.md), not facts of a notice: the
# per-year rules for each step live in the cycle data file.
_STEP_WORDS: dict[Step, tuple[str, ...]] = {
    Step.REGISTER: ("register", "registration account", "sign up", "signup", "注册", "注册账号"),
    Step.WECHAT: ("wechat", "weixin", "绑定微信", "绑微信", "微信绑定", "绑定", "微信"),
    Step.SUBMIT: ("submit", "提交", "提交报名信息", "提交报名", "网上报名", "报名", "报考"),
    Step.CONFIRM: ("confirm", "confirmation", "确认", "报名确认", "现场确认", "线上确认"),
    Step.REVIEW: ("review", "审核", "资格审核", "审查"),
    Step.PAY: (
        "pay", "payment", "fee", "缴费", "交费", "交钱", "缴钱", "付款", "付费", "网上缴费",
    ),
    Step.TICKET: (
        "ticket", "admission ticket", "admission", "准考证", "打印准考证", "下载准考证",
        "准考证打印",
    ),
    Step.EXAM: ("exam", "考试", "参加考试", "考完"),
    Step.SCORE: ("score", "scores", "result", "results", "成绩", "查成绩", "成绩单", "分数"),
}

_COMMAND = re.compile(r"^/(?:done|undo)(?:@\w+)?\s*", re.IGNORECASE)


def _fold(text: str) -> str:
    return to_simplified(unicodedata.normalize("NFKC", text)).strip().lower()


_LOOKUP: dict[str, Step] = {_fold(w): s for s, words in _STEP_WORDS.items() for w in words}
_BY_LENGTH: tuple[str, ...] = tuple(sorted(_LOOKUP, key=len, reverse=True))


def step_words(step: Step) -> tuple[str, ...]:
    """Return the words that name a step, English and Chinese."""
    return _STEP_WORDS[step]


def parse_step(text: str) -> Step | None:
    """Return the step a short text names ("pay", "缴费", "/done 交费"), or None."""
    folded = _fold(_COMMAND.sub("", _fold(text)))
    folded = folded.strip(" .,;:!?。，；：！？")
    if not folded:
        return None
    if folded in _LOOKUP:
        return _LOOKUP[folded]
    found = {_LOOKUP[w] for w in _BY_LENGTH if w in folded and (len(w) > 1 or w == folded)}
    if len(found) == 1:
        return found.pop()
    # "打印准考证" holds "准考证" and nothing else; "报名确认" holds 报名 and 确认: the
    # longest word decides when one word contains all the others.
    for word in _BY_LENGTH:
        if word in folded:
            others = [w for w in _BY_LENGTH if w in folded and w not in word]
            if not others:
                return _LOOKUP[word]
            break
    return None
