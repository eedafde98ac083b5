# The project's commands. `make run` and `make test` set everything up by themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
IMR_CORPUS ?= $(if $(wildcard ../shared/corpus),../shared/corpus,)
# With no corpus given or found, `make run` serves a demo: DEMO_LETTERS synthetic letters,
# generated and indexed once under var/demo. The index records that they are synthetic, so
# every page and API answer says so, whoever serves it.
DEMO_LETTERS ?= 2000
DEMO_CORPUS := var/demo/letters-$(DEMO_LETTERS)
ifeq ($(strip $(IMR_CORPUS)),)
DEMO := yes
IMR_INDEX ?= var/demo/index
LETTERS := $(DEMO_CORPUS)
else
IMR_INDEX ?= var/index
LETTERS := $(IMR_CORPUS)
endif
HOST ?= 127.0.0.1
PORT ?= 5000
SIZE ?= 1000
CHROMIUM_PATH ?= /usr/bin/chromium
PYTEST_ARGS ?=

export IMR_CORPUS IMR_INDEX CHROMIUM_PATH

.PHONY: install run index demo-notice test lint bench chromium clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

index: install $(if $(DEMO),demo-notice $(DEMO_CORPUS)/SYNTHETIC-CORPUS.marker)
	@# Exit 1: some letters failed (the rest is indexed). Exit 3: the index was built by an
	@# earlier version with another schema; this index is derived from the letters, so rebuild it.
	@$(BIN)/imr-index build "$(LETTERS)" --index "$(IMR_INDEX)" --prune; status=$$?; \
	if [ $$status -eq 3 ]; then \
		echo "Rebuilding $(IMR_INDEX) from $(LETTERS) (schema changed)"; \
		rm -rf "$(IMR_INDEX)" && $(BIN)/imr-index build "$(LETTERS)" --index "$(IMR_INDEX)" --prune; \
		status=$$?; \
	fi; \
	test $$status -le 1

demo-notice:
	@echo "No corpus: IMR_CORPUS is not set and there is no ../shared/corpus."
	@echo "Using $(DEMO_LETTERS) SYNTHETIC demonstration letters (not real decisions), indexed in $(IMR_INDEX)."
	@echo "To index real letters instead: make run IMR_CORPUS=/path/to/letters"

# Generated whole into a temporary folder, then renamed: an interrupted run leaves no half corpus.
$(DEMO_CORPUS)/SYNTHETIC-CORPUS.marker: | $(STAMP)
	@rm -rf "$(DEMO_CORPUS).partial"
	$(BIN)/imr-index generate --letters $(DEMO_LETTERS) --seed 1 --out "$(DEMO_CORPUS).partial"
	@rm -rf "$(DEMO_CORPUS)" && mv "$(DEMO_CORPUS).partial" "$(DEMO_CORPUS)"

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
