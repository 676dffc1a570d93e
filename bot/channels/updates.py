"""Updates as the Bot API would deliver them, for channels that are not Telegram: what a
person typed, tapped or did becomes the same Update the handlers already serve."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram.types import (
    CallbackQuery,
    Chat,
    ChatMemberBanned,
    ChatMemberMember,
    ChatMemberUpdated,
    Message,
    Update,
    User,
)

# Telegram's until_date for a ban with no end.
_FOREVER = datetime(1970, 1, 1, tzinfo=UTC)


def private_chat(user: User) -> Chat:
    return Chat(id=user.id, type="private")


def text_update(update_id: int, user: User, text: str | None, now: datetime) -> Update:
    """A private message from `user`; no text stands for something that is not text."""
    message = Message(
        message_id=update_id, date=now, chat=private_chat(user), from_user=user, text=text
    )
    return Update(update_id=update_id, message=message)


def tap_update(
    update_id: int, user: User, data: str, *, message_id: int, query_id: str, now: datetime
) -> Update:
    """A tap by `user` on a callback button of the bot's message `message_id`."""
    message = Message(message_id=message_id, date=now, chat=private_chat(user), text=".")
    query = CallbackQuery(
        id=query_id, from_user=user, chat_instance="local", message=message, data=data
    )
    return Update(update_id=update_id, callback_query=query)


def membership_update(
    update_id: int, user: User, bot_user: User, *, blocked: bool, now: datetime
) -> Update:
    """`user` blocked the bot (or unblocked it) in their private chat."""
    member = ChatMemberMember(user=bot_user)
    banned = ChatMemberBanned(user=bot_user, until_date=_FOREVER)
    event = ChatMemberUpdated(
        chat=private_chat(user), from_user=user, date=now,
        old_chat_member=member if blocked else banned,
        new_chat_member=banned if blocked else member,
    )
    return Update(update_id=update_id, my_chat_member=event)
