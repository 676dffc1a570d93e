"""The delivery boundary: what a channel must do to send one outgoing message."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Outcome(StrEnum):
    """How one delivery attempt ended."""

    OK = "ok"
    RETRY_AFTER = "retry_after"  # flood control: wait, then try again
    SERVER_ERROR = "server_error"  # 5xx: try again later
    TIMEOUT = "timeout"  # no answer in time: try again later
    NETWORK = "network"  # connection failed: try again later
    BLOCKED = "blocked"  # the user blocked the bot: never again
    CHAT_NOT_FOUND = "chat_not_found"  # the chat is gone: never again
    BAD_REQUEST = "bad_request"  # our message is wrong: retrying will not help
    LEASE_LOST = "lease_lost"  # not attempted: the rows' lease ran out and another took them

    @property
    def transient(self) -> bool:
        """Return True when trying again later may succeed."""
        return self in (Outcome.SERVER_ERROR, Outcome.TIMEOUT, Outcome.NETWORK)

    @property
    def unreachable(self) -> bool:
        """Return True when the candidate can no longer be reached at all."""
        return self in (Outcome.BLOCKED, Outcome.CHAT_NOT_FOUND)


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button: a callback (data) or a link (url)."""

    text: str
    data: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    """What a reminder is about, for a channel that must say it in fields rather than text
    (a WeChat template message): the first step's name, its deadline, where to act."""

    step: str
    deadline: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to one chat: HTML text and rows of buttons (and, for a reminder, its
    summary)."""

    chat_id: int
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    summary: Summary | None = None


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """The outcome of one attempt, with Telegram's retry_after when it gave one."""

    outcome: Outcome
    retry_after: float | None = None
    detail: str | None = None
    message_id: int | None = None


class Delivery(Protocol):
    """A channel that can deliver an Outgoing message (Telegram, the console, a fake)."""

    async def deliver(self, message: Outgoing) -> DeliveryResult:
        """Send the message once; report the outcome, never raise for a send error."""
