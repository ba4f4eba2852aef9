# The README's two commands are `make run` and `make test`; each sets everything up from a bare machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
SSO_PORT ?= 5001
AUDIT := elearning/data/accessibility-audit.json
export FLASK_APP := wsgi


.PHONY: browser bench-tools cluster-tools scale-test fault-test
.PHONY: help install setup-db run run-sso serve author test lint translations compile-translations screenshots accessibility-report bench clean xapi-send

help:
	@echo "make run           set up and serve the demo on http://$(HOST):$(PORT)"
	@echo "make test          set up and run the whole test suite (SQLite and PostgreSQL)"
	@echo "make lint          ruff, mypy and bandit (static security analysis)"
	@echo "make run-sso       make run with single sign-on through a demo identity provider on port $(SSO_PORT)"
	@echo "make serve         gunicorn, production-like"
	@echo "make author        serve with content reloading on every change under content/modules/"
	@echo "make translations  extract, update and compile the UI message catalogues"
	@echo "make screenshots   screenshots of the main pages into docs/screenshots/ (starts the demo app itself)"
	@echo "make accessibility-report  axe-core scan of the browser journeys' pages into $(AUDIT)"
	@echo "make bench         run the benchmarks under bench/ and write their figures into docs/performance.md"
	@echo "                   (BENCH=web,static selects; QUICK=1 is a short smoke run into instance/bench/)"
	@echo "make scale-test    two gunicorn instances on one PostgreSQL: sessions and writes across both"
	@echo "make fault-test    load through two instances while a worker dies and PostgreSQL restarts; nothing lost"
	@echo "make xapi-send     send the demo's queued xAPI statements (to files in instance/xapi-lrs/)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(STAMP) compile-translations

compile-translations: $(STAMP)
	@$(BIN)/pybabel compile --use-fuzzy -d translations > /dev/null

setup-db: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load

# The demo shows the xAPI integration: statements are queued while you learn, and `make xapi-send` "sends" them to
# files in instance/xapi-lrs/ (a learning record store stand-in); see docs/integrations.md. Set the variables to
# override, e.g. ELEARNING_XAPI_ENABLED=0 make run.
DEMO_XAPI := ELEARNING_XAPI_ENABLED=$${ELEARNING_XAPI_ENABLED:-1} \
	ELEARNING_XAPI_ENDPOINT=$${ELEARNING_XAPI_ENDPOINT:-file://$(CURDIR)/instance/xapi-lrs}

run: setup-db
	-@$(BIN)/flask content check
	@echo
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl+C stops). Log in with a demo account listed above."
	@echo "xAPI statements are queued as you learn; 'make xapi-send' writes them to instance/xapi-lrs/."
	$(DEMO_XAPI) $(BIN)/flask run --host $(HOST) --port $(PORT)

xapi-send: install
	$(DEMO_XAPI) $(BIN)/flask xapi send

# Single sign-on to try on a laptop: a pretend identity provider (scripts/demo_oidc_provider.py) next to the app.
run-sso: setup-db
	@echo
	@echo "Serving on http://$(HOST):$(PORT) with single sign-on through the demo identity provider on port $(SSO_PORT)."
	@echo "Click \"Log in with your organisation account\" and pick a demo person (Ctrl+C stops both)."
	@$(BIN)/python scripts/demo_oidc_provider.py --host $(HOST) --port $(SSO_PORT) & provider=$$!; \
	trap "kill $$provider" EXIT; \
	ELEARNING_OIDC_ISSUER=http://$(HOST):$(SSO_PORT) ELEARNING_OIDC_CLIENT_ID=demo-elearning \
	ELEARNING_OIDC_CLIENT_SECRET=demo-secret-for-make-run-sso ELEARNING_PASSWORD_LOGIN=everyone \
	ELEARNING_BASE_URL=http://$(HOST):$(PORT) $(BIN)/flask run --host $(HOST) --port $(PORT)

author: setup-db
	ELEARNING_CONTENT_RELOAD=1 $(BIN)/flask run --debug --host $(HOST) --port $(PORT)

serve: setup-db
	$(BIN)/gunicorn --config deploy/gunicorn.conf.py wsgi:app

# The browser tests drive Debian's Chromium through Playwright (Playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null || { echo "Installing Chromium for the browser tests (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The scale-out and fault tests start their own PostgreSQL cluster (initdb, pg_ctl): Debian's server programs,
# installed here when missing (the machine's running PostgreSQL is never restarted). tests/test_nginx_config.py checks
# deploy/nginx.conf with the nginx that bench-tools installs.
cluster-tools:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || { \
	  echo "Installing PostgreSQL's server programs for the fault test (apt-get)"; apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

# wrk (load generator) and nginx (the reverse proxy the static benchmark compares gunicorn with) from Debian; the suite
# runs the benchmark runner's quick mode (tests/test_bench_smoke.py). Installing nginx does not start it in a container
# whose policy-rc.d forbids starting services; elsewhere Debian starts it on port 80 (`systemctl disable --now nginx`).
bench-tools:
	@command -v wrk >/dev/null || { echo "Installing wrk for the benchmarks (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { echo "Installing nginx for the benchmarks (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }

test: install browser bench-tools cluster-tools
	$(BIN)/python -m pytest

# Two gunicorn instances on one PostgreSQL (the one of `make test`): a session on one works on the other, writes
# through both are consistent.
scale-test: install cluster-tools
	$(BIN)/python -m pytest -v -p no:cacheprovider tests/test_scale_out.py

# Learners through two instances while a worker is killed and a private PostgreSQL restarts; prints the counts.
fault-test: install cluster-tools
	$(BIN)/python -m scripts.fault_test

# Lint is apart from `make test` (and CI's run): tests/test_lint.py runs the same three checks inside the suite.
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/bandit -q -c pyproject.toml -r elearning migrations scripts deploy wsgi.py
	@# Benchmarks make random data (B311), run fixed commands (B404, B603), build SQL from their own table names (B608)
	@# and assert their own set-up (B101); they are never deployed.
	$(BIN)/bandit -q -c pyproject.toml -r bench -s B101,B311,B404,B603,B608

translations: $(STAMP)
	$(BIN)/pybabel extract -F translations/babel.cfg -k _l -o translations/messages.pot --no-location --sort-output --project elearning .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching
	$(BIN)/python scripts/english_catalogue.py
	$(BIN)/pybabel compile -d translations

# Starts the demo app on a free port with a temporary database; `python scripts/screenshots.py URL` uses a running one.
screenshots: install browser
	$(BIN)/python scripts/screenshots.py

# The browser journeys (on SQLite: the pages are the same on PostgreSQL) write what axe-core found on every page.
accessibility-report: install browser
	ELEARNING_ACCESSIBILITY_REPORT=$(AUDIT) $(BIN)/python -m pytest tests/browser -q -p no:cacheprovider -k "sqlite and not shipped"
	@echo "written: $(AUDIT)"

# Every benchmark (or those in BENCH=web,reporting,roster,static,content,xapi), one after another, through
# bench/run_all.py, which writes their figures into docs/performance.md's generated block; QUICK=1 is a short smoke run
# with small data whose figures go to instance/bench/performance.md instead. JSON results: instance/bench/.
BENCH ?=
QUICK ?=
bench: install bench-tools
	$(BIN)/python bench/run_all.py $(if $(BENCH),--only $(BENCH)) $(if $(filter-out 0 no false,$(QUICK)),--quick)

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .mypy_cache
