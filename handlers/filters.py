"""Filters as coroutines: aiogram runs a plain callable (such as an `F` magic filter's
resolve) in a worker thread, a thread hop per router per update."""

from __future__ import annotations

from aiogram.types import Message


async def from_user(message: Message) -> bool:
    """Let through messages sent by a user (not by a channel or anonymously)."""
    return message.from_user is not None


async def is_command(message: Message) -> bool:
    """Let through text that starts with a slash."""
    return message.text is not None and message.text.startswith("/")


async def is_question(message: Message) -> bool:
    """Let through plain text: anything typed that is not a command."""
    return message.text is not None and not message.text.startswith("/")
