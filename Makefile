# Two commands on a fresh machine: `make demo` and `make test`. Everything else is a helper they use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
export DJANGO_SETTINGS_MODULE ?= backoffice.settings.local

.PHONY: demo test install services chromium db migrate run lint otp clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

services:
	@bash scripts/ensure-services.sh

chromium:
	@test -x /usr/bin/chromium || { echo "Installing Debian's chromium for browser tests…"; \
	  (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || \
	  { echo "Could not install chromium (needs root and apt); browser tests will fail." >&2; exit 1; }; }

db: install services
	@$(PY) scripts/ensure_db.py

migrate: db
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo
	@echo ""
	@echo "Starting web (http://localhost:8000), Celery worker and beat. Ctrl-C stops everything."
	$(VENV)/bin/honcho -f Procfile.dev start

run: migrate
	$(PY) manage.py runserver 0.0.0.0:8000

test: install services chromium
	$(VENV)/bin/ruff check .
	DJANGO_SETTINGS_MODULE=backoffice.settings.test $(VENV)/bin/pytest -q $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

otp: install
	@$(PY) manage.py demo_totp $(or $(USER_NAME),admin)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
