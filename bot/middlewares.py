"""Outer middlewares: one transaction per update, then who is asking and in what language."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.types import TelegramObject, User
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.repo import CandidateRepo
from bot.texts import resolve_locale

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
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


class DbSessionMiddleware(BaseMiddleware):
    """Open one transaction per update: commit when the handler returns, roll back if it raises."""

    def __init__(self, session_pool: async_sessionmaker[AsyncSession]) -> None:
        self.session_pool = session_pool

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self.session_pool.begin() as session:
            data["session"] = session
            return await handler(event, data)


class LanguageCache:
    """Recent language choices by user id, so replies that need no candidate skip the query.

    A handler that uses the database may change the language, so its user's entry is dropped
    after it runs; other processes see a change within `ttl` seconds.
    """

    def __init__(self, ttl: float = 30.0, max_size: int = 100_000) -> None:
        self.ttl = ttl
        self.max_size = max_size
        self._entries: OrderedDict[int, tuple[float, str | None]] = OrderedDict()

    def get(self, user_id: int) -> tuple[bool, str | None]:
        """Return (found, language); a missing or stale entry is not found."""
        entry = self._entries.get(user_id)
        if entry is None or entry[0] < time.monotonic():
            return False, None
        return True, entry[1]

    def put(self, user_id: int, language: str | None) -> None:
        self._entries[user_id] = (time.monotonic() + self.ttl, language)
        self._entries.move_to_end(user_id)
        while len(self._entries) > self.max_size:
            self._entries.popitem(last=False)

    def drop(self, user_id: int) -> None:
        self._entries.pop(user_id, None)


class CandidateMiddleware(BaseMiddleware):
    """Load the asking candidate when the handler takes one, and resolve the reply language.

    An inner middleware: it runs once the handler is chosen, so it knows whether the handler
    wants `candidate`; /help and the like then need no query at all.
    """

    def __init__(self, languages: LanguageCache) -> None:
        self.languages = languages

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        chosen: HandlerObject | None = data.get("handler")
        params = chosen.params if chosen is not None else {"candidate", "session"}
        candidate = None
        language = None
        if user is not None:
            found, language = self.languages.get(user.id)
            if "candidate" in params or not found:
                candidate = await CandidateRepo(data["session"]).get(user.id)
                language = candidate.language if candidate else None
                self.languages.put(user.id, language)
        data["candidate"] = candidate
        data["locale"] = resolve_locale(language, user.language_code if user else None)
        try:
            return await handler(event, data)
        finally:
            if user is not None and "session" in params:
                self.languages.drop(user.id)
