# Two commands: `make demo` runs the demo shop, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: demo test fuzz lint bench

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
	$(VENV)/bin/pytest

# The API fuzzed at length (the test run above includes a bounded pass of the same).
fuzz: $(STAMP)
	scripts/ensure-services
	RETURNS_FUZZ_EXAMPLES=$${RETURNS_FUZZ_EXAMPLES:-50} \
	RETURNS_FUZZ_PHASES=$${RETURNS_FUZZ_PHASES:-examples,coverage,fuzzing} \
	$(VENV)/bin/pytest tests/fuzz

bench: $(STAMP)
	$(VENV)/bin/python -m bench
