"""The metadata query benchmark (bench/bench_query.cpp) runs end to end on both engines, tiny:
it builds its catalogue, checks that the full scan finds exactly what the library finds, shows
the library's own plan (Catalog::explain) beside the baseline's, and reports its ratios; a
baseline that disagrees fails the run.

Only that it runs, checks and reports is asserted. Times on a shared machine are noise at this
size (a full scan of 20,000 rows is no slower than an index lookup), so no assertion here
depends on how fast anything was.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("DATATRAIL_CPP_BENCH_QUERY", REPO / "build" / "cpp" / "bench" / "bench_query"))
OTHER_SECTION = "<!-- bench:register:start -->\n## Dataset registration\nkept\n<!-- bench:register:end -->\n"
SHAPES = ("range", "string and range")


def bench_query(*args: str) -> subprocess.CompletedProcess[str]:
    if not (BINARY.is_file() and os.access(BINARY, os.X_OK)):
        pytest.skip(f"the C++ benchmark is not built at {BINARY} (make cpp, or set DATATRAIL_CPP_BENCH_QUERY)")
    return subprocess.run([str(BINARY), *args], capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)


def succeeded(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc.stdout


def number_after(label: str, text: str) -> float:
    found = re.search(re.escape(label) + r"\s*([0-9][0-9.eE+]*)", text)
    assert found, f"no {label!r} in the benchmark's output:\n{text}"
    return float(found.group(1))


def plan_after(heading: str, shape: str, text: str) -> str:
    """The plan printed under `heading` for `shape`: its indented lines."""
    block = text.split(f"\n{shape}: `", 1)[1]
    lines = block.split(f"\n  {heading}:\n", 1)[1].splitlines()
    plan = []
    for line in lines:
        if not line.startswith("    "):
            break
        plan.append(line.strip())
    assert plan, f"no plan under {heading!r} for {shape!r}:\n{text}"
    return "\n".join(plan)


def engine_args(engine: str, request: pytest.FixtureRequest) -> list[str]:
    if engine == "sqlite":
        return []
    return ["--engine", "postgres", "--uri", request.getfixturevalue("postgres_uri")]


def test_query_benchmark_checks_answers_and_reports(engine: str, request: pytest.FixtureRequest,
                                                    tmp_path: Path) -> None:
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\n" + OTHER_SECTION, encoding="utf-8")
    out = succeeded(bench_query(*engine_args(engine, request), "--datasets", "2000", "--repeat", "1",
                                "--write-docs", "--docs", str(docs)))

    assert "the catalogue took" in out
    for shape in SHAPES:
        found = re.search(rf"^{shape}: `(.+)` finds (\d+) datasets; the full scan finds the same$", out, re.MULTILINE)
        assert found, out
        assert int(found.group(2)) > 0
        assert number_after(f"{shape} ratio scan/count:", out) > 0
        assert number_after(f"{shape} ratio scan/find:", out) > 0
    library = {shape: plan_after("plan of the library's query (Catalog::explain)", shape, out) for shape in SHAPES}
    baseline = {shape: plan_after("plan of the baseline", shape, out) for shape in SHAPES}
    for shape in SHAPES:
        # The baseline reads dataset_metadata in full.
        assert ("SCAN dataset_metadata" if engine == "sqlite" else "Seq Scan on dataset_metadata") in baseline[shape]
    if engine == "sqlite":
        # The plan is the library's SQL as it is now: the range drives through the (key, SI value)
        # index, and the string is looked up per dataset by primary key.
        for shape in SHAPES:
            assert "USING INDEX dataset_metadata_si" in library[shape], library[shape]
            assert "SCAN dataset_metadata" not in library[shape], library[shape]
        assert "SEARCH m USING PRIMARY KEY (dataset_id=? AND key_id=?)" in library["string and range"]
    else:
        # Catalog::explain's plain EXPLAIN carries the planner's estimates, the baseline's has none:
        # the library's plan is the library's, not one the benchmark asked for.
        for shape in SHAPES:
            assert "dataset_metadata" in library[shape] and "(cost=" in library[shape], library[shape]
            assert "cost=" not in baseline[shape], baseline[shape]

    name = "query" if engine == "sqlite" else "query-postgres"
    text = docs.read_text(encoding="utf-8")
    assert text.count(f"<!-- bench:{name}:start -->") == 1 and text.count(f"<!-- bench:{name}:end -->") == 1, text
    assert OTHER_SECTION in text  # the other benchmarks' sections are kept
    assert "**The catalogue.** 2,000 datasets" in text
    for shape in SHAPES:
        assert re.search(rf"^\| {shape}: [0-9,]+ datasets \| full scan \(the baseline\) \|", text, re.MULTILINE), text
    assert text.count("| | `count_datasets` |") == 2 and text.count("| | `find_datasets` |") == 2
    assert "`DatasetQuery::matching(...)`" in text and "for reference" not in text
    for shape in SHAPES:
        assert f"  {shape}, the library (`Catalog::explain`):" in text and f"  {shape}, the baseline:" in text


def test_a_baseline_that_finds_other_datasets_fails_the_run(engine: str, request: pytest.FixtureRequest,
                                                           tmp_path: Path) -> None:
    docs = tmp_path / "benchmarks.md"
    proc = bench_query(*engine_args(engine, request), "--datasets", "2000", "--repeat", "1", "--corrupt-baseline",
                       "--write-docs", "--docs", str(docs))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "the library and the baseline disagree, so the comparison is void" in proc.stderr
    assert "0 only by the scan" in proc.stderr and "1 only by the library" in proc.stderr
    assert not docs.exists()


def test_a_kept_catalogue_is_reused_and_another_refused(tmp_path: Path) -> None:
    # SQLite only: what is tested is the benchmark's own bookkeeping, which no engine changes.
    catalogue = tmp_path / "fixture.db"
    first = succeeded(bench_query("--datasets", "500", "--repeat", "1", "--catalogue", str(catalogue)))
    assert "built in" in first and "reusing" not in first
    again = succeeded(bench_query("--datasets", "500", "--repeat", "1", "--catalogue", str(catalogue)))
    assert f"reusing the catalogue at {catalogue}" in again and "built in" not in again

    other = bench_query("--datasets", "400", "--repeat", "1", "--catalogue", str(catalogue))
    assert other.returncode == 2
    assert f"--catalogue {catalogue} holds 500 datasets that are not this benchmark's fixture of 400" in other.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--datasets", "0"], "--datasets must be a positive integer, not '0'"),
        (["--repeat", "seven"], "--repeat must be a positive integer, not 'seven'"),
        (["--engine", "mysql"], "--engine must be sqlite or postgres, not 'mysql'"),
        (["--engine", "postgres", "--uri", "mysql://host/db"],
         "--uri must be a postgresql:// URI, not 'mysql://host/db'"),
        (["--catalogue", "postgresql:///x"],
         "--catalogue 'postgresql:///x' is a PostgreSQL URI: add --engine postgres"),
        (["--catalogue", "CATALOGUE", "--write-docs"], "--write-docs reports how long the catalogue took to build"),
        (["--frobnicate", "1"], "unknown option '--frobnicate'"),
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_written(args: list[str], message: str, tmp_path: Path) -> None:
    catalogue = tmp_path / "fixture.db"
    docs = tmp_path / "benchmarks.md"
    args = [str(catalogue) if a == "CATALOGUE" else a for a in args]
    proc = bench_query(*args, "--docs", str(docs))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert message in proc.stderr
    assert not catalogue.exists() and not docs.exists()
