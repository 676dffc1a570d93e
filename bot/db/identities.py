"""Who a channel's user is, as the internal user id every table keys people by.

Telegram's user id is the internal id itself (positive). Any other channel's users get the
negative of their `channel_users` row id, allocated on first contact; the row is looked up by
(channel, external id), so the same openid is always the same person, across processes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.base import utcnow
from bot.db.models import ChannelUser
from bot.db.outbox import dialect_insert

TELEGRAM = "telegram"
WECHAT = "wechat"
# How staff name a person: a Telegram id, or "wechat:" and an openid (base64url-like).
_REF = re.compile(r"(?:(\d{1,19})|wechat:([A-Za-z0-9_-]{1,128}))")


def channel_of(user_id: int) -> str:
    """The channel a user id belongs to: negative ids are `channel_users` rows."""
    return TELEGRAM if user_id > 0 else WECHAT


@dataclass(frozen=True, slots=True)
class Account:
    """A non-Telegram user as a channel knows them."""

    user_id: int
    channel: str
    external_id: str
    last_seen: datetime | None


class IdentityRepo:
    """Allocate, find and forget the internal ids of other channels' users."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def user_id(
        self, channel: str, external_id: str, *, seen: datetime | None = None
    ) -> int:
        """The internal id of (channel, external_id), allocated on first contact; `seen`
        records that the user wrote at that time."""
        if channel == TELEGRAM:
            raise ValueError("a Telegram user's id is its own internal id")
        insert = dialect_insert(self.session)(ChannelUser).values(
            channel=channel, external_id=external_id, last_seen_at=seen,
            created_at=seen or utcnow(),
        )
        key = [ChannelUser.channel, ChannelUser.external_id]
        if seen is not None:
            # One statement: the row, new or updated, says its id.
            stmt = insert.on_conflict_do_update(
                index_elements=key, set_={"last_seen_at": seen}
            ).returning(ChannelUser.id)
            return -int((await self.session.execute(stmt)).scalar_one())
        await self.session.execute(insert.on_conflict_do_nothing(index_elements=key))
        row_id = await self.find(channel, external_id)
        assert row_id is not None
        return row_id

    async def find(self, channel: str, external_id: str) -> int | None:
        """The internal id of (channel, external_id), or None when there is none (yet)."""
        row_id = await self.session.scalar(
            select(ChannelUser.id).where(
                ChannelUser.channel == channel, ChannelUser.external_id == external_id
            )
        )
        return None if row_id is None else -int(row_id)

    async def account(self, user_id: int) -> Account | None:
        """The channel account behind an internal id, or None (a Telegram id, or forgotten)."""
        if user_id > 0:
            return None
        row = await self.session.get(ChannelUser, -user_id)
        if row is None:
            return None
        return Account(user_id, row.channel, row.external_id, row.last_seen_at)

    async def forget(self, user_id: int) -> None:
        """Delete the account row: the next contact is a new person with a new id."""
        if user_id < 0:
            await self.session.execute(delete(ChannelUser).where(ChannelUser.id == -user_id))


async def person_id(session: AsyncSession, ref: str) -> int | None:
    """The internal id of a person as staff name them (`123456` for Telegram, or
    `wechat:<openid>`), allocated for a WeChat user not seen yet; None when `ref` is neither."""
    match = _REF.fullmatch(ref.strip())
    if match is None:
        return None
    if match.group(1) is not None:
        return int(match.group(1))
    return await IdentityRepo(session).user_id(WECHAT, match.group(2))


async def person_refs(session: AsyncSession, user_ids: Iterable[int]) -> dict[int, str]:
    """How staff name each of `user_ids` (the inverse of `person_id`)."""
    ids = list(user_ids)
    rows = await session.execute(
        select(ChannelUser.id, ChannelUser.channel, ChannelUser.external_id).where(
            ChannelUser.id.in_([-i for i in ids if i < 0])
        )
    )
    accounts = {-row_id: f"{channel}:{external}" for row_id, channel, external in rows}
    return {i: accounts.get(i, str(i)) for i in ids}


async def wechat_people(session: AsyncSession, openids: Iterable[str]) -> frozenset[int]:
    """The user ids of these openids (allocated for one who never wrote): how
    WECHAT_ADMIN_OPENIDS become administrators beside ADMIN_IDS."""
    return frozenset([await IdentityRepo(session).user_id(WECHAT, o) for o in sorted(openids)])
