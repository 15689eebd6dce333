# 知行 Zhixing — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
export DJANGO_SETTINGS_MODULE := zhixing.settings

.PHONY: demo serve test lint typecheck pytest test-browser bench install assets clean

$(BIN)/zhixing: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(BIN)/zhixing node_modules/.package-lock.json

assets: install
	DEBUG=1 $(BIN)/zhixing collectstatic --noinput --verbosity 0

## make demo: install, build assets, migrate var/zhixing.sqlite3, load the demo organisation, serve on PORT
demo: assets
	DEBUG=1 $(BIN)/zhixing demo --port $(PORT)

serve: assets
	DEBUG=1 $(BIN)/zhixing serve --port $(PORT)

## make test: lint, type checks, the whole suite (browser tests included)
test: install lint typecheck pytest

lint: install
	$(BIN)/ruff check zhixing
	$(BIN)/ruff format --check zhixing

typecheck: install
	DEBUG=1 $(BIN)/mypy zhixing

pytest: install
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

## make bench: the numbers of docs/PERFORMANCE.md, on the city-scale dataset
bench: install
	DEBUG=1 $(BIN)/zhixing bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules staticfiles var
