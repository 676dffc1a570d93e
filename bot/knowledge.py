"""The live knowledge base: replaced whole on reload, the old one kept when a load fails."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from notices import Answerer, KnowledgeBase, RegionMilestone, load_knowledge_base

logger = logging.getLogger(__name__)


class Knowledge:
    """Hold the notice knowledge base, staff milestones overlaid, and its answerer."""

    def __init__(self, base: KnowledgeBase, directory: Path | None = None) -> None:
        self.directory = directory
        self._base = base
        self._milestones: tuple[RegionMilestone, ...] = ()
        self.kb = base
        self._answerer: Answerer | None = None

    @property
    def answerer(self) -> Answerer:
        """Return the answerer of the live base, built on first use."""
        if self._answerer is None:
            self._answerer = Answerer(self.kb)
        return self._answerer

    @classmethod
    def load(cls, directory: Path | None = None) -> Knowledge:
        """Load the notice files (the bundled ones when `directory` is None)."""
        return cls(load_knowledge_base(directory), directory)

    def reload(self) -> KnowledgeBase:
        """Load the notice files again; on any error raise and keep serving the old base."""
        base = load_knowledge_base(self.directory)
        kb = base.with_milestones(self._milestones)
        answerer = Answerer(kb)
        self._base, self.kb, self._answerer = base, kb, answerer
        logger.info("knowledge base reloaded: year %s", kb.year)
        return kb

    def set_milestones(self, milestones: Sequence[RegionMilestone]) -> KnowledgeBase:
        """Overlay staff-given region milestones on the notice data."""
        kb = self._base.with_milestones(milestones)
        self._milestones, self.kb, self._answerer = tuple(milestones), kb, None
        return kb
