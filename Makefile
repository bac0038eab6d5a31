# The entry points the README names: `make demo`, `make test` (what .ci/run calls), `make bench`.
# Repeated runs are incremental: stamp files record what was done, CMake and Ninja redo only
# what changed, and the Python build tree persists under build/python.
#
# Target graph:
#   deps                                  install missing Debian packages (always checked, fast)
#   venv                                  .venv with an up-to-date pip
#   cpp       <- deps                     configure build/cpp once, then build it
#   python    <- deps venv                pip install ".[test]" into .venv when sources changed
#   test      <- cpp python               run-tests under scripts/with-postgres.sh: one throwaway
#                                         PostgreSQL server for ctest and pytest, stopped however they end
#   run-tests                             ctest, pytest, then mypy on the Python examples, against
#                                         DATATRAIL_TEST_POSTGRES (ctest and pytest start a server without it)
#   typecheck <- python                   mypy on the Python examples
#   demo      <- python                   examples/quickstart.py
#   bench     <- cpp python               every benchmark: SQLite ones (task and notebook recording too) and NeXus streaming, then bench-postgres under
#                                         scripts/with-postgres.sh (one throwaway server)
#   bench-postgres                        the PostgreSQL benchmarks (registration, lineage, metadata
#                                         query, schema check, writers on both engines, merge), against
#                                         DATATRAIL_TEST_POSTGRES
#   stubs     <- python                   regenerate python/datatrail/_core.pyi, units.pyi and nexus.pyi
#   clean                                 remove build/ and .venv

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
.SUFFIXES:
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3
CMAKE ?= cmake
CTEST ?= ctest
JOBS ?= 2

VENV := .venv
VENV_PY := $(VENV)/bin/python
BUILD_CPP := build/cpp
STUBS_OUT := build/stubs
# Keep in step with the test that checks python/datatrail/_core.pyi for drift.
STUBGEN_FLAGS := --exit-code

# Nothing may wait for an answer: CI runs with no standard input.
export DEBIAN_FRONTEND := noninteractive
export PIP_NO_INPUT := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Read by scikit-build-core for the Python build.
export CMAKE_BUILD_PARALLEL_LEVEL := $(JOBS)

CMAKE_CONFIGURE_ARGS := -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DDATATRAIL_BUILD_TESTS=ON \
  -DDATATRAIL_BUILD_EXAMPLES=ON \
  -DDATATRAIL_BUILD_BENCH=ON \
  -DCMAKE_INSTALL_PREFIX=$(CURDIR)/build/install

VENV_STAMP := $(VENV)/.stamp-venv
PYTHON_STAMP := $(VENV)/.stamp-datatrail
CPP_CONFIGURED := $(BUILD_CPP)/.stamp-configured

# Everything that goes into the Python package; a change to any of them reinstalls it.
PYTHON_INPUTS := pyproject.toml CMakeLists.txt README.md LICENSE \
  $(shell find cmake include src python -type f -not -path '*/__pycache__/*' 2>/dev/null)
EXAMPLES_PY := $(shell find examples -name '*.py' -not -path '*/.ipynb_checkpoints/*' 2>/dev/null)

# pip's build isolation would put pybind11 in a new temporary directory on every install,
# which changes the compile flags and so recompiles every binding. Installing the build
# requirements into .venv once and building without isolation keeps build/python reusable.
# The list comes from pyproject.toml, plus whatever the backend asks for on this machine
# (cmake or ninja from PyPI when the system ones are missing or too old).
define INSTALL_BUILD_REQUIRES_PY
import importlib, subprocess, sys
try:
    import tomllib
except ImportError:  # Python 3.10
    from pip._vendor import tomli as tomllib

def pip_install(requirements):
    if requirements:
        subprocess.run([sys.executable, "-m", "pip", "install", *requirements], check=True)

with open("pyproject.toml", "rb") as f:
    build_system = tomllib.load(f)["build-system"]
pip_install(build_system["requires"])
backend = importlib.import_module(build_system["build-backend"])
pip_install(backend.get_requires_for_build_wheel())
endef
export INSTALL_BUILD_REQUIRES_PY

.PHONY: all help deps venv cpp python test run-tests typecheck demo bench bench-postgres stubs clean

all: cpp python

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

deps:
	bash scripts/install-deps.sh

venv: $(VENV_STAMP)

$(VENV_STAMP):
	$(VENV_PY) -c '' 2>/dev/null || $(PYTHON) -m venv --clear $(VENV)
	$(VENV_PY) -m pip install --upgrade pip
	touch $@

# Configured once; afterwards Ninja re-runs CMake itself when a CMakeLists.txt changes.
$(CPP_CONFIGURED): Makefile | deps
	$(CMAKE) -S . -B $(BUILD_CPP) $(CMAKE_CONFIGURE_ARGS)
	touch $@

cpp: deps $(CPP_CONFIGURED)
	$(CMAKE) --build $(BUILD_CPP) -j$(JOBS)

python: deps $(PYTHON_STAMP)

$(PYTHON_STAMP): $(PYTHON_INPUTS) $(VENV_STAMP) | deps
	$(VENV_PY) -c "$$INSTALL_BUILD_REQUIRES_PY"
	$(VENV_PY) -m pip install --no-build-isolation ".[test]"
	touch $@

TYPECHECK = $(if $(EXAMPLES_PY),$(VENV_PY) -m mypy examples,@echo "typecheck: no Python examples yet, mypy not run")

test: cpp python
	bash scripts/with-postgres.sh $(MAKE) --no-print-directory run-tests

# Builds nothing, so that `test` can run it under one server once everything is built.
run-tests:
	$(CTEST) --test-dir $(BUILD_CPP) --output-on-failure --no-tests=error -j$(JOBS)
	$(VENV_PY) -m pytest tests/python -q
	$(TYPECHECK)

typecheck: python
	$(TYPECHECK)

demo: python
	$(VENV_PY) examples/quickstart.py

# BENCH_FLAGS is passed to every Python benchmark and to bench_query and bench_schema: `make bench
# BENCH_FLAGS=--write-docs` rewrites each one's section of docs/benchmarks.md from this run.
BENCH_FLAGS ?=

bench: cpp python
	$(BUILD_CPP)/bench/bench_register
	$(VENV_PY) bench/bench_register.py $(BENCH_FLAGS)
	$(VENV_PY) bench/bench_lineage.py $(BENCH_FLAGS)
	$(VENV_PY) bench/bench_task.py $(BENCH_FLAGS)
	$(VENV_PY) bench/bench_notebook.py $(BENCH_FLAGS)
	$(BUILD_CPP)/bench/bench_query $(BENCH_FLAGS)
	$(BUILD_CPP)/bench/bench_schema $(BENCH_FLAGS)
	$(VENV_PY) bench/bench_nexus_stream.py $(BENCH_FLAGS)
	bash scripts/with-postgres.sh $(MAKE) --no-print-directory bench-postgres

# Builds nothing, so that `bench` can run it under one server once everything is built.
bench-postgres:
	$(VENV_PY) bench/bench_register.py --engine postgres $(BENCH_FLAGS)
	$(VENV_PY) bench/bench_lineage.py --engine postgres $(BENCH_FLAGS)
	$(BUILD_CPP)/bench/bench_query --engine postgres $(BENCH_FLAGS)
	$(BUILD_CPP)/bench/bench_schema --engine postgres $(BENCH_FLAGS)
	$(VENV_PY) bench/bench_writers.py $(BENCH_FLAGS)
	$(VENV_PY) bench/bench_merge.py $(BENCH_FLAGS)

# pybind11-stubgen writes <out>/datatrail/<module>.pyi for each module: the extension and its
# units and nexus submodules (registered as datatrail.units and datatrail.nexus).
STUB_MODULES := _core units nexus
stubs: python
	rm -rf $(STUBS_OUT)
	$(VENV)/bin/pybind11-stubgen $(addprefix datatrail.,$(STUB_MODULES)) $(STUBGEN_FLAGS) -o $(STUBS_OUT)
	@for m in $(STUB_MODULES); do test -f $(STUBS_OUT)/datatrail/$$m.pyi || { \
	  echo "stubs: pybind11-stubgen did not write $(STUBS_OUT)/datatrail/$$m.pyi" >&2; exit 1; }; done
	for m in $(STUB_MODULES); do cp $(STUBS_OUT)/datatrail/$$m.pyi python/datatrail/$$m.pyi; done

clean:
	rm -rf build $(VENV)
