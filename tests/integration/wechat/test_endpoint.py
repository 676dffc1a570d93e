"""The WeChat push endpoint over aiohttp's test server, in plain and in safe mode: the
handshake, replies, retries handled once, and every bad input refused with a 4xx and no
side effect."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from redis.asyncio import Redis

from bot.channels.wechat.dedupe import RedisDedupe
from bot.channels.wechat.endpoint import WeChatEndpoint, create_wechat_app
from bot.channels.wechat.messages import WeChatMessage
from bot.channels.wechat.settings import WeChatSettings
from tests.factories import unique_prefix
from tests.fakes.wechat_api import AES_KEY, APP_ID, APP_SECRET, TOKEN, PushClient

NOW = 1_706_500_000


class Handler:
    """Records each message and answers a text (None for `unsubscribe` and `None` texts)."""

    def __init__(self) -> None:
        self.seen: list[WeChatMessage] = []
        self.fail = False

    async def __call__(self, message: WeChatMessage) -> str | None:
        self.seen.append(message)
        if self.fail:
            raise RuntimeError("handler broke")
        if message.kind == "text":
            return None if message.text == "quiet" else f"答：{message.text}"
        if message.kind == "unsupported":
            return f"请用文字提问（收到 {message.msg_type}）"
        return f"{message.kind}:{message.event_key}"


def make_settings(safe: bool, **extra: object) -> WeChatSettings:
    return WeChatSettings(
        _env_file=None, token=TOKEN, app_id=APP_ID, app_secret=APP_SECRET,
        aes_key=AES_KEY if safe else None, **extra,
    )


class Endpoint:
    def __init__(self, client: TestClient[object, object], push: PushClient,
                 handler: Handler) -> None:
        self.client, self.push, self.handler = client, push, handler

    async def post(self, xml: str, *, at: int = NOW, **query: str) -> ClientResponse:
        params, body = self.push.push(xml, at)
        params.update(query)
        return await self.client.post("/wechat", params=params, data=body)

    async def reply(self, xml: str) -> dict[str, str]:
        response = await self.post(xml)
        assert response.status == 200
        return self.push.read_reply(await response.text())


MakeEndpoint = Callable[..., Awaitable[Endpoint]]


@pytest.fixture
async def make_endpoint() -> AsyncIterator[MakeEndpoint]:
    clients: list[TestClient[object, object]] = []

    async def make(safe: bool, **extra: object) -> Endpoint:
        handler = Handler()
        app = create_wechat_app(make_settings(safe, **extra), handler, clock=lambda: NOW + 2.0)
        client: TestClient[object, object] = TestClient(TestServer(app))
        await client.start_server()
        clients.append(client)
        push = PushClient(aes_key=AES_KEY if safe else None)
        return Endpoint(client, push, handler)

    yield make
    for client in clients:
        await client.close()


@pytest.fixture(params=["plain", "safe"])
async def endpoint(request: pytest.FixtureRequest, make_endpoint: MakeEndpoint) -> Endpoint:
    return await make_endpoint(request.param == "safe")


async def test_handshake_echoes_echostr_when_signed(endpoint: Endpoint) -> None:
    query = endpoint.push.sign(NOW) | {"echostr": "5837397749"}
    response = await endpoint.client.get("/wechat", params=query)
    assert response.status == 200 and await response.text() == "5837397749"


@pytest.mark.adversarial("webhook")
async def test_handshake_with_a_wrong_signature_is_refused(endpoint: Endpoint) -> None:
    query = PushClient(token="another-token").sign(NOW) | {"echostr": "5837397749"}
    response = await endpoint.client.get("/wechat", params=query)
    assert response.status == 403 and "5837397749" not in await response.text()
    response = await endpoint.client.get("/wechat", params={"echostr": "1"})
    assert response.status == 403


async def test_text_is_answered_with_the_handlers_reply(endpoint: Endpoint) -> None:
    reply = await endpoint.reply(endpoint.push.text("o-user", "缴费时间？", NOW))
    assert reply["ToUserName"] == "o-user" and reply["MsgType"] == "text"
    assert reply["Content"] == "答：缴费时间？"
    [message] = endpoint.handler.seen
    assert (message.kind, message.openid, message.text) == ("text", "o-user", "缴费时间？")


async def test_events_reach_the_handler(endpoint: Endpoint) -> None:
    push = endpoint.push
    follow = await endpoint.reply(push.event("o-user", "subscribe", NOW, "qrscene_shanghai"))
    assert follow["Content"] == "subscribe:shanghai"
    click = await endpoint.reply(push.event("o-user", "CLICK", NOW + 1, "TODO"))
    assert click["Content"] == "click:TODO"
    # the user has left: whatever the handler says, the answer is `success`
    response = await endpoint.post(push.event("o-user", "unsubscribe", NOW + 2))
    assert response.status == 200 and await response.text() == "success"
    assert [m.kind for m in endpoint.handler.seen] == ["subscribe", "click", "unsubscribe"]


async def test_unknown_message_types_get_the_handlers_text_reply(endpoint: Endpoint) -> None:
    push = endpoint.push
    image = await endpoint.reply(push.image("o-user", NOW))
    assert image["Content"] == "请用文字提问（收到 image）"
    voice = await endpoint.reply(push.xml("o-user", "voice", NOW, MediaId="m", MsgId=99))
    assert voice["Content"] == "请用文字提问（收到 voice）"
    location = await endpoint.reply(push.xml("o-user", "location", NOW, Label="x", MsgId=98))
    assert location["Content"] == "请用文字提问（收到 location）"


async def test_no_reply_answers_success(endpoint: Endpoint) -> None:
    response = await endpoint.post(endpoint.push.text("o-user", "quiet", NOW))
    assert response.status == 200 and await response.text() == "success"


async def test_a_retried_push_is_handled_once(endpoint: Endpoint) -> None:
    push = endpoint.push
    text = push.text("o-user", "准考证", NOW, msg_id=777)
    assert (await endpoint.reply(text))["Content"] == "答：准考证"
    # WeChat's retries: the same MsgId, signed again with a new nonce
    for _ in range(2):
        again = await endpoint.post(text)
        assert again.status == 200 and await again.text() == "success"
    # events: the same user and CreateTime
    follow = push.event("o-user", "subscribe", NOW)
    await endpoint.reply(follow)
    assert await (await endpoint.post(follow)).text() == "success"
    # another user's event at the same second is another push
    await endpoint.reply(push.event("o-other", "subscribe", NOW))
    assert [m.openid for m in endpoint.handler.seen] == ["o-user", "o-user", "o-other"]


async def test_a_failing_handler_answers_success_and_is_not_rerun(
    endpoint: Endpoint, caplog: pytest.LogCaptureFixture
) -> None:
    endpoint.handler.fail = True
    text = endpoint.push.text("o-user", "hi", NOW, msg_id=5)
    with caplog.at_level(logging.ERROR):
        response = await endpoint.post(text)
    assert response.status == 200 and await response.text() == "success"
    assert "handler failed" in caplog.text
    await endpoint.post(text)
    assert len(endpoint.handler.seen) == 1


async def refused(endpoint: Endpoint, response: ClientResponse, status: int) -> None:
    assert response.status == status, await response.text()
    assert endpoint.handler.seen == []


@pytest.mark.adversarial("webhook")
async def test_a_push_with_a_wrong_signature_is_refused(endpoint: Endpoint) -> None:
    xml = endpoint.push.text("o-user", "hi", NOW, msg_id=11)
    await refused(endpoint, await endpoint.post(xml, signature="0" * 40), 403)
    forged = PushClient(token="another-token", aes_key=endpoint.push.crypto and AES_KEY)
    params, body = forged.push(xml, NOW)
    await refused(endpoint, await endpoint.client.post("/wechat", params=params, data=body), 403)
    # unsigned
    await refused(endpoint, await endpoint.client.post("/wechat", data=xml.encode()), 403)
    # the refusals left no trace: the genuine push is still new
    assert (await endpoint.reply(xml))["Content"] == "答：hi"


@pytest.mark.adversarial("webhook")
@pytest.mark.parametrize("skew", [-310, 310, -86_400, 10**9])
async def test_a_stale_or_future_timestamp_is_refused(endpoint: Endpoint, skew: int) -> None:
    xml = endpoint.push.text("o-user", "hi", NOW)
    await refused(endpoint, await endpoint.post(xml, at=NOW + skew), 403)


@pytest.mark.adversarial("webhook")
async def test_a_replayed_push_outside_the_window_is_refused(
    make_endpoint: MakeEndpoint,
) -> None:
    endpoint = await make_endpoint(False, replay_window=60)
    xml = endpoint.push.text("o-user", "hi", NOW - 100)
    await refused(endpoint, await endpoint.post(xml, at=NOW - 100), 403)
    assert (await endpoint.reply(endpoint.push.text("o-user", "hi", NOW)))["Content"]


@pytest.mark.adversarial("webhook")
async def test_a_non_numeric_timestamp_is_refused(endpoint: Endpoint) -> None:
    params, body = endpoint.push.push(endpoint.push.text("o-user", "hi", NOW), NOW)
    params["timestamp"] = "soon"
    params["signature"] = PushClient().sign(0)["signature"]
    await refused(endpoint, await endpoint.client.post("/wechat", params=params, data=body), 403)


@pytest.mark.adversarial("webhook")
@pytest.mark.parametrize(
    "body", [b"", b"hello", b'{"MsgType":"text"}', b"<xml><ToUserName>a</ToUserName>",
             b'<!DOCTYPE x [<!ENTITY a "b">]><xml><MsgType>&a;</MsgType></xml>']
)
async def test_a_signed_body_that_is_no_push_is_refused(endpoint: Endpoint, body: bytes) -> None:
    params = endpoint.push.sign(NOW)
    if endpoint.push.crypto is not None:
        params["encrypt_type"] = "aes"
        params["msg_signature"] = "0" * 40
    response = await endpoint.client.post("/wechat", params=params, data=body)
    await refused(endpoint, response, 400)


@pytest.mark.adversarial("webhook")
async def test_a_huge_body_is_refused(make_endpoint: MakeEndpoint) -> None:
    for safe in (False, True):
        endpoint = await make_endpoint(safe, max_body=4096)
        huge = endpoint.push.text("o-user", "考" * 3000, NOW)
        await refused(endpoint, await endpoint.post(huge), 413)

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: read and cut off
            for _ in range(100):
                yield b"<xml>" + b"a" * 1000

        params = endpoint.push.sign(NOW)
        response = await endpoint.client.post("/wechat", params=params, data=chunks())
        await refused(endpoint, response, 413)


@pytest.mark.adversarial("webhook")
async def test_safe_mode_refuses_plain_and_badly_encrypted_pushes(
    make_endpoint: MakeEndpoint,
) -> None:
    endpoint = await make_endpoint(True)
    xml = endpoint.push.text("o-user", "hi", NOW, msg_id=21)
    plain = PushClient()
    params, body = plain.push(xml, NOW)
    await refused(endpoint, await endpoint.client.post("/wechat", params=params, data=body), 400)
    # a right signature but a wrong msg_signature
    await refused(endpoint, await endpoint.post(xml, msg_signature="0" * 40), 403)
    # encrypted with another key, signed properly: it does not decrypt
    other_key = "B" * 43
    params, body = PushClient(aes_key=other_key).push(xml, NOW)
    await refused(endpoint, await endpoint.client.post("/wechat", params=params, data=body), 400)
    # encrypted for another app id
    params, body = PushClient(aes_key=AES_KEY, app_id="wx-other").push(xml, NOW)
    await refused(endpoint, await endpoint.client.post("/wechat", params=params, data=body), 400)
    assert (await endpoint.reply(xml))["Content"] == "答：hi"


@pytest.mark.adversarial("webhook")
async def test_plain_mode_refuses_encrypted_pushes(make_endpoint: MakeEndpoint) -> None:
    endpoint = await make_endpoint(False)
    params, body = PushClient(aes_key=AES_KEY).push(endpoint.push.text("o", "hi", NOW), NOW)
    await refused(endpoint, await endpoint.client.post("/wechat", params=params, data=body), 400)


async def test_safe_mode_reply_is_encrypted(make_endpoint: MakeEndpoint) -> None:
    endpoint = await make_endpoint(True)
    response = await endpoint.post(endpoint.push.text("o-user", "hi", NOW))
    body = await response.text()
    assert "答：hi" not in body and "<Encrypt>" in body
    assert endpoint.push.read_reply(body)["Content"] == "答：hi"


def test_the_endpoint_needs_a_token() -> None:
    with pytest.raises(ValueError, match="WECHAT_TOKEN"):
        WeChatEndpoint(WeChatSettings(_env_file=None), Handler())


@pytest.mark.redis
async def test_processes_sharing_redis_handle_a_retry_once(redis_url: str) -> None:
    """WeChat's retry may reach another process: the Redis claims make it handled once."""
    redis = Redis.from_url(redis_url)
    handler, prefix = Handler(), unique_prefix()
    settings = make_settings(True)
    clients = [
        TestClient(TestServer(create_wechat_app(settings, handler, redis=redis, prefix=prefix,
                                                clock=lambda: NOW + 2.0)))
        for _ in range(2)
    ]
    try:
        for client in clients:
            await client.start_server()
        push = PushClient(aes_key=AES_KEY)
        xml = push.text("o-user", "成绩", NOW, msg_id=4242)
        answers = []
        for client in (*clients, clients[0]):
            params, body = push.push(xml, NOW)
            answers.append(await (await client.post("/wechat", params=params, data=body)).text())
        assert push.read_reply(answers[0])["Content"] == "答：成绩"
        assert answers[1:] == ["success", "success"]
        assert len(handler.seen) == 1
        assert await RedisDedupe(redis, 1, prefix=prefix).claim("msg:4243")
        assert not await RedisDedupe(redis, 1, prefix=prefix).claim("msg:4242")
    finally:
        for client in clients:
            await client.close()
        await redis.aclose()
