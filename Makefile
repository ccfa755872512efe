# SRDI Platform — every target has help text: run `make help`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV ?= .venv
PY := $(VENV)/bin/python
export SRDI_DATABASE_URL ?= sqlite:///$(CURDIR)/var/srdi.sqlite3

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

# The pinned, hashed lock first (docs/decisions: dependency audit); then the project itself, which adds only what
# the lock does not hold yet (a dependency added to pyproject.toml before `make lock` was run).
$(VENV)/.installed: pyproject.toml requirements-dev.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip uv
	$(VENV)/bin/uv pip install -q --python $(PY) --require-hashes -r requirements-dev.lock
	$(VENV)/bin/uv pip install -q --python $(PY) -e '.[dev,spark]'
	touch $@

.PHONY: install
install: $(VENV)/.installed ## Create .venv and install the platform with its dev and Spark extras

.PHONY: system-deps
system-deps: ## Install Debian packages the browser tests need (chromium, CJK fonts) when missing
	bash scripts/ensure-system-deps.sh

.PHONY: web
web: ## Build the web UI into web/dist (npm ci + vite build)
	@if [ -f web/package.json ]; then cd web && npm ci --no-audit --no-fund && npm run build; else echo "no web/ yet"; fi

.PHONY: migrate
migrate: install ## Apply database migrations (SRDI_DATABASE_URL)
	$(VENV)/bin/srdi db upgrade

.PHONY: demo
demo: migrate ## Load the synthetic demo data (idempotent)
	$(VENV)/bin/srdi demo

.PHONY: start
start: install web migrate demo ## Set up everything and start the platform with demo data at http://127.0.0.1:8000
	$(VENV)/bin/srdi serve

.PHONY: lint
lint: install ## ruff, formatting, import contracts, mypy, citations and records, the changelog (.pre-commit-config.yaml runs the same)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -q -p no:cacheprovider tests/test_citations.py tests/test_habits.py
	$(PY) scripts/check_changelog.py $$(git diff --name-only HEAD -- rules 2>/dev/null)

.PHONY: test
test: install system-deps web ## Run the whole test suite: lint, then pytest on SQLite and PostgreSQL (when reachable)
	$(MAKE) lint
	$(VENV)/bin/pytest -q -p no:cacheprovider

.PHONY: lock
lock: install ## Re-pin every dependency with hashes (requirements.lock: runtime; requirements-dev.lock: + dev, spark)
	$(VENV)/bin/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 -q \
		--custom-compile-command "make lock" -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --extra spark --generate-hashes --python-version 3.11 -q \
		--custom-compile-command "make lock" -o requirements-dev.lock

.PHONY: audit
audit: install ## Audit dependencies (pip-audit, npm audit); exit 2 "audit not performed" when no advisory service answers
	$(PY) scripts/audit.py

.PHONY: bench
bench: install ## Run the benchmarks (figures and ratios; never part of the test suite; BENCH_ARGS=--full)
	$(VENV)/bin/uv pip install -q --python $(PY) -e '.[dev,spark,bench]'
	$(PY) benchmarks/run.py $(BENCH_ARGS)

.PHONY: clean
clean: ## Remove the local database, build output and caches
	rm -rf var web/dist .pytest_cache .mypy_cache .ruff_cache test-artifacts
