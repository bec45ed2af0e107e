# The two commands: `make run` and `make test` (README.md). Everything else
# here is a step of those two or a tool for developers.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# `make run` is a local demo: DEBUG on, embedded services unless configured.
RUN_ENV := DEBUG=1
PYTEST_ARGS ?=

.PHONY: install install-dev run test lint format messages check-messages check-migrations check-security bench bench-compare bench-import clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	$(RUN_ENV) $(MANAGE) migrate --noinput
	@$(RUN_ENV) $(MANAGE) create_demo_accounts
	@$(RUN_ENV) $(MANAGE) load_demo
	@echo
	@echo "  Portal: http://127.0.0.1:8000/   (Ctrl-C stops the web server and the worker)"
	@echo
	$(RUN_ENV) PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

test: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-migrations: install
	$(RUN_ENV) $(MANAGE) makemigrations --check --dry-run

# Django's deployment checks under README.md's production block, run as
# written (segur_portal/production_block.py; no warning allowed), and bandit's
# high-severity findings (none allowed).
check-security: install-dev
	$(BIN)/python -m segur_portal.production_block
	$(BIN)/bandit -lll -q -r . -x ./.venv,./var

# Regenerate the English catalogue after changing French strings, then
# translate the new entries in locale/en/LC_MESSAGES/django.po.
messages: install
	$(RUN_ENV) $(MANAGE) makemessages -l en --add-location file --ignore '.venv/*' --ignore 'var/*'
	$(RUN_ENV) $(MANAGE) compilemessages -l en --ignore '.venv' --ignore 'var'

# The committed catalogue is current, fully translated (no empty or fuzzy entry) and compiled (needs gettext).
check-messages: messages
	@if msgattrib --untranslated --no-obsolete locale/en/LC_MESSAGES/django.po | grep -q msgid; then \
		echo "Untranslated strings in locale/en/LC_MESSAGES/django.po:"; \
		msgattrib --untranslated --no-obsolete locale/en/LC_MESSAGES/django.po; exit 1; fi
	@# A fuzzy entry (makemessages' guess from a similar string) is not compiled: English readers would see French.
	@if msgfmt --statistics -o /dev/null locale/en/LC_MESSAGES/django.po 2>&1 | grep -q fuzzy; then \
		echo "Fuzzy (unchecked) translations in locale/en/LC_MESSAGES/django.po:"; \
		msgattrib --only-fuzzy --no-obsolete locale/en/LC_MESSAGES/django.po; exit 1; fi
	git diff --exit-code -I 'POT-Creation-Date' -- locale/

# The portal under load as in production (bench/run.py, README.md "Speed"):
# a fresh PostgreSQL database (segur_bench), load data at BENCH_SCALE (1),
# gunicorn with DEBUG off and the Redis cache, wrk on every page as 60
# signed-in people. Installs wrk (Debian) when missing.
BENCH_SCALE ?= 1
bench: install
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	BENCH_SCALE=$(BENCH_SCALE) $(BIN)/python bench/run.py

# Each page's in-process time at scales 1 and 4, same code, no network or
# queue (bench/compare.py): does a page's cost grow with the data?
bench-compare: install
	$(BIN)/python bench/compare.py

# The catalogue import and publication on generated 1,100- and 4,400-row
# spreadsheets (bench/import_requirements.py): seconds, rows per second and
# queries per row on a scratch database of the configured engine (SQLite by
# default; DATABASE_URL=postgres://… for PostgreSQL).
bench-import: install
	$(RUN_ENV) VAR_DIR=$(CURDIR)/var/bench-import $(BIN)/python bench/import_requirements.py

clean:
	rm -rf $(VENV) var
