"""The chat layer: one Router per feature, built fresh for each dispatcher."""

from __future__ import annotations

from aiogram import Router

from handlers import errors, fallback, language, questions, start


def get_routers() -> list[Router]:
    """Return the routers in the order they must see updates (catch-alls last)."""
    return [
        errors.create_router(),
        start.create_router(),
        language.create_router(),
        questions.create_router(),
        fallback.create_router(),
    ]
