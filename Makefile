# Online dossier reading (网上阅卷). `make run` to try it, `make test` to check it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DATA_DIR ?= var
export GATEWAY_PORT ?= 8000
export TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: help venv deps node-deps miniprogram-deps client-types run up down status cluster-up cluster-down cluster-status test-cluster test test-unit test-sqlite test-postgres lint fmt bench clean

help:
	@echo "make run       install what is missing, start everything in the foreground (Ctrl-C stops)"
	@echo "make up|down   the same stack in the background / stop it"
	@echo "make cluster-up|cluster-down  the production shape on loopback: 3 broker nodes, 2 of each process, HAProxy"
	@echo "make test      the whole test suite (SQLite, then PostgreSQL); TESTS=\"FILE ...\" runs only those"
	@echo "make lint      ruff, mypy; biome and tsc --checkJs over the web pages' JS"
	@echo "make bench     the benchmarks (numbers for the README)"
	@echo "make client-types  regenerate the mini-program's API types from the OpenAPI document, and its and the services' copies of the web pages' words"

$(BIN)/.installed: requirements.txt
	@test -x $(BIN)/python || bash deploy/install-deps.sh python $(PYTHON)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

venv: $(BIN)/.installed

deps: venv
	@bash deploy/install-deps.sh
	@$(MAKE) --no-print-directory node-deps miniprogram-deps

# The pages' npm packages (weui; biome and tsc for make lint), reinstalled when the lock changes.
node-deps: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

# The WeChat mini-program (clients/miniprogram/) has its own package.json: WeChat DevTools
# builds its npm components from there (构建 npm). Reinstalled when its lock file changes.
MINIPROGRAM := clients/miniprogram
miniprogram-deps: $(MINIPROGRAM)/node_modules/.installed
$(MINIPROGRAM)/node_modules/.installed: $(MINIPROGRAM)/package.json $(MINIPROGRAM)/package-lock.json
	cd $(MINIPROGRAM) && npm ci --no-audit --no-fund --silent
	touch $@

# The mini-program's API types, generated from the OpenAPI document the gateway serves, and
# its copy of the web pages' words (gateway/static/common.js);
# tests/unit/test_miniprogram.py fails when either differs from what this writes.
client-types: venv miniprogram-deps
	set -o pipefail; $(BIN)/python $(MINIPROGRAM)/scripts/dump_openapi.py | (cd $(MINIPROGRAM) && npm run --silent types) > $(MINIPROGRAM)/typings/api.d.ts.new
	mv $(MINIPROGRAM)/typings/api.d.ts.new $(MINIPROGRAM)/typings/api.d.ts
	node --no-warnings $(MINIPROGRAM)/scripts/words.mjs > $(MINIPROGRAM)/miniprogram/utils/court-words.ts.new
	mv $(MINIPROGRAM)/miniprogram/utils/court-words.ts.new $(MINIPROGRAM)/miniprogram/utils/court-words.ts
	node --no-warnings $(MINIPROGRAM)/scripts/words.mjs python > services/common/court/words.py.new
	mv services/common/court/words.py.new services/common/court/words.py

run: deps
	$(BIN)/python deploy/stack.py run

up: deps
	$(BIN)/python deploy/stack.py up

down:
	@if [ -x $(BIN)/python ]; then $(BIN)/python deploy/stack.py down; fi

status: venv
	$(BIN)/python deploy/stack.py status

# The production shape on this machine (DESIGN.md, Runtime); needs DATABASE_URL=postgresql://…
cluster-up: deps
	$(BIN)/python deploy/cluster.py up

cluster-down:
	@if [ -x $(BIN)/python ]; then $(BIN)/python deploy/cluster.py down; fi

cluster-status: venv
	$(BIN)/python deploy/cluster.py status

# TESTS="tests/unit/test_deploy.py tests/e2e/test_pages.py" narrows the run to those tests
# (lint, then them on SQLite and on PostgreSQL; the cluster run only for the whole suite)
export TESTS ?=
test: deps
	bash tests/run.sh

test-unit: venv miniprogram-deps
	$(BIN)/python -m pytest tests/unit -q

test-sqlite: deps
	DATABASE_URL= $(BIN)/python -m pytest tests -q -m "not cluster"

test-postgres: deps
	$(BIN)/python -m pytest tests -q -m "not unit and not once and not cluster" --postgres

# the cluster shape's failure test (a few minutes; a fresh database beside TEST_POSTGRES_URL's)
test-cluster: deps
	$(BIN)/python -m pytest tests/cluster -q -s -m cluster

# mypy over services/ and gateway/ (pyproject.toml [tool.mypy]). The web pages' JS (gateway/static):
# biome (biome.json), and tsc --checkJs with the routes typed from the OpenAPI document
# (gateway/webtypes/tsconfig.json); tests/unit/test_web_js.py too.
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	@test -x node_modules/.bin/biome || { echo "the root npm packages are missing: run make deps" >&2; exit 1; }
	node_modules/.bin/biome lint --error-on-warnings
	node_modules/.bin/tsc -p gateway/webtypes

fmt: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: deps
	$(BIN)/python -m benchmarks

clean: down cluster-down
	rm -rf $(DATA_DIR)
