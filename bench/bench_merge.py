#!/usr/bin/env python3
"""Merging a beamline's SQLite catalogue into a PostgreSQL catalogue, against registering the
same records into PostgreSQL directly, in the same run.

The source is an SQLite catalogue of N datasets (bench_register.py's generator: 10 typed
metadata values and one file each, one investigation) in which every eighth dataset is
processed and derived from the two datasets before it (N/4 derivation links). It is built once
per run through the API (``register_datasets``, ``add_derivation``), not measured.

- merge: ``target.merge_from(source)`` into a fresh PostgreSQL database (one transaction).
- baseline: the same datasets, with the same PIDs, metadata and files, registered into another
  fresh database with ``register_datasets`` in batches of 1,000, then every link with
  ``add_derivation`` (one transaction each, as an application that records links one by one).

Both are timed from the first write to the last; opening the catalogues is outside the clock.
Repetitions are interleaved (the side that goes first alternates) and medians reported (2 by
default: one run of each side takes about a minute here, and `make bench` has a time budget). After
each run both databases must hold the same datasets (PID, name, kind), metadata rows, files and
links (by PID); the run fails otherwise. No target in the design.

    scripts/with-postgres.sh python bench/bench_merge.py
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_register import INVESTIGATION, make_dataset  # noqa: E402
from bench_writers import machine  # noqa: E402
from benchdocs import positive_int, postgres_scratch, postgres_server_uri, postgres_version, psql, write_section  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DOCS = REPO / "docs" / "benchmarks.md"
START_MARKER = "<!-- bench:merge:start -->"
END_MARKER = "<!-- bench:merge:end -->"

# What both PostgreSQL catalogues must hold alike, each as sorted rows of text.
CHECKS = {
    "datasets": "SELECT pid, name, kind, state, location FROM dataset ORDER BY pid",
    "metadata": "SELECT d.pid, k.key, m.type, m.value, m.unit, m.si, m.si_unit FROM dataset_metadata m "
                "JOIN dataset d ON d.id = m.dataset_id JOIN metadata_key k ON k.id = m.key_id ORDER BY 1, 2",
    "files": "SELECT d.pid, f.path, f.size, f.sha256, f.format FROM datafile f JOIN dataset d ON d.id = f.dataset_id "
             "ORDER BY 1, 2",
    "links": "SELECT d.pid, s.pid FROM derivation x JOIN dataset d ON d.id = x.derived_id "
             "JOIN dataset s ON s.id = x.source_id ORDER BY 1, 2",
}


def source_records(n: int) -> tuple[list[dict[str, Any]], list[tuple[int, int]]]:
    """The datasets (as register_datasets takes them) and links (derived, source) by position."""
    datasets = []
    links = []
    for i in range(n):
        d = make_dataset(i)
        if i % 8 == 7:
            d["kind"] = "processed"
            links += [(i, i - 1), (i, i - 2)]
        datasets.append(d)
    return datasets, links


def build_source(path: Path, datasets: list[dict[str, Any]], links: list[tuple[int, int]]) -> list[str]:
    """The beamline catalogue; returns the datasets' PIDs by position."""
    import datatrail

    with datatrail.Catalog(str(path), pid_prefix="id11") as cat:
        cat.add_investigation(INVESTIGATION, title="Merge benchmark")
        pids: list[str] = []
        for start in range(0, len(datasets), 5000):
            pids += [d.pid for d in cat.register_datasets(datasets[start : start + 5000])]
        for derived, source in links:
            cat.add_derivation(pids[derived], pids[source])
    return pids


def run_merge(source: Path, uri: str, n: int, n_links: int) -> float:
    import datatrail

    with datatrail.Catalog(str(source), read_only=True) as src, datatrail.Catalog(uri) as target:
        t0 = time.perf_counter()
        report = target.merge_from(src)
        seconds = time.perf_counter() - t0
    if report.datasets.added != n or report.links.added != n_links:
        raise SystemExit(f"bench_merge.py: the merge added {report.datasets.added} datasets and {report.links.added} "
                         f"links, not {n} and {n_links}")
    return seconds


def run_baseline(uri: str, datasets: list[dict[str, Any]], pids: list[str],
                 links: list[tuple[int, int]]) -> tuple[float, float]:
    """Returns the seconds in all and the seconds spent registering the datasets."""
    import datatrail

    records = [dict(d, pid=pid) for d, pid in zip(datasets, pids)]
    with datatrail.Catalog(uri, pid_prefix="id11") as cat:
        cat.add_investigation(INVESTIGATION, title="Merge benchmark")
        t0 = time.perf_counter()
        for start in range(0, len(records), 1000):
            cat.register_datasets(records[start : start + 1000])
        registering = time.perf_counter() - t0
        for derived, source in links:
            cat.add_derivation(pids[derived], pids[source])
        return time.perf_counter() - t0, registering


def check_same(merged: str, registered: str, n: int, n_links: int) -> None:
    problems = []
    for what, sql in CHECKS.items():
        a, b = psql(merged, sql), psql(registered, sql)
        if a != b:
            problems.append(f"{what}: the merge wrote {a.count(chr(10)) + 1} rows, registration "
                            f"{b.count(chr(10)) + 1}, and they differ")
    counts = psql(merged, "SELECT (SELECT count(*) FROM dataset) || ' ' || (SELECT count(*) FROM derivation)")
    if counts != f"{n} {n_links}":
        problems.append(f"the merged catalogue holds {counts} datasets and links, not {n} {n_links}")
    if problems:
        raise SystemExit("bench_merge.py: the merge and the baseline wrote different catalogues:\n  "
                         + "\n  ".join(problems))


