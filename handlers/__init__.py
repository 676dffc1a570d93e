"""The chat layer: one Router per feature, built fresh for each dispatcher."""

from __future__ import annotations

from aiogram import Router

from handlers import (
    done,
    errors,
    fallback,
    language,
    membership,
    privacy,
    profile,
    questions,
    reminders,
    staff,
    start,
    todo,
)


def get_routers() -> list[Router]:
    """Return the routers in the order they must see updates (catch-alls last)."""
    return [
        errors.create_router(),
        # Staff first: their flow's free text must not reach the question answerer.
        staff.create_router(),
        start.create_router(),
        language.create_router(),
        profile.create_router(),
        done.create_router(),
        todo.create_router(),
        privacy.create_router(),
        membership.create_router(),
        reminders.create_router(),
        questions.create_router(),
        fallback.create_router(),
    ]
