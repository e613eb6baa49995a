# The two commands a newcomer needs: `make run` and `make test`. Each first
# installs the Debian packages it needs and the machine lacks
# (scripts/system-packages, the only list of them), then the virtualenv.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

SYSTEM_PACKAGES := ./scripts/system-packages
# pytest-xdist processes for `make test`: one per core (auto), or
# `make test PYTEST_WORKERS=0` for one process (to use pdb, say).
PYTEST_WORKERS ?= auto

.PHONY: run test test-quick lint format install clean backup restore audit

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# The packages come before the virtualenv (python3.11-venv makes it), so
# they are the recipe's first step rather than a prerequisite.
run:
	@$(SYSTEM_PACKAGES) --run
	@$(MAKE) --no-print-directory install
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

test:
	@$(SYSTEM_PACKAGES) --test
	@$(MAKE) --no-print-directory install
	$(PY) -m pytest -n $(PYTEST_WORKERS)

# The quick part, while working: no browser journeys (so no Chromium), no
# permission matrix, fuzzing or backup round trip (the `slow` marker).
test-quick:
	@$(SYSTEM_PACKAGES) --run
	@$(MAKE) --no-print-directory install
	$(PY) -m pytest -n $(PYTEST_WORKERS) -m "not browser and not slow"

# ruff, and import-linter for the layers between the apps ([tool.importlinter]
# in pyproject.toml).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The database (SQLite or PostgreSQL, from DATABASE_URL) and the uploaded
# files together in var/backups/pq-YYYYMMDD-HHMMSS.tar.gz; `make restore
# FILE=…` puts both back (it asks first). README: "Backups and restore".
backup: install
	$(PY) manage.py backup

restore: install
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=var/backups/pq-YYYYMMDD-HHMMSS.tar.gz" >&2; exit 2; }
	$(PY) manage.py restore "$(FILE)"

# Known vulnerabilities in the installed packages, from the PyPI advisory
# database: needs the network, so it is not part of CI. pip-audit lives in its
# own virtualenv (var/pip-audit), apart from the project's packages.
audit: install
	test -x var/pip-audit/bin/pip-audit || { $(PYTHON) -m venv var/pip-audit && var/pip-audit/bin/pip install --quiet pip-audit; }
	var/pip-audit/bin/pip-audit --path $$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
