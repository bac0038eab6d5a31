"""The PostgreSQL benchmarks (and the writers benchmark on both engines) run end to end, tiny,
against the tests' server: each checks its sides wrote the same catalogue and reports its ratio.

Only that they run, check and report is asserted. Rates on a shared machine are noise at this
size, so no assertion here depends on how fast anything was.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench"
CPP_BENCH = Path(os.environ.get("DATATRAIL_CPP_BENCH", REPO / "build" / "cpp" / "bench" / "bench_register"))
OTHER_SECTION = "<!-- bench:register:start -->\n## Dataset registration\nkept\n<!-- bench:register:end -->\n"


def number_after(label: str, text: str) -> float:
    found = re.search(re.escape(label) + r"\s*([0-9][0-9.eE+]*)", text)
    assert found, f"no {label!r} in the benchmark's output:\n{text}"
    return float(found.group(1))


def run(script: str, *args: str) -> str:
    proc = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc.stdout


def docs_with_another_section(tmp_path: Path) -> Path:
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\n" + OTHER_SECTION, encoding="utf-8")
    return docs


def assert_section(docs: Path, name: str, *phrases: str) -> None:
    text = docs.read_text(encoding="utf-8")
    assert text.count(f"<!-- bench:{name}:start -->") == 1 and text.count(f"<!-- bench:{name}:end -->") == 1, text
    assert OTHER_SECTION in text  # the other benchmarks' sections are kept
    for phrase in phrases:
        assert phrase in text, f"{phrase!r} not in the section:\n{text}"


def test_registration_on_postgres_checks_rows_and_reports(postgres_uri: str, tmp_path: Path) -> None:
    if not (CPP_BENCH.is_file() and os.access(CPP_BENCH, os.X_OK)):
        pytest.skip(f"the C++ benchmark is not built at {CPP_BENCH} (make cpp, or set DATATRAIL_CPP_BENCH)")
    docs = docs_with_another_section(tmp_path)
    out = run("bench_register.py", "--engine", "postgres", "--uri", postgres_uri, "--n", "120", "--batch", "50",
              "--repeat", "1", "--cpp-bench", str(CPP_BENCH), "--docs", str(docs), "--write-docs")
    assert "rows checked: the baseline wrote the same rows as datatrail" in out, out
    assert number_after("ratio datatrail/baseline:", out) > 0
    assert number_after("ratio datatrail/multirow baseline:", out) > 0
    assert_section(docs, "register-postgres", "## Dataset registration on PostgreSQL", "120 datasets")


def test_lineage_on_postgres_finds_what_networkx_finds(postgres_uri: str, tmp_path: Path) -> None:
    docs = docs_with_another_section(tmp_path)
    out = run("bench_lineage.py", "--engine", "postgres", "--uri", postgres_uri, "--n", "2000", "--samples", "3",
              "--repeat", "1", "--docs", str(docs), "--write-docs")
    assert "same datasets at the same depths on every side: yes, for all 3 start datasets" in out, out
    for direction in ("ancestors", "descendants"):
        assert number_after(f"{direction} ratio networkx graph/datatrail graph:", out) > 0
        assert number_after(f"{direction} ratio networkx walk/datatrail PIDs:", out) > 0
    assert "activity recording" not in out  # measured on SQLite only
    assert_section(docs, "lineage-postgres", "## Lineage on PostgreSQL", "2,000 datasets")


def test_writers_on_both_engines_keep_every_dataset(postgres_uri: str, tmp_path: Path) -> None:
    docs = docs_with_another_section(tmp_path)
    out = run("bench_writers.py", "--uri", postgres_uri, "--n", "90", "--processes", "3", "--batch", "10",
              "--repeat", "1", "--docs", str(docs), "--write-docs")
    for engine in ("sqlite", "postgres"):
        assert number_after(f"{engine} ratio 3/1:", out) > 0, out
    assert_section(docs, "writers", "## Many writers", "| SQLite (one file) |", "| PostgreSQL ")


def test_merge_writes_what_registration_writes(postgres_uri: str, tmp_path: Path) -> None:
    docs = docs_with_another_section(tmp_path)
    out = run("bench_merge.py", "--uri", postgres_uri, "--n", "200", "--repeat", "1", "--docs", str(docs),
              "--write-docs")
    assert "the merge and the baseline wrote the same datasets, metadata, files and links" in out, out
    assert number_after("ratio merge/baseline:", out) > 0
    assert_section(docs, "merge", "## Merging SQLite into PostgreSQL", "200 datasets", "50 derivation links")


def test_the_merge_check_fails_on_a_difference(postgres_uri: str) -> None:
    # The comparison the merge benchmark relies on must see a missing link.
    sys.path.insert(0, str(BENCH))
    import bench_merge  # noqa: PLC0415
    from benchdocs import postgres_scratch, psql  # noqa: PLC0415

    datasets, links = bench_merge.source_records(16)
    with postgres_scratch(postgres_uri, "a") as a, postgres_scratch(postgres_uri, "b") as b:
        pids = [f"id11/{i:026d}" for i in range(16)]
        bench_merge.run_baseline(a, datasets, pids, links)
        bench_merge.run_baseline(b, datasets, pids, links)
        bench_merge.check_same(a, b, 16, len(links))  # the same: passes
        psql(b, "DELETE FROM derivation WHERE seq = (SELECT max(seq) FROM derivation)")
        with pytest.raises(SystemExit, match="links"):
            bench_merge.check_same(a, b, 16, len(links))
