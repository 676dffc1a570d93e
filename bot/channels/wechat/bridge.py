"""The WeChat reply bridge: each push becomes an update for the same dispatcher and handlers
Telegram has, and what the handlers send back becomes WeChat text.

As in the terminal chat (bot/channels/console.py), the bridge's Bot answers every Bot API
call locally (bot/channels/wechat/capture.py) and nothing goes to Telegram. A text is a
message; a reply that is the number of a choice the user was shown last is a tap on that
button; a follow is `/start` (QR scene as its argument); a menu click is the command named by
its key; an unfollow is the user blocking the bot; any other message (image, voice,
location...) gets the handlers' "please write text" reply, and other events no answer.

Replies sent within the reply window are the push's passive reply; later ones, and those sent
to a user outside any push of theirs, go out by `send_text` (a customer-service message).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import traceback
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    TelegramMethod,
)
from aiogram.types import InlineKeyboardMarkup, Update, User
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.channels.local_session import BOT_FIRST_NAME
from bot.channels.updates import membership_update, tap_update, text_update
from bot.channels.wechat.capture import Capture, WeChatSession
from bot.channels.wechat.choices import ChoiceStore, MemoryChoices, RedisChoices, Shown
from bot.channels.wechat.messages import WeChatMessage
from bot.channels.wechat.recent import Recent
from bot.channels.wechat.replies import wechat_reply
from bot.channels.wechat.settings import WeChatSettings
from bot.channels.wechat.text import Choice, split_bytes, to_wechat_text
from bot.clock import Clock, utc_clock
from bot.db.identities import WECHAT, IdentityRepo
from bot.errors import Throttled
from bot.forgotten import ForgottenMarks
from bot.languages import LanguageDirectory
from bot.texts import Texts, resolve_locale
from handlers.middlewares import ThrottledIsolation

logger = logging.getLogger(__name__)

Resolve = Callable[[str], Awaitable[int]]  # openid -> internal (negative) user id
SendText = Callable[[str, str], Awaitable[None]]  # (openid, text): a customer-service message
Find = Callable[[str], Awaitable[int | None]]  # openid -> user id, None when not known

WECHAT_BOT_TOKEN = "1000002:wechat-local-session-no-network"
LANGUAGE_CODE = "zh-hans"
# A menu key or QR scene that is safe to put after a slash (a command name, a region code).
_WORD = re.compile(r"[A-Za-z0-9_]{1,32}")
# Pushes of one user waiting for the one being handled; more are dropped (see ThrottledIsolation).
MAX_WAITING = 5


class WeChatBridge:
    """Serve WeChat pushes with the dispatcher's handlers; `handle` is the endpoint's handler."""

    def __init__(
        self,
        dp: Dispatcher,
        settings: WeChatSettings,
        *,
        resolve: Resolve,
        send_text: SendText,
        find: Find | None = None,
        redis: Redis | None = None,
        clock: Clock | None = None,
        prefix: str | None = None,
    ) -> None:
        self.dp = dp
        self.settings = settings
        self.resolve = resolve
        self.find = find
        self.send_text = send_text
        self.clock: Clock = clock or dp.workflow_data.get("clock") or utc_clock
        if prefix is None:
            app_settings = dp.workflow_data.get("settings")
            prefix = getattr(app_settings, "redis_prefix", "exam-bot")
        self.choices: ChoiceStore = (
            RedisChoices(redis, prefix=prefix) if redis is not None else MemoryChoices()
        )
        self.session = WeChatSession(self._deliver)
        self.bot = Bot(WECHAT_BOT_TOKEN, session=self.session)
        self._bot_user = User(id=self.bot.id, is_bot=True, first_name=BOT_FIRST_NAME)
        # Whose replies are being captured: user id -> the capture of their push in hand.
        self._active: dict[int, Capture] = {}
        self._queries: dict[str, int] = {}  # callback query id -> user id, while handled
        # Customer-service messages reach a user only within 48 hours of their last push.
        window = settings.customer_service_window_hours * 3600
        self._openids: Recent[int, str] = Recent(window)
        self._turns = ThrottledIsolation(SimpleEventIsolation(), max_waiting=MAX_WAITING)
        self._tasks: set[asyncio.Task[None]] = set()
        self._ids = itertools.count(1)
        self._texts: Texts = dp.workflow_data["texts"]
        self._languages: LanguageDirectory | None = dp.workflow_data.get("language_directory")
        marks: ForgottenMarks | None = dp.workflow_data.get("forgotten_marks")
        if marks is not None:
            marks.on_forget.append(self.forget)

    async def handle(self, message: WeChatMessage) -> str | None:
        """Handle one push; return its passive reply, or None when there is none (yet)."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        if message.kind == "unsupported" and message.msg_type.startswith("event:"):
            return None  # a menu link opened, a template message delivered: nothing to say
        # An image or a voice note from someone not known yet: say what can be read, and
        # keep nothing (no account is made for them).
        if (
            message.kind == "unsupported"
            and self.find is not None
            and await self.find(message.openid) is None
        ):
            return to_wechat_text(
                self._texts.render("non_text", resolve_locale(None, LANGUAGE_CODE))
            )
        user_id = await self.resolve(message.openid)
        self._openids.set(user_id, message.openid)
        capture = Capture(message.openid, self._send, self._spawn)
        task = self._spawn(self._handle_in_turn(user_id, message, capture))
        left = self.settings.reply_window - (loop.time() - started)
        try:
            done, _ = await asyncio.wait({task}, timeout=max(left, 0.0))
        except asyncio.CancelledError:
            capture.go_live()
            raise
        if task not in done:
            logger.info("wechat: a %s push outlasted the reply window; its replies follow "
                        "as customer-service messages", message.msg_type)
            capture.go_live()
            return None
        return capture.reply()

    async def remember_choices(self, user_id: int, choices: Sequence[Choice]) -> None:
        """Take a reply "2" from this user as the second callback button of a message sent
        without the bridge (a reminder by the outbox's delivery)."""
        numbered = tuple(choice for choice in choices if choice.data is not None)
        if numbered:
            await self._remember(user_id, Shown(0, numbered))

    async def _remember(self, user_id: int, shown: Shown) -> None:
        try:
            await self.choices.remember(user_id, shown)
        except RedisError as exc:
            logger.warning("wechat: choices not remembered (%s)", type(exc).__name__)

    async def forget(self, user_id: int) -> None:
        """Drop what the bridge keeps about a user who deleted their data (/forget)."""
        self._openids.discard(user_id)
        try:
            await self.choices.forget(user_id)
        except RedisError as exc:
            logger.warning("wechat: choices not forgotten (%s)", type(exc).__name__)

    async def close(self) -> None:
        """Wait for updates still handled and messages still sent, then close the session."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.bot.session.close()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _handle_in_turn(
        self, user_id: int, message: WeChatMessage, capture: Capture
    ) -> None:
        """Feed the push once the same user's earlier pushes are done, capturing the replies."""
        key = StorageKey(bot_id=self.bot.id, chat_id=user_id, user_id=user_id)
        try:
            async with self._turns.lock(key):
                self._active[user_id] = capture
                try:
                    await self._feed(user_id, message)
                finally:
                    del self._active[user_id]
        except Throttled:
            logger.info("wechat: a %s push dropped: its sender has too many waiting",
                        message.msg_type)
        except Exception as exc:
            # The frames only: an exception's message may quote what the user typed.
            frames = "".join(traceback.format_tb(exc.__traceback__))
            logger.error("wechat: a %s push failed with %s\n%s", message.msg_type,
                         type(exc).__name__, frames)

    async def _feed(self, user_id: int, message: WeChatMessage) -> None:
        user = User(id=user_id, is_bot=False, first_name="WeChat", language_code=LANGUAGE_CODE)
        for update in await self._updates(user, message):
            query = update.callback_query
            if query is not None:
                self._queries[query.id] = user_id
            try:
                await self.dp.feed_update(self.bot, update, **self.dp.workflow_data)
            finally:
                if query is not None:
                    del self._queries[query.id]

    async def _updates(self, user: User, message: WeChatMessage) -> list[Update]:
        """The updates a push stands for, in order."""
        update_id, now = next(self._ids), self.clock()
        if message.kind == "text":
            shown = await self._shown(user.id)
            choice = shown.pick(message.text) if shown is not None else None
            if shown is not None and choice is not None and choice.data is not None:
                return [tap_update(update_id, user, choice.data, message_id=shown.message_id,
                                   query_id=f"wechat{update_id}", now=now)]
            return [text_update(update_id, user, message.text, now)]
        if message.kind == "subscribe":
            # A follow after an unfollow is an unblock, as in Telegram; then the welcome.
            scene = message.event_key if _WORD.fullmatch(message.event_key) else ""
            start = f"/start {scene}".strip()
            return [membership_update(update_id, user, self._bot_user, blocked=False, now=now),
                    text_update(next(self._ids), user, start, now)]
        if message.kind == "unsubscribe":
            return [membership_update(update_id, user, self._bot_user, blocked=True, now=now)]
        if message.kind == "click":
            if not _WORD.fullmatch(message.event_key):
                logger.warning("wechat: a menu click with a key that is no command ignored")
                return []
            return [text_update(update_id, user, f"/{message.event_key}", now)]
        return [text_update(update_id, user, None, now)]  # not text: the handlers say so

    async def _shown(self, user_id: int) -> Shown | None:
        try:
            return await self.choices.get(user_id)
        except RedisError as exc:
            logger.warning("wechat: remembered choices unreadable (%s)", type(exc).__name__)
            return None

    async def _deliver(self, method: TelegramMethod[Any], result: Any) -> None:
        """Turn one Bot API call into WeChat text for its user, and send or hold it."""
        user_id = self._user_of(method)
        if user_id is None:
            return
        language = self._languages.get(user_id)[1] if self._languages is not None else None
        text, shown = wechat_reply(
            method, result, self._texts, resolve_locale(language, LANGUAGE_CODE)
        )
        if shown is not None:
            await self._remember(user_id, shown)
        if not text:
            return
        capture = self._active.get(user_id)
        if capture is not None:
            capture.add(text)
            return
        if _live_edit(method):
            # A message kept up to date from a job (a broadcast's progress, with its stop
            # button): WeChat cannot edit, and a new message every few seconds is noise;
            # its final state, without buttons, is sent.
            return
        openid = await self._openid(user_id)
        if openid is None:
            logger.warning("wechat: a message for a user with no WeChat account was dropped")
            return
        await self._send(openid, text)

    async def _openid(self, user_id: int) -> str | None:
        """The openid of a user this process saw lately, else of their account (a message
        from a job or another process's update, say)."""
        openid = self._openids.get(user_id)
        pool = self.dp.workflow_data.get("session_pool")
        if openid is not None or pool is None:
            return openid
        async with pool() as session:
            account = await IdentityRepo(session).account(user_id)
        if account is None or account.channel != WECHAT:
            return None
        self._openids.set(user_id, account.external_id)
        return account.external_id

    def _user_of(self, method: TelegramMethod[Any]) -> int | None:
        if isinstance(method, AnswerCallbackQuery):
            return self._queries.get(method.callback_query_id)
        chat_id = getattr(method, "chat_id", None)
        return chat_id if isinstance(chat_id, int) else None

    async def _send(self, openid: str, text: str) -> None:
        """Send a customer-service message (in pieces WeChat takes); failures are logged."""
        for piece in split_bytes(text):
            try:
                await self.send_text(openid, piece)
            except Exception as exc:  # the API client's errors, whatever they are
                logger.warning("wechat: a customer-service message failed (%s)",
                               type(exc).__name__)



def _live_edit(method: TelegramMethod[Any]) -> bool:
    """An edit that keeps buttons: the message is still being updated."""
    return isinstance(method, EditMessageText | EditMessageReplyMarkup) and isinstance(
        method.reply_markup, InlineKeyboardMarkup
    )
