"""Who may use the staff tools, and for which regions; every staff action audited."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import StaffAuditEntry, StaffMember, StaffRegion

_STAFF_CHANGES = "staff_changes"


def staff_changes(session: AsyncSession) -> dict[int, bool]:
    """Who this session made staff (True) or took the role from (False), by user id.

    Whoever commits the session passes them on to the in-memory staff directory.
    """
    changes: dict[int, bool] = session.info.setdefault(_STAFF_CHANGES, {})
    return changes


@dataclass(frozen=True, slots=True)
class StaffRole:
    """An administrator (all regions) or a staff member (their regions only)."""

    user_id: int
    is_admin: bool
    regions: frozenset[str]

    def may_act_for(self, regions: Collection[str]) -> bool:
        """Return True when every one of `regions` is this person's to act for."""
        return bool(regions) and all(r in self.regions for r in regions)


@dataclass(frozen=True, slots=True)
class StaffListing:
    user_id: int
    regions: tuple[str, ...]


class StaffRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def role(
        self, user_id: int, *, admin_ids: Collection[int], all_regions: Collection[str]
    ) -> StaffRole | None:
        """Return the user's staff role, or None for everyone else."""
        if user_id in admin_ids:
            return StaffRole(user_id, True, frozenset(all_regions))
        member = await self.session.get(StaffMember, user_id)
        if member is None:
            return None
        return StaffRole(user_id, False, frozenset(r.region for r in member.regions))

    async def list(self) -> list[StaffListing]:
        """Return every staff member with their regions, by Telegram id."""
        members = (await self.session.scalars(select(StaffMember))).all()
        return sorted(
            (StaffListing(m.user_id, tuple(sorted(r.region for r in m.regions))) for m in members),
            key=lambda item: item.user_id,
        )

    async def put(self, user_id: int, regions: Sequence[str], *, added_by: int) -> bool:
        """Make the user staff for exactly `regions`; return True when they were new."""
        member = await self.session.get(StaffMember, user_id)
        created = member is None
        if member is None:
            member = StaffMember(user_id=user_id, added_by=added_by, regions=[])
            self.session.add(member)
        member.added_by = added_by
        member.regions = [StaffRegion(user_id=user_id, region=r) for r in dict.fromkeys(regions)]
        await self.session.flush()
        staff_changes(self.session)[user_id] = True
        return created

    async def remove(self, user_id: int) -> bool:
        """Take the staff role away; return False when the user was not staff."""
        member = await self.session.get(StaffMember, user_id)
        if member is None:
            return False
        await self.session.delete(member)
        await self.session.flush()
        staff_changes(self.session)[user_id] = False
        return True


class AuditRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(
        self,
        actor_id: int,
        action: str,
        *,
        now: datetime,
        regions: Collection[str] = (),
        recipients: int | None = None,
        detail: str | None = None,
    ) -> None:
        """Write one staff action to the audit table."""
        self.session.add(
            StaffAuditEntry(
                actor_id=actor_id,
                action=action,
                regions=sorted(regions),
                recipients=recipients,
                detail=detail[:200] if detail else None,
                at=now,
            )
        )

    async def entries(self, *, limit: int = 100) -> list[StaffAuditEntry]:
        """Return the newest audit entries first."""
        stmt = select(StaffAuditEntry).order_by(StaffAuditEntry.id.desc()).limit(limit)
        return list((await self.session.scalars(stmt)).all())


async def add_staff(
    session: AsyncSession, *, actor: int, user_id: int, regions: Sequence[str], now: datetime
) -> bool:
    """Make `user_id` staff for `regions` and audit it; return True when they were new."""
    created = await StaffRepo(session).put(user_id, regions, added_by=actor)
    await AuditRepo(session).record(
        actor, "staff_add" if created else "staff_update", now=now, regions=regions,
        detail=f"user {user_id}",
    )
    return created


async def remove_staff(session: AsyncSession, *, actor: int, user_id: int, now: datetime) -> bool:
    """Take the staff role from `user_id` and audit it; return False when they were not staff."""
    removed = await StaffRepo(session).remove(user_id)
    await AuditRepo(session).record(actor, "staff_remove", now=now, detail=f"user {user_id}")
    return removed
