"""The frame streaming benchmark runs end to end: a few tiny frames, no docs written.

Only that it runs and reports its ratios is checked. Rates on a shared machine are noise at this
size, so no assertion here depends on how fast anything was.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "bench" / "bench_nexus_stream.py"


def numbers_after(label: str, text: str) -> list[float]:
    found = re.findall(re.escape(label) + r"\s*([0-9][0-9.eE+]*)", text)
    assert found, f"no {label!r} in the benchmark's output:\n{text}"
    return [float(x) for x in found]


def test_stream_benchmark_runs_and_reports(tmp_path: Path) -> None:
    docs = tmp_path / "benchmarks.md"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--frames", "6", "--shape", "32", "48", "--pool", "3", "--repeat", "1",
         "--dir", str(tmp_path), "--docs", str(docs)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    out = proc.stdout
    for label in ("ratio uncompressed FrameStack/write():", "ratio compressed FrameStack blosc/h5py+hdf5plugin:",
                  "ratio pre-compressed FrameStack/write():", "compression ratio blosc:", "h5py bitshuffle-LZ4:"):
        values = numbers_after(label, out)
        assert len(values) == 2 and all(v > 0 for v in values), (label, out)  # without and with fsync
    assert not docs.exists()  # only --write-docs writes
    assert [p.name for p in tmp_path.iterdir()] == []  # the scratch folder is removed


def test_write_docs_writes_its_own_section(tmp_path: Path) -> None:
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\n<!-- bench:lineage:start -->\nkept\n<!-- bench:lineage:end -->\n")
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--frames", "4", "--shape", "16", "16", "--pool", "2", "--repeat", "1",
         "--dir", str(tmp_path), "--docs", str(docs), "--write-docs"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    text = docs.read_text()
    assert "kept" in text
    assert text.count("<!-- bench:nexus-stream:start -->") == 1 and "## Streaming detector frames to NeXus" in text
    assert "4 frames of 16 × 16 uint16" in text
