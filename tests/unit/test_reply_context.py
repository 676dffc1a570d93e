"""The per-update context handlers get from middleware: `now` from the one clock, and
`reply` (texts, locale, the live knowledge base)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiogram.types import TelegramObject

from bot.knowledge import Knowledge
from bot.texts import Texts
from handlers.middlewares import ClockMiddleware, ReplyMiddleware
from handlers.reply import Reply
from notices import Step
from tests.factories import NOW


async def _seen(middleware: Any, data: dict[str, Any]) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    async def handler(event: TelegramObject, data: dict[str, Any]) -> None:
        seen.update(data)

    await middleware(handler, TelegramObject(), data)
    return seen


async def test_reply_context_now_is_read_from_the_dispatchers_clock_each_update() -> None:
    middleware = ClockMiddleware()
    assert (await _seen(middleware, {"clock": lambda: NOW}))["now"] == NOW
    later = NOW + timedelta(days=1)
    assert (await _seen(middleware, {"clock": lambda: later}))["now"] == later


async def test_reply_context_now_without_a_clock_is_the_real_time_aware() -> None:
    now: datetime = (await _seen(ClockMiddleware(), {}))["now"]
    assert now.utcoffset() == timedelta(0)


async def test_reply_context_reply_carries_the_resolved_locale(
    texts: Texts, knowledge: Knowledge
) -> None:
    data = {"texts": texts, "locale": "en", "knowledge": knowledge}
    reply: Reply = (await _seen(ReplyMiddleware(), data))["reply"]
    assert (reply.texts, reply.locale, reply.knowledge) == (texts, "en", knowledge)


def test_reply_context_renders_and_labels_in_its_locale(
    texts: Texts, knowledge: Knowledge
) -> None:
    reply = Reply(texts, "en", knowledge)
    assert reply.render("non_text") == texts.render("non_text", "en")
    assert reply.label("journey_stale") == texts.label("en", "journey_stale")
    assert list(reply.chunks("help", rank=None)) == list(texts.chunks("help", "en", rank=None))
    assert reply.to("zh").render("non_text") == texts.render("non_text", "zh")
    assert reply.to("en") is reply


def test_reply_context_names_steps_and_regions_in_its_locale(
    texts: Texts, knowledge: Knowledge
) -> None:
    reply = Reply(texts, "zh", knowledge)
    shanghai = knowledge.kb.region("shanghai")
    assert reply.step_name(Step.PAY) == knowledge.kb.step_rule(Step.PAY).name("zh")
    assert reply.region_name(shanghai) == "上海"
    assert reply.to("en").region_name(shanghai) == "Shanghai"
    assert reply.region_name(None) is None


def test_reply_context_kb_is_the_live_one(texts: Texts, knowledge: Knowledge) -> None:
    reply = Reply(texts, "zh", knowledge)
    knowledge.set_milestones([])
    assert reply.kb is knowledge.kb
