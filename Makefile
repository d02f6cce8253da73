# Two commands for a fresh machine with Python 3.11+ and make:
#   make run    create .venv, install, migrate, serve on http://127.0.0.1:8000 (SQLite under ./data/)
#   make test   lint, unit, API, migration, browser and accessibility tests
# What they need beyond Python (python3-venv, Chromium, PostgreSQL 15) is installed by
# scripts/system-deps when run as root or with `sudo -n`; otherwise it names the one command to run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint format check-content migrate clean system-deps torch

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.11")'
	@PYTHON=$(PYTHON) scripts/system-deps venv
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs are re-run only when pyproject.toml changes.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/python -m app.serve

migrate: $(VENV)/.installed-run
	$(BIN)/python -m app.migrate

check-content: $(VENV)/.installed-run
	$(BIN)/python -m app.content.check

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

system-deps:
	@scripts/system-deps test

# The CPU build of PyTorch, only for the parity tests (an optional extra, never needed to run the
# app). Where the default package index would pick a multi-gigabyte GPU build, point
# TORCH_INDEX_URL at PyTorch's CPU-only wheel index (README: "PyTorch parity tests").
TORCH_VERSION := 2.13.0
torch: $(VENV)/.installed-dev
	$(BIN)/python -m pip install --quiet 'torch==$(TORCH_VERSION)' $(if $(TORCH_INDEX_URL),--index-url $(TORCH_INDEX_URL))

# Two processes (pytest-xdist): the machines this runs on have two cores.
test: system-deps lint
	$(BIN)/python -m app.content.check
	$(BIN)/python -m pytest -n 2 --dist loadfile

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .ruff_cache
