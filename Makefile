# Two commands on a fresh machine: `make demo` and `make test`.
# Each creates (or reuses) .venv and installs the project with what it needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
SIM    := $(VENV)/bin/upgrade-sim
STAMP  := $(VENV)/.installed-stamp
JOBS   ?= 2

.PHONY: demo test lint bench schema docs clean

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
