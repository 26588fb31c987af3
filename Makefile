# make lab   open the notebooks in JupyterLab
# make test  ruff, unit tests, notebook/library checks, then every notebook re-run and compared by nbval
# Both create .venv (PYTHON -m venv) and install the project into it on first use, with the lab and
# test extras (JupyterLab and the kernel are not dependencies of the nnlib package itself).
# make test-unit PYTHON=python3.10 VENV=.venv-3.10   ruff and the unit tests only, in another Python
#
# For the classroom (docs/CLASSROOM.md); each installs the classroom extra and runs npm ci on first use:
# make student                                   student/: solutions stubbed, outputs cleared, README, reference modules
# make student REFERENCE=none                    the same for a class: no reference modules in the handout
# make course                                    course/: an nbgrader course, every assignment generated in release/
# make slides NB=notebooks/01_single_neuron.ipynb  _build/slides/<name>.slides.html, works offline
# make site                                      _build/site/html/: the whole series as a static site
# make slides SOLUTIONS=0 / make site SOLUTIONS=0  the same with every solution replaced by its stub
#
# For a class on one server (docs/HUB.md); hub-setup installs the hub extra and runs npm ci:
# make hub NN_HUB_PASSWORD=...                   JupyterHub on http://127.0.0.1:8000, a copy of the series per student

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# The extras installed into $(VENV): test-unit needs only the test extra. One time stamp per set of
# extras, so that `make lab` after `make test-unit` still installs JupyterLab.
EXTRAS ?= lab,test
comma  := ,
STAMP   = $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))

# One BLAS thread in the lab and in the tests alike: the outputs saved in the notebooks and the ones
# nbval recomputes come from the same arithmetic, and a small shared machine is not oversubscribed.
# Override on the command line, e.g. make lab OMP_NUM_THREADS=4 OPENBLAS_NUM_THREADS=4
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

# PY: the Python that runs the tests; `make run-tests PY=python` uses the active environment (conda).
PY    ?= $(BIN)/python
NBVAL := $(PY) -m pytest -q --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: lab test test-unit run-tests run-unit-tests setup classroom-setup bridge-setup student course slides site \
        hub-setup hub

lab: setup
	$(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

test: setup
	$(MAKE) --no-print-directory run-tests

# ruff (code and notebooks), the unit tests, then every notebook under nbval.
run-tests:
	$(PY) -m ruff check .
	$(PY) -m pytest -q tests/
ifneq ($(wildcard notebooks/*.ipynb),)
	$(PY) scripts/unchanged.py nnlib -- $(NBVAL) notebooks/
else
	@echo "notebooks/ has no notebooks yet: nothing for nbval to run"
endif

# ruff and the unit tests without the slow ones (those run notebooks in a kernel) and without nbval:
# what .ci/run runs on the lowest and the highest supported Python, each in a venv of its own.
test-unit:
	$(MAKE) --no-print-directory setup EXTRAS=test
	$(MAKE) --no-print-directory run-unit-tests

run-unit-tests:
	$(PY) -m ruff check .
	$(PY) -m pytest -q -m "not slow" tests/

# Matplotlib builds its font cache on first import; do it here, not in a notebook's stderr.
setup: $(STAMP)
	$(BIN)/python -c "import matplotlib.pyplot"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -e '.[$(EXTRAS)]'
	touch $@

# --- classroom: student versions, slides, static site (docs/CLASSROOM.md) ---

NB ?= notebooks/01_single_neuron.ipynb
# SOLUTIONS=0: slides and site without the answers (a deck or a site to hand to students)
SOLUTIONS ?= 1
NO_SOLUTIONS := $(if $(filter 0 no false,$(SOLUTIONS)),--no-solutions)

classroom-setup: setup $(VENV)/.classroom node_modules/.package-lock.json

$(VENV)/.classroom: $(STAMP) pyproject.toml
	$(BIN)/python -m pip install -e '.[lab,test,classroom]'
	touch $@

# PyTorch, the bridge extra: notebook 15 and tests/test_torch_parity.py (both skipped without it).
bridge-setup: setup $(VENV)/.bridge

$(VENV)/.bridge: $(STAMP) pyproject.toml
	$(BIN)/python -m pip install -e '.[lab,test,bridge]'
	touch $@

# npm ci installs exactly package-lock.json (reveal.js, MathJax, require.js, jQuery) and writes
# node_modules/.package-lock.json, which serves as the time stamp.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

REFERENCE ?= all

student: classroom-setup
	$(BIN)/python scripts/make_student.py --reference $(REFERENCE)

course: classroom-setup
	$(BIN)/python scripts/make_course.py

slides: classroom-setup
	$(BIN)/python scripts/make_slides.py $(NO_SOLUTIONS) $(NB)

site: classroom-setup
	$(BIN)/python scripts/build_site.py $(NO_SOLUTIONS)

# --- JupyterHub for a class (docs/HUB.md) ---

# The hub extra (JupyterHub) and configurable-http-proxy from package-lock.json (npm ci).
hub-setup: setup $(VENV)/.hub node_modules/.package-lock.json

$(VENV)/.hub: $(STAMP) pyproject.toml
	$(BIN)/python -m pip install -e '.[lab,test,hub]'
	touch $@

# The settings are environment variables read by hub/jupyterhub_config.py, e.g.
# make hub NN_HUB_PASSWORD=... NN_HUB_ADMINS=teacher NN_HUB_PORT=8000 NN_HUB_COPY=student
hub: hub-setup
	$(BIN)/jupyterhub -f hub/jupyterhub_config.py
