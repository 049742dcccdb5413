# Two commands matter: `make demo` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python

.PHONY: demo test fuzz bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.demo-installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[all]'
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test,all]'
	touch $@

# The main job: train an MLP on the bundled digits data and write a run folder with report.html.
demo: $(VENV)/.demo-installed
	$(BIN)/ember train digits

# Two pytest workers on two cores: one BLAS thread each, or small matmuls thrash.
test: $(VENV)/.test-installed
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) -m pytest -q -n 2 tests

# The fuzz suite (tests/fuzz) for longer: each fuzz test runs for FUZZ_SECONDS with fresh random
# examples (CSV reader 2 tests, ember.load 3, config readers 3, Keras model files 2: several minutes per reader).
FUZZ_SECONDS ?= 90
fuzz: $(VENV)/.test-installed
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) -m pytest -q -n 2 -rP tests/fuzz --fuzz-seconds $(FUZZ_SECONDS)

bench: $(VENV)/.test-installed
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache
