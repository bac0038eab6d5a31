#!/usr/bin/env python3
"""Many writers: P processes registering datasets into one catalogue at once, against one
process registering the same total, in the same run, on each engine.

Every side runs in worker processes started the same way: each opens the catalogue, builds its
datasets (bench_register.py's generator: 10 typed metadata values and one file each), waits at
a barrier, then registers its share in batches (one ``Catalog.register_datasets`` call and one
transaction per batch). The rate is the total number of datasets over the time from the first
worker's start to the last worker's end. Each side gets a fresh catalogue: a file for SQLite, a
new database for PostgreSQL. Repetitions are interleaved (1 process, P processes, alternating
which goes first) and medians reported. After each run the catalogue must hold exactly the
datasets registered, each name once; the run fails otherwise.

SQLite lets one writer in at a time (the others wait up to busy_timeout), so P processes can at
best match one; PostgreSQL runs the writers' transactions at once. No target in the design:
the benchmark reports the ratio and never fails on it.

    python bench/bench_writers.py                       # both engines (PostgreSQL: $DATATRAIL_TEST_POSTGRES)
    scripts/with-postgres.sh python bench/bench_writers.py --write-docs
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import json
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchdocs import machine, positive_int, postgres_scratch, postgres_server_uri, postgres_version, write_section  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DOCS = REPO / "docs" / "benchmarks.md"
START_MARKER = "<!-- bench:writers:start -->"
END_MARKER = "<!-- bench:writers:end -->"
ENGINES = ("sqlite", "postgres")


def worker(location: str, first: int, count: int, batch: int, barrier: Any, results: Any) -> None:
    """Registers datasets first..first+count-1 in batches, after every worker is ready."""
    import datatrail
    from bench_register import make_dataset

    datasets = [make_dataset(i) for i in range(first, first + count)]
    batches = [datasets[i : i + batch] for i in range(0, count, batch)]
    with datatrail.Catalog(location) as cat:
        cat.count_datasets()  # connected (and, on PostgreSQL, a pooled connection open) before the clock
        barrier.wait()
        start, cpu = time.monotonic(), time.process_time()
        for b in batches:
            cat.register_datasets(b)
        results.put((start, time.monotonic(), time.process_time() - cpu))


@contextlib.contextmanager
def fresh_catalogue(engine: str, workdir: Path, server_uri: str, label: str) -> Iterator[str]:
    """A new catalogue holding the benchmark's investigation; yields its location."""
    import datatrail
    from bench_register import INVESTIGATION

    if engine == "sqlite":
        path = workdir / f"{label}.sqlite"
        location = str(path)
        with datatrail.Catalog(location) as cat:
            cat.add_investigation(INVESTIGATION, title="Writers benchmark")
        try:
            yield location
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        return
    with postgres_scratch(server_uri, label) as uri:
        with datatrail.Catalog(uri) as cat:
            cat.add_investigation(INVESTIGATION, title="Writers benchmark")
        yield uri


def run_side(location: str, n: int, processes: int, batch: int) -> dict[str, float]:
    """n datasets registered by `processes` workers at once; returns rate and CPU seconds."""
    import datatrail

    ctx = multiprocessing.get_context("spawn")  # no process inherits an open catalogue
    barrier = ctx.Barrier(processes)
    results = ctx.Queue()
    shares = [n // processes + (1 if i < n % processes else 0) for i in range(processes)]
    firsts = [sum(shares[:i]) for i in range(processes)]
    procs = [ctx.Process(target=worker, args=(location, firsts[i], shares[i], batch, barrier, results))
             for i in range(processes)]
    for p in procs:
        p.start()
    done = [results.get(timeout=900) for _ in procs]
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"bench_writers.py: a writer process failed (exit {p.exitcode})")
    wall = max(d[1] for d in done) - min(d[0] for d in done)
    with datatrail.Catalog(location) as cat:
        stored = cat.count_datasets()
        names = {d.name for d in cat.find_datasets()}
    if stored != n or len(names) != n:
        raise SystemExit(f"bench_writers.py: {processes} writer(s) left {stored} datasets with {len(names)} names, "
                         f"not the {n} registered")
    return {"wall": wall, "rate": n / wall, "cpu": sum(d[2] for d in done)}


def measure(engine: str, n: int, processes: int, batch: int, repeat: int, workdir: Path,
            server_uri: str) -> dict[str, Any]:
    runs: dict[str, list[dict[str, float]]] = {"one": [], "many": []}
    for r in range(repeat):
        for side in (("one", "many") if r % 2 == 0 else ("many", "one")):
            count = 1 if side == "one" else processes
            with fresh_catalogue(engine, workdir, server_uri, f"{engine}_{side}_{r}") as location:
                result = run_side(location, n, count, batch)
            runs[side].append(result)
            print(f"  {engine} run {r + 1}: {count} process(es) {result['rate']:>8.0f} datasets/s "
                  f"({result['wall']:.2f} s wall, {result['cpu']:.2f} s CPU in the writers)", flush=True)
    med = {side: statistics.median(x["rate"] for x in v) for side, v in runs.items()}
    cpu = {side: statistics.median(x["cpu"] for x in v) for side, v in runs.items()}
    return {
        "rate_one": med["one"],
        "rate_many": med["many"],
        "ratio": med["many"] / med["one"],
        # Datasets per CPU second of the writer processes (the server's work on PostgreSQL not counted).
        "cpu_ratio": cpu["one"] / cpu["many"],
        "rates_one": [x["rate"] for x in runs["one"]],
        "rates_many": [x["rate"] for x in runs["many"]],
    }




