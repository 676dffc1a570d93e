"""The terminal chat: in-process and as `python -m bot` driven through a pipe."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from aiogram import Dispatcher

from bot.console import ConsoleChannel, html_to_terminal

ROOT = Path(__file__).parent.parent


def test_html_to_terminal_strips_tags_and_keeps_links() -> None:
    text = '<b>粗</b> &lt;x&gt; <a href="https://e.org">官网</a>'
    assert html_to_terminal(text) == "粗 <x> 官网 (https://e.org)"


async def test_console_buttons_are_numbered_choices(dp: Dispatcher, tmp_path: Path) -> None:
    out = io.StringIO()
    channel = ConsoleChannel(dp, out=out, interactive=False, files_dir=tmp_path)
    await channel.run(io.StringIO("/lang\n2\n/help\n"))
    lines = out.getvalue()
    assert "[1] 中文   [2] English" in lines
    assert "OK, I will reply in English from now on." in lines
    assert "Commands" in lines


def _run_bot(stdin: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "WEBHOOK_URL"}}
    clean["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path}/db/bot.db"
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=clean,
        timeout=60,
        check=False,
    )


def test_console_pipe_answers_each_line_then_exits(tmp_path: Path) -> None:
    result = _run_bot("/start\n/help\n/nosuch\n", tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.index("非官方渠道") < out.index("/deadlines") < out.index("/nosuch")
    assert "<b>" not in out
    assert (tmp_path / "db" / "bot.db").exists()
    assert "Traceback" not in result.stderr


def test_console_pipe_bad_database_url_is_one_clear_line(tmp_path: Path) -> None:
    result = _run_bot("/start\n", tmp_path, DATABASE_URL="mysql://nope")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_console_pipe_bad_setting_is_one_clear_line(tmp_path: Path) -> None:
    result = _run_bot("", tmp_path, WEBHOOK_PORT="eighty")
    assert result.returncode == 2
    assert "WEBHOOK_PORT" in result.stderr
    assert "Traceback" not in result.stderr
