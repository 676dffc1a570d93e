"""Stand-ins for what the WeChat bridge is given: the openid directory and the
customer-service sender (the real ones live on the database and the WeChat API)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass
class FakeUsers:
    """Each openid gets the next negative internal id, the same one every time."""

    ids: dict[str, int] = field(default_factory=dict)

    async def resolve(self, openid: str) -> int:
        return self.ids.setdefault(openid, -(len(self.ids) + 1))


@dataclass
class FakeCustomerService:
    """Record every customer-service text; fail the next `failures` calls."""

    sent: list[tuple[str, str]] = field(default_factory=list)
    failures: int = 0
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def send_text(self, openid: str, text: str) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError(f"45015 response out of time limit for {openid}: {text}")
        self.sent.append((openid, text))
        self.arrived.set()

    def texts(self, openid: str) -> list[str]:
        return [text for to, text in self.sent if to == openid]
