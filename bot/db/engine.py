"""Engine and session pool, with the SQLite and PostgreSQL details in one place."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.errors import StartupError


def parse_database_url(url: str) -> URL:
    """Parse DATABASE_URL, refusing what SQLAlchemy's async engine cannot use."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StartupError(
            "DATABASE_URL is not a database URL; use e.g. sqlite+aiosqlite:///data/bot.db "
            "or postgresql+asyncpg://user@host/db"
        ) from None
    if parsed.drivername not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
        raise StartupError(
            f"DATABASE_URL driver {parsed.drivername!r} is not supported; "
            "use sqlite+aiosqlite:// or postgresql+asyncpg://"
        )
    return parsed


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create the async engine; make the SQLite file's folder when it is missing."""
    parsed = parse_database_url(url)
    if is_sqlite(parsed):
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            folder = Path(database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StartupError(
                    f"cannot create the database folder {folder}: {exc.strerror}; "
                    "check DATABASE_URL"
                ) from None
    else:
        kwargs.setdefault("pool_pre_ping", True)
    try:
        engine = create_async_engine(parsed, **kwargs)
    except NoSuchModuleError:
        raise StartupError(f"DATABASE_URL driver {parsed.drivername!r} is not installed") from None
    if is_sqlite(parsed):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def create_session_pool(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Return the session factory; objects stay usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


def safe_url(url: str) -> str:
    """Return the URL with any password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable>"
