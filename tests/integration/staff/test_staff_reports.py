"""/unanswered groups knowledge gaps per region; /stats counts and charts progress."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest
from aiogram.methods import SendPhoto
from aiogram.types import BufferedInputFile
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import OutboxMessage, UnansweredQuestion
from bot.staff.reports import group_questions
from handlers.staff import reports
from tests.factories import NOW
from tests.integration.conftest import Chat
from tests.integration.staff.helpers import ADMIN, STAFF, add_candidates, audit_actions

pytestmark = pytest.mark.usefixtures("staff_member")


async def add_questions(pool: async_sessionmaker[AsyncSession]) -> None:
    asked = [
        ("上海补考怎么报名", "shanghai", 1),
        ("上海补考怎么报名？", "shanghai", 2),
        ("上海 补考 如何报名", "shanghai", 3),
        ("可以带计算器进考场吗", "shanghai", 4),
        ("江苏的考点在哪里", "jiangsu", 5),
        ("没有考区的问题", None, 6),
    ]
    async with pool.begin() as session:
        for text, region, minutes in asked:
            session.add(UnansweredQuestion(
                text=text, kind="unknown", region=region, lang="zh",
                created_at=NOW + timedelta(minutes=minutes),
            ))


def test_group_questions_merges_similar_wording() -> None:
    rows = [
        UnansweredQuestion(text=t, kind="unknown", region=None, lang="zh", created_at=NOW)
        for t in ("报名费多少钱", "报名费是多少钱？", "How much is the fee",
                  "how much is the fee?")
    ]
    groups = group_questions(rows)
    assert [(g.text, g.count) for g in groups] == [
        ("报名费多少钱", 2), ("How much is the fee", 2)
    ]


async def test_unanswered_for_staff_shows_only_their_regions(chat: Chat) -> None:
    await add_questions(chat.session_pool)
    [reply] = await chat.send("/unanswered", user_id=STAFF)
    assert "×1 可以带计算器进考场吗" in reply
    assert "×3 上海 补考 如何报名" in reply  # the newest wording stands for the group
    assert reply.index("可以带计算器") < reply.index("补考")  # newest first
    assert "江苏" not in reply.split("只显示")[0] and "没有考区的问题" not in reply
    assert "只显示你负责考区的提问" in reply
    assert await audit_actions(chat.session_pool) == ["unanswered"]


async def test_unanswered_for_admins_includes_questions_without_region(chat: Chat) -> None:
    await add_questions(chat.session_pool)
    [reply] = await chat.send("/unanswered", user_id=ADMIN, language_code="en")
    assert "没有考区的问题" in reply and "江苏的考点在哪里" in reply
    assert "Only questions" not in reply


async def test_stats_counts_candidates_steps_and_messages_with_a_chart(chat: Chat) -> None:
    pool = chat.session_pool
    await add_candidates(pool, 4, first_id=100, steps=["register", "wechat"])
    await add_candidates(pool, 1, first_id=200, blocked=True)
    await add_candidates(pool, 1, first_id=300, reminders=False, steps=["register"])
    await add_candidates(pool, 5, first_id=400, region="jiangsu", steps=["register"])
    async with pool.begin() as session:
        for user_id, kind, state in [(100, "reminder", "sent"), (101, "broadcast", "sent"),
                                     (102, "broadcast", "failed"), (103, "reminder", "pending"),
                                     (400, "reminder", "sent")]:
            session.add(OutboxMessage(
                user_id=user_id, kind=kind, state=state, occasion="x", dedupe_key=f"k{user_id}",
                due_at=NOW, created_at=NOW, updated_at=NOW - timedelta(hours=1),
            ))
    calls = await chat.feed_text("/stats", user_id=STAFF)
    text = calls[0].text
    assert "<b>上海</b>：考生 6，接收提醒 4，已屏蔽 1" in text
    assert "注册 5" in text and "绑定微信 4" in text
    assert "江苏" not in text
    assert "待发送：提醒 1，群发 0" in text
    assert "1月30日：提醒 已发 1 / 失败 0；群发 已发 1 / 失败 1" in text
    [photo] = [c for c in calls if isinstance(c, SendPhoto)]
    assert isinstance(photo.photo, BufferedInputFile)
    assert photo.photo.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert photo.caption is not None and "共 6 名考生" in photo.caption


@pytest.mark.parametrize(("language", "title", "first"), [
    ("zh", "上海：各步骤完成人数（共 3 名考生）", ("注册", 2)),
    ("en", "Shanghai: candidates who did each step (of 3)", ("Register an account", 2)),
])
async def test_stats_chart_is_labelled_in_the_staff_members_language(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, language: str, title: str,
    first: tuple[str, int],
) -> None:
    drawn: list[tuple[str, Sequence[tuple[str, int]]]] = []

    def record(title: str, bars: Sequence[tuple[str, int]], total: int) -> bytes:
        drawn.append((title, bars))
        return b"png"

    monkeypatch.setattr(reports, "bar_chart", record)
    await add_candidates(chat.session_pool, 2, first_id=100, steps=["register"])
    await add_candidates(chat.session_pool, 1, first_id=200)
    await chat.feed_text("/stats", user_id=STAFF, language_code=language)
    [(drawn_title, bars)] = drawn
    assert drawn_title == title
    assert bars[0] == first and len(bars) == 9


async def test_stats_for_a_region_not_ones_own_is_refused(chat: Chat) -> None:
    await add_candidates(chat.session_pool, 5, first_id=400, region="jiangsu")
    [reply] = await chat.send("/stats 江苏", user_id=STAFF)
    assert reply == "你没有权限为这个考区操作，没有做任何修改。"
    assert await audit_actions(chat.session_pool) == []


async def test_stats_admin_names_a_region(chat: Chat) -> None:
    await add_candidates(chat.session_pool, 5, first_id=400, region="jiangsu")
    calls = await chat.feed_text("/stats 江苏", user_id=ADMIN, language_code="en")
    assert "<b>Jiangsu</b>: 5 candidates" in calls[0].text


async def test_why_shows_how_a_question_is_read(chat: Chat) -> None:
    [reply] = await chat.send("/why 湖北能网上缴费吗", user_id=STAFF)
    assert "steps=pay" in reply and "region=hubei" in reply and "entry=pay_online" in reply
    assert "湖北不在网上缴费的30个考区之列" in reply
    [usage] = await chat.send("/why", user_id=STAFF)
    assert "/why" in usage


async def test_why_is_not_for_candidates(chat: Chat) -> None:
    [reply] = await chat.send("/why 湖北能网上缴费吗")
    assert "steps=" not in reply
