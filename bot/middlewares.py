"""Outer middlewares: one transaction per update, then who is asking and in what language."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
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


class CandidateMiddleware(BaseMiddleware):
    """Load the asking candidate (if known) and resolve the reply language."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        candidate = None
        if user is not None:
            candidate = await CandidateRepo(data["session"]).get(user.id)
        data["candidate"] = candidate
        data["locale"] = resolve_locale(
            candidate.language if candidate else None, user.language_code if user else None
        )
        return await handler(event, data)
