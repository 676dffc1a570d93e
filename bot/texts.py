"""All user-facing text: Jinja2 templates per locale and short labels per locale."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from notices import SHANGHAI

Locale = Literal["zh", "en"]
LOCALES: tuple[Locale, ...] = ("zh", "en")
DEFAULT_LOCALE: Locale = "zh"
MESSAGE_LIMIT = 4096

_HERE = Path(__file__).parent
# What is trimmed around a command word: spaces and punctuation, Chinese and ASCII.
_WORD_TRIM = " \t\r\n.,!?;:~'\"。，！？；：、…·～“”‘’（）()"
MAX_COMMAND_WORD = 20
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def resolve_locale(chosen: str | None, language_code: str | None) -> Locale:
    """Pick the reply language: the /lang choice, else Telegram's language_code (zh* or en)."""
    if chosen in LOCALES:
        return chosen  # type: ignore[return-value]
    if language_code is None:
        return DEFAULT_LOCALE
    return "zh" if language_code.lower().startswith("zh") else "en"


def format_date(value: date | datetime, locale: Locale, *, year: int | None = None) -> str:
    """Format a date the way the notice writes it (1月29日), in Asia/Shanghai; a date outside
    `year` (the current one) carries its own year (2024年1月29日)."""
    if isinstance(value, datetime):
        value = value.astimezone(SHANGHAI).date()
    other_year = year is not None and value.year != year
    if locale == "zh":
        return f"{value.year}年" * other_year + f"{value.month}月{value.day}日"
    return f"{value.day} {_EN_MONTHS[value.month - 1]}" + f" {value.year}" * other_year


def format_span(start: date, end: date, locale: Locale, *, year: int | None = None) -> str:
    """Format a run of days (1月29日–2月8日); outside `year` it carries its year once
    (2023年12月1日–12月13日, 1 Dec – 13 Dec 2023)."""
    if locale == "zh":
        first = format_date(start, locale, year=year)
        return f"{first}–{format_date(end, locale, year=start.year)}"
    return f"{format_date(start, locale, year=end.year)} – {format_date(end, locale, year=year)}"


def _current_year(context: Context) -> int | None:
    # Templates that know today pass it; the others show dates of the notice's own year.
    today = context.get("today")
    return today.year if isinstance(today, date) else None


@pass_context
def _md_filter(context: Context, value: date | datetime) -> str:
    return format_date(value, context["locale"], year=_current_year(context))


@pass_context
def _span_filter(context: Context, start: date, end: date) -> str:
    return format_span(start, end, context["locale"], year=_current_year(context))


def normalise_word(text: str) -> str:
    """Return a short message as command words are matched: trimmed, spaces collapsed,
    lower case ("  退订！" and "退订" read the same; so do "Stop." and "stop")."""
    return " ".join(text.strip(_WORD_TRIM).split()).lower()


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split text into chunks under Telegram's limit, at line breaks where possible."""
    chunks: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) > limit:
            chunks.append(current)
            current = ""
        current += line
    if current.strip() or not chunks:
        chunks.append(current)
    return [c.rstrip("\n") or c for c in chunks]


class Texts:
    """One Jinja2 Environment (autoescape for Telegram HTML, StrictUndefined) and the labels."""

    def __init__(self, templates_dir: Path = _HERE / "templates") -> None:
        self.env = Environment(
            loader=FileSystemLoader(templates_dir),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        self.env.filters["md"] = _md_filter
        self.env.filters["span"] = _span_filter
        # Labels: every bot/locales/<locale>/*.yaml merged; a key defined twice is an error.
        self._labels: dict[str, dict[str, str]] = {}
        for locale in LOCALES:
            merged: dict[str, str] = {}
            for path in sorted((_HERE / "locales" / locale).glob("*.yaml")):
                with path.open(encoding="utf-8") as fh:
                    part: dict[str, str] = yaml.safe_load(fh) or {}
                clash = merged.keys() & part.keys()
                if clash:
                    raise ValueError(f"{path}: labels defined twice: {sorted(clash)}")
                merged.update(part)
            self._labels[locale] = merged

    def command_words(self) -> dict[str, str]:
        """Return every locale's command words (bot/locales/<locale>/words/commands.yaml),
        normalised as `command_word` reads a message, each mapped to its command name."""
        words: dict[str, str] = {}
        for locale in LOCALES:
            path = _HERE / "locales" / locale / "words" / "commands.yaml"
            with path.open(encoding="utf-8") as fh:
                table: dict[str, list[str]] = yaml.safe_load(fh) or {}
            for command, phrases in table.items():
                if not command.isascii() or not command.isalpha():
                    raise ValueError(f"{path}: {command!r} is not a command name")
                for phrase in phrases:
                    key = normalise_word(str(phrase))
                    if words.get(key, command) != command:
                        raise ValueError(f"{path}: {phrase!r} means two commands")
                    words[key] = command
        return words

    def render(self, name: str, locale: Locale, /, **context: Any) -> str:
        """Render template `name` for `locale`; a missing variable is an error."""
        template = self.env.get_template(f"{locale}/{name}.j2")
        return template.render(locale=locale, label=self._labels[locale], **context).strip()

    def label(self, locale: Locale, key: str) -> str:
        """Return a short label (button, menu entry) for the locale."""
        return self._labels[locale][key]

    def labels(self, locale: Locale) -> dict[str, str]:
        return self._labels[locale]

    def chunks(self, name: str, locale: Locale, /, **context: Any) -> Iterator[str]:
        """Render and split into message-sized pieces."""
        yield from split_message(self.render(name, locale, **context))
