"""A sender that dies between Telegram's answer and its record: the window, and the count.

A send is written before the worker does anything else; a row is marked `sending` just before
the channel is called, so a row whose lease ran out with the mark still set is known to be a
possible duplicate when it is sent again: counted in the metric and the broadcast report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import metrics
from bot.db.models import Broadcast, OutboxMessage
from bot.db.outbox import OutboxRepo
from bot.knowledge import Knowledge
from bot.staff.broadcasts import AUDIENCE_ALL, BroadcastRepo, BroadcastRequest, launch
from bot.staff.roles import StaffRepo
from handlers.staff.broadcast_progress import progress_text
from scheduler.delivery import DeliveryResult, Outcome, Outgoing
from scheduler.limiter import MemoryRateLimiter
from tests.fakes.delivery import FakeDelivery
from tests.integration.conftest import FixedClock
from tests.integration.scheduler.conftest import add_candidate
from tests.integration.scheduler.test_sender import TEXTS, at, make_sender

NOW = at("2024-02-05 10:00")
LEASE = timedelta(seconds=120)


class Killed(BaseException):
    """The process dies here (a SIGKILL): no handler of ours runs, nothing more is written."""


@dataclass
class DyingDelivery(FakeDelivery):
    """Deliver every message; die right after Telegram accepted the one to `victim`."""

    victim: int = 0
    died: bool = field(default=False)

    async def deliver(self, message: Outgoing) -> DeliveryResult:
        result = await super().deliver(message)
        if message.chat_id == self.victim and not self.died:
            self.died = True
            raise Killed
        return result


def duplicates_metric(kind: str) -> float:
    value = metrics.REGISTRY.get_sample_value(
        "outbox_possible_duplicates_total", {"kind": kind}
    )
    return value or 0.0


async def broadcast_to(
    pool: async_sessionmaker[AsyncSession], users: range
) -> Broadcast:
    for user_id in users:
        await add_candidate(pool, user_id, region="shanghai")
    async with pool.begin() as session:
        assert await StaffRepo(session).put(7, ["shanghai"], added_by=1)
        request = BroadcastRequest(
            draft_key="d1", staff_id=7, regions=["shanghai"], audience=AUDIENCE_ALL,
            template="{{ region }} 考区通知", send_at=NOW, chat_id=7, locale="zh",
        )
        broadcast = await launch(
            session, request, kb=Knowledge.load().kb, now=NOW, unknown={"zh": "?", "en": "?"}
        )
    assert broadcast is not None and broadcast.total == len(users)
    return broadcast


async def row_of(pool: async_sessionmaker[AsyncSession], user_id: int) -> OutboxMessage:
    async with pool() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.user_id == user_id))
    assert row is not None
    return row


async def test_sender_death_after_delivery_makes_the_resend_a_possible_duplicate(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    broadcast = await broadcast_to(pool, range(1, 6))
    before = duplicates_metric("broadcast")
    dying = DyingDelivery(victim=3)
    await make_sender(pool, FixedClock(NOW), dying, concurrency=1).drain()
    assert dying.died and dying.texts(3)  # Telegram took it; the process died before the record
    crashed = await row_of(pool, 3)
    assert crashed.state == "claimed" and crashed.sending_at is not None
    assert not crashed.possible_duplicate

    later = FixedClock(NOW + LEASE * 2)  # a new process, once the dead one's lease ran out
    delivery = FakeDelivery()
    report = await make_sender(pool, later, delivery).drain()

    # Rows 3 to 5 come back (the only worker died at 3); only 3 had reached Telegram.
    assert report.recovered == 3 and report.sent == 3 and report.possible_duplicates == 1
    assert not delivery.texts(1) and not delivery.texts(2)
    assert len(dying.texts(3)) + len(delivery.texts(3)) == 2  # the duplicate, now counted
    assert duplicates_metric("broadcast") == before + 1
    resent = await row_of(pool, 3)
    assert resent.state == "sent" and resent.possible_duplicate and resent.sending_at is None
    async with pool.begin() as session:
        progress = await BroadcastRepo(session).progress(broadcast)
        assert (progress.sent, progress.left, progress.possible_duplicates) == (5, 0, 1)
        row = await session.get(Broadcast, broadcast.id)
        assert row is not None
        row.state = "done"
        knowledge = Knowledge.load()
        zh = progress_text(row, progress, texts=TEXTS, knowledge=knowledge, now=later.now)
        row.locale = "en"
        en = progress_text(row, progress, texts=TEXTS, knowledge=knowledge, now=later.now)
    assert "可能重复：1" in zh and "送达 5 人" in zh
    assert "possible duplicates: 1" in en.lower() and "delivered to 5" in en


async def test_sender_death_before_the_api_call_is_no_duplicate(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    broadcast = await broadcast_to(pool, range(1, 3))
    before = duplicates_metric("broadcast")
    async with pool.begin() as session:  # claimed by a sender that died before sending
        claimed = await OutboxRepo(session).claim(
            now=NOW, kind="broadcast", limit=10, lease=LEASE, token="dead"
        )
    assert len(claimed) == 2
    delivery = FakeDelivery()
    report = await make_sender(pool, FixedClock(NOW + LEASE * 2), delivery).drain()
    assert report.recovered == 2 and report.sent == 2 and report.possible_duplicates == 0
    assert duplicates_metric("broadcast") == before
    async with pool() as session:
        progress = await BroadcastRepo(session).progress(broadcast)
    assert progress.possible_duplicates == 0
    text = progress_text(broadcast, progress, texts=TEXTS, knowledge=Knowledge.load(), now=NOW)
    assert "可能重复" not in text


async def test_sender_records_each_send_before_the_next_goes_out(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    await broadcast_to(pool, range(1, 5))
    seen: list[tuple[int, dict[int, tuple[str, bool]]]] = []

    @dataclass
    class Watching(FakeDelivery):
        async def deliver(self, message: Outgoing) -> DeliveryResult:
            async with pool() as session:
                rows = (await session.execute(
                    select(OutboxMessage.user_id, OutboxMessage.state,
                           OutboxMessage.sending_at.is_not(None))
                )).all()
            seen.append((message.chat_id, {r[0]: (r[1], bool(r[2])) for r in rows}))
            return await super().deliver(message)

    report = await make_sender(pool, FixedClock(NOW), Watching(), concurrency=1).drain()
    assert report.sent == 4
    delivered: list[int] = []
    for chat_id, rows in seen:
        # The row about to go is marked as handed to the channel; every earlier one is sent.
        assert rows[chat_id] == ("claimed", True)
        assert all(rows[earlier] == ("sent", False) for earlier in delivered)
        delivered.append(chat_id)


async def test_sender_resend_after_a_timeout_is_a_possible_duplicate(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    await broadcast_to(pool, range(1, 2))
    before = duplicates_metric("broadcast")
    delivery = FakeDelivery()
    delivery.fail(1, DeliveryResult(Outcome.TIMEOUT))
    first = await make_sender(pool, FixedClock(NOW), delivery).drain()
    assert first.retried == 1 and (await row_of(pool, 1)).possible_duplicate
    second = await make_sender(pool, FixedClock(NOW + timedelta(minutes=10)), delivery).drain()
    assert second.sent == 1 and second.possible_duplicates == 1
    assert duplicates_metric("broadcast") == before + 1


async def test_sender_death_while_waiting_for_a_slot_is_no_duplicate(
    pool: async_sessionmaker[AsyncSession],
) -> None:
    """The mark is written after the rate limiter's slot, just before the request: a sender
    that dies while its rows wait for a slot sent nothing, and nothing is counted."""
    broadcast = await broadcast_to(pool, range(1, 3))
    before = duplicates_metric("broadcast")

    class DyingInTheQueue(MemoryRateLimiter):
        async def acquire(self, chat_id: int) -> None:
            if chat_id == 2:
                raise Killed
            await super().acquire(chat_id)

    delivery = FakeDelivery()
    sender = make_sender(pool, FixedClock(NOW), delivery, concurrency=1)
    sender.limiter = DyingInTheQueue(10_000, per_chat_interval=0.0)
    await sender.drain()
    assert delivery.texts(1) and not delivery.texts(2)
    waiting = await row_of(pool, 2)
    assert waiting.state == "claimed" and waiting.sending_at is None

    report = await make_sender(pool, FixedClock(NOW + LEASE * 2), FakeDelivery()).drain()
    assert report.recovered == 1 and report.sent == 1 and report.possible_duplicates == 0
    assert duplicates_metric("broadcast") == before
    async with pool() as session:
        progress = await BroadcastRepo(session).progress(broadcast)
    assert (progress.sent, progress.possible_duplicates) == (2, 0)
