"""The fake WeChat API itself: each API answers as WeChat does, records its calls, and
plays the faults tests ask for."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from tests.fakes.wechat_api import APP_ID, APP_SECRET, FakeWeChatAPI

APIS = {
    "custom": ("/cgi-bin/message/custom/send",
               {"touser": "o-user", "msgtype": "text", "text": {"content": "缴费提醒"}}),
    "template": ("/cgi-bin/message/template/send",
                 {"touser": "o-user", "template_id": "tpl-1",
                  "data": {"step": {"value": "缴费"}}}),
    "menu": ("/cgi-bin/menu/create",
             {"button": [{"type": "click", "name": "待办", "key": "TODO"}]}),
}


async def token(session: aiohttp.ClientSession, api: FakeWeChatAPI) -> str:
    params = {"grant_type": "client_credential", "appid": APP_ID, "secret": APP_SECRET}
    async with session.get(f"{api.url}/cgi-bin/token", params=params) as response:
        body = await response.json()
    assert body["expires_in"] == 7200
    return str(body["access_token"])


async def call(
    session: aiohttp.ClientSession, api: FakeWeChatAPI, name: str, access_token: str
) -> tuple[int, dict[str, Any]]:
    path, body = APIS[name]
    async with session.post(f"{api.url}{path}", params={"access_token": access_token},
                            json=body) as response:
        if response.status != 200:
            return response.status, {}
        return response.status, await response.json()


@pytest.mark.parametrize("name", sorted(APIS))
async def test_fake_api_accepts_calls_with_an_issued_token(
    api: FakeWeChatAPI, session: aiohttp.ClientSession, name: str
) -> None:
    status, answer = await call(session, api, name, await token(session, api))
    assert status == 200 and answer["errcode"] == 0 and answer["errmsg"] == "ok"
    [recorded] = api.of(name)
    assert recorded.body == APIS[name][1] and recorded.errcode == 0
    if name == "template":
        assert isinstance(answer["msgid"], int)
    if name == "menu":
        assert api.menu == APIS["menu"][1]


async def test_fake_api_refuses_unknown_and_expired_tokens(
    api: FakeWeChatAPI, session: aiohttp.ClientSession
) -> None:
    assert (await call(session, api, "custom", "ACCESS_made_up"))[1]["errcode"] == 40001
    issued = await token(session, api)
    api.expire_tokens()
    assert (await call(session, api, "custom", issued))[1]["errcode"] == 42001
    assert (await call(session, api, "custom", await token(session, api)))[1]["errcode"] == 0


async def test_fake_token_endpoint_checks_the_credentials(
    api: FakeWeChatAPI, session: aiohttp.ClientSession
) -> None:
    url = f"{api.url}/cgi-bin/token"
    for params, code in (({"appid": "wx-other", "secret": APP_SECRET}, 40013),
                         ({"appid": APP_ID, "secret": "wrong"}, 40125)):
        async with session.get(url, params={"grant_type": "client_credential", **params}) as r:
            assert (await r.json())["errcode"] == code
    assert api.valid_tokens == set()


@pytest.mark.parametrize("code", [45015, 43004, 45009, 40001, 42001, 45047])
async def test_fake_api_plays_error_codes_once(
    api: FakeWeChatAPI, session: aiohttp.ClientSession, code: int
) -> None:
    access = await token(session, api)
    api.fail("custom", errcode=code)
    status, answer = await call(session, api, "custom", access)
    assert status == 200 and answer["errcode"] == code and answer["errmsg"]
    assert (await call(session, api, "custom", access))[1]["errcode"] == 0
    assert [c.errcode for c in api.of("custom")] == [code, 0]


async def test_fake_api_plays_server_errors_and_timeouts(
    api: FakeWeChatAPI, session: aiohttp.ClientSession
) -> None:
    access = await token(session, api)
    api.fail("template", status=502, times=2)
    assert (await call(session, api, "template", access))[0] == 502
    assert (await call(session, api, "template", access))[0] == 502
    assert (await call(session, api, "template", access))[1]["errcode"] == 0
    api.fail("menu", delay=1.0)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(call(session, api, "menu", access), 0.3)
    api.fail("token", errcode=45009)
    with pytest.raises(KeyError):
        await token(session, api)
