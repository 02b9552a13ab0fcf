# attunement: `make play` to practise, `make test` to run every check.
PYTHON ?= python3
# bash with pipefail: a failing install fails the target even when its output is filtered
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
VENV   := .venv
BIN    := $(VENV)/bin
# Installs come from the lock files in .ci/ (`make lock` writes them from pyproject.toml).
RUNTIME := $(VENV)/.runtime
DEV     := $(VENV)/.dev

.PHONY: play test check pytest postgres chromium bench lint-vignettes format lock clean

# The storage tests start a throwaway PostgreSQL server (tests/pgserver.py) from Debian's package.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# `make play` needs the runtime only; `make test` adds the dev tools and the PostgreSQL driver.
$(RUNTIME): pyproject.toml .ci/requirements.txt | $(VENV)/bin/python
	@echo "Setting up attunement (first run only): installing the runtime from .ci/requirements.txt..."
	@# one line per package as it is fetched and installed: progress, not a silent wait
	$(BIN)/python -m pip install --progress-bar off -r .ci/requirements.txt \
	  | { grep --line-buffered -E '^(Collecting|Installing|Successfully)' || true; }
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m compileall -q simulator scoring
	touch $(RUNTIME)

$(DEV): $(RUNTIME) .ci/requirements-dev.txt
	@echo "Installing the development tools..."
	$(BIN)/python -m pip install --quiet --progress-bar off -r .ci/requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e '.[dev,postgres,lti]'
	touch $(DEV)

play: $(RUNTIME)
	$(BIN)/attune play

test: check pytest

check: $(DEV)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/attune lint vignettes/

pytest: $(DEV) postgres chromium
	$(BIN)/pytest

# The browser test drives Debian's chromium with Playwright (no browser download).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium package (for the browser test)..."; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  echo "Installing Debian's postgresql package (for the storage tests)..."; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; }

bench: $(DEV) postgres
	$(BIN)/python tests/bench/run.py

format: $(DEV)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Pin every dependency (and theirs) for `make play` and `make test`, from pyproject's ranges.
lock: $(DEV)
	$(BIN)/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links \
	  -o .ci/requirements.txt pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links \
	  --extra dev --extra postgres --extra lti -o .ci/requirements-dev.txt pyproject.toml

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
