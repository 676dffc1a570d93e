"""The reply context of one update: the asker's language, the texts and the live knowledge base.

A middleware (handlers.middlewares.ReplyMiddleware) builds it once the language is known and
hands it to handlers as `reply`, so no helper takes texts, locale and kb one by one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from bot.knowledge import Knowledge
from bot.texts import Locale, Texts
from notices import KnowledgeBase, Region, Step


@dataclass(frozen=True, slots=True)
class Reply:
    texts: Texts
    locale: Locale
    knowledge: Knowledge

    @property
    def kb(self) -> KnowledgeBase:
        """Return the knowledge base live now (staff may reload it or import milestones)."""
        return self.knowledge.kb

    def render(self, name: str, /, **context: Any) -> str:
        """Render template `name` in this reply's language."""
        return self.texts.render(name, self.locale, **context)

    def chunks(self, name: str, /, **context: Any) -> Iterator[str]:
        """Render template `name` and split it into message-sized pieces."""
        return self.texts.chunks(name, self.locale, **context)

    def label(self, key: str) -> str:
        return self.texts.label(self.locale, key)

    def labels(self) -> dict[str, str]:
        return self.texts.labels(self.locale)

    def to(self, locale: Locale) -> Reply:
        """Return the same context in another language."""
        return self if locale == self.locale else replace(self, locale=locale)

    def step_name(self, step: Step) -> str:
        return self.kb.step_rule(step).name(self.locale)

    def region_name(self, region: Region | None) -> str | None:
        return region.name(self.locale) if region is not None else None
