# Everyday commands. `make run` and `make test` work on a clean clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: security audit run dev-env worker test test-times lint migrations-check install install-dev lock upgrade release collectstatic screenshots bench markdown-fuzz backup restore clean

# The installer is pinned with its hashes like everything it installs.
$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements-pip.txt

# Stamps named after the locks' contents: a changed pin installs again, whatever
# the files' times say (a fresh checkout, a copied .venv). Every package comes
# from a lock with its hashes; the dev install then removes what the lock no
# longer names.
RUN_STAMP := $(VENV)/.installed-run-$(shell cat requirements-pip.txt requirements.txt | sha1sum | cut -c1-12)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat requirements-pip.txt requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)

$(RUN_STAMP): | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements-pip.txt
	$(PY) -m pip install --quiet --require-hashes -r requirements.txt
	touch $@

$(DEV_STAMP): | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements-pip.txt
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	$(VENV)/bin/pip-sync --quiet --pip-args "--require-hashes" requirements-dev.txt
	touch $@ $(RUN_STAMP)

install: $(RUN_STAMP)
install-dev: $(DEV_STAMP)

# The locks, written by pip-tools from the hand-written *.in files: every package,
# those they need too, pinned with the hashes of its files on PyPI.
COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links

## lock: write requirements*.txt again from requirements*.in (after adding a package there)
lock: $(DEV_STAMP)
	$(COMPILE) $(COMPILE_ARGS) --output-file requirements-pip.txt requirements-pip.in
	$(COMPILE) $(COMPILE_ARGS) --output-file requirements.txt requirements.in
	$(COMPILE) $(COMPILE_ARGS) --output-file requirements-dev.txt requirements-dev.in

## upgrade: every package to its newest release, or one: make upgrade PACKAGE=django
upgrade: COMPILE_ARGS = $(if $(PACKAGE),--upgrade-package $(PACKAGE),--upgrade)
upgrade: lock

## run: migrate an SQLite database, load demo content, serve on 127.0.0.1:$(PORT) with a job worker beside it
run: $(RUN_STAMP) dev-env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py qcluster & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# .env, read by manage.py (never by the web server): development settings, so that
# commands typed in another terminal run as the site does. Our three lines are
# written again each time (PORT may have changed); any other line is kept.
DEV_MAIL_DIR ?= var/mail
DEV_ENV_KEYS := DJANGO_DEBUG|SITE_URL|DEV_MAIL_DIR
dev-env:
	@touch .env
	@grep -v -E '^($(DEV_ENV_KEYS))=' .env > .env.new || true
	@printf '%s\n' 'DJANGO_DEBUG=1' 'SITE_URL=http://127.0.0.1:$(PORT)' \
		'DEV_MAIL_DIR=$(DEV_MAIL_DIR)' >> .env.new
	@mv .env.new .env

## worker: run background jobs (mail, schedules) with the site's environment
worker: $(RUN_STAMP)
	$(PY) manage.py qcluster

## backup: one dated archive of the database and the media into BACKUP_DIR (default backups/); a server names its settings: DJANGO_ENV_FILE=/etc/intercessors/environment
BACKUP_DIR ?= backups
backup: $(RUN_STAMP)
	$(PY) manage.py backup --to $(BACKUP_DIR)

## restore: make restore FILE=backups/intercessors-….tar.gz, into an empty database (no tables) and the media storage
restore: $(RUN_STAMP)
	@test -n "$(FILE)" || { echo "Which archive? make restore FILE=backups/intercessors-….tar.gz" >&2; exit 2; }
	$(PY) manage.py restore "$(FILE)"

## test: the suite on every core, in random order, then the tests that need the machine alone (SQLite, or PostgreSQL when DATABASE_URL is set)
test: $(DEV_STAMP)
	$(PY) -m tests.run $(PYTEST_ARGS)

## test-times: the same, with the ten slowest tests of each part
test-times: PYTEST_ARGS += --durations=10
test-times: test

## screenshots: phone and desktop screenshots of the main pages into docs/screenshots
screenshots: $(DEV_STAMP)
	SCREENSHOTS_DIR=docs/screenshots $(PY) -m pytest -q tests/e2e/test_pages.py -k fit

## bench: production-like gunicorn on a large archive under wrk; writes docs/benchmarks.md (BENCH_ONLY=sustained, reads or gunicorn: one section alone)
bench: $(DEV_STAMP)
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(PY) tests/perf/bench.py

## markdown-fuzz: render costly Markdown shapes at the size limit, then search for slower; prints the slowest
markdown-fuzz: $(DEV_STAMP)
	$(PY) -m tests.perf.markdown_fuzz

## lint: ruff, and import-linter's contracts (.importlinter): dependencies run one way
lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-logo

## security: bandit over the code; any high-severity finding fails
security: $(DEV_STAMP)
	$(VENV)/bin/bandit -q -r accounts articles comments intercessors leaders library partners prayers states updates -lll

## audit: known vulnerabilities in the installed dependencies (pip-audit, PyPI); any fails
audit: $(DEV_STAMP)
	$(PY) -m tests.security.audit_dependencies

## migrations-check: no model change lacks its migration, and no waiting migration would break servers still on the old code (release --check)
migrations-check: export DJANGO_DEBUG ?= 1
migrations-check: $(DEV_STAMP)
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py release --check

## release: check the waiting migrations (refusing what would break the servers still on the old code), migrate, collect static files beside the previous release's; on each app server before restarting it
release: $(RUN_STAMP)
	$(PY) manage.py release

collectstatic: $(RUN_STAMP)
	$(PY) manage.py collectstatic --noinput

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
