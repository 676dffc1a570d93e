"""Staff templates rendered in the child process: one past its deadline is killed."""

from __future__ import annotations

import sys
import time

import pytest

from bot.staff import sandbox
from bot.staff.sandbox import TemplateRefused, Values, render

pytestmark = pytest.mark.slow  # a child process


async def test_sandbox_render_kills_a_child_past_its_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sandbox, "CHILD_COMMAND", [sys.executable, "-c", "while True: pass"])
    monkeypatch.setattr(sandbox, "CHILD_STARTUP_SECONDS", 0.3)
    started = time.monotonic()
    with pytest.raises(TemplateRefused) as info:
        await render("{{ region }}", Values({"region": "上海"}), seconds=0.1)
    assert info.value.code == "timeout"
    assert time.monotonic() - started < 2.0
