"""Builders of Telegram objects with constant defaults, so tests say only what matters."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from typing import Any

from aiogram.types import CallbackQuery, Chat, Message, Sticker, Update, User

from bot.channels.wechat.messages import WeChatMessage

USER_ID = 42
LANGUAGE_CODE = "zh-hans"
NOW = datetime(2024, 1, 30, 2, 0, tzinfo=UTC)
_ids = itertools.count(1)


def make_user(user_id: int = USER_ID, language_code: str | None = LANGUAGE_CODE) -> User:
    return User(id=user_id, is_bot=False, first_name="考生", language_code=language_code)


def make_message(
    text: str | None = "/start",
    *,
    user_id: int = USER_ID,
    language_code: str | None = LANGUAGE_CODE,
    **fields: Any,
) -> Message:
    return Message(
        message_id=next(_ids),
        date=NOW,
        chat=Chat(id=user_id, type="private"),
        from_user=make_user(user_id, language_code),
        text=text,
        **fields,
    )


def make_sticker_message(*, user_id: int = USER_ID) -> Message:
    sticker = Sticker(
        file_id="s1",
        file_unique_id="s1",
        type="regular",
        width=1,
        height=1,
        is_animated=False,
        is_video=False,
    )
    return make_message(None, user_id=user_id, sticker=sticker)


def make_callback(
    data: str,
    *,
    user_id: int = USER_ID,
    language_code: str | None = LANGUAGE_CODE,
    message_id: int = 1,
) -> CallbackQuery:
    message = Message(
        message_id=message_id, date=NOW, chat=Chat(id=user_id, type="private"), text="."
    )
    return CallbackQuery(
        id=str(next(_ids)),
        from_user=make_user(user_id, language_code),
        chat_instance="ci",
        message=message,
        data=data,
    )


def make_update(event: Message | CallbackQuery) -> Update:
    if isinstance(event, Message):
        return Update(update_id=next(_ids), message=event)
    return Update(update_id=next(_ids), callback_query=event)


def unique_prefix() -> str:
    """Return a fresh Redis key prefix, so tests running side by side never collide."""
    return f"exam-bot-test:{uuid.uuid4().hex[:12]}"


def make_wechat(
    kind: str = "text",
    text: str = "",
    *,
    openid: str = "oWeChatUser1",
    key: str = "",
    msg_type: str | None = None,
) -> WeChatMessage:
    """A parsed WeChat push: `text`, `subscribe`, `unsubscribe`, `click` or `unsupported`
    (an image unless `msg_type` says otherwise)."""
    default_type = {"text": "text", "unsupported": "image"}.get(kind, f"event:{kind}")
    return WeChatMessage(
        kind=kind,  # type: ignore[arg-type]
        openid=openid, account="gh_fakeaccount", created=1_706_500_000,
        msg_type=msg_type or default_type, text=text, event_key=key,
        msg_id=next(_ids) if kind in ("text", "unsupported") else None,
    )
