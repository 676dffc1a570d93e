"""Helpers for end-to-end tests: the bot as a child process, HTTP readiness."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp

# Importing aiogram alone takes ~4 s of CPU here; on a loaded two-core CI box start-up can
# take several times that. Every wait ends on an event, so a long limit costs nothing.
STARTUP_TIMEOUT = 90.0
EXIT_TIMEOUT = 10.0
# Settings the bot reads; none may leak in from the developer's shell.
_SCRUBBED_ENV = ("BOT_TOKEN", "DATABASE_URL", "REDIS_URL", "NOTICES_DIR", "TELEGRAM_API_URL")


def clean_env() -> dict[str, str]:
    """Copy of the environment without any bot setting."""
    return {
        key: value
        for key, value in os.environ.items()
        if key not in _SCRUBBED_ENV and not key.startswith(("WEBHOOK_", "WECHAT_"))
    }


class BotProcess:
    """``python -m bot`` as a child process, its output collected in files."""

    def __init__(self, proc: asyncio.subprocess.Process, stderr_path: Path) -> None:
        self.proc = proc
        self.stderr_path = stderr_path

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def terminate(self) -> None:
        self.proc.send_signal(signal.SIGTERM)

    async def wait_exit(self, within: float = EXIT_TIMEOUT) -> int:
        try:
            return await asyncio.wait_for(self.proc.wait(), within)
        except TimeoutError:
            msg = f"bot still running after {within} s; stderr:\n{self.stderr()}"
            raise AssertionError(msg) from None

    async def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()


StartBot = Callable[..., Awaitable[BotProcess]]


async def wait_http_ok(url: str, within: float = STARTUP_TIMEOUT) -> aiohttp.ClientResponse:
    """GET ``url`` until it answers 200 (the server may not be listening yet)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    last_error = "no attempt"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        while loop.time() < deadline:
            try:
                async with http.get(url) as resp:
                    await resp.read()
                    if resp.status == 200:
                        return resp
                    last_error = f"HTTP {resp.status}"
            except (aiohttp.ClientConnectionError, TimeoutError) as exc:
                last_error = repr(exc)
            # Nothing to wait on but the socket itself: retry quickly.
            await asyncio.sleep(0.05)
    msg = f"{url} not ready within {within} s: {last_error}"
    raise TimeoutError(msg)
