"""The WeChat API client against the fake WeChat API: the three calls, a stale token replaced
once (never looped on), every other failure a typed error, and no token or openid in any
error or log line."""

from __future__ import annotations

import json
import logging

import aiohttp
import pytest
from aiohttp import web

from bot.channels.wechat.api import (
    WeChatAPI,
    WeChatAPIError,
    WeChatHTTPError,
    WeChatNetworkError,
    WeChatTimeout,
)
from bot.channels.wechat.menu import build_menu, create_menu
from bot.channels.wechat.settings import WeChatSettings
from bot.channels.wechat.token import AccessTokenError
from bot.texts import Texts
from tests.fakes.wechat_api import APP_ID, APP_SECRET, FakeWeChatAPI

OPENID = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"


def settings_for(url: str, **extra: object) -> WeChatSettings:
    values: dict[str, object] = {"token": "push-token", "app_id": APP_ID,
                                 "app_secret": APP_SECRET, "api_url": url} | extra
    return WeChatSettings(_env_file=None, **values)


def client(api: FakeWeChatAPI, session: aiohttp.ClientSession, **extra: object) -> WeChatAPI:
    return WeChatAPI(settings_for(api.url, **extra), session=session)


def our_logs(caplog: pytest.LogCaptureFixture) -> str:
    # aiohttp.access is the fake server's own log (WeChat's side of the wire), not ours.
    return "\n".join(r.getMessage() for r in caplog.records if r.name != "aiohttp.access")


async def test_send_text_posts_a_customer_service_message_in_utf8(
    api: FakeWeChatAPI, session: aiohttp.ClientSession
) -> None:
    await client(api, session).send_text(OPENID, "缴费截止 2月8日")
    [call] = api.of("custom")
    assert call.body == {
        "touser": OPENID, "msgtype": "text", "text": {"content": "缴费截止 2月8日"}
    }
    assert call.query["access_token"] in api.valid_tokens


async def test_send_template_returns_the_msgid_and_sends_the_link(
    api: FakeWeChatAPI, session: aiohttp.ClientSession
) -> None:
    msgid = await client(api, session).send_template(
        OPENID, "TPL", {"first": "报考提醒", "keyword1": "缴费"}, "https://www.21wecan.com/"
    )
    [call] = api.of("template")
    assert msgid == call.answer["msgid"]
    assert call.body == {
        "touser": OPENID, "template_id": "TPL", "url": "https://www.21wecan.com/",
        "data": {"first": {"value": "报考提醒"}, "keyword1": {"value": "缴费"}},
    }


async def test_create_menu_sends_the_buttons(
    api: FakeWeChatAPI, session: aiohttp.ClientSession
) -> None:
    buttons = [{"type": "click", "name": "我的待办", "key": "todo"}]
    await client(api, session).create_menu(buttons)
    assert api.menu == {"button": buttons}


async def test_menu_titles_travel_as_utf8_not_escapes(
    api: FakeWeChatAPI, session: aiohttp.ClientSession
) -> None:
    # WeChat shows "\u6211" literally in menu titles sent ASCII-escaped.
    wechat = client(api, session)
    seen: list[bytes] = []
    original = wechat._post

    async def spy(path: str, token: str, data: bytes) -> dict[str, object]:
        seen.append(data)
        return await original(path, token, data)

    wechat._post = spy  # type: ignore[method-assign]
    await wechat.create_menu([{"type": "click", "name": "我的待办", "key": "todo"}])
    assert "我的待办".encode() in seen[0] and b"\\u" not in seen[0]
    button = {"type": "click", "name": "我的待办", "key": "todo"}
    assert json.loads(seen[0]) == {"button": [button]}


@pytest.mark.parametrize("errcode", [40001, 42001])
async def test_a_stale_token_is_replaced_and_the_call_tried_once_more(
    api: FakeWeChatAPI, session: aiohttp.ClientSession, errcode: int
) -> None:
    wechat = client(api, session)
    await wechat.tokens.get()
    api.fail("custom", errcode=errcode)
    await wechat.send_text(OPENID, "hi")
    first, second = api.of("custom")
    assert first.errcode == errcode and second.errcode == 0
    assert first.query["access_token"] != second.query["access_token"]
    assert len(api.of("token")) == 2


async def test_a_token_the_api_retired_is_replaced(
    api: FakeWeChatAPI, session: aiohttp.ClientSession
) -> None:
    wechat = client(api, session)
    await wechat.send_text(OPENID, "one")
    api.expire_tokens()  # the cache still holds it: WeChat answers 42001
    await wechat.send_text(OPENID, "two")
    assert [c.errcode for c in api.of("custom")] == [0, 42001, 0]


