# forcestat tasks. 'make demo' and 'make test' each set up their own virtual
# environment first (pinned by constraints.txt), so a fresh machine needs only Python 3.11+.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed-stamp

.PHONY: setup demo test lint typecheck bench clean docs

setup: $(STAMP)

# Debian packages the report and the browser tests need: fonts embedded in the report,
# pango for the PDF, Chromium for the Playwright tests. Installed only where missing, as root.
APT_PACKAGES = fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 chromium

$(STAMP): pyproject.toml constraints.txt package-lock.json
	@if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	  if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi; \
	fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	# GOV.UK Frontend (served by the dashboard) and axe-core (its accessibility tests).
	npm ci --no-audit --no-fund --loglevel=error
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
	$(BIN)/python benchmarks/measures.py
	$(BIN)/python benchmarks/report.py
	$(BIN)/python benchmarks/web.py

clean:
	rm -rf $(VENV) forcestat.duckdb forcestat.duckdb.wal out

docs: $(STAMP)
	$(BIN)/python -c "from forcestat.cli.reference import cli_reference, layouts_reference; from forcestat.cli import cli; open('docs/cli.md','w').write(cli_reference(cli)); open('docs/layouts.md','w').write(layouts_reference())"
