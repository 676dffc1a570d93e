"""WeChat delivery against the fake WeChat API: customer-service text inside the 48-hour
window, a template message outside it or when refused, each errcode's outcome, pacing, and
no openid or token in a log line."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import timedelta

import aiohttp
import pytest
from redis.asyncio import Redis

from bot.channels.wechat.api import WeChatAPI
from bot.channels.wechat.delivery import (
    SENDER_QUOTA_PAUSE,
    Recipient,
    WeChatDelivery,
    wechat_limiter,
)
from bot.channels.wechat.settings import WeChatSettings
from bot.channels.wechat.text import Choice
from scheduler.delivery import Button, Outcome, Outgoing
from scheduler.limiter import MemoryRateLimiter, RedisRateLimiter
from tests.factories import NOW, unique_prefix
from tests.fakes.wechat_api import APP_ID, APP_SECRET, FakeWeChatAPI
from tests.integration.conftest import FixedClock

OPENID = "oUSER_in_window_0123456789ab"
OLD_OPENID = "oUSER_quiet_for_days_0123456"
TEMPLATE = "TPL-reminder"
HTML = (
    "⏰ <b>报考提醒</b>\n\n<b>缴费</b>\n"
    "还剩 3 天截止（2月8日）：网上缴费 &lt;1月29日–2月8日&gt;。\n"
    '官方信息请看<a href="https://www.21wecan.com/">中国卫生人才网</a>。'
)
BUTTONS = (
    (Button("✅ 缴费已完成", data="rem:done:pay"), Button("⏰ 明天再提醒", data="rem:snooze:pay")),
    (Button("官网", url="https://www.21wecan.com/"),),
)
PEOPLE = {
    -1: Recipient(OPENID, NOW - timedelta(hours=2)),
    -2: Recipient(OLD_OPENID, NOW - timedelta(hours=49)),
    -3: Recipient("oUSER_never_seen_0123456789a", None),
}


async def lookup(user_id: int) -> Recipient | None:
    return PEOPLE.get(user_id)


class Shown:
    def __init__(self) -> None:
        self.calls: list[tuple[int, list[Choice]]] = []

    async def __call__(self, user_id: int, choices: Sequence[Choice]) -> None:
        self.calls.append((user_id, list(choices)))


def make(
    api: FakeWeChatAPI, session: aiohttp.ClientSession, *, template: str | None = TEMPLATE,
    shown: Shown | None = None, rate: float = 1000.0, **extra: object,
) -> WeChatDelivery:
    values: dict[str, object] = {
        "app_id": APP_ID, "app_secret": APP_SECRET, "api_url": api.url,
        "reminder_template_id": template, "send_rate": rate, "request_timeout": 0.3,
    } | extra
    wechat = WeChatAPI(WeChatSettings(_env_file=None, **values), session=session)
    return WeChatDelivery(wechat, lookup, clock=FixedClock(NOW), choices_shown=shown)


async def test_inside_the_window_a_customer_service_text(
    api: FakeWeChatAPI, session: aiohttp.ClientSession
) -> None:
    shown = Shown()
    result = await make(api, session, shown=shown).deliver(Outgoing(-1, HTML, BUTTONS))
    assert result.outcome is Outcome.OK
    [call] = api.of("custom")
    assert call.body["touser"] == OPENID
    assert call.body["text"]["content"] == (
        "⏰ 报考提醒\n\n缴费\n还剩 3 天截止（2月8日）：网上缴费 <1月29日–2月8日>。\n"
        '官方信息请看<a href="https://www.21wecan.com/">中国卫生人才网</a>。\n'
        "1. ✅ 缴费已完成\n2. ⏰ 明天再提醒\n"
        '<a href="https://www.21wecan.com/">官网</a>'
    )
    assert not api.of("template")
    assert shown.calls == [(-1, [Choice("✅ 缴费已完成", data="rem:done:pay"),
                                 Choice("⏰ 明天再提醒", data="rem:snooze:pay"),
                                 Choice("官网", url="https://www.21wecan.com/")])]


@pytest.mark.parametrize("user_id", [-2, -3])
async def test_outside_the_window_or_never_seen_a_template_message(
    api: FakeWeChatAPI, session: aiohttp.ClientSession, user_id: int
) -> None:
    shown = Shown()
    result = await make(api, session, shown=shown).deliver(Outgoing(user_id, HTML, BUTTONS))
    assert result.outcome is Outcome.OK and result.detail == "template"
    assert not api.of("custom") and not shown.calls
    [call] = api.of("template")
    assert result.message_id == call.answer["msgid"]
    assert call.body["touser"] == PEOPLE[user_id].openid
    assert call.body["template_id"] == TEMPLATE
    assert call.body["url"] == "https://www.21wecan.com/"
    data = {key: value["value"] for key, value in call.body["data"].items()}
    assert data["first"] == "⏰ 报考提醒" and data["keyword1"] == "缴费"
    assert data["keyword2"] == "2月8日" and data["remark"].startswith("官方信息请看中国卫生人才网")


@pytest.mark.parametrize("errcode", [45015, 45047, 45002])
async def test_a_refused_customer_service_message_falls_back_to_a_template(
    api: FakeWeChatAPI, session: aiohttp.ClientSession, errcode: int
) -> None:
    api.fail("custom", errcode=errcode)
    result = await make(api, session).deliver(Outgoing(-1, HTML, BUTTONS))
    assert result.outcome is Outcome.OK and result.detail == "template"
    assert [c.errcode for c in api.of("custom")] == [errcode]
    assert len(api.of("template")) == 1


async def test_without_a_template_a_user_outside_the_window_is_a_bad_request(
    api: FakeWeChatAPI, session: aiohttp.ClientSession
) -> None:
    delivery = make(api, session, template=None)
    result = await delivery.deliver(Outgoing(-2, HTML))
    assert result.outcome is Outcome.BAD_REQUEST and not result.outcome.unreachable
    assert "WECHAT_REMINDER_TEMPLATE_ID" in (result.detail or "")
    assert not api.calls
    api.fail("custom", errcode=45015)
    assert (await delivery.deliver(Outgoing(-1, HTML))).outcome is Outcome.BAD_REQUEST
    assert not api.of("template")


@pytest.mark.parametrize(
    ("errcode", "outcome", "retry_after"),
    [
        (43004, Outcome.BLOCKED, None),  # the user unfollowed the account
        (45009, Outcome.RETRY_AFTER, SENDER_QUOTA_PAUSE),  # every send pauses a minute
    ],
)
@pytest.mark.parametrize(("api_name", "user_id"), [("custom", -1), ("template", -2)])
async def test_unfollowed_and_quota_refusals_are_not_fallen_back_on(
    api: FakeWeChatAPI, session: aiohttp.ClientSession, api_name: str, user_id: int,
    errcode: int, outcome: Outcome, retry_after: float | None,
) -> None:
    api.fail(api_name, errcode=errcode)
    result = await make(api, session).deliver(Outgoing(user_id, HTML))
    assert (result.outcome, result.retry_after) == (outcome, retry_after)
    assert len(api.calls) == 2  # the token, then the one refused send: no fallback


@pytest.mark.parametrize("errcode", [40001, 42001])
async def test_a_stale_token_is_refreshed_and_the_message_still_goes(
    api: FakeWeChatAPI, session: aiohttp.ClientSession, errcode: int
) -> None:
    api.fail("custom", errcode=errcode)
    result = await make(api, session).deliver(Outgoing(-1, HTML))
    assert result.outcome is Outcome.OK
    assert [c.errcode for c in api.of("custom")] == [errcode, 0]
    assert len(api.of("token")) == 2 and not api.of("template")


async def test_a_token_refused_twice_is_transient_not_a_loop(
    api: FakeWeChatAPI, session: aiohttp.ClientSession
) -> None:
    api.fail("custom", errcode=40001, times=10)
    result = await make(api, session).deliver(Outgoing(-1, HTML))
    assert result.outcome is Outcome.SERVER_ERROR
    assert len(api.of("custom")) == 2


@pytest.mark.parametrize(
    ("fault", "outcome"),
    [
        ({"status": 502}, Outcome.SERVER_ERROR),
        ({"status": 404}, Outcome.BAD_REQUEST),
        ({"errcode": -1}, Outcome.SERVER_ERROR),
        ({"errcode": 40003}, Outcome.CHAT_NOT_FOUND),
        ({"errcode": 47001}, Outcome.BAD_REQUEST),
        ({"delay": 1.0}, Outcome.TIMEOUT),
    ],
)
async def test_transport_and_other_failures_are_classified(
    api: FakeWeChatAPI, session: aiohttp.ClientSession, fault: dict[str, int],
    outcome: Outcome,
) -> None:
    delivery = make(api, session)
    await delivery.api.tokens.get()
    api.fail("custom", **fault)  # type: ignore[arg-type]
    result = await delivery.deliver(Outgoing(-1, HTML))
    assert result.outcome is outcome


async def test_no_token_and_no_network_are_transient(
    api: FakeWeChatAPI, session: aiohttp.ClientSession
) -> None:
    api.fail("token", status=500)
    result = await make(api, session).deliver(Outgoing(-1, HTML))
    assert result.outcome is Outcome.SERVER_ERROR and result.outcome.transient
    async with FakeWeChatAPI() as gone:
        delivery = make(gone, session)
        await delivery.api.tokens.get()
    result = await delivery.deliver(Outgoing(-1, HTML))
    assert result.outcome is Outcome.NETWORK


async def test_unknown_or_non_wechat_recipients(
    api: FakeWeChatAPI, session: aiohttp.ClientSession
) -> None:
    delivery = make(api, session)
    assert (await delivery.deliver(Outgoing(-99, HTML))).outcome is Outcome.CHAT_NOT_FOUND
    assert (await delivery.deliver(Outgoing(42, HTML))).outcome is Outcome.BAD_REQUEST

    async def broken(user_id: int) -> Recipient | None:
        raise ConnectionResetError("database went away")

    delivery.recipient = broken
    assert (await delivery.deliver(Outgoing(-1, HTML))).outcome is Outcome.NETWORK
    assert not api.calls


async def test_wechat_sends_keep_the_wechat_rate(
    api: FakeWeChatAPI, session: aiohttp.ClientSession
) -> None:
    delivery = make(api, session, rate=10.0)
    await delivery.api.tokens.get()
    started = time.monotonic()
    for _ in range(6):
        assert (await delivery.deliver(Outgoing(-1, "hi"))).outcome is Outcome.OK
    # Six sends at 10/s: five intervals of 0.1 s at least.
    assert time.monotonic() - started >= 0.45
    assert isinstance(delivery.limiter, MemoryRateLimiter)


async def test_no_openid_or_token_in_any_log_line(
    api: FakeWeChatAPI, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    delivery = make(api, session)
    details: list[str] = []
    with caplog.at_level(logging.DEBUG):
        for fault, user_id in (("custom", -1), ("template", -2)):
            for errcode in (40001, 45015, 43004, 45009):
                api.fail(fault, errcode=errcode)
                details.append(str((await delivery.deliver(Outgoing(user_id, HTML))).detail))
    tokens = {c.query.get("access_token") for c in api.calls} - {None}
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "aiohttp.access")
    assert "refused" in ours
    for secret in (*tokens, APP_SECRET, OPENID, OLD_OPENID):
        assert secret is not None and secret not in ours + "\n".join(details)


@pytest.mark.redis
async def test_with_redis_the_wechat_rate_is_shared_by_every_process(
    api: FakeWeChatAPI, session: aiohttp.ClientSession, redis: Redis
) -> None:
    settings = WeChatSettings(_env_file=None, app_id=APP_ID, app_secret=APP_SECRET,
                              api_url=api.url, send_rate=10)
    prefix = unique_prefix()
    deliveries = [
        WeChatDelivery(WeChatAPI(settings, session=session), lookup, clock=FixedClock(NOW),
                       limiter=wechat_limiter(settings, redis=redis, prefix=prefix))
        for _ in range(2)
    ]
    for delivery in deliveries:
        assert isinstance(delivery.limiter, RedisRateLimiter)
        await delivery.api.tokens.get()
    started = time.monotonic()
    results = await asyncio.gather(*(d.deliver(Outgoing(-1, "hi")) for d in deliveries * 3))
    assert all(r.outcome is Outcome.OK for r in results)
    # Six sends at 10/s between two "processes": five intervals of 0.1 s at least.
    assert time.monotonic() - started >= 0.45
