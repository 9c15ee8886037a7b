# Kejia — the two set-up commands are `make demo` and `make test` (README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
DEMO_ORGS ?= 2500
DEMO_PEOPLE ?= 3000
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: demo test lint install install-dev serve messages bench clean

# One virtual environment, two stamps: `make demo` installs what runs Kejia (requirements.txt),
# `make test` adds the test and lint tools (requirements-dev.txt). A stamp newer than its files
# means nothing to install: a second `make demo` does not run pip.
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): requirements.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(DEV_STAMP): requirements-dev.txt requirements.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(RUNTIME_STAMP)

install: $(RUNTIME_STAMP)
install-dev: $(DEV_STAMP)

# The demo runs with the development keys published in kejia/settings/base.py (kejia/core/keys.py
# refuses them anywhere else); set SECRET_KEY and PII_KEY in the environment for anything real.
demo bench: export ALLOW_DEVELOPMENT_KEYS ?= true

# migrate, seed_demo --if-empty, demo_logins and serve with the task worker, in one process
# (kejia/demo/management/commands/run_demo.py); Ctrl-C stops the server and the worker.
demo: install
	@exec $(PY) manage.py run_demo --orgs $(DEMO_ORGS) --people $(DEMO_PEOPLE) --host $(HOST) --port $(PORT)

# granian with WEB_WORKERS × WEB_THREADS (default 2 workers; threads 8 on PostgreSQL, 4 on SQLite,
# at most 2 × CPUs + 1), refused when that would not fit the database's connection limit (docs/deploy.md).
serve: install
	$(PY) manage.py serve --host $(HOST) --port $(PORT) --log-level info

lint: install-dev
	mkdir -p var
	$(VENV)/bin/ruff check kejia bench tests
	$(VENV)/bin/ruff format --check kejia bench tests
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run -v 0

test: lint
	$(VENV)/bin/pytest -q -n $(PYTEST_WORKERS) --dist loadfile

messages: install
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --no-location -i ".venv/*" -i "var/*" -i "bench/*" -i "tests/*"
	$(PY) manage.py compilemessages -l zh_Hans -i ".venv" -i "var"

bench: install-dev
	$(PY) bench/subtree.py

clean:
	rm -rf $(VENV) var
