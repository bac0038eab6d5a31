#!/usr/bin/env python3
"""What recording a notebook costs a cell: 1,000 ``np.save``/``np.load`` round trips of small
arrays, with ``%datatrail record`` on, against the same cell with recording off, in one IPython
shell in this process.

The cell saves each array to its own file and loads it back, so every round trip is two opens
the audit hook sees and a file to stat after the cell and to hash in the recorder's worker:

    for i in range(1000):
        np.save(f"rt/a_{i}.npy", x)
        y = np.load(f"rt/a_{i}.npy")

Sides, each timed as ``shell.run_cell`` (the pre- and post-cell hooks included):

- **plain** (baseline): before the extension is loaded, so no audit hook exists yet. Measured
  first, since an audit hook cannot be removed once added.
- **off**: the extension loaded, not recording: the audit hook is installed and inert.
- **on**: recording into a catalogue; off and on interleaved, the order reversed every round.

The on side's hashing and catalogue writes happen in a worker thread, after each cell: the time
until the recording has caught up (``%datatrail stop``) is reported apart, as "settle".

Target (design.md "Performance budget"): on >= 0.9 of plain. Reported, never enforced.

    python bench/bench_notebook.py                  # measure and print
    python bench/bench_notebook.py --write-docs     # ... and rewrite its section of docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchdocs import machine, positive_int, write_section  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DOCS = REPO / "docs" / "benchmarks.md"
START_MARKER = "<!-- bench:notebook:start -->"
END_MARKER = "<!-- bench:notebook:end -->"
TARGET = 0.9
SIDES = {
    "plain": "extension not loaded (baseline)",
    "off": "`%load_ext datatrail`, not recording",
    "on": "`%datatrail record`",
}


def cell_code(round_trips: int) -> str:
    return (
        "for i in range(%d):\n"
        "    np.save(f'rt/a_{i}.npy', x)\n"
        "    y = np.load(f'rt/a_{i}.npy')\n" % round_trips
    )


def time_cells(shell: Any, code: str, cells: int) -> float:
    total = 0.0
    for _ in range(cells):
        t0 = time.perf_counter()
        result = shell.run_cell(code, store_history=True)
        total += time.perf_counter() - t0
        if not result.success:
            raise SystemExit(f"bench_notebook.py: the cell failed: {result.error_in_exec or result.error_before_exec!r}")
    return total


def measure(round_trips: int, cells: int, repeat: int, workdir: Path) -> dict[str, Any]:
    from IPython.core.interactiveshell import InteractiveShell

    import datatrail as dt

    os.chdir(workdir)
    (workdir / "rt").mkdir()
    catalog = workdir / "beamtime.db"
    with dt.Catalog(str(catalog)) as cat:
        # Something to look files up in: a beamtime's raw datasets, none of them the cell's files.
        for i in range(100):
            cat.register_dataset(f"scan_{i:03d}", location=str(workdir), files=[{"path": f"raw/scan_{i:03d}.h5", "size": 1000, "sha256": f"{i:064x}"}])
    shell = InteractiveShell.instance()
    shell.run_cell("import numpy as np\nx = np.arange(16, dtype='f8')", store_history=True)
    code = cell_code(round_trips)
    seconds: dict[str, list[float]] = {side: [] for side in SIDES}
    settle: list[float] = []

    time_cells(shell, code, 1)  # warm the file system and numpy's code paths
    for r in range(repeat):
        seconds["plain"].append(time_cells(shell, code, cells))
        print(f"  round {r + 1}: plain {seconds['plain'][-1]:.3f} s", flush=True)

    shell.run_cell("%load_ext datatrail", store_history=True)
    for r in range(repeat):
        for side in (("off", "on") if r % 2 == 0 else ("on", "off")):
            if side == "on":
                shell.run_cell(f"%datatrail record {catalog} --name bench_{r}", store_history=True)
            seconds[side].append(time_cells(shell, code, cells))
            if side == "on":
                t0 = time.perf_counter()
                shell.run_cell("%datatrail stop", store_history=True)
                settle.append(time.perf_counter() - t0)
            print(f"  round {r + 1}: {side:5s} {seconds[side][-1]:.3f} s" + (f" (settle {settle[-1]:.3f} s)" if side == "on" else ""), flush=True)
    shell.run_cell("%unload_ext datatrail", store_history=True)

    # What the recording holds: every cell, and in each every file the cell wrote.
    with dt.Catalog(str(catalog)) as cat:
        activities = cat.find_activities(type="notebook")
        for activity in activities:
            if activity.log.count("    np.save(") != cells or activity.log.count(" wrote ") != cells * round_trips:
                raise SystemExit(f"bench_notebook.py: activity {activity.name} did not record every cell and file")
    if len(activities) != repeat:
        raise SystemExit(f"bench_notebook.py: {len(activities)} notebook activities, expected {repeat}")

    median = {side: statistics.median(v) for side, v in seconds.items()}
    per_trip = {side: median[side] / (cells * round_trips) * 1e6 for side in SIDES}
    return {"round_trips": round_trips, "cells": cells, "repeat": repeat, "runs": seconds, "seconds": median,
            "per_trip_us": per_trip, "settle": statistics.median(settle),
            "ratio": median["plain"] / median["on"], "off_ratio": median["plain"] / median["off"]}


def docs_section(r: dict[str, Any]) -> str:
    m = r["machine"]

    def per_run(values: list[float]) -> str:
        return ", ".join(f"{v * 1000:,.0f}" for v in values)

    rows = "\n".join(
        f"| {SIDES[side]} | {r['seconds'][side] * 1000:,.0f} | {r['per_trip_us'][side]:.1f} | "
        + ("" if side == "plain" else f"{r['ratio' if side == 'on' else 'off_ratio']:.2f}")
        + (f" | ≥ {TARGET} ({'met' if r['ratio'] >= TARGET else 'not met'})" if side == "on" else " |")
        + " |"
        for side in SIDES
    )
    return f"""{START_MARKER}
