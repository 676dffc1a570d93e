"""Fixtures for end-to-end tests: the fake Bot API and the bot run as a process."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO

import pytest

from tests.conftest import REPO_ROOT, TOKEN
from tests.e2e.helpers import BotProcess, StartBot, clean_env
from tests.fakes.bot_api import FakeBotAPI


@pytest.fixture
def bot_env(tmp_path: Path, fake_api: FakeBotAPI) -> dict[str, str]:
    """Environment for a bot in polling mode against the fake API and a temp SQLite file."""
    return clean_env() | {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": fake_api.url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture
async def start_bot(tmp_path: Path) -> AsyncIterator[StartBot]:
    """Start ``python -m bot`` with the given environment; every process dies at teardown."""
    started: list[BotProcess] = []
    files: list[IO[bytes]] = []

    async def start(env: dict[str, str]) -> BotProcess:
        index = len(started)
        stderr_path = tmp_path / f"bot-{index}.stderr"
        stdout = (tmp_path / f"bot-{index}.stdout").open("wb")
        stderr = stderr_path.open("wb")
        files.extend((stdout, stderr))
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=REPO_ROOT,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
        )
        process = BotProcess(proc, stderr_path)
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in started:
            await process.kill()
            # Shown by pytest only when the test failed.
            print(f"--- stderr of bot process {started.index(process)} ---\n{process.stderr()}")
        for file in files:
            file.close()
