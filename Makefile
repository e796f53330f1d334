# Two commands a new user needs: `make lab` opens the notebooks, `make test` runs
# every test. Both create or update .venv first, so they work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install lab test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the project's metadata changes.
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[lab,test]'
	touch $(STAMP)

# The JupyterLab extension (labextension/ -> nbassets/labextension): the install above
# builds it once (hatch-jupyter-builder); `npm ci` again only when the lock file
# changes, a rebuild only when a source changes, then the venv's copy becomes a link
# to the build so JupyterLab serves what was just built.
LABEXT := nbassets/labextension/package.json
LABEXT_SOURCES := $(wildcard labextension/src/*.ts) labextension/style/index.css \
	labextension/package.json labextension/webpack.config.js labextension/tsconfig.json \
	nbassets/widgets/static/lineage.js nbassets/widgets/static/lineage.css
LABEXT_MODULES := labextension/node_modules/.package-lock.json
LABEXT_LINK := $(VENV)/share/jupyter/labextensions/nbassets

NO_NPM := echo "npm not found: the JupyterLab extension is not built (install Node 20.19+ and npm)"

$(LABEXT_MODULES): labextension/package-lock.json
	if command -v npm >/dev/null; then cd labextension && npm ci --no-audit --no-fund; \
	else $(NO_NPM); fi

$(LABEXT): $(LABEXT_MODULES) $(LABEXT_SOURCES) | $(STAMP)
	if command -v npm >/dev/null; then \
	  (cd labextension && PATH="$(abspath $(BIN)):$$PATH" npm run build) && \
	  rm -rf $(LABEXT_LINK) && ln -s $(abspath nbassets/labextension) $(LABEXT_LINK); \
	else $(NO_NPM); fi

install: $(STAMP) $(LABEXT)

lab: $(STAMP) $(LABEXT)
	$(BIN)/jupyter lab --notebook-dir=notebooks --allow-root

test: $(STAMP) $(LABEXT)
	$(BIN)/ruff check nbassets tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check nbassets tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache nbassets/labextension labextension/lib
