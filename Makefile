# The README's two commands are `make run` and `make test`; each sets everything up from a bare machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
BASE_URL ?= http://127.0.0.1:5000
PORT ?= 5000
export FLASK_APP := wsgi


.PHONY: browser
.PHONY: help install setup-db run serve author test lint translations compile-translations screenshots bench clean

help:
	@echo "make run           set up and serve the demo on http://$(HOST):$(PORT)"
	@echo "make test          set up and run the whole test suite (SQLite and PostgreSQL)"
	@echo "make lint          ruff and mypy"
	@echo "make serve         gunicorn, production-like"
	@echo "make author        serve with content reloading on every change under content/modules/"
	@echo "make translations  extract, update and compile the UI message catalogues"
	@echo "make screenshots   screenshots of the main pages into docs/screenshots/ (needs make run in another terminal)"
	@echo "make bench         run the benchmarks under bench/"

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

run: setup-db
	-@$(BIN)/flask content check
	@echo
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl+C stops). Log in with a demo account listed above."
	$(BIN)/flask run --host $(HOST) --port $(PORT)

author: setup-db
	ELEARNING_CONTENT_RELOAD=1 $(BIN)/flask run --debug --host $(HOST) --port $(PORT)

serve: setup-db
	$(BIN)/gunicorn --config deploy/gunicorn.conf.py wsgi:app

# The browser tests drive Debian's Chromium through Playwright (Playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null || { echo "Installing Chromium for the browser tests (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: install browser
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

translations: $(STAMP)
	$(BIN)/pybabel extract -F translations/babel.cfg -k _l -o translations/messages.pot --no-location --sort-output --project elearning .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d translations

screenshots: install
	$(BIN)/python scripts/screenshots.py $(BASE_URL)

# wrk is Debian's load generator; the web benchmark compares the app with a bare floor in the same run.
bench: install
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/content_load.py
	$(BIN)/python bench/web_bench.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .mypy_cache
