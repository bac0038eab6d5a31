"""examples/processing.py: raw data, two processing steps, a reprocessing, lineage, impact, PROV."""

from __future__ import annotations

from pathlib import Path

from test_examples import run_example


def test_processing(tmp_path: Path) -> None:
    out = run_example("processing.py", tmp_path)
    assert "step 1: integrated 2 scans" in out
    assert "failed run" in out and "status failed, output state failed" in out
    assert "raw sources of merged: ['dark_001', 'scan_001', 'scan_002']" in out
    assert "path from scan_002 to merged: scan_002 -> scan_002_integrated -> merged" in out
    assert "made with pyFAI 2025.1 or from its results: ['merged', 'merged_again', 'scan_001_integrated', 'scan_002_integrated']" in out
    assert "4 datasets made from scan_001, the farthest 2 steps on" in out
    assert "PROV-JSON:" in out
