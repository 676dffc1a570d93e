"""The terminal chat in process: the console channel over the real dispatcher.

`python -m bot` driven through a pipe is in tests/e2e/test_console_pipe.py."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from aiogram import Dispatcher
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.console import CONSOLE_USER_ID, ConsoleChannel, html_to_terminal
from bot.config import Settings
from bot.dispatcher import create_dispatcher
from bot.knowledge import Knowledge
from bot.reminders import action_data
from bot.texts import Texts
from notices import Step
from scheduler.delivery import Button, Outcome, Outgoing
from tests.integration.conftest import FixedClock


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


async def test_console_delivery_prints_a_pushed_message_with_numbered_buttons(
    dp: Dispatcher, tmp_path: Path
) -> None:
    out = io.StringIO()
    channel = ConsoleChannel(dp, out=out, interactive=False, files_dir=tmp_path)
    await channel.send("/region 北京")
    pushed = Outgoing(
        CONSOLE_USER_ID, "⏰ <b>报考提醒</b>",
        ((Button("✅ 缴费已完成", data=action_data("done", "pay")),),),
    )
    result = await channel.delivery.deliver(pushed)
    assert result.outcome is Outcome.OK and result.message_id is not None
    assert "⏰ 报考提醒\n[1] ✅ 缴费已完成\n" in out.getvalue()
    await channel.send("1")  # the button, as a tap
    assert "ℹ 已记录：缴费已完成" in out.getvalue()


async def test_console_delivery_refuses_other_chats(dp: Dispatcher, tmp_path: Path) -> None:
    channel = ConsoleChannel(dp, out=io.StringIO(), interactive=False, files_dir=tmp_path)
    result = await channel.delivery.deliver(Outgoing(CONSOLE_USER_ID + 1, "hi"))
    assert result.outcome is Outcome.CHAT_NOT_FOUND


@pytest.fixture
def admin_dp(
    tmp_path: Path, session_pool: async_sessionmaker[AsyncSession], texts: Texts,
    knowledge: Knowledge, clock: FixedClock,
) -> Dispatcher:
    settings = Settings(
        _env_file=None, bot_token=None, admin_ids=str(CONSOLE_USER_ID), reminders=False,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db",
    )
    return create_dispatcher(
        settings=settings, session_pool=session_pool, knowledge=knowledge, texts=texts,
        clock=clock,
    )


async def test_console_administrator_imports_a_file_by_its_path(
    admin_dp: Dispatcher, tmp_path: Path, knowledge: Knowledge
) -> None:
    csv = tmp_path / "milestones.csv"
    csv.write_text("region,step,start,end,note,link\n上海,confirm,2024-01-10,2024-01-15,,\n")
    out = io.StringIO()
    channel = ConsoleChannel(admin_dp, out=out, interactive=False, files_dir=tmp_path)
    await channel.run(io.StringIO(f"/import {csv}\n/import {tmp_path}/missing.csv\n/stats\n"))
    printed = out.getvalue()
    assert "已导入" in printed
    assert knowledge.kb.milestone("shanghai", Step.CONFIRM) is not None
    assert "missing.csv: No such file or directory" in printed
    assert "没有 /stats 这个命令" not in printed


async def test_console_start_says_how_to_begin_when_interactive(
    dp: Dispatcher, tmp_path: Path
) -> None:
    out = io.StringIO()
    channel = ConsoleChannel(dp, out=out, interactive=True, files_dir=tmp_path)
    await channel.run(io.StringIO(""))
    hello = out.getvalue().split("› ")[0]
    assert "发送 /start 开始" in hello and "/help" in hello
