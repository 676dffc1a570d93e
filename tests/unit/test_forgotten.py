"""Markers of a recent /forget: they expire, /start clears them, and they name nobody."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.errors import DataForgotten
from bot.forgotten import ForgottenMarks
from tests.factories import USER_ID

OTHER = 77


async def test_a_marker_refuses_only_its_user_until_cleared() -> None:
    marks = ForgottenMarks()
    await marks.mark(USER_ID)

    with pytest.raises(DataForgotten):
        await marks.refuse(USER_ID)
    await marks.refuse(OTHER)

    await marks.clear(USER_ID)
    await marks.refuse(USER_ID)


async def test_a_marker_expires_after_its_ttl() -> None:
    marks = ForgottenMarks(ttl=timedelta(milliseconds=50))
    await marks.mark(USER_ID)
    assert await marks.marked(USER_ID)

    await asyncio.sleep(0.06)
    assert not await marks.marked(USER_ID)
    await marks.mark(OTHER)  # marking prunes what expired
    assert len(marks._local) == 1


async def test_a_marker_names_nobody() -> None:
    marks = ForgottenMarks.for_token("123456:secret")
    await marks.mark(USER_ID)

    [key] = marks._local
    assert str(USER_ID) not in key


async def test_processes_of_one_bot_match_each_others_markers_only() -> None:
    one, two = ForgottenMarks.for_token("123456:a"), ForgottenMarks.for_token("123456:a")
    other_bot = ForgottenMarks.for_token("654321:b")

    assert one._key(USER_ID) == two._key(USER_ID)
    assert one._key(USER_ID) != other_bot._key(USER_ID)
    assert ForgottenMarks()._key(USER_ID) != ForgottenMarks()._key(USER_ID)  # no token
