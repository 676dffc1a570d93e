"""The push endpoint WeChat calls: `GET` for the server-verification handshake, `POST` for
each message or event a user sends the account.

A `POST` is accepted only when signed with WECHAT_TOKEN (in safe mode its `msg_signature`
too, over the encrypted body), fresh (its timestamp within the replay window of the injected
clock), small (WECHAT_MAX_BODY) and a well-formed push; anything else is refused with a 4xx
and no side effect: the handler is not called and nothing is remembered. A push WeChat sends
again (same MsgId, or for events the same user and CreateTime) is handled once: the retry
is answered `success`.

Each accepted push goes to the handler, `(WeChatMessage) -> reply text | None`, whatever
its kind (see bot/channels/wechat/messages.py: unsupported kinds are passed on too, so the
handler can say what it can read). Its text is sent back as the passive reply, encrypted in
safe mode; `None`, or any reply to `unsubscribe` (the user can no longer read it), answers
`success`. A handler that fails is logged and answered `success`: the push counts as handled
and is not run again on WeChat's retry.

In plain mode WeChat signs only the token, timestamp and nonce, not the body; safe mode
(WECHAT_AES_KEY) is what authenticates the body itself.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from redis.asyncio import Redis
from wechatpy.crypto import WeChatCrypto

from bot.channels.wechat.dedupe import Dedupe, MemoryDedupe, RedisDedupe
from bot.channels.wechat.messages import (
    MalformedPush,
    WeChatMessage,
    parse,
    parse_encrypted,
    render_reply,
    signature_ok,
)
from bot.channels.wechat.settings import WeChatSettings

logger = logging.getLogger(__name__)

Handler = Callable[[WeChatMessage], Awaitable[str | None]]
SUCCESS = "success"


class _Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class WeChatEndpoint:
    """Checks, decrypts, parses and dedupes pushes, and answers them through `handler`."""

    def __init__(
        self,
        settings: WeChatSettings,
        handler: Handler,
        *,
        dedupe: Dedupe | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if settings.token is None:
            raise ValueError("the WeChat endpoint needs WECHAT_TOKEN")
        self.settings = settings
        self.handler = handler
        self.dedupe = dedupe or MemoryDedupe(settings.dedupe_ttl)
        self.clock = clock
        self._token = settings.token.get_secret_value()
        self._crypto: Any = None
        if settings.aes_key is not None:
            self._crypto = WeChatCrypto(
                self._token, settings.aes_key.get_secret_value(), settings.app_id
            )

    def register(self, app: web.Application, path: str | None = None) -> None:
        """Serve the endpoint on `app` at `path` (WECHAT_PATH by default)."""
        path = path or self.settings.path
        app.router.add_get(path, self.handle_get)
        app.router.add_post(path, self.handle_post)

    async def handle_get(self, request: web.Request) -> web.Response:
        """The handshake: echo `echostr` when the signature over token, timestamp and nonce
        is right."""
        query = request.query
        timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
        if not signature_ok(query.get("signature"), self._token, timestamp, nonce):
            logger.warning("wechat: refused a handshake with a wrong signature")
            return web.Response(status=403, text="forbidden")
        return web.Response(text=query.get("echostr", ""))

    async def handle_post(self, request: web.Request) -> web.Response:
        try:
            message, original = await self._accept(request)
        except _Refused as refused:
            logger.warning("wechat: refused a push (%s)", refused.reason)
            return web.Response(status=refused.status, text=refused.reason)
        if not await self.dedupe.claim(message.dedupe_key):
            logger.info("wechat: a push seen already (%s) answered success", message.msg_type)
            return web.Response(text=SUCCESS)
        try:
            reply = await self.handler(message)
        except Exception:
            logger.exception("wechat: the handler failed on a %s push", message.msg_type)
            return web.Response(text=SUCCESS)
        if not reply or message.kind == "unsubscribe":
            return web.Response(text=SUCCESS)
        now = int(self.clock())
        xml = render_reply(reply, original, now)
        if self._crypto is not None:
            xml = self._crypto.encrypt_message(xml, secrets.token_hex(8), str(now))
        return web.Response(text=xml, content_type="application/xml")

    async def _accept(self, request: web.Request) -> tuple[WeChatMessage, Any]:
        query = request.query
        timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
        if not signature_ok(query.get("signature"), self._token, timestamp, nonce):
            raise _Refused(403, "wrong signature")
        try:
            age = abs(self.clock() - int(timestamp))
        except ValueError:
            raise _Refused(400, "timestamp is no number") from None
        if age > self.settings.replay_window:
            raise _Refused(403, "stale timestamp")
        body = await self._read_body(request)
        encrypted = query.get("encrypt_type", "raw").lower() == "aes"
        if self._crypto is None and encrypted:
            raise _Refused(400, "encrypted push but no WECHAT_AES_KEY")
        if self._crypto is not None:
            if not encrypted:
                raise _Refused(400, "plain push in safe mode")
            body = self._decrypt(body, query.get("msg_signature"), timestamp, nonce)
        try:
            return parse(body)
        except MalformedPush as exc:
            raise _Refused(400, f"malformed push: {exc}") from None

    async def _read_body(self, request: web.Request) -> bytes:
        limit = self.settings.max_body
        if request.content_length is not None and request.content_length > limit:
            raise _Refused(413, "body too large")
        body = b""
        while len(body) <= limit:
            chunk = await request.content.read(limit + 1 - len(body))
            if not chunk:
                break
            body += chunk
        if len(body) > limit:
            raise _Refused(413, "body too large")
        if not body:
            raise _Refused(400, "empty body")
        return body

    def _decrypt(
        self, body: bytes, msg_signature: str | None, timestamp: str, nonce: str
    ) -> bytes:
        try:
            outer = parse_encrypted(body)
        except MalformedPush as exc:
            raise _Refused(400, f"malformed push: {exc}") from None
        if not signature_ok(msg_signature, self._token, timestamp, nonce, outer):
            raise _Refused(403, "wrong msg_signature")
        try:
            xml = self._crypto.decrypt_message({"Encrypt": outer}, msg_signature, timestamp, nonce)
        except Exception:  # a bad key, bad padding, a foreign app id: wechatpy raises anything
            raise _Refused(400, "cannot decrypt") from None
        return str(xml).encode()


def create_wechat_app(
    settings: WeChatSettings,
    handler: Handler,
    *,
    redis: Redis | None = None,
    prefix: str = "exam-bot",
    clock: Callable[[], float] = time.time,
) -> web.Application:
    """An app serving the endpoint at WECHAT_PATH (or call `WeChatEndpoint.register` on an
    existing one); pushes deduped in Redis when given (every process of a deployment), else
    in this process."""
    dedupe: Dedupe
    if redis is not None:
        dedupe = RedisDedupe(redis, settings.dedupe_ttl, prefix=prefix)
    else:
        dedupe = MemoryDedupe(settings.dedupe_ttl)
    app = web.Application(client_max_size=settings.max_body)
    WeChatEndpoint(settings, handler, dedupe=dedupe, clock=clock).register(app)
    return app
