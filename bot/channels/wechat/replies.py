"""What a handler's Bot API call reads like in WeChat: one text, its callback buttons as
numbered choices, its link buttons as links.

WeChat cannot edit a message, so an edit arrives as a message of its own (new buttons
alone as just their numbered lines); a callback answer with text is a message too; a file
cannot ride in a text, so the user reads a line saying so and which command shows the same.
"""

from __future__ import annotations

import html
from pathlib import PurePath
from typing import Any

from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.types import InlineKeyboardMarkup, Message

from bot.channels.wechat.choices import Shown
from bot.channels.wechat.text import Choice, to_wechat_text
from bot.texts import Locale, Texts

# What a file WeChat cannot carry is worth instead: the command that shows the same.
FILE_COMMANDS = {".ics": "deadlines"}


def wechat_reply(
    method: TelegramMethod[Any], result: Any, texts: Texts, locale: Locale
) -> tuple[str, Shown | None]:
    """The WeChat text of a call ("" for a call that shows nothing), and the numbered
    choices it shows, if any; `locale` is the user's, for the lines the bridge adds."""
    if isinstance(method, AnswerCallbackQuery):
        return to_wechat_text(html.escape(method.text or "", quote=False)), None
    if isinstance(method, SendDocument | SendPhoto):
        upload = method.document if isinstance(method, SendDocument) else method.photo
        name = getattr(upload, "filename", None) or "file"
        command = FILE_COMMANDS.get(PurePath(name).suffix.lower())
        return to_wechat_text(texts.render("wechat/no_file", locale, name=name,
                                           command=command)), None
    if isinstance(method, SendMessage | EditMessageText):
        body = method.text or ""
    elif isinstance(method, EditMessageReplyMarkup):
        body = ""
    else:
        return "", None
    choices = buttons(method.reply_markup)
    numbered = tuple(c for c in choices if c.data is not None)
    message_id = result.message_id if isinstance(result, Message) else 0
    shown = Shown(message_id, numbered) if numbered else None
    return to_wechat_text(body, choices), shown


def buttons(markup: Any) -> list[Choice]:
    """The callback and link buttons of an inline keyboard, row by row."""
    if not isinstance(markup, InlineKeyboardMarkup):
        return []
    return [
        Choice(button.text, data=button.callback_data, url=button.url)
        for row in markup.inline_keyboard
        for button in row
        if button.callback_data is not None or button.url is not None
    ]
