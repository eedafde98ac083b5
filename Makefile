# The project's commands. `make run` and `make test` set everything up by themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
IMR_CORPUS ?= $(if $(wildcard ../shared/corpus),../shared/corpus,)
IMR_INDEX ?= var/index
HOST ?= 127.0.0.1
PORT ?= 5000
SIZE ?= 1000
CHROMIUM_PATH ?= /usr/bin/chromium
PYTEST_ARGS ?=

export IMR_CORPUS IMR_INDEX CHROMIUM_PATH

.PHONY: install run index test lint bench chromium clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

index: install
	@if [ -z "$(IMR_CORPUS)" ]; then echo "Set IMR_CORPUS to a folder of letters (PDF or .txt)."; exit 2; fi
	@# Exit 1: some letters failed (the rest is indexed). Exit 3: the index was built by an
	@# earlier version with another schema; this index is derived from IMR_CORPUS, so rebuild it.
	@$(BIN)/imr-index build "$(IMR_CORPUS)" --index "$(IMR_INDEX)" --prune; status=$$?; \
	if [ $$status -eq 3 ]; then \
		echo "Rebuilding $(IMR_INDEX) from $(IMR_CORPUS) (schema changed)"; \
		rm -rf "$(IMR_INDEX)" && $(BIN)/imr-index build "$(IMR_CORPUS)" --index "$(IMR_INDEX)" --prune; \
		status=$$?; \
	fi; \
	test $$status -le 1

run: index
	$(BIN)/imr-search serve --index "$(IMR_INDEX)" --host $(HOST) --port $(PORT)

chromium:
	@if [ ! -x "$(CHROMIUM_PATH)" ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi

test: install chromium
	@$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi; \
	exit $$status

lint: install
	$(BIN)/ruff check indexer search_app tests bench
	$(BIN)/ruff format --check indexer search_app tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install
	$(BIN)/python bench/run.py --size $(SIZE)

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
