"""Fixtures and hooks for every tier: the adversarial tally, service URLs, the texts and the
bundled knowledge base.

Database, dispatcher and chat fixtures are in tests/integration/conftest.py; the bot run as a
process in tests/e2e/conftest.py; the fake Bot API server (`fake_api`) is here, for the
integration tests of the fake and for end-to-end tests.
"""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from bot.knowledge import Knowledge
from bot.texts import Texts
from notices import KnowledgeBase, load_knowledge_base

if TYPE_CHECKING:
    from tests.fakes.bot_api import FakeBotAPI

REPO_ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("TEST_REDIS_URL")
ON_CI = os.environ.get("CI", "").lower() == "true"
TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"
ADVERSARIAL_GROUPS = (
    "authorization", "sandbox", "CSV", "chat input", "notice files", "webhook", "faults",
    "privacy", "start-up",
)
_adversarial: dict[str, dict[str, int]] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Note each adversarial case's group, for the count at the end of the run."""
    for item in items:
        marker = item.get_closest_marker("adversarial")
        if marker is not None:
            assert marker.args[0] in ADVERSARIAL_GROUPS, marker.args
            item.user_properties.append(("adversarial", marker.args[0]))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    group = dict(report.user_properties).get("adversarial")
    # A case counts once: at its call, or at its setup when it never got that far.
    counted = report.when == "call" or (report.when == "setup" and report.outcome != "passed")
    if group is None or not counted:
        return
    tally = _adversarial.setdefault(str(group), {"passed": 0, "failed": 0, "skipped": 0})
    tally[report.outcome] += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print how many adversarial cases each group tried, and how many held."""
    if not _adversarial:
        return
    terminalreporter.section("adversarial cases")
    for group in ADVERSARIAL_GROUPS:
        tally = _adversarial.get(group, {"passed": 0, "failed": 0, "skipped": 0})
        tried = tally["passed"] + tally["failed"]
        terminalreporter.write_line(
            f"{group:14} tried {tried:4}  held {tally['passed']:4}  skipped {tally['skipped']}"
        )


def require_service(name: str, url: str | None) -> str:
    """Return the service URL; skip without it, except on CI where it must be there."""
    if url:
        return url
    reason = f"no {name} server: set TEST_{name.upper()}_URL to run this test"
    if ON_CI:
        pytest.fail(reason + " (CI must run it)")
    pytest.skip(reason)


@pytest.fixture
def postgres_url() -> str:
    return require_service("postgres", POSTGRES_URL)


@pytest.fixture
def redis_url() -> str:
    return require_service("redis", REDIS_URL)


@pytest.fixture(scope="session")
def texts() -> Texts:
    return Texts()


@pytest.fixture(scope="session")
def bundled_kb() -> KnowledgeBase:
    """The bundled notice files, parsed once per run: a KnowledgeBase is immutable."""
    return load_knowledge_base()


@pytest.fixture
def knowledge(bundled_kb: KnowledgeBase) -> Knowledge:
    """The bundled notice knowledge base, as `Knowledge.load()` gives it (fresh per test: staff
    tests overlay milestones, which makes a new KnowledgeBase and leaves the shared one be)."""
    return Knowledge(bundled_kb)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def unused_port() -> int:
    return free_port()


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    """The fake Bot API server on a loopback port (imported here only when used)."""
    from tests.fakes.bot_api import FakeBotAPI

    async with FakeBotAPI() as api:
        yield api
