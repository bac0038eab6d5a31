#!/usr/bin/env python3
"""Registration throughput from Python, against the C++ API measured in the same run.

Registers N datasets (10 typed metadata values and one file each, the same data as
bench/bench_register.cpp) with ``datatrail.Catalog.register_datasets`` in batches, each
batch one call and one transaction. Between the Python runs the C++ benchmark binary runs
once (``--repeat 1``), so the C++ rate and its raw SQLite baseline share the Python runs'
machine noise. The median of the runs is reported for every side.

Targets (docs/benchmarks.md, design.md "Performance budget"): C++ >= 0.8 of raw SQLite,
Python >= 0.5 of C++. The benchmark reports whether they are met; it never fails on them.

    python bench/bench_register.py                  # measure and print
    python bench/bench_register.py --write-docs     # ... and rewrite the section of docs/benchmarks.md

With ``--engine postgres`` (server URI from --uri or DATATRAIL_TEST_POSTGRES) it runs the C++
benchmark's PostgreSQL side instead: Catalog::register_datasets against raw libpq, each run into
fresh databases, and writes that section of the docs; Python is not measured there.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# benchdocs.py sits beside this file, however the file is loaded (as a script or by a test).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchdocs import positive_int, postgres_server_uri, write_section  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CPP_BENCH = REPO / "build" / "cpp" / "bench" / "bench_register"
DEFAULT_DOCS = REPO / "docs" / "benchmarks.md"

CPP_TARGET = 0.8  # C++ rate / raw SQLite rate
PYTHON_TARGET = 0.5  # Python rate / C++ rate

START_MARKER = "<!-- bench:register:start -->"
END_MARKER = "<!-- bench:register:end -->"
PG_START_MARKER = "<!-- bench:register-postgres:start -->"
PG_END_MARKER = "<!-- bench:register-postgres:end -->"

INVESTIGATION = "bench-2026"
_T0 = _dt.datetime(2026, 3, 1, 8, 0, 0, tzinfo=_dt.timezone.utc)
_MASK = (1 << 64) - 1


def _mix(x: int) -> int:
    """The C++ benchmark's 64-bit mixer, so both register the same checksums and sizes."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def make_dataset(i: int) -> dict[str, Any]:
    """Dataset i, as register_dataset()'s keywords; the same values as make_dataset() in C++."""
    return {
        "name": f"scan_{i:06d}",
        "kind": "raw",
        "investigation": INVESTIGATION,
        "location": f"/data/visitor/bench-2026/id00/scan_{i:06d}",
        "metadata": {
            "beam.energy": (12.7 + 0.001 * (i % 1000), "keV"),
            "detector.distance": (250.0 + (i % 50), "mm"),
            "sample.temperature": (-20.0 + 0.5 * (i % 200), "degC"),
            "scan.exposure": (0.05 * (1 + i % 20), "s"),
            "scan.points": 100 + i % 900,
            "detector.roi_width": (2048 - i % 64, "pixel"),
            "scan.mode": "step" if i % 3 else "fly",
            "sample.name": f"sample_{i % 250:03d}",
            "shutter.open": i % 7 != 0,
            "scan.started": _T0 + _dt.timedelta(seconds=37 * i),
        },
        "files": [
            {
                "path": f"scan_{i:06d}.nxs",
                "size": (1 << 24) + _mix(i) % (1 << 20),
                "sha256": "".join(f"{_mix(4 * i + k):016x}" for k in range(4)),
            }
        ],
    }


def run_python(path: Path, batches: list[list[dict[str, Any]]], n: int) -> tuple[float, float]:
    """Registers every batch into a fresh catalogue; returns (wall, CPU) seconds, setup excluded."""
    import datatrail

    with datatrail.Catalog(str(path)) as cat:
        cat.add_investigation(INVESTIGATION, title="Registration benchmark")
        wall0, cpu0 = time.perf_counter(), time.process_time()
        # The returned Dataset objects are dropped inside the clock: building them is part of the call.
        for batch in batches:
            cat.register_datasets(batch)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        stored = cat.count_datasets()
    if stored != n:
        raise SystemExit(f"bench_register.py: the catalogue holds {stored} datasets, not the {n} registered")
    return wall, cpu


