"""Logging set-up: one handler on stderr whose filter takes secrets out of every record."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

MASK = "<redacted>"


class RedactSecrets(logging.Filter):
    """Replace each secret (the bot token, and its part after the colon) in a record's
    message, arguments and traceback, whoever logged it: aiogram's own records included."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        pieces = {s for secret in secrets if secret for s in (secret, secret.partition(":")[2])}
        self.secrets = sorted((s for s in pieces if len(s) >= 8), key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        record.msg, record.args = self.redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def configure_logging(level: str, secrets: Iterable[str] = ()) -> RedactSecrets:
    """Log to stderr at `level` (WARNING until start-up is done: see `started`), never a
    secret; return the filter, which also redacts the one-line start-up error."""
    redactor = RedactSecrets(secrets)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(redactor)
    root = logging.getLogger()
    root.addHandler(handler)
    # Start-up chatter stays out of the way of the one line a start-up mistake prints.
    root.setLevel(max(logging.getLevelName(level.upper()), logging.WARNING))
    # APScheduler logs every run of every job at INFO ("Running job…", "…executed
    # successfully"): with jobs every few seconds an operator's INFO log would be nothing
    # else. Failures still come through at WARNING and above.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    return redactor


def started(level: str) -> None:
    """Lower the log level to the configured one, now that start-up is over."""
    logging.getLogger().setLevel(level.upper())
