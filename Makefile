# Mediation Desk — the two set-up commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint bench translations clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-* && touch $(STAMP)

## run: install, fill an empty data directory with the demo village, open the window
run: $(STAMP)
	$(VENV)/bin/mediation-desk demo --if-empty
	$(VENV)/bin/mediation-desk

## test: install with test extras, lint, type-check, run the whole suite headless
test: $(STAMP) lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check app tests benchmarks
	$(VENV)/bin/mypy

## bench: the benchmarks (not part of the test suite); figures as ratios to a raw baseline
bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m benchmarks.run

## translations: re-extract messages.pot, update and compile the catalogs
translations: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ -k ngettext:1,2 -o translations/messages.pot --no-location --sort-output --project "Mediation Desk" app
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations -l zh_CN --no-fuzzy-matching --ignore-obsolete
	$(VENV)/bin/pybabel compile -d translations -l zh_CN --statistics

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
