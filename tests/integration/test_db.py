"""Database: migrations up and down, UTC-aware times, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_engine, create_session_pool, parse_database_url
from bot.db.migrate import downgrade, upgrade
from bot.db.models import Candidate
from bot.db.repo import CandidateRepo
from bot.errors import StartupError


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_migrations_up_down_up(any_engine: AsyncEngine) -> None:
    await upgrade(any_engine)
    assert "candidates" in await _tables(any_engine)
    await downgrade(any_engine, "base")
    assert await _tables(any_engine) <= {"alembic_version"}
    await upgrade(any_engine)
    await upgrade(any_engine)  # idempotent
    assert "candidates" in await _tables(any_engine)


async def test_times_come_back_utc_aware(any_engine: AsyncEngine) -> None:
    await upgrade(any_engine)
    pool = create_session_pool(any_engine)
    moment = datetime(2024, 2, 8, 23, 59, tzinfo=timezone(timedelta(hours=8)))
    async with pool.begin() as session:
        session.add(Candidate(user_id=2**40, created_at=moment, updated_at=moment))
    async with pool() as session:
        candidate = await session.get(Candidate, 2**40)
    assert candidate is not None
    assert candidate.created_at == moment
    assert candidate.created_at.tzinfo is not None
    assert candidate.created_at.utcoffset() == timedelta(0)


async def test_naive_datetimes_are_refused(any_engine: AsyncEngine) -> None:
    await upgrade(any_engine)
    pool = create_session_pool(any_engine)
    with pytest.raises(Exception, match="naive"):
        async with pool.begin() as session:
            session.add(Candidate(user_id=1, created_at=datetime(2024, 1, 1)))


async def test_repo_never_commits(any_engine: AsyncEngine) -> None:
    await upgrade(any_engine)
    pool = create_session_pool(any_engine)
    async with pool() as session:
        await CandidateRepo(session).set_language(7, "en")
        await session.rollback()
    async with pool() as session:
        assert await CandidateRepo(session).get(7) is None


async def test_sqlite_folder_is_created(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/a/b/bot.db")
    await upgrade(engine)
    await engine.dispose()
    assert (tmp_path / "a" / "b" / "bot.db").exists()


@pytest.mark.parametrize("url", ["not a url", "mysql://x/y", "sqlite:///sync.db"])
def test_bad_database_url_is_a_startup_error(url: str) -> None:
    with pytest.raises(StartupError, match="DATABASE_URL"):
        parse_database_url(url)


def test_utc_now_is_aware() -> None:
    from bot.db.base import utcnow

    assert utcnow().tzinfo is UTC


async def test_migrations_build_exactly_the_models(any_engine: AsyncEngine) -> None:
    """Alembic's autogenerate finds nothing to add or drop after the migrations ran."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.db.base import Base

    await upgrade(any_engine)

    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return list(compare_metadata(context, Base.metadata))

    async with any_engine.connect() as conn:
        diff = await conn.run_sync(differences)
    assert diff == []
