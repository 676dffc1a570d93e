"""Domain errors: each maps to a reply template in the error router."""

from __future__ import annotations

from typing import Any


class AssistantError(Exception):
    """Base of errors that end in a friendly reply rendered from `template`."""

    template = "errors/generic"

    def __init__(self, **context: Any) -> None:
        super().__init__(self.template)
        self.context = context


class DataForgotten(AssistantError):
    """Someone who deleted their data (/forget) sent a command that would re-create them."""

    template = "journey/forgotten_restart"


class StartupError(Exception):
    """A configuration or environment problem that stops the process with one clear line."""


class Throttled(Exception):
    """An update dropped because its sender already has too many waiting: a flood costs the
    flooder, not everyone else."""
