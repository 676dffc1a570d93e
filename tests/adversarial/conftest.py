"""Adversarial tests run the real dispatcher on each backend: SQLite, and PostgreSQL when
TEST_POSTGRES_URL is set (where NUL bytes and the like used to fail at the insert)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db.migrate import upgrade
from bot.staff.roles import StaffRepo
from tests.conftest import drop_schema, make_engine
from tests.staff.helpers import ADMIN, STAFF


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated database on each backend."""
    engine, schema = await make_engine(request.param, tmp_path)
    await upgrade(engine)
    yield engine
    await engine.dispose()
    if schema is not None:
        await drop_schema(schema)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None, bot_token=None, database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db",
        admin_ids=str(ADMIN),
    )


@pytest.fixture
async def staff_member(session_pool: async_sessionmaker[AsyncSession]) -> int:
    """Make STAFF a staff member for shanghai."""
    async with session_pool.begin() as session:
        await StaffRepo(session).put(STAFF, ["shanghai"], added_by=ADMIN)
    return STAFF
