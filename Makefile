# Two entry points on a fresh machine: `make demo` and `make test`. Both build .venv
# from the lock file first, so CI installs exactly what was tested.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install demo test bench lock clean chromium

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/voc demo

test: install chromium
	$(BIN)/python -m pytest

# The HTML report is tested in a real headless Chromium: Debian's package, installed once.
chromium:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; }

bench: install
	$(BIN)/python bench/bench_ingest.py
	$(BIN)/python bench/bench_tag.py

# Re-resolve the dependencies of pyproject.toml into requirements.lock (needs the registries).
lock:
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/python -m pip install -q -e '.[dev]'
	.lockenv/bin/python -m pip freeze --exclude-editable | grep -v '^-e ' > requirements.lock
	rm -rf .lockenv

clean:
	rm -rf $(VENV) reports test-artifacts data/voc.duckdb data/voc.duckdb.lock
