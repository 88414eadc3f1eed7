# `make run` and `make test` work from a fresh clone: each sets up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
GENERATE_SCHEMA = $(BIN)/python manage.py spectacular --validate --fail-on-warn --file
FRONTEND := tests/frontend
HAVE_NODE := $(shell command -v node >/dev/null && command -v npm >/dev/null && echo yes)

.PHONY: install run serve test lint migrate seed demo schema schema-check contract bench soak fuzz

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

## Serve for production: gunicorn with WhiteNoise, every setting from the environment (see .env.example).
## Run `make migrate` with the same environment first, once per release.
PRODUCTION := DJANGO_SETTINGS_MODULE=config.settings.production
serve: install
	$(PRODUCTION) $(BIN)/python manage.py check --deploy
	$(PRODUCTION) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(PRODUCTION) exec $(BIN)/gunicorn --config python:config.gunicorn_conf config.wsgi

## Generate synthetic demo data: make demo DEALS=100000
DEALS ?= 10000
demo: migrate
	$(BIN)/python manage.py generate_demo --deals $(DEALS)

## Measure the API on PostgreSQL against its performance targets (needs wrk): make bench [DEALS=1000000]
## DATABASE_URL names the database (default expo_bench on 127.0.0.1); BENCH_ARGS="--fresh --seconds 5" passes options.
bench: DEALS = 100000
bench: install
	$(BIN)/python -m benchmarks --deals $(DEALS) $(BENCH_ARGS)

## Load and faults against what make serve runs, on a PostgreSQL server of its own (needs wrk and the PostgreSQL
## server programs; never touches another server): make soak [SOAK_SECONDS=30] [SOAK_ARGS="--deals 50000"]
soak: install
	$(BIN)/python -m benchmarks.soak $(SOAK_ARGS)

## Fuzz the API from openapi.yaml with schemathesis, as CI does: make fuzz [FUZZ_ARGS="--max-examples 50"]
## DATABASE_URL names an empty database to run on (default: a temporary SQLite file).
fuzz: install
	.ci/fuzz $(FUZZ_ARGS)

## Regenerate openapi.yaml from the code (the suite fails while the committed file differs).
schema: install
	$(GENERATE_SCHEMA) openapi.yaml

## Fail, showing the difference, if openapi.yaml is not what the code generates (the file is left as it is).
schema-check: install
	$(GENERATE_SCHEMA) $(VENV)/openapi.generated.yaml
	diff -u openapi.yaml $(VENV)/openapi.generated.yaml

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

## Set up and run lint, the whole suite (SQLite unless DATABASE_URL is set) and the contract check.
## The suite runs in TEST_WORKERS processes (default: one per core; TEST_WORKERS=0 runs it in this one).
TEST_WORKERS ?= auto
test: lint
	$(BIN)/python -m pytest --numprocesses $(TEST_WORKERS)
	@$(MAKE) --no-print-directory contract

# Reinstalled whenever the lock file changes; npm ci starts from an empty node_modules.
$(FRONTEND)/node_modules/.installed: $(FRONTEND)/package.json $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && npm ci --no-audit --no-fund
	touch $@

## Generate TypeScript types from openapi.yaml and type-check a client's use of them (needs Node.js).
ifeq ($(HAVE_NODE),yes)
contract: $(FRONTEND)/node_modules/.installed
	cd $(FRONTEND) && npx --no-install openapi-typescript ../../openapi.yaml --output schema.d.ts
	cd $(FRONTEND) && npx --no-install tsc --noEmit --project tsconfig.json
	@echo "TypeScript contract check passed: $(FRONTEND)/usage.ts compiles against openapi.yaml."
else ifeq ($(REQUIRE_CONTRACT_CHECKS),1)
contract:
	@echo "TypeScript contract check failed: node and npm are not installed, and REQUIRE_CONTRACT_CHECKS=1." >&2
	@exit 1
else
contract:
	@echo "TypeScript contract check left out: node and npm are not installed."
endif
