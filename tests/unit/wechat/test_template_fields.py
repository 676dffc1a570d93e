"""A template message's parts read from a message meant for a chat."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.channels.wechat.delivery import KEYWORD_LIMIT, REST_LIMIT, template_fields
from bot.db.outbox import ClaimedMessage
from bot.texts import Texts
from notices import load_knowledge_base
from scheduler.compose import Composer, Recipient
from scheduler.delivery import Button, Outgoing, Summary

DIGEST = (
    "⏰ <b>报考提醒</b>\n\n<b>缴费</b>\n还剩 3 天截止（2月8日）：网上缴费 1月29日–2月8日。\n"
    '考区通知：<a href="https://region.example/pay">https://region.example/pay</a>\n\n'
    '官方信息请看<a href="https://www.21wecan.com/">中国卫生人才网</a>。本助手不是官方渠道。'
)
SITE = (Button("官网", url="https://www.21wecan.com/"),)


def test_digest_gives_title_step_deadline_date_and_rest() -> None:
    buttons = ((Button("✅ 缴费已完成", data="rem:done:pay"),), SITE)
    fields = template_fields(Outgoing(-5, DIGEST, buttons))
    assert (fields.title, fields.step, fields.deadline) == ("⏰ 报考提醒", "缴费", "2月8日")
    assert fields.rest.startswith("考区通知：https://region.example/pay 官方信息请看中国卫生")
    assert fields.url == "https://www.21wecan.com/"  # the first link button


def test_link_falls_back_to_the_texts_first_link_then_the_default() -> None:
    assert template_fields(Outgoing(-5, DIGEST)).url == "https://region.example/pay"
    plain = Outgoing(-5, "考区通知\n请按时缴费")
    assert template_fields(plain, default_url="https://x.test/").url == "https://x.test/"
    assert template_fields(plain).url is None


def test_a_line_without_a_date_is_the_deadline_as_written_and_long_parts_are_cut() -> None:
    text = "通知\n" + "考" * 30 + "\n请尽快办理\n" + "细" * 300
    fields = template_fields(Outgoing(-5, text))
    assert fields.step == "考" * (KEYWORD_LIMIT - 1) + "…"
    assert fields.deadline == "请尽快办理"
    assert len(fields.rest) == REST_LIMIT and fields.rest.endswith("…")


def test_short_messages_leave_parts_empty_and_data_skips_them() -> None:
    fields = template_fields(Outgoing(-5, "<b>考试提醒</b>"))
    assert (fields.title, fields.step, fields.deadline, fields.rest) == ("考试提醒", "", "", "")
    assert fields.data(("first", "keyword1", "keyword2", "remark")) == {"first": "考试提醒"}
    full = template_fields(Outgoing(-5, DIGEST))
    assert full.data(("", "thing1", "time2", "")) == {"thing1": "缴费", "time2": "2月8日"}


def test_a_reminder_s_summary_gives_step_deadline_and_link_as_they_are() -> None:
    summary = Summary("网上缴费", "1月29日–2月8日", "https://region.example/pay")
    fields = template_fields(Outgoing(-5, DIGEST, (SITE,), summary))
    assert (fields.title, fields.step, fields.deadline) == (
        "⏰ 报考提醒", "网上缴费", "1月29日–2月8日"
    )
    assert fields.url == "https://region.example/pay"
    assert fields.rest.startswith("缴费 还剩 3 天截止")


def test_the_composer_summarises_a_digest_by_its_first_step() -> None:
    kb = load_knowledge_base()
    now = datetime(2024, 1, 29, 2, 0, tzinfo=UTC)
    row = ClaimedMessage(
        id=1, user_id=-5, kind="reminder", step="pay", occasion="open", event_date=now.date(),
        payload=None, attempts=0, due_at=now, expires_at=None, broadcast_id=None, priority=10,
        urgent=False,
    )
    [message] = Composer(Texts(), lambda: kb).compose(
        Recipient(-5, "zh", "beijing", False), [row], now
    )
    assert message.summary is not None
    assert message.summary.step and "2月" in message.summary.deadline
    assert message.summary.url
