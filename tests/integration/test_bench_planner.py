"""The planner benchmark measures like for like: both sides plan the same reminders."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import bench_planner

pytestmark = pytest.mark.slow  # seconds each: see `make test-fast`


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
async def test_planner_and_baseline_plan_the_same_reminders(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if backend == "postgres":  # the benchmark creates and drops a database of its own there
        monkeypatch.setattr(
            bench_planner, "DEFAULT_POSTGRES", request.getfixturevalue("postgres_url")
        )
    url, database = await bench_planner.prepare(backend, 3_000, tmp_path)
    try:
        ours = await bench_planner.run_planner(url, repeats=2)
        base = await bench_planner.run_baseline(url)
    finally:
        if database is not None:
            await bench_planner.drop_database(database)

    assert len(ours["runs"]) == 2
    assert ours["candidates"] == base["candidates"] > 2_500  # a few stopped or blocked
    assert ours["inserted"] == base["jobs"] > 1_000
    assert ours["seconds"] in ours["runs"]