def docs_section(r: dict[str, Any]) -> str:
    m = r["machine"]
    per_run = lambda xs: ", ".join(f"{x:,.0f}" for x in xs)  # noqa: E731
    return f"""{START_MARKER}
## Merging SQLite into PostgreSQL

<!-- Generated by `bench/bench_merge.py --write-docs`; edits between the markers are overwritten. -->

A beamline's SQLite catalogue of {r['n']:,} datasets (those of the registration benchmark: 10 typed
metadata values and one file each), every eighth one processed and derived from the two before
it ({r['links']:,} derivation links), merged into a fresh PostgreSQL catalogue with
`Catalog.merge_from` (one transaction). The baseline, in the same run, registers the same
datasets (the same PIDs, metadata and files) into another fresh PostgreSQL catalogue with
`register_datasets` in batches of 1,000, then each link with `add_derivation` (one transaction
per link, as an application recording links one by one does). After each run both catalogues are
checked to hold the same datasets, metadata rows, files and links, by PID.

Measured {r['date']} on {m['cpu']} ({m['cores']} cores), {m['os']}, load average
{r['load_average']:.1f} when the run started; PostgreSQL {r['postgres']} (the throwaway test server of
`scripts/with-postgres.sh`, same machine), Python {r['python']}, datatrail {r['datatrail']}.

| | datasets/s (median) | ratio |
| --- | ---: | --- |
| `register_datasets` + `add_derivation` into PostgreSQL (baseline) | {r['baseline_rate']:,.0f} | |
| `merge_from`, SQLite → PostgreSQL | {r['merge_rate']:,.0f} | **{r['ratio']:.2f}** of the baseline |

- Medians of {r['repeat']} runs per side, interleaved (the side that goes first alternates). Per run:
  baseline {per_run(r['baseline_rates'])}; merge {per_run(r['merge_rates'])}. A rate counts datasets;
  both sides also write the {r['links']:,} links in that time.
- Of the baseline's time, registering the datasets took a median {r['baseline_register_share']:.0%}; the
  links, one transaction each, the rest.
- No target in the design.

Reproduce with `make bench`; on its own, `scripts/with-postgres.sh python bench/bench_merge.py`
(`--help` for the options). Regenerate this section with `--write-docs`.
{END_MARKER}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uri", help="PostgreSQL server URI (default: $DATATRAIL_TEST_POSTGRES)")
    parser.add_argument("--n", type=positive_int, default=100_000, help="datasets in the source (default 100000)")
    parser.add_argument("--repeat", type=positive_int, default=2, help="runs per side, interleaved; medians (default 2)")
    parser.add_argument("--json", type=Path, help="also write the result as JSON to this file")
    parser.add_argument("--write-docs", action="store_true", help="rewrite the merge section of the docs")
    parser.add_argument("--docs", type=Path, default=DEFAULT_DOCS, help="the file --write-docs rewrites")
    args = parser.parse_args(argv)
    server_uri = postgres_server_uri(args.uri)

    import datatrail

    load_average = os.getloadavg()[0]
    datasets, links = source_records(args.n)
    rates: dict[str, list[float]] = {"merge": [], "baseline": []}
    register_share: list[float] = []
    with tempfile.TemporaryDirectory(prefix="datatrail-bench-merge-") as tmp:
        source = Path(tmp) / "beamline.sqlite"
        t0 = time.perf_counter()
        pids = build_source(source, datasets, links)
        print(f"source: {args.n:,} datasets, {len(links):,} links in {source.name}, built in "
              f"{time.perf_counter() - t0:.0f} s (not measured)", flush=True)
        for r in range(args.repeat):
            with postgres_scratch(server_uri, "merged") as merged, postgres_scratch(server_uri, "registered") as registered:
                for side in (("merge", "baseline") if r % 2 == 0 else ("baseline", "merge")):
                    if side == "merge":
                        seconds = run_merge(source, merged, args.n, len(links))
                    else:
                        seconds, registering = run_baseline(registered, datasets, pids, links)
                        register_share.append(registering / seconds)
                    rates[side].append(args.n / seconds)
                    print(f"  run {r + 1}: {side:8s} {rates[side][-1]:>8.0f} datasets/s ({seconds:.1f} s)", flush=True)
                if r == 0:
                    check_same(merged, registered, args.n, len(links))
                    print("  the merge and the baseline wrote the same datasets, metadata, files and links", flush=True)
    result: dict[str, Any] = {
        "benchmark": "merge",
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d"),
        "n": args.n,
        "links": len(links),
        "repeat": args.repeat,
        "merge_rate": statistics.median(rates["merge"]),
        "baseline_rate": statistics.median(rates["baseline"]),
        "merge_rates": rates["merge"],
        "baseline_register_share": statistics.median(register_share),
        "baseline_rates": rates["baseline"],
        "machine": machine(),
        "postgres": postgres_version(server_uri),
        "python": platform.python_version(),
        "datatrail": datatrail.__version__,
        "load_average": load_average,
    }
    result["ratio"] = result["merge_rate"] / result["baseline_rate"]
    print("median of the runs, wall clock:")
    print(f"  baseline (register_datasets + add_derivation) rate: {result['baseline_rate']:.0f} datasets/s")
    print(f"  merge_from rate: {result['merge_rate']:.0f} datasets/s")
    print(f"  ratio merge/baseline: {result['ratio']:.3f}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if args.write_docs:
        write_section(args.docs, START_MARKER, END_MARKER, docs_section(result))
        print(f"wrote the merge section of {args.docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
