"""The terminal chat: the same dispatcher and handlers, a local session instead of the Bot API."""

from __future__ import annotations

import asyncio
import html
import itertools
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from aiogram import Bot, Dispatcher
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.types import (
    Chat,
    Document,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    Update,
    User,
)

from bot.channels.local_session import LocalSession, input_file_bytes
from bot.channels.updates import tap_update, text_update
from bot.clock import Clock, utc_clock
from bot.texts import Texts, resolve_locale
from scheduler.delivery import DeliveryResult, Outcome, Outgoing

CONSOLE_USER_ID = 1
PROMPT = "› "
# A terminal cannot attach a file: `/import path/to/file.csv` sends the file at that path.
_IMPORT = re.compile(r"^/import(?:@\w+)?\s+(\S.*)$")
CONSOLE_BOT_TOKEN = "1000000:console-local-session-no-network"
_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r'<a\s+href="([^"]*)"[^>]*>(.*?)</a>', re.S)


def html_to_terminal(text: str, *, bold: bool = False) -> str:
    """Turn Telegram HTML into readable terminal text."""
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    if bold:
        text = re.sub(r"<(b|strong)>", "\033[1m", text)
        text = re.sub(r"</(b|strong)>", "\033[0m", text)
    return html.unescape(_TAG.sub("", text))


@dataclass(frozen=True)
class Choice:
    """A button the person can pick by typing its number."""

    callback_data: str | None
    text: str
    url: str | None
    message_id: int


