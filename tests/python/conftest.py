"""Shared fixtures: real catalogue files in a temporary folder, never mocks."""

from __future__ import annotations

from pathlib import Path

import pytest

import datatrail as dt

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def catalog_path(tmp_path: Path) -> Path:
    return tmp_path / "catalog.db"


@pytest.fixture
def catalog(catalog_path: Path) -> dt.Catalog:
    with dt.Catalog(catalog_path) as cat:
        yield cat


@pytest.fixture
def beamtime(catalog: dt.Catalog) -> dt.Catalog:
    """A catalogue with an instrument, an investigation, a sample and a few raw scans."""
    catalog.add_instrument(name="ID11", facility="ESRF", type="beamline")
    catalog.add_investigation(name="ma1234", title="Strain in steel", instrument="ID11")
    catalog.add_sample(name="LaB6", formula="LaB6")
    catalog.register_datasets(
        [
            {"name": "scan_001", "investigation": "ma1234", "metadata": {"energy": (12.7, "keV"), "detector.name": "eiger"}},
            {"name": "scan_002", "investigation": "ma1234", "metadata": {"energy": (12700.0, "eV"), "detector.name": "eiger"}},
            {"name": "scan_003", "sample": "LaB6", "metadata": {"energy": (8.0, "keV"), "detector.name": "pilatus"}},
        ]
    )
    return catalog
