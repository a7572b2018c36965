# Councils: `make run` serves the demonstration, `make test` runs the whole suite.
# Both create the virtual environment in .venv and install what they need on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: run test lint typecheck bench messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files record that the installed packages match pyproject.toml (and that the C part of
# the package, built by setup.py, matches its source).
BUILT := pyproject.toml setup.py src/councils/counting/_bltscan.c src/councils/voting/crypto/_ristretto.c

$(VENV)/.installed: $(BUILT) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BUILT) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/councils migrate --no-input
	$(BIN)/councils demo
	$(BIN)/councils serve

test: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

bench: $(VENV)/.installed-test
	$(BIN)/python bench/counting_bench.py
	$(BIN)/python bench/apportionment_bench.py
	$(BIN)/python bench/federation_bench.py
	$(BIN)/python bench/web_bench.py

# Translations (docs/translating.md): gather every marked string of src/councils into
# src/councils/locale/ru/LC_MESSAGES/django.po, then compile the .mo that is committed beside it.
# Needs GNU gettext (Debian: gettext). File-only locations keep the diffs of the .po small.
MESSAGES_IGNORE := --ignore .venv --ignore tests --ignore bench --ignore build --ignore var --ignore docs --ignore locale
messages: $(VENV)/.installed
	$(BIN)/councils makemessages --locale ru --no-obsolete --add-location file $(MESSAGES_IGNORE)
	$(BIN)/councils compilemessages --locale ru $(MESSAGES_IGNORE)

clean:
	rm -rf $(VENV) var bench/out .pytest_cache .mypy_cache .ruff_cache build
	rm -f src/councils/counting/*.so
