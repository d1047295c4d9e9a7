# policykit: `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONHASHSEED := 0
export MPLBACKEND := Agg

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "policykit needs Python >= 3.11 (found $$($(PYTHON) --version))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

venv: $(STAMP) ## Create .venv with the locked dependencies

report: $(STAMP) ## The main job: demo corpus (if data/raw is empty) -> ingest -> report
	@if [ -z "$$(find data/raw -type f ! -name .gitkeep -print -quit)" ]; then $(BIN)/policykit demo; fi
	$(BIN)/policykit ingest data/raw
	@# The brief for one topic (TOPIC=..., default: the topic with the most articles) and
	@# the landscape of all topics; each command prints the paths it wrote.
	$(BIN)/policykit report coverage-brief --out reports $(if $(TOPIC),--param topic=$(TOPIC))
	$(BIN)/policykit report landscape --out reports

test: $(STAMP) ## Run the test suite
	$(BIN)/python -m pytest -n 2 -q

fuzz: $(STAMP) ## Property tests with random, 10x more examples, plus the heavy hostile inputs
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -n 2 -q -m "hypothesis or fuzz" $(FUZZ_ARGS)

lint: $(STAMP) ## ruff check and ruff format --check
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: $(STAMP) ## Apply ruff format and safe fixes
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: $(STAMP) ## Benchmarks (W1...W6); prints a table of medians and ratios
	$(BIN)/python -m bench

eval: $(STAMP) ## Extraction quality against ../shared/eval; fails below the pinned floors
	$(BIN)/python -m policykit.evaluate

lab: $(STAMP) ## JupyterLab on notebooks/ with policykit importable
	$(BIN)/jupyter lab --notebook-dir=notebooks

install-check: ## pip install . from PyPI (no lock) into a fresh venv, then ingest a page, a dump, a JSONL
	$(PYTHON) tests/install_check.py

lock: ## Re-resolve and rewrite requirements.lock (needs network to PyPI)
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet -e '.[dev]'
	.venv-lock/bin/pip freeze --exclude-editable > requirements.lock
	rm -rf .venv-lock

clean: ## Remove the database, reports and caches (never data/raw)
	rm -rf data/processed/*.duckdb* reports/*.html reports/*.pdf reports/*.ipynb .pytest_cache

.PHONY: help venv report test fuzz lint format bench eval lab install-check lock clean
