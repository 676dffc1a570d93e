"""The numbered choices a WeChat user was shown last, and the bounded expiring map."""

from __future__ import annotations

from bot.channels.wechat.choices import MemoryChoices, Shown
from bot.channels.wechat.recent import Recent
from bot.channels.wechat.text import Choice

SHOWN = Shown(7, (Choice("中文", data="ob:lang:zh"), Choice("English", data="ob:lang:en")))


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_shown_pick_reads_a_reply_of_just_a_number() -> None:
    assert SHOWN.pick("2") == Choice("English", data="ob:lang:en")
    assert SHOWN.pick(" １ ") == Choice("中文", data="ob:lang:zh")  # a full-width digit
    assert SHOWN.pick("2。") is not None
    for reply in ("0", "3", "-1", "2 个", "二", "", "9" * 50):
        assert SHOWN.pick(reply) is None


def test_shown_survives_a_round_trip_and_refuses_garbage() -> None:
    assert Shown.loads(SHOWN.dumps()) == SHOWN
    assert Shown.loads(b"not json") is None
    assert Shown.loads('{"m": 1}') is None


async def test_memory_choices_expire_and_are_bounded() -> None:
    ticks = Ticks()
    choices = MemoryChoices(10, max_users=2, clock=ticks)
    await choices.remember(-1, SHOWN)
    assert await choices.get(-1) == SHOWN
    ticks.now = 10
    assert await choices.get(-1) is None
    for user_id in (-1, -2, -3):
        await choices.remember(user_id, SHOWN)
    assert await choices.get(-1) is None and await choices.get(-3) == SHOWN


def test_recent_set_again_moves_to_the_back() -> None:
    recent: Recent[int, str] = Recent(100, max_size=2, clock=Ticks())
    recent.set(1, "a")
    recent.set(2, "b")
    recent.set(1, "a2")
    recent.set(3, "c")  # drops 2, the least recently set
    assert (recent.get(1), recent.get(2), recent.get(3)) == ("a2", None, "c")
    assert len(recent) == 2
