"""Middlewares: updates in flight, a unit of work per update, who asks and in what language,
the update's time and reply context."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncGenerator, Awaitable, Callable, Collection, Mapping
from contextlib import asynccontextmanager
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey
from aiogram.types import Message, TelegramObject, Update, User
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import metrics
from bot.clock import now_from
from bot.db.cleaning import clean_text, has_control
from bot.db.repo import CandidateRepo, check_creation, language_changes, plan_changes
from bot.errors import Throttled
from bot.forgotten import ForgottenMarks
from bot.languages import LanguageDirectory
from bot.staff.directory import StaffDirectory
from bot.staff.roles import staff_changes
from bot.texts import MAX_COMMAND_WORD, normalise_word, resolve_locale
from handlers.reply import Reply

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
# Plans the reminders of candidates whose state changed (scheduler.service.ReminderService).
PlanHook = Callable[[AsyncSession, Collection[int]], Awaitable[int]]
# Returns the running reminder engine's PlanHook, or None when no engine runs here; the
# wiring (bot.dispatcher) passes it in, so the chat layer never imports the engine.
FindPlanHook = Callable[[], PlanHook | None]
logger = logging.getLogger(__name__)


class InFlightTracker(BaseMiddleware):
    """Count updates being handled, so a shutdown can wait for them to finish."""

    def __init__(self, grace_seconds: float = 20.0) -> None:
        self.grace_seconds = grace_seconds
        self.active = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        self.active += 1
        self._idle.clear()
        try:
            return await handler(event, data)
        finally:
            self.active -= 1
            if self.active == 0:
                self._idle.set()

    async def drain(self) -> bool:
        """Wait until no update is in flight; return False if the grace period ran out first."""
        try:
            async with asyncio.timeout(self.grace_seconds):
                await self._idle.wait()
        except TimeoutError:
            logger.warning(
                "shutdown: %s updates still in flight after %ss", self.active, self.grace_seconds
            )
            return False
        return True


class ThrottledIsolation(BaseEventIsolation):
    """One user's updates one at a time, behind a per-user throttle in this process.

    At most `max_waiting` updates of one user wait here; more are dropped (Throttled). Only
    one of them at a time goes on to the inner lock, so a flood from one user holds one
    Redis connection of the shared pool, not one per message, and everyone else's updates
    go through as before.
    """

    def __init__(self, inner: BaseEventIsolation, *, max_waiting: int = 5) -> None:
        self.inner = inner
        self.max_waiting = max_waiting
        self._locks: dict[StorageKey, asyncio.Lock] = {}
        self._waiting: dict[StorageKey, int] = defaultdict(int)

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        if self._waiting[key] >= self.max_waiting:
            metrics.UPDATES_THROTTLED.inc()
            raise Throttled
        self._waiting[key] += 1
        local = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with local, self.inner.lock(key):
                yield
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key], self._locks[key]

    async def close(self) -> None:
        await self.inner.close()


class CleanTextMiddleware(BaseMiddleware):
    """Strip control characters (NUL first) from what people type, before any handler sees it.

    PostgreSQL refuses NUL in text: a broadcast draft, a question or a command argument with
    one would fail at the insert, after the reply had gone out. Updates are frozen models,
    so a dirty one is copied.
    """

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if isinstance(event, Update):
            event = _cleaned(event)
        return await handler(event, data)


def _cleaned(update: Update) -> Update:
    changes: dict[str, Any] = {}
    for name in ("message", "edited_message", "channel_post", "edited_channel_post"):
        message: Message | None = getattr(update, name)
        if message is None:
            continue
        fields = {
            f: clean_text(v) for f in ("text", "caption")
            if isinstance(v := getattr(message, f), str) and has_control(v)
        }
        if fields:
            changes[name] = message.model_copy(update=fields)
    query = update.callback_query
    if query is not None and query.data is not None and has_control(query.data):
        changes["callback_query"] = query.model_copy(update={"data": clean_text(query.data)})
    return update.model_copy(update=changes) if changes else update


class CommandWordsMiddleware(BaseMiddleware):
    """Read a whole short message that names a command ("退订", "stop") as that command.

    Only an exact message counts, and only where plain text would be a question (no flow
    but the ones in `states` is waiting for text), so the command's own handler answers,
    /forget's confirmation included. A message observer's outer middleware: it sees the FSM
    state and runs before any router's filters.
    """

    def __init__(self, words: Mapping[str, str], states: Collection[str | None]) -> None:
        self.words = words
        self.states = frozenset(states)

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if (
            isinstance(event, Message) and event.text is not None
            and len(event.text) <= MAX_COMMAND_WORD and not event.text.startswith("/")
            and data.get("raw_state") in self.states
        ):
            command = self.words.get(normalise_word(event.text))
            if command is not None:
                event = event.model_copy(update={"text": f"/{command}", "entities": None})
        return await handler(event, data)


class DbSessionMiddleware(BaseMiddleware):
    """One unit of work per update: committed when the handler returns, rolled back if it raises.

    The session begins only when a handler first touches the database, so an update that
    needs none costs no round-trip. Language and staff changes recorded on the session reach
    their directories once their transaction has committed; candidates whose state changed
    have their reminders planned right after, when a reminder engine runs in this process.
    """

    def __init__(
        self,
        session_pool: async_sessionmaker[AsyncSession],
        languages: LanguageDirectory,
        staff: StaffDirectory | None = None,
        plan_hook: FindPlanHook | None = None,
    ) -> None:
        self.session_pool = session_pool
        self.languages = languages
        self.staff = staff
        self.plan_hook = plan_hook

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        session = data["session"] = self.session_pool()
        try:
            result = await handler(event, data)
            if session.in_transaction():
                await session.commit()
        finally:
            # A session that never reached the database holds nothing to close, and closing
            # costs a task and a greenlet switch; otherwise close as `async with` would.
            if session.in_transaction() or session.identity_map:
                await session.__aexit__(None, None, None)
        for user_id, language in language_changes(session).items():
            self.languages.record(user_id, language)
        if self.staff is not None:
            for user_id, member in staff_changes(session).items():
                self.staff.record(user_id, member)
        changed = plan_changes(session)
        plan = self.plan_hook() if self.plan_hook is not None else None
        if changed and plan is not None:
            await self._plan(plan, changed)
        return result

    async def _plan(self, plan: PlanHook, user_ids: set[int]) -> None:
        # Its own transaction, after the change committed: a planning failure never undoes
        # what the candidate did, and the periodic wave plans them later all the same.
        try:
            async with self.session_pool.begin() as session:
                await plan(session, user_ids)
        except SQLAlchemyError:
            logger.exception("planning %d changed candidates failed; the wave will", len(user_ids))


class CandidateMiddleware(BaseMiddleware):
    """Load the asking candidate when the handler takes one, and resolve the reply language.

    An inner middleware: it runs once the handler is chosen, so it knows whether the handler
    wants `candidate`; /help and the like then take the language from the directory, with no
    query at all. Whoever deleted their data lately is not re-created by the handler: only
    /start does that (it clears their marker first).
    """

    def __init__(
        self, languages: LanguageDirectory, forgotten: ForgottenMarks | None = None
    ) -> None:
        self.languages = languages
        self.forgotten = forgotten

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        chosen: HandlerObject | None = data.get("handler")
        candidate = None
        language = None
        if user is not None:
            known, language = self.languages.get(user.id)
            if not known or chosen is None or "candidate" in chosen.params:
                candidate = await CandidateRepo(data["session"]).get(user.id)
                language = candidate.language if candidate else None
        data["candidate"] = candidate
        data["locale"] = resolve_locale(language, user.language_code if user else None)
        if self.forgotten is not None:
            check_creation(data["session"], self.forgotten.refuse)
        return await handler(event, data)


class ClockMiddleware(BaseMiddleware):
    """Read the one clock once per update and hand its time to handlers as `now`.

    The clock is the dispatcher's `clock` (a fixed one in tests, BOT_CLOCK's in demos), read
    at each update, so a test may swap it between updates; the real time when there is none.
    """

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        data["now"] = now_from(data.get("clock"))
        return await handler(event, data)


class ReplyMiddleware(BaseMiddleware):
    """Hand handlers the update's reply context as `reply`: texts, the locale CandidateMiddleware
    resolved (so register this one after it) and the knowledge base live now."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        data["reply"] = Reply(data["texts"], data["locale"], data["knowledge"])
        return await handler(event, data)
