"""/import and /reload: all or nothing, line-precise errors, milestones that shape answers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.db.models import StaffAuditEntry, StoredMilestone
from bot.knowledge import Knowledge
from bot.staff.regiondata import MilestoneSync, apply_stored
from bot.texts import Locale, Texts
from notices import Step
from tests.integration.conftest import Chat
from tests.integration.staff.helpers import (
    ADMIN,
    OTHER,
    STAFF,
    count_rows,
    document_message,
    texts_of,
)

pytestmark = pytest.mark.usefixtures("staff_member")

HEADER = "region,step,start,end,note,link\n"
GOOD = (
    HEADER
    + "上海,confirm,2024-01-10,2024-01-15,现场确认请带身份证,https://example.org/sh\n"
    + "shanghai,缴费,2024/1/29,2024/2/8,,\n"
)


async def send_file(chat: Chat, content: bytes, *, user_id: int = STAFF, **kwargs: object) -> str:
    calls = await chat.feed(document_message(content, chat=chat, user_id=user_id, **kwargs))
    return "\n".join(texts_of(calls))


async def test_import_stores_milestones_and_shapes_the_knowledge_base(
    chat: Chat, knowledge: Knowledge
) -> None:
    reply = await send_file(chat, ("\ufeff" + GOOD).encode())
    assert "已导入" in reply and "新增 2" in reply
    milestone = knowledge.kb.milestone("shanghai", Step.CONFIRM)
    assert milestone is not None and milestone.end == date(2024, 1, 15)
    assert milestone.note_zh == "现场确认请带身份证"
    [plan] = [p for p in knowledge.kb.plan("shanghai", None) if p.step == Step.CONFIRM]
    assert plan.window is not None and plan.window.start == date(2024, 1, 10)
    assert await count_rows(chat.session_pool, StoredMilestone) == 2
    async with chat.session_pool() as session:
        entry = (await session.scalars(select(StaffAuditEntry))).one()
    assert (entry.action, entry.actor_id, entry.regions) == ("import", STAFF, ["shanghai"])


async def test_import_reports_added_updated_unchanged(chat: Chat, knowledge: Knowledge) -> None:
    await send_file(chat, GOOD.encode())
    changed = GOOD.replace("2024/2/8", "2024/2/9") + "上海,ticket,2024-04-01,2024-04-10,,\n"
    reply = await send_file(chat, changed.encode())
    assert "新增 1，更新 1，未变 1" in reply
    milestone = knowledge.kb.milestone("shanghai", Step.PAY)
    assert milestone is not None and milestone.end == date(2024, 2, 9)


async def test_import_in_two_steps_after_the_command(chat: Chat) -> None:
    [ask] = await chat.send("/import", user_id=STAFF)
    assert "region, step, start, end, note, link" in ask
    reply = await send_file(chat, GOOD.encode(), caption=None)
    assert "已导入" in reply


@pytest.mark.slow
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (HEADER + "上海,confirm,2024-01-10,2024-01-15,,\n上海,confirm,2024-13-01,2024-01-15,,\n",
         "第3行：start 日期“2024-13-01”无效"),
        (HEADER + "上海,confirm,2024-01-10,2024-01-15,,\n火星,pay,2024-01-10,2024-01-15,,\n",
         "第3行：没有考区“火星”"),
        (HEADER + "江苏,pay,2024-01-10,2024-01-15,,\n", "第2行：“江苏”不是你负责的考区"),
        (HEADER + "上海,吃饭,2024-01-10,2024-01-15,,\n", "第2行：没有步骤“吃饭”"),
        (HEADER + "上海,pay,2024-01-20,2024-01-15,,\n", "第2行：结束日期早于开始日期"),
        (HEADER + "上海,pay,2024-01-10,2024-01-15,,javascript:alert(1)\n", "第2行：链接"),
        (HEADER + "上海,pay,2024-01-10\n", "第2行：有 3 列，应为 6 列"),
        (HEADER + "上海,pay,2024-01-10,2024-01-15,,\n上海,缴费,2024-01-11,2024-01-16,,\n",
         "第3行：与第2行的考区和步骤重复"),
        ("region,when,start,end\n上海,pay,2024-01-10,2024-01-15\n",
         "第1行：表头不对，缺少列：step"),
        (HEADER, "文件里没有数据"),
    ],
)
async def test_import_rejects_bad_rows_with_line_numbers_and_changes_nothing(
    chat: Chat, knowledge: Knowledge, content: str, expected: str
) -> None:
    before = knowledge.kb
    reply = await send_file(chat, content.encode())
    assert "没有导入" in reply and expected in reply
    assert knowledge.kb is before
    assert await count_rows(chat.session_pool, StoredMilestone) == 0


async def test_import_rejects_wrong_encoding(chat: Chat) -> None:
    reply = await send_file(chat, GOOD.encode("gbk"))
    assert "不是 UTF-8 编码" in reply
    assert await count_rows(chat.session_pool, StoredMilestone) == 0


async def test_import_rejects_huge_file_without_downloading(chat: Chat) -> None:
    reply = await send_file(chat, GOOD.encode(), file_size=2_000_000)
    assert "文件太大" in reply
    assert not [c for c in chat.session.calls if type(c).__name__ == "GetFile"]


async def test_import_rejects_too_many_rows(chat: Chat) -> None:
    rows = "".join(f"上海,pay,2024-01-10,2024-01-15,note {i},\n" for i in range(5001))
    reply = await send_file(chat, (HEADER + rows).encode())
    assert "行数太多（上限 5000 行）" in reply


async def test_import_rejects_non_csv_files(chat: Chat) -> None:
    reply = await send_file(chat, b"PK\x03\x04", file_name="data.xlsx")
    assert "请发送 .csv 文件" in reply


async def test_import_errors_in_english(chat: Chat) -> None:
    content = HEADER + "上海,confirm,2024-01-10,2024-01-15,,\n上海,pay,20240110,2024-01-15,,\n"
    message = document_message(content.encode(), chat=chat, user_id=STAFF)
    message = message.model_copy(update={"from_user": message.from_user.model_copy(  # type: ignore[union-attr]
        update={"language_code": "en"})})
    calls = await chat.feed(message)
    assert 'line 3: start date "20240110" is not valid' in "\n".join(texts_of(calls))


async def test_import_by_non_staff_changes_nothing(chat: Chat) -> None:
    await send_file(chat, GOOD.encode(), user_id=OTHER)
    assert await count_rows(chat.session_pool, StoredMilestone) == 0


async def test_stored_milestones_survive_a_restart(chat: Chat) -> None:
    await send_file(chat, GOOD.encode())
    fresh = Knowledge.load()
    assert fresh.kb.milestone("shanghai", Step.CONFIRM) is None
    async with chat.session_pool.begin() as session:
        assert await apply_stored(session, fresh) == 2
    assert fresh.kb.milestone("shanghai", Step.CONFIRM) is not None


async def test_reload_keeps_milestones(chat: Chat, knowledge: Knowledge) -> None:
    await send_file(chat, GOOD.encode())
    [reply] = await chat.send("/reload", user_id=STAFF)
    assert reply.startswith("已重新加载通知数据：2024 年") and "2 条考区时间节点" in reply
    assert knowledge.kb.milestone("shanghai", Step.PAY) is not None


async def test_reload_failure_keeps_the_old_base(
    chat: Chat, knowledge: Knowledge, tmp_path: Path
) -> None:
    before = knowledge.kb
    knowledge.directory = tmp_path  # no notice files there
    [reply] = await chat.send("/reload", user_id=ADMIN)
    assert "没有重新加载" in reply and "<code>" in reply
    assert knowledge.kb is before
    async with chat.session_pool() as session:
        actions = (await session.scalars(select(StaffAuditEntry.action))).all()
    assert actions == ["reload_failed"]


async def test_milestones_imported_by_another_process_are_picked_up(chat: Chat) -> None:
    other = Knowledge.load()  # another process's knowledge, loaded before the import
    sync = MilestoneSync(other)
    assert not await sync.sync(chat.session_pool)
    await send_file(chat, GOOD.encode())
    assert await sync.sync(chat.session_pool)
    assert other.kb.milestone("shanghai", Step.CONFIRM) is not None
    assert not await sync.sync(chat.session_pool)


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_import_example_row_agrees_with_the_notice(
    knowledge: Knowledge, texts: Texts, locale: Locale
) -> None:
    text = texts.render(
        "staff/import_ask", locale, steps=["confirm"], regions=["上海"], max_rows=1, max_kb=1
    )
    example = text.split("<code>")[2].split("</code>")[0]
    region, step, *_ = example.split(",")
    assert step == "confirm"
    found = knowledge.kb.match_region(region)
    assert found is not None
    confirm = {p.step: p for p in knowledge.kb.plan(found.code, False)}[Step.CONFIRM]
    assert confirm.mode == "online"  # 上海 confirms online: the example must not say on-site
    assert ("网上确认" if locale == "zh" else "Confirm online") in example
