"""Adversarial tests run the real dispatcher on each backend: SQLite, and PostgreSQL when
TEST_POSTGRES_URL is set (where NUL bytes and the like used to fail at the insert)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.migrate import upgrade
from tests.conftest import drop_schema, make_engine

# The staff tests' settings (ADMIN_IDS set) and staff member for 上海.
from tests.staff.conftest import settings, staff_member  # noqa: F401


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated database on each backend."""
    engine, schema = await make_engine(request.param, tmp_path)
    await upgrade(engine)
    yield engine
    await engine.dispose()
    if schema is not None:
        await drop_schema(schema)
