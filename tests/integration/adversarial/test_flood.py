"""One user's flood with REDIS_URL set costs that user only: everyone else is answered in
time, nobody gets the apology, and Redis connections wait instead of running out."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiogram import Bot, Dispatcher
from aiogram.methods import SendMessage
from aiogram.types import Update

from bot.channels.local_session import LocalSession
from bot.dispatcher import REDIS_CONNECTIONS
from tests.factories import make_message, make_update

FLOODER = 777_001
OTHERS = range(777_100, 777_120)
FLOOD = 200
IN_TIME = 2.0  # seconds for another user's /help while the flood lasts
APOLOGY = "出了点问题"  # errors/generic: the reply to an unexpected failure


@pytest.mark.redis
@pytest.mark.adversarial("faults")
async def test_flood_from_one_user_costs_only_that_user(
    redis_bot: tuple[Dispatcher, Bot, LocalSession],
) -> None:
    dp, bot, session = redis_bot
    assert FLOOD > REDIS_CONNECTIONS  # more than the pool: it must wait, not fail
    flood = [make_update(make_message("/help", user_id=FLOODER)) for _ in range(FLOOD)]
    others = [make_update(make_message("/help", user_id=u)) for u in OTHERS]

    async def timed(update: Update) -> float:
        started = time.perf_counter()
        await dp.feed_update(bot, update)
        return time.perf_counter() - started

    flooding = [asyncio.create_task(timed(u)) for u in flood]
    await asyncio.sleep(0)
    waits = await asyncio.gather(*(timed(u) for u in others))
    await asyncio.gather(*flooding)
    replies = [c for c in session.calls if isinstance(c, SendMessage)]
    to_others = [c for c in replies if c.chat_id in OTHERS]
    to_flooder = [c for c in replies if c.chat_id == FLOODER]
    print(f"others: slowest {max(waits):.3f} s; flooder answered {len(to_flooder)} of {FLOOD}")
    assert sorted(c.chat_id for c in to_others) == list(OTHERS)
    assert not any(APOLOGY in str(c.text) for c in replies)
    assert max(waits) < IN_TIME
    assert 1 <= len(to_flooder) < FLOOD
