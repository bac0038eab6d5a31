"""The installed package: version, public names, and the committed stubs matching the module."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import datatrail as dt

from conftest import REPO


def test_version_matches_the_cmake_project() -> None:
    cmake = (REPO / "CMakeLists.txt").read_text()
    version = re.search(r"project\(datatrail VERSION (\S+)", cmake)
    assert version is not None
    assert dt.__version__ == version.group(1)
    assert dt._core.__version__ == dt.__version__


def test_every_public_name_exists_and_has_a_docstring() -> None:
    for name in dt.__all__:
        obj = getattr(dt, name)
        if name.startswith("__"):
            continue
        assert obj.__doc__, f"datatrail.{name} has no docstring"


def test_methods_have_docstrings() -> None:
    missing = [
        f"Catalog.{name}"
        for name in dir(dt.Catalog)
        if not name.startswith("_") and callable(getattr(dt.Catalog, name)) and not getattr(dt.Catalog, name).__doc__
    ]
    assert missing == []


def test_units_submodule_imports() -> None:
    from datatrail.units import convert

    assert convert(1.0, "keV", "eV") == pytest.approx(1000.0)


@pytest.mark.skipif(shutil.which("pybind11-stubgen") is None and not (Path(sys.executable).parent / "pybind11-stubgen").exists(),
                    reason="pybind11-stubgen is in the test extra; install with pip install '.[test]'")
@pytest.mark.parametrize("module", ["_core", "units", "nexus"])
def test_committed_stubs_match_the_built_module(module: str, tmp_path: Path) -> None:
    # The same command as `make stubs`; a difference means a stub drifted from the bindings.
    stubgen = Path(sys.executable).parent / "pybind11-stubgen"
    command = [str(stubgen) if stubgen.exists() else "pybind11-stubgen", f"datatrail.{module}", "--exit-code", "-o", str(tmp_path)]
    subprocess.run(command, check=True, capture_output=True, text=True)
    generated = (tmp_path / "datatrail" / f"{module}.pyi").read_text()
    committed = (REPO / "python" / "datatrail" / f"{module}.pyi").read_text()
    assert generated == committed, f"python/datatrail/{module}.pyi is stale: run `make stubs` and commit it"


def test_the_installed_package_ships_stubs_and_py_typed() -> None:
    package = Path(dt.__file__).parent
    assert (package / "py.typed").exists()
    assert (package / "_core.pyi").exists()
    assert (package / "units.pyi").exists()
    assert (package / "nexus.pyi").exists()
