"""Typed, immutable models of a notice knowledge base (validated when loaded)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Literal, TypeVar
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from notices.steps import Step

SHANGHAI = ZoneInfo("Asia/Shanghai")
_T = TypeVar("_T")


class KnowledgeBaseError(Exception):
    """A notice data file is missing, unreadable or inconsistent."""


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _not_empty_tuple(value: tuple[str, ...]) -> tuple[str, ...]:
    if not value:
        raise ValueError("must not be empty")
    return value


Text = Annotated[str, AfterValidator(_not_blank)]
Passages = Annotated[tuple[Text, ...], AfterValidator(_not_empty_tuple)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def in_language(lang: str, zh: _T, en: _T) -> _T:
    """Return the Chinese value for "zh", the English one for any other language."""
    return zh if lang == "zh" else en


class Window(_Frozen):
    """An inclusive run of whole days in Asia/Shanghai (the notice gives no hours)."""

    start: date
    end: date
    label_zh: Text
    label_en: Text
    days: tuple[date, ...] = ()

    def label(self, lang: str) -> str:
        """Return how the notice words the window, in a language."""
        return in_language(lang, self.label_zh, self.label_en)

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if any(not self.start <= d <= self.end for d in self.days):
            raise ValueError("days must lie between start and end")
        return self

    def opens_at(self) -> datetime:
        """Return the opening instant: 00:00 of the first day, Asia/Shanghai."""
        return datetime.combine(self.start, time(0, 0), tzinfo=SHANGHAI)

    def closes_at(self) -> datetime:
        """Return the closing instant: 23:59:59 of the last day, Asia/Shanghai."""
        return datetime.combine(self.end, time(23, 59, 59), tzinfo=SHANGHAI)

    def closes_before(self) -> datetime:
        """Return the first instant after the window (00:00 the day after it ends)."""
        return datetime.combine(self.end + timedelta(days=1), time(0, 0), tzinfo=SHANGHAI)


class Region(_Frozen):
    """An exam region (考区): 31 provincial-level regions plus 新疆兵团."""

    code: Annotated[str, Field(pattern=r"^[a-z][a-z_]*$")]
    name_zh: Text
    full_name_zh: Text
    name_en: Text
    group_zh: Text
    group_en: Text
    aliases: tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        """Return the region's short name in a language (上海, Shanghai)."""
        return in_language(lang, self.name_zh, self.name_en)

    def group(self, lang: str) -> str:
        """Return the name of the region's geographic group in a language (华东)."""
        return in_language(lang, self.group_zh, self.group_en)

    def names(self) -> tuple[str, ...]:
        """Return every name the region answers to, its aliases included."""
        return (self.code, self.name_zh, self.full_name_zh, self.name_en, *self.aliases)


class RegionMilestone(_Frozen):
    """A region's own date for a step, added by staff after the notice."""

    region: Text
    step: Step
    start: date
    end: date
    note_zh: str = ""
    note_en: str = ""
    link: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> RegionMilestone:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class RegionRule(_Frozen):
    """How a step works in the listed regions (first matching rule wins)."""

    mode: Text
    regions: tuple[str, ...] = ()
    returning_only: bool = False
    use_window: bool = True
    note_zh: Text
    note_en: Text
    hint_zh: str = ""
    hint_en: str = ""
    consequence_zh: str | None = None
    consequence_en: str | None = None
    source: Passages
    # A rule a question can ask about by name ("能自动确认吗"): what to call the rule's list of
    # regions, the cue words that name it, and what a listed region must still note.
    label_zh: str = ""
    label_en: str = ""
    cues: tuple[str, ...] = ()
    # Words that name the other way ("现场确认" beside online confirmation): a question with
    # them asks about the rule too, but a listed region is not a "yes" to it.
    counter_cues: tuple[str, ...] = ()
    exception_zh: str = ""
    exception_en: str = ""
    # Words by which an asker says they are in the excepted part ("省直考点"): the rule does
    # not apply to them, the step's default does.
    exception_cues: tuple[str, ...] = ()
    exception_note_zh: str = ""
    exception_note_en: str = ""
    # A step the rule bears on before its own ("上传材料" before submitting, where the region
    # confirms online): that step's note, in the listed regions, starts with this one.
    before: Step | None = None
    before_note_zh: str = ""
    before_note_en: str = ""
    before_source: tuple[Text, ...] = ()

    def label(self, lang: str) -> str:
        """Return the name of this rule's region list in a language."""
        return in_language(lang, self.label_zh, self.label_en)

    def exception(self, lang: str) -> str:
        """Return what a listed region must still note ("省直考点除外"), or ""."""
        return in_language(lang, self.exception_zh, self.exception_en)


