# kb: two commands from a fresh clone -- `make serve` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DB     ?= data/kb.db
HOST   ?= 127.0.0.1
PORT   ?= 8001
# Test processes: most tests wait on a child (an ingest worker loading Kiwi, a server,
# Chromium), so two keep two cores busy.
TEST_JOBS ?= 2
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

# What the browser test and the PDF fixtures need from Debian, installed when missing
# (NanumGothic for Korean, DejaVu for the few symbols it lacks).
SYSTEM_PACKAGES := chromium chromium-driver fonts-nanum fonts-dejavu-core
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install system-deps serve test lint format db docs clean

install: $(STAMP)

# torch first, pinned to the CPU build on this machine's disk: a bare `torch`
# requirement (from sentence-transformers) would pull a CUDA build of several GB.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

$(DB): | $(STAMP)
	$(BIN)/kb ingest data/reports --db $(DB)

db: $(STAMP)
	$(BIN)/kb ingest data/reports --db $(DB)

# A database made by an older kb is upgraded first (serving only reads).
serve: $(DB)
	$(BIN)/kb migrate --db $(DB)
	$(BIN)/kb serve --db $(DB) --host $(HOST) --port $(PORT)

system-deps:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null \
	    || [ ! -f /usr/share/fonts/truetype/nanum/NanumGothic.ttf ] \
	    || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then \
	  echo "installing $(SYSTEM_PACKAGES) from Debian"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(SYSTEM_PACKAGES); \
	fi

lint: $(STAMP)
	$(BIN)/ruff check kb tests bench
	$(BIN)/ruff format --check kb tests bench

format: $(STAMP)
	$(BIN)/ruff check --fix kb tests bench
	$(BIN)/ruff format kb tests bench

test: $(STAMP) system-deps
	$(BIN)/ruff check kb tests bench
	$(BIN)/python -m pytest -n $(TEST_JOBS)

# The kinds table of kb/kinds.py, written into README.md and metadata.yml.
docs: $(STAMP)
	$(BIN)/python -c 'from pathlib import Path; from kb.kinds import update_docs; update_docs(Path("README.md"), Path("metadata.yml"))'

clean:
	rm -rf $(VENV) $(DB) $(DB)-journal .pytest_cache
