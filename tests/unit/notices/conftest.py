"""Fixtures for the knowledge-base tests: one loaded KB and answerer per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from notices import DATA_DIR, Answerer, KnowledgeBase, load_knowledge_base


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(scope="session")
def answerer(kb: KnowledgeBase) -> Answerer:
    return Answerer(kb)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """Return a writable copy of the bundled data directory."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target

