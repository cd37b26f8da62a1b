# Sopeli — the everyday commands. `make run` to try it, `make test` before every commit.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PYTEST_ARGS ?=
# Directories that hold no source of ours: never scanned for messages.
IGNORE := --ignore '.venv' --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'var/*' \
          --ignore 'bench-results/*' --ignore 'test-artifacts/*' --ignore 'node_modules/*'

# Compile the project's .po catalogues (Django's, allauth's etc. ship compiled). Nothing to do
# until the first `make messages` has created sopeli/locale/.
define compile_messages
	@if ! find sopeli -path '*/locale/*' -name '*.po' | grep -q .; then \
	  echo "no .po catalogues yet (make messages creates them)"; \
	elif ! command -v msgfmt >/dev/null; then \
	  echo "WARNING: gettext is not installed (apt-get install gettext): Sopeli's own text stays in English"; \
	else $(MANAGE) compilemessages --ignore '.venv' -v 0 && echo "messages compiled"; fi
endef

.PHONY: help run test bench bench-outbox bench-opendata concurrency messages lint

help:
	@echo "make run       install, migrate, load the Kazbegi demo once, serve at http://127.0.0.1:8000/ with the worker"
	@echo "make test      install the test tools and run the whole suite (PYTEST_ARGS='-k x' to narrow)"
	@echo "make bench     throughput and latency of the main pages on a large synthetic network (PostgreSQL + gunicorn + wrk),"
	@echo "               timings of non-page work, and the 360Giving/IATI exports of 100,000 grants (time, peak memory)"
	@echo "make concurrency  200 submissions racing a deadline and two managers racing one budget, on PostgreSQL + gunicorn"
	@echo "make messages  extract the interface text into sopeli/locale (ka, en) and compile it"
	@echo "make lint      ruff"

PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check --no-input

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The pinned installer first (requirements-bootstrap.lock says why), so the result never depends on
# the pip that `python3 -m venv` happened to bring.
$(VENV)/.installer: requirements-bootstrap.lock | $(BIN)/python
	$(PIP) install --require-hashes --no-deps -r requirements-bootstrap.lock
	@touch $@

# Stamps: reinstall only when a lock file changed.
$(VENV)/.installed-runtime: requirements.lock $(VENV)/.installer
	$(PIP) install --require-hashes -r requirements.lock
	@touch $@

$(VENV)/.installed-dev: requirements-dev.lock $(VENV)/.installer
	$(PIP) install --require-hashes -r requirements-dev.lock
	@touch $@

run: $(VENV)/.installed-runtime
	$(compile_messages)
	$(MANAGE) collectstatic --noinput -v 0
	@mkdir -p var
	$(MANAGE) migrate --noinput -v 0 && echo "database up to date"
	@if $(MANAGE) help seed_demo >/dev/null 2>&1; then \
	  $(MANAGE) seed_demo --if-empty; \
	else echo "(the seed_demo command is not there yet: starting with an empty database)"; fi
	@echo "Sopeli is starting at http://$${SOPELI_BIND:-127.0.0.1:8000}/ with its worker (Ctrl+C stops both)"
	@scripts/run.sh

test: $(VENV)/.installed-dev
	$(compile_messages)
	$(BIN)/pytest $(PYTEST_ARGS)

# The pages and work of every area (bench/run.py's suites), then the open-data exports of 100,000 grants.
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py
	$(BIN)/python bench/opendata.py
	$(BIN)/python bench/outbox.py

concurrency: $(VENV)/.installed-dev
	$(BIN)/python bench/concurrency.py

bench-outbox: $(VENV)/.installed-dev
	$(BIN)/python bench/outbox.py

bench-opendata: $(VENV)/.installed-dev
	$(BIN)/python bench/opendata.py

messages: $(VENV)/.installed-dev
	$(MANAGE) makemessages -l ka -l en --no-obsolete $(IGNORE)
	$(compile_messages)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
