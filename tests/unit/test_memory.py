"""settle_heap: garbage collected first, then the live heap hidden from the collector."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from bot.memory import settle_heap


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("unfrozen")
def test_settle_heap_collects_cycles_then_freezes_what_lives() -> None:
    garbage, kept = Node(), Node()
    garbage.other, kept.other = garbage, kept  # two reference cycles
    dead = weakref.ref(garbage)
    del garbage
    settle_heap()
    assert dead() is None
    assert gc.get_freeze_count() > 0
    assert not any(obj is kept for obj in gc.get_objects())  # frozen: not scanned


@pytest.mark.usefixtures("unfrozen")
def test_settling_again_frees_what_died_since() -> None:
    old = Node()
    old.other = old
    settle_heap()
    dead = weakref.ref(old)
    del old  # frozen: the collector cannot free it until the heap is settled again
    gc.collect()
    assert dead() is not None
    settle_heap()
    assert dead() is None
