# Two commands for a fresh machine with Python 3.11+ and make:
#   make run    create .venv, install, migrate, serve on http://127.0.0.1:8000 (SQLite under ./data/)
#   make test   lint, unit, API, migration, browser and accessibility tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint format check-content migrate clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.11")'
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

# Two processes (pytest-xdist): the machines this runs on have two cores.
test: lint
	$(BIN)/python -m app.content.check
	$(BIN)/python -m pytest -n 2 --dist loadfile

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .ruff_cache
