"""A small beamtime for the example notebooks: raw HDF5 scans at a few energies and temperatures,
registered in a catalogue. At a beamline these exist already (the acquisition software wrote and
registered them); the notebooks call this only so that they run anywhere."""

from __future__ import annotations

import os

import h5py
import numpy as np

import datatrail as dt

SCANS = [
    # name, energy in keV, sample temperature in K
    ("scan_001", 12.0, 100.0),
    ("scan_002", 12.4, 100.0),
    ("scan_003", 12.7, 295.0),
    ("scan_004", 13.1, 295.0),
]


def make_demo_beamtime(catalog: str = "beamtime.db", raw: str = "raw") -> None:
    """Write the raw scans into ``raw`` and register them in ``catalog``, unless it exists."""
    if os.path.exists(catalog):
        return
    os.makedirs(raw, exist_ok=True)
    rng = np.random.default_rng(7)
    with dt.Catalog(catalog) as cat:
        for name, energy, temperature in SCANS:
            path = os.path.join(raw, f"{name}.h5")
            q = np.linspace(0.01, 0.5, 200)
            counts = 1e4 * np.exp(-(((q - 0.1 * energy / 12) / 0.03) ** 2)) + rng.poisson(50, q.size)
            with h5py.File(path, "w") as f:
                f["entry/data/q"] = q
                f["entry/data/counts"] = counts
            cat.register_dataset(
                name,
                kind="raw",
                techniques=["SAXS"],
                location=os.path.abspath(raw),
                files=[f"{name}.h5"],
                describe_files=True,
                metadata={"energy": (energy, "keV"), "sample.temperature": (temperature, "K")},
            )
