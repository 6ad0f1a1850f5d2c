# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test test-browser install setup lint format messages bench-import bench-desk bench-load clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

## Set up the SQLite database with the seed data (idempotent).
setup: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py setup_roles
	$(PY) manage.py load_seed

## Serve the site at http://127.0.0.1:8000/ on SQLite with the seed data.
run: setup
	$(PY) manage.py runserver $(HOST)

## Lint, format check, the layers of the apps (import-linter), and the whole suite but the browser tests.
test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest --ignore=tests/browser $(PYTEST_ARGS)

## Browser tests in headless Chromium (needs `apt-get install chromium fonts-nanum`).
test-browser: install
	$(VENV)/bin/pytest tests/browser $(PYTEST_ARGS)

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Refresh the translation catalogues (needs gettext); the compiled .mo files are committed.
messages: install
	$(PY) manage.py makemessages -l en -l ko --ignore=.venv --ignore=bench
	$(PY) manage.py compilemessages --ignore=.venv

## Benchmark the metric CSV import on a throwaway PostgreSQL database (127.0.0.1:5432).
bench-import: install
	$(PY) bench/import_bench.py $(BENCH_ARGS)

## Benchmark the visit import and the undo of an import on a throwaway PostgreSQL database.
bench-desk: install
	$(PY) bench/desk_import_bench.py $(BENCH_ARGS)

## Load benchmark of the public pages: PostgreSQL (127.0.0.1:5432) at --scale 100, gunicorn -w 2, wrk.
bench-load: install
	$(PY) bench/load_bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
