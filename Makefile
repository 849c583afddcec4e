# Atelier: `make run` serves the demo, `make test` runs the whole suite (both from a fresh clone).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= workshop_site.settings.dev

.DEFAULT_GOAL := help
.PHONY: help install install-dev run demo migrate test test-fast lint format lock messages check clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# A stamp per lock file: reinstall only when the lock changes.
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	@touch $@

$(VENV)/.installed-dev: requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.lock
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed ## Create .venv and install the pinned dependencies

install-dev: $(VENV)/.installed-dev ## The same, with the test and lint tools

messages: ## Compile the translations (.po → .mo)
	@if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then $(BIN)/python manage.py compilemessages --ignore=.venv -v0; fi

migrate: install messages ## Apply the database migrations (SQLite under var/ unless DATABASE_URL is set)
	@mkdir -p var
	$(BIN)/python manage.py migrate --no-input -v0

demo: migrate ## Load the demo data (idempotent)
	$(BIN)/python manage.py seed_demo

run: demo ## Serve the demo with daphne on 127.0.0.1:$(PORT)
	@echo ""
	@echo "  Atelier is running:"
	@echo "    site        http://127.0.0.1:$(PORT)/"
	@echo "    admin       http://127.0.0.1:$(PORT)/admin/"
	@echo "    join DEMO29 http://127.0.0.1:$(PORT)/w/DEMO29/"
	@echo "    API         http://127.0.0.1:$(PORT)/api/docs"
	@echo "  Demo logins (password: $${DEMO_PASSWORD:-atelier-demo}):"
	@echo "    admin (superuser), facilitator (Facilitators), rezina, calarasi, dubasari (office teams)"
	@echo ""
	$(BIN)/daphne -b 127.0.0.1 -p $(PORT) workshop_site.asgi:application

# The tests that share nothing but their database run on every core (a test database and a
# Redis database per process); the browser and fault tests after them, one at a time (each starts
# its own daphne, Chromium or redis-server, and two at once on two cores make their waits flaky).
SERIAL_TESTS := tests/browser tests/faults

test: install-dev messages ## Run the whole suite (browser tests included when Chromium is there)
	DJANGO_SETTINGS_MODULE=workshop_site.settings.test $(BIN)/python -m pytest -n auto $(SERIAL_TESTS:%=--ignore=%)
	DJANGO_SETTINGS_MODULE=workshop_site.settings.test $(BIN)/python -m pytest $(SERIAL_TESTS)

# The edit-run loop: no real browser, no fault injection with server processes, no upgrade of
# an old database. `make test` (and CI) still run everything.
test-fast: install-dev messages ## The suite but its browser, fault and upgrade tests, on every core (the edit-run loop)
	DJANGO_SETTINGS_MODULE=workshop_site.settings.test $(BIN)/python -m pytest -q -n auto \
		--ignore=tests/browser --ignore=tests/faults --ignore=tests/upgrade

check: install-dev ## Django checks, migrations in sync, lint
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .

lint: install-dev ## ruff
	$(BIN)/ruff check .

format: install-dev ## ruff format + fix imports
	$(BIN)/ruff check --fix --select I .
	$(BIN)/ruff format .

lock: install-dev ## Re-pin requirements*.lock from pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --no-header --allow-unsafe --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --no-header --allow-unsafe --no-emit-index-url --no-emit-find-links --extra dev -o requirements-dev.lock pyproject.toml

clean: ## Remove .venv and var/ (the SQLite database and media)
	rm -rf $(VENV) var

# --- the live-voting benchmark (bench/RESULTS.md) -------------------------------------------------
.PHONY: bench bench-scaleout

bench: install-dev messages ## Benchmark the live room (2,000 phones) and the sweep (1,000) beside a bare Channels baseline
	$(BIN)/python -m bench.run

bench-scaleout: install-dev messages ## The same on PostgreSQL + Redis with two daphne processes (createdb must work)
	$(BIN)/python -m bench.run --scaleout --out bench/results/scaleout.json
