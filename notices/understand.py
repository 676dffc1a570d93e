"""Read a question before answering it: the steps it names, what it asks, what it says is done.

Everything here is read from words in the lexicon data file, never from phrases written in
code: the same rule reads a question nobody has written yet.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from notices.models import Lexicon, Region, RegionRule
from notices.steps import STEP_ORDER, Step
from notices.text import CueSet, alternation, fold, has_cjk, longest_first, normalise

# A step said done on a day, closing its clause ("12月14号提交的 一直没去确认").
_DATED_DONE = re.compile(
    r"(?:[0-9一二三四五六七八九十]{1,2}[号日]|昨天|前天|上周|上个月)(?:就|才|刚)?"
    r"([\u4e00-\u9fff]{1,4}?)的(?=\s|$|[，,。！!？?；;])")
# When a step was done, told between it and its outcome ("审核一月份就通过了", "审核昨天刚
# 通过"): a day or a month, then 就 or 刚.
_WHEN_BETWEEN = re.compile(
    r"(?:[0-9一二三四五六七八九十]{1,2}月份?|昨天|前天|前两天|前几天|上周|上个月|上星期|年前)"
    r"(?:就|刚刚|刚|已经|早就)")
# How far after a year a fact about the asker may be told ("明年7月才毕业", "2025年6月本科毕业").
_FACT_SPAN = 8
# A later year closing a worry ("是不是就只能明年了", "那就明年吧"): no question about that year.
_RESIGNED = ("了", "吧", "再说")
# A year: "2025", or two digits before 年 ("25年报名", "21年就注册了"), not a count of years
# ("工作满25年", "护龄12年").
_SHORT_YEAR = r"(?<![\d.满了近共有干做作超过第约余龄])([1-3]\d)(?=年(?!级|龄|限))"
_YEAR = re.compile(rf"(?<!\d)(20\d\d)(?!\d)|{_SHORT_YEAR}")
# How far around a step word a "done" marker may stand: "已经完成了报名确认", "审核 过了".
_BEFORE = 6
# How far before a report of progress whose word it is may be told ("他说4月14号就都考完了").
_TOLD_SPAN = 12
# How close before a step word a word saying it is done stands ("已经报名", "刚把报名").
_CLOSE = 0
_AFTER = 4
# Where a clause before a step word ends, its spaces squeezed out: the asker named (我) or a
# closing particle ("今天截止吧 审核刚通过").
_CLAUSE_STOPS = "我吧吗呢啊呀"
# Past this many characters a message is long; its asking sentences decide what it asks.
_LONG = 60
# How soon after "去年"/"今年" the level it speaks of is named ("今年想直接报主管护师").
_LEVEL_SPAN = 10
# How many characters a time word may stand before the how-word it dates ("现在密码怎么试都不对"
# asks how, as "现在怎么登录" does).
_TIME_TO_HOW = 3
# A question closing on 不 ("会自己给我确认不", "还能考不"), not on a 不 of its own ("也不").
_CLOSING_NOT = re.compile(r"[^不没也都还]不[啊呀呢嘛]?$")
# How far after a licence its registration may be said ("执业证21年注册的").
_LICENCE_SPAN = 6
# How far after an earlier year its exam or scores may be named ("2022主管护师成绩").
_EVENT_SPAN = 6
# How near before this year a comparison is said of it ("想对比下今年").
_COMPARE_SPAN = 4
# How far before a step word a word for an effect on it ("影响后面的审核") may stand.
_CONSEQUENCE_SPAN = 5
_LATIN_START = re.compile(r"[a-z]")
_CLAUSE_END = re.compile(r"[，,。.；;！!？?\n]")
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;\n]?")
# Subjects counted ("两科", "另外三门", "剩下的科") where passing or failing is told ("过了",
# "没过", "挂了", "passed one subject") in one sentence: the two-year rolling of scores is
# asked, whatever year or certificate is named beside it.
_SUBJECT_COUNT = re.compile(
    r"(?:(?:另外|剩下的?|剩|其他|其余|其它)[一二两三四1-4]?|[一二两三四1-4])个?(?:科|门)"
    # ("没过的科目", "过了的那几科": the subjects passed or failed, uncounted.)
    r"|(?:过|挂|合格)了?的(?:那|这)?[几些]?(?:科目|科|门)"
    # (English subjects are read as 科目: "passed two 科目".)
    # ("passed 2 of 4 subjects", "passed two of the four papers".)
    r"|\b(?:one|two|three|1|2|3|the other|remaining|other)\s+(?:of\s+(?:the\s+)?(?:4|four)\s+)?"
    r"(?:科目|subjects?|papers?|sections?)")
_PASSING = re.compile(r"过|挂|合格|\b(?:pass|passed|fail|failed)\b")
# On a phone, clauses are often set apart by spaces alone: "审核过了 忘了交费 还能补交吗".
# A full stop ends a clause, but not the last one of "e.g." or "i.e."; spaces between Chinese
# words do, also after a closing quote (a pasted status in quotes, then the question).
_CLAUSE = re.compile(
    r"[，,。；;！!？?\n]|(?<!\.[a-z])\.(?=\s|$)"
    r"|(?<=[\u4e00-\u9fff”’」』）)])\s+(?=[\u4e00-\u9fff“‘「『（(])"
)


class Aspect(StrEnum):
    """What a question asks about a step."""

    DAYS_LEFT = "days_left"
    NOW = "now"
    HOURS = "hours"
    MISSED = "missed"
    WHAT_IF = "what_if"
    WHEN = "when"
    NEXT = "next"
    WHO = "who"
    WHERE = "where"
    HOW = "how"
    WHAT = "what"


# How far after 是不是 a word for finished still closes the question asked.
_OVER_NEAR = 4

# The aspects a date answers: the step's window and where today falls in it.
TIME_ASPECTS = frozenset({Aspect.DAYS_LEFT, Aspect.NOW, Aspect.WHEN})
# Checked in this order: the first aspect found wins ("还有几天截止" asks days, not when).
_ASPECT_ORDER = tuple(Aspect)


@dataclass(frozen=True, slots=True)
class Reading:
    """What a question names, asks and states, before any answer is chosen."""

    canon: str
    steps: tuple[Step, ...]
    asked: tuple[Step, ...]
    aspect: Aspect
    done: frozenset[Step]
    setting: frozenset[Step]
    region: Region | None
    returning: bool | None
    changed: bool
    rules: tuple[tuple[Step, RegionRule], ...]
    # The question asks about another exam year than the loaded one: a later one ("2025年",
    # "明年"), or an earlier year's exam or scores ("去年考试是哪几天").
    other_year: bool
    yes_no: bool = False
    weak: bool = False
    can: bool = False
    # ... or asks whether the asker is still in time by a modal alone ("现在交还来得及不"):
    # the reply opens with its yes or no as it does for a can-word.
    still: bool = False
    # Steps whose region rule the asker says does not hold for them ("我是省直考点的").
    excepted: frozenset[Step] = frozenset()
    # The rule was named by its other way ("要不要现场确认" about online confirmation).
    counter: bool = False
    # The rule was named both ways ("线上确认还是现场确认"): which way the step works is asked.
    ways_asked: bool = False
    # The steps the asking clauses name ("我已经现场确认了，什么时候交钱": paying).
    asking_steps: tuple[Step, ...] = ()
    # The only step word is the exam's own name ("卫生资格考试难吗"): it says no more than
    # that the question is about the exam.
    name_only: bool = False
    # Two kinds of ID document named ("去年用护照 今年身份证"): the change is of the ID.
    id_changed: bool = False
    # Subjects counted and passed or failed in one sentence ("只过了一门", "另外两科没过").
    subjects_passed: bool = False
    # Steps a stated trouble belongs to ("确认不通过", "忘记密码"): what the message is about,
    # whatever step its question names.
    troubles: tuple[Step, ...] = ()
    # Steps said not done ("还没审核通过", "审核还没过"): a later step waits for them.
    pending: frozenset[Step] = frozenset()
    # Steps of the setting named as still ahead ("考试前还要做什么"): not done.
    ahead: frozenset[Step] = frozenset()
    # Steps named as what something may affect ("会不会影响审核"): not asked about.
    affected: frozenset[Step] = frozenset()
    # What the asking part of the message says, in canonical words (a long message's
    # asking sentences, else the whole question).
    asking_canon: str = ""
    # The asking sentences alone, in canonical words, short message or long ("今天能报了吗"
    # of "今天能报了吗 网站好卡"); empty when no sentence asks.
    asking_only: str = ""
    # The question closes asking whether the step is over ("报名是不是早就结束了", "考试完了
    # 吗"): where today stands in its window is the answer, whatever else its words touch.
    over_asked: bool = False
    # The asking part asks whether something can still be changed ("已经点了提交 现在还能改
    # 吗"): the rule on changing it answers, with where its window stands.
    editing: bool = False
    # The question is a time question only by a word saying when the asker speaks ("那个号好久
    # 没用了 现在考主管还要新注册一个吗"): a rule of the step may be what it asks.
    now_said: bool = False
    # ... and that word is said outside the part that asks ("今天一登系统说身份证号已经存在
    # 是不是要重新注册个新号"): it only dates what happened.
    now_aside: bool = False

    @property
    def asked_as(self) -> str:
        """Return the aspect, "can" for a can-I-now question ("能交费了吗", "can I pay now")."""
        if self.aspect is Aspect.NOW and (self.can or self.still):
            return "can"
        return self.aspect.value

    asks: bool = False

    @property
    def implied_next(self) -> bool:
        """Return True when the message reports progress and asks nothing ("确认完了", a
        pasted platform status): what comes next is the answer."""
        # ("报名流程：注册✓ … 资格审核○" is a report under a heading, asking nothing.)
        return self.aspect in (Aspect.WHAT, Aspect.HOW) and bool(self.done) and not self.asks

    def explain(self) -> str:
        """Return the reading as one line, for staff to see why an answer was chosen."""
        parts = [
            f"steps={','.join(self.steps) or '-'}",
            f"asked={','.join(self.asked) or '-'}",
            f"aspect={self.aspect}",
            f"done={','.join(s for s in STEP_ORDER if s in self.done) or '-'}",
            f"region={self.region.code if self.region else '-'}",
        ]
        if self.returning is not None:
            parts.append(f"returning={'yes' if self.returning else 'no'}")
        if self.changed:
            parts.append("changed")
        if self.rules:
            parts.append("rule=" + ",".join(f"{s}:{r.mode}" for s, r in self.rules))
        return " ".join(parts)


class Reader:
    """Read questions with one lexicon and one set of step rules."""

    def __init__(
        self,
        lexicon: Lexicon,
        canon: Callable[[str], str],
        rules: tuple[tuple[Step, RegionRule], ...],
        ranked: Callable[[str], str] | None = None,
    ) -> None:
        # Read in canonical words, the exam's own name kept ("卫生资格考试时间" names the
        # exam); `ranked` is the text entries are ranked on (the name says nothing there).
        self._canon = canon
        self._ranked = ranked or canon
        self._steps = {
            fold(w).replace(" ", ""): s
            for s, words in lexicon.step_cues.items()
            for w in words
            if fold(w)
        }
        self._step_pattern = _alternation(self._steps)
        # Words that only look like a step ("执业注册"); none (or only empty ones), no mask.
        self._mask = _alternation(fold(w).replace(" ", "") for w in lexicon.not_step_words)
        licences = _alternation(fold(w).replace(" ", "") for w in lexicon.licences)
        self._licence_mask = None if licences is None else re.compile(
            f"(?:{licences.pattern})[^，,。；;！!？?]{{0,{_LICENCE_SPAN}}}?注册"
            f"|注册的?(?:{licences.pattern})")
        self._weak = tuple(fold(w) for w in lexicon.weak_step_cues)
        self._aspects = {
            a: CueSet(lexicon.aspect_cues.get(a.value, ())) for a in _ASPECT_ORDER
        }
        self._done_phrases = {
            fold(w).replace(" ", ""): s
            for s, words in lexicon.done_phrases.items()
            for w in words
        }
        self._done_pattern = _alternation(self._done_phrases)
        self._before = CueSet(lexicon.done_before)
        # (An empty marker would make every step word a report of progress.)
        self._after = longest_first(lexicon.done_after)
        self._between = longest_first(lexicon.done_between)
        self._not_done = CueSet(lexicon.not_done)
        self._told_by = CueSet(fold(w) for w in (*lexicon.hearsay_cues, *lexicon.teller_cues))
        self._others = CueSet(lexicon.other_people)
        self._done_verbs = longest_first(lexicon.done_verbs)
        self._done_gap = tuple(fold(w) for w in lexicon.done_gap_words if fold(w))
        self._all_done = tuple(fold(w) for w in lexicon.all_done if fold(w))
        self._consequence = CueSet(lexicon.consequence_cues)
        self._over = tuple(fold(w) for w in lexicon.over_words if fold(w))
        self._asked_whether = CueSet(lexicon.whether_cues)
        self._again = tuple(fold(w) for w in lexicon.again_words if fold(w))
        self._way_alternatives = CueSet(lexicon.way_alternatives)
        self._open_tail = CueSet(lexicon.open_tail)
        self._condition_tail = tuple(fold(w) for w in lexicon.condition_tail if fold(w))
        self._report_after_not = tuple(fold(w) for w in lexicon.report_after_not if fold(w))
        self._context = tuple(fold(w) for w in lexicon.context_after if fold(w))
        self._context_before = tuple(fold(w) for w in lexicon.context_before if fold(w))
        self._pending_before = tuple(fold(w) for w in lexicon.pending_before if fold(w))
        self._pending_after = longest_first(lexicon.pending_after)
        self._returning_yes = CueSet(lexicon.returning_yes)
        self._returning_no = CueSet(lexicon.returning_no)
        self._sat = tuple(fold(w) for w in lexicon.sat_words if fold(w))
        self._year_fillers = "".join(fold(w) for w in lexicon.year_fillers)
        self._particles = "".join(fold(w) for w in lexicon.closing_particles)
        self._joiners = "".join(fold(w) for w in lexicon.list_joiners)
        self._changed = CueSet(lexicon.change_cues)
        self._documents = [CueSet(names) for names in lexicon.id_documents]
        self._levels = CueSet(w for names in lexicon.exam_levels for w in names)
        self._level_of = {fold(w): i for i, names in enumerate(lexicon.exam_levels)
                          for w in names}
        self._last_year = CueSet(lexicon.last_year_words)
        self._mistakes = CueSet(lexicon.mistake_cues)
        self._contrast = CueSet(lexicon.contrast_cues)
        self._what_to_do = CueSet(lexicon.what_to_do)
        self._condition = CueSet(lexicon.condition_cues)
        self._alternative = CueSet(lexicon.alternative_cues)
        self._later_year = CueSet(lexicon.other_year_cues)
        self._next_year = frozenset(fold(w) for w in lexicon.next_year_words)
        self._this_year = CueSet(lexicon.this_year_words)
        self._compare = CueSet(lexicon.compare_cues)
        past = "|".join(re.escape(fold(w)) for w in lexicon.past_year_words if fold(w))
        self._past_year = re.compile(
            rf"(?:(?<!\d)(20\d\d)年?|{_SHORT_YEAR}年|{past or '(?!)'})(?:年度)?(?:的)?"
        )
        self._events = tuple(
            sorted(
                {fold(w).replace(" ", "") for s in (Step.EXAM, Step.SCORE)
                 for w in lexicon.step_cues.get(s, ())},
                key=len, reverse=True,
            )
        )
        self._trouble = frozenset(fold(w).replace(" ", "") for w in lexicon.trouble_words)
        self._inability = tuple(fold(w) for w in lexicon.inability_after if fold(w))
        self._verb_chars = "".join(fold(w) for w in lexicon.step_verbs if len(fold(w)) == 1)
        self._fact_year = CueSet(lexicon.fact_year_cues)
        self._edit_asks = CueSet(fold(w).replace(" ", "") for w in lexicon.edit_asks)
        self._edit_asks_en = CueSet(w for w in lexicon.edit_asks if w.isascii())
        self._asking = CueSet(lexicon.question_marks)
        self._not_asking = CueSet(lexicon.not_question_phrases)
        # Chinese yes-or-no words ask anywhere ("能不能"); English ones only opening a clause
        # ("can I pay now", not "what documents should I bring").
        self._yes_no = CueSet(w for w in lexicon.yes_no_cues if not _LATIN_START.match(fold(w)))
        self._yes_no_en = tuple(fold(w) + " " for w in lexicon.yes_no_cues
                                if _LATIN_START.match(fold(w)))
        self._can = CueSet(lexicon.can_words)
        self._still = CueSet(lexicon.modal_now)
        self._asking_times = CueSet(lexicon.asking_time_words)
        self._time_cues = CueSet(lexicon.time_cues)
        self._can_words = tuple(fold(w) for w in lexicon.can_words if fold(w))
        self._can_blockers = tuple(fold(w) for w in lexicon.can_blockers if fold(w))
        # (Matched on the canon run together: "can i 补" is "cani补" there.)
        self._modal = tuple(fold(w).replace(" ", "") for w in lexicon.modal_now if fold(w))
        self._verbs = tuple(
            sorted({fold(w) for w in lexicon.step_verbs} | set(self._steps), key=len, reverse=True)
        )
        self._verb_of = {fold(v): s for s, verbs in lexicon.verb_steps.items() for v in verbs}
        times = _alternation(fold(w) for w in lexicon.asking_time_words)
        # (A need-word, "现在还要新注册一个吗", asks whether, not when: as a how-word does.)
        hows = _alternation(fold(w) for w in (*lexicon.aspect_cues.get(Aspect.HOW.value, ()),
                                               *lexicon.need_words))
        # ("how to login now" reads "怎么登录现在": the time word closes the question a few
        # words after the how-word.)
        self._time_before_how = (
            re.compile(f"(?P<t>{times.pattern})(?=[^能可吗么]{{0,{_TIME_TO_HOW}}}(?:{hows.pattern}))"
                       f"|(?:{hows.pattern}).{{0,4}}(?P<e>{times.pattern})$")
            if times is not None and hows is not None else None)
        leads = _alternation(fold(w) for w in lexicon.verb_leads)
        verbs = _alternation(self._verb_of)
        self._led_verb = (re.compile(f"(?:{leads.pattern})({verbs.pattern})")
                          if leads is not None and verbs is not None else None)
        self._verb_finals = tuple(fold(w) for w in lexicon.verb_finals if fold(w))
        self._verb_followers = CueSet(lexicon.verb_followers)
        self._perfect = tuple(fold(w) for w in lexicon.perfect_tails if fold(w))
        self._step_time = tuple(fold(w) for w in lexicon.step_time_words if fold(w))
        self._excepted = [
            (step, CueSet(fold(c) for c in rule.exception_cues))
            for step, rule in rules
            if rule.exception_cues
        ]
        self._negations = tuple(fold(w).replace(" ", "") for w in lexicon.negation_cues if fold(w))
        self._denials = tuple(fold(w).replace(" ", "") for w in lexicon.denial_cues if fold(w))
        self._unchanged = (*self._denials,
                           *(fold(w) for w in lexicon.compared_others if fold(w)))
        self._rules = [
            (step, rule, CueSet(self._canon(fold(c)).replace(" ", "") for c in rule.cues),
             CueSet(self._canon(fold(c)).replace(" ", "") for c in rule.counter_cues))
            for step, rule in rules
            if rule.cues or rule.counter_cues
        ]

    def read(
        self, clean: str, *, region: Region | None, year: int, raw: str, asking: str | None,
        today: date | None = None,
    ) -> Reading:
        """Read a normalised question, given its raw text and its `asking_part` (and the day
        asked, for words of a year counted from it: "明年")."""
        canon = self._ranked(clean)
        squeezed = self._canon(clean).replace(" ", "")
        focus = asking if len(clean) > _LONG else None
        focus_squeezed = self._canon(focus).replace(" ", "") if focus else squeezed
        mentions = self._mentions(squeezed)
        tail_clean, tail_canon = self._asking_clause(raw)
        claimed = self._claimed(squeezed, mentions, tail_canon)
        done = frozenset(self._steps[w] for _, _, w in claimed) | self._done_by_phrase(
            clean.replace(" ", ""), tail_clean
        ) | frozenset(self._steps[w] for m in _DATED_DONE.finditer(clean)
                      for _, _, w in self._mentions(self._canon(m.group(1)).replace(" ", ""))
                      if w not in self._weak)
        steps = self._named(mentions, done)
        asked_mentions = self._mentions(focus_squeezed) if focus else mentions
        setting = done | self._setting(squeezed, mentions, self._context)
        # A step said done and named again after it is asked about anew ("我去年注册过了，
        # 今年还要再注册吗"); its other mentions are the setting.
        # So is a step said done by a phrase and named after it ("这周末考完了 后面还有场次没").
        by_phrase = [] if focus or self._done_pattern is None else [
            (p.end(), self._done_phrases[p.group(0)])
            for p in self._done_pattern.finditer(squeezed)
        ]
        again = [] if focus else [
            m for m in mentions
            if m not in claimed and (
                any(c[2] == m[2] and c[1] <= m[0] for c in claimed)
                or any(step == self._steps[m[2]] and end <= m[0] for end, step in by_phrase))
        ]
        # Weak words give way to strong ones still to do ("准考证打印好了 考试是几号"
        # asks about the exam): what is done or the setting is set aside first.
        affected = self._affected(squeezed, mentions)
        aside = setting | affected
        asked = self._named(
            [m for m in asked_mentions if self._steps[m[2]] not in aside or m in again],
            frozenset(),
        )
        if focus is not None and asked_mentions and all(
                w in self._weak for _, _, w in asked_mentions) and not self._time_cues.find(
                    focus_squeezed):
            # A long message whose asking part names a step by a general word only ("…想申请
            # 复核 … 请问去哪申请 需要什么材料"): the step named plainly before it is asked.
            # (Not when it asks a date: "…先注册还是先绑微信 报名几号开始" asks the weak
            # word's.)
            strong = [m for m in mentions if m[2] not in self._weak
                      and (self._steps[m[2]] not in aside or m in again)]
            if strong:
                asked = self._named(strong, frozenset())
        asking_all = self._canon(asking).replace(" ", "") if asking else ""
        only_weak = bool(mentions) and all(w in self._weak for _, _, w in mentions)
        if focus is None and asking and only_weak:
            # Only general words, one where the message asks ("我报的护理学初级师…考试具体是哪
            # 几天"): the one of the asking part is the step asked, not the strongest elsewhere.
            in_asking = [m for m in self._mentions(asking_all)
                         if self._steps[m[2]] not in aside]
            if in_asking:
                asked = self._named(in_asking, frozenset())
                steps = tuple(dict.fromkeys((*steps, *asked)))
        # (Read as written too: the synonyms make "改过来" a plain 修改.)
        editing = bool(self._edit_asks.find(asking_all if asking else squeezed)
            # (Looked for in the whole message: a long message's first question may fall
            # outside its asking part, "…现在还能改吗 改完是不是要重新提交 到时候申请表要按哪个
            # 版本打印"; and in the asking part as folded.)
            or self._edit_asks.find(clean.replace(" ", ""))
            or (asking is not None and self._edit_asks.find(asking.replace(" ", "")))
            # (English words keep their spaces: "can i change".)
            or self._edit_asks_en.find(asking or clean))
        latest = max(done, key=STEP_ORDER.index, default=None)
        if editing and latest is not None and all(
                STEP_ORDER.index(s) > STEP_ORDER.index(latest) for s in asked):
            # "提交了报名信息 发现级别选错了 现场确认还没去 还能改吗": what can still be changed
            # is what was done last, not a step still to come named beside it.
            asked = (latest,)
        if not asked:
            # The asking part names no step ("…忘了交费 现在还能补交吗"): the step it goes
            # on from is the one named last.
            recent = steps if focus is None else self._named(
                sorted(mentions, key=lambda m: -m[0]), frozenset())
            asked = tuple(s for s in recent if s not in aside)
        if not asked and done:
            # "准考证打完了 结果搬家弄丢了 还能再打一次吗": a step said done, its verb said again
            # after 再, is asked about anew.
            asked = tuple(dict.fromkeys(
                step for verb, step in self._verb_of.items() if step in done
                and any(again + verb in focus_squeezed for again in self._again)))
        aspect = self._aspect(focus_squeezed, asked_mentions)
        # ("现在考主管还要新注册一个吗" is a time question by its 现在 alone.)
        now_said = aspect is Aspect.NOW and self._aspect(
            self._asking_times.blank(focus_squeezed), asked_mentions) is not Aspect.NOW
        # ("我现在注册不了", "缴费缴不上": a step the asker cannot do is a trouble too.)
        unable = tuple(dict.fromkeys(
            self._steps[w] for _, end, w in mentions if w not in self._weak
            and squeezed[end:].lstrip(self._verb_chars).startswith(self._inability)))
        troubles = tuple(dict.fromkeys((*(self._steps[w] for _, _, w in mentions
                                          if w in self._trouble), *unable)))
        if (aspect is Aspect.NOW and set(unable) & set(asked)
                # ("提交不了了 是不是过了" asks whether the window is over.)
                and not self._asked_whether.find(focus_squeezed)):
            # "现在注册不了" asks what to do, not whether the window is open.
            aspect = Aspect.WHAT_IF
        if aspect is Aspect.NEXT and troubles:
            # "…自动确认失败… 接下来呢": what to do about the trouble, not the next step.
            aspect = Aspect.WHAT_IF
        name_only = bool(mentions) and not self._mentions(canon.replace(" ", ""))
        # "去年用护照报的 今年身份证": two kinds of ID document are a change of ID, unless one
        # was picked by mistake ("证件类型选成护照了 应该是身份证") or the account is to be
        # edited to the new one ("…想把证件类型改过来": the rule on editing answers it).
        id_changed = (sum(bool(d.find(clean)) for d in self._documents) > 1
                      and not self._mistakes.find(clean) and not editing)
        if aspect in TIME_ASPECTS and (not asked or name_only):
            # "…卫生资格考试 还能报吗": beside the exam's name, the verb names the step.
            # (Its clause ends it too: "还剩几天能报 今天还来得及不".)
            verb = self._verb_step(focus_squeezed) or next(
                (v for clause in _CLAUSE.split(focus or clean)
                 if (v := self._verb_step(self._canon(clause).replace(" ", "")))), ())
            if verb or not asked:
                asked = verb
                name_only = name_only and not verb
            steps = steps or asked
        if not steps:
            asked = steps = self._led_verb_step(focus or clean)
        returning = self._returning(squeezed, year)
        # A message's rule is the one its asking part names: "…还没去现场确认。请问还能改吗"
        # asks about changes, not about on-site confirmation.
        asking_squeezed = asking_all if not focus else ""
        ruled = focus_squeezed if focus else (asking_squeezed if asking else squeezed)
        # Each rule as named by its own cues and by its other way's ("要不要现场确认").
        found = [(s, r, bool(cues.find(ruled)), self._way_named(counter, ruled, s))
                 for s, r, cues, counter in self._rules]
        # (A way named alone, "去现场", is the way of a step the message names: "能不能在网上
        # 缴费啊 以前交啥钱都得去现场" goes on site to pay, not to confirm.)
        named = [(s, r, by_cue) for s, r, by_cue, by_counter in found
                 if by_cue or (by_counter and (not steps or s in steps))]
        # A rule named both ways ("线上确认还是现场确认", "online or onsite") asks which way
        # the step works.
        # So does one named with the other offered beside it ("现场确认还是网上").
        ways_asked = any(by_cue and by_counter for _, _, by_cue, by_counter in found) or (
            bool(named) and bool(self._way_alternatives.find(ruled)
                                 # (English words keep their spaces: "or online".)
                                 or self._way_alternatives.find(focus or clean)))
        # The rule of the step asked about first ("…去现场交钱吗" names on-site confirmation
        # in passing but asks about paying): the steps the asking part names.
        asking_steps = self._named(
            asked_mentions if focus else self._mentions(asking_squeezed), frozenset())
        if focus is None and len(asked) > 1 and asking:
            # "准考证都开始打了 缴费还能补交吗": the steps of the asking clause come first.
            asked = tuple(sorted(asked, key=lambda s: s not in asking_steps))
        named.sort(key=lambda n: n[0] not in asked)
        rules = tuple((s, r) for s, r, _ in named)
        # (The asking sentence may close it, a remark after: "考试全结束了吗 同事说还有一场".)
        over_asked = aspect is Aspect.NOW and any(
            text.rstrip(self._particles).endswith(self._over)
            for text in (focus_squeezed, asking_squeezed) if text)
        return Reading(
            over_asked=over_asked,
            editing=editing,
            now_said=now_said,
            now_aside=now_said and bool(asking) and not self._asking_times.find(asking_all),
            canon=canon,
            steps=steps,
            asked=asked,
            aspect=aspect,
            done=done,
            setting=setting,
            # (In a long message, only where it asks: "提交前我把材料都传了 …" tells what was
            # done.)
            ahead=self._setting(focus_squeezed, asked_mentions,
                                self._context_before) - done,
            pending=self._pending(squeezed, mentions) - done,
            region=region,
            returning=returning,
            # ("信息都没有变化", "nothing has changed": no change.)
            # (English words keep their spaces: "she moved to another hospital".)
            # ("跟别的省不一样" compares regions: no change either.)
            changed=(self._changed.holds(squeezed, self._unchanged)
                     or self._changed.holds(canon, self._unchanged) or id_changed
                     or self._level_changed(clean)),
            id_changed=id_changed,
            # (Looked for in the whole message first: most name no subjects. The raw text
            # keeps where its sentences end.)
            subjects_passed=bool(_SUBJECT_COUNT.search(canon) and _PASSING.search(canon)) and any(
                _SUBJECT_COUNT.search(said) is not None and _PASSING.search(said) is not None
                for said in (self._canon(normalise(r)) for r in _SENTENCE.findall(raw))),
            rules=rules,
            other_year=self._other_year(focus or clean, focus_squeezed, year, asked,
                                        ahead=today is not None and today.year < year),
            weak=only_weak and not done,
            yes_no=bool(self._yes_no.find(focus_squeezed) or self._yes_no.find(canon)
                        or self._opens_yes_no(self._ranked(focus) if focus else canon)
                        # ("…Shandong. can I still auto confirm?": the canon reads "can I
                        # still" as 还能, the yes-or-no opening is in the words as written.)
                        or self._opens_yes_no(focus or clean)
                        # ("提交完系统会自己给我确认不": a closing 不 asks yes or no.)
                        or _CLOSING_NOT.search(focus_squeezed) is not None),
            can=(self._can.holds(focus_squeezed, self._can_blockers)
                 or self._can.holds(canon, self._can_blockers)),
            still=bool(self._still.find(focus_squeezed) or self._still.find(canon)),
            counter=bool(named) and not named[0][2],
            ways_asked=ways_asked,
            # ("不是省直" says the asker is at another site.)
            excepted=frozenset(s for s, cues in self._excepted
                               if cues.holds(squeezed, self._negations)),
            asking_steps=asking_steps,
            name_only=name_only,
            troubles=troubles,
            affected=affected,
            asking_canon=self._ranked(focus) if focus else canon,
            asking_only=self._ranked(asking) if asking else "",
            asks=bool(self._asking.find(self._not_asking.strip(squeezed))
                      or self._asking.find(self._not_asking.strip(canon))
                      or self._contrast.find(squeezed))
            or raw.rstrip()[-1:] in "?？"
            # "今年还要再注册一遍不", "审核过了没": a closing particle asks.
            or self._open_tail.ends(clean)
            # A problem is no mere report ('刷脸了还是登不进去'): it asks for help.
            or bool(troubles),
        )

    # -- steps -----------------------------------------------------------------------------

    def _mentions(self, squeezed: str) -> list[tuple[int, int, str]]:
        if self._step_pattern is None:
            return []
        masked = self._masked(squeezed)
        return [
            (m.start(), m.end(), m.group(0))
            for m in self._step_pattern.finditer(squeezed)
            if not masked(m)
        ]

    def _masked(self, text: str) -> Callable[[re.Match[str]], bool]:
        """Return a test: does a match overlap a word that names no step ("执业注册")?"""
        spans = [(m.start(), m.end()) for mask in (self._mask, self._licence_mask)
                 if mask is not None for m in mask.finditer(text)]
        return lambda m: any(start < m.end() and m.start() < end for start, end in spans)

    def _named(
        self, mentions: list[tuple[int, int, str]], done: frozenset[Step]
    ) -> tuple[Step, ...]:
        """Return the steps named, in order of mention, weak words dropped beside strong ones."""
        found: dict[Step, bool] = {}
        for _, _, word in mentions:
            step = self._steps[word]
            found[step] = found.get(step, False) or word not in self._weak
        found.update({s: True for s in done if s not in found})
        strong = [s for s, is_strong in found.items() if is_strong]
        if strong:
            return tuple(strong)
        # Only weak words ("考试报名"): the later a word stands in weak_step_cues, the more it
        # says; keep the steps of the strongest one.
        weak = sorted(found, key=lambda s: -self._weakness(s, mentions))
        return tuple(weak[:1])

    def _weakness(self, step: Step, mentions: list[tuple[int, int, str]]) -> int:
        ranks = [self._weak.index(w) for _, _, w in mentions if self._steps[w] == step]
        return max(ranks, default=-1)

    def _claimed(
        self, squeezed: str, mentions: list[tuple[int, int, str]], tail: str = ""
    ) -> list[tuple[int, int, str]]:
        """Return the mentions of steps the question says are done ("已经完成了报名确认")."""
        claimed: list[tuple[int, int, str]] = []
        # The step word a 是不是 was last said of, and where it ended.
        whether_end = -1
        for start, end, word in mentions:
            # A marker before another step word claims that one ("已经确认过了审核要多久":
            # 已经 claims the confirmation, not the review).
            since = max([start - _BEFORE, *(e for _, e, _ in mentions if e <= start)])
            before = squeezed[max(0, since) : start]
            # ("是不是提交完就自动确认了": a question asked of one step goes on to the next
            # named close after it.)
            asked = bool(self._asked_whether.find(before)) or (
                whether_end >= 0 and start - whether_end <= _AFTER
                and not any(c in _CLAUSE_STOPS + "了" or not c.isalnum()
                            for c in squeezed[whether_end:start]))
            if asked:
                whether_end = end
            # ("审核是通过了的", "缴费也交过了": a word may stand between the step and its
            # outcome.)
            # ("审核一月份就通过了", "审核昨天刚通过": when it happened may stand there too.)
            when = _WHEN_BETWEEN.match(squeezed, end)
            told = when.end() if when is not None else end
            between = next((b for b in self._between if squeezed.startswith(b, told)), "")
            # ("报名也交了", "现场确认也做完了": a verb of doing may come before the outcome.)
            verb = next((v for v in self._done_verbs
                         if squeezed.startswith(v, told + len(between))), "")
            at = told + len(between) + len(verb)
            after = squeezed[at : at + _AFTER]
            marker = next((m for m in self._after if after.startswith(m)
                           and (not between or verb or len(m) > 1)), None)
            # (Close before it, or before a verb of doing: "刚报名", "已经完成了报名确认"; not
            # "零点刚过 报名…", "我刚知道有这个考试", where the word is about something else.)
            # (Nor what says another step word just before it done: "准考证已经打印好了 考试前
            # 还要做什么" reports the ticket, not the exam.)
            adjacent = since >= 0 and any(e == since for _, e, _ in mentions)
            claimed_before = any(
                len(before) - end <= _CLOSE or (
                    before[end:].startswith(self._done_gap)
                    and not (adjacent and end == len(cue)))
                for cue, end in self._before.found_at(before)
            # (Only what is said of the step: "今天最后一天了吧 刚注册完" ends the deadline's
            # clause at 吧.)
            ) and not self._not_done.find(_after_subject(before))
            claimed_after = (
                marker is not None
                # (Only what is said of the step: "今天是不是缴费截止 我审核早过了" ends the
                # deadline's clause at 我.)
                and not self._not_done.find(_after_subject(before[-4:]))
                and not self._asks_after(squeezed[at + len(marker) :])
            )
            if (
                (claimed_before or claimed_after)
                # "已经过了确认时间", "准考证过了时间": the step's time is past, the step is
                # not done.
                and not after.startswith(self._step_time)
                and not (marker is not None
                         and squeezed[at + len(marker) :].startswith(self._step_time))
                # "是不是顺便就交费了", "我是不是已经审核通过了": a question, not a report.
                and not asked
                and word not in self._trouble
                and not (tail and word in tail)
                # ("看别人都在网上交费了": someone else's progress, not the asker's.)
                and not self._others.find(_after_subject(before))
            ):
                claimed.append((start, end, word))
        # "确认 审核 交钱 准考证 考试 都弄完了": a list of steps, then all of them done.
        for first, end, _ in list(claimed):
            if not squeezed.startswith(self._all_done, end):
                continue
            earlier = [m for m in mentions if m[1] <= first]
            while earlier and not squeezed[earlier[-1][1] : first].strip(self._joiners):
                if earlier[-1] not in claimed:
                    claimed.append(earlier[-1])
                first = earlier.pop()[0]
        return claimed

    def _level_changed(self, clean: str) -> bool:
        """Return True when the level named soonest after last year differs from the one
        named soonest after this year ("去年考的护师没过 今年改报主管护师了")."""
        squeezed = clean.replace(" ", "")

        def level_after(years: CueSet) -> int | None:
            for _, end in years.found_at(squeezed):
                found = self._levels.found_at(squeezed[end : end + _LEVEL_SPAN])
                if found:
                    return self._level_of.get(fold(found[0][0]))
            return None

        last, this = level_after(self._last_year), level_after(self._this_year)
        return last is not None and this is not None and last != this

    def _returning(self, squeezed: str, year: int) -> bool | None:
        """Return whether the asker says they sat the exam before: what they say first,
        a denied word ("不是历史考生", "没有去年的记录") saying they did not."""
        blockers = self._denials + self._negations
        yes: list[int] = []
        no = [end for _, end in self._returning_no.found_at(squeezed)]
        for cue, end in self._returning_yes.found_at(squeezed):
            # ("我不是历史考生 听说老考生能自动确认": a denial says what the asker is not.)
            (no if squeezed[: end - len(cue)].endswith(blockers) else yes).append(end)
        # ("23年考了差几分": the year before this one's exam, sat.)
        yes += [m.end() for m in _YEAR.finditer(squeezed) if _year_of(m) == year - 1
                and squeezed[m.end():].lstrip(self._year_fillers).startswith(self._sat)]
        yes.sort()
        no.sort()
        if yes and (not no or yes[0] < no[0]):
            return True
        return False if no else None

    def _setting(
        self, squeezed: str, mentions: list[tuple[int, int, str]], words: tuple[str, ...]
    ) -> frozenset[Step]:
        """Return the steps named as the setting of the question by one of `words` right after
        the step and its outcome ("缴费后…", "提交前…"; the words of still ahead: "考试前…")."""
        return frozenset(
            self._steps[word] for _, end, word in mentions
            if self._after_outcome(squeezed[end:]).startswith(words)
        )

    def _pending(self, squeezed: str, mentions: list[tuple[int, int, str]]) -> frozenset[Step]:
        """Return the steps said not done: a not-yet word just before the step word ("还没审核
        通过", "还没交钱") or just after it ("审核还没过", "审核没通过")."""
        return frozenset(
            self._steps[word] for start, end, word in mentions
            if word not in self._weak and (
                squeezed[:start].endswith(self._pending_before)
                or squeezed.startswith(self._pending_after, end))
        )

    def _affected(self, squeezed: str, mentions: list[tuple[int, int, str]]) -> frozenset[Step]:
        """Return the steps named as what something may affect ("会不会影响审核", "怕影响后面的
        审核"): not what is asked. ("耽误报名", "影响考试": a general word for the exam is no
        step set aside.)"""
        return frozenset(
            self._steps[word] for start, _, word in mentions
            if word not in self._weak
            and self._consequence.find(squeezed[max(0, start - _CONSEQUENCE_SPAN) : start])
        )

    def _after_outcome(self, rest: str) -> str:
        """Return what follows a step word past its outcome, if one is stated there
        ("审核通过之后": "之后"; "缴费成功后": "后")."""
        marker = next((m for m in self._after if rest.startswith(m)), "")
        return rest[len(marker) :]

    def _done_by_phrase(self, squeezed_clean: str, tail: str = "") -> frozenset[Step]:
        if self._done_pattern is None:
            return frozenset()
        done: set[Step] = set()
        # Words that name no step report none done either ("提示手机号已注册").
        masked = self._masked(squeezed_clean)
        for m in self._done_pattern.finditer(squeezed_clean):
            before = squeezed_clean[max(0, m.start() - _BEFORE) : m.start()]
            if masked(m):
                continue
            if (
                not self._asks_after(squeezed_clean[m.end() :]) and m.group(0) not in tail
                and not self._asked_whether.find(before)
                # ("I have not printed my admission ticket": 没 已打印准考证; "我能不能先把钱
                # 交了": a question.)
                and not self._not_done.find(before)
                # ("他说4月14号就都考完了": someone else's word, not the asker's progress.)
                and not self._told_by.find(
                    squeezed_clean[max(0, m.start() - _TOLD_SPAN) : m.start()])
                # ("同科室的都审核通过了就我没有": someone else's progress, not the asker's.)
                and not self._others.find(_after_subject(before))
            ):
                done.add(self._done_phrases[m.group(0)])
        return frozenset(done)

    def _asks_after(self, rest: str) -> bool:
        """Return True when what follows a done marker at once makes it no report: a question
        ("缴费了吗", "交了钱没", not a later clause: "交了钱还没打准考证") or a condition
        ("审核过了才能交钱")."""
        rest = rest.lstrip("了")
        if rest.lstrip("以之后 ").startswith(self._condition_tail):
            # ("单位说审核过了才能交钱": a condition told, not progress.)
            return True
        if rest.startswith("没") and rest[1:].removeprefix("有").startswith(
                self._report_after_not):
            # ("审核通过了 没看到缴费按钮": a clause of its own after the report.)
            return False
        return bool(self._open_tail.find(rest[:1]))

    def _opens_yes_no(self, text: str) -> bool:
        """Return True when a clause opens with an English yes-or-no word ("is it open")."""
        return any(self._opens_en_yes_no(clause) for clause in _CLAUSE_END.split(text + " "))

    def _opens_en_yes_no(self, clause: str) -> bool:
        """Return True when a clause opens with an English yes-or-no word."""
        return fold(clause).startswith(self._yes_no_en)

    def _asking_clause(self, raw: str) -> tuple[str, str]:
        """Return the clauses of a message that ask, as cleaned and as canonical text: the
        last one where the message ends with a question mark ("审核通过了?", "has the exam
        finished already?") and any opening with an English yes-or-no word ("Is the exam
        over already, or …?"). A report of progress inside them is a question."""
        clauses = _CLAUSE.split(raw.strip().rstrip("?？"))
        asking = [c for c in clauses[:-1] if self._opens_en_yes_no(c)]
        if raw.rstrip()[-1:] in "?？" or self._opens_en_yes_no(clauses[-1]):
            asking.append(clauses[-1])
        if not asking:
            return "", ""
        clean = normalise(" ".join(asking))
        return clean.replace(" ", ""), self._canon(clean).replace(" ", "")

    # -- what is asked ---------------------------------------------------------------------

    def _aspect(self, squeezed: str, mentions: list[tuple[int, int, str]]) -> Aspect:
        # "考试前几天孩子发烧", "现在都是电脑上做题": phrases that ask nothing set no aspect.
        squeezed = self._not_asking.blank(squeezed)
        if squeezed.endswith(self._perfect) and self._names_step_after(self._can_words, squeezed):
            # "能打印了吗": a can-word before a step; "能用我的微信帮她报了吗" asks how.
            return Aspect.NOW
        if ((self._modal_step(squeezed) or squeezed.rstrip(self._particles).endswith(self._modal))
                # ("可以补缴费吗" asks about paying late: missed, below.)
                and not self._aspects[Aspect.MISSED].find(squeezed)):
            # ("还能交费吗"; "…admit card yet, still possible??": the modal closing it.)
            return Aspect.NOW
        what_to_do = self._what_to_do.found_at(squeezed)
        days_left = self._aspects[Aspect.DAYS_LEFT].found_at(squeezed)
        if what_to_do and (not days_left or squeezed.rstrip(self._particles).endswith(
                what_to_do[-1][0])):
            # "人脸识别也不行，现在怎么办" asks what to do, not whether something is open today;
            # so does "…被锁了。报名还有几天截止，…怎么办", closing on it.
            return Aspect.MISSED if self._aspects[Aspect.MISSED].find(squeezed) else Aspect.WHAT_IF
        if self._time_before_how is not None:
            # "忘了密码 现在怎么登录": the time word says when the asker asks; it asks how.
            # (Blanked, not cut: the step words keep their places.)
            squeezed = self._time_before_how.sub(_blank_time, squeezed)
        first = self._first_aspect(squeezed, mentions)
        if first is Aspect.WHAT and self._asks_whether_over(squeezed):
            # "考试是不是都考完了": whether a step is over is where today stands.
            return Aspect.NOW
        if (first in (Aspect.NOW, Aspect.WHEN, Aspect.DAYS_LEFT)
                and self._aspects[Aspect.NEXT].find(squeezed)):
            # "现在等什么", "从哪一步开始", "还剩哪步没做": what comes next, whatever time
            # word is in it.
            return Aspect.NEXT
        return first

    def _asks_whether_over(self, squeezed: str) -> bool:
        """Return True when the question closes asking whether something is finished
        ("是不是都考完了", "是不是已经结束了")."""
        found = self._asked_whether.found_at(squeezed)
        if not found:
            return False
        rest = squeezed[found[-1][1]:].rstrip(self._particles)
        if rest.endswith(self._over):
            return True
        # ("考试是不是全部考完了 后面还有场次没": a clause after it asks the same; a condition
        # after it, "是不是考完了才能查分", asks something else.)
        for word in self._over:
            at = rest.find(word + "了", 0, _OVER_NEAR + len(word) + 1)
            if at >= 0:
                after = rest[at + len(word) + 1:]
                return bool(after) and not after.startswith(self._condition_tail)
        return False

    def _first_aspect(self, squeezed: str, mentions: list[tuple[int, int, str]]) -> Aspect:
        for aspect in _ASPECT_ORDER:
            if aspect is Aspect.WHEN and any(
                # "缴费时间", "准考证打印日期": a step word followed by a word for its date.
                w in squeezed[end : end + 4] for _, end, _ in mentions for w in self._step_time
            ):
                return Aspect.WHEN
            if aspect is not Aspect.WHAT and self._aspects[aspect].find(squeezed):
                return aspect
        return Aspect.WHAT

    def _way_named(self, cues: CueSet, squeezed: str, step: Step) -> bool:
        """Return True when a cue for a way of the step is said, other than of another step's
        verb right after it ("还是要去现场交" is paying on site, not confirming)."""
        return any(self._verb_of.get(squeezed[end : end + 1], step) == step
                   for _, end in cues.found_at(squeezed))

    def _verb_step(self, squeezed: str) -> tuple[Step, ...]:
        """Return the step of a verb right after a can-word that ends the question
        ("现在能报了吗", "今天能交吗"), if any."""
        for can in self._can.find(squeezed):
            at = squeezed.find(can) + len(can)
            verb = next((v for v in self._verb_of if squeezed.startswith(v, at)), None)
            rest = self._past_finals(squeezed[at + len(verb):]) if verb is not None else ""
            # The verb ends the question ("能报了吗", "还能报上吗"); with an object it asks
            # something else ("还能报中级吗" asks who may apply).
            if verb is not None and (not rest or self._open_tail.find(rest[:1])):
                return (self._verb_of[verb],)
        return ()

    def _past_finals(self, rest: str) -> str:
        """Return what follows a verb once its outcome words are passed ("报上吗" → "吗")."""
        while final := next((f for f in self._verb_finals if rest.startswith(f)), ""):
            rest = rest[len(final):]
        return rest

    def _led_verb_step(self, clean: str) -> tuple[Step, ...]:
        """Return the step of a verb that ends a clause after a lead ("我还没交 来得及不",
        "必须交完是吧"), if any: the verb is the clause's predicate, not part of a word."""
        if self._led_verb is None:
            return ()
        for m in self._led_verb.finditer(clean):
            rest = self._past_finals(clean[m.end():])
            if not has_cjk(rest[:1]) or self._verb_followers.starts(rest):
                return (self._verb_of[m.group(1)],)
        return ()

    def _modal_step(self, squeezed: str) -> bool:
        """Return True for "还能交费吗": a modal word followed by a step or a step's verb."""
        return self._names_step_after(self._modal, squeezed)

    def _names_step_after(self, words: Iterable[str], squeezed: str) -> bool:
        """Return True when one of the words is followed at once by a step or a step's verb."""
        for word in words:
            start = squeezed.find(word)
            while start >= 0:
                if squeezed[start + len(word) :].startswith(self._verbs):
                    return True
                start = squeezed.find(word, start + 1)
        return False

    def asks(self, raw: str) -> bool:
        """Return True when a text asks something: a question mark or a question word."""
        clean = normalise(raw)
        return raw.rstrip()[-1:] in "?？" or bool(
            self._asking.find(clean) or self._asking.find(self._canon(clean)))

    def steps_named(self, clean: str) -> tuple[Step, ...]:
        """Return the steps a cleaned text names, in order of mention."""
        return self._named(self._mentions(self._canon(clean).replace(" ", "")), frozenset())

    def steps_asked(self, clean: str) -> tuple[Step, ...]:
        """Return the steps a cleaned text names, or else the step of a verb it asks about
        ("今天还能交吗": paying)."""
        squeezed = self._canon(clean).replace(" ", "")
        return (self._named(self._mentions(squeezed), frozenset())
                or self._verb_step(squeezed) or self._led_verb_step(clean))

    def asking_scope(self, clean: str, asking: str | None) -> str:
        """Return what a message asks, cleaned: a long message's asking part, else all."""
        return normalise(asking) if asking and len(clean) > _LONG else clean

    def asking_part(self, raw: str) -> str | None:
        """Return the sentences of a message that ask something, folded, or None if none do."""
        # Clauses apart, each keeping its question mark ("…review? then what").
        sentences = _SENTENCE.findall(
            _CLAUSE.sub(lambda m: m.group(0) + "\n" if m.group(0) in "?？" else "\n", raw))
        folded = {i: fold(s) for i, s in enumerate(sentences) if s.rstrip()[-1:] not in "?？"}

        def folded_at(index: int) -> str:
            return folded[index] if index in folded else fold(sentences[index])

        asking = [i for i in range(len(sentences))
                  if i not in folded or self._asking.find(self._not_asking.strip(folded[i]))
                  or self._opens_en_yes_no(folded[i])]
        if not asking:
            return None
        chosen = set(asking[-2:])
        before, after = asking[-1] - 1, asking[-1] + 1
        if before >= 0 and self._condition.find(folded_at(before)):
            chosen.add(before)
        if after < len(sentences) and self._alternative.starts(folded_at(after)):
            chosen.add(after)
        return fold(" ".join(sentences[i] for i in sorted(chosen)))

    def _other_year(
        self, scope: str, squeezed: str, year: int, asked: tuple[Step, ...], *, ahead: bool
    ) -> bool:
        """Return True when the asking part of a question is about another exam year (asked
        `ahead` of the cycle's year, "next year" is the cycle's own)."""
        if self._future_year(scope, year) or self._later_year_asked(scope, ahead):
            return True
        this_year = self._this_year.found_at(squeezed)
        # This year named, other than to compare an earlier one with it ("我想对比下今年").
        this_year_asked = any(
            not self._compare.find(squeezed[max(0, end - len(cue) - _COMPARE_SPAN) : end])
            for cue, end in this_year)
        if asked and not this_year_asked and any(
                (_year_of(m) or year) < year and self._names_step(squeezed, m.end(), asked[0])
                # ("执业证21年注册的": a year of the asker's own past, not a step asked about.)
                and not self._fact_year.find(squeezed[m.end() : m.end() + _FACT_SPAN])
                for m in self._past_year.finditer(squeezed)):
            # "2023年那次报名是几号到几号来着": the step asked about is an earlier year's, named
            # by its number. ("去年报名…" is left to the rules below: last year's exam is often
            # the background of this year's registration.) This year named to compare with
            # leaves it so: "2023年的考试是哪几天 我想对比下今年" asks about 2023, "2023年考试
            # 没过 今年什么时候考" about this year.
            return True
        if this_year or (
            asked and asked[:1] not in ((Step.EXAM,), (Step.SCORE,))
        ):
            # "2023年考试没过，什么时候报名" asks about this cycle's registration.
            return False
        # An earlier year's exam or scores: "去年考试是哪几天", "2022主管护师成绩什么时候出的",
        # "2021年卫生资格考试时间".
        for m in self._past_year.finditer(squeezed):
            named = _year_of(m)
            if named is not None and named >= year:
                continue
            if any(e in squeezed[m.end() : m.end() + _EVENT_SPAN] for e in self._events):
                return True
            # English puts the year last: "what were the exam dates in 2023" (an English word
            # between the exam and the year).
            before = squeezed[max(0, m.start() - _EVENT_SPAN) : m.start()]
            if m.group(1) and _LATIN_START.search(before) and any(
                    e in before for e in self._events):
                return True
        return False

    def _names_step(self, squeezed: str, at: int, step: Step) -> bool:
        """Return True when the words just after `at` mention `step` ("2023年的考试")."""
        return any(self._steps[w] == step
                   for _, _, w in self._mentions(squeezed[at : at + _EVENT_SPAN]))

    def _later_year_asked(self, scope: str, ahead: bool) -> bool:
        """Return True for "明年考试什么时候", not for a fact about the asker ("明年7月才毕业"),
        nor for next year asked `ahead` of the cycle's year (it is the cycle's)."""
        for cue in self._later_year.find(scope):
            if ahead and cue in self._next_year:
                continue
            at = scope.find(cue) + len(cue)
            # ("今天弄不完是不是就只能明年了": next year closing a worry is no question about it.)
            if scope[at:].lstrip().startswith(_RESIGNED):
                continue
            if not self._fact_year.find(scope[at : at + _FACT_SPAN].replace(" ", "")):
                return True
        return False

    def _future_year(self, clean: str, year: int) -> bool:
        """Return True when the question asks about a later exam year than the loaded one."""
        for m in _YEAR.finditer(clean):
            if (_year_of(m) or 0) <= year:
                continue
            around = clean[m.end() : m.end() + _FACT_SPAN].replace(" ", "")
            if not self._fact_year.find(around):
                return True
        return False


def _after_subject(text: str) -> str:
    """Return the words after the asker names themselves or a clause closes ("截止我" -> "",
    "截止吧" -> ""), all of them where neither is said."""
    return text[max(text.rfind(c) for c in _CLAUSE_STOPS) + 1 :]


def _year_of(match: re.Match[str]) -> int | None:
    """Return the year a match of `_YEAR` (or of a past-year pattern) names, if a number."""
    full, short = match.group(1), match.group(2)
    if full:
        return int(full)
    return 2000 + int(short) if short else None


def _blank_time(match: re.Match[str]) -> str:
    """Return a match with its time word (group t or e) blanked, the rest kept."""
    group = "t" if match.group("t") is not None else "e"
    start, end = match.start(group) - match.start(), match.end(group) - match.start()
    text = match.group(0)
    return text[:start] + "_" * (end - start) + text[end:]


def _alternation(words: Iterable[str]) -> re.Pattern[str] | None:
    """Return a pattern matching any of the (non-empty) words, longest first, or None."""
    keys = longest_first(words)
    return re.compile(alternation(("", k, "") for k in keys)) if keys else None
