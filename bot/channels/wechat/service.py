"""The WeChat channel of one process, wired: the API client, the reply bridge, the reminder
delivery and the push endpoint, on the same dispatcher as Telegram and the terminal chat.

A WeChat user is an internal (negative) user id from bot/db/identities.py: every push
resolves its openid (recording when the user last wrote, which decides between a
customer-service and a template message), and a delivery looks the openid up again.
"""

from __future__ import annotations

import logging
import time

from aiogram import Dispatcher
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.wechat.api import WeChatAPI, WeChatError
from bot.channels.wechat.bridge import WeChatBridge
from bot.channels.wechat.dedupe import Dedupe, MemoryDedupe, RedisDedupe
from bot.channels.wechat.delivery import Recipient, WeChatDelivery, wechat_limiter
from bot.channels.wechat.endpoint import WeChatEndpoint
from bot.channels.wechat.menu import create_menu
from bot.channels.wechat.recent import Recent
from bot.channels.wechat.settings import WeChatSettings
from bot.channels.wechat.token import AccessTokenError
from bot.clock import Clock, utc_clock
from bot.db.identities import WECHAT, IdentityRepo
from bot.dispatcher import create_redis
from bot.errors import StartupError
from bot.texts import Texts

logger = logging.getLogger(__name__)
# How stale the saved time of a user's last message may be (it decides between customer-
# service and template messages, at 48 hours).
SEEN_PRECISION = 300.0


class WeChatChannel:
    """Everything the WeChat channel needs in a process, built from its settings."""

    def __init__(
        self,
        dp: Dispatcher,
        settings: WeChatSettings,
        *,
        session_pool: async_sessionmaker[AsyncSession],
        redis_url: str | None = None,
        prefix: str = "exam-bot",
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self.session_pool = session_pool
        # With REDIS_URL, what every process must share (the access token, the pushes seen,
        # the choices shown, the sending pace) lives in Redis; the limiter owns its client.
        self.redis = redis = create_redis(redis_url) if redis_url else None
        self.clock: Clock = clock or dp.workflow_data.get("clock") or utc_clock
        self.api = WeChatAPI(settings, redis=redis, prefix=prefix)
        # Openids whose last contact this process saved within SEEN_PRECISION.
        self._seen_saved: Recent[str, bool] = Recent(SEEN_PRECISION)
        self.bridge = WeChatBridge(
            dp, settings, resolve=self.resolve, find=self.find, send_text=self.api.send_text,
            redis=redis, clock=self.clock, prefix=prefix,
        )
        self.delivery = WeChatDelivery(
            self.api, self.recipient,
            limiter=wechat_limiter(
                settings, redis=create_redis(redis_url) if redis_url else None, prefix=prefix
            ),
            clock=self.clock, choices_shown=self.bridge.remember_choices,
        )
        dedupe: Dedupe = (
            RedisDedupe(redis, settings.dedupe_ttl, prefix=prefix) if redis is not None
            else MemoryDedupe(settings.dedupe_ttl)
        )
        # WeChat's timestamps are real time, whatever BOT_CLOCK says.
        self.endpoint = WeChatEndpoint(settings, self.bridge.handle, dedupe=dedupe,
                                       clock=time.time)

    async def resolve(self, openid: str) -> int:
        """The user id of an openid that just wrote (allocated on first contact). When the
        time it last wrote was saved lately, a read does: the 48-hour window needs no more
        precision than SEEN_PRECISION, and a write per push is the endpoint's main cost."""
        if self._seen_saved.get(openid):
            user_id = await self.find(openid)
            if user_id is not None:
                return user_id
        async with self.session_pool.begin() as session:
            user_id = await IdentityRepo(session).user_id(WECHAT, openid, seen=self.clock())
        self._seen_saved.set(openid, True)
        return user_id

    async def find(self, openid: str) -> int | None:
        """The user id of an openid, without making one (None: not known)."""
        async with self.session_pool() as session:
            return await IdentityRepo(session).find(WECHAT, openid)

    async def recipient(self, user_id: int) -> Recipient | None:
        """Whom a reminder for `user_id` goes to, and when they last wrote."""
        async with self.session_pool() as session:
            account = await IdentityRepo(session).account(user_id)
        if account is None or account.channel != WECHAT:
            return None
        return Recipient(account.external_id, account.last_seen)

    async def check(self) -> None:
        """Fetch an access token, or fail with one clear line: nothing could be sent."""
        try:
            await self.api.tokens.get()
        except (AccessTokenError, WeChatError) as exc:
            raise StartupError(
                f"WeChat gave no access token ({exc}); check WECHAT_APP_ID, "
                "WECHAT_APP_SECRET and WECHAT_API_URL"
            ) from None

    async def create_menu(self, texts: Texts) -> bool:
        """Put the main commands in the account's menu; a refusal is logged, not fatal."""
        return await create_menu(self.api, texts)

    def register(self, app: web.Application) -> None:
        """Serve the push endpoint at WECHAT_PATH on `app`."""
        self.endpoint.register(app)

    async def close(self) -> None:
        """Finish what the bridge still sends, then close the clients."""
        await self.bridge.close()
        await self.delivery.close()
        if self.redis is not None:
            await self.redis.aclose()
