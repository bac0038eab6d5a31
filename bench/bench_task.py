#!/usr/bin/env python3
"""Recording a workflow task, against the same rows written through Python's sqlite3 in the same run.

K calls of a ``@dt.task`` with 2 inputs (raw datasets) and 2 outputs (processed datasets with one
metadata value each), inside one ``dt.workflow`` run, each call with its own parameters (so each
is a cache miss: the key is computed, looked up, and the task recorded). The script lives in a
git work tree, as a workflow's code usually does: the workflow takes the environment snapshot
once and its tasks reuse it.

Sides, interleaved (the order reversed every other round), each into a fresh catalogue file:

- **sqlite3** (baseline): the rows datatrail wrote for one call (activity, parameters, used,
  datasets, their metadata and text rows, generation, derivation), copied from datatrail's first
  run and written for every call with new PIDs, names and times, one transaction per call.
- **task**: the ``@dt.task`` call in a workflow.
- **activity**: the same call recorded through ``cat.activity(...)`` and two ``run.output(...)``,
  no workflow and no cache key: an environment snapshot (``git status``) per call, as before.

Target (design.md "Performance budget"): task >= 0.5 of sqlite3. Reported, never enforced.

    python bench/bench_task.py                  # measure and print
    python bench/bench_task.py --write-docs     # ... and rewrite its section of docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchdocs import library_sqlite, machine, positive_int, write_section  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DOCS = REPO / "docs" / "benchmarks.md"
START_MARKER = "<!-- bench:task:start -->"
END_MARKER = "<!-- bench:task:end -->"
TARGET = 0.5
POOL = 100  # raw datasets the calls use, two per call, round robin
SIDES = {
    "sqlite": "Python `sqlite3`, the same rows (baseline)",
    "task": "`@dt.task` call in a `dt.workflow` run (in a git work tree)",
    "activity": "`cat.activity(...)` + 2 × `run.output(...)` per call, no workflow (in a git work tree)",
}


def remove_catalogue(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def prepare(path: Path) -> list[str]:
    """A fresh catalogue holding the raw datasets the calls use; returns their PIDs."""
    import datatrail as dt

    remove_catalogue(path)
    with dt.Catalog(str(path)) as cat:
        return [d.pid for d in cat.register_datasets([{"name": f"raw_{i:04d}", "kind": "raw"} for i in range(POOL)])]


def make_task() -> Any:
    import datatrail as dt

    @dt.task(program="bench", version="1.0", inputs=["first", "second"])
    def integrate(first: str, second: str, call: int) -> list[dict[str, Any]]:
        return [{"name": f"out_{call:06d}_a", "metadata": {"npt": 1000}},
                {"name": f"out_{call:06d}_b", "metadata": {"npt": 1000}}]

    return integrate


def run_task(path: Path, k: int) -> float:
    import datatrail as dt

    pids = prepare(path)
    integrate = make_task()
    with dt.Catalog(str(path)) as cat:
        t0 = time.perf_counter()
        with dt.workflow(cat, "bench"):
            for i in range(k):
                result = integrate(pids[(2 * i) % POOL], pids[(2 * i + 1) % POOL], call=i)
                if result.cache_hit:
                    raise SystemExit("bench_task.py: a call hit the cache; every call should be new")
        return time.perf_counter() - t0


def run_activity(path: Path, k: int) -> float:
    import datatrail as dt

    pids = prepare(path)
    with dt.Catalog(str(path)) as cat:
        t0 = time.perf_counter()
        for i in range(k):
            inputs = [pids[(2 * i) % POOL], pids[(2 * i + 1) % POOL]]
            with cat.activity("integrate", program="bench", version="1.0", parameters={"call": i},
                              inputs=inputs) as run:
                run.output(f"out_{i:06d}_a", metadata={"npt": 1000})
                run.output(f"out_{i:06d}_b", metadata={"npt": 1000})
        return time.perf_counter() - t0


# ---- the baseline --------------------------------------------------------------------------------


def templates(path: Path) -> dict[str, Any]:
    """The rows datatrail wrote for the first task call (not the workflow run's), by table."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    try:
        (a,) = con.execute("SELECT * FROM activity WHERE type != (SELECT type FROM activity WHERE parent_id IS NULL "
                           "ORDER BY id LIMIT 1) ORDER BY id LIMIT 1").fetchall()
        aid = a["id"]
        rows: dict[str, Any] = {"activity": dict(a)}
        for table, where in (("activity_parameter", "activity_id"), ("used", "activity_id"),
                             ("generation", "activity_id"), ("derivation", "activity_id")):
            rows[table] = [dict(r) for r in con.execute(f"SELECT * FROM {table} WHERE {where} = ?", (aid,))]
        outputs = [g["dataset_id"] for g in rows["generation"]]
        rows["dataset"] = [dict(con.execute("SELECT * FROM dataset WHERE id = ?", (d,)).fetchone()) for d in outputs]
        rows["dataset_metadata"] = [[dict(r) for r in con.execute("SELECT * FROM dataset_metadata WHERE dataset_id = ?",
                                                                  (d,))] for d in outputs]
        rows["dataset_text"] = [dict(con.execute("SELECT name, description, keywords, metadata FROM dataset_text "
                                                 "WHERE rowid = ?", (d,)).fetchone()) for d in outputs]
        rows["metadata_key"] = [dict(r) for r in con.execute("SELECT * FROM metadata_key ORDER BY id")]
    finally:
        con.close()
    if len(rows["dataset"]) != 2 or len(rows["used"]) != 2:
        raise SystemExit(f"bench_task.py: expected 2 inputs and 2 outputs per call, found {len(rows['used'])} and "
                         f"{len(rows['dataset'])}")
    return rows


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _insert(table: str, columns: list[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def run_sqlite(path: Path, k: int, rows: dict[str, Any], prefix: str) -> float:
    """The template rows for every call, with new PIDs, names, times and cache keys."""
    import secrets

    import datatrail as dt

    raw_pids = prepare(path)
    pids = [dt.new_pid(prefix) for _ in range(3 * k)]  # minted outside the clock
    keys = [secrets.token_hex(32) for _ in range(k)]
    a = rows["activity"]
    a_cols = [c for c in a if c not in ("id", "parent_id")]
    d_cols = [c for c in rows["dataset"][0] if c != "id"]
    old_key = next((p["value"] for p in rows["activity_parameter"] if isinstance(p["value"], str)
                    and len(p["value"]) == 64), None)
    con = library_sqlite(path)
    try:
        raw_ids = [con.execute("SELECT id FROM dataset WHERE pid = ?", (p,)).fetchone()[0] for p in raw_pids]
        # Interned keys and the workflow run, as datatrail has them before its first call.
        have = {r[0] for r in con.execute("SELECT id FROM metadata_key")}
        for key in rows["metadata_key"]:
            if key["id"] not in have:
                con.execute(_insert("metadata_key", list(key)), list(key.values()))
        workflow = con.execute(_insert("activity", a_cols), [dict(a, pid=dt.new_pid(prefix), type="workflow")[c]
                                                              for c in a_cols]).lastrowid

        def swap(value: Any, key: str, activity_pid: str, old_activity: str) -> Any:
            if isinstance(value, str):
                if old_key and value == old_key:
                    return key
                if value == old_activity:
                    return activity_pid
            return value

        t0 = time.perf_counter()
        for i in range(k):
            inputs = (raw_ids[(2 * i) % POOL], raw_ids[(2 * i + 1) % POOL])
            now = _now()
            con.execute("BEGIN IMMEDIATE")
            row = dict(a, pid=pids[3 * i], start_time=now, end_time=now)
            activity = con.execute(_insert("activity", a_cols + ["parent_id"]),
                                   [row[c] for c in a_cols] + [workflow]).lastrowid
            for p in rows["activity_parameter"]:
                p = dict(p, activity_id=activity, value=swap(p["value"], keys[i], pids[3 * i], a["pid"]))
                con.execute(_insert("activity_parameter", list(p)), list(p.values()))
            for u, source in zip(rows["used"], inputs):
                con.execute(_insert("used", list(u)), list(dict(u, activity_id=activity, dataset_id=source).values()))
            for j, (ds, metadata, text) in enumerate(zip(rows["dataset"], rows["dataset_metadata"], rows["dataset_text"])):
                name = f"out_{i:06d}_{'ab'[j]}"
                drow = dict(ds, pid=pids[3 * i + 1 + j], name=name, created_at=now,
                            start_time=now if ds["start_time"] else None, end_time=now if ds["end_time"] else None)
                dataset = con.execute(_insert("dataset", d_cols), [drow[c] for c in d_cols]).lastrowid
                for m in metadata:
                    m = dict(m, dataset_id=dataset, value=swap(m["value"], keys[i], pids[3 * i], a["pid"]))
                    con.execute(_insert("dataset_metadata", list(m)), list(m.values()))
                con.execute("INSERT INTO dataset_text (rowid, name, description, keywords, metadata) VALUES (?, ?, ?, ?, ?)",
                            (dataset, name, text["description"], text["keywords"], text["metadata"]))
                con.execute("INSERT INTO generation (dataset_id, activity_id, role) VALUES (?, ?, ?)",
                            (dataset, activity, rows["generation"][0]["role"]))
                for source in inputs:
                    con.execute("INSERT INTO derivation (derived_id, source_id, activity_id, role, seq) "
                                "VALUES (?, ?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM derivation))",
                                (dataset, source, activity, rows["derivation"][0]["role"]))
            con.execute("COMMIT")
        return time.perf_counter() - t0
    finally:
        con.close()


TABLES = ("activity", "activity_parameter", "used", "dataset", "dataset_metadata", "dataset_text", "generation",
          "derivation")


def count_rows(path: Path) -> dict[str, int]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


# ---- measuring and reporting ---------------------------------------------------------------------


def measure(k: int, repeat: int, workdir: Path) -> dict[str, Any]:
    rates: dict[str, list[float]] = {side: [] for side in SIDES}
    rows: dict[str, dict[str, int]] = {}
    template: dict[str, Any] | None = None
    for r in range(repeat):
        # datatrail's task goes first in the first round: the baseline copies its rows.
        order = ["task", "sqlite", "activity"] if r % 2 == 0 else ["activity", "sqlite", "task"]
        if template is None:
            order = ["task", "sqlite", "activity"]
        for side in order:
            path = workdir / f"task-{side}-{r}.sqlite"
            if side == "task":
                seconds = run_task(path, k)
                if template is None:
                    template = templates(path)
            elif side == "activity":
                seconds = run_activity(path, k)
            else:
                assert template is not None
                seconds = run_sqlite(path, k, template, str(template["activity"]["pid"]).split("/", 1)[0])
            rates[side].append(k / seconds)
            if side != "activity":
                rows[side] = count_rows(path)
            remove_catalogue(path)
            print(f"  round {r + 1}: {side:8s} {rates[side][-1]:>8.0f} calls/s ({seconds:.3f} s)", flush=True)
    if rows["task"] != rows["sqlite"]:
        raise SystemExit(f"bench_task.py: the sides wrote different rows: {rows}")
    median = {side: statistics.median(v) for side, v in rates.items()}
    return {"k": k, "repeat": repeat, "runs": rates, "rates": median, "rows": rows["task"],
            "ratio": median["task"] / median["sqlite"], "activity_ratio": median["activity"] / median["sqlite"]}


def docs_section(r: dict[str, Any]) -> str:
    m = r["machine"]

    def per_run(values: list[float]) -> str:
        return ", ".join(f"{v:,.0f}" for v in values)

    rows = ", ".join(f"{t} {n:,}" for t, n in r["rows"].items())
    return f"""{START_MARKER}
## Recording workflow tasks

<!-- Generated by `bench/bench_task.py --write-docs`; edits between the markers are overwritten. -->

{r["k"]:,} calls of a `@dt.task` with 2 inputs (raw datasets) and 2 outputs (processed datasets,
one metadata value each) inside one `dt.workflow` run, each call with its own parameters, so every
call computes its cache key, looks it up in the catalogue (a metadata query), misses and is
recorded: the activity under the workflow run with its parameters and key, its inputs, its
outputs carrying the key, and the PROV links. The benchmark script is in a git work tree, so the
environment snapshot includes the git state: the workflow takes it once and its tasks reuse it.
The baseline writes, with Python's `sqlite3`, the rows datatrail wrote for its first call (copied
from that run: {rows} in all) for every call, with new PIDs, names, times and keys, one
transaction per call; the script checks that both sides wrote the same number of rows in each
table.

Measured {r["date"]} on {m["cpu"]} ({m["cores"]} cores), {m["os"]}, load average
{r["load_average"]:.1f} when the run started; Python {r["python"]}, SQLite {r["sqlite"]}, datatrail {r["datatrail"]}.

| | calls/s (median) | ratio | target |
| --- | ---: | --- | --- |
| {SIDES["sqlite"]} | {r["rates"]["sqlite"]:,.0f} | | |
| {SIDES["task"]} | {r["rates"]["task"]:,.0f} | **{r["ratio"]:.2f}** of sqlite3 | ≥ {TARGET} ({"met" if r["ratio"] >= TARGET else "not met"}) |
| {SIDES["activity"]} | {r["rates"]["activity"]:,.0f} | {r["activity_ratio"]:.2f} of sqlite3 | |

- Medians of {r["repeat"]} runs per side, interleaved (the order reversed every other round). Per run:
  sqlite3 {per_run(r["runs"]["sqlite"])}; task {per_run(r["runs"]["task"])}; activity
  {per_run(r["runs"]["activity"])}.
- datatrail writes a task call in one transaction, once its function has returned
  (`Catalog.record_activity`: the activity, finished, with its inputs, outputs and links), as the
  baseline does; before that call existed it took three (activity started, outputs added,
  activity finished), and the ratio was 0.35.
- The last row is what recording cost before workflow runs shared their snapshot: one `git status`
  process per activity (it writes fewer rows: no cache key).
- Where the task's time goes (timing each catalogue call inside this benchmark's task side, 2,000
  calls, four runs; the machine was shared, so absolute times varied by half): 54-64% in
  `record_activity`, 8-10% in the two input reads (for their files' checksums; the first read
  after a write, about 50 µs, costs twice the second), 6-8% in the cache lookup (a metadata query,
  about 25 µs after a write against 10 µs warm) and 22-27% in Python (binding the arguments, the key's
  encoding and hashing, the snapshot check, building the activity). Within `record_activity`, the
  environment (the snapshot with its 64 packages, serialised to JSON on write and parsed again by
  the read-back inside the transaction) is about a quarter: the same call without it took 300
  against 390 µs. The key's encoding now takes plain `str` and `int` first and the snapshot check
  stats git's HEAD once; that cut the Python side by a few per cent, within the noise of this
  table.
- The ratio depends on the machine's load: with both cores busy the baseline slows more than the
  task side. At load average 3.4, the same benchmark measured 0.47 for the code before the cuts
  above and 0.48 after them; on a quiet machine, before them, 0.37 (994 against 2,691 calls/s). A
  ratio measured at a load average above 2 is no evidence that the target is met.
- Reaching the target needs `record_activity`'s own cost cut: not reading the activity back (the
  task discards it; building it from what was written must be proved identical to the read-back
  on both engines: parameters' normalised units, `used` in dataset-id order, agents resolved to
  PIDs, the environment's JSON round trip), and not writing the same environment JSON for every
  task of a workflow (stored once and referenced, a store change); then the input reads folded
  into the cache lookup's read transaction (one catalogue call for reads by PID and by key).

Reproduce with `make bench`; on its own, `python bench/bench_task.py --help`. Regenerate this section
with `python bench/bench_task.py --write-docs`.
{END_MARKER}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=positive_int, default=2000, help="task calls per run (default 2000)")
    parser.add_argument("--repeat", type=positive_int, default=3, help="runs per side (default 3)")
    parser.add_argument("--write-docs", action="store_true", help="rewrite this benchmark's section of --docs")
    parser.add_argument("--docs", type=Path, default=DEFAULT_DOCS, help="the benchmarks page (default docs/benchmarks.md)")
    args = parser.parse_args(argv)

    import datatrail as dt

    load_average = os.getloadavg()[0]
    print(f"task recording: {args.calls} calls with 2 inputs and 2 outputs per run, {args.repeat} run(s) per side",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="datatrail-bench-task-") as tmp:
        result = measure(args.calls, args.repeat, Path(tmp))
    result.update(machine=machine(), date=_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d"),
                  load_average=load_average, python=platform.python_version(), sqlite=sqlite3.sqlite_version,
                  datatrail=dt.__version__)
    rates = result["rates"]
    print(f"  task recording sqlite3 rate: {rates['sqlite']:.0f} calls/s")
    print(f"  task recording datatrail task rate: {rates['task']:.0f} calls/s")
    print(f"  task recording datatrail activity rate: {rates['activity']:.0f} calls/s")
    print(f"  ratio task/sqlite3: {result['ratio']:.3f} (target >= {TARGET}: {'met' if result['ratio'] >= TARGET else 'not met'})")
    print(f"  ratio activity/sqlite3: {result['activity_ratio']:.3f}")
    if args.write_docs:
        write_section(args.docs, START_MARKER, END_MARKER, docs_section(result))
        print(f"wrote the task recording section of {args.docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