def run_cpp(cpp_bench: Path, n: int, batch: int, workdir: Path) -> dict[str, Any]:
    """One run of the C++ benchmark (raw SQLite, then datatrail C++); returns its JSON result."""
    out = workdir / "cpp.json"
    cmd = [str(cpp_bench), "--n", str(n), "--batch", str(batch), "--repeat", "1", "--json", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"bench_register.py: the C++ benchmark failed (exit {proc.returncode}): {' '.join(cmd)}")
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def remove_catalogue(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def fmt_rate(rate: float) -> str:
    return f"{rate:,.0f}"


def verdict(ratio: float, target: float) -> str:
    return "yes" if ratio >= target else "no"


def docs_section(r: dict[str, Any]) -> str:
    m = r["machine"]

    def per_run(rates: list[float]) -> str:
        return ", ".join(fmt_rate(x) for x in rates)

    return f"""{START_MARKER}
## Dataset registration

<!-- Generated by `bench/bench_register.py --write-docs`; edits between the markers are overwritten. -->

Registering {r["n"]:,} datasets, each with 10 typed metadata values (4 floats in keV, mm, degC
and s; 2 integers, one in pixel; 2 strings; 1 bool; 1 datetime) and one file whose size and
SHA-256 are given, in batches of {r["batch"]:,} (one call and one transaction per batch) into a
fresh catalogue file. The baseline is the sqlite3 C API inserting the same rows into the same
tables and indexes (dataset, dataset_metadata with SI values, datafile, the FTS row) with
prepared statements reused and every input precomputed; `bench_register` checks that it wrote
exactly the rows datatrail wrote.

Measured {r["date"]} on {m["cpu"]} ({m["cores"]} cores), {m["os"]}, load average
{r["load_average"]:.1f} when the run started; SQLite {r["sqlite"]}, compiler {r["compiler"]},
Python {r["python"]}, datatrail {r["datatrail"]}.

| | datasets/s | ratio | target | met |
| --- | ---: | --- | --- | --- |
| raw SQLite prepared inserts (baseline) | {fmt_rate(r["baseline_rate"])} | | | |
| C++ `Catalog::register_datasets` | {fmt_rate(r["cpp_rate"])} | {r["cpp_ratio"]:.2f} of raw SQLite | ≥ {CPP_TARGET} of raw SQLite | {verdict(r["cpp_ratio"], CPP_TARGET)} |
| Python `Catalog.register_datasets` | {fmt_rate(r["python_rate"])} | {r["python_ratio"]:.2f} of C++ | ≥ {PYTHON_TARGET} of C++ | {verdict(r["python_ratio"], PYTHON_TARGET)} |

- Rates are wall-clock medians of {r["repeat"]} runs per side, interleaved (C++ benchmark, then
  Python, repeated) so every side shares the machine's noise. Per run: raw SQLite
  {per_run(r["baseline_rates"])}; C++ {per_run(r["cpp_rates"])}; Python {per_run(r["python_rates"])}.
- By CPU time instead of wall-clock time the ratios are {r["cpp_cpu_ratio"]:.2f} (C++ / raw SQLite)
  and {r["python_cpu_ratio"]:.2f} (Python / C++).

Reproduce with `make bench` (it builds the C++ library and the Python package first; on its own,
`build/cpp/bench/bench_register --help` and `python bench/bench_register.py --help`). Regenerate
this section with `python bench/bench_register.py --write-docs`.
{END_MARKER}"""


def write_docs(path: Path, section: str) -> None:
    if section.startswith(PG_START_MARKER):
        write_section(path, PG_START_MARKER, PG_END_MARKER, section)
    else:
        write_section(path, START_MARKER, END_MARKER, section)


def total_cpu(r: dict[str, Any], key: str) -> str:
    value = r.get(key) or 0
    return f"{value:.2f}" if value > 0 else "not measured (a server on another host)"


def docs_section_postgres(r: dict[str, Any]) -> str:
    m = r["machine"]

    def per_run(rates: list[float]) -> str:
        return ", ".join(fmt_rate(x) for x in rates)

    return f"""{PG_START_MARKER}
## Dataset registration on PostgreSQL

<!-- Generated by `bench/bench_register.py --engine postgres --write-docs`; edits between the markers are overwritten. -->

The registration benchmark above (the same {r["n"]:,} datasets, each with 10 typed metadata values and
one file, in batches of {r["batch"]:,}: one call and one transaction per batch), into a fresh PostgreSQL
database per side and run. `bench_register --engine postgres` checks after the first run that
each baseline wrote exactly the rows datatrail wrote (every column of dataset, metadata_key,
dataset_metadata, datafile and dataset_text, PIDs and creation times aside) and that the tables
and indexes are the same; the run fails otherwise. Two baselines, both raw libpq with every
input precomputed (PIDs, times as text, SI values, the full-text document, whose `tsvector` the
server builds with `to_tsvector('simple', ...)` as for datatrail), each statement prepared once and
executed with text parameters, one transaction per batch:

- **per row**: one `INSERT` per row, as one writes it first: a dataset costs 13 statements and
  13 round trips to the server (the dataset, its 10 metadata values, its file, its text row).
- **multi-row**: what datatrail itself sends: the dataset, one `INSERT` of its 10 metadata rows,
  its file, its text row; 4 round trips.

Neither (nor datatrail) pipelines statements or uses `COPY`.

Measured {r["date"]} on {m["cpu"]} ({m["cores"]} cores), {m["os"]}, load average
{r["load_average"]:.1f} when the run started; PostgreSQL {r["postgres"]} (the throwaway test server of
`scripts/with-postgres.sh` on the same machine, reached through a Unix socket, `fsync` and
`synchronous_commit` off), compiler {r["compiler"]}, datatrail {r["datatrail"]}.

| | datasets/s | datatrail / baseline | target | met |
| --- | ---: | --- | --- | --- |
| raw libpq, one `INSERT` per row (baseline) | {fmt_rate(r["baseline_rate"])} | **{r["ratio"]:.2f}** | ≥ {CPP_TARGET} | {verdict(r["ratio"], CPP_TARGET)} |
| raw libpq, a dataset's metadata in one `INSERT` | {fmt_rate(r["multirow_rate"])} | {r["multirow_ratio"]:.2f} | | |
| C++ `Catalog::register_datasets` | {fmt_rate(r["cpp_rate"])} | | | |

- Rates are wall-clock medians of {r["repeat"]} runs per side, interleaved in one process (per row,
  multi-row, datatrail, repeated). Per run: per row {per_run(r["baseline_rates"])}; multi-row
  {per_run(r["multirow_rates"])}; datatrail {per_run(r["cpp_rates"])}.
- By CPU time instead of wall-clock time, the benchmark's and the server's processes together
  (the server's read from `/proc` for each connection's backend; the steadier measure on a shared
  machine, where both run): {total_cpu(r, "total_cpu_ratio")} (per row) and
  {total_cpu(r, "multirow_total_cpu_ratio")} (multi-row). The benchmark process's CPU time alone:
  {r["cpu_ratio"]:.2f} and {r["multirow_cpu_ratio"]:.2f}.
- Round trips decide these rates: client and server take turns on the 2 cores, so datatrail
  beats the per-row baseline by sending a dataset's metadata in one statement, and the
  multi-row baseline shows what datatrail's checks, unit conversions and records cost on top of
  the same statements.
- Before datatrail sent a dataset's metadata in one statement (and plain `INSERT`s for new
  rows, one query per batch for taken PIDs, arrays as `text[]` rather than JSON), it made 13
  round trips per dataset like the per-row baseline and reached 0.73 of it (1,114 against 1,525
  datasets/s, medians of 3 runs of this benchmark on the same machine on 2026-12-02; 0.56 by the
  benchmark process's CPU time).

Reproduce with `make bench`; on its own, `scripts/with-postgres.sh build/cpp/bench/bench_register
--engine postgres` (`--help` for the options). Regenerate this section with
`scripts/with-postgres.sh python bench/bench_register.py --engine postgres --write-docs`.
{PG_END_MARKER}"""


def run_postgres(args: argparse.Namespace) -> int:
    """The C++ benchmark's PostgreSQL side, all its runs in one process; its JSON made a docs section."""
    import datatrail

    uri = postgres_server_uri(args.uri)
    load_average = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="datatrail-bench-pg-") as tmp:
        out = Path(tmp) / "cpp.json"
        cmd = [str(args.cpp_bench), "--engine", "postgres", "--uri", uri, "--n", str(args.n), "--batch",
               str(args.batch), "--repeat", str(args.repeat), "--json", str(out)]
        proc = subprocess.run(cmd)
        if proc.returncode != 0:
            raise SystemExit(f"bench_register.py: the C++ benchmark failed (exit {proc.returncode})")
        result: dict[str, Any] = json.loads(out.read_text())
    result.update(date=_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d"), load_average=load_average,
                  datatrail=datatrail.__version__)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if args.write_docs:
        write_docs(args.docs, docs_section_postgres(result))
        print(f"wrote the PostgreSQL registration section of {args.docs}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite",
                        help="sqlite (default): C++ and Python against raw SQLite; postgres: C++ against raw libpq")
    parser.add_argument("--uri", help="PostgreSQL server URI (default: $DATATRAIL_TEST_POSTGRES)")
    parser.add_argument("--n", type=positive_int, default=20000, help="datasets per run (default 20000)")
    parser.add_argument("--batch", type=positive_int, default=1000, help="datasets per call (default 1000)")
    parser.add_argument("--repeat", type=positive_int, default=3, help="runs per side, interleaved; medians reported")
    parser.add_argument("--cpp-bench", type=Path, default=DEFAULT_CPP_BENCH,
                        help=f"the built C++ benchmark (default {DEFAULT_CPP_BENCH.relative_to(REPO)})")
    parser.add_argument("--json", type=Path, help="also write the result as JSON to this file")
    parser.add_argument("--write-docs", action="store_true", help="rewrite the registration section of the docs")
    parser.add_argument("--docs", type=Path, default=DEFAULT_DOCS, help="the file --write-docs rewrites")
    args = parser.parse_args(argv)

    if not args.cpp_bench.is_file():
        parser.error(f"no C++ benchmark at {args.cpp_bench}: build it (make cpp) or pass --cpp-bench PATH")
    if args.engine == "postgres":
        return run_postgres(args)
    import datatrail

    load_average = os.getloadavg()[0]
    datasets = [make_dataset(i) for i in range(args.n)]
    batches = [datasets[i : i + args.batch] for i in range(0, args.n, args.batch)]
    print(f"registering {args.n} datasets (10 metadata values, 1 file each) in batches of {args.batch}, "
          f"{args.repeat} run(s) per side", flush=True)

    cpp_runs: list[dict[str, Any]] = []
    py_wall: list[float] = []
    py_cpu: list[float] = []
    with tempfile.TemporaryDirectory(prefix="datatrail-bench-py-") as tmp:
        workdir = Path(tmp)
        for r in range(args.repeat):
            cpp = run_cpp(args.cpp_bench, args.n, args.batch, workdir)
            cpp_runs.append(cpp)
            print(f"  run {r + 1}: raw SQLite  {cpp['baseline_rate']:>8.0f} datasets/s", flush=True)
            print(f"  run {r + 1}: C++         {cpp['cpp_rate']:>8.0f} datasets/s", flush=True)
            path = workdir / f"python-{r}.sqlite"
            wall, cpu = run_python(path, batches, args.n)
            remove_catalogue(path)
            py_wall.append(args.n / wall)
            py_cpu.append(args.n / cpu)
            print(f"  run {r + 1}: Python      {py_wall[-1]:>8.0f} datasets/s ({wall:.3f} s wall, {cpu:.3f} s CPU)",
                  flush=True)

    median = statistics.median
    baseline_rate = median(c["baseline_rate"] for c in cpp_runs)
    cpp_rate = median(c["cpp_rate"] for c in cpp_runs)
    python_rate = median(py_wall)
    result: dict[str, Any] = {
        "benchmark": "register",
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d"),
        "n": args.n,
        "batch": args.batch,
        "repeat": args.repeat,
        "statistic": "median",
        "baseline_rate": baseline_rate,
        "cpp_rate": cpp_rate,
        "python_rate": python_rate,
        "cpp_ratio": cpp_rate / baseline_rate,
        "python_ratio": python_rate / cpp_rate,
        "cpp_cpu_ratio": median(c["cpp_cpu_rate"] for c in cpp_runs) / median(c["baseline_cpu_rate"] for c in cpp_runs),
        "python_cpu_ratio": median(py_cpu) / median(c["cpp_cpu_rate"] for c in cpp_runs),
        "baseline_rates": [c["baseline_rate"] for c in cpp_runs],
        "cpp_rates": [c["cpp_rate"] for c in cpp_runs],
        "python_rates": py_wall,
        "machine": cpp_runs[0]["machine"],
        "sqlite": cpp_runs[0]["sqlite"],
        "compiler": cpp_runs[0]["compiler"],
        "datatrail": datatrail.__version__,
        "python": platform.python_version(),
        "load_average": load_average,
    }

    print(f"median of {args.repeat} run(s), wall clock:")
    print(f"  raw SQLite rate: {baseline_rate:.0f} datasets/s")
    print(f"  C++ rate: {cpp_rate:.0f} datasets/s")
    print(f"  Python rate: {python_rate:.0f} datasets/s")
    print(f"  ratio C++/raw SQLite: {result['cpp_ratio']:.3f} (target >= {CPP_TARGET}: "
          f"{'met' if result['cpp_ratio'] >= CPP_TARGET else 'not met'})")
    print(f"  ratio Python/C++: {result['python_ratio']:.3f} (target >= {PYTHON_TARGET}: "
          f"{'met' if result['python_ratio'] >= PYTHON_TARGET else 'not met'})")
    print(f"  by CPU time: C++/raw SQLite {result['cpp_cpu_ratio']:.3f}, Python/C++ {result['python_cpu_ratio']:.3f}")

    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if args.write_docs:
        write_docs(args.docs, docs_section(result))
        print(f"wrote the registration section of {args.docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
