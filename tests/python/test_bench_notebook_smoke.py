"""The notebook recording benchmark runs end to end: tiny sizes, its docs section written only
when asked. Times at this size are noise: nothing here depends on speed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "bench" / "bench_notebook.py"

pytest.importorskip("IPython")


def number_after(label: str, text: str) -> float:
    found = re.search(re.escape(label) + r"\s*([0-9][0-9.eE+]*)", text)
    assert found, f"no {label!r} in the benchmark's output:\n{text}"
    return float(found.group(1))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(SCRIPT), "--round-trips", "20", "--cells", "2", "--repeat", "2", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def test_notebook_benchmark_runs_checks_and_reports(tmp_path: Path) -> None:
    docs = tmp_path / "benchmarks.md"
    proc = run("--docs", str(docs))
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    for label in ("notebook plain time:", "notebook off time:", "notebook on time:", "ratio off/plain:", "ratio on/plain:"):
        assert number_after(label, proc.stdout) > 0, proc.stdout
    assert not docs.exists()  # without --write-docs nothing is written


def test_notebook_benchmark_writes_its_own_section(tmp_path: Path) -> None:
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\n<!-- bench:task:start -->\nkept as it is\n<!-- bench:task:end -->\n")
    proc = run("--docs", str(docs), "--write-docs")
    assert proc.returncode == 0, proc.stderr
    text = docs.read_text()
    assert "kept as it is" in text
    section = text[text.index("<!-- bench:notebook:start -->") : text.index("<!-- bench:notebook:end -->")]
    assert "## Recording a notebook" in section
    assert re.search(r"\| `%datatrail record` \| [0-9,]+ \| [0-9.]+ \| [0-9.]+ \| ≥ 0.9 \((met|not met)\) \|", section), section


def test_bad_arguments_are_refused() -> None:
    proc = subprocess.run([sys.executable, str(SCRIPT), "--round-trips", "0"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "must be a positive integer" in proc.stderr
