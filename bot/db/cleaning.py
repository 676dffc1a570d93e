"""Control characters stop at the boundary: PostgreSQL refuses NUL in text, and no reader
wants an escape sequence or a lone surrogate."""

from __future__ import annotations

import re

# C0 and C1 controls except tab and newline, and lone surrogates (not encodable as UTF-8).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def has_control(text: str) -> bool:
    """Return True when the text holds a character `clean_text` would remove."""
    return CONTROL.search(text) is not None


def clean_text(text: str) -> str:
    """Return the text without control characters (a carriage return becomes a newline)."""
    return CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