class StepRule(_Frozen):
    """What the notice says about one step for everybody, and per region."""

    step: Step
    name_zh: Text
    name_en: Text
    section: Text
    requires: tuple[Step, ...] = ()
    window: Window | None = None
    note_zh: Text
    note_en: Text
    consequence_zh: str | None = None
    consequence_en: str | None = None
    source: Passages
    default: RegionRule | None = None
    rules: tuple[RegionRule, ...] = ()

    def name(self, lang: str) -> str:
        """Return the step's name in a language (缴费, Pay the fee)."""
        return in_language(lang, self.name_zh, self.name_en)


class EntryKind(StrEnum):
    """What an entry is for."""

    ANSWER = "answer"
    OUT_OF_SCOPE = "out_of_scope"
    FRAUD = "fraud"


LinkKind = Literal["official_site", "local_authority", "wechat_account"]


class Entry(_Frozen):
    """One answerable topic, grounded in verbatim notice passages."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    kind: EntryKind = EntryKind.ANSWER
    topic_zh: Text
    topic_en: Text
    section: Text
    answer_zh: Text
    answer_en: Text
    source: Passages
    keywords: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()
    region_dependent: bool = False
    time_aware: bool = False
    next_steps: bool = False
    # About what follows a change of the candidate's details ("证件号码变了"): it applies to a
    # question that states a change.
    on_change: bool = False
    # What the entry says can be done only while its step's window is open (withdrawing a
    # submission to edit and resubmit it): where that window stands today follows the answer.
    window_bound: bool = False
    links: tuple[LinkKind, ...] = ()

    def topic(self, lang: str) -> str:
        """Return the entry's topic in a language."""
        return in_language(lang, self.topic_zh, self.topic_en)

    def answer(self, lang: str) -> str:
        """Return the entry's answer text in a language."""
        return in_language(lang, self.answer_zh, self.answer_en)


class OfficialSite(_Frozen):
    """The organiser's official channels named by the notice."""

    name_zh: Text
    name_en: Text
    url: Text
    wechat_zh: Text
    wechat_en: Text

    def name(self, lang: str) -> str:
        """Return the site's name in a language."""
        return in_language(lang, self.name_zh, self.name_en)

    def wechat(self, lang: str) -> str:
        """Return the name of the official WeChat account in a language."""
        return in_language(lang, self.wechat_zh, self.wechat_en)


class Cycle(_Frozen):
    """One exam year's notice: dates, step rules and answer entries."""

    year: int
    exam_name_zh: Text
    exam_name_en: Text
    notice_title: Text
    notice_file: Text
    notice_published: date
    official_site: OfficialSite
    local_authority_zh: Text
    local_authority_en: Text
    qualification_cutoff: date
    steps: tuple[StepRule, ...]
    entries: tuple[Entry, ...]

    def local_authority(self, lang: str) -> str:
        """Return how the notice names the local exam authority, in a language."""
        return in_language(lang, self.local_authority_zh, self.local_authority_en)


class SaidOf(_Frozen):
    """Words that, said of a subject soon before them, mean something the notice names
    ("报名确认那里是灰的": automatic confirmation failed)."""

    subjects: tuple[str, ...]
    words: tuple[str, ...]
    means: str
    span: int = 8


