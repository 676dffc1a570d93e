"""Staff templates: every bomb is refused before it is built (in process; in the limited
child process, where neither the event loop nor the bot's memory notices them:
tests/integration/adversarial/test_templates_child.py)."""

from __future__ import annotations

import time

import pytest

from bot.staff.sandbox import TemplateRefused, render_now
from tests.payloads import TEMPLATE_BOMBS, TEMPLATE_LEAKS

FUNCTIONS = {"deadline": lambda step: "2月8日", "days_left": lambda step: 9}

sandbox_case = pytest.mark.adversarial("sandbox")


@sandbox_case
@pytest.mark.parametrize("source", TEMPLATE_BOMBS)
def test_sandbox_refuses_each_bomb_before_building_it(source: str) -> None:
    started = time.monotonic()
    with pytest.raises(TemplateRefused) as info:
        render_now(source, {"region": "上海"}, FUNCTIONS)
    assert info.value.code in {"format", "output", "number", "iterations"}
    assert time.monotonic() - started < 0.5


@sandbox_case
@pytest.mark.parametrize("source", TEMPLATE_LEAKS)
def test_sandbox_never_outputs_a_callable_or_container(source: str) -> None:
    with pytest.raises(TemplateRefused) as info:
        render_now(source, {"region": "上海"}, FUNCTIONS)
    assert info.value.code in {"value", "attribute", "filter", "undefined", "call"}


@sandbox_case
def test_sandbox_still_renders_scalars_and_sums() -> None:
    source = "{{ region }}{{ 'ab' * 3 }}{{ 7 % 3 }}{{ [1, 2]|join('-') }}{{ deadline('pay') }}"
    assert render_now(source, {"region": "上海"}, FUNCTIONS) == "上海ababab11-22月8日"
