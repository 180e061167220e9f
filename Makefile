# Everything a fresh machine needs: `make demo` and `make test` create .venv and install first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO := demo-output

.PHONY: demo serve test lint typecheck docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python scripts/demo.py $(DEMO)

# The exchange server over the demo's store: the reviewers' pages at http://127.0.0.1:8000/web.
serve: $(STAMP)
	$(BIN)/precursorwatch serve --db sqlite:///$(DEMO)/exchange.db

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy

# PostgreSQL tests use $$PRECURSORWATCH_TEST_PG; when unset, scripts/test_postgres.sh starts
# the local server, allows trust auth on 127.0.0.1 and creates database `test` (DEVELOPERS.md).
# The browser tests drive Debian's Chromium; scripts/chromium.sh installs it when missing.
test: lint typecheck
	PRECURSORWATCH_TEST_PG="$${PRECURSORWATCH_TEST_PG:-$$(bash scripts/test_postgres.sh)}" \
	PRECURSORWATCH_CHROMIUM="$${PRECURSORWATCH_CHROMIUM:-$$(bash scripts/chromium.sh)}" \
		$(BIN)/python -m pytest -q

docs: $(STAMP)
	$(BIN)/python scripts/cli_reference.py > docs/cli.md

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache
