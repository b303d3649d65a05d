# Two commands: `make demo` runs the demo shop, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
# The translations' .po files are committed; the .mo files the app reads are built here.
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard returns_service/translations/*/LC_MESSAGES/*.po))

.PHONY: demo test fuzz lint bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	$(VENV)/bin/pybabel compile -d returns_service/translations
	touch $(STAMP)

%.mo: %.po | $(STAMP)
	$(VENV)/bin/pybabel compile -i $< -o $@

demo: $(STAMP) $(CATALOGUES)
	$(VENV)/bin/returns-service demo

test: $(STAMP) $(CATALOGUES)
	scripts/ensure-services
	scripts/ensure-browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/pytest

# The API fuzzed at length (the test run above includes a bounded pass of the same).
fuzz: $(STAMP)
	scripts/ensure-services
	RETURNS_FUZZ_EXAMPLES=$${RETURNS_FUZZ_EXAMPLES:-50} \
	RETURNS_FUZZ_PHASES=$${RETURNS_FUZZ_PHASES:-examples,coverage,fuzzing} \
	$(VENV)/bin/pytest tests/fuzz

# BENCH_FLAGS="--seconds 15" for the long run, "--report-only" to never fail.
bench: $(STAMP)
	scripts/ensure-services
	$(VENV)/bin/python -m bench $(BENCH_FLAGS)
