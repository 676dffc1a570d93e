"""The two README commands: `make test` says why tests were skipped."""

from __future__ import annotations

import tomllib

from tests.conftest import REPO_ROOT as ROOT


def test_pytest_reports_skip_reasons() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "-rs" in config["tool"]["pytest"]["ini_options"]["addopts"].split()


def test_make_install_silences_the_editable_install_warning() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "PYTHONWARNINGS='ignore:Editable installation'" in makefile


def test_make_lint_checks_the_import_layers() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "$(BIN)/lint-imports" in lint
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    types = {c["type"] for c in config["tool"]["importlinter"]["contracts"]}
    assert {"layers", "independence", "acyclic_siblings"} <= types
