# Two commands on a fresh machine: `make demo` and `make test`.
# Each creates (or reuses) .venv and installs the project with what it needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
SIM    := $(VENV)/bin/upgrade-sim
STAMP  := $(VENV)/.installed-stamp
JOBS   ?= 2

.PHONY: demo test test-browser lint bench schema docs clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,distributed,calibrate]'
	@touch $(STAMP)

demo: $(STAMP)
	$(SIM) run scenarios/default.yaml --out out/demo

test: $(STAMP)
	$(VENV)/bin/ruff check sim tests benchmarks
	$(VENV)/bin/mypy
	$(PY) -m pytest -q -n $(JOBS) --dist loadfile
	$(SIM) check scenarios/

# report.html in headless Chromium at 1,400 and 800 px (tests/browser; not part of `make test`, which
# installs nothing outside .venv). Installs Debian's chromium with apt-get when it is missing and this
# runs as root, and Playwright into .venv; says why and skips when it cannot.
test-browser: $(STAMP)
	@if ! command -v chromium >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "test-browser: installing Debian's chromium (apt-get install chromium)"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	    || echo "test-browser: apt-get could not install chromium"; \
	fi; \
	if ! command -v chromium >/dev/null 2>&1; then \
	  echo "test-browser: SKIPPED: no chromium on PATH, and installing it needs root and apt-get" \
	       "(apt-get install chromium, then make test-browser)"; exit 0; \
	fi; \
	if ! $(PY) -c "import playwright" 2>/dev/null; then \
	  $(PY) -m pip install --quiet -e '.[dev,distributed,calibrate,browser]' \
	    || { echo "test-browser: SKIPPED: pip could not install playwright ('upgrade-sim[browser]')"; exit 0; }; \
	fi; \
	$(PY) -m pytest -q -m browser tests/browser

lint: $(STAMP)
	$(VENV)/bin/ruff check sim tests benchmarks
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) benchmarks/run.py --repeats 5

schema: $(STAMP)
	$(SIM) schema > scenarios/scenario.schema.json

clean:
	rm -rf out .pytest_cache .hypothesis

docs: $(STAMP)
	$(PY) -c "from sim.events.catalog import events_markdown; print(events_markdown(), end='')" > docs/events.md
