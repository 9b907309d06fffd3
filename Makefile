# Weerbaar: `make demo` runs the platform with demo data on SQLite; `make test` runs everything.
PYTHON ?= $(shell command -v python3.13 || command -v python3.12 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# A throwaway database per run: pytest-django creates test_<name> and drops it afterwards.
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/weerbaar_$(shell date +%s)_$$$$

.PHONY: demo install test lint typecheck checks messages messages-check test-sqlite test-postgres test-browser clean

$(VENV)/.installed: pyproject.toml requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

demo: install
	mkdir -p var
	$(MANAGE) migrate --no-input -v 0
	$(MANAGE) load_demo_data
	$(MANAGE) runserver 127.0.0.1:8000

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

# Migrations match the models, production settings pass the deploy checks, the API schema is valid.
checks: install
	$(MANAGE) makemigrations --check --dry-run -v 0
	DJANGO_SETTINGS_MODULE=weerbaar.conf.test $(MANAGE) spectacular --validate --fail-on-warn --file /dev/null
	DJANGO_SETTINGS_MODULE=weerbaar.conf.production SECRET_KEY=check-deploy-$$(date +%s)-abcdefghijklmnopqrstuvwxyz0123456789 ALLOWED_HOSTS=weerbaar.example.nl $(MANAGE) check --deploy --fail-level WARNING

test-sqlite: install
	$(VENV)/bin/pytest -m "not browser and not celery_worker" -n 2 -q

# The PostgreSQL run also sends a Celery task through the local Redis to a real worker.
CELERY_TEST_BROKER_URL ?= redis://127.0.0.1:6379/15

test-postgres: install
	DATABASE_URL=$(PG_TEST_URL) $(VENV)/bin/pytest -m "not browser and not celery_worker" -n 2 -q
	DATABASE_URL=$(PG_TEST_URL) CELERY_TEST_BROKER_URL=$(CELERY_TEST_BROKER_URL) $(VENV)/bin/pytest -m celery_worker -q

test-browser: install
	$(VENV)/bin/pytest -m browser -q

# The Dutch catalogue (src/weerbaar/locale/nl) and its compiled .mo are committed, so that
# `make demo` needs no gettext. `make messages` refreshes both after changing strings.
MESSAGES_ARGS := -l nl --no-obsolete --no-location --ignore=.venv --ignore=node_modules --ignore=tests --ignore=bench --ignore=static_collected

messages: install
	cd src/weerbaar && $(abspath $(PY)) $(abspath manage.py) makemessages $(MESSAGES_ARGS) -v 0
	cd src/weerbaar && $(abspath $(PY)) $(abspath manage.py) compilemessages -v 0

# Fails when a string in the code has no Dutch translation, or the .mo is stale.
messages-check: install
	cd src/weerbaar && $(abspath $(PY)) $(abspath manage.py) makemessages $(MESSAGES_ARGS) -v 0
	$(PY) -m weerbaar.core.catalogue src/weerbaar/locale/nl/LC_MESSAGES/django.po

test: lint typecheck checks messages-check test-sqlite test-postgres test-browser

clean:
	rm -rf $(VENV) node_modules static_collected .pytest_cache .mypy_cache
