"""A fake WeChat Official Account API server, for the channel's integration tests.

It serves, on a loopback port, what the channel calls (the base URL goes in WECHAT_API_URL):

- ``GET /cgi-bin/token?grant_type=client_credential&appid=&secret=``: a fresh access token
  (``expires_in`` 7200 unless set) for the right app id and secret; 40013/40125 otherwise;
- ``POST /cgi-bin/message/custom/send?access_token=``: a customer-service message;
- ``POST /cgi-bin/message/template/send?access_token=``: a template message (with ``msgid``);
- ``POST /cgi-bin/menu/create?access_token=``: the menu.

Every request is recorded (`calls`). A call with a token the fake did not issue, or one
retired by `expire_tokens()`, gets 40001 (42001 once expired). Faults are queued per API
name (``token``, ``custom``, ``template``, ``menu``) with `fail()`: a WeChat error code
(45015, 43004, 45009, 40001, 42001, ...), an HTTP status (5xx) or a delay (a timeout for a
caller with a shorter one).

Also here: `PushClient`, which builds the pushes WeChat sends the account (signed, and in safe
mode encrypted) and reads the endpoint's answers.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import xmltodict
from aiohttp import web
from wechatpy.crypto import WeChatCrypto

from bot.channels.wechat.messages import signature

APP_ID = "wx0123456789abcdef"
APP_SECRET = "fake-app-secret-0123456789abcdef"
TOKEN = "fake-push-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters
ACCOUNT = "gh_fakeaccount"

ERRMSG = {
    40001: "invalid credential, access_token is invalid or not latest",
    40013: "invalid appid",
    40125: "invalid appsecret",
    42001: "access_token expired",
    43004: "require subscribe",
    45009: "reach max api daily quota limit",
    45015: "response out of time limit or subscription is canceled",
    45047: "out of response count limit",
}
_PATHS = {
    "custom": "/cgi-bin/message/custom/send",
    "template": "/cgi-bin/message/template/send",
    "menu": "/cgi-bin/menu/create",
}


@dataclass
class WeChatCall:
    """One recorded request and the fake's answer."""

    api: str  # token, custom, template, menu
    query: dict[str, str]
    body: Any
    time: float
    status: int = 200
    answer: dict[str, Any] = field(default_factory=dict)

    @property
    def errcode(self) -> int:
        return int(self.answer.get("errcode", 0))


@dataclass
class WeChatFault:
    api: str
    times: int
    errcode: int | None
    status: int | None
    delay: float | None


class FakeWeChatAPI:
    """The fake, in-process: ``async with FakeWeChatAPI() as api: ... api.url``."""

    def __init__(
        self, *, app_id: str = APP_ID, app_secret: str = APP_SECRET, expires_in: int = 7200
    ) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.expires_in = expires_in
        self.calls: list[WeChatCall] = []
        self.valid_tokens: set[str] = set()
        self.expired_tokens: set[str] = set()
        self.menu: Any = None
        self.token_delay = 0.0  # seconds before each token answer (to let refreshes overlap)
        self._faults: list[WeChatFault] = []
        self._msgids = itertools.count(1000)
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self._token)
        for api, path in _PATHS.items():
            app.router.add_post(path, self._make_api(api))
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def fail(
        self, api: str, *, errcode: int | None = None, status: int | None = None,
        delay: float | None = None, times: int = 1,
    ) -> None:
        """Queue a fault for the next `times` calls of `api`."""
        assert api in ("token", *_PATHS), api
        self._faults.append(WeChatFault(api, times, errcode, status, delay))

    def expire_tokens(self) -> None:
        """Retire every token issued so far: calls with them get 42001."""
        self.expired_tokens |= self.valid_tokens
        self.valid_tokens.clear()

    def of(self, api: str) -> list[WeChatCall]:
        return [call for call in self.calls if call.api == api]

    def _take_fault(self, api: str) -> WeChatFault | None:
        for fault in self._faults:
            if fault.api == api:
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    async def _answer(self, call: WeChatCall, fault: WeChatFault | None) -> web.Response | None:
        """Apply a fault: delay, then an HTTP status or an error code; None when none."""
        if fault is None:
            return None
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.status is not None:
            call.status = fault.status
            return web.Response(status=fault.status, text="upstream error")
        if fault.errcode is not None:
            call.answer = {"errcode": fault.errcode, "errmsg": ERRMSG.get(fault.errcode, "error")}
            return web.json_response(call.answer)
        return None

    async def _token(self, request: web.Request) -> web.Response:
        call = WeChatCall("token", dict(request.query), None, time.monotonic())
        self.calls.append(call)
        if self.token_delay:
            await asyncio.sleep(self.token_delay)
        faulted = await self._answer(call, self._take_fault("token"))
        if faulted is not None:
            return faulted
        query = request.query
        if query.get("grant_type") != "client_credential" or query.get("appid") != self.app_id:
            call.answer = {"errcode": 40013, "errmsg": ERRMSG[40013]}
        elif query.get("secret") != self.app_secret:
            call.answer = {"errcode": 40125, "errmsg": ERRMSG[40125]}
        else:
            token = "ACCESS_" + secrets.token_hex(16)
            self.valid_tokens.add(token)
            call.answer = {"access_token": token, "expires_in": self.expires_in}
        return web.json_response(call.answer)

    def _make_api(self, api: str) -> Any:
        async def handle(request: web.Request) -> web.Response:
            try:
                body = json.loads(await request.read())
            except ValueError:
                body = None
            call = WeChatCall(api, dict(request.query), body, time.monotonic())
            self.calls.append(call)
            faulted = await self._answer(call, self._take_fault(api))
            if faulted is not None:
                return faulted
            token = request.query.get("access_token", "")
            if token in self.expired_tokens:
                call.answer = {"errcode": 42001, "errmsg": ERRMSG[42001]}
            elif token not in self.valid_tokens:
                call.answer = {"errcode": 40001, "errmsg": ERRMSG[40001]}
            elif not isinstance(body, dict):
                call.answer = {"errcode": 47001, "errmsg": "data format error"}
            else:
                call.answer = {"errcode": 0, "errmsg": "ok"}
                if api == "template":
                    call.answer["msgid"] = next(self._msgids)
                if api == "menu":
                    self.menu = body
            return web.json_response(call.answer)

        return handle


