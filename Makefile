# Digital commissioners' remarks tracker.
#
#   make run           development server with demo data on http://127.0.0.1:8000/ (PORT=...)
#   make serve         production-like on 127.0.0.1:8000: DEBUG off, static files, gunicorn
#   make test          the whole suite: lint, SQLite, PostgreSQL and browser passes
#   make lint          ruff and the module size limit (the first pass of make test)
#   make deploy-check  Django's deployment checklist with production-like variables
#   make messages      update and compile the kk / ru / en translation catalogues
#   make lock          re-pin every package in constraints.txt after a requirements change
#   make cluster-test  two app servers on one database under load (about a minute)
#   make bench         benchmarks at 1,000 and 100,000 remarks (docs/benchmarks.md); MILLION=1 adds 1,000,000
#   make clean         remove generated files (keeps .venv and db.sqlite3); distclean: all
#
# REQUIRE_ALL=1 (CI): a pass that cannot run (no PostgreSQL, no Chromium), a skipped test
# or a pass without tests fails the run instead of being skipped.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8000
REQUIRE_ALL ?= 0
PYTEST_ARGS ?=

VENV := .venv
PY := $(VENV)/bin/python
# requirements.txt alone for the site (run, serve); requirements-dev.txt adds the test and
# lint tools. Both are installed with constraints.txt, which pins every package (make lock).
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
PIP_INSTALL := $(PY) -m pip install --disable-pip-version-check --quiet -c constraints.txt

# The Nu Html Checker of tests/test_html_valid.py (a Java program), fetched from npm's vnu-jar
# package into the virtual environment, never committed.
VNU_VERSION := 26.9.27
VNU_JAR := $(VENV)/vnu/$(VNU_VERSION)/vnu.jar

# scripts/ holds the REQUIRE_ALL pytest plugin.
PYTEST := VNU_JAR="$(CURDIR)/$(VNU_JAR)" PYTHONPATH="$(CURDIR)/scripts$${PYTHONPATH:+:$$PYTHONPATH}" $(PY) -m pytest \
	$(if $(filter 1,$(REQUIRE_ALL)),-p pytest_require_all) $(PYTEST_ARGS)

# After `rc=...`: pytest's "no tests collected" (5) is fine, except under REQUIRE_ALL=1.
define pytest_exit
if [ $$rc -eq 5 ]; then \
	if [ "$(REQUIRE_ALL)" = 1 ]; then echo "$(1): no tests collected; REQUIRE_ALL=1 makes that a failure" >&2; exit 1; fi; \
	echo "$(1): no tests collected"; rc=0; \
fi; \
exit $$rc
endef

# What a pass that cannot run does: skip with a message, or fail under REQUIRE_ALL=1.
define cannot_run
if [ "$(REQUIRE_ALL)" = 1 ]; then echo "$(1) FAILED: $(2) (REQUIRE_ALL=1)" >&2; exit 1; fi; \
echo "$(1) SKIPPED: $(2)"; exit 0
endef

.PHONY: help venv .venv run serve test lint test-sqlite test-postgres test-browser deploy-check messages lock clean distclean bench cluster-test

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

venv .venv: $(DEV_STAMP)

# Created with a Python >= 3.12 found by scripts/find-python.sh (or $PYTHON); an existing
# environment on an older Python is replaced (and with it the test tools' stamp).
$(STAMP): requirements.txt constraints.txt
	@if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		python=$$(bash scripts/find-python.sh) || exit 1; \
		echo "Creating $(VENV) with $$python"; \
		rm -rf $(VENV) && "$$python" -m venv $(VENV) || exit 1; \
	fi
	$(PIP_INSTALL) -r requirements.txt
	@touch $@

# Newer than $(STAMP) by construction: a change to requirements.txt reinstalls both.
$(DEV_STAMP): $(STAMP) requirements-dev.txt constraints.txt
	$(PIP_INSTALL) -r requirements-dev.txt
	@touch $@

# Without npm the file is not fetched and the HTML validation is skipped (a failure under REQUIRE_ALL=1).
$(VNU_JAR): | $(STAMP)
	@if ! command -v npm >/dev/null; then echo "No npm: the HTML checker is not fetched (apt-get install npm)"; exit 0; fi; \
	set -e; rm -rf $(VENV)/vnu; mkdir -p $(@D); \
	echo "Fetching the HTML checker (vnu-jar $(VNU_VERSION))"; \
	npm pack --silent --pack-destination $(@D) vnu-jar@$(VNU_VERSION) >/dev/null; \
	tar -xzf $(@D)/vnu-jar-$(VNU_VERSION).tgz -C $(@D) --strip-components=3 package/build/dist/vnu.jar; \
	rm $(@D)/vnu-jar-$(VNU_VERSION).tgz

# A clean throwaway environment decides the pins (scripts/lock.sh); commit constraints.txt.
lock:
	bash scripts/lock.sh

run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py seed_demo --if-empty
	@# The background worker (e-mail, digests, purges) beside the server; Ctrl-C stops both.
	$(PY) manage.py worker & worker=$$!; trap "kill -TERM $$worker 2>/dev/null" EXIT INT TERM; \
	SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}" $(PY) manage.py runserver 127.0.0.1:$(PORT)

