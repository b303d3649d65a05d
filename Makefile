# Two commands: `make demo` runs the demo shop, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/returns-service demo

test: $(STAMP)
	scripts/ensure-services
	scripts/ensure-browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/pytest

# BENCH_FLAGS="--seconds 15" for the long run, "--report-only" to never fail.
bench: $(STAMP)
	scripts/ensure-services
	$(VENV)/bin/python -m bench $(BENCH_FLAGS)
