# The book's two commands:
#   make book   set up .venv, execute every notebook (profile ci) with papermill, build _build/html
#   make test   everything that can fail: unit tests, the notebooks, nbval, the book build with
#               warnings as errors, and the rendered pages in headless Chromium
# Both set up .venv by themselves on a fresh clone. PROFILE=quick make book runs the longer profile;
# `make results` reruns the quick profile into results/ (NOTEBOOKS=... to choose notebooks).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PROFILE ?= ci
EXECUTED := _build/executed
RESULTS := _build/results
export PATH := $(abspath $(VENV))/bin:$(PATH)
# Two cores: one torch thread per core, no oversubscription between torch and BLAS.
export OMP_NUM_THREADS ?= 2
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: venv notebooks book test unit results clean

venv: $(STAMP)

# torch is pinned by constraints.txt so that no package pulls another (e.g. CUDA) build.
$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[book,test]"
	touch $(STAMP)

notebooks: $(STAMP)
	$(PY) tools/execute_notebooks.py --profile $(PROFILE) --out $(EXECUTED) --results-dir $(RESULTS)

book: notebooks
	$(PY) tools/build_book.py --executed $(EXECUTED) --html _build/html

unit: $(STAMP)
	$(PY) -m pytest -m "not book"

# One pytest run: unit tests, tests of the executed notebooks, results and rendered pages, and
# nbval on the executed notebooks (--nbval-lax; cells marked NBVAL_CHECK_OUTPUT compared strictly).
test: book
	$(PY) -m pytest tests $(EXECUTED)/notebooks --nbval-lax -p no:cacheprovider

# The committed results of the longer profile (minutes a notebook on a CPU), with provenance.
results: $(STAMP)
	$(PY) tools/execute_notebooks.py --profile quick --out _build/executed-quick --results-dir results --notebooks-only $(NOTEBOOKS)

clean:
	rm -rf _build
