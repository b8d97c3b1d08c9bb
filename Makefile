# Knutpunkt: `make run` sets up and serves the app, `make test` sets up and runs every check.
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_DEVIATIONS ?= 3000
DEMO_SEED ?= 2017
# The local server and set-up commands run in development mode unless told otherwise.
export DEBUG ?= 1

.PHONY: run run-national setup venv migrate messages catalogue demo test lint pytest lock clean bench serve-prod \
	mutants upgrade-check \
	system-deps test-deps

# Debian packages, installed with apt-get when missing (bin/system-deps): gettext compiles the
# translations, WeasyPrint's Pango renders dossier PDFs, pysaml2 signs and checks SAML with
# xmlsec1 (single sign-on); the tests also drive chromium and check the generated nginx
# configuration; the replica test (tests/replica) starts a PostgreSQL primary and a streaming
# replica of its own from Debian's server binaries.
RUN_PACKAGES := gettext libpango-1.0-0 libpangoft2-1.0-0 xmlsec1
# make test-deps: bin/system-deps runs apt-get install for what is missing.
TEST_PACKAGES := $(RUN_PACKAGES) chromium nginx postgresql

run: setup ## Set everything up, then serve on http://127.0.0.1:8000
	$(MANAGE) runserver $(HOST):$(PORT)

setup: venv migrate messages catalogue demo

# Federated knots on one machine (docs/federation.md): three sites with their own databases and
# a national instance (KNUTPUNKT_NATIONAL) on ports 8000–8003, kept in var/federation.
run-national: venv messages
	$(PY) deploy/federation_local.py --work var/federation --port $(PORT)

# The production set-up on loopback (README, "Drift"): nginx on :8080, two gunicorn instances,
# a task worker and PostgreSQL (DATABASE_URL, or a throw-away cluster from pg_virtualenv).
serve-prod: venv messages
	@bin/system-deps nginx postgresql-common postgresql-15
	$(PY) deploy/serve_prod.py

venv: $(VENV)/.installed

# Reinstall when the declared or pinned dependencies change.
$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(PY) || { PYTHON=$${PYTHON:-$$(bin/find-python)} && "$$PYTHON" -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $@

migrate: venv
	@mkdir -p var
	$(MANAGE) migrate --no-input

system-deps:
	@bin/system-deps $(RUN_PACKAGES)

test-deps:
	@bin/system-deps $(TEST_PACKAGES)

messages: venv system-deps
	$(MANAGE) compilemessages --ignore=.venv --ignore=var -v 0

catalogue: migrate
	$(MANAGE) load_catalogue
	$(MANAGE) load_steering_groups

demo: catalogue
	$(MANAGE) seed_demo --deviations $(DEMO_DEVIATIONS) --seed $(DEMO_SEED)
	$(MANAGE) create_demo_users
	$(MANAGE) seed_demo_barriers

# Rehearse an upgrade on a throw-away copy of a backup, never the live database
# (docs/upgrades.md). Exit status 1: the upgrade failed on it; 2: it could not be checked.
upgrade-check: venv ## Restore BACKUP=path into a throw-away database, upgrade it, report the changes
	@test -n "$(BACKUP)" || { echo "make upgrade-check needs BACKUP=path: a SQLite file copy, a pg_dump archive or a SQL dump (docs/upgrades.md)." >&2; exit 2; }
	$(PY) deploy/upgrade_check.py "$(BACKUP)"

test: test-deps venv messages lint pytest

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

pytest: venv test-deps
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Refresh the pinned versions after changing dependencies in pyproject.toml.
lock:
	rm -rf var/lockenv && $$(bin/find-python) -m venv var/lockenv
	var/lockenv/bin/pip install --quiet -e ".[dev]"
	var/lockenv/bin/pip freeze --exclude-editable --exclude knutpunkt > constraints.txt
	rm -rf var/lockenv

clean:
	rm -rf $(VENV) var

# Benchmarks print their figures; record them in benchmarks/README.md.
bench: venv
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev,bench]"
	$(PY) benchmarks/tagging.py
	$(PY) benchmarks/knots.py
	$(PY) benchmarks/analysis.py
	$(PY) benchmarks/filing.py
	$(PY) benchmarks/imports.py

# Mutation testing of the personal-data detector and gate (docs/privacy.md, "Mutation testing"):
# CPU heavy, one worker, not part of `make test`.
mutants: venv
	rm -rf mutants
	$(VENV)/bin/mutmut run --max-children 1
	$(VENV)/bin/mutmut results
