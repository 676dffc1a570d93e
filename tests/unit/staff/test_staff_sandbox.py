"""Staff templates: every escape attempt, runaway loop and oversized output is refused (in
process; the child process that renders for the bot: tests/integration/staff/)."""

from __future__ import annotations

import time

import pytest

from bot.staff.sandbox import (
    MAX_OUTPUT,
    MAX_SOURCE,
    TemplateRefused,
    render_now,
)

FUNCTIONS = {"deadline": lambda step: "2月8日", "days_left": lambda step: 9}


def refused(source: str) -> TemplateRefused:
    with pytest.raises(TemplateRefused) as info:
        render_now(source, {"region": "上海"}, FUNCTIONS)
    return info.value


def test_sandbox_renders_variables_and_functions() -> None:
    text = render_now(
        "{{ region }}缴费截止{{ deadline('pay') }}，还有{{ days_left('pay') }}天",
        {"region": "上海"}, FUNCTIONS,
    )
    assert text == "上海缴费截止2月8日，还有9天"


def test_sandbox_escapes_staff_markup_and_variables() -> None:
    text = render_now("<b>注意</b> & {{ region }}", {"region": "<i>x</i>"}, FUNCTIONS)
    assert text == "&lt;b&gt;注意&lt;/b&gt; &amp; &lt;i&gt;x&lt;/i&gt;"


def test_sandbox_allows_if_and_small_loops() -> None:
    source = (
        "{% if days_left('pay') < 10 %}急{% endif %}{% for i in range(3) %}{{ i }}{% endfor %}"
    )
    assert render_now(source, {}, FUNCTIONS) == "急012"


@pytest.mark.parametrize(
    ("source", "code", "detail"),
    [
        ("{{ ''.__class__.__mro__ }}", "attribute", "__mro__"),
        ("{{ ''.__class__ }}", "attribute", "__class__"),
        ("{{ cycler.__init__.__globals__ }}", "attribute", "__globals__"),
        ("{{ self.__dict__ }}", "attribute", "__dict__"),
        ("{{ ''['__class__'] }}", "attribute", "__class__"),
        ("{{ region|attr('__class__') }}", "filter", "attr"),
        ("{{ range.__self__ }}", "attribute", "__self__"),
        ("{{ _private }}", "attribute", "_private"),
        ("{{ region.upper() }}", "call", "upper"),
        ("{{ '{:>999999999}'.format(1) }}", "call", "format"),
        ("{{ lipsum(100000) }}", "call", "lipsum"),
        ("{{ cycler('a') }}", "call", "cycler"),
        ("{% set x = 1 %}", "tag", "set"),
        ("{% macro m() %}{% endmacro %}", "tag", "macro"),
        ("{% include 'x' %}", "tag", "include"),
        ("{% import 'x' as y %}", "tag", "import"),
        ("{% extends 'x' %}", "tag", "extends"),
        ("{% for i in [1] recursive %}{{ loop(i) }}{% endfor %}", "tag", "recursive"),
        ("{{ region|center(999999999) }}", "filter", "center"),
        ("{{ region|safe }}", "filter", "safe"),
    ],
)
def test_sandbox_refuses_reaching_python_internals(source: str, code: str, detail: str) -> None:
    error = refused(source)
    assert (error.code, error.detail) == (code, detail)


def test_sandbox_refuses_huge_range() -> None:
    assert refused("{% for i in range(10**9) %}x{% endfor %}").code == "range"


def test_sandbox_refuses_endless_nested_loops_quickly() -> None:
    started = time.monotonic()
    source = "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}"
    assert refused(source).code == "iterations"
    assert time.monotonic() - started < 1.0


def test_sandbox_refuses_deep_loop_nesting() -> None:
    source = (
        "{% for a in [1] %}{% for b in [1] %}{% for c in [1] %}"
        "{% endfor %}{% endfor %}{% endfor %}"
    )
    assert refused(source).code == "depth"


@pytest.mark.parametrize(
    "source",
    ["{{ 'x' * 5000 }}", "{{ ['x'] * 99999 }}", "{% for i in range(900) %}abcdef{% endfor %}"],
)
def test_sandbox_refuses_oversized_output(source: str) -> None:
    error = refused(source)
    assert (error.code, error.detail) == ("output", str(MAX_OUTPUT))


@pytest.mark.parametrize("source", ["{{ 10**10**10 }}", "{{ 2 ** 100000 }}"])
def test_sandbox_refuses_huge_numbers(source: str) -> None:
    assert refused(source).code == "number"


def test_sandbox_refuses_long_source_and_syntax_errors() -> None:
    assert refused("x" * (MAX_SOURCE + 1)).code == "source"
    error = refused("第一行\n{% for %}")
    assert (error.code, error.line) == ("syntax", 2)
    assert refused("{{ nothing }}").code == "undefined"
    assert refused("{{ 1/0 }}").code == "error"
    assert refused("   ").code == "empty"


def test_sandbox_is_separate_from_the_bot_texts(texts: object) -> None:
    from bot.staff.sandbox import _SANDBOX

    assert _SANDBOX is not getattr(texts, "env", None)
    assert _SANDBOX.sandboxed and _SANDBOX.autoescape
    assert not _SANDBOX.globals
