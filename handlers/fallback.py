"""Catch-alls: unknown commands, non-text messages, stale buttons."""

from __future__ import annotations

import difflib

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from handlers.filters import is_command
from handlers.reply import Reply

MAX_COMMAND_ECHO = 32
# What a typo is matched against: the candidate commands (staff ones stay unmentioned).
CANDIDATE_COMMANDS = (
    "start", "help", "region", "returning", "done", "undo", "todo", "deadlines", "calendar",
    "profile", "lang", "stop", "resume", "forget",
)


# Staff commands typed by anyone else get exactly the reply of a command that does not exist.
_HIDDEN = frozenset({"broadcast", "stats", "unanswered", "import", "reload", "staff"})


def nearest_command(typed: str) -> str | None:
    """Return the candidate command a typo most likely meant (/todp: todo), if any is close."""
    name = typed.lstrip("/").split("@", 1)[0].lower()
    if name in _HIDDEN:
        return None
    found = difflib.get_close_matches(name, CANDIDATE_COMMANDS, n=1, cutoff=0.6)
    return found[0] if found else None


async def on_unknown_command(message: Message, reply: Reply) -> None:
    """Say the command does not exist, suggest the nearest one, and point to /help."""
    assert message.text is not None
    command = message.text.split(maxsplit=1)[0][:MAX_COMMAND_ECHO]
    await message.answer(
        reply.render("unknown_command", command=command, nearest=nearest_command(command))
    )


async def on_non_text(message: Message, reply: Reply) -> None:
    """Answer stickers, photos, voice and the like kindly."""
    await message.answer(reply.render("non_text"))


async def on_stale_callback(query: CallbackQuery) -> None:
    """Close the spinner of a button that no handler recognises; change nothing."""
    await query.answer()


def create_router() -> Router:
    router = Router(name="fallback")
    router.message.register(on_unknown_command, is_command)
    router.message.register(on_non_text)
    router.callback_query.register(on_stale_callback)
    return router
