# Staff accounts: developer commands. Needs only Python 3.11+ and make.
#
#   make run     set up .venv, then serve the demo on http://127.0.0.1:8000
#   make test    set up .venv, then lint and run the whole test suite
#   make lint    ruff, mypy and the schema.graphql check
#   make schema  regenerate schema.graphql from the code
#   make documents  regenerate backend/data/spa-documents.json (the SPA's trusted documents) from frontend/src
#   make conformance  graphql-http's GraphQL over HTTP audit against a running server (Node.js, npm)
#   make bench   the benchmark suite in bench/ (PostgreSQL, wrk, Node.js via npm); prints one table
#   make clean   remove .venv and var/ (the SQLite database)
#
# PYTHON=python3.12 picks the interpreter that creates .venv (default: python3).
# HOST=... PORT=... change where `make run` listens.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Written after a successful install; older than pyproject.toml means "install again".
STAMP := $(VENV)/.installed

# Exits non-zero when the interpreter it runs on is older than 3.11.
PY_VERSION_OK := import sys; sys.exit(sys.version_info < (3, 11))

.DEFAULT_GOAL := help
.PHONY: help install run test lint schema documents conformance bench clean

help:
	@echo "make run     start the app with the demo practice (http://127.0.0.1:8000)"
	@echo "make test    make lint, then the whole test suite (SQLite, and PostgreSQL when reachable)"
	@echo "make lint    ruff check, mypy and the schema.graphql check"
	@echo "make schema  regenerate schema.graphql"
	@echo "make documents  regenerate the SPA's manifest of trusted documents"
	@echo "make conformance  GraphQL over HTTP audit (graphql-http, needs Node.js and npm)"
	@echo "make bench   benchmarks B1-B9 on PostgreSQL (BENCH_ARGS='--quick' or '--only staff_page,search', or B1,B3)"
	@echo "make clean   remove .venv and var/"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
		echo "error: '$(PYTHON)' was not found. Install Python 3.11 or newer," \
			"or name one: make $(or $(MAKECMDGOALS),run) PYTHON=python3.12" >&2; \
		exit 1; }
	@$(PYTHON) -c '$(PY_VERSION_OK)' || { \
		echo "error: Python 3.11 or newer is needed to create $(VENV)," \
			"but '$(PYTHON)' is $$($(PYTHON) --version 2>&1)." >&2; \
		echo "       Install a newer one, or name it: make $(or $(MAKECMDGOALS),run) PYTHON=python3.12" >&2; \
		exit 1; }
	@echo "Creating $(VENV) with $$($(PYTHON) --version)"
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "error: '$(PYTHON) -m venv' failed; on Debian/Ubuntu install the python3-venv package." >&2; \
		exit 1; }

$(STAMP): pyproject.toml | $(BIN)/python
	@$(BIN)/python -c '$(PY_VERSION_OK)' || { \
		echo "error: $(VENV) runs $$($(BIN)/python --version 2>&1); 3.11+ is needed." \
			"Run 'make clean' and try again." >&2; exit 1; }
	@echo "Installing the project and its dev tools into $(VENV) (the first time takes a minute or two)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

install: $(STAMP)

run: $(STAMP)
	$(BIN)/staff-accounts serve --demo

test: lint $(STAMP)
	@scripts/ensure-chromium
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy backend bench tests
	$(BIN)/staff-accounts export-schema --check
	$(BIN)/staff-accounts export-documents --check

schema: $(STAMP)
	$(BIN)/staff-accounts export-schema

documents: $(STAMP)
	$(BIN)/staff-accounts export-documents

conformance: $(STAMP)
	conformance/run

# Needs PostgreSQL at 127.0.0.1:5432 (bench/data/fixture.py: staff_bench), wrk and npm.
# BENCH_ARGS: --quick, --only staff_page,search (or the aliases B1,B3), --database-url URL.
bench: $(STAMP)
	@scripts/ensure-wrk
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
