"""Every Python example runs and prints what it promises. (The C++ examples run under ctest.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO


def run_example(name: str, tmp_path: Path) -> str:
    result = subprocess.run(
        [sys.executable, str(REPO / "examples" / name), str(tmp_path / "catalog.db")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_quickstart(tmp_path: Path) -> None:
    out = run_example("quickstart.py", tmp_path)
    assert "energy between 12 and 13 keV: ['scan_001', 'scan_002']" in out
    assert "detector.distance >= 27 cm: ['scan_002']" in out
    assert "energy < 10000 eV with the Eiger: ['scan_003']" in out
    assert "about strain, started after 09:30: ['scan_002', 'scan_003']" in out
    assert "bad input is refused" in out
    assert out.rstrip().endswith("3 datasets in the catalogue")


def test_quickstart_runs_without_arguments() -> None:
    result = subprocess.run([sys.executable, str(REPO / "examples" / "quickstart.py")], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "3 datasets in the catalogue" in result.stdout


def test_nexus_processed(tmp_path: Path) -> None:
    out = run_example("nexus_processed.py", tmp_path)
    assert "ingested 2 files, 0 failed" in out
    assert "rebuilt: scan_001_profile, metadata {'bins': 32}, file scan_001_profile.nxs" in out
    assert "  activity: radial_profile" in out
    assert out.rstrip().endswith("raw sources: ['scan_001']")
