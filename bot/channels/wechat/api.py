"""The WeChat API calls the channel makes: customer-service and template messages, the menu.

Each call carries the access token from the TokenCache. An answer of 40001 or 42001 (the
token is invalid or expired: another process refreshed it, or WeChat retired it early) drops
that token, fetches a fresh one and tries once more; a second refusal is raised, never looped
on. Every other failure is raised as a typed error the caller can classify
(bot/channels/wechat/delivery.py): `WeChatAPIError` (an errcode), `WeChatHTTPError` (an HTTP
status, 5xx among them), `WeChatTimeout`, `WeChatNetworkError`, and the token cache's own
`AccessTokenError`.

The token travels in the URL, so no URL, no aiohttp message and no request body (it names
the openid) goes into an error or a log line: errors say the API, the kind and the code.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp
from redis.asyncio import Redis

from bot.channels.wechat.settings import WeChatSettings
from bot.channels.wechat.token import STALE_TOKEN_CODES, TokenCache

logger = logging.getLogger(__name__)

CUSTOM_SEND = "/cgi-bin/message/custom/send"
TEMPLATE_SEND = "/cgi-bin/message/template/send"
MENU_CREATE = "/cgi-bin/menu/create"


class WeChatError(Exception):
    """A WeChat API call failed; the message names no token and no user."""


class WeChatAPIError(WeChatError):
    """WeChat answered with a non-zero errcode."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"WeChat errcode {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class WeChatHTTPError(WeChatError):
    """WeChat answered with an HTTP error status instead of a JSON answer."""

    def __init__(self, status: int) -> None:
        super().__init__(f"WeChat answered HTTP {status}")
        self.status = status


class WeChatTimeout(WeChatError):
    """No answer within WECHAT_REQUEST_TIMEOUT (the message may have been delivered)."""


class WeChatNetworkError(WeChatError):
    """The request failed on the way (connection refused or reset, an answer that is no
    JSON object)."""


class WeChatAPI:
    """An aiohttp client for the WeChat API at WECHAT_API_URL, one account."""

    def __init__(
        self,
        settings: WeChatSettings,
        *,
        session: aiohttp.ClientSession | None = None,
        tokens: TokenCache | None = None,
        redis: Redis | None = None,
        prefix: str = "exam-bot",
    ) -> None:
        self.settings = settings
        self._owned = session is None
        self.session = session or aiohttp.ClientSession()
        self.tokens = tokens or TokenCache(settings, self.session, redis=redis, prefix=prefix)
        self.timeout = aiohttp.ClientTimeout(total=settings.request_timeout)

    def __repr__(self) -> str:  # never the token
        return f"WeChatAPI(app_id={self.settings.app_id!r})"

    async def close(self) -> None:
        """Close the HTTP session if this client opened it."""
        if self._owned and not self.session.closed:
            await self.session.close()

    async def send_text(self, openid: str, text: str) -> None:
        """Send a customer-service text message (only within 48 h of the user's last
        message to the account: 45015 after that)."""
        body = {"touser": openid, "msgtype": "text", "text": {"content": text}}
        await self.call(CUSTOM_SEND, body)

    async def send_template(
        self, openid: str, template_id: str, data: dict[str, str], url: str | None = None
    ) -> int | None:
        """Send a template message with these field values; return WeChat's msgid."""
        body: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {key: {"value": value} for key, value in data.items()},
        }
        if url:
            body["url"] = url
        answer = await self.call(TEMPLATE_SEND, body)
        msgid = answer.get("msgid")
        return msgid if isinstance(msgid, int) else None

    async def create_menu(self, buttons: list[dict[str, Any]]) -> None:
        """Replace the account's custom menu (自定义菜单) with these buttons."""
        await self.call(MENU_CREATE, {"button": buttons})

    async def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST `body` to the API at `path` with the access token; return the answer when
        its errcode is 0. A stale token is replaced and the call tried once more."""
        # WeChat reads some APIs' \\u escapes literally (menu titles among them): send UTF-8.
        data = json.dumps(body, ensure_ascii=False).encode()
        for attempt in (1, 2):
            token = await self.tokens.get()
            answer = await self._post(path, token, data)
            errcode = _errcode(answer)
            if errcode == 0:
                return answer
            if errcode in STALE_TOKEN_CODES and attempt == 1:
                logger.info("wechat: %s refused the access token (%d); fetching a new one",
                            path, errcode)
                await self.tokens.invalidate(token)
                continue
            raise WeChatAPIError(errcode, str(answer.get("errmsg", ""))[:200])
        raise AssertionError("unreachable")  # pragma: no cover

    async def _post(self, path: str, token: str, data: bytes) -> dict[str, Any]:
        url = f"{self.settings.api_url}{path}"
        headers = {"Content-Type": "application/json; charset=utf-8"}
        try:
            async with self.session.post(
                url, params={"access_token": token}, data=data, headers=headers,
                timeout=self.timeout,
            ) as response:
                if response.status != 200:
                    raise WeChatHTTPError(response.status)
                answer = await response.json(content_type=None)
        except TimeoutError:
            raise WeChatTimeout(f"{path}: no answer in {self.timeout.total:g} s") from None
        except (aiohttp.ClientError, ValueError) as exc:
            # aiohttp's messages carry the URL, and so the token: report the kind only
            raise WeChatNetworkError(f"{path}: {type(exc).__name__}") from None
        if not isinstance(answer, dict):
            raise WeChatNetworkError(f"{path}: the answer is no JSON object")
        return answer


def _errcode(answer: dict[str, Any]) -> int:
    try:
        return int(answer.get("errcode", 0))
    except (TypeError, ValueError):
        return -1  # WeChat's own "system busy": an answer we cannot read
