"""Telegram HTML as WeChat text: what the handlers write, as a WeChat user reads it.

A WeChat text message is plain text in which `<a href="...">...</a>` is a tappable link and
nothing else is markup. So links are kept (their address escaped for the attribute), every
other tag is dropped, a quote keeps its lines behind "｜", and entities become characters.
Buttons have no WeChat equivalent in a text message: a callback button becomes a numbered
line (the user replies with the number, as in the terminal chat) and a link button a link.

A template message's fields are plain text (no link at all): `to_plain_text` keeps a link's
label only, and `first_link` finds the address the message would most want opened.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

_LINK = re.compile(r'<a\s+href="([^"]*)"[^>]*>(.*?)</a>', re.S | re.I)
_QUOTE = re.compile(r"<blockquote[^>]*>(.*?)</blockquote>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_PLACEHOLDER = "\x00{}\x00"
_PLACED = re.compile("\x00(\\d+)\x00")
_BLANK_RUNS = re.compile(r"\n{3,}")
# A passive reply's text is at most 2048 bytes (UTF-8); a customer-service text is kept to the
# same size.
MESSAGE_BYTES = 2048


@dataclass(frozen=True, slots=True)
class Choice:
    """One button as WeChat shows it: picked by its number (data), or a link (url)."""

    text: str
    data: str | None = None
    url: str | None = None


def link(url: str, label: str) -> str:
    """A WeChat text link; the label is plain text."""
    return f'<a href="{html.escape(url, quote=True)}">{html.escape(label, quote=False)}</a>'


def _quote(match: re.Match[str]) -> str:
    lines = match.group(1).strip("\n").split("\n")
    return "\n".join(f"｜{line}" for line in lines)


def _plain(text: str) -> str:
    return html.unescape(_TAG.sub("", _QUOTE.sub(_quote, text)))


def to_wechat_text(text: str, choices: Sequence[Choice] = ()) -> str:
    """Telegram HTML and its buttons as one WeChat text: links kept, other tags dropped,
    callback buttons numbered from 1 in the given order, link buttons as links."""
    links: list[str] = []

    def keep(match: re.Match[str]) -> str:
        url = html.unescape(match.group(1))
        label = html.unescape(_TAG.sub("", match.group(2)))
        links.append(link(url, label))
        return _PLACEHOLDER.format(len(links) - 1)

    body = _plain(_LINK.sub(keep, text))
    body = _PLACED.sub(lambda m: links[int(m.group(1))], body)
    lines = [body.strip()] if body.strip() else []
    number = 0
    for choice in choices:
        if choice.url is not None:
            lines.append(link(choice.url, choice.text))
        elif choice.data is not None:
            number += 1
            lines.append(f"{number}. {choice.text}")
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def _cut(text: str, limit: int) -> list[str]:
    """Cut text longer than `limit` bytes at character boundaries."""
    pieces: list[str] = []
    while len(text.encode()) > limit:
        cut = len(text.encode()[:limit].decode(errors="ignore"))
        pieces.append(text[:cut])
        text = text[cut:]
    return [*pieces, text]


def _pack(text: str, limit: int, separators: tuple[str, ...]) -> list[str]:
    """Pack the parts of `text` between its first separator into pieces under `limit`; a
    part too long on its own is split at the next separator, at last between characters."""
    if len(text.encode()) <= limit:
        return [text]
    if not separators:
        return _cut(text, limit)
    separator, finer = separators[0], separators[1:]
    pieces: list[str] = []
    current = ""
    for part in text.split(separator):
        joined = f"{current}{separator}{part}" if current else part
        if len(joined.encode()) <= limit:
            current = joined
            continue
        if current:
            pieces.append(current)
        *whole, current = _pack(part, limit, finer)
        pieces.extend(whole)
    return [*pieces, current]


def split_bytes(text: str, limit: int = MESSAGE_BYTES) -> list[str]:
    """Split text into pieces of at most `limit` UTF-8 bytes: between paragraphs where it
    can, else between lines, else between characters; no piece is blank."""
    pieces = _pack(text.strip(), limit, ("\n\n", "\n"))
    return [piece.strip() for piece in pieces if piece.strip()]

def to_plain_text(text: str) -> str:
    """Telegram HTML as plain text: every tag dropped (a link keeps its label), quotes
    marked, entities unescaped."""
    return _BLANK_RUNS.sub("\n\n", _plain(text)).strip()


def first_link(text: str) -> str | None:
    """Return the address of the first link in Telegram HTML, or None."""
    match = _LINK.search(text)
    return html.unescape(match.group(1)) if match else None
