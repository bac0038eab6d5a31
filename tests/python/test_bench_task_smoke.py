"""The task recording benchmark runs end to end: tiny sizes, its docs section written only when
asked. Rates on a shared machine are noise at this size: nothing here depends on speed."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "bench" / "bench_task.py"


def number_after(label: str, text: str) -> float:
    found = re.search(re.escape(label) + r"\s*([0-9][0-9.eE+]*)", text)
    assert found, f"no {label!r} in the benchmark's output:\n{text}"
    return float(found.group(1))


def load_script() -> Any:
    spec = importlib.util.spec_from_file_location("bench_task_under_test", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_task_benchmark_runs_checks_and_reports(tmp_path: Path) -> None:
    docs = tmp_path / "benchmarks.md"
    args = [sys.executable, str(SCRIPT), "--calls", "20", "--repeat", "2", "--docs", str(docs)]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    for label in ("task recording sqlite3 rate:", "task recording datatrail task rate:",
                  "task recording datatrail activity rate:", "ratio task/sqlite3:", "ratio activity/sqlite3:"):
        assert number_after(label, proc.stdout) > 0, proc.stdout
    assert not docs.exists()  # without --write-docs nothing is written

    proc = subprocess.run(args + ["--repeat", "1", "--write-docs"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    text = docs.read_text(encoding="utf-8")
    assert text.count("<!-- bench:task:start -->") == 1 and text.count("<!-- bench:task:end -->") == 1
    assert "20 calls of a `@dt.task`" in text


def test_the_baseline_writes_the_rows_datatrail_writes(tmp_path: Path) -> None:
    bench = load_script()
    first, second = tmp_path / "task.sqlite", tmp_path / "sqlite.sqlite"
    bench.run_task(first, 5)
    rows = bench.templates(first)
    bench.run_sqlite(second, 5, rows, str(rows["activity"]["pid"]).split("/", 1)[0])
    assert bench.count_rows(first) == bench.count_rows(second)
    assert bench.count_rows(first)["activity"] == 1 + 5  # the workflow run and its calls


def test_write_docs_replaces_only_its_own_section(tmp_path: Path) -> None:
    bench = load_script()
    docs = tmp_path / "benchmarks.md"
    other = "<!-- bench:register:start -->\n## Dataset registration\nkept\n<!-- bench:register:end -->\n"
    docs.write_text("# Benchmarks\n\n" + other)
    for body in ("first", "second"):
        bench.write_section(docs, bench.START_MARKER, bench.END_MARKER, f"{bench.START_MARKER}\n{body}\n{bench.END_MARKER}")
    text = docs.read_text()
    assert "second" in text and "first" not in text and other in text