class Lexicon(_Frozen):
    """Words for normalising and reading questions (shared across years)."""

    synonyms: dict[str, tuple[str, ...]]
    typos: dict[str, tuple[str, ...]] = {}
    english: dict[str, tuple[str, ...]] = {}
    stopwords: tuple[str, ...] = ()
    english_stopwords: tuple[str, ...] = ()
    # Words that say who the asker is (titles, levels, jobs), not what they ask about.
    asker_words: tuple[str, ...] = ()
    domain_words: tuple[str, ...] = ()
    time_cues: tuple[str, ...]
    greetings: tuple[str, ...]
    thanks: tuple[str, ...]
    chat_fillers: tuple[str, ...] = ()
    injection_cues: tuple[str, ...]
    # A question set aside from what comes before it ("顺便问下", "btw"): beside an attack,
    # the candidate's own question.
    aside_cues: tuple[str, ...] = ()
    # Asking the assistant to look up someone else's application ("帮我查下我同事的报名状态"):
    # it sees no one's, theirs or the asker's; the exam site does.
    lookup_asks: tuple[str, ...] = ()
    lookup_acts: tuple[str, ...] = ()
    someone_else: tuple[str, ...] = ()
    looked_up: tuple[str, ...] = ()
    # Making a paper ("帮我生成一张…"): what it makes may come at the end of a long phrase.
    making_acts: tuple[str, ...] = ()
    abuse: tuple[str, ...] = ()
    fraud_cues: tuple[str, ...]
    legitimacy_cues: tuple[str, ...] = ()
    official_channels: tuple[str, ...] = ()
    money_cues: tuple[str, ...] = ()
    other_year_cues: tuple[str, ...] = ()
    next_year_words: tuple[str, ...] = ()
    # Reading a question (notices/understand.py): which steps it names, what it asks about
    # them, what it says is already done, and facts about the asker.
    step_cues: dict[Step, tuple[str, ...]] = {}
    weak_step_cues: tuple[str, ...] = ()
    aspect_cues: dict[str, tuple[str, ...]] = {}
    done_phrases: dict[Step, tuple[str, ...]] = {}
    done_before: tuple[str, ...] = ()
    done_after: tuple[str, ...] = ()
    done_between: tuple[str, ...] = ()
    done_verbs: tuple[str, ...] = ()
    done_gap_words: tuple[str, ...] = ()
    all_done: tuple[str, ...] = ()
    over_words: tuple[str, ...] = ()
    every_step: tuple[str, ...] = ()
    consequence_cues: tuple[str, ...] = ()
    not_done: tuple[str, ...] = ()
    open_tail: tuple[str, ...] = ()
    condition_tail: tuple[str, ...] = ()
    report_after_not: tuple[str, ...] = ()
    context_after: tuple[str, ...] = ()
    context_before: tuple[str, ...] = ()
    pending_before: tuple[str, ...] = ()
    pending_after: tuple[str, ...] = ()
    returning_yes: tuple[str, ...] = ()
    returning_no: tuple[str, ...] = ()
    sat_words: tuple[str, ...] = ()
    year_fillers: tuple[str, ...] = ()
    closing_particles: tuple[str, ...] = ()
    list_joiners: tuple[str, ...] = ()
    change_cues: tuple[str, ...] = ()
    contrast_cues: tuple[str, ...] = ()
    condition_cues: tuple[str, ...] = ()
    alternative_cues: tuple[str, ...] = ()
    trouble_words: tuple[str, ...] = ()
    unanswered_troubles: tuple[str, ...] = ()
    undo_words: tuple[str, ...] = ()
    channel_cues: tuple[str, ...] = ()
    shortcut_cues: tuple[str, ...] = ()
    inability_after: tuple[str, ...] = ()
    not_step_words: tuple[str, ...] = ()
    # Other people as the subject of a step said done ("别人都交费了"): not the asker's progress.
    other_people: tuple[str, ...] = ()
    # Said of several steps listed before it ("…缴费 打印准考证分别是什么时间"): each of them.
    respectively: tuple[str, ...] = ()
    # Licences registered in practice: 注册 near one of them is the licence's registration
    # ("执业证21年注册的", "19年才注册的护士证"), not the platform account.
    licences: tuple[str, ...] = ()
    what_to_do: tuple[str, ...] = ()
    past_year_words: tuple[str, ...] = ()
    this_year_words: tuple[str, ...] = ()
    # Said before this year to compare an earlier one with it ("想对比下今年").
    compare_cues: tuple[str, ...] = ()
    fact_year_cues: tuple[str, ...] = ()
    other_exam_cues: tuple[str, ...] = ()
    # Kinds of ID document, each a group of the names of one.
    id_documents: tuple[tuple[str, ...], ...] = ()
    exam_levels: tuple[tuple[str, ...], ...] = ()
    last_year_words: tuple[str, ...] = ()
    unrelated_exam_cues: tuple[str, ...] = ()
    personal_cues: tuple[str, ...] = ()
    news_tails: tuple[str, ...] = ()
    news_cues: tuple[str, ...] = ()
    question_marks: tuple[str, ...] = ()
    bulk_quantifiers: tuple[str, ...] = ()
    bulk_people: tuple[str, ...] = ()
    bulk_data: tuple[str, ...] = ()
    system_secrets: tuple[str, ...] = ()
    roster_words: tuple[str, ...] = ()
    score_words: tuple[str, ...] = ()
    not_question_phrases: tuple[str, ...] = ()
    step_time_words: tuple[str, ...] = ()
    yes_no_cues: tuple[str, ...] = ()
    noise_phrases: tuple[str, ...] = ()
    can_words: tuple[str, ...] = ()
    # Before a can-word, these make it a restriction, not an ability ("只能注册一次").
    can_blockers: tuple[str, ...] = ()
    # Step words naming the account, not doing the step ("登录"): a can-word before them
    # asks whether the account works, not whether the step's window is open.
    access_words: tuple[str, ...] = ()
    modal_now: tuple[str, ...] = ()
    asking_time_words: tuple[str, ...] = ()
    need_words: tuple[str, ...] = ()
    step_verbs: tuple[str, ...] = ()
    verb_steps: dict[Step, tuple[str, ...]] = {}
    verb_leads: tuple[str, ...] = ()
    verb_finals: tuple[str, ...] = ()
    verb_followers: tuple[str, ...] = ()
    link_doubt_cues: tuple[str, ...] = ()
    third_party_cues: tuple[str, ...] = ()
    offer_cues: tuple[str, ...] = ()
    help_only: tuple[str, ...] = ()
    request_cues: tuple[str, ...] = ()
    record_acts: tuple[str, ...] = ()
    identity_fields: tuple[str, ...] = ()
    said_of: tuple[SaidOf, ...] = ()
    denial_cues: tuple[str, ...] = ()
    action_cues: tuple[str, ...] = ()
    impersonation_cues: tuple[str, ...] = ()
    authority_cues: tuple[str, ...] = ()
    credential_cues: tuple[str, ...] = ()
    credential_asks: tuple[str, ...] = ()
    partner_cues: tuple[str, ...] = ()
    assumed_name_cues: tuple[str, ...] = ()
    announce_cues: tuple[str, ...] = ()
    say_requests: tuple[str, ...] = ()
    sale_acts: tuple[str, ...] = ()
    show_purposes: tuple[str, ...] = ()
    region_now_cues: tuple[str, ...] = ()
    region_past_cues: tuple[str, ...] = ()
    disclosure_asks: tuple[str, ...] = ()
    claim_cues: tuple[str, ...] = ()
    exam_content: tuple[str, ...] = ()
    self_references: tuple[str, ...] = ()
    hearsay_cues: tuple[str, ...] = ()
    hearsay_tellers: tuple[str, ...] = ()
    compared_others: tuple[str, ...] = ()
    way_alternatives: tuple[str, ...] = ()
    again_words: tuple[str, ...] = ()
    bound_asks: tuple[str, ...] = ()
    teller_cues: tuple[str, ...] = ()
    news_leads: tuple[str, ...] = ()
    guarantee_cues: tuple[str, ...] = ()
    pay_link_cues: tuple[str, ...] = ()
    edit_asks: tuple[str, ...] = ()
    degree_words: tuple[str, ...] = ()
    years_words: tuple[str, ...] = ()
    degree_asks: tuple[str, ...] = ()
    claimed_roles: tuple[str, ...] = ()
    message_sources: tuple[str, ...] = ()
    call_notices: tuple[str, ...] = ()
    mistake_cues: tuple[str, ...] = ()
    fear_cues: tuple[str, ...] = ()
    handover_cues: tuple[str, ...] = ()
    alteration_cues: tuple[str, ...] = ()
    untruth_cues: tuple[str, ...] = ()
    illicit_acts: tuple[str, ...] = ()
    illicit_after: tuple[str, ...] = ()
    illicit_objects: tuple[str, ...] = ()
    others_of: tuple[str, ...] = ()
    channel_names: tuple[str, ...] = ()
    purpose_tails: tuple[str, ...] = ()
    outcome_leads: tuple[str, ...] = ()
    official_names: tuple[str, ...] = ()
    perfect_tails: tuple[str, ...] = ()
    whether_cues: tuple[str, ...] = ()
    negation_cues: tuple[str, ...] = ()


class RegionsFile(_Frozen):
    """The bundled list of exam regions."""

    regions: tuple[Region, ...]
