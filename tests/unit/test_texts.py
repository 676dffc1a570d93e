"""Templates: every one in both locales, strict, escaped, split under Telegram's limit."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from jinja2 import UndefinedError

from bot.texts import (
    LOCALES,
    Texts,
    format_date,
    format_span,
    resolve_locale,
    split_message,
)
from tests.conftest import REPO_ROOT

TEMPLATES = REPO_ROOT / "bot" / "templates"


def _names(locale: str) -> set[str]:
    root = TEMPLATES / locale
    return {str(p.relative_to(root)) for p in root.rglob("*.j2")}


def test_templates_exist_in_every_locale() -> None:
    assert _names("zh") == _names("en")
    assert _names("zh")


def test_labels_have_the_same_keys_in_every_locale(texts: Texts) -> None:
    assert texts.labels("zh").keys() == texts.labels("en").keys()


def test_render_escapes_html(texts: Texts) -> None:
    out = texts.render("unknown_command", "zh", command="<i>x</i>", nearest=None)
    assert "&lt;i&gt;x&lt;/i&gt;" in out


def test_render_missing_variable_is_an_error(texts: Texts) -> None:
    with pytest.raises(UndefinedError):
        texts.render("unknown_command", "en")


@pytest.mark.parametrize(
    ("chosen", "code", "expected"),
    [
        ("en", "zh-hans", "en"),
        (None, "zh-hant", "zh"),
        (None, "ZH", "zh"),
        (None, "ru", "en"),
        (None, None, "zh"),
        ("xx", "en", "en"),
    ],
)
def test_resolve_locale_prefers_choice_then_telegram(
    chosen: str | None, code: str | None, expected: str
) -> None:
    assert resolve_locale(chosen, code) == expected


def test_format_date_like_the_notice() -> None:
    assert format_date(date(2024, 1, 29), "zh") == "1月29日"
    assert format_date(date(2024, 2, 8), "en") == "8 Feb"
    # 2024-02-07 16:00 UTC is already 2月8日 in Shanghai
    assert format_date(datetime(2024, 2, 7, 16, 0, tzinfo=UTC), "zh") == "2月8日"


def test_split_message_keeps_every_character() -> None:
    text = "\n".join(f"第{i}行" + "字" * 90 for i in range(200)) + "\n" + "长" * 9000
    chunks = split_message(text)
    assert all(len(c) <= 4096 for c in chunks)
    assert "".join(chunks).replace("\n", "") == text.replace("\n", "")


def test_split_message_short_text_is_one_chunk() -> None:
    assert split_message("hello") == ["hello"]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_plain_template_renders(texts: Texts, locale: str) -> None:
    for name in ("start", "help", "lang_set", "lang_usage", "non_text", "errors/generic"):
        assert texts.render(name.removesuffix(".j2"), locale)  # type: ignore[arg-type]


def test_format_date_carries_the_year_outside_the_current_one() -> None:
    assert format_date(date(2024, 6, 30), "zh", year=2025) == "2024年6月30日"
    assert format_date(date(2024, 6, 30), "en", year=2025) == "30 Jun 2024"
    assert format_date(date(2024, 6, 30), "zh", year=2024) == "6月30日"


def test_format_span_carries_the_year_once() -> None:
    assert format_span(date(2023, 12, 1), date(2023, 12, 13), "zh", year=2024) == (
        "2023年12月1日–12月13日"
    )
    assert format_span(date(2023, 12, 1), date(2023, 12, 13), "en", year=2024) == (
        "1 Dec – 13 Dec 2023"
    )
    assert format_span(date(2024, 1, 29), date(2024, 2, 8), "zh", year=2024) == "1月29日–2月8日"
