"""Alembic environment: runs on a connection handed in by bot.db.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from bot.db import models  # noqa: F401 - registers the tables on the metadata
from bot.db.base import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run migrations through bot.db.migrate, which provides a connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
