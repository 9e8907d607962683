# One task runner for people, the README and CI.
#   make demo   set up, then run the main job on real data and show the results
#   make test   set up, then run every check and test
#   make check  lint, format, types and layer contracts only
#   make bench  speed and memory benchmarks (ratios against a floor measured in the same run)
#   make bench-store  the store at national scale on SQLite and PostgreSQL

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SYSTEM := $(VENV)/.system
NODE   := node_modules/.installed
export JSNA_SHARED ?= $(abspath ../shared)
export JSNA_DATA_MIRROR ?= $(JSNA_SHARED)/data

.PHONY: setup demo test check lint format types contracts pytest bench bench-store lock clean docs wheel

setup: $(STAMP) $(NODE)

# Debian packages: Node.js, Chromium, poppler, Pango and fonts (installs what is missing).
$(SYSTEM): scripts/system-packages.sh
	bash scripts/system-packages.sh
	mkdir -p $(VENV) && touch $@

$(STAMP): requirements.lock pyproject.toml $(SYSTEM)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Front-end assets (GOV.UK Frontend, Vega, axe-core) from npm, exactly as locked.
$(NODE): package-lock.json $(SYSTEM)
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: setup
	$(BIN)/jsna demo

test: check pytest

check: setup lint types contracts

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

types: setup
	$(BIN)/mypy jsna/stats jsna/content

contracts: setup
	$(BIN)/lint-imports

pytest: setup
	$(BIN)/pytest -n 2

bench: setup
	$(BIN)/python benchmarks/stats.py
	$(BIN)/python benchmarks/pna.py
	$(BIN)/python benchmarks/store.py --scale 0.01
	$(BIN)/python benchmarks/build.py --skip-single

# The store at national scale (33.8M observations per backend, about 10 minutes each).
bench-store: setup
	$(BIN)/python benchmarks/store.py

docs: setup
	$(BIN)/python -m jsna.cli.reference > docs/cli.md
	$(BIN)/python -m jsna.content.reference > docs/content.md
	$(BIN)/mkdocs build --strict

# A wheel with everything jsna build and jsna serve need (front-end assets included: no
# Node.js where it is installed). build/ goes first: setuptools would pack stale files from it.
wheel: setup
	$(BIN)/python -m jsna.render.vendor
	rm -rf build
	$(BIN)/python -m pip wheel --quiet --disable-pip-version-check --no-deps --no-build-isolation -w dist .

# Regenerate the lock file after changing dependencies in pyproject.toml.
lock:
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
