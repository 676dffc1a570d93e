"""The fake WeChat API on a loopback port, an HTTP client session to call it with, a Redis
client (for the tests marked redis), and the reply bridge over the real dispatcher with fake
users and a recording customer service."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Dispatcher
from redis.asyncio import Redis

from bot.channels.wechat.bridge import WeChatBridge
from bot.channels.wechat.settings import WeChatSettings
from tests.fakes.wechat_api import APP_ID, APP_SECRET, TOKEN, FakeWeChatAPI
from tests.fakes.wechat_users import FakeCustomerService, FakeUsers


@pytest.fixture
async def api() -> AsyncIterator[FakeWeChatAPI]:
    async with FakeWeChatAPI() as fake:
        yield fake


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
def users() -> FakeUsers:
    return FakeUsers()


@pytest.fixture
def service() -> FakeCustomerService:
    return FakeCustomerService()


@pytest.fixture
def wechat_settings() -> WeChatSettings:
    return WeChatSettings(_env_file=None, token=TOKEN, app_id=APP_ID, app_secret=APP_SECRET)


@pytest.fixture
async def bridge(
    dp: Dispatcher, wechat_settings: WeChatSettings, users: FakeUsers,
    service: FakeCustomerService,
) -> AsyncIterator[WeChatBridge]:
    """The bridge over the real dispatcher (SQLite, the bundled notices, a fixed clock)."""
    bridge = WeChatBridge(
        dp, wechat_settings, resolve=users.resolve, send_text=service.send_text
    )
    yield bridge
    await bridge.close()


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()
