# Kejia — the two set-up commands are `make demo` and `make test` (README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
DEMO_ORGS ?= 2500
DEMO_PEOPLE ?= 3000
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: demo test lint install serve messages bench clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

install: $(VENV)/.installed

# The demo runs with the development keys published in kejia/settings/base.py (kejia/core/keys.py
# refuses them anywhere else); set SECRET_KEY and PII_KEY in the environment for anything real.
demo bench: export ALLOW_DEVELOPMENT_KEYS ?= true

demo: install
	mkdir -p var/static
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_demo --if-empty --orgs $(DEMO_ORGS) --people $(DEMO_PEOPLE)
	$(PY) manage.py demo_logins --url http://$(HOST):$(PORT)/
	@echo "Kejia serves on http://$(HOST):$(PORT)/  (Ctrl-C stops it; background tasks log to var/worker.log)"
	@trap 'kill 0' INT TERM EXIT; \
	$(PY) manage.py db_worker --interval 1 > var/worker.log 2>&1 & \
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

# granian with WEB_WORKERS × WEB_THREADS (default 2 × 8), refused when that would not fit the
# database's connection limit (docs/deploy.md).
serve: install
	$(PY) manage.py serve --host $(HOST) --port $(PORT) --log-level info

lint: install
	mkdir -p var
	$(VENV)/bin/ruff check kejia bench tests
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run -v 0

test: lint
	$(VENV)/bin/pytest -q -n $(PYTEST_WORKERS) --dist loadfile

messages: install
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --no-location -i ".venv/*" -i "var/*" -i "bench/*" -i "tests/*"
	$(PY) manage.py compilemessages -l zh_Hans -i ".venv" -i "var"

bench: install
	$(PY) bench/subtree.py

clean:
	rm -rf $(VENV) var
