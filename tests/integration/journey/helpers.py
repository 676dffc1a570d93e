"""Builders and readers for the journey's tests."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from aiogram.methods import AnswerCallbackQuery, SendMessage, TelegramMethod
from aiogram.types import (
    Chat,
    ChatMemberBanned,
    ChatMemberMember,
    ChatMemberUpdated,
    InlineKeyboardMarkup,
    Update,
)
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Candidate, CandidateStep
from notices import Step

# NOW, 10:00 on 30 Jan 2024 in Shanghai: online payment (29 Jan – 8 Feb) is open, 9 days left.
from tests.factories import NOW, USER_ID, make_user

BOT_ID = 123456
STALE_ZH = "这个按钮已失效，请重新发送命令。"
STALE_EN = "This button no longer applies; please send the command again."
_ids = itertools.count(10_000)


def texts_of(calls: Sequence[TelegramMethod[Any]]) -> list[str]:
    return [c.text for c in calls if isinstance(getattr(c, "text", None), str)]


def joined(calls: Sequence[TelegramMethod[Any]]) -> str:
    return "\n".join(texts_of(calls))


def markup_of(call: TelegramMethod[Any]) -> InlineKeyboardMarkup:
    markup = getattr(call, "reply_markup", None)
    assert isinstance(markup, InlineKeyboardMarkup), call
    return markup


def buttons(call: TelegramMethod[Any]) -> list[tuple[str, str]]:
    """Return every button of a call's inline keyboard as (text, callback_data)."""
    return [
        (b.text, b.callback_data or "") for row in markup_of(call).inline_keyboard for b in row
    ]


def button_data(call: TelegramMethod[Any], text: str) -> str:
    """Return the callback data of the button whose text contains `text`."""
    found = [data for label, data in buttons(call) if text in label]
    assert len(found) == 1, (text, buttons(call))
    return found[0]


def last_keyboard(calls: Sequence[TelegramMethod[Any]]) -> TelegramMethod[Any]:
    with_markup = [c for c in calls if isinstance(getattr(c, "reply_markup", None),
                                                 InlineKeyboardMarkup)]
    assert with_markup, calls
    return with_markup[-1]


def stale_answers(calls: Sequence[TelegramMethod[Any]]) -> list[str | None]:
    return [c.text for c in calls if isinstance(c, AnswerCallbackQuery)]


def sent(calls: Sequence[TelegramMethod[Any]]) -> list[SendMessage]:
    return [c for c in calls if isinstance(c, SendMessage)]


def member_update(status: str, *, user_id: int = USER_ID) -> Update:
    """A my_chat_member update: the user blocked ("kicked") or unblocked ("member") the bot."""
    bot_user = make_user(BOT_ID)
    bot_user = bot_user.model_copy(update={"is_bot": True})
    old: Any = ChatMemberMember(user=bot_user)
    new: Any = ChatMemberMember(user=bot_user)
    if status == "kicked":
        new = ChatMemberBanned(user=bot_user, until_date=datetime(1970, 1, 1, tzinfo=UTC))
    else:
        old = ChatMemberBanned(user=bot_user, until_date=datetime(1970, 1, 1, tzinfo=UTC))
    event = ChatMemberUpdated(
        chat=Chat(id=user_id, type="private"),
        from_user=make_user(user_id),
        date=NOW,
        old_chat_member=old,
        new_chat_member=new,
    )
    return Update(update_id=next(_ids), my_chat_member=event)


async def arrange(
    pool: async_sessionmaker[AsyncSession],
    *,
    user_id: int = USER_ID,
    region: str | None = None,
    returning: bool | None = None,
    done: Sequence[Step] = (),
    language: str | None = None,
) -> None:
    """Store a candidate as if they had told the assistant these things."""
    async with pool.begin() as session:
        session.add(
            Candidate(
                user_id=user_id, region=region, is_returning=returning, language=language,
                steps=[CandidateStep(step=s.value, done_at=NOW) for s in done],
            )
        )


async def load(pool: async_sessionmaker[AsyncSession], user_id: int = USER_ID) -> Candidate | None:
    async with pool() as session:
        return await session.get(Candidate, user_id)


async def done_steps(pool: async_sessionmaker[AsyncSession], user_id: int = USER_ID) -> set[str]:
    async with pool() as session:
        rows = await session.scalars(select(CandidateStep.step).where(
            CandidateStep.user_id == user_id))
        return set(rows)
