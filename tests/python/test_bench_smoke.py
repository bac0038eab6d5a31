"""The registration benchmark runs end to end from Python: a tiny N, no docs written.

Only that it runs and reports is checked. Rates on a shared machine are noise at this size, so
no assertion here depends on how fast anything was.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "bench" / "bench_register.py"


def cpp_bench() -> Path:
    # The Makefile's build tree unless DATATRAIL_CPP_BENCH names another build.
    return Path(os.environ.get("DATATRAIL_CPP_BENCH", REPO / "build" / "cpp" / "bench" / "bench_register"))


def number_after(label: str, text: str) -> float:
    found = re.search(re.escape(label) + r"\s*([0-9][0-9.eE+]*)", text)
    assert found, f"no {label!r} in the benchmark's output:\n{text}"
    return float(found.group(1))


def test_registration_benchmark_runs_and_reports(tmp_path: Path) -> None:
    binary = cpp_bench()
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        pytest.skip(f"the C++ benchmark is not built at {binary} (make cpp, or set DATATRAIL_CPP_BENCH)")
    docs = tmp_path / "benchmarks.md"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--n", "200", "--batch", "50", "--repeat", "1",
         "--cpp-bench", str(binary), "--docs", str(docs)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    out = proc.stdout
    for label in ("raw SQLite rate:", "C++ rate:", "Python rate:", "ratio C++/raw SQLite:", "ratio Python/C++:"):
        assert number_after(label, out) > 0, out
    # Without --write-docs nothing is written, even where --docs points.
    assert not docs.exists()


def test_write_docs_replaces_only_its_own_section(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_register", SCRIPT)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)

    docs = tmp_path / "benchmarks.md"
    bench.write_docs(docs, f"{bench.START_MARKER}\nfirst\n{bench.END_MARKER}")
    text = docs.read_text()
    assert text.startswith("# Benchmarks") and "first" in text

    other = "<!-- bench:lineage:start -->\n## Lineage\nkept\n<!-- bench:lineage:end -->\n"
    docs.write_text(text + "\n" + other)
    bench.write_docs(docs, f"{bench.START_MARKER}\nsecond\n{bench.END_MARKER}")
    text = docs.read_text()
    assert "second" in text and "first" not in text
    assert other in text
    assert text.count(bench.START_MARKER) == 1 and text.count(bench.END_MARKER) == 1