# DEBUG off on plain http over loopback: a random SECRET_KEY per start (sessions end with
# the server) unless one is set, local hosts allowed, no redirect to https. Staff log in with
# a password alone unless the caller sets STAFF_2FA_REQUIRED=1 (with DEBUG off it defaults to
# required, and the demo accounts have no authenticator).
serve: $(STAMP)
	@export DEBUG=0 \
		SECRET_KEY="$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
		ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" \
		SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-0}" \
		STAFF_2FA_REQUIRED="$${STAFF_2FA_REQUIRED:-0}" \
		EMAIL_BACKEND="$${EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend}"; \
	set -e -x; \
	$(PY) manage.py migrate --noinput; \
	$(PY) manage.py createcachetable; \
	$(PY) manage.py collectstatic --noinput --verbosity 0; \
	$(PY) manage.py worker & worker=$$!; trap "kill -TERM $$worker 2>/dev/null" EXIT INT TERM; \
	$(VENV)/bin/gunicorn config.wsgi -b 127.0.0.1:$(PORT) -w 2

test: $(DEV_STAMP)
	@failed=""; \
	$(MAKE) --no-print-directory lint || failed="$$failed lint"; \
	$(MAKE) --no-print-directory test-sqlite || failed="$$failed sqlite"; \
	$(MAKE) --no-print-directory test-postgres || failed="$$failed postgresql"; \
	$(MAKE) --no-print-directory test-browser || failed="$$failed browser"; \
	if [ -n "$$failed" ]; then echo; echo "make test: FAILED:$$failed" >&2; exit 1; fi

# Both checks run even when the first fails, so one pass reports everything.
lint: $(DEV_STAMP)
	@echo "=== Lint pass: ruff check, module size ==="
	@rc=0; \
	$(VENV)/bin/ruff check --output-format concise . || rc=1; \
	$(PY) scripts/check_module_size.py || rc=1; \
	if [ $$rc -ne 0 ]; then echo "Lint pass FAILED" >&2; fi; \
	exit $$rc

test-sqlite: $(DEV_STAMP) $(VNU_JAR)
	@echo "=== SQLite pass: pytest -m 'not postgres and not browser' ==="
	@rc=0; env -u DATABASE_URL $(PYTEST) -m "not postgres and not browser" || rc=$$?; \
	$(call pytest_exit,SQLite pass)

# A throwaway cluster (scripts/pg.sh) of this run only, stopped and deleted whatever happens.
test-postgres: $(DEV_STAMP) $(VNU_JAR)
	@echo "=== PostgreSQL pass: pytest -m 'not browser and not html_validation' ==="
	@export PG_STATE="$(CURDIR)/.pg/test-$$$$.state"; \
	trap 'bash scripts/pg.sh stop' EXIT; trap 'exit 130' INT TERM; \
	rc=0; url=$$(bash scripts/pg.sh start) || rc=$$?; \
	if [ $$rc -eq 3 ]; then $(call cannot_run,PostgreSQL pass,no PostgreSQL server binaries (apt-get install postgresql)); fi; \
	if [ $$rc -ne 0 ]; then echo "PostgreSQL pass FAILED: the cluster did not start" >&2; exit 1; fi; \
	echo "PostgreSQL at $$url"; \
	DATABASE_URL="$$url" $(PYTEST) -m "not browser and not html_validation" || rc=$$?; \
	$(call pytest_exit,PostgreSQL pass)

test-browser: $(DEV_STAMP)
	@echo "=== Browser pass: pytest -m browser ==="
	@chromium="$${CHROMIUM:-/usr/bin/chromium}"; \
	if [ ! -x "$$chromium" ]; then $(call cannot_run,Browser pass,no Chromium at $$chromium (apt-get install chromium or set CHROMIUM)); fi; \
	rc=0; env -u DATABASE_URL CHROMIUM="$$chromium" DJANGO_ALLOW_ASYNC_UNSAFE=true $(PYTEST) -m browser || rc=$$?; \
	$(call pytest_exit,Browser pass)

deploy-check: $(STAMP)
	DEBUG=0 SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(60))')" \
		ALLOWED_HOSTS=example.kz $(PY) manage.py check --deploy --fail-level WARNING

# scripts/messages.sh: on an unchanged tree the catalogues stay byte for byte as they were.
messages: $(STAMP)
	bash scripts/messages.sh $(PY)

clean:
	-@bash scripts/pg.sh stop
	rm -rf staticfiles test-results .pytest_cache .hypothesis .ruff_cache
	find . -path ./.venv -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) db.sqlite3 db.sqlite3-journal

# Two gunicorn instances on one PostgreSQL and one media folder under a bounded load
# (scripts/cluster_test.py); CI runs it before the suite.
cluster-test: $(STAMP)
	$(PY) scripts/cluster_test.py

# Benchmarks (not part of `make test`): pages at 1,000 and 100,000 remarks on a throwaway
# PostgreSQL, side by side with the framework floor; writes docs/benchmarks.md.
bench: $(STAMP)
	$(PY) scripts/bench.py $(if $(filter 1,$(MILLION)),--sizes 1000,100000,1000000)
