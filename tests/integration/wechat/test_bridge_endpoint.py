"""The bridge behind the push endpoint, as WeChat calls it: signed (and encrypted) pushes in,
passive-reply XML out; a retried push answered and handled once; choices shared in Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiogram import Dispatcher
from aiogram.types import TelegramObject
from aiohttp.test_utils import TestClient, TestServer
from redis.asyncio import Redis

from bot.channels.wechat.bridge import WeChatBridge
from bot.channels.wechat.endpoint import create_wechat_app
from bot.channels.wechat.settings import WeChatSettings
from tests.factories import make_wechat, unique_prefix
from tests.fakes.wechat_api import AES_KEY, APP_ID, APP_SECRET, TOKEN, PushClient
from tests.fakes.wechat_users import FakeCustomerService, FakeUsers

NOW = 1_706_500_000
OPENID = "oWeChatUser1"
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class Pushes:
    """Post pushes to the endpoint and read its answers."""

    def __init__(self, client: TestClient[Any, Any], push: PushClient) -> None:
        self.client, self.push = client, push

    async def post(self, xml: str) -> str:
        params, body = self.push.push(xml, NOW)
        response = await self.client.post("/wechat", params=params, data=body)
        assert response.status == 200
        return await response.text()

    async def reply(self, xml: str) -> str:
        """The passive reply's text."""
        answer = await self.post(xml)
        assert answer != "success"
        fields = self.push.read_reply(answer)
        assert fields["MsgType"] == "text" and fields["ToUserName"] == OPENID
        return str(fields["Content"])


@pytest.fixture(params=[False, True], ids=["plain", "safe"])
async def pushes(
    request: pytest.FixtureRequest, bridge: WeChatBridge
) -> AsyncIterator[Pushes]:
    safe: bool = request.param
    settings = WeChatSettings(
        _env_file=None, token=TOKEN, app_id=APP_ID, app_secret=APP_SECRET,
        aes_key=AES_KEY if safe else None,
    )
    app = create_wechat_app(settings, bridge.handle, clock=lambda: NOW + 1.0)
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    yield Pushes(client, PushClient(aes_key=AES_KEY if safe else None))
    await client.close()


async def test_bridge_endpoint_follow_and_question_answered_in_the_reply_xml(
    pushes: Pushes,
) -> None:
    push = pushes.push
    welcome = await pushes.reply(push.event(OPENID, "subscribe", NOW))
    assert "报考助手" in welcome and "2. English" in welcome
    await pushes.reply(push.text(OPENID, "3", NOW))  # 华北
    await pushes.reply(push.text(OPENID, "1", NOW))  # 北京
    await pushes.reply(push.text(OPENID, "2", NOW))  # not returning
    answer = await pushes.reply(push.text(OPENID, "缴费什么时候截止", NOW))
    assert "北京缴费正在进行" in answer


async def test_bridge_endpoint_retried_push_is_answered_and_handled_once(
    pushes: Pushes, dp: Dispatcher
) -> None:
    seen: list[str] = []

    async def count(handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        seen.append(getattr(event, "text", ""))
        return await handler(event, data)

    dp.message.outer_middleware(count)
    xml = pushes.push.text(OPENID, "/help", NOW, msg_id=4242)
    assert "/todo" in await pushes.reply(xml)
    assert await pushes.post(xml) == "success"
    assert seen == ["/help"]


async def test_bridge_endpoint_image_gets_the_text_please_reply(pushes: Pushes) -> None:
    assert "文字" in await pushes.reply(pushes.push.image(OPENID, NOW))


async def test_bridge_endpoint_unsubscribe_answers_success(pushes: Pushes) -> None:
    await pushes.reply(pushes.push.event(OPENID, "subscribe", NOW))
    assert await pushes.post(pushes.push.event(OPENID, "unsubscribe", NOW + 1)) == "success"


@pytest.mark.redis
async def test_bridge_choices_shared_in_redis_by_every_process(
    redis_url: str, dp: Dispatcher, wechat_settings: WeChatSettings, users: FakeUsers,
    service: FakeCustomerService,
) -> None:
    redis = Redis.from_url(redis_url)
    prefix = unique_prefix()
    try:
        one, two = (
            WeChatBridge(dp, wechat_settings, resolve=users.resolve,
                         send_text=service.send_text, redis=redis, prefix=prefix)
            for _ in range(2)
        )
        assert "2. English" in (await one.handle(make_wechat("subscribe")) or "")
        key = f"{prefix}:wechat:choices:{users.ids[OPENID]}"
        assert 0 < await redis.ttl(key) <= 24 * 3600
        assert OPENID.encode() not in (await redis.get(key) or b"")
        # The other process reads the same choices: "2" is the English button.
        assert "Hello" in (await two.handle(make_wechat("text", "2")) or "")
        await two.forget(users.ids[OPENID])  # /forget: gone from Redis too
        assert not await redis.exists(key)
        await one.close()
        await two.close()
    finally:
        await redis.delete(*[k async for k in redis.scan_iter(f"{prefix}:*")] or ["-"])
        await redis.aclose()
