# Mediation Desk — the two set-up commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint bench translations package clean

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

## package: the Linux one-folder build in dist/mediation-desk/ (PyInstaller; Windows: packaging/README.md)
PKG_STAMP := $(VENV)/.package-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
$(PKG_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[test,package]"
	rm -f $(VENV)/.package-* && touch $(PKG_STAMP)

package: $(PKG_STAMP)
	rm -rf dist/mediation-desk
	$(VENV)/bin/pyinstaller --noconfirm --clean --log-level ERROR --distpath dist --workpath build/pyinstaller \
		packaging/mediation-desk.spec
	mkdir -p dist/mediation-desk/share/icons
	cp packaging/linux/mediation-desk.desktop dist/mediation-desk/share/
	cp packaging/icons/mediation-desk-48.png packaging/icons/mediation-desk-128.png packaging/icons/mediation-desk-256.png \
		dist/mediation-desk/share/icons/
	cp packaging/linux/install.sh dist/mediation-desk/
	@du -sh dist/mediation-desk

## translations: re-extract messages.pot, update and compile the catalogs
translations: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ -k ngettext:1,2 -o translations/messages.pot --no-location --sort-output --project "Mediation Desk" app
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations -l zh_CN --no-fuzzy-matching --ignore-obsolete
	$(VENV)/bin/pybabel compile -d translations -l zh_CN --statistics

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