class ConsoleChannel:
    """Read lines, feed them to the dispatcher as updates, print every reply."""

    def __init__(
        self,
        dp: Dispatcher,
        *,
        out: TextIO = sys.stdout,
        language_code: str = "zh-hans",
        files_dir: Path = Path("data/console"),
        interactive: bool | None = None,
    ) -> None:
        self.dp = dp
        self.out = out
        self.interactive = sys.stdin.isatty() if interactive is None else interactive
        self.files_dir = files_dir
        self.session = LocalSession(on_call=self._show)
        self.bot = Bot(CONSOLE_BOT_TOKEN, session=self.session)
        self.user = User(
            id=CONSOLE_USER_ID, is_bot=False, first_name="Console", language_code=language_code
        )
        self.chat = Chat(id=CONSOLE_USER_ID, type="private")
        self.choices: list[Choice] = []
        self._ids = itertools.count(1)
        self.clock: Clock = dp.workflow_data.get("clock") or utc_clock
        self.delivery = ConsoleDelivery(self)
        self._prompting = False

    async def run(self, stdin: TextIO = sys.stdin) -> None:
        """Chat until end of input; one message per line. Reminders and broadcasts for the
        console user arrive between lines, through the same outbox and sender as Telegram's."""
        # The same keyword arguments aiogram's polling gives startup and shutdown observers,
        # and the channel's own delivery for the reminder engine.
        lifecycle = {
            "bot": self.bot, "bots": [self.bot], "dispatcher": self.dp,
            "delivery": self.delivery,
        }
        await self.dp.emit_startup(**lifecycle, **self.dp.workflow_data)
        try:
            if self.interactive:
                self._print(self._hello() + "\n")
            while True:
                if self.interactive:
                    self.out.write(PROMPT)
                    self.out.flush()
                    self._prompting = True
                line = await asyncio.to_thread(stdin.readline)
                self._prompting = False
                if not line:
                    break
                await self.send(line.rstrip("\r\n"))
        finally:
            await self.dp.emit_shutdown(**lifecycle, **self.dp.workflow_data)
            await self.bot.session.close()

    def _hello(self) -> str:
        texts: Texts = self.dp.workflow_data["texts"]
        locale = resolve_locale(None, self.user.language_code)
        return html_to_terminal(texts.render("console_hello", locale), bold=True)

    def show_incoming(self, message: Outgoing) -> int:
        """Print a message the bot pushed (a reminder, a broadcast) as it would arrive in a
        chat, its buttons as numbered choices; return its message id."""
        message_id = self.session.next_message_id()
        if self._prompting:
            self.out.write("\r")  # over the waiting prompt, which is written again below
        self._print(html_to_terminal(message.text, bold=self.interactive))
        markup = None
        if message.buttons:
            markup = InlineKeyboardMarkup(inline_keyboard=[
                [InlineKeyboardButton(text=b.text, callback_data=b.data, url=b.url) for b in row]
                for row in message.buttons
            ])
        self._show_keyboard(markup, message_id)
        self._print("")
        if self._prompting:
            self.out.write(PROMPT)
            self.out.flush()
        return message_id

    async def send(self, line: str) -> None:
        """Deliver one typed line: a number picks a shown button, anything else is a message."""
        if not line.strip():
            return
        choice = self._pick(line.strip())
        if choice is not None and choice.url is not None:
            self._print(f"↗ {choice.url}")
            return
        update_id = next(self._ids)
        now = self.clock()
        upload = _IMPORT.match(line.strip()) if choice is None else None
        if upload is not None:
            document = self._attach(Path(upload.group(1).strip()))
            if document is None:
                return
            message = Message(
                message_id=update_id, date=now, chat=self.chat, from_user=self.user,
                caption="/import", document=document,
            )
            await self.dp.feed_update(
                self.bot, Update(update_id=update_id, message=message), **self.dp.workflow_data
            )
            return
        if choice is not None and choice.callback_data is not None:
            update = tap_update(
                update_id, self.user, choice.callback_data, message_id=choice.message_id,
                query_id=str(update_id), now=now,
            )
        else:
            update = text_update(update_id, self.user, choice.text if choice else line, now)
        await self.dp.feed_update(self.bot, update, **self.dp.workflow_data)

    def _attach(self, path: Path) -> Document | None:
        """Make a local file downloadable as if it had been sent; None when it cannot be read."""
        try:
            content = path.read_bytes()
        except OSError as exc:
            self._print(f"📎 {path}: {exc.strerror or type(exc).__name__}\n")
            return None
        file_id = f"console{self.session.next_message_id()}"
        self.session.add_file(file_id, f"console/{path.name}", content)
        return Document(
            file_id=file_id, file_unique_id=file_id, file_name=path.name,
            mime_type="text/csv", file_size=len(content),
        )

    def _pick(self, line: str) -> Choice | None:
        if line.isdigit() and 1 <= int(line) <= len(self.choices):
            return self.choices[int(line) - 1]
        return None

    def _print(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def _show(self, method: TelegramMethod[Any], result: Any) -> None:
        message_id = result.message_id if isinstance(result, Message) else 0
        if isinstance(method, SendMessage | EditMessageText):
            prefix = "✎ " if isinstance(method, EditMessageText) else ""
            self._print(prefix + html_to_terminal(method.text or "", bold=self.interactive))
            self._show_keyboard(method.reply_markup, message_id)
            self._print("")
        elif isinstance(method, EditMessageReplyMarkup):
            self._show_keyboard(method.reply_markup, message_id)
        elif isinstance(method, AnswerCallbackQuery) and method.text:
            self._print(f"ℹ {method.text}\n")
        elif isinstance(method, SendDocument | SendPhoto):
            self._save_upload(method)

    def _show_keyboard(self, markup: Any, message_id: int) -> None:
        if isinstance(markup, InlineKeyboardMarkup):
            self.choices = []
            for row in markup.inline_keyboard:
                cells = []
                for button in row:
                    self.choices.append(
                        Choice(button.callback_data, button.text, button.url, message_id)
                    )
                    cells.append(f"[{len(self.choices)}] {button.text}")
                self._print("   ".join(cells))
        elif isinstance(markup, ReplyKeyboardMarkup):
            self.choices = []
            for reply_row in markup.keyboard:
                cells = []
                for reply_button in reply_row:
                    self.choices.append(Choice(None, reply_button.text, None, 0))
                    cells.append(f"[{len(self.choices)}] {reply_button.text}")
                self._print("   ".join(cells))

    def _save_upload(self, method: SendDocument | SendPhoto) -> None:
        upload = method.document if isinstance(method, SendDocument) else method.photo
        data = input_file_bytes(upload)
        name = getattr(upload, "filename", None) or "file"
        if method.caption:
            self._print(html_to_terminal(method.caption, bold=self.interactive))
        if data is None:
            self._print(f"📎 {name}\n")
            return
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = self.files_dir / Path(name).name
        path.write_bytes(data)
        self._print(f"📎 {path}\n")


class ConsoleDelivery:
    """The terminal chat's delivery: the sender's messages for the console user are printed
    between prompts; anyone else (staff-imported or left over in the database) is not here."""

    def __init__(self, channel: ConsoleChannel) -> None:
        self.channel = channel

    async def deliver(self, message: Outgoing) -> DeliveryResult:
        """Print the message if it is for the console user; never raise."""
        if message.chat_id != self.channel.chat.id:
            return DeliveryResult(Outcome.CHAT_NOT_FOUND, detail="not the console user")
        return DeliveryResult(Outcome.OK, message_id=self.channel.show_incoming(message))
