"""The notice knowledge base: data, rules, calendar and question answering (pure)."""

from notices.calendar import (
    TodoItem,
    WindowStatus,
    cycle_end,
    cycle_over,
    local_date,
    todo,
    window_status,
)
from notices.kb import KnowledgeBase
from notices.loader import DATA_DIR, load_knowledge_base
from notices.models import (
    SHANGHAI,
    Entry,
    EntryKind,
    KnowledgeBaseError,
    Region,
    RegionMilestone,
    Window,
)
from notices.plans import StepPlan
from notices.qa import Answer, Answerer, AnswerKind
from notices.steps import STEP_ORDER, Step, parse_step, step_words
from notices.text import warm_up

__all__ = [
    "DATA_DIR",
    "SHANGHAI",
    "STEP_ORDER",
    "Answer",
    "AnswerKind",
    "Answerer",
    "Entry",
    "EntryKind",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Region",
    "RegionMilestone",
    "Step",
    "StepPlan",
    "TodoItem",
    "Window",
    "WindowStatus",
    "cycle_end",
    "cycle_over",
    "load_knowledge_base",
    "local_date",
    "parse_step",
    "step_words",
    "todo",
    "warm_up",
    "window_status",
]
