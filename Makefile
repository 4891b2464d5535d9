# ACRouter — one entry point for set-up, tests, the demo and packaging.
PY ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: all venv npm test check test-fast test-py test-client test-smoke demo bundle vsix lock lint typecheck bench-perf clean

all: test

# The development environment: the dev lock (the runtime lock's pins plus pytest, mypy, ruff,
# matplotlib, ...) and an editable install of this tree.
$(STAMP): requirements.lock requirements-dev.lock pyproject.toml
	test -x $(VPY) || $(PY) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade "pip>=23"
	$(VPY) -m pip install -q --no-deps --require-hashes -r requirements-dev.lock
	$(VPY) -m pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

# npm workspace root (package.json + package-lock.json here); the only workspace is vscode-client.
node_modules/.installed: package.json package-lock.json vscode-client/package.json
	npm ci --no-audit --no-fund
	touch $@

npm: node_modules/.installed

test: lint test-py test-client test-smoke

# GNU's name for the same (`make check`)
check: test

# Python tests run in pytest-xdist workers, one per core (most of their time is spent
# waiting on sandboxed runs and language-server processes); PYTEST_WORKERS=0 runs them in
# one process, in file order.
PYTEST_WORKERS ?= auto

# The quick loop while editing: unit and policy tests (no sandbox, no LSP subprocesses).
test-fast: $(STAMP)
	$(VPY) -m pytest -q -n $(PYTEST_WORKERS) tests/unit tests/policy

# -rfEs: failures, errors and every skipped test's reason in the summary (CI fails on a
# toolchain it should have installed)
test-py: $(STAMP)
	$(VPY) -m pytest -q -rfEs -n $(PYTEST_WORKERS)

test-client: npm
	npm test

# The bundled extension (dist/extension.js) with the real vscode-languageclient against a fake
# server and against the real `acrouter serve` of this tree (vscode-client/test/smoke).
test-smoke: $(STAMP) npm
	ACROUTER_SMOKE_PYTHON="$(abspath $(VPY))" npm run smoke --workspace=vscode-client

# Offline replay of the bundled CodeRouterBench probing data (priors = train, stream = val):
# every router through the production Orchestrator, one model per task, then verify-and-escalate.
demo: $(STAMP)
	$(VENV)/bin/acrouter bench --protocol single --out bench-out/single
	$(VENV)/bin/acrouter bench --protocol escalate --out bench-out/escalate

# The .vsix carries its language server: `make vsix` builds the acrouter wheel (its version must be
# the extension's) and puts it with the runtime lock in vscode-client/bundled/, which Install Server
# installs from; vscode-client/scripts/check-bundle.cjs refuses to package a missing or mismatched one.
BUNDLED := vscode-client/bundled
bundle: $(STAMP)
	rm -rf build $(BUNDLED)
	$(VPY) -m pip wheel -q --no-deps --no-build-isolation -w $(BUNDLED) .
	rm -rf build
	cp requirements.lock $(BUNDLED)/requirements.lock
	node vscode-client/scripts/check-bundle.cjs

vsix: npm bundle
	npm run package

# Wall time of the replay (every router, 3,000 tasks); prints the figures.
bench-perf: $(STAMP)
	$(VPY) benchmarks/bench_perf.py

# Regenerate both hashed lock files after changing dependencies in pyproject.toml:
# requirements.lock      the runtime: what the server needs (the README's install, bundled in the .vsix)
# requirements-dev.lock  the runtime pins (as constraints, so the two agree) plus the dev extra
# UV_DIR is per user: a folder of that name in a shared /tmp may belong to another user.
UV_DIR ?= $(HOME)/.cache/acrouter-uv
lock:
	$(PY) -m venv $(UV_DIR) && $(UV_DIR)/bin/pip install -q uv==0.13.8
	$(UV_DIR)/bin/uv pip compile -q pyproject.toml --generate-hashes \
	  --universal --python-version 3.10 -o requirements.lock
	$(UV_DIR)/bin/uv pip compile -q pyproject.toml --extra dev -c requirements.lock --generate-hashes \
	  --universal --python-version 3.10 -o requirements-dev.lock

# ruff on the code and tests, mypy on the server package (both pinned in the dev lock)
lint: $(STAMP) typecheck npm
	$(VENV)/bin/ruff check server tests benchmarks
	$(VENV)/bin/ruff format --check server tests benchmarks
	npm run --workspace vscode-client format:check

typecheck: $(STAMP)
	$(VENV)/bin/mypy server/acrouter

clean:
	rm -rf $(VENV) bench-out vscode-client/node_modules vscode-client/out $(BUNDLED) build

# The extension in a real VS Code: code-server 4.139.1 (VS Code 1.139) from npm on Node 24, the
# built .vsix installed into it, driven in Debian's headless chromium by puppeteer-core, against
# the fake OpenAI-compatible server (tests/ui/vscode.test.cjs). tests/ui/setup.sh installs what is
# missing (chromium, libkrb5-dev, Node 24 and code-server under $(UI_TOOLS)) and fails loudly,
# never skips. Screenshots: test-artifacts/ui/.
UI_TOOLS ?= $(HOME)/.cache/acrouter-ui
.PHONY: test-ui
test-ui: $(STAMP) vsix
	ACROUTER_UI_TOOLS="$(UI_TOOLS)" bash tests/ui/setup.sh >/dev/null
	ACROUTER_UI_TOOLS="$(UI_TOOLS)" "$(UI_TOOLS)/node/node_modules/node/bin/node" --test \
	  --test-reporter=spec tests/ui/vscode.test.cjs
