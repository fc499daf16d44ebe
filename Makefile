# The two commands a new machine needs: `make demo` and `make test`. Both create .venv on
# first use and install the project with everything its tests need.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast lint typecheck docs bench clean notebooks

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or: make PYTHON=python3 ...)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

## make demo: the whole path on the bundled logistics example; prints where the report is
demo: $(STAMP)
	$(VENV)/bin/dna demo --out demo-out

## make test: lint, type-check, build the docs, then the whole suite
test: $(STAMP) lint typecheck docs
	$(PY) -m pytest -n 2 --dist loadgroup

test-fast: $(STAMP)
	$(PY) -m pytest -n 2 -m "not slow and not browser"

lint: $(STAMP)
	$(VENV)/bin/ruff check dna_kit tests benchmarks tools notebooks docs/_hooks
	$(VENV)/bin/lint-imports --no-logo

typecheck: $(STAMP)
	$(VENV)/bin/mypy

## make docs: the documentation site into site/ (reference pages generated from the code)
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet --site-dir site

## make notebooks: rebuild every notebooks/NN_*.ipynb from its NN_*.py (jupytext percent
## format), clean: no outputs, no execution counts, stable ids and metadata
notebooks: $(STAMP)
	$(PY) notebooks/_to_ipynb.py

## make bench: run the benchmarks and rewrite BENCHMARKS.md
bench: $(STAMP)
	$(PY) -m pip install --quiet -e ".[bench]"
	$(PY) benchmarks/run.py --write BENCHMARKS.md

clean:
	rm -rf $(VENV) demo-out site dist build .pytest_cache .mypy_cache .ruff_cache
