# `make run` and `make test` work from a fresh clone: each sets up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint migrate seed demo schema

# Reinstalled whenever a requirements file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py load_seed

## Set up, migrate, load the seed facts and serve on http://$(HOST):$(PORT) (SQLite unless DATABASE_URL is set).
run: seed
	$(BIN)/python manage.py create_first_admin
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## Generate synthetic demo data: make demo DEALS=100000
DEALS ?= 10000
demo: migrate
	$(BIN)/python manage.py generate_demo --deals $(DEALS)

## Regenerate openapi.yaml from the code (the suite fails while the committed file differs).
schema: install
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file openapi.yaml

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

## Set up and run lint plus the whole suite (SQLite unless DATABASE_URL is set).
test: lint
	$(BIN)/python -m pytest
