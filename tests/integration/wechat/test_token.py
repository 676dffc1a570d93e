"""The access-token cache against the fake WeChat API: cached until shortly before it
expires, one refresh at a time (in a process; across processes through Redis), dropped on
40001/42001, and no secret in any error or log line."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest
from redis.asyncio import Redis

from bot.channels.wechat.settings import WeChatSettings
from bot.channels.wechat.token import STALE_TOKEN_CODES, AccessTokenError, TokenCache
from tests.factories import unique_prefix
from tests.fakes.wechat_api import APP_ID, APP_SECRET, FakeWeChatAPI


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def settings_for(api: FakeWeChatAPI, **extra: object) -> WeChatSettings:
    values: dict[str, object] = {"token": "push-token", "app_id": APP_ID,
                                 "app_secret": APP_SECRET, "api_url": api.url} | extra
    return WeChatSettings(_env_file=None, **values)


async def send(session: aiohttp.ClientSession, api: FakeWeChatAPI, token: str) -> int:
    url = f"{api.url}/cgi-bin/message/custom/send"
    body = {"touser": "o-user", "msgtype": "text", "text": {"content": "hi"}}
    async with session.post(url, params={"access_token": token}, json=body) as response:
        return int((await response.json())["errcode"])


async def test_token_is_fetched_once_and_kept_until_shortly_before_it_expires(
    api: FakeWeChatAPI, session: aiohttp.ClientSession
) -> None:
    clock = Ticks()
    cache = TokenCache(settings_for(api), session, clock=clock)
    first = await cache.get()
    assert await cache.get() == first
    [call] = api.of("token")
    assert call.query == {"grant_type": "client_credential", "appid": APP_ID,
                          "secret": APP_SECRET}
    clock.now += 7200 - 300 - 1  # the margin before expiry: still kept
    assert await cache.get() == first
    clock.now += 2
    second = await cache.get()
    assert second != first and len(api.of("token")) == 2
    assert first not in repr(cache) and APP_SECRET not in repr(cache)


async def test_short_lived_tokens_are_kept_for_half_their_life(
    api: FakeWeChatAPI, session: aiohttp.ClientSession
) -> None:
    api.expires_in = 60
    clock = Ticks()
    cache = TokenCache(settings_for(api), session, clock=clock)
    first = await cache.get()
    clock.now += 29
    assert await cache.get() == first
    clock.now += 2
    assert await cache.get() != first


async def test_concurrent_callers_share_one_refresh(
    api: FakeWeChatAPI, session: aiohttp.ClientSession
) -> None:
    api.token_delay = 0.05
    cache = TokenCache(settings_for(api), session)
    tokens = await asyncio.gather(*(cache.get() for _ in range(20)))
    assert len(set(tokens)) == 1 and len(api.of("token")) == 1 and cache.fetches == 1


@pytest.mark.parametrize("code", sorted(STALE_TOKEN_CODES))
async def test_a_stale_token_answer_invalidates_and_the_next_token_works(
    api: FakeWeChatAPI, session: aiohttp.ClientSession, code: int
) -> None:
    cache = TokenCache(settings_for(api), session)
    token = await cache.get()
    if code == 42001:
        api.expire_tokens()
    else:
        api.valid_tokens.discard(token)
    assert await send(session, api, token) == code
    await cache.invalidate(token)
    fresh = await cache.get()
    assert fresh != token and await send(session, api, fresh) == 0


async def test_invalidating_an_older_token_keeps_the_newer_one(
    api: FakeWeChatAPI, session: aiohttp.ClientSession
) -> None:
    cache = TokenCache(settings_for(api), session)
    old = await cache.get()
    await cache.invalidate()
    new = await cache.get()
    await cache.invalidate(old)  # a late 40001 for a call made with the old token
    assert await cache.get() == new and cache.fetches == 2


@pytest.mark.adversarial("faults")
@pytest.mark.parametrize(
    ("fault", "match"),
    [
        ({"errcode": 45009}, "45009"),
        ({"errcode": 40001}, "40001"),
        ({"status": 500}, "HTTP 500"),
        ({"status": 503}, "HTTP 503"),
        ({"delay": 0.5}, "TimeoutError"),
    ],
)
async def test_token_endpoint_faults_raise_without_secrets(
    api: FakeWeChatAPI, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture,
    fault: dict[str, object], match: str,
) -> None:
    api.fail("token", **fault)  # type: ignore[arg-type]
    cache = TokenCache(settings_for(api, request_timeout=0.2), session)
    with caplog.at_level(logging.DEBUG), pytest.raises(AccessTokenError, match=match) as caught:
        await cache.get()
    # (the fake server's own access log, aiohttp.access, shows the URL it was asked)
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "aiohttp.access")
    assert APP_SECRET not in str(caught.value) and APP_SECRET not in ours
    # no chained aiohttp error (whose text has the URL, and so the secret) in a traceback
    error = caught.value
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)
    token = await cache.get()  # the fault was once: the next call gets a token
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "aiohttp.access")
    assert token not in ours and APP_SECRET not in ours


@pytest.mark.adversarial("faults")
async def test_a_wrong_secret_or_app_id_is_reported_without_the_secret(
    api: FakeWeChatAPI, session: aiohttp.ClientSession
) -> None:
    wrong = "wrong-secret-0123456789"
    cache = TokenCache(settings_for(api, app_secret=wrong), session)
    with pytest.raises(AccessTokenError, match="40125") as caught:
        await cache.get()
    assert wrong not in str(caught.value)
    cache = TokenCache(settings_for(api, app_id="wx-other"), session)
    with pytest.raises(AccessTokenError, match="40013"):
        await cache.get()


async def test_an_unreachable_api_is_reported_without_the_secret(
    session: aiohttp.ClientSession, unused_port: int
) -> None:
    settings = WeChatSettings(_env_file=None, app_id=APP_ID, app_secret=APP_SECRET,
                              api_url=f"http://127.0.0.1:{unused_port}")
    with pytest.raises(AccessTokenError, match="ClientConnectorError") as caught:
        await TokenCache(settings, session).get()
    assert APP_SECRET not in str(caught.value)


def test_a_token_cache_needs_the_app_credentials() -> None:
    with pytest.raises(ValueError, match="WECHAT_APP_ID"):
        TokenCache(WeChatSettings(_env_file=None), None)  # type: ignore[arg-type]


@pytest.mark.redis
async def test_two_processes_sharing_redis_refresh_once(
    api: FakeWeChatAPI, redis: Redis
) -> None:
    """Two TokenCache instances, each with its own session and Redis client as two processes
    would have, asked at once: one fetch, one token."""
    api.token_delay = 0.1
    prefix = unique_prefix()
    other_redis = Redis.from_url(_url(redis))
    async with aiohttp.ClientSession() as one, aiohttp.ClientSession() as two:
        first = TokenCache(settings_for(api), one, redis=redis, prefix=prefix)
        second = TokenCache(settings_for(api), two, redis=other_redis, prefix=prefix)
        tokens = await asyncio.gather(
            *(cache.get() for cache in (first, second) for _ in range(5))
        )
        assert len(set(tokens)) == 1
        assert len(api.of("token")) == 1 and first.fetches + second.fetches == 1
        # a third process started later reads the shared token
        third = TokenCache(settings_for(api), one, redis=redis, prefix=prefix)
        assert await third.get() == tokens[0] and third.fetches == 0
        # one process finds it stale: the next one to ask refreshes it, once
        await first.invalidate(tokens[0])
        assert await redis.get(first.token_key) is None
        fresh = await first.get()
        assert fresh != tokens[0] and len(api.of("token")) == 2
        # a late 40001 for the old token in another process leaves the fresh one be
        await second.invalidate(tokens[0])
        assert await second.get() == fresh and len(api.of("token")) == 2
        await other_redis.aclose()


def _url(redis: Redis) -> str:
    kwargs = redis.get_connection_kwargs()
    return f"redis://{kwargs['host']}:{kwargs['port']}/{kwargs['db']}"


@pytest.mark.redis
async def test_shared_token_expires_with_its_redis_key(
    api: FakeWeChatAPI, session: aiohttp.ClientSession, redis: Redis
) -> None:
    api.expires_in = 4  # kept 2 s (half its life)
    prefix = unique_prefix()
    cache = TokenCache(settings_for(api), session, redis=redis, prefix=prefix)
    token = await cache.get()
    pttl = await redis.pttl(cache.token_key)
    assert 0 < pttl <= 2000
    assert not await redis.exists(cache.lock_key)  # the refresh lock was freed
    await asyncio.sleep(2.1)
    assert await cache.get() != token


@pytest.mark.redis
async def test_a_refresh_error_frees_the_redis_lock(
    api: FakeWeChatAPI, session: aiohttp.ClientSession, redis: Redis
) -> None:
    prefix = unique_prefix()
    cache = TokenCache(settings_for(api), session, redis=redis, prefix=prefix)
    api.fail("token", status=502)
    with pytest.raises(AccessTokenError, match="HTTP 502"):
        await cache.get()
    assert not await redis.exists(cache.lock_key)
    other = TokenCache(settings_for(api), session, redis=redis, prefix=prefix)
    assert await other.get()


@pytest.mark.redis
async def test_a_waiter_gives_up_when_the_lock_is_held_too_long(
    api: FakeWeChatAPI, session: aiohttp.ClientSession, redis: Redis
) -> None:
    prefix = unique_prefix()
    cache = TokenCache(settings_for(api, request_timeout=0.1), session, redis=redis,
                       prefix=prefix, lock_ttl=0.2, poll_interval=0.02, clock=Ticks())
    await redis.set(cache.lock_key, "another-process", px=5000)
    with pytest.raises(AccessTokenError, match="lock"):
        await cache.get()
    assert api.of("token") == []
