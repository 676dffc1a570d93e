"""The access token every WeChat API call carries: fetched from
`{WECHAT_API_URL}/cgi-bin/token`, cached until `token_refresh_margin` before it expires,
refreshed by one caller at a time.

Fetching a token makes WeChat retire the previous one (after a short grace), so two
processes must never both refresh: in one process an asyncio lock serialises refreshes; with
Redis the token lives in Redis, shared by every process, and a Redis lock (`SET NX PX`, freed
only by its holder) lets one process refresh while the others wait for its token.

`invalidate(token)` after an API answer of 40001 or 42001 drops that token (and only that
one: a token another process fetched since stays). The token and the app secret are never
logged nor put in an exception: the token URL carries the secret, so HTTP errors are
reported by kind only.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

import aiohttp
from redis.asyncio import Redis

from bot.channels.wechat.settings import WeChatSettings

logger = logging.getLogger(__name__)

# Error codes meaning "this access token is no good": invalid, expired.
STALE_TOKEN_CODES = frozenset({40001, 42001})

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class AccessTokenError(Exception):
    """WeChat gave no access token; the message says why, without any secret."""


class TokenCache:
    """The account's access token, cached in this process and, with Redis, shared."""

    def __init__(
        self,
        settings: WeChatSettings,
        session: aiohttp.ClientSession,
        *,
        redis: Redis | None = None,
        prefix: str = "exam-bot",
        clock: Callable[[], float] = time.monotonic,
        lock_ttl: float = 30.0,
        poll_interval: float = 0.05,
    ) -> None:
        if settings.app_id is None or settings.app_secret is None:
            raise ValueError("an access token needs WECHAT_APP_ID and WECHAT_APP_SECRET")
        self.settings = settings
        self.session = session
        self.redis = redis
        self.clock = clock
        self.lock_ttl = lock_ttl
        self.poll_interval = poll_interval
        # One hash tag: both keys land on the same Redis Cluster slot.
        base = f"{prefix}:wechat:{{{settings.app_id}}}"
        self.token_key, self.lock_key = f"{base}:token", f"{base}:refresh-lock"
        self.fetches = 0  # refreshes this instance made (a figure for tests and metrics)
        self._token: str | None = None
        self._expires_at = 0.0  # on `clock`
        self._lock = asyncio.Lock()
        self._release: Any = redis.register_script(_RELEASE) if redis is not None else None

    def __repr__(self) -> str:  # never the token
        return f"TokenCache(app_id={self.settings.app_id!r}, shared={self.redis is not None})"

    async def get(self) -> str:
        """Return a token that is good for at least a while longer."""
        token = self._cached()
        if token is not None:
            return token
        async with self._lock:
            token = self._cached() or await self._from_redis()
            if token is not None:
                return token
            if self.redis is None:
                token, lifetime = await self._fetch()
                self._keep(token, lifetime)
                return token
            return await self._refresh_shared(self.redis)

    async def invalidate(self, token: str | None = None) -> None:
        """Forget `token` (the one an API call just found stale), or whichever is cached."""
        stale = token if token is not None else self._token
        if stale is None:
            return
        if self._token == stale:
            self._token, self._expires_at = None, 0.0
        if self._release is not None:
            await self._release(keys=[self.token_key], args=[stale])

    def _cached(self) -> str | None:
        if self._token is not None and self.clock() < self._expires_at:
            return self._token
        return None

    def _keep(self, token: str, lifetime: float) -> None:
        self._token, self._expires_at = token, self.clock() + lifetime

    async def _from_redis(self) -> str | None:
        if self.redis is None:
            return None
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.get(self.token_key)
            pipe.pttl(self.token_key)
            value, pttl = await pipe.execute()
        if value is None or pttl is None or pttl <= 0:
            return None
        token = value.decode() if isinstance(value, bytes) else str(value)
        self._keep(token, pttl / 1000)
        return token

    async def _refresh_shared(self, redis: Redis) -> str:
        owner = secrets.token_hex(16)
        # Real time, not `clock` (which only ages tokens): a waiter must give up even when a
        # test or a demo holds that clock still.
        deadline = time.monotonic() + self.lock_ttl + self.settings.request_timeout
        while True:
            if await redis.set(self.lock_key, owner, nx=True, px=int(self.lock_ttl * 1000)):
                try:
                    token = await self._from_redis()  # refreshed while we waited?
                    if token is not None:
                        return token
                    token, lifetime = await self._fetch()
                    await redis.set(self.token_key, token, px=max(1, int(lifetime * 1000)))
                    self._keep(token, lifetime)
                    return token
                finally:
                    await self._release(keys=[self.lock_key], args=[owner])
            await asyncio.sleep(self.poll_interval)
            token = await self._from_redis()
            if token is not None:
                return token
            if time.monotonic() > deadline:
                raise AccessTokenError("another process holds the token refresh lock too long")

    async def _fetch(self) -> tuple[str, float]:
        """Ask WeChat for a token; return it and how long to keep it."""
        assert self.settings.app_secret is not None
        params = {
            "grant_type": "client_credential",
            "appid": self.settings.app_id or "",
            "secret": self.settings.app_secret.get_secret_value(),
        }
        url = f"{self.settings.api_url}/cgi-bin/token"
        timeout = aiohttp.ClientTimeout(total=self.settings.request_timeout)
        self.fetches += 1
        try:
            async with self.session.get(url, params=params, timeout=timeout) as response:
                if response.status >= 400:
                    raise AccessTokenError(f"the token endpoint answered HTTP {response.status}")
                body = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            # aiohttp's messages carry the URL, and so the secret: report the kind only
            kind = type(exc).__name__
            raise AccessTokenError(f"cannot fetch an access token ({kind})") from None
        if not isinstance(body, dict):
            raise AccessTokenError("the token endpoint answered no JSON object")
        token, expires_in = body.get("access_token"), body.get("expires_in")
        if not isinstance(token, str) or not token or not isinstance(expires_in, int):
            code, message = body.get("errcode"), str(body.get("errmsg", ""))[:200]
            raise AccessTokenError(f"WeChat refused an access token: {code} {message}")
        margin = min(self.settings.token_refresh_margin, expires_in / 2)
        logger.info("wechat: fetched an access token valid for %d s", expires_in)
        return token, max(1.0, expires_in - margin)
