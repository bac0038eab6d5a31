"""examples/workflow/pipeline.py runs: the second run is all cache hits, other parameters are
reprocessed, and the catalogue it leaves holds what it printed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import datatrail as dt
from conftest import REPO


def test_the_pipeline_example_hits_the_cache_the_second_time(tmp_path: Path) -> None:
    path = tmp_path / "pipeline.db"
    done = subprocess.run([sys.executable, str(REPO / "examples" / "workflow" / "pipeline.py"), str(path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "first run: 4 tasks, 0 cache hits, 4 ran" in lines
    assert "second run: 4 tasks, 4 cache hits, 0 ran" in lines
    assert "bins=96: 4 tasks, 0 cache hits, 4 ran" in lines
    assert "  - parameter bins changed" in lines
    assert any(line.startswith("lineage of scan_002_profile_96_fit") for line in lines)
    assert "    <- scan_002 (raw)" in lines

    with dt.Catalog(path) as cat:
        runs = cat.find_activities(type="workflow")
        assert [r.status for r in runs] == ["succeeded"] * 3
        first, second, third = (cat.find_activities(parent=r.pid) for r in runs)
        assert [a.parameters.get("task.cache_hit", False) for a in first] == [False] * 4
        assert [a.parameters.get("task.cache_hit", False) for a in second] == [True] * 4
        # Each hit is informed by the run that made its outputs, in the first workflow run.
        assert sorted(a.informed_by[0] for a in second) == sorted(a.pid for a in first)
        assert [a.parameters["bins"] for a in third if a.program == "example-integrate"] == [96, 96]
        # 2 raw images, and 4 outputs per run that computed.
        assert cat.count_datasets() == 2 + 4 + 4
        fits = [d for d in cat.find_datasets() if d.name == "scan_001_profile_64_fit"]
        assert len(fits) == 1 and 25 < float(fits[0].metadata["ring.radius"]) < 35
        assert [d.name for d in cat.raw_sources(fits[0])] == ["scan_001"]
