"""Handlers' Bot API calls as WeChat text: edits as new messages, callback answers, files."""

from __future__ import annotations

from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    SendChatAction,
    SendDocument,
    SendPhoto,
)
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.wechat.choices import Shown
from bot.channels.wechat.replies import wechat_reply
from bot.channels.wechat.text import Choice
from bot.texts import Texts

MARKUP = InlineKeyboardMarkup(inline_keyboard=[
    [InlineKeyboardButton(text="是", callback_data="ret:yes:ob"),
     InlineKeyboardButton(text="否", callback_data="ret:no:ob")],
    [InlineKeyboardButton(text="官网", url="https://www.21wecan.com/")],
])


def test_wechat_reply_edit_is_a_new_text_with_its_choices(texts: Texts) -> None:
    edit = EditMessageText(chat_id=-1, message_id=9, text="<b>历史考生？</b>", reply_markup=MARKUP)
    text, shown = wechat_reply(edit, True, texts, "zh")
    assert text == '历史考生？\n1. 是\n2. 否\n<a href="https://www.21wecan.com/">官网</a>'
    assert shown == Shown(0, (Choice("是", data="ret:yes:ob"), Choice("否", data="ret:no:ob")))


def test_wechat_reply_new_buttons_alone_are_their_lines(texts: Texts) -> None:
    edit = EditMessageReplyMarkup(chat_id=-1, message_id=9, reply_markup=MARKUP)
    text, shown = wechat_reply(edit, True, texts, "zh")
    assert text.startswith("1. 是\n2. 否") and shown is not None


def test_wechat_reply_callback_answer_is_plain_text(texts: Texts) -> None:
    answer = AnswerCallbackQuery(callback_query_id="q", text="已记录：<缴费> & 完成")
    assert wechat_reply(answer, True, texts, "zh") == ("已记录：<缴费> & 完成", None)
    assert wechat_reply(AnswerCallbackQuery(callback_query_id="q"), True, texts, "zh")[0] == ""


def test_wechat_reply_files_point_to_the_command(texts: Texts) -> None:
    ics = SendDocument(chat_id=-1, document=BufferedInputFile(b"x", "exam-2024-beijing.ics"))
    text, _ = wechat_reply(ics, True, texts, "en")
    assert "exam-2024-beijing.ics" in text and "/deadlines" in text
    chart = SendPhoto(chat_id=-1, photo=BufferedInputFile(b"x", "stats.png"))
    text, _ = wechat_reply(chart, True, texts, "zh")
    assert "stats.png" in text and "发送 /" not in text


def test_wechat_reply_other_calls_show_nothing(texts: Texts) -> None:
    assert wechat_reply(SendChatAction(chat_id=-1, action="typing"), True, texts, "zh") == (
        "", None
    )
