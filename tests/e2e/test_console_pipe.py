"""The terminal chat as `python -m bot` driven through a pipe: a reply to each line, then
exit; a bad setting is one clear line and status 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.e2e


def _run_bot(stdin: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "WEBHOOK_URL"}}
    clean["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path}/db/bot.db"
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
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
