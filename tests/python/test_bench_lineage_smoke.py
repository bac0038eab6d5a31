"""The lineage benchmark runs end to end from Python: a tiny graph, a tiny fixture dir, no docs.

Checks that it builds and caches its fixture, finds the same datasets as networkx on every
side, and reports its rates and ratios. Rates on a shared machine are noise at this size, so
no assertion here depends on how fast anything was.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from typing import Any


import datatrail as dt

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "bench" / "bench_lineage.py"

PROVENANCE_API = ("activity", "ancestors", "descendants", "ancestor_pids", "descendant_pids")


def number_after(label: str, text: str) -> float:
    found = re.search(re.escape(label) + r"\s*([0-9][0-9.eE+]*)", text)
    assert found, f"no {label!r} in the benchmark's output:\n{text}"
    return float(found.group(1))


def load_script() -> Any:
    """bench/bench_lineage.py as a module (registered, as its dataclass needs)."""
    name = "bench_lineage_under_test"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, SCRIPT)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def run_bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=600)


def test_lineage_benchmark_runs_checks_and_reports(tmp_path: Path) -> None:
    # The benchmark calls these; a rename must fail here, not pass by skipping.
    missing = [name for name in PROVENANCE_API if not hasattr(dt.Catalog, name)]
    assert not missing, f"the benchmark needs Catalog.{', Catalog.'.join(missing)}"
    import networkx  # noqa: F401  (a test extra: missing is a broken test environment, not a skip)
    fixtures = tmp_path / "fixtures"
    docs = tmp_path / "benchmarks.md"
    args = ["--n", "2000", "--samples", "3", "--repeat", "1", "--activities", "20", "--record-repeat", "1",
            "--fixture-dir", str(fixtures), "--docs", str(docs)]

    proc = run_bench(*args)
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    out = proc.stdout
    assert "same datasets at the same depths on every side: yes, for all 3 start datasets" in out, out
    for direction in ("ancestors", "descendants"):
        for label in (f"{direction} datatrail graph:", f"{direction} networkx walk + graph:",
                      f"{direction} datatrail PIDs and depths:", f"{direction} networkx walk alone:",
                      f"{direction} datatrail graph walking the file (lineage_index=False):",
                      f"{direction} ratio networkx graph/datatrail graph:", f"{direction} ratio networkx walk/datatrail PIDs:",
                      f"{direction} ratio file walk/index walk:"):
            assert number_after(label, out) > 0, out
    assert number_after("first walk with the lineage index:", out) > 0, out
    assert number_after("first walk lineage_index=False:", out) > 0, out
    for label in ("activity recording datatrail rate:", "activity recording sqlite3 rate:", "ratio datatrail/sqlite3:"):
        assert number_after(label, out) > 0, out
    # The fixture is cached under --fixture-dir, keyed by its parameters and the schema version.
    cached = sorted(p.name for p in fixtures.glob("*.sqlite"))
    assert len(cached) == 1 and "n2000-" in cached[0] and f"schema{dt.Catalog.latest_schema_version()}" in cached[0]
    assert not any(fixtures.glob("*.partial*")), sorted(fixtures.iterdir())
    # Without --write-docs nothing is written, even where --docs points.
    assert not docs.exists()

    # A second run reuses the cached fixture instead of building it.
    proc = run_bench(*args, "--write-docs")
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert "(cached)" in proc.stdout and "building the fixture" not in proc.stdout, proc.stdout
    text = docs.read_text(encoding="utf-8")
    assert text.count("<!-- bench:lineage:start -->") == 1 and text.count("<!-- bench:lineage:end -->") == 1
    assert "2,000 datasets" in text


def test_write_docs_replaces_only_its_own_section(tmp_path: Path) -> None:
    bench = load_script()

    docs = tmp_path / "benchmarks.md"
    other = "<!-- bench:register:start -->\n## Dataset registration\nkept\n<!-- bench:register:end -->\n"
    docs.write_text("# Benchmarks\n\n" + other)
    bench.write_docs(docs, f"{bench.START_MARKER}\nfirst\n{bench.END_MARKER}")
    bench.write_docs(docs, f"{bench.START_MARKER}\nsecond\n{bench.END_MARKER}")
    text = docs.read_text()
    assert "second" in text and "first" not in text
    assert other in text
    assert text.count(bench.START_MARKER) == 1 and text.count(bench.END_MARKER) == 1


def test_the_graph_is_a_dag_of_earlier_sources_and_reproducible() -> None:
    bench = load_script()  # numpy is a dependency of the package

    graph = bench.GraphSpec(n=5000, far_span=5000)
    is_raw, derived, source = bench.generate_links(graph)
    assert (source < derived).all()  # every link points back in registration order: no cycle
    assert not is_raw[derived].any()  # raw datasets are derived from nothing
    assert len(set(zip(derived.tolist(), source.tolist()))) == len(derived)  # no link twice
    assert 2.5 < len(derived) / graph.n < 3.5  # about 3 links per dataset
    again = bench.generate_links(graph)
    assert (again[1] == derived).all() and (again[2] == source).all()