class PushClient:
    """Builds the pushes WeChat sends an account's endpoint, signed with `token` and, when
    `aes_key` is given (safe mode), encrypted; reads the endpoint's answers back."""

    def __init__(
        self, *, token: str = TOKEN, aes_key: str | None = None, app_id: str = APP_ID,
        account: str = ACCOUNT,
    ) -> None:
        self.token = token
        self.account = account
        self.crypto = WeChatCrypto(token, aes_key, app_id) if aes_key else None
        self._ids = itertools.count(int(time.time() * 1000))

    def xml(self, openid: str, msg_type: str, created: int, **fields: Any) -> str:
        """A push's XML: the common fields, then `fields` in order (CDATA for text)."""
        nodes = {
            "ToUserName": self.account, "FromUserName": openid, "CreateTime": created,
            "MsgType": msg_type, **fields,
        }
        inner = "".join(
            f"<{k}>{v}</{k}>" if isinstance(v, int) else f"<{k}><![CDATA[{v}]]></{k}>"
            for k, v in nodes.items()
        )
        return f"<xml>{inner}</xml>"

    def text(self, openid: str, content: str, created: int, msg_id: int | None = None) -> str:
        msg_id = next(self._ids) if msg_id is None else msg_id
        return self.xml(openid, "text", created, Content=content, MsgId=msg_id)

    def event(self, openid: str, event: str, created: int, key: str | None = None) -> str:
        fields: dict[str, Any] = {"Event": event}
        if key is not None:
            fields["EventKey"] = key
        return self.xml(openid, "event", created, **fields)

    def image(self, openid: str, created: int) -> str:
        return self.xml(openid, "image", created, PicUrl="http://example.invalid/p.jpg",
                        MediaId="media-1", MsgId=next(self._ids))

    def sign(
        self, timestamp: int, nonce: str | None = None, openid: str = "x"
    ) -> dict[str, str]:
        """The query WeChat adds to a push (the sender's openid too), or to the handshake."""
        nonce = nonce or secrets.token_hex(5)
        ts = str(timestamp)
        return {"signature": signature(self.token, ts, nonce), "timestamp": ts, "nonce": nonce,
                "openid": openid}

    def push(self, xml: str, timestamp: int) -> tuple[dict[str, str], bytes]:
        """The query and body of a push of `xml` signed at `timestamp` (encrypted in safe
        mode, with `encrypt_type=aes` and `msg_signature`)."""
        sender = xmltodict.parse(xml)["xml"].get("FromUserName") or "x"
        query = self.sign(timestamp, openid=str(sender))
        if self.crypto is None:
            return query, xml.encode()
        envelope = self.crypto.encrypt_message(xml, query["nonce"], query["timestamp"])
        data = xmltodict.parse(envelope)["xml"]
        body = f"<xml><ToUserName><![CDATA[{self.account}]]></ToUserName>" \
               f"<Encrypt><![CDATA[{data['Encrypt']}]]></Encrypt></xml>"
        query.update(encrypt_type="aes", msg_signature=data["MsgSignature"])
        return query, body.encode()

    def read_reply(self, body: str) -> dict[str, Any]:
        """The fields of a passive reply, decrypted (and its signature checked) in safe mode."""
        if self.crypto is not None:
            data = xmltodict.parse(body)["xml"]
            body = self.crypto.decrypt_message(
                body, data["MsgSignature"], data["TimeStamp"], data["Nonce"]
            )
        parsed: dict[str, Any] = xmltodict.parse(body)["xml"]
        return parsed