## Recording a notebook

<!-- Generated by `bench/bench_notebook.py --write-docs`; edits between the markers are overwritten. -->

A cell doing {r["round_trips"]:,} `np.save`/`np.load` round trips of a 16-element float64 array, each to
its own file, run {r["cells"]} times per measurement in an IPython shell, timed as `run_cell` (the
recorder's pre- and post-cell hooks included). Recording sees two opens per round trip through
Python's audit hook (the load's with the file's identity), stats the {r["round_trips"]:,} written files when
the cell ends, and leaves hashing them and writing the cell to the catalogue to its worker thread.

Measured {r["date"]} on {m["cpu"]} ({m["cores"]} cores), {m["os"]}, load average
{r["load_average"]:.1f} when the run started; Python {r["python"]}, IPython {r["ipython"]}, numpy {r["numpy"]}, datatrail {r["datatrail"]}.

| | ms per {r["cells"]} cells (median) | µs per round trip | speed vs baseline | target |
| --- | ---: | ---: | --- | --- |
{rows}

- Medians of {r["repeat"]} measurements per side; plain first (an audit hook cannot be removed once
  added), then off and on interleaved, the order reversed every other round. Per measurement (ms):
  plain {per_run(r["runs"]["plain"])}; off {per_run(r["runs"]["off"])}; on {per_run(r["runs"]["on"])}.
- Not in the cells' time: the worker catching up after the last cell (hashing {r["cells"] * r["round_trips"]:,} small
  files and writing {r["cells"]} log entries), which `%datatrail stop` waits for: {r["settle"] * 1000:,.0f} ms (median).
- The benchmark checks that each recording holds every cell and every written file.

Reproduce with `make bench`; on its own, `python bench/bench_notebook.py --help`. Regenerate this
section with `python bench/bench_notebook.py --write-docs`.
{END_MARKER}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--round-trips", type=positive_int, default=1000, help="np.save/np.load round trips per cell (default 1000)")
    parser.add_argument("--cells", type=positive_int, default=5, help="cells per measurement (default 5)")
    parser.add_argument("--repeat", type=positive_int, default=5, help="measurements per side (default 5)")
    parser.add_argument("--write-docs", action="store_true", help="rewrite this benchmark's section of --docs")
    parser.add_argument("--docs", type=Path, default=DEFAULT_DOCS, help="the benchmarks page (default docs/benchmarks.md)")
    args = parser.parse_args(argv)
    docs = args.docs.resolve()

    import IPython
    import numpy

    import datatrail as dt

    load_average = os.getloadavg()[0]
    print(f"notebook recording: {args.cells} cells of {args.round_trips} np.save/np.load round trips, "
          f"{args.repeat} measurement(s) per side", flush=True)
    here = os.getcwd()
    try:
        with tempfile.TemporaryDirectory(prefix="datatrail-bench-notebook-") as tmp:
            result = measure(args.round_trips, args.cells, args.repeat, Path(tmp))
            os.chdir(here)
    finally:
        os.chdir(here)
    result.update(machine=machine(), date=_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d"),
                  load_average=load_average, python=platform.python_version(), ipython=IPython.__version__,
                  numpy=numpy.__version__, datatrail=dt.__version__)
    s = result["seconds"]
    print(f"  notebook plain time: {s['plain'] * 1000:.1f} ms")
    print(f"  notebook off time: {s['off'] * 1000:.1f} ms")
    print(f"  notebook on time: {s['on'] * 1000:.1f} ms")
    print(f"  notebook settle time: {result['settle'] * 1000:.1f} ms")
    print(f"  ratio off/plain: {result['off_ratio']:.3f}")
    print(f"  ratio on/plain: {result['ratio']:.3f} (target >= {TARGET}: {'met' if result['ratio'] >= TARGET else 'not met'})")
    if args.write_docs:
        write_section(docs, START_MARKER, END_MARKER, docs_section(result))
        print(f"wrote the notebook recording section of {docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
