# Two set-up commands: `make demo` and `make test`. A fresh clone needs only Python >= 3.12 and make.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
HOST  ?= 127.0.0.1
PORT  ?= 8000
# The address others reach the demo by: HOST itself, or this machine's first address when it listens on all.
PUBLIC_HOST ?= $(if $(filter 0.0.0.0 ::,$(HOST)),$(shell hostname -I 2>/dev/null | cut -d' ' -f1),$(HOST))

# First interpreter >= 3.12 found: $PYTHON, python3.13, python3.12, python3, then pyenv's installs.
PYTHON ?= $(shell for c in python3.13 python3.12 python3 $$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null); do \
	  $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo $$c; break; }; done)

.PHONY: demo test lint serve install messages clean bench worker bench-certificates bench-registry bench-regulator bench-load bench-pages

# The interpreter's bundled pip may be old: the venv's pip is first brought to the pinned, hash-checked one.
$(VENV)/.installed: pyproject.toml requirements.lock requirements-bootstrap.lock
	@test -n "$(PYTHON)" || { echo "error: Python >= 3.12 not found (set PYTHON=/path/to/python3.12)"; exit 1; }
	$(PYTHON) -m venv --clear $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-bootstrap.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

install: $(VENV)/.installed

# Runs the whole suite in parallel (PYTEST_WORKERS=0 for one process); DATABASE_URL selects PostgreSQL,
# default SQLite. PYTEST_ARGS passes more (docs/testing.md).
PYTEST_WORKERS ?= auto
test: export DJANGO_SECRET_KEY ?= insecure-key-for-tests-only
test: export DJANGO_ALLOWED_HOSTS ?= testserver,localhost,127.0.0.1
test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m aftersales.manage makemigrations --check --dry-run >/dev/null
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: export DJANGO_SECRET_KEY ?= insecure-key-for-lint-only
lint: export DJANGO_ALLOWED_HOSTS ?= localhost
lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

# Creates the venv, migrates SQLite, loads demo data, serves the site. HOST and PORT say where it
# serves; QR codes, printed links and mails point there too (PUBLIC_BASE_URL, unless set).
demo: export DJANGO_DEBUG ?= 1
demo: export TOTP_REQUIRED_FOR_CB ?= 0
demo: export PUBLIC_BASE_URL ?= http://$(PUBLIC_HOST):$(PORT)
demo: export DJANGO_ALLOWED_HOSTS ?= localhost,127.0.0.1,[::1],$(PUBLIC_HOST)
demo: install
	$(PY) -m aftersales.manage migrate --no-input
	$(PY) -m aftersales.manage load_demo
	@echo ""
	@echo "  aftersales-cert demo: http://$(HOST):$(PORT)/  (QR codes and printed links: $$PUBLIC_BASE_URL)"
	@echo "  (a background worker runs record imports and other jobs; it stops with the server)"
	@echo "  (two-factor sign-in for CB staff is off in the demo: TOTP_REQUIRED_FOR_CB=0; in production it is"
	@echo "   required; anyone can switch it on under My account)"
	@echo ""
	$(PY) -m aftersales.manage db_worker --no-reload --verbosity 0 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) -m aftersales.manage runserver $(HOST):$(PORT)

# The background worker alone (production: one or more per machine, see docs/deploy.md).
worker: install
	$(PY) -m aftersales.manage db_worker --no-reload

# Benchmarks (issue targets; results in bench/README.md). Needs PostgreSQL at BENCH_DATABASE_URL.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
bench: install
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r bench/requirements.lock
	# the issue's sizes on SQLite and PostgreSQL, then a tenth of them beside the (slow) pandas baseline
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/records_bench.py --no-baseline $(BENCH_ARGS)
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/records_bench.py --work-orders 100000 --complaints 30000 --db postgres $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache

# Issue 7 and 8 benchmarks, one command each (results in bench/README.md); registry and load need wrk
# (Debian: apt install wrk) and PostgreSQL at 127.0.0.1:5432.
bench-certificates: install
	$(PY) bench/certificates_bench.py $(BENCH_ARGS)

bench-registry: install
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r bench/requirements.lock
	$(PY) bench/registry_bench.py $(BENCH_ARGS)

bench-regulator: install
	$(PY) bench/regulator_bench.py $(BENCH_ARGS)

bench-load: install
	$(PY) bench/load_test.py $(BENCH_ARGS)

# Issue 20: every page of every demo persona at a grown size (SQLite; BENCH_ARGS="--db postgres" with
# BENCH_DATABASE_URL for PostgreSQL); results in bench/README.md.
bench-pages: install
	$(PY) bench/pages_bench.py $(BENCH_ARGS)
