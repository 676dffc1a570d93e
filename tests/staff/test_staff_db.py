"""The staff schema and repositories on each backend (SQLite, and PostgreSQL when given)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.base import Base
from bot.db.engine import create_session_pool
from bot.db.migrate import downgrade, upgrade
from bot.db.models import OutboxMessage
from bot.knowledge import Knowledge
from bot.staff.broadcasts import BroadcastRepo, BroadcastRequest, launch
from bot.staff.reports import StatsRepo
from bot.staff.roles import StaffRepo
from tests.factories import NOW
from tests.staff.helpers import add_candidates

STAFF_TABLES = {"staff_members", "staff_regions", "staff_audit", "region_milestones", "broadcasts"}


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection)
    return [
        d for d in compare_metadata(context, Base.metadata)
        if any(t in str(d) for t in STAFF_TABLES)
    ]


async def test_staff_migration_matches_the_models_and_goes_down(any_engine: AsyncEngine) -> None:
    await upgrade(any_engine)
    async with any_engine.connect() as conn:
        assert await conn.run_sync(_diff) == []
    await downgrade(any_engine, "0004")
    async with any_engine.connect() as conn:
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    assert not tables & STAFF_TABLES and "unanswered_questions" in tables
    await upgrade(any_engine)


async def test_broadcast_rows_progress_and_stats_on_each_backend(
    any_engine: AsyncEngine,
) -> None:
    await upgrade(any_engine)
    pool = create_session_pool(any_engine)
    kb = Knowledge.load().kb
    await add_candidates(pool, 3, first_id=100, steps=["register"])
    async with pool.begin() as session:
        assert await StaffRepo(session).put(7, ["shanghai"], added_by=1)
        request = BroadcastRequest(
            draft_key="d1", staff_id=7, regions=["shanghai"], audience="pay",
            template="{{ region }} {{ days_left('pay') }}", send_at=NOW, chat_id=7, locale="zh",
        )
        broadcast = await launch(
            session, request, kb=kb, now=NOW, unknown={"zh": "?", "en": "?"}
        )
        assert broadcast is not None and broadcast.total == 3
        again = await launch(
            session, replace(request, template="x"), kb=kb, now=NOW,
            unknown={"zh": "?", "en": "?"},
        )
        assert again is None
    async with pool.begin() as session:
        o = OutboxMessage
        await session.execute(update(o).where(o.user_id == 100).values(
            state="sent", updated_at=NOW))
        repo = BroadcastRepo(session)
        progress = await repo.progress(broadcast)
        assert (progress.sent, progress.left) == (1, 2)
        assert await repo.claim_progress(broadcast.id, now=NOW, every=timedelta(seconds=5))
        assert not await repo.claim_progress(broadcast.id, now=NOW, every=timedelta(seconds=5))
        stats = StatsRepo(session)
        [region] = await stats.regions(["shanghai"])
        assert (region.candidates, region.steps) == (3, {"register": 3})
        counts, pending = await stats.outbox_by_day(["shanghai"], now=NOW)
        assert [(c.day.isoformat(), c.kind, c.state, c.count) for c in counts] == [
            ("2024-01-30", "broadcast", "sent", 1)
        ]
        assert pending == {"broadcast": 2}
