# forcestat tasks. 'make demo' and 'make test' each set up their own virtual
# environment first (pinned by constraints.txt), so a fresh machine needs only Python 3.11+.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed-stamp

.PHONY: setup demo test lint typecheck bench clean docs govuk-frontend

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

# The GOV.UK Frontend files the dashboard serves ship inside the package (so an installed
# wheel serves without npm): only its built CSS and JavaScript, the fonts and images
# the CSS names, and its version. Refresh them after changing the pinned version in
# package.json: 'make govuk-frontend' (needs npm), then commit the folder. LICENCE.txt is
# kept in the folder (the npm package does not carry one).
GOVUK_DIST = node_modules/govuk-frontend/dist/govuk
GOVUK_SHIPPED = src/forcestat/web/govuk_frontend
govuk-frontend:
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(GOVUK_SHIPPED)/assets $(GOVUK_SHIPPED)/govuk-frontend.min.css $(GOVUK_SHIPPED)/govuk-frontend.min.js
	mkdir -p $(GOVUK_SHIPPED)/assets
	cp $(GOVUK_DIST)/govuk-frontend.min.css $(GOVUK_DIST)/govuk-frontend.min.js $(GOVUK_SHIPPED)/
	cp -R $(GOVUK_DIST)/assets/fonts $(GOVUK_DIST)/assets/images $(GOVUK_DIST)/assets/manifest.json $(GOVUK_SHIPPED)/assets/
	node -p "require('./node_modules/govuk-frontend/package.json').version" > $(GOVUK_SHIPPED)/VERSION
