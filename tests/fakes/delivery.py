"""A scripted in-memory delivery channel for sender tests."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

from scheduler.delivery import DeliveryResult, Outcome, Outgoing


@dataclass
class FakeDelivery:
    """Record every message; answer with queued outcomes per chat, else OK."""

    sent: list[Outgoing] = field(default_factory=list)
    attempts: list[tuple[int, Outcome, float]] = field(default_factory=list)
    script: dict[int, deque[DeliveryResult]] = field(default_factory=dict)

    def fail(self, chat_id: int, *results: DeliveryResult) -> None:
        self.script.setdefault(chat_id, deque()).extend(results)

    async def deliver(self, message: Outgoing) -> DeliveryResult:
        queued = self.script.get(message.chat_id)
        result = queued.popleft() if queued else DeliveryResult(Outcome.OK, message_id=1)
        self.attempts.append((message.chat_id, result.outcome, time.monotonic()))
        if result.outcome is Outcome.OK:
            self.sent.append(message)
        return result

    def texts(self, chat_id: int) -> list[str]:
        return [m.text for m in self.sent if m.chat_id == chat_id]
