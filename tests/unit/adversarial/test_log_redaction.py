"""The bot token never reaches the log: aiogram's records, ours, arguments and tracebacks."""

from __future__ import annotations

import io
import logging

import pytest

from bot.logs import MASK, RedactSecrets
from tests.conftest import TOKEN

SECRET = TOKEN.split(":", 1)[1]
privacy_case = pytest.mark.adversarial("privacy")


def _logged(emit: object) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets([TOKEN]))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        assert callable(emit)
        emit()
    finally:
        root.removeHandler(handler)
    return stream.getvalue()


@privacy_case
@pytest.mark.parametrize(
    ("logger", "message", "args"),
    [
        ("aiogram.dispatcher", "Failed to fetch updates - TelegramNetworkError: %s",
         (f"HTTP Client says - Request timeout error on /bot{TOKEN}/getUpdates",)),
        ("aiogram.event", "Cause exception while process update id=%d by bot id=%s\n%s",
         (1, 123456, f"https://api.telegram.org/bot{TOKEN}/sendMessage")),
        ("bot", f"token in the message itself: {TOKEN}", ()),
        ("scheduler.sender", "secret part alone: %s", (SECRET,)),
    ],
)
def test_log_redacts_the_token_from_every_record(
    logger: str, message: str, args: tuple[object, ...]
) -> None:
    text = _logged(lambda: logging.getLogger(logger).error(message, *args))
    assert SECRET not in text and MASK in text


@privacy_case
def test_log_redacts_the_token_from_tracebacks() -> None:
    def fail() -> None:
        try:
            raise RuntimeError(f"GET /bot{TOKEN}/getMe failed")
        except RuntimeError:
            logging.getLogger("aiogram").exception("request failed")

    text = _logged(fail)
    assert "Traceback" in text and SECRET not in text and MASK in text
