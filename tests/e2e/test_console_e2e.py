"""The terminal chat as `python -m bot` through a pipe, on BOT_CLOCK: reminders arrive."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.e2e.helpers import STARTUP_TIMEOUT, clean_env

pytestmark = pytest.mark.e2e
REMINDER = "⏰ 报考提醒"


class Terminal:
    """Type lines into the bot's stdin and read what it prints, with deadlines."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.seen = ""

    async def type(self, *lines: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("".join(f"{line}\n" for line in lines).encode())
        await self.proc.stdin.drain()

    async def wait_for(
        self, marker: str, within: float, *also: str, since: int | None = None
    ) -> str:
        """Read until `marker` (and every one of `also`, in any order: a reminder may come
        before or after a reply) appears after what was already read, or after position
        `since` of the output; return the output from there."""
        assert self.proc.stdout is not None
        start = len(self.seen) if since is None else since
        markers = (marker, *also)
        try:
            async with asyncio.timeout(within):
                while not all(m in self.seen[start:] for m in markers):
                    chunk = await self.proc.stdout.read(4096)
                    if not chunk:
                        raise AssertionError(
                            f"bot exited before {markers!r}:\n{self.seen[start:]}"
                        )
                    self.seen += chunk.decode()
        except TimeoutError as timeout:
            raise AssertionError(
                f"no {markers!r} within {within} s:\n{self.seen[start:]}"
            ) from timeout
        return self.seen[start:]

    async def quiet_for(self, seconds: float) -> str:
        """Read whatever comes in `seconds`."""
        assert self.proc.stdout is not None
        start = len(self.seen)
        try:
            async with asyncio.timeout(seconds):
                while chunk := await self.proc.stdout.read(4096):
                    self.seen += chunk.decode()
        except TimeoutError:
            pass
        return self.seen[start:]


@pytest.fixture
async def terminal(tmp_path: Path) -> AsyncIterator[Terminal]:
    env = clean_env() | {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        "BOT_CLOCK": "2024-01-29T09:30",  # the first morning of online payment
        "SENDER_INTERVAL": "0.5",
        "PYTHONUNBUFFERED": "1",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=REPO_ROOT, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    yield Terminal(proc)
    if proc.returncode is None:
        proc.kill()
    await proc.wait()


async def test_console_on_bot_clock_prints_the_payment_reminder_and_stop_ends_them(
    terminal: Terminal,
) -> None:
    await terminal.type("/start", "/region 北京", "/returning 否")
    await terminal.wait_for("已记录：不是历史考生", STARTUP_TIMEOUT)
    since = len(terminal.seen)
    await terminal.type("/done review")
    await terminal.wait_for("[1] 前面几步也都完成了", 10)
    await terminal.type("1")
    # Recording the review plans the payment reminder at once: it may print before or after
    # the cascade's question and reply, so look for it and them from the /done on.
    shown = await terminal.wait_for(
        "[1] ✅ 缴费已完成", 15, "缴费 · 1月29日–2月8日", since=since
    )
    assert "缴费 · 1月29日–2月8日" in shown  # the next step, as of BOT_CLOCK
    reminder = shown[shown.index(REMINDER):]
    assert "现在可以办理了：网上缴费" in reminder

    await terminal.type("/stop", "/undo review", "/done review")
    after = await terminal.quiet_for(4)
    assert "已暂停提醒" in after
    assert REMINDER not in after
    assert terminal.proc.stdin is not None
    terminal.proc.stdin.close()
    assert await asyncio.wait_for(terminal.proc.wait(), 10) == 0
