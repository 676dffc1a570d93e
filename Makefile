# Two commands do all the set-up on a fresh machine with Python 3.11+:
#   make run    the assistant (terminal chat on SQLite without BOT_TOKEN)
#   make test   lint, type check and the whole test suite
# While working: make test-fast (unit and the quick integration tests, under a minute)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test test-fast lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# setuptools warns about every editable install of a flat layout; nothing is wrong here.
	PYTHONWARNINGS='ignore:Editable installation' $(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/.installed
	$(BIN)/python -m bot

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy
	# the layers and no import cycles: the contracts in pyproject.toml
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest

# The inner loop: no lint, no bot process (tests/e2e), nothing marked slow, and no PostgreSQL
# or Redis even when TEST_POSTGRES_URL/TEST_REDIS_URL are set (make test runs all of those).
test-fast: $(BIN)/.installed
	$(BIN)/python -m pytest -q tests/unit tests/integration -m "not slow and not postgres and not redis"

bench: $(BIN)/.installed
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .import_linter_cache
