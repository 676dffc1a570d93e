"""Broken notice data files: `/reload` names the problem in one line, the running base stays
and keeps answering candidates, on each backend."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.db.models import StaffAuditEntry
from bot.knowledge import Knowledge
from notices.loader import DATA_DIR
from tests.integration.conftest import Chat
from tests.integration.staff.helpers import STAFF
from tests.payloads import NOTICE_FILES_BAD

APOLOGY = "出了点问题"
QUESTION = "缴费什么时候截止"
CODE = re.compile(r"<code>(.*?)</code>", re.S)


def broken_copy(tmp_path: Path, name: str, old: bytes | None, new: bytes | None) -> Path:
    """Copy the bundled notice files and break one of them."""
    folder = tmp_path / "notices"
    shutil.copytree(DATA_DIR, folder)
    path = folder / name
    if new is None:
        path.unlink()
        return folder
    raw = path.read_bytes()
    if old is None:
        raw = new
    elif old:
        assert old in raw, f"{name} no longer contains {old[:40]!r}: update the payload"
        raw = raw.replace(old, new, 1)
    else:
        raw += new
    path.write_bytes(raw)
    return folder


@pytest.mark.slow
@pytest.mark.adversarial("notice files")
@pytest.mark.usefixtures("staff_member")
@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in NOTICE_FILES_BAD],
)
async def test_notice_files_broken_reload_names_the_line_and_the_base_keeps_answering(
    chat: Chat, knowledge: Knowledge, tmp_path: Path, name: str, old: bytes | None,
    new: bytes | None, expected: str,
) -> None:
    answer_before = await chat.send(QUESTION)
    before = knowledge.kb
    knowledge.directory = broken_copy(tmp_path, name, old, new)

    [reply] = await chat.send("/reload", user_id=STAFF)

    assert "没有重新加载" in reply and APOLOGY not in reply
    [error] = [html.unescape(code) for code in CODE.findall(reply)]
    assert "\n" not in error.strip() and "Traceback" not in error
    assert expected in error, error
    assert knowledge.kb is before
    assert await chat.send(QUESTION) == answer_before
    async with chat.session_pool() as session:
        actions = (await session.scalars(select(StaffAuditEntry.action))).all()
    assert list(actions) == ["reload_failed"]


@pytest.mark.adversarial("notice files")
@pytest.mark.usefixtures("staff_member")
async def test_notice_files_a_fixed_copy_reloads_after_a_broken_one(
    chat: Chat, knowledge: Knowledge, tmp_path: Path
) -> None:
    knowledge.directory = broken_copy(tmp_path / "bad", "2024.yaml", b"year: 2024\n", b"year: x\n")
    [refused] = await chat.send("/reload", user_id=STAFF)
    assert "没有重新加载" in refused
    knowledge.directory = broken_copy(tmp_path / "good", "2024.yaml", b"", b"\n")
    [reply] = await chat.send("/reload", user_id=STAFF)
    assert reply.startswith("已重新加载通知数据：2024 年")
