# forcestat tasks. 'make demo' and 'make test' each set up their own virtual
# environment first (pinned by constraints.txt), so a fresh machine needs only Python 3.11+.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed-stamp

.PHONY: setup demo test lint typecheck bench clean docs

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/forcestat demo

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) forcestat.duckdb forcestat.duckdb.wal out

docs: $(STAMP)
	$(BIN)/python -c "from forcestat.reference import cli_reference, layouts_reference; from forcestat.cli import cli; open('docs/cli.md','w').write(cli_reference(cli)); open('docs/layouts.md','w').write(layouts_reference())"
