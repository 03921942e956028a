# Courtside: `make run` starts the demo, `make test` runs every test from a clean machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
APT_NEEDS :=

ifeq ($(wildcard /usr/bin/chromium),)
APT_NEEDS += chromium
endif
ifeq ($(wildcard /usr/lib/postgresql/*/bin/initdb),)
APT_NEEDS += postgresql
endif

.PHONY: run test bench lint i18n clean system-packages

$(BIN)/courtside: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: $(BIN)/courtside
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Compiled catalogues are built, not committed.
locales/.compiled: $(BIN)/courtside $(wildcard locales/*/LC_MESSAGES/*.po)
	@if ls locales/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel compile --domain=messages --directory=locales --use-fuzzy --statistics; fi
	touch $@

run: $(BIN)/courtside locales/.compiled
	$(BIN)/courtside demo

system-packages:
ifneq ($(strip $(APT_NEEDS)),)
	@echo "Installing Debian packages: $(APT_NEEDS)"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(APT_NEEDS)
endif

test: system-packages $(VENV)/.test-installed locales/.compiled
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: $(VENV)/.test-installed
	$(BIN)/python -m bench

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .

# Refresh the message template and catalogues after changing person-facing strings.
i18n: $(BIN)/courtside
	$(BIN)/pybabel extract --mapping-file=babel.cfg --keywords=N_ --keywords=ngettext:1,2 \
		--project=Courtside --output-file=locales/messages.pot .
	$(BIN)/pybabel update --domain=messages --input-file=locales/messages.pot --output-dir=locales --ignore-obsolete

clean:
	rm -rf $(VENV) locales/.compiled
