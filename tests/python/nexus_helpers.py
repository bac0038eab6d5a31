"""Checks every test of a NeXus file datatrail writes makes: nexusformat's verdict and the
@default chain, followed with h5py."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import h5py
from nexusformat.nexus.validate import validate_file


def nexus_check(path: Path) -> tuple[int, int]:
    """nexusformat's verdict, (warnings, errors); its report goes to stdout, kept out of the test log."""
    with contextlib.redirect_stdout(io.StringIO()):
        result = validate_file(str(path))
    assert result is not None, f"nexusformat cannot open {path}"
    return result[0], result[1]


def default_signal(f: h5py.File) -> h5py.Dataset:
    """Follows the @default chain root -> NXentry -> NXdata to the signal, checking each step."""
    entry = f[f.attrs["default"]]
    assert entry.attrs["NX_class"] == "NXentry"
    data = entry[entry.attrs["default"]]
    assert data.attrs["NX_class"] == "NXdata"
    signal = data[data.attrs["signal"]]
    assert isinstance(signal, h5py.Dataset)
    return signal
