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
ifeq ($(wildcard /usr/bin/faketime),)
APT_NEEDS += faketime
endif

.PHONY: run test test-dates bench lint i18n screenshots clean system-packages fonts web-fonts consent-publish

$(BIN)/courtside: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: $(BIN)/courtside
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Compiled catalogues are built, not committed. No catalogue uses fuzzy entries: they are pybabel's guesses from
# a similar string (e.g. "Appointment booked" guessed as the leaflet's "Appointment: %(provider)s"), so a person
# would read the wrong words; an untranslated string shows in English until a translator reviews it.
locales/.compiled: $(BIN)/courtside $(wildcard locales/*/LC_MESSAGES/*.po)
	@if ls locales/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel compile --domain=messages --directory=locales --statistics; fi
	$(BIN)/pybabel compile --domain=consent --directory=locales --statistics
	touch $@

# Noto fonts for every script the leaflet prints (Debian's fonts-noto-core, read at run time, never committed).
fonts:
ifeq ($(wildcard /usr/share/fonts/truetype/noto/NotoNastaliqUrdu-Regular.ttf),)
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-noto-core
endif

# The web app's offline fonts: those Noto files copied to the exact paths Flutter's web engine asks for, and
# the consent screens' script fonts (app/fonts.py; generated into build/assets, a no-op when up to date).
web-fonts: fonts $(BIN)/courtside
	$(BIN)/python -m app.fonts build/assets

run: fonts web-fonts $(BIN)/courtside locales/.compiled
	$(BIN)/courtside demo

system-packages:
ifneq ($(strip $(APT_NEEDS)),)
	@echo "Installing Debian packages: $(APT_NEEDS)"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(APT_NEEDS)
endif

# Every test on both cores (a hang fails its test after the limit in pyproject.toml), the ten slowest named,
# then the date check on the tests that read a clock (the whole of it: make test-dates).
test: system-packages fonts web-fonts $(VENV)/.test-installed locales/.compiled
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist loadfile --durations=10
	tests/run_on_dates.sh --quick

# Every non-browser test with the clock moved to the days that break date code (libfaketime; see the script).
test-dates: system-packages fonts $(VENV)/.test-installed locales/.compiled
	tests/run_on_dates.sh

bench: fonts $(VENV)/.test-installed locales/.compiled
	$(BIN)/python -m bench

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .

# Refresh the message template and catalogues after changing person-facing strings.
i18n: $(BIN)/courtside
	$(BIN)/pybabel extract --mapping-file=babel.cfg --keywords=N_ --keywords=ngettext:1,2 --add-comments=TRANSLATORS: \
		--project=Courtside --output-file=locales/messages.pot .
	@if ls locales/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel update --domain=messages --input-file=locales/messages.pot --output-dir=locales \
		--ignore-obsolete; fi
	$(BIN)/python -m app.consent_catalogue template
	$(BIN)/python -m app.consent_catalogue update

# The screenshots in docs/ (both orientations) from the running demo.
screenshots: system-packages fonts web-fonts $(VENV)/.test-installed locales/.compiled
	$(BIN)/python -m pytest -p no:cacheprovider tests/e2e/screenshots.py

# Keep every consent text shown for ever: add what the current content and catalogues render (commit it).
consent-publish: $(BIN)/courtside
	$(BIN)/python -m app.consent_archive publish

clean:
	rm -rf $(VENV) locales/.compiled build/assets
