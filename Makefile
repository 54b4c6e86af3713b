# Incident Room. README.md and docs/operations.md quote these targets; keep them in step.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.install-stamp
DATABASE_URL_PG ?= postgres://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?= -n 2
# make run PORT=8080 serves there; every link that leaves the app (emails, feeds, the static
# status copy) follows, unless SITE_URL says otherwise.
PORT ?= 8000

.PHONY: install system-packages run test lint typecheck test-sqlite test-postgres bench worker clean

# Idempotent: reinstalls only when the project files or the compiled scanner core changed.
install: $(STAMP)

# Debian packages the build needs: libhs for the scanner's compiled detection core; Pango,
# HarfBuzz's subsetter and the Noto fonts for the PDFs (WeasyPrint: names in every script);
# poppler-utils (pdftotext, pdftoppm) for the tests that read the PDFs back; qpdf to join
# the letter print file's parts outside the worker's memory; Tesseract with English for OCR
# of scanned images and image-only PDF pages.
SYSTEM_PACKAGES := libhyperscan-dev tesseract-ocr tesseract-ocr-eng libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-core poppler-utils qpdf
system-packages:
	@if [ "$$(dpkg-query -W -f='$${Status}\n' $(SYSTEM_PACKAGES) 2>/dev/null | grep -c 'install ok installed')" \
		!= "$(words $(SYSTEM_PACKAGES))" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
		else \
			echo "Install the Debian packages $(SYSTEM_PACKAGES) (as root: apt-get install $(SYSTEM_PACKAGES)), then rerun."; exit 1; \
		fi; \
	fi

$(STAMP): pyproject.toml package.json package-lock.json setup.py src/incidentroom/scanner/detect/_fastdetect.pyx
	@$(MAKE) --no-print-directory system-packages
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p var
	@touch $(STAMP)

# Serves the demo on http://127.0.0.1:$(PORT) with a background worker; Ctrl-C stops both.
run: install
	$(BIN)/incidentroom migrate --no-input
	$(BIN)/incidentroom load-scenario scenarios/west_london.yaml --if-absent
	$(BIN)/python scenarios/make_demo_archive.py var/evidence/rbkc/archive-2006-2020
	DEBUG=true PORT=$(PORT) $(BIN)/incidentroom run-demo

lint: install
	$(BIN)/ruff check src tests bench scenarios
	$(BIN)/ruff format --check src tests bench scenarios
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy src tests

test-sqlite: install
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

# With CI=true a missing PostgreSQL fails the run; elsewhere it is reported and skipped.
test-postgres: install
	@if $(BIN)/python -m incidentroom.dbcheck "$(DATABASE_URL_PG)"; then \
		DATABASE_URL="$(DATABASE_URL_PG)" $(BIN)/pytest -m "not nodb" $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is not reachable at $(DATABASE_URL_PG) and CI=true: failing."; exit 1; \
	else \
		echo "PostgreSQL is not reachable at $(DATABASE_URL_PG): tests ran on SQLite only."; \
	fi

# The two databases' suites run side by side (each with PYTEST_ARGS' workers): on a 2-core
# machine that takes about 13 minutes rather than 25 one after the other. Output is kept
# per suite, so each log reads as if it ran alone.
test: lint typecheck
	$(MAKE) -j2 --output-sync=target test-sqlite test-postgres

bench: install
	$(BIN)/python bench/blast_radius.py

worker: install
	$(BIN)/incidentroom worker

clean:
	rm -rf $(VENV) node_modules var .mypy_cache .ruff_cache .pytest_cache
