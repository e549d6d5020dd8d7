# Quick start: `make demo` lints the example bucket, `make test` runs the test suite.
# Both create .venv on first use; later runs only reinstall when pyproject.toml changes or a
# package file is added or removed (see "The development install" below).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LOWEST := .venv-lowest

.PHONY: demo test check test-lowest venv node-tools vsix clean FORCE

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

# Static checks: ruff; strict mypy over the package as installed; import-linter's contracts
# (pyproject.toml, [tool.importlinter]) over the same tree. Last, so that a broken contract does
# not hide what the others find.
check: $(VENV)/.installed-test
	$(BIN)/ruff check lint lsp schema tests examples bench
	$(BIN)/mypy -p metalint
	$(BIN)/lint-imports

# The quick tests against the lowest version of each run-time dependency that pyproject.toml
# allows: .ci/lowest pins every ">=" floor of [project] dependencies, and a venv of its own gets
# exactly those (the test tools at their newest). The package is installed as a wheel, afresh
# on every run, so the tests see the current code; build/lib goes first, as setuptools would
# pack a module removed since the last build from the copy it left there.
test-lowest: $(LOWEST)/.installed node-tools
	rm -rf build/lib
	$(LOWEST)/bin/python -m pip install -q --no-deps --force-reinstall .
	@echo "run-time dependencies at their floors: $$(tr '\n' ' ' < $(LOWEST)/lowest.txt)"
	$(LOWEST)/bin/pytest -m "not slow" -q $(PYTEST_ARGS)

$(LOWEST)/.installed: pyproject.toml .ci/lowest
	rm -rf $(LOWEST)
	$(PYTHON) -m venv $(LOWEST)
	$(LOWEST)/bin/python -m pip install -q --upgrade pip
	$(LOWEST)/bin/python .ci/lowest > $(LOWEST)/lowest.txt
	$(LOWEST)/bin/python -m pip install -q -c $(LOWEST)/lowest.txt '.[test]'
	@touch $@

# The node packages the tests use, each folder pinned by its package-lock.json: at the top,
# Microsoft's SARIF validator for the sarif output's tests; in editors/vscode, the VS Code
# extension's client library and vsce, which packs the extension (`make vsix`, and a test).
# Without npm those tests are skipped (CI installs npm, so there they always run).
NODE_FOLDERS := . editors/vscode

node-tools:
	@for folder in $(NODE_FOLDERS); do \
		if [ -f $$folder/node_modules/.installed ] && \
			[ ! $$folder/package-lock.json -nt $$folder/node_modules/.installed ]; then \
			:; \
		elif command -v npm >/dev/null; then \
			(cd $$folder && npm ci --no-audit --no-fund --loglevel=error) && \
				touch $$folder/node_modules/.installed || exit 1; \
		else \
			echo "note: npm not found; the tests of SARIF and of the VS Code extension will be skipped" >&2; \
			break; \
		fi; \
	done

# The VS Code extension, packed into dist/metalint-vscode.vsix.
vsix: node-tools
	mkdir -p dist
	cd editors/vscode && node_modules/.bin/vsce package --skip-license --out ../../dist/metalint-vscode.vsix

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) || { \
		rm -rf $(VENV); \
		echo "error: '$(PYTHON) -m venv' failed; on Debian or Ubuntu: apt-get install python3-venv" >&2; \
		exit 1; }
	@$(BIN)/python -m pip install -q --upgrade pip

# The development install: setuptools' strict editable mode. It builds a tree of links named as
# the installed package under build/__editable__.*/ (metalint/ holds links to lint/'s files,
# metalint/lsp/ to lsp/'s, metalint/schema/ to schema/'s) and puts that tree on the venv's path.
# Editors, mypy and import-linter read it as plain files; an edit to a linked file shows at once.
# A file added or removed needs the tree relinked, that is a reinstall: the stamps depend on
# $(VENV)/package-files, the list of the package's files (and of the tree itself), which is
# rewritten only when it changes. So every target that uses the venv relinks when needed, and
# `make venv` does just that.
venv: $(VENV)/.installed-test

PACKAGE_FILES = { find lint lsp schema -name '*.py' -o -name '*.json'; \
	ls -d build/__editable__.*/metalint 2>/dev/null; } | LC_ALL=C sort
EDITABLE := --config-settings editable_mode=strict

$(VENV)/package-files: FORCE | $(BIN)/python
	@$(PACKAGE_FILES) > $@.new; if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

$(VENV)/.installed: pyproject.toml $(VENV)/package-files | $(BIN)/python
	$(BIN)/python -m pip install -q -e . $(EDITABLE)
	@$(PACKAGE_FILES) > $(VENV)/package-files
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/package-files | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]' $(EDITABLE)
	@$(PACKAGE_FILES) > $(VENV)/package-files
	@touch $@ $(VENV)/.installed

clean:
	rm -rf $(VENV) $(LOWEST) node_modules editors/vscode/node_modules build dist *.egg-info .pytest_cache .mypy_cache \
		.ruff_cache .import_linter_cache
