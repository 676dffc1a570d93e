"""The WeChat reply bridge over the real dispatcher: pushes become updates, the handlers'
replies become WeChat text, as the passive reply or, when late, customer-service messages."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message, TelegramObject
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.local_session import LocalSession
from bot.channels.routing import RoutingSession
from bot.channels.wechat.bridge import WeChatBridge
from bot.channels.wechat.settings import WeChatSettings
from bot.config import Settings
from bot.db.identities import WECHAT, IdentityRepo
from bot.db.models import Candidate, OutboxMessage
from bot.db.outbox import NewMessage, OutboxRepo
from bot.dispatcher import create_dispatcher
from bot.knowledge import Knowledge
from bot.texts import Texts
from notices import load_knowledge_base
from scheduler.compose import Composer
from scheduler.limiter import MemoryRateLimiter
from scheduler.sender import Sender, SenderConfig
from tests.conftest import TOKEN
from tests.factories import NOW, make_wechat
from tests.fakes.delivery import FakeDelivery
from tests.fakes.wechat_users import FakeCustomerService, FakeUsers
from tests.integration.conftest import FixedClock

OPENID = "oWeChatUser1"
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


async def onboard(bridge: WeChatBridge) -> str | None:
    """Follow, then pick 华北 → 北京 → not returning by their numbers; return the last reply."""
    await bridge.handle(make_wechat("subscribe"))
    for number in ("3", "1"):
        await bridge.handle(make_wechat("text", number))
    return await bridge.handle(make_wechat("text", "2"))


async def candidate(pool: async_sessionmaker[AsyncSession], user_id: int) -> Candidate | None:
    async with pool() as session:
        return await session.get(Candidate, user_id)


def gate(dp: Dispatcher, *, only: int | None = None) -> asyncio.Event:
    """Hold every message update (or only those of user `only`) until the event is set."""
    opened = asyncio.Event()

    async def wait(handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Message) and event.from_user is not None
        if only is None or event.from_user.id == only:
            await opened.wait()
        return await handler(event, data)

    dp.message.outer_middleware(wait)
    return opened


async def test_bridge_subscribe_welcomes_with_numbered_choices(bridge: WeChatBridge) -> None:
    reply = await bridge.handle(make_wechat("subscribe"))
    assert reply is not None
    assert "报考助手" in reply and "非官方渠道" in reply
    assert "1. ✓ 中文\n2. English\n3. 华北" in reply
    assert "<b>" not in reply


async def test_bridge_onboarding_by_numbers_saves_the_region(
    bridge: WeChatBridge, users: FakeUsers, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    await bridge.handle(make_wechat("subscribe"))
    regions = await bridge.handle(make_wechat("text", "3"))  # 华北
    assert regions is not None and "1. 北京\n2. 天津" in regions
    returning = await bridge.handle(make_wechat("text", "1"))  # 北京
    assert returning is not None and "考区：北京" in returning and "1. 是，历史考生" in returning
    done = await bridge.handle(make_wechat("text", "2"))  # 否
    assert done is not None and "设置完成" in done and "1. 📋 我的待办" in done
    saved = await candidate(session_pool, users.ids[OPENID])
    assert saved is not None and saved.region == "beijing" and saved.is_returning is False
    assert users.ids[OPENID] < 0


async def test_bridge_question_answered_as_the_passive_reply(
    bridge: WeChatBridge, service: FakeCustomerService
) -> None:
    await onboard(bridge)
    reply = await bridge.handle(make_wechat("text", "缴费什么时候截止"))
    assert reply is not None and "北京缴费正在进行" in reply and "1. 📄 须知原文" in reply
    source = await bridge.handle(make_wechat("text", "1"))  # the 📄 button
    assert source is not None and "缴费" in source
    assert service.sent == []


async def test_bridge_number_without_choices_is_a_question(bridge: WeChatBridge) -> None:
    reply = await bridge.handle(make_wechat("text", "7"))
    assert reply is not None and "1. ✓ 中文" not in reply


async def test_bridge_slow_update_goes_out_as_customer_service_messages(
    dp: Dispatcher, users: FakeUsers, service: FakeCustomerService
) -> None:
    settings = WeChatSettings(_env_file=None, reply_window=0.05)
    bridge = WeChatBridge(dp, settings, resolve=users.resolve, send_text=service.send_text)
    opened = asyncio.Event()

    async def slow(handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Message)
        await data["bot"].send_message(event.chat.id, "<b>稍等</b>，正在查询")
        await opened.wait()
        return await handler(event, data)

    dp.message.outer_middleware(slow)
    assert await bridge.handle(make_wechat("text", "/help")) is None
    await service.arrived.wait()
    assert service.texts(OPENID) == ["稍等，正在查询"]  # held, then sent once the window shut
    opened.set()
    await bridge.close()
    waiting, help_text = service.texts(OPENID)
    assert waiting == "稍等，正在查询" and "/todo" in help_text


async def test_bridge_passive_reply_over_the_limit_sends_the_rest(
    bridge: WeChatBridge, service: FakeCustomerService
) -> None:
    await onboard(bridge)
    reply = await bridge.handle(make_wechat("text", "/todo"))
    assert reply is not None and len(reply.encode()) <= 2048 and "我的待办" in reply
    await bridge.close()
    rest = service.texts(OPENID)
    assert rest and all(len(text.encode()) <= 2048 for text in rest)
    assert "1. ✓ 已完成" in rest[-1]


async def test_bridge_unsubscribe_blocks_and_cancels_pending_rows(
    bridge: WeChatBridge, users: FakeUsers, session_pool: async_sessionmaker[AsyncSession],
    texts: Texts,
) -> None:
    await onboard(bridge)
    user_id = users.ids[OPENID]
    async with session_pool.begin() as session:
        await OutboxRepo(session).add(
            [NewMessage(user_id=user_id, occasion="closing", dedupe_key=f"wc:{user_id}:pay",
                        due_at=NOW, kind="reminder", step="pay")],
            now=NOW,
        )
    assert await bridge.handle(make_wechat("unsubscribe")) is None
    saved = await candidate(session_pool, user_id)
    assert saved is not None and saved.blocked is True
    delivery = FakeDelivery()
    kb = load_knowledge_base()
    sender = Sender(
        session_pool, delivery, MemoryRateLimiter(1000, per_chat_interval=0.0),
        Composer(texts, lambda: kb), config=SenderConfig(), clock=FixedClock(NOW),
    )
    async with session_pool() as session:  # cancelled at once, not when it comes due
        state = await session.scalar(select(OutboxMessage.state))
    assert state == "cancelled"
    report = await sender.drain()
    assert report.sent == 0 and delivery.sent == []
    # Following again unblocks, as unblocking does in Telegram, and shows the welcome.
    assert "报考助手" in (await bridge.handle(make_wechat("subscribe")) or "")
    saved = await candidate(session_pool, user_id)
    assert saved is not None and saved.blocked is False


async def test_bridge_image_asks_for_text_and_stores_nothing(
    bridge: WeChatBridge, users: FakeUsers, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    reply = await bridge.handle(make_wechat("unsupported", msg_type="image"))
    assert reply is not None and "文字" in reply
    assert await candidate(session_pool, users.ids[OPENID]) is None


async def test_bridge_english_user_gets_english_templates(bridge: WeChatBridge) -> None:
    await bridge.handle(make_wechat("text", "/lang en"))
    reply = await bridge.handle(make_wechat("unsupported", msg_type="voice"))
    assert reply is not None and "text" in reply


async def test_bridge_other_events_get_no_answer(
    bridge: WeChatBridge, users: FakeUsers
) -> None:
    for event in ("event:view", "event:templatesendjobfinish", "event:location"):
        assert await bridge.handle(make_wechat("unsupported", msg_type=event)) is None
    assert users.ids == {}


async def test_bridge_menu_click_is_the_command(bridge: WeChatBridge) -> None:
    reply = await bridge.handle(make_wechat("click", key="help"))
    assert reply is not None and "/todo" in reply
    assert await bridge.handle(make_wechat("click", key="help me; /forget")) is None


async def test_bridge_file_is_a_line_pointing_to_the_command(bridge: WeChatBridge) -> None:
    await onboard(bridge)
    reply = await bridge.handle(make_wechat("text", "/calendar"))
    assert reply is not None
    assert "微信文字消息带不了文件" in reply and "/deadlines" in reply


async def test_bridge_background_message_keeps_links_and_numbers_its_buttons(
    bridge: WeChatBridge, users: FakeUsers, service: FakeCustomerService
) -> None:
    await onboard(bridge)
    markup = InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text="官网", url="https://www.21wecan.com/")],
        [InlineKeyboardButton(text="English", callback_data="lang:en")],
    ])
    text = '<b>提醒</b> 详见 <a href="https://www.21wecan.com/?a=1&amp;b=2">中国卫生人才网</a>'
    await bridge.bot.send_message(users.ids[OPENID], text, reply_markup=markup)
    assert service.texts(OPENID) == [
        '提醒 详见 <a href="https://www.21wecan.com/?a=1&amp;b=2">中国卫生人才网</a>\n'
        '<a href="https://www.21wecan.com/">官网</a>\n1. English'
    ]
    reply = await bridge.handle(make_wechat("text", "1"))  # the button, as a tap
    assert reply is not None and "English" in reply


async def test_bridge_message_for_an_unknown_user_is_dropped(
    bridge: WeChatBridge, service: FakeCustomerService, caplog: pytest.LogCaptureFixture
) -> None:
    await bridge.bot.send_message(-99, "hello")
    assert service.sent == []
    assert "no WeChat account" in caplog.text


async def test_bridge_message_outside_a_push_finds_the_openid_of_the_account(
    bridge: WeChatBridge, service: FakeCustomerService,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    async with session_pool.begin() as session:
        user_id = await IdentityRepo(session).user_id(WECHAT, "oSeenElsewhere", seen=NOW)
    await bridge.bot.send_message(user_id, "<b>广播</b>")
    assert service.sent == [("oSeenElsewhere", "广播")]


async def test_bridge_live_edits_from_a_job_wait_for_the_final_state(
    bridge: WeChatBridge, users: FakeUsers, service: FakeCustomerService
) -> None:
    await onboard(bridge)
    user_id = users.ids[OPENID]
    stop = InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text="停止", callback_data="bc:stop:1")],
    ])
    for sent in (10, 20, 30):  # a broadcast's progress, every few seconds
        await bridge.bot.edit_message_text(f"已发送 {sent}", chat_id=user_id, message_id=5,
                                           reply_markup=stop)
    await bridge.bot.edit_message_text("已完成：30", chat_id=user_id, message_id=5)
    assert service.texts(OPENID) == ["已完成：30"]


async def test_bridge_send_failures_are_logged_without_personal_data(
    dp: Dispatcher, users: FakeUsers, service: FakeCustomerService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = WeChatSettings(_env_file=None, reply_window=0.01)
    bridge = WeChatBridge(dp, settings, resolve=users.resolve, send_text=service.send_text)
    opened = gate(dp)
    service.failures = 1
    caplog.set_level(logging.INFO)
    assert await bridge.handle(make_wechat("text", "/help")) is None
    opened.set()
    await bridge.close()
    assert "customer-service message failed (RuntimeError)" in caplog.text
    assert OPENID not in caplog.text and "/todo" not in caplog.text


async def test_bridge_two_users_at_once_get_their_own_replies(
    bridge: WeChatBridge, dp: Dispatcher, users: FakeUsers
) -> None:
    english = make_wechat("text", "/lang en", openid="oEnglish")
    await bridge.handle(english)
    opened = gate(dp, only=users.ids["oEnglish"])
    held = asyncio.create_task(bridge.handle(make_wechat("text", "/help", openid="oEnglish")))
    await asyncio.sleep(0.01)
    chinese = await bridge.handle(make_wechat("text", "/help", openid="oChinese"))
    opened.set()
    english_reply = await held
    assert chinese is not None and "命令" in chinese and "Commands" not in chinese
    assert english_reply is not None and "Commands" in english_reply
    assert "命令" not in english_reply


async def test_bridge_one_users_pushes_are_handled_in_turn(
    bridge: WeChatBridge, dp: Dispatcher, users: FakeUsers
) -> None:
    await bridge.handle(make_wechat("subscribe"))
    opened = gate(dp)
    first = asyncio.create_task(bridge.handle(make_wechat("text", "/lang en")))
    second = asyncio.create_task(bridge.handle(make_wechat("text", "/help")))
    await asyncio.sleep(0.01)
    opened.set()
    assert "English" in (await first or "")
    assert "Commands" in (await second or "")  # after the first, in its language


async def test_bridge_window_counts_from_the_push(
    dp: Dispatcher, users: FakeUsers, service: FakeCustomerService
) -> None:
    settings = WeChatSettings(_env_file=None, reply_window=0.05)
    bridge = WeChatBridge(dp, settings, resolve=users.resolve, send_text=service.send_text)
    opened = gate(dp)
    first = asyncio.create_task(bridge.handle(make_wechat("text", "/help")))
    second = asyncio.create_task(bridge.handle(make_wechat("text", "/profile")))
    assert await first is None and await second is None
    opened.set()
    await bridge.close()
    assert len(service.texts(OPENID)) == 2


def test_bridge_clock_defaults_to_the_dispatchers(
    dp: Dispatcher, users: FakeUsers, service: FakeCustomerService, clock: FixedClock
) -> None:
    settings = WeChatSettings(_env_file=None)
    bridge = WeChatBridge(dp, settings, resolve=users.resolve, send_text=service.send_text)
    clock.now = NOW + timedelta(days=1)
    assert bridge.clock() == NOW + timedelta(days=1)


async def test_bridge_session_serves_the_telegram_bots_calls_about_wechat_users(
    bridge: WeChatBridge, users: FakeUsers, service: FakeCustomerService
) -> None:
    await bridge.handle(make_wechat("text", "/help"))
    telegram = LocalSession()
    bot = Bot(TOKEN, session=RoutingSession(telegram, {WECHAT: bridge.session}))
    await bot.send_message(users.ids[OPENID], "⏰ <b>报考提醒</b>")
    await bot.send_message(42, "to Telegram")
    assert service.texts(OPENID) == ["⏰ 报考提醒"]
    assert [call.chat_id for call in telegram.sent()] == [42]


async def test_bridge_forget_deletes_candidate_account_and_what_the_bridge_keeps(
    dp: Dispatcher, wechat_settings: WeChatSettings, service: FakeCustomerService,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    async def resolve(openid: str) -> int:
        async with session_pool.begin() as session:
            return await IdentityRepo(session).user_id(WECHAT, openid, seen=NOW)

    bridge = WeChatBridge(dp, wechat_settings, resolve=resolve, send_text=service.send_text)
    await onboard(bridge)
    user_id = await resolve(OPENID)
    asked = await bridge.handle(make_wechat("text", "/forget"))
    assert asked is not None and "1. " in asked
    assert await bridge.handle(make_wechat("text", "1")) is not None  # yes, delete
    assert await candidate(session_pool, user_id) is None
    async with session_pool() as session:
        assert await IdentityRepo(session).account(user_id) is None
    assert await bridge.choices.get(user_id) is None
    assert bridge._openids.get(user_id) is None
    await bridge.close()


@pytest.mark.adversarial("authorization")
@pytest.mark.parametrize("how", ["typed", "menu click"])
async def test_an_openid_that_looks_like_an_admins_telegram_id_gets_no_staff_tools(
    session_pool: async_sessionmaker[AsyncSession], knowledge: Knowledge, texts: Texts,
    clock: FixedClock, wechat_settings: WeChatSettings, service: FakeCustomerService,
    tmp_path: Path, how: str,
) -> None:
    admin = 424242
    settings = Settings(_env_file=None, bot_token=None, admin_ids=frozenset({admin}),
                        database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db")
    dp = create_dispatcher(settings=settings, session_pool=session_pool, knowledge=knowledge,
                           texts=texts, clock=clock)

    async def resolve(openid: str) -> int:
        async with session_pool.begin() as session:
            return await IdentityRepo(session).user_id(WECHAT, openid, seen=NOW)

    bridge = WeChatBridge(dp, wechat_settings, resolve=resolve, send_text=service.send_text)
    openid = str(admin)  # an openid is any string WeChat gives: it names no Telegram user
    push = (make_wechat("text", "/staff", openid=openid) if how == "typed"
            else make_wechat("click", openid=openid, key="staff"))
    reply = await bridge.handle(push)
    assert reply is not None and "没有 /staff 这个命令" in reply
    async with session_pool() as session:
        assert await IdentityRepo(session).find(WECHAT, openid) != admin
    await bridge.close()
