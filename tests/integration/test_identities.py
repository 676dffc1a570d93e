"""Channel identities: a WeChat openid is one internal (negative) user id, on both backends;
the migration that adds them leaves every existing row as it was; /forget removes them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_session_pool
from bot.db.identities import TELEGRAM, WECHAT, IdentityRepo, channel_of
from bot.db.migrate import upgrade
from bot.db.models import Candidate, CandidateStep, ChannelUser
from bot.db.repo import CandidateRepo

T0 = datetime(2024, 1, 20, 8, 0, tzinfo=UTC)


async def test_an_openid_is_one_negative_id(any_migrated_engine: AsyncEngine) -> None:
    pool = create_session_pool(any_migrated_engine)
    async with pool.begin() as session:
        repo = IdentityRepo(session)
        first = await repo.user_id(WECHAT, "oABC-1_x", seen=T0)
        again = await repo.user_id(WECHAT, "oABC-1_x", seen=T0 + timedelta(hours=1))
        other = await repo.user_id(WECHAT, "oDEF-2")
    assert first == again < 0 and other < 0 and other != first
    assert channel_of(first) == WECHAT and channel_of(123456789) == TELEGRAM
    async with pool() as session:
        account = await IdentityRepo(session).account(first)
        assert account is not None and account.external_id == "oABC-1_x"
        assert account.last_seen == T0 + timedelta(hours=1)  # the latest contact
        # allocating without a contact time keeps the last one
        await IdentityRepo(session).user_id(WECHAT, "oABC-1_x")
        assert (await IdentityRepo(session).account(first)).last_seen == T0 + timedelta(hours=1)  # type: ignore[union-attr]
        assert await IdentityRepo(session).account(424242) is None  # Telegram: no account row


async def test_processes_racing_for_a_new_openid_agree(any_migrated_engine: AsyncEngine) -> None:
    pool = create_session_pool(any_migrated_engine)

    async def allocate() -> int:
        async with pool.begin() as session:
            return await IdentityRepo(session).user_id(WECHAT, "oRACE", seen=T0)

    ids = await asyncio.gather(*(allocate() for _ in range(5)))
    assert len(set(ids)) == 1
    async with pool() as session:
        assert await session.scalar(select(func.count()).select_from(ChannelUser)) == 1


async def test_forget_deletes_candidate_and_account(any_migrated_engine: AsyncEngine) -> None:
    pool = create_session_pool(any_migrated_engine)
    async with pool.begin() as session:
        user_id = await IdentityRepo(session).user_id(WECHAT, "oFORGET", seen=T0)
        await CandidateRepo(session).set_region(user_id, "hunan")
    async with pool.begin() as session:
        await CandidateRepo(session).delete(user_id)
    async with pool() as session:
        assert await session.get(Candidate, user_id) is None
        assert await IdentityRepo(session).account(user_id) is None
    async with pool.begin() as session:  # the same openid later is a new person
        assert await IdentityRepo(session).user_id(WECHAT, "oFORGET") != user_id


async def test_migration_keeps_existing_rows(any_engine: AsyncEngine) -> None:
    await upgrade(any_engine, "0009")
    pool = create_session_pool(any_engine)
    async with pool.begin() as session:
        session.add(Candidate(user_id=777000111, region="hunan", language="zh-hans"))
        session.add(CandidateStep(user_id=777000111, step="register", done_at=T0))
    await upgrade(any_engine)
    async with pool() as session:
        candidate = await session.get(Candidate, 777000111)
        assert candidate is not None and candidate.region == "hunan"
        assert await session.scalar(select(func.count()).select_from(CandidateStep)) == 1
        assert await session.scalar(select(func.count()).select_from(ChannelUser)) == 0