async def test_a_second_stale_token_answer_is_raised_not_looped_on(
    api: FakeWeChatAPI, session: aiohttp.ClientSession
) -> None:
    wechat = client(api, session)
    api.fail("template", errcode=40001, times=5)
    with pytest.raises(WeChatAPIError) as caught:
        await wechat.send_template(OPENID, "TPL", {"first": "x"})
    assert caught.value.errcode == 40001
    assert len(api.of("template")) == 2 and len(api.of("token")) == 2


@pytest.mark.parametrize("errcode", [45015, 43004, 45009, 45047, 40003])
async def test_other_errcodes_raise_once_with_the_code(
    api: FakeWeChatAPI, session: aiohttp.ClientSession, errcode: int
) -> None:
    api.fail("custom", errcode=errcode)
    with pytest.raises(WeChatAPIError) as caught:
        await client(api, session).send_text(OPENID, "hi")
    assert caught.value.errcode == errcode and caught.value.errmsg
    assert len(api.of("custom")) == 1


async def test_a_5xx_is_an_http_error(
    api: FakeWeChatAPI, session: aiohttp.ClientSession
) -> None:
    api.fail("custom", status=502)
    with pytest.raises(WeChatHTTPError) as caught:
        await client(api, session).send_text(OPENID, "hi")
    assert caught.value.status == 502


async def test_no_answer_in_time_is_a_timeout(
    api: FakeWeChatAPI, session: aiohttp.ClientSession
) -> None:
    wechat = client(api, session, request_timeout=0.1)
    await wechat.tokens.get()
    api.fail("custom", delay=0.5)
    with pytest.raises(WeChatTimeout):
        await wechat.send_text(OPENID, "hi")


async def test_a_connection_failure_is_a_network_error(session: aiohttp.ClientSession) -> None:
    async with FakeWeChatAPI() as api:
        wechat = client(api, session)
        await wechat.tokens.get()
    with pytest.raises(WeChatNetworkError) as caught:
        await wechat.send_text(OPENID, "hi")  # the fake is gone: connection refused
    assert "access_token" not in str(caught.value)


async def test_an_answer_that_is_no_json_is_a_network_error(
    api: FakeWeChatAPI, session: aiohttp.ClientSession
) -> None:
    async def html(_request: web.Request) -> web.Response:
        return web.Response(text="<html>portal login</html>", content_type="text/html")

    app = web.Application()
    app.router.add_post("/cgi-bin/message/custom/send", html)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        wechat = client(api, session)
        await wechat.tokens.get()
        port = runner.addresses[0][1]
        wechat.settings = settings_for(f"http://127.0.0.1:{port}")
        with pytest.raises(WeChatNetworkError, match=r"JSONDecodeError|no JSON"):
            await wechat.send_text(OPENID, "hi")
    finally:
        await runner.cleanup()


async def test_token_failures_surface_as_access_token_errors(
    api: FakeWeChatAPI, session: aiohttp.ClientSession
) -> None:
    api.fail("token", status=503)
    with pytest.raises(AccessTokenError):
        await client(api, session).send_text(OPENID, "hi")
    assert not api.of("custom")


async def test_no_token_or_openid_in_errors_or_logs(
    api: FakeWeChatAPI, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    wechat = client(api, session, request_timeout=0.2)
    errors: list[str] = []
    with caplog.at_level(logging.DEBUG):
        await wechat.send_text(OPENID, "hi")
        api.fail("custom", errcode=40001, times=3)
        api.fail("template", status=500)
        for call in (wechat.send_text(OPENID, "x"), wechat.send_template(OPENID, "T", {})):
            try:
                await call
            except Exception as exc:  # collecting every error's text
                errors.append(repr(exc) + str(exc))
        api.fail("custom", delay=1.0)
        try:
            await wechat.send_text(OPENID, "slow")
        except WeChatTimeout as exc:
            errors.append(repr(exc) + str(exc))
    tokens = {c.query.get("access_token") for c in api.calls} - {None}
    assert len(tokens) >= 2 and len(errors) == 3
    text = our_logs(caplog) + "\n".join(errors) + repr(wechat) + repr(wechat.tokens)
    for secret in (*tokens, APP_SECRET, OPENID):
        assert secret is not None and secret not in text


async def test_create_menu_sets_the_chinese_menu_and_survives_a_refusal(
    api: FakeWeChatAPI, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    texts = Texts()
    wechat = client(api, session)
    assert await create_menu(wechat, texts)
    assert api.menu == build_menu(texts, "zh")
    api.fail("menu", errcode=40018)  # invalid button name
    with caplog.at_level(logging.WARNING):
        assert not await create_menu(wechat, texts)
    assert "40018" in caplog.text
