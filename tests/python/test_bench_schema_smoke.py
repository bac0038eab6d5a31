"""The schema benchmark (bench/bench_schema.cpp) runs end to end on both engines, tiny: its data
passes the schema, a bad dataset is refused, what each side stored is read back and checked, and it
reports its ratios; any check that fails fails the run.

Only that it runs, checks and reports is asserted. At this size the times are noise on a shared
machine, so no assertion here depends on how fast anything was.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, psql

BINARY = Path(os.environ.get("DATATRAIL_CPP_BENCH_SCHEMA", REPO / "build" / "cpp" / "bench" / "bench_schema"))
OTHER_SECTION = "<!-- bench:register:start -->\n## Dataset registration\nkept\n<!-- bench:register:end -->\n"
RATIO = r"\d+\.\d\d \(target >= 0\.7: (met|not met)\)$"


def bench_schema(*args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    if not (BINARY.is_file() and os.access(BINARY, os.X_OK)):
        pytest.skip(f"the C++ benchmark is not built at {BINARY} (make cpp, or set DATATRAIL_CPP_BENCH_SCHEMA)")
    # Its scratch catalogue files go under TMPDIR: here, so that the test sees what is left behind.
    env = {**os.environ, "TMPDIR": str(tmp)}
    return subprocess.run([str(BINARY), *args], capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL, env=env)


def engine_args(engine: str, request: pytest.FixtureRequest) -> list[str]:
    if engine == "sqlite":
        return []
    return ["--engine", "postgres", "--uri", request.getfixturevalue("postgres_uri")]


def scratch_databases(uri: str) -> str:
    return psql(uri, "SELECT string_agg(datname, ' ') FROM pg_database WHERE datname LIKE 'dt_bench_schema_%'")


def test_schema_benchmark_checks_what_is_stored_and_reports(engine: str, request: pytest.FixtureRequest,
                                                            tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\n" + OTHER_SECTION, encoding="utf-8")
    args = engine_args(engine, request)
    proc = bench_schema(*args, "--datasets", "300", "--repeat", "1", "--single", "40", "--write-docs", "--docs",
                        str(docs), tmp=scratch)
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    out = proc.stdout

    assert re.search(r"^ratio rate\(a\)/rate\(b\): " + RATIO, out, re.MULTILINE), out
    assert re.search(r"^  one dataset per call: ratio rate\(a1\)/rate\(b1\): " + RATIO, out, re.MULTILINE), out
    assert "schema bench-mx@1.0 (20 fields, strict)" in out
    # Every value with a unit is counted; dataset 0 gives each of the six in another unit.
    found = re.search(r"^  (\d+) of (\d+) values with a unit come in another unit than the schema's$", out,
                      re.MULTILINE)
    assert found and int(found.group(2)) == 300 * 8 and 6 <= int(found.group(1)) < 300 * 8, out
    assert re.search(r"check_dataset alone: [0-9,]+ datasets/s \(\d+\.\d+ s\), \d+% of \(a\)'s time$", out,
                     re.MULTILINE), out

    # Nothing is left behind: the catalogue files, or the scratch databases on the server.
    assert list(scratch.iterdir()) == []
    if engine == "postgres":
        assert scratch_databases(args[-1]) == ""

    name = "schema" if engine == "sqlite" else "schema-postgres"
    text = docs.read_text(encoding="utf-8")
    assert text.count(f"<!-- bench:{name}:start -->") == 1 and text.count(f"<!-- bench:{name}:end -->") == 1, text
    assert OTHER_SECTION in text  # the other benchmarks' sections are kept
    assert "Registering 300 raw datasets" in text
    assert re.search(r"^\| \(a\) `register_datasets` with the strict schema \| [0-9,]+ \| [0-9.]+ \| \*\*[0-9.]+\*\* "
                     r"of \(b\) \| ≥ 0\.7 \| (yes|no) \|$", text, re.MULTILINE), text
    assert re.search(r"^\| `check_dataset` alone, in memory \| [0-9,]+ \| [0-9.]+ \| \d+% of \(a\)'s time \|", text,
                     re.MULTILINE), text
    if engine == "sqlite":
        assert "```yaml\nname: bench-mx\n" in text
    else:
        assert "The schema is the one shown in the SQLite section above." in text and "```yaml" not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--datasets", "0"], "--datasets must be a positive integer, not '0'"),
        (["--batch", "many"], "--batch must be a positive integer, not 'many'"),
        (["--engine", "mysql"], "--engine must be sqlite or postgres, not 'mysql'"),
        (["--engine", "postgres", "--uri", "mysql://host/db"],
         "--uri must be a postgresql:// URI, not 'mysql://host/db'"),
        (["--uri", "postgresql:///x"], "--uri is for --engine postgres only"),
        (["--only", "both"], "--only must be with, without, check, with-single or without-single, not 'both'"),
        (["--only", "with", "--write-docs"], "--write-docs reports the ratio, which needs every side"),
        (["--frobnicate", "1"], "unknown option '--frobnicate'"),
        (["--repeat"], "--repeat needs a value"),
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_written(args: list[str], message: str, tmp_path: Path) -> None:
    docs = tmp_path / "benchmarks.md"
    proc = bench_schema("--docs", str(docs), *args, tmp=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert message in proc.stderr
    assert proc.stdout == ""
    assert list(tmp_path.iterdir()) == []
