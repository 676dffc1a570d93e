"""Staff tests: the real dispatcher with ADMIN_IDS set, and a staff member for 上海."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.staff.roles import StaffRepo
from tests.integration.staff.helpers import ADMIN, STAFF


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