def docs_section(r: dict[str, Any]) -> str:
    m = r["machine"]
    rows = []
    for engine in r["engines"]:
        e = r["results"][engine]
        label = "SQLite (one file)" if engine == "sqlite" else f"PostgreSQL {r.get('postgres', '')}".strip()
        rows.append(f"| {label} | {e['rate_one']:,.0f} | {e['rate_many']:,.0f} | **{e['ratio']:.2f}** "
                    f"| {e['cpu_ratio']:.2f} |")
    per_run = "; ".join(
        f"{engine}: 1 process {', '.join(f'{x:,.0f}' for x in r['results'][engine]['rates_one'])}, "
        f"{r['processes']} processes {', '.join(f'{x:,.0f}' for x in r['results'][engine]['rates_many'])}"
        for engine in r["engines"])
    table = "\n".join(rows)
    return f"""{START_MARKER}
## Many writers

<!-- Generated by `bench/bench_writers.py --write-docs`; edits between the markers are overwritten. -->

{r['processes']} processes register {r['n']:,} datasets into one fresh catalogue at once, each its own
share ({r['n'] // r['processes']:,}) in batches of {r['batch']:,} (one `Catalog.register_datasets` call and one
transaction per batch), the datasets of the registration benchmark (10 typed metadata values and
one file each). The baseline, in the same run, is one process registering the same {r['n']:,} datasets
the same way. The rate is all datasets over the time from the first writer's start to the last
writer's end; every writer builds its datasets and opens the catalogue before a common start.
Each catalogue is checked to hold exactly the datasets registered, each name once.

Measured {r['date']} on {m['cpu']} ({m['cores']} cores), {m['os']}, load average
{r['load_average']:.1f} when the run started; Python {r['python']}, datatrail {r['datatrail']}. The PostgreSQL
server is the throwaway test server of `scripts/with-postgres.sh` on the same machine (Unix
socket, `fsync` and `synchronous_commit` off), so server and writers share the 2 cores.

| engine | 1 process, datasets/s | {r['processes']} processes, datasets/s | {r['processes']} / 1 | by writers' CPU time |
| --- | ---: | ---: | --- | --- |
{table}

- Medians of {r['repeat']} runs per side, interleaved (the side that goes first alternates).
  Per run: {per_run}.
- "By writers' CPU time" is datasets per CPU second of the writer processes, {r['processes']} against 1; on
  PostgreSQL it leaves out the server's work.
- SQLite takes one writer at a time: the others wait for its lock (`busy_timeout`), so {r['processes']}
  processes cannot beat one, and the ratio shows what the waiting costs. PostgreSQL runs the
  writers' transactions at once. One writer keeps the machine half idle: it and its server
  process take turns, each waiting while the other works on a statement. Several writers fill
  those waits, up to what the 2 cores, shared by the server and the writers, can do.
- No target in the design.

Reproduce with `make bench`; on its own, `scripts/with-postgres.sh python bench/bench_writers.py`
(`--help` for the options). Regenerate this section with `--write-docs`.
{END_MARKER}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=(*ENGINES, "both"), default="both", help="engines to measure (default both)")
    parser.add_argument("--uri", help="PostgreSQL server URI (default: $DATATRAIL_TEST_POSTGRES)")
    parser.add_argument("--n", type=positive_int, default=24000, help="datasets per run, all writers together")
    parser.add_argument("--processes", type=positive_int, default=8, help="writer processes (default 8)")
    parser.add_argument("--batch", type=positive_int, default=500, help="datasets per call (default 500)")
    parser.add_argument("--repeat", type=positive_int, default=3, help="runs per side, interleaved; medians")
    parser.add_argument("--json", type=Path, help="also write the result as JSON to this file")
    parser.add_argument("--write-docs", action="store_true", help="rewrite the writers section of the docs")
    parser.add_argument("--docs", type=Path, default=DEFAULT_DOCS, help="the file --write-docs rewrites")
    args = parser.parse_args(argv)
    engines = ENGINES if args.engine == "both" else (args.engine,)
    server_uri = postgres_server_uri(args.uri) if "postgres" in engines else ""

    import datatrail

    load_average = os.getloadavg()[0]
    print(f"{args.processes} writer processes against 1, {args.n} datasets in batches of {args.batch}, "
          f"{args.repeat} run(s) per side", flush=True)
    results = {}
    with tempfile.TemporaryDirectory(prefix="datatrail-bench-writers-") as tmp:
        for engine in engines:
            results[engine] = measure(engine, args.n, args.processes, args.batch, args.repeat, Path(tmp), server_uri)
    result: dict[str, Any] = {
        "benchmark": "writers",
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d"),
        "engines": list(engines),
        "n": args.n,
        "processes": args.processes,
        "batch": args.batch,
        "repeat": args.repeat,
        "results": results,
        "machine": machine(),
        "python": platform.python_version(),
        "datatrail": datatrail.__version__,
        "load_average": load_average,
    }
    if server_uri:
        result["postgres"] = postgres_version(server_uri)
    print("median of the runs, wall clock:")
    for engine in engines:
        e = results[engine]
        print(f"  {engine} 1 process: {e['rate_one']:.0f} datasets/s")
        print(f"  {engine} {args.processes} processes: {e['rate_many']:.0f} datasets/s")
        print(f"  {engine} ratio {args.processes}/1: {e['ratio']:.3f} (by writers' CPU time {e['cpu_ratio']:.3f})")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if args.write_docs:
        write_section(args.docs, START_MARKER, END_MARKER, docs_section(result))
        print(f"wrote the writers section of {args.docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
