# Quick start: `make demo` lints the example bucket, `make test` runs the test suite.
# Both create .venv on first use; later runs only reinstall when pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test check node-tools clean

demo: $(VENV)/.installed
	@echo "\$$ metalint examples/bucket"
	@$(BIN)/metalint examples/bucket; status=$$?; \
	if [ $$status -eq 1 ]; then \
		echo "(exit status 1, as expected: the example bucket holds deliberate mistakes; see examples/README.md)"; \
	else \
		exit $$status; \
	fi

test: $(VENV)/.installed-test node-tools
	$(BIN)/pytest $(PYTEST_ARGS)

# Static checks: ruff, and mypy (strict) over the package as it is installed. mypy reads it
# through a tree of links named as the package (lint/ is metalint), since it cannot follow the
# editable install's import hook.
check: $(VENV)/.installed-test
	$(BIN)/ruff check lint lsp schema tests examples bench
	@rm -rf build/typecheck && mkdir -p build/typecheck/metalint
	@for f in lint/*; do ln -s "$(CURDIR)/$$f" build/typecheck/metalint/; done
	@ln -s "$(CURDIR)/lsp" build/typecheck/metalint/lsp
	@ln -s "$(CURDIR)/schema" build/typecheck/metalint/schema
	MYPYPATH=build/typecheck $(BIN)/mypy -p metalint

# Microsoft's SARIF validator, for the sarif output's tests. Without npm those tests are skipped
# (CI installs npm, so there they always run).
node-tools:
	@if [ -f node_modules/.installed ] && [ ! package-lock.json -nt node_modules/.installed ]; then \
		:; \
	elif command -v npm >/dev/null; then \
		npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else \
		echo "note: npm not found; the SARIF validator tests will be skipped" >&2; \
	fi

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) || { \
		rm -rf $(VENV); \
		echo "error: '$(PYTHON) -m venv' failed; on Debian or Ubuntu: apt-get install python3-venv" >&2; \
		exit 1; }
	@$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@ $(VENV)/.installed

clean:
	rm -rf $(VENV) node_modules build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
