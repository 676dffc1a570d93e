"""A Bot API stand-in answering locally: the terminal chat's transport, the tests' recorder."""

from __future__ import annotations

import itertools
from collections.abc import AsyncGenerator, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiogram.client.session.base import BaseSession
from aiogram.methods import (
    EditMessageReplyMarkup,
    EditMessageText,
    GetFile,
    GetMe,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import (
    BufferedInputFile,
    Chat,
    Document,
    File,
    InlineKeyboardMarkup,
    Message,
    PhotoSize,
    User,
)

if TYPE_CHECKING:
    from aiogram import Bot

BOT_FIRST_NAME = "Exam Assistant"
BOT_USERNAME = "exam_assistant_bot"


class LocalSession(BaseSession):
    """Record every Bot API call and answer it with a plausible result, without a network."""

    def __init__(
        self,
        on_call: Callable[[TelegramMethod[Any], Any], None] | None = None,
        *,
        record: bool = True,
    ) -> None:
        super().__init__()
        # A long-running channel keeps no record: the list would grow with every reply.
        self.record = record
        self.calls: list[TelegramMethod[Any]] = []
        self.files: dict[str, tuple[str, bytes]] = {}
        self._on_call = on_call
        self._ids = itertools.count(1)

    def add_file(self, file_id: str, file_path: str, content: bytes) -> None:
        """Register a file that getFile and download can return."""
        self.files[file_id] = (file_path, content)

    def sent(self, method_type: type[TelegramMethod[Any]] = SendMessage) -> list[Any]:
        """Return the recorded calls of one method type, in order."""
        return [call for call in self.calls if isinstance(call, method_type)]

    def sent_texts(self) -> list[str]:
        """Return the texts of every sendMessage and editMessageText, in order."""
        return [
            call.text
            for call in self.calls
            if isinstance(call, SendMessage | EditMessageText) and call.text is not None
        ]

    def clear(self) -> None:
        self.calls.clear()

    def next_message_id(self) -> int:
        """Return a message id no other message of this session has (for pushed messages)."""
        return next(self._ids)

    async def close(self) -> None:
        return None

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        if self.record:
            self.calls.append(method)
        result: Any = self._result(bot, method)
        await self.on_result(method, result)
        return result  # type: ignore[no-any-return]

    async def on_result(self, method: TelegramMethod[Any], result: Any) -> None:
        """Show a call once answered: `on_call` here; a channel's subclass delivers it."""
        if self._on_call is not None:
            self._on_call(method, result)

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        for path, content in self.files.values():
            if url.endswith("/" + path):
                yield content
                return
        raise FileNotFoundError(url)

    def _message(self, bot: Bot, chat_id: int | str, **fields: Any) -> Message:
        return Message(
            message_id=next(self._ids),
            date=datetime.now(UTC),
            chat=Chat(id=int(chat_id), type="private"),
            from_user=User(id=bot.id, is_bot=True, first_name=BOT_FIRST_NAME),
            **fields,
        )

    def _result(self, bot: Bot, method: TelegramMethod[Any]) -> Any:
        markup = getattr(method, "reply_markup", None)
        markup = markup if isinstance(markup, InlineKeyboardMarkup) else None
        if isinstance(method, GetMe):
            return User(id=bot.id, is_bot=True, first_name=BOT_FIRST_NAME, username=BOT_USERNAME)
        if isinstance(method, SendMessage):
            return self._message(bot, method.chat_id, text=method.text, reply_markup=markup)
        if isinstance(method, EditMessageText | EditMessageReplyMarkup):
            if method.chat_id is None or method.message_id is None:
                return True
            text = getattr(method, "text", None) or ""
            return Message(
                message_id=method.message_id,
                date=datetime.now(UTC),
                chat=Chat(id=int(method.chat_id), type="private"),
                text=text,
                reply_markup=markup,
            )
        if isinstance(method, SendDocument):
            name = getattr(method.document, "filename", None) or "file"
            document = Document(
                file_id=f"doc{next(self._ids)}", file_unique_id="u", file_name=name
            )
            return self._message(bot, method.chat_id, document=document, caption=method.caption)
        if isinstance(method, SendPhoto):
            photo = PhotoSize(
                file_id=f"photo{next(self._ids)}", file_unique_id="u", width=1, height=1
            )
            return self._message(bot, method.chat_id, photo=[photo], caption=method.caption)
        if isinstance(method, GetFile):
            path, content = self.files[method.file_id]
            return File(
                file_id=method.file_id, file_unique_id="u", file_path=path, file_size=len(content)
            )
        return True


def input_file_bytes(document: Any) -> bytes | None:
    """Return the bytes of an in-memory upload (what the bot sends with BufferedInputFile)."""
    if isinstance(document, BufferedInputFile):
        return document.data
    return None
