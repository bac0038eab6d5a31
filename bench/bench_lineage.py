#!/usr/bin/env python3
"""Lineage walks and activity recording from Python, each against a baseline in the same run.

Lineage: in a catalogue of N datasets (default 1,000,000) and about 3N derivation links,
``Catalog.ancestors(pid, depth=10)`` (a ProvGraph) against networkx walking the same graph and
building the subgraph of what it found, and ``Catalog.ancestor_pids(pid, depth=10)`` (PIDs and
depths) against networkx's bare walk; the same for descendants. networkx holds the graph loaded
from the same catalogue file, in the same process. For a fixed, seeded sample of start datasets
every side is timed once per round, rounds interleaved, and every side must find exactly the
same datasets at the same depths (the run fails otherwise). The one-off cost of the first walk
(loading datatrail's in-memory lineage index) is measured apart, against the first walk of a
catalogue opened with ``lineage_index=False``.

Recording: ``with cat.activity(..., inputs=[a, b]) as run: run.output(...); run.output(...)``
K times into a fresh catalogue, against Python's sqlite3 module writing the same rows (one
activity, 2 used, 2 datasets with 1 metadata value and their full-text rows, 2 generation,
4 derivation) in one transaction per call into another fresh catalogue.

The graph fixture is built once and cached under build/bench/, keyed by its parameters and
the catalogue schema version; ``--rebuild`` builds it again. Building it is not measured.

Target (docs/benchmarks.md, design.md "Performance budget"): lineage walks faster than
networkx, in both comparisons. The benchmark reports whether it is met; it never fails on it.

    python bench/bench_lineage.py                  # measure and print
    python bench/bench_lineage.py --write-docs     # ... and rewrite the lineage section of docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as _dt
import gc
import json
import os
import platform
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# benchdocs.py sits beside this file, however the file is loaded (as a script or by a test).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchdocs import library_sqlite, machine, positive_int, postgres_scratch, postgres_server_uri, postgres_version, psql, write_section  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DOCS = REPO / "docs" / "benchmarks.md"
DEFAULT_FIXTURE_DIR = REPO / "build" / "bench"

WALK_TARGET = 1.0  # networkx time / datatrail time: > 1 means datatrail is faster

START_MARKER = "<!-- bench:lineage:start -->"
END_MARKER = "<!-- bench:lineage:end -->"
PG_START_MARKER = "<!-- bench:lineage-postgres:start -->"
PG_END_MARKER = "<!-- bench:lineage-postgres:end -->"

# Bump when the fixture's generator or layout changes, so stale cached files are not reused.
FIXTURE_FORMAT = 2

# The PostgreSQL fixture is built anew for every run (registration there is slower than into a
# file, and nothing caches a database between runs): this size keeps `make bench` in its budget.
POSTGRES_DEFAULT_N = 250_000

DIRECTIONS = ("ancestors", "descendants")


# ---- the graph ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class GraphSpec:
    """A provenance DAG in registration order: dataset i can only be derived from datasets < i.

    A quarter of the datasets are raw (no sources). Every other one is processed, derived from
    min_sources..max_sources (uniform) earlier datasets. A source lies a geometric number of
    positions back (mean mean_offset): processing mostly reads what was recorded shortly before,
    in the same beamtime. A fraction far_fraction of the links reach uniformly up to far_span
    positions back instead (a calibration, a reference measurement, a reprocessing of old
    data), which joins the neighbourhoods into one graph.
    """

    n: int
    seed: int = 2026
    raw_fraction: float = 0.25
    min_sources: int = 2
    max_sources: int = 6
    mean_offset: float = 40.0
    far_fraction: float = 0.03
    far_span: int = 200_000

    def key(self) -> str:
        return (f"n{self.n}-seed{self.seed}-raw{self.raw_fraction:g}-src{self.min_sources}to{self.max_sources}"
                f"-off{self.mean_offset:g}-far{self.far_fraction:g}x{self.far_span}")


def generate_links(spec: GraphSpec) -> tuple[Any, Any, Any]:
    """(is_raw[i], derived[j], source[j]) as numpy arrays of graph positions; links unique."""
    import numpy as np

    rng = np.random.default_rng(spec.seed)
    n = spec.n
    is_raw = rng.random(n) < spec.raw_fraction
    is_raw[: min(n, 10)] = True  # the first datasets have nothing to be derived from
    processed = np.flatnonzero(~is_raw)
    fan_in = rng.integers(spec.min_sources, spec.max_sources + 1, size=processed.size)
    derived = np.repeat(processed, fan_in).astype(np.int64)
    offset = rng.geometric(1.0 / spec.mean_offset, size=derived.size).astype(np.int64)
    far = rng.random(derived.size) < spec.far_fraction
    offset[far] = rng.integers(1, max(2, min(spec.far_span, n)), size=int(far.sum()))
    source = derived - offset
    keep = source >= 0
    # Drawing the same source twice for one dataset is one link: unique (derived, source) pairs.
    pairs = np.unique(derived[keep] * n + source[keep])
    return is_raw, pairs // n, pairs % n


def remove_catalogue(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def fixture_path(fixture_dir: Path, spec: GraphSpec, schema_version: int) -> Path:
    return fixture_dir / f"lineage-{spec.key()}-schema{schema_version}-f{FIXTURE_FORMAT}.sqlite"


def build_fixture(path: Path, spec: GraphSpec, batch: int = 10_000) -> dict[str, Any]:
    """Writes the graph as a catalogue at `path`; returns what it built and how long it took.

    Datasets go through the real API (Catalog.register_datasets, one call and one transaction
    per batch). Links are written straight into the derivation table with sqlite3, in one
    transaction: add_derivation (one transaction and a cycle check per link) would take hours
    for millions of links. The rows are those add_derivation writes (activity NULL, role '',
    seq numbering the links in the order written).
    """
    import datatrail
    import numpy as np

    t0 = time.perf_counter()
    is_raw, derived, source = generate_links(spec)
    t_generate = time.perf_counter() - t0
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    remove_catalogue(partial)

    t0 = time.perf_counter()
    with datatrail.Catalog(str(partial)) as cat:
        for start in range(0, spec.n, batch):
            stop = min(spec.n, start + batch)
            cat.register_datasets([{"name": f"ds_{i:07d}", "kind": "raw" if is_raw[i] else "processed"}
                                   for i in range(start, stop)])
            if start // batch % 20 == 19:
                print(f"    registered {stop:,} of {spec.n:,} datasets", flush=True)
    t_register = time.perf_counter() - t0

    t0 = time.perf_counter()
    con = sqlite3.connect(partial, isolation_level=None)
    try:
        con.execute("PRAGMA foreign_keys = ON")
        ids = np.zeros(spec.n, dtype=np.int64)
        for row_id, name in con.execute("SELECT id, name FROM dataset"):
            ids[int(name[3:])] = row_id
        d_ids, s_ids = ids[derived], ids[source]
        order = np.lexsort((s_ids, d_ids))  # primary-key order: appends to the table's B-tree
        con.execute("BEGIN IMMEDIATE")
        con.executemany("INSERT INTO derivation (derived_id, source_id, activity_id, role, seq) VALUES (?, ?, NULL, '', ?)",
                        zip(d_ids[order].tolist(), s_ids[order].tolist(), range(1, len(order) + 1)))
        con.execute("COMMIT")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        links = con.execute("SELECT count(*) FROM derivation").fetchone()[0]
    finally:
        con.close()
    t_links = time.perf_counter() - t0
    if links != len(derived):
        raise SystemExit(f"bench_lineage.py: the fixture holds {links} links, not the {len(derived)} generated")
    for suffix in ("-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    partial.replace(path)
    info = {
        "spec": dataclasses.asdict(spec),
        "datasets": spec.n,
        "raw": int(is_raw.sum()),
        "links": int(links),
        "generate_s": t_generate,
        "register_s": t_register,
        "links_s": t_links,
        "built": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    path.with_suffix(".json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return info


def open_fixture(fixture_dir: Path, spec: GraphSpec, rebuild: bool) -> tuple[Path, dict[str, Any], bool]:
    """The cached fixture for `spec` (built first when missing or when `rebuild`)."""
    import datatrail

    path = fixture_path(fixture_dir, spec, datatrail.Catalog.latest_schema_version())
    sidecar = path.with_suffix(".json")
    if rebuild or not path.is_file() or not sidecar.is_file():
        remove_catalogue(path)
        print(f"building the fixture {path} (not measured)", flush=True)
        info = build_fixture(path, spec)
        print(f"  {info['datasets']:,} datasets registered in {info['register_s']:.0f} s, "
              f"{info['links']:,} links written in {info['links_s']:.0f} s", flush=True)
        return path, info, False
    return path, json.loads(sidecar.read_text(encoding="utf-8")), True


def copy_out(uri: str, query: str) -> list[list[str]]:
    """The rows of `query` on a PostgreSQL database, each a list of text fields (psql's COPY)."""
    text = psql(uri, f"COPY ({query}) TO STDOUT")
    return [line.split("\t") for line in text.split("\n")] if text else []


def build_fixture_postgres(uri: str, spec: GraphSpec, batch: int = 10_000) -> dict[str, Any]:
    """Writes the graph into the empty PostgreSQL database at `uri`, as build_fixture does into a
    file: datasets through Catalog.register_datasets, links straight into the derivation table
    (psql's COPY, one transaction), as the rows add_derivation writes."""
    import datatrail
    import numpy as np

    t0 = time.perf_counter()
    is_raw, derived, source = generate_links(spec)
    t_generate = time.perf_counter() - t0

    t0 = time.perf_counter()
    with datatrail.Catalog(uri) as cat:
        for start in range(0, spec.n, batch):
            stop = min(spec.n, start + batch)
            cat.register_datasets([{"name": f"ds_{i:07d}", "kind": "raw" if is_raw[i] else "processed"}
                                   for i in range(start, stop)])
            if start // batch % 20 == 19:
                print(f"    registered {stop:,} of {spec.n:,} datasets", flush=True)
    t_register = time.perf_counter() - t0

    t0 = time.perf_counter()
    ids = np.zeros(spec.n, dtype=np.int64)
    for row_id, name in copy_out(uri, "SELECT id, name FROM dataset"):
        ids[int(name[3:])] = int(row_id)
    d_ids, s_ids = ids[derived], ids[source]
    order = np.lexsort((s_ids, d_ids))
    # COPY's text format: activity NULL (\N), role empty, seq numbering the links in the order written.
    data = "".join(f"{d}\t{s}\t\\N\t\t{k}\n" for k, (d, s) in
                   enumerate(zip(d_ids[order].tolist(), s_ids[order].tolist()), start=1))
    psql(uri, "COPY derivation (derived_id, source_id, activity_id, role, seq) FROM STDIN", stdin=data)
    psql(uri, "ANALYZE")
    links = int(psql(uri, "SELECT count(*) FROM derivation"))
    t_links = time.perf_counter() - t0
    if links != len(derived):
        raise SystemExit(f"bench_lineage.py: the fixture holds {links} links, not the {len(derived)} generated")
    return {
        "spec": dataclasses.asdict(spec),
        "datasets": spec.n,
        "raw": int(is_raw.sum()),
        "links": links,
        "generate_s": t_generate,
        "register_s": t_register,
        "links_s": t_links,
        "built": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }


class Graph:
    """The fixture's graph as networkx holds it: nodes are PIDs with the dataset's attributes,
    edges point from a source to what was derived from it (the direction data flows)."""

    def __init__(self, location: str) -> None:
        """Reads the graph from the catalogue file at `location`, or from the PostgreSQL database a
        postgresql:// `location` names (with psql, as text)."""
        import networkx as nx

        self.nx = nx
        if location.startswith(("postgresql://", "postgres://")):
            rows: list[Any] = [(int(r[0]), *r[1:]) for r in copy_out(
                location, "SELECT id, pid, name, kind, state, created_at FROM dataset ORDER BY id")]
            links: Any = ((int(d), int(s)) for d, s in copy_out(location, "SELECT derived_id, source_id FROM derivation"))
            self._load(rows, links)
            return
        con = sqlite3.connect(f"file:{location}?mode=ro", uri=True)
        try:
            rows = con.execute("SELECT id, pid, name, kind, state, created_at FROM dataset ORDER BY id").fetchall()
            self._load(rows, con.execute("SELECT derived_id, source_id FROM derivation"))
        finally:
            con.close()

    def _load(self, rows: list[Any], links: Any) -> None:
        nx = self.nx
        self.pid_of: dict[int, str] = {r[0]: r[1] for r in rows}
        self.id_of: dict[str, int] = {r[1]: r[0] for r in rows}
        self.kind_of: dict[str, str] = {r[1]: r[3] for r in rows}
        g = nx.DiGraph()
        g.add_nodes_from((r[1], {"name": r[2], "kind": r[3], "state": r[4], "created_at": r[5]}) for r in rows)
        del rows
        pid = self.pid_of
        g.add_edges_from((pid[s], pid[d]) for d, s in links)
        self.g = g
        # A view, not a copy: its successors are g's predecessors (the same dicts).
        self.views = {"descendants": g, "ancestors": g.reverse(copy=False)}


# ---- lineage measurement -----------------------------------------------------------------------


def pick_starts(graph: Graph, samples: int, seed: int) -> list[str]:
    """`samples` processed datasets from the middle 80% of the catalogue, seeded."""
    import numpy as np

    pids = [p for p in graph.id_of if graph.kind_of[p] == "processed"]
    pids.sort(key=graph.id_of.__getitem__)
    lo, hi = len(pids) // 10, max(len(pids) // 10 + 1, len(pids) * 9 // 10)
    rng = np.random.default_rng(seed)
    chosen = rng.choice(np.arange(lo, hi), size=min(samples, hi - lo), replace=False)
    return [pids[int(i)] for i in chosen]


def lineage_sides(cat: Any, cat_file: Any, graph: Graph, depth: int) -> dict[str, Callable[[str, str], Any]]:
    """Every way the benchmark walks, keyed by name; each takes (direction, start PID). `cat`
    walks its in-memory lineage index, `cat_file` (opened with lineage_index=False) the file."""
    nx = graph.nx

    def dt_graph(direction: str, pid: str) -> Any:
        return getattr(cat, direction)(pid, depth=depth)

    def dt_graph_file(direction: str, pid: str) -> Any:
        return getattr(cat_file, direction)(pid, depth=depth)

    def dt_pids(direction: str, pid: str) -> Any:
        return getattr(cat, direction[:-1] + "_pids")(pid, depth=depth)

    def nx_sssp(direction: str, pid: str) -> Any:
        return nx.single_source_shortest_path_length(graph.views[direction], pid, cutoff=depth)

    def nx_bfs(direction: str, pid: str) -> Any:
        found = {pid: 0}
        for u, v in nx.bfs_edges(graph.views[direction], pid, depth_limit=depth):
            found[v] = found[u] + 1
        return found

    def nx_graph(direction: str, pid: str) -> Any:
        # Twice as fast as graph.g.subgraph(found).copy() plus set_node_attributes, same result.
        found = nx.single_source_shortest_path_length(graph.views[direction], pid, cutoff=depth)
        sub = nx.DiGraph()
        nodes, succ = graph.g.nodes, graph.g.succ
        sub.add_nodes_from((n, {**nodes[n], "depth": d}) for n, d in found.items())
        sub.add_edges_from((u, v) for u in found for v in succ[u] if v in found)
        return sub

    return {"dt_graph": dt_graph, "nx_graph": nx_graph, "dt_pids": dt_pids, "nx_sssp": nx_sssp, "nx_bfs": nx_bfs,
            "dt_graph_file": dt_graph_file}


def check_same(direction: str, start: str, results: dict[str, Any]) -> tuple[int, int]:
    """Fails loudly unless every side found the same datasets at the same depths; returns
    (datasets found, derivation edges among them)."""
    expected: dict[str, int] = dict(results["nx_sssp"])
    found: dict[str, dict[str, int]] = {
        "nx_bfs": dict(results["nx_bfs"]),
        "nx_graph": dict(results["nx_graph"].nodes(data="depth")),
        "dt_pids": {start: 0, **results["dt_pids"]},  # ancestor_pids leaves the start out
        "dt_graph": {n.id: n.depth for n in results["dt_graph"].datasets},
        "dt_graph_file": {n.id: n.depth for n in results["dt_graph_file"].datasets},
    }
    problems = []
    for side, got in found.items():
        if got != expected:
            missing = sorted(set(expected) - set(got))[:5]
            extra = sorted(set(got) - set(expected))[:5]
            depths = sorted(p for p in set(got) & set(expected) if got[p] != expected[p])[:5]
            problems.append(f"{side}: {len(got)} datasets, networkx {len(expected)}; missing {missing}, "
                            f"extra {extra}, other depth {depths}")
    edges = results["nx_graph"].number_of_edges()
    dt_edges = sum(1 for e in results["dt_graph"].edges if e.kind == "wasDerivedFrom")
    if dt_edges != edges:
        problems.append(f"dt_graph: {dt_edges} derivation edges, networkx's subgraph {edges}")
    if results["dt_graph_file"].edges != results["dt_graph"].edges:
        problems.append("dt_graph_file: other edges than dt_graph")
    if problems:
        raise SystemExit(f"bench_lineage.py: {direction} of {start} (depth limit as given) differ:\n  "
                         + "\n  ".join(problems))
    return len(expected), edges


def measure_lineage(cat: Any, cat_file: Any, graph: Graph, starts: list[str], depth: int,
                    repeat: int) -> dict[str, Any]:
    sides = lineage_sides(cat, cat_file, graph, depth)
    names = list(sides)
    # times[direction][side][start index] -> seconds per round
    times: dict[str, dict[str, list[list[float]]]] = {d: {s: [[] for _ in starts] for s in names} for d in DIRECTIONS}
    reached: dict[str, list[int]] = {d: [] for d in DIRECTIONS}
    edges: dict[str, list[int]] = {d: [] for d in DIRECTIONS}
    activities: dict[str, list[int]] = {d: [] for d in DIRECTIONS}

    # One untimed pass: fills the OS page cache and networkx's lazily built views, and checks
    # that every side finds the same datasets before anything is timed.
    for direction in DIRECTIONS:
        for start in starts:
            results = {name: fn(direction, start) for name, fn in sides.items()}
            n, e = check_same(direction, start, results)
            reached[direction].append(n)
            edges[direction].append(e)
            activities[direction].append(len(results["dt_graph"].nodes) - n)
    print(f"  same datasets at the same depths on every side: yes, for all {len(starts)} start datasets "
          f"(ancestors and descendants)", flush=True)

    gc.collect()
    gc.disable()  # as timeit does: a collection inside the clock would charge one side at random
    try:
        for r in range(repeat):
            # Alternate the order every round so neither side always runs on the other's heels.
            order = names if r % 2 == 0 else names[::-1]
            for direction in DIRECTIONS:
                for i, start in enumerate(starts):
                    for name in order:
                        fn = sides[name]
                        t0 = time.perf_counter()
                        result = fn(direction, start)
                        times[direction][name][i].append(time.perf_counter() - t0)
                        del result
                    gc.collect()
            print(f"  round {r + 1} of {repeat} done", flush=True)
    finally:
        gc.enable()

    out: dict[str, Any] = {"reached": reached, "edges": edges, "activities": activities, "sides": {}}
    for direction in DIRECTIONS:
        per_start = {name: [statistics.median(t) for t in times[direction][name]] for name in names}
        out["sides"][direction] = {
            name: {"median": statistics.median(v), "per_start": v} for name, v in per_start.items()
        }
    return out


def lineage_ratios(result: dict[str, Any]) -> dict[str, Any]:
    """networkx time / datatrail time, from the per-call medians, for (a) the graph as the user
    gets it and (b) the walk alone; the per-start extremes show where it is slowest."""
    ratios: dict[str, Any] = {}
    for direction in DIRECTIONS:
        s = result["sides"][direction]
        nx_walk = min(s["nx_sssp"]["median"], s["nx_bfs"]["median"])
        per_start_graph = [n / d for n, d in zip(s["nx_graph"]["per_start"], s["dt_graph"]["per_start"])]
        per_start_walk = [min(a, b) / d for a, b, d in
                          zip(s["nx_sssp"]["per_start"], s["nx_bfs"]["per_start"], s["dt_pids"]["per_start"])]
        ratios[direction] = {
            # (a) Like for like: a ProvGraph against a networkx subgraph with attributes and depths.
            "graph": s["nx_graph"]["median"] / s["dt_graph"]["median"],
            "graph_per_start_min": min(per_start_graph),
            "graph_per_start_max": max(per_start_graph),
            # (b) Like for like: PIDs and depths against networkx's fastest walk.
            "walk": nx_walk / s["dt_pids"]["median"],
            "walk_per_start_min": min(per_start_walk),
            "walk_per_start_max": max(per_start_walk),
            # What the in-memory index gains: the same ProvGraph walking the file.
            "index_gain": s["dt_graph_file"]["median"] / s["dt_graph"]["median"],
            "nx_fastest": "single_source_shortest_path_length"
            if s["nx_sssp"]["median"] <= s["nx_bfs"]["median"] else "bfs_edges",
        }
    return ratios


def resident_bytes() -> int:
    """This process's resident anonymous memory, its heap (Linux; 0 elsewhere). File pages the
    catalogue's memory map brings in are shared with the OS's page cache and not counted."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def measure_first_walk(location: str, start: str, depth: int, repeat: int) -> dict[str, Any]:
    """The first `ancestors` call of a freshly opened catalogue, which loads the lineage index,
    and the second; the same with lineage_index=False. Rounds interleaved; medians."""
    import datatrail

    kinds: dict[str, dict[str, Any]] = {"index": {}, "file": {"lineage_index": False}}
    runs: dict[str, dict[str, list[float]]] = {k: {"first": [], "second": [], "memory": []} for k in kinds}
    for r in range(repeat):
        for kind in (list(kinds) if r % 2 == 0 else list(kinds)[::-1]):
            gc.collect()
            before = resident_bytes()
            with datatrail.Catalog(location, **kinds[kind]) as cat:
                t0 = time.perf_counter()
                cat.ancestors(start, depth=depth)
                t1 = time.perf_counter()
                cat.ancestors(start, depth=depth)
                t2 = time.perf_counter()
                runs[kind]["memory"].append(resident_bytes() - before)
            runs[kind]["first"].append(t1 - t0)
            runs[kind]["second"].append(t2 - t1)
    return {kind: {k: statistics.median(v) for k, v in r.items()} | {"runs": r} for kind, r in runs.items()}


# ---- activity recording ------------------------------------------------------------------------

POOL = 100  # raw datasets the recorded activities use, two per call, round robin
OUTPUT_METADATA = {"npt": 1000}
RECORD_TABLES = ("activity", "used", "dataset", "dataset_metadata", "dataset_text", "generation", "derivation")


def prepare_record_catalogue(path: Path) -> list[str]:
    """A fresh catalogue holding the raw datasets the activities use; returns their PIDs."""
    import datatrail

    remove_catalogue(path)
    with datatrail.Catalog(str(path)) as cat:
        raw = cat.register_datasets([{"name": f"raw_{i:04d}", "kind": "raw"} for i in range(POOL)])
        return [d.pid for d in raw]


def record_datatrail(path: Path, k: int, source_tree: str | None = None) -> float:
    """K activities with 2 inputs and 2 outputs through the context manager; returns seconds.

    With source_tree None the run's source tree is this script's folder, as for any caller:
    in a git work tree, every run records its commit and dirty flag (one git process each)."""
    import datatrail

    pids = prepare_record_catalogue(path)
    with datatrail.Catalog(str(path)) as cat:
        t0 = time.perf_counter()
        for i in range(k):
            inputs = [pids[(2 * i) % POOL], pids[(2 * i + 1) % POOL]]
            with cat.activity("integrate", program="bench", version="1.0", inputs=inputs,
                              source_tree=source_tree) as run:
                run.output(f"out_{i:06d}_a", metadata=OUTPUT_METADATA)
                run.output(f"out_{i:06d}_b", metadata=OUTPUT_METADATA)
        return time.perf_counter() - t0


def row_templates(path: Path) -> dict[str, Any]:
    """The rows datatrail wrote for its first recorded call, as templates for the baseline."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    try:
        activity = dict(con.execute("SELECT * FROM activity ORDER BY id LIMIT 1").fetchone())
        outputs = [dict(r) for r in con.execute(
            "SELECT d.* FROM dataset d JOIN generation g ON g.dataset_id = d.id WHERE g.activity_id = ? ORDER BY d.id",
            (activity["id"],))]
        metadata = [dict(r) for r in con.execute("SELECT * FROM dataset_metadata WHERE dataset_id = ?", (outputs[0]["id"],))]
        key = dict(con.execute("SELECT * FROM metadata_key WHERE id = ?", (metadata[0]["key_id"],)).fetchone()) \
            if metadata else {}
        text = dict(con.execute("SELECT name, description, keywords, metadata FROM dataset_text WHERE rowid = ?",
                                (outputs[0]["id"],)).fetchone())
        used = [dict(r) for r in con.execute("SELECT * FROM used WHERE activity_id = ?", (activity["id"],))]
        generation = dict(con.execute("SELECT * FROM generation WHERE activity_id = ? LIMIT 1", (activity["id"],)).fetchone())
        derivation = dict(con.execute("SELECT * FROM derivation WHERE activity_id = ? LIMIT 1", (activity["id"],)).fetchone())
    finally:
        con.close()
    if len(outputs) != 2 or len(metadata) != 1 or len(used) != 2:
        raise SystemExit(f"bench_lineage.py: expected 2 outputs with 1 metadata value and 2 inputs per call, found "
                         f"{len(outputs)} outputs, {len(metadata)} values, {len(used)} inputs")
    return {"activity": activity, "dataset": outputs[0], "metadata": metadata[0], "key": key, "text": text, "used": used[0],
            "generation": generation, "derivation": derivation}


def _now() -> str:
    # The library's time format: ISO 8601 UTC of fixed width (matched against its rows below).
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record_sqlite(path: Path, k: int, templates: dict[str, Any], prefix: str) -> float:
    """The same rows as record_datatrail, written with sqlite3, one transaction per call."""
    import datatrail

    raw_pids = prepare_record_catalogue(path)
    pids = [datatrail.new_pid(prefix) for _ in range(3 * k)]  # minted outside the clock
    a, ds, md, tx = templates["activity"], templates["dataset"], templates["metadata"], templates["text"]
    a_cols = [c for c in a if c != "id"]
    d_cols = [c for c in ds if c != "id"]
    m_cols = [c for c in md if c != "dataset_id"]
    insert_activity = f"INSERT INTO activity ({', '.join(a_cols)}) VALUES ({', '.join('?' * len(a_cols))})"
    insert_dataset = f"INSERT INTO dataset ({', '.join(d_cols)}) VALUES ({', '.join('?' * len(d_cols))})"
    insert_metadata = (f"INSERT INTO dataset_metadata (dataset_id, {', '.join(m_cols)}) "
                       f"VALUES (?, {', '.join('?' * len(m_cols))})")
    con = library_sqlite(path)
    try:
        raw_ids = [con.execute("SELECT id FROM dataset WHERE pid = ?", (p,)).fetchone()[0] for p in raw_pids]
        # The metadata key, interned as datatrail interns it on first use (outside the clock).
        key = templates["key"]
        con.execute(f"INSERT INTO metadata_key ({', '.join(key)}) VALUES ({', '.join('?' * len(key))})", list(key.values()))
        m_values = [md[c] for c in m_cols]
        u_path, u_role = templates["used"]["path"], templates["used"]["role"]
        g_role, d_role = templates["generation"]["role"], templates["derivation"]["role"]
        t0 = time.perf_counter()
        for i in range(k):
            inputs = (raw_ids[(2 * i) % POOL], raw_ids[(2 * i + 1) % POOL])
            now = _now()
            con.execute("BEGIN IMMEDIATE")
            row = dict(a, pid=pids[3 * i], start_time=now, end_time=now)
            activity = con.execute(insert_activity, [row[c] for c in a_cols]).lastrowid
            for source in inputs:
                con.execute("INSERT INTO used (activity_id, dataset_id, path, role) VALUES (?, ?, ?, ?)",
                            (activity, source, u_path, u_role))
            for j, suffix in enumerate(("a", "b")):
                name = f"out_{i:06d}_{suffix}"
                row = dict(ds, pid=pids[3 * i + 1 + j], name=name, created_at=now,
                           start_time=now if ds["start_time"] else None, end_time=now if ds["end_time"] else None)
                dataset = con.execute(insert_dataset, [row[c] for c in d_cols]).lastrowid
                con.execute(insert_metadata, [dataset, *m_values])
                con.execute("INSERT INTO dataset_text (rowid, name, description, keywords, metadata) VALUES (?, ?, ?, ?, ?)",
                            (dataset, name, tx["description"], tx["keywords"], tx["metadata"]))
                con.execute("INSERT INTO generation (dataset_id, activity_id, role) VALUES (?, ?, ?)",
                            (dataset, activity, g_role))
                for source in inputs:
                    con.execute("INSERT INTO derivation (derived_id, source_id, activity_id, role, seq) "
                                "VALUES (?, ?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM derivation))",
                                (dataset, source, activity, d_role))
            con.execute("COMMIT")
        return time.perf_counter() - t0
    finally:
        con.close()


def recorded_git_commit(path: Path) -> str:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (environment,) = con.execute("SELECT environment FROM activity ORDER BY id LIMIT 1").fetchone()
    finally:
        con.close()
    return str(json.loads(environment).get("git_commit") or "")


def count_rows(path: Path) -> dict[str, int]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in RECORD_TABLES}
    finally:
        con.close()


RECORD_SIDES = {
    "datatrail": "datatrail, as called (source tree: this script's folder, in git)",
    "datatrail_nogit": "datatrail, source_tree outside any git work tree",
    "sqlite": "sqlite3",
}


def measure_recording(k: int, repeat: int, workdir: Path) -> dict[str, Any]:
    rates: dict[str, list[float]] = {side: [] for side in RECORD_SIDES}
    templates: dict[str, Any] | None = None
    nogit = workdir / "no-git"  # a folder that no git work tree holds (unless /tmp is in one)
    nogit.mkdir(exist_ok=True)
    rows: dict[str, dict[str, int]] = {}
    for r in range(repeat):
        # The order is reversed every other round. datatrail runs first in the first round: the
        # baseline copies the rows it wrote.
        order = list(RECORD_SIDES) if r % 2 == 0 else list(RECORD_SIDES)[::-1]
        for side in order:
            path = workdir / f"record-{side}-{r}.sqlite"
            if side == "sqlite":
                assert templates is not None
                prefix = str(templates["activity"]["pid"]).split("/", 1)[0]
                seconds = record_sqlite(path, k, templates, prefix)
            else:
                seconds = record_datatrail(path, k, str(nogit) if side == "datatrail_nogit" else None)
                if templates is None and side == "datatrail":
                    templates = row_templates(path)
                    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z",
                                        str(templates["activity"]["start_time"])):
                        print(f"  note: datatrail writes times as {templates['activity']['start_time']!r}; "
                              f"the baseline writes {_now()!r}", flush=True)
            rates[side].append(k / seconds)
            rows[side] = count_rows(path)
            if side == "datatrail_nogit" and r == 0 and recorded_git_commit(path):
                print(f"  note: {nogit} is inside a git work tree, so the no-git side ran git too", flush=True)
            remove_catalogue(path)
            print(f"  round {r + 1}: {side:16s} {rates[side][-1]:>8.0f} calls/s ({seconds:.3f} s)", flush=True)
        if len({tuple(sorted(v.items())) for v in rows.values()}) != 1:
            raise SystemExit(f"bench_lineage.py: the sides wrote different rows: {rows}")
    expected = {"activity": k, "used": 2 * k, "dataset": POOL + 2 * k, "dataset_metadata": 2 * k,
                "dataset_text": POOL + 2 * k, "generation": 2 * k, "derivation": 4 * k}
    if rows["datatrail"] != expected:
        raise SystemExit(f"bench_lineage.py: datatrail wrote {rows['datatrail']} rows, expected {expected}")
    return {
        "k": k,
        "rates": {side: statistics.median(v) for side, v in rates.items()},
        "runs": rates,
        "datatrail_rate": statistics.median(rates["datatrail"]),
        "sqlite_rate": statistics.median(rates["sqlite"]),
    }


# ---- report ------------------------------------------------------------------------------------




def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f}" if seconds < 0.1 else f"{seconds * 1e3:.0f}"


def fmt_ratio(ratio: float) -> str:
    """Two decimals; far below 1, also how many times slower datatrail is."""
    if ratio >= 0.095:
        return f"{ratio:.2f}"
    return f"{ratio:.4f}: datatrail {1 / ratio:,.0f}× slower"


def verdict(ratio: float, target: float) -> str:
    return "yes" if ratio > target else "no"


def spread(values: list[int]) -> str:
    return f"median {statistics.median(values):,.0f}, {min(values):,} to {max(values):,}"


def docs_section(r: dict[str, Any]) -> str:
    m, spec, info = r["machine"], r["spec"], r["fixture"]
    lin, rat, rec = r["lineage"], r["ratios"], r["recording"]
    rows = []
    for direction in DIRECTIONS:
        s, q = lin["sides"][direction], rat[direction]
        nx_name = "single_source_shortest_path_length" if q["nx_fastest"] == "single_source_shortest_path_length" \
            else "bfs_edges"
        call = f"{direction}(pid, depth={r['depth']})"
        pids_call = f"{direction[:-1]}_pids(pid, depth={r['depth']})"
        rows.append(f"| {direction} | (a) `Catalog.{call}`: a ProvGraph (PIDs, names, attributes, depths, "
                    f"typed edges) | {ms(s['dt_graph']['median'])} | | | |")
        rows.append(f"| | networkx: the walk + a new `DiGraph` of the datasets found (attributes, depth) and the "
                    f"edges among them | {ms(s['nx_graph']['median'])} | **{fmt_ratio(q['graph'])}** | > 1 "
                    f"| {verdict(q['graph'], WALK_TARGET)} |")
        rows.append(f"| | (b) `Catalog.{pids_call}`: a dict PID → depth | {ms(s['dt_pids']['median'])} | | | |")
        rows.append(f"| | networkx `{nx_name}`: the walk alone, a dict node → depth, the fastest networkx way "
                    f"| {ms(min(s['nx_sssp']['median'], s['nx_bfs']['median']))} | **{fmt_ratio(q['walk'])}** "
                    f"| > 1 | {verdict(q['walk'], WALK_TARGET)} |")
        rows.append(f"| | for reference: (a) with `lineage_index=False`, walking the catalogue file "
                    f"| {ms(s['dt_graph_file']['median'])} | the index makes (a) {q['index_gain']:.1f}× faster | | |")
    table = "\n".join(rows)
    reached = "; ".join(f"{d}: {spread(lin['reached'][d])} datasets and {spread(lin['edges'][d])} derivation "
                        f"edges" for d in DIRECTIONS)
    per_start = "; ".join(f"{d} (a) {rat[d]['graph_per_start_min']:.3g} to {rat[d]['graph_per_start_max']:.3g}, "
                          f"(b) {rat[d]['walk_per_start_min']:.3g} to {rat[d]['walk_per_start_max']:.3g}"
                          for d in DIRECTIONS)
    smallest = []
    for d in DIRECTIONS:
        i = min(range(len(lin["reached"][d])), key=lin["reached"][d].__getitem__)
        if lin["reached"][d][i] >= 100:
            continue
        s = lin["sides"][d]
        nx_walk = min(s["nx_sssp"]["per_start"][i], s["nx_bfs"]["per_start"][i])
        smallest.append(f"{d} from a start reaching {lin['reached'][d][i]:,} dataset(s), "
                        f"`{d[:-1]}_pids` took {s['dt_pids']['per_start'][i] * 1e6:.0f} µs against networkx's walk "
                        f"{nx_walk * 1e6:.0f} µs, and the graph {s['dt_graph']['per_start'][i] * 1e6:.0f} µs against "
                        f"{s['nx_graph']['per_start'][i] * 1e6:.0f} µs")
    small_walks = ("The lowest per-start ratios are the smallest walks, where datatrail's fixed cost per call (a "
                   "read transaction, finding the start, the index's snapshot check) outweighs the walk and "
                   "networkx, a dict lookup away, is faster: "
                   + "; ".join(smallest) + "." if smallest else "")
    fw = r["first_walk"]
    first_walk = (f"The first walk of a newly opened catalogue also loads the index: "
                  f"{ms(fw['index']['first'])} ms for the first `ancestors` call (the second: "
                  f"{ms(fw['index']['second'])} ms), and the process's heap (resident anonymous memory) grew by "
                  f"{fw['index']['memory'] / 2**20:.0f} MiB; with `lineage_index=False` the first call takes "
                  f"{ms(fw['file']['first'])} ms and memory grew by {fw['file']['memory'] / 2**20:.0f} MiB "
                  f"(medians of {len(fw['index']['runs']['first'])} openings, interleaved, page cache warm). "
                  f"Later writes, from any process, reach the index as they are: each walk reads only the "
                  f"links and datasets recorded since the last.")
    notes = r.get("notes") or []
    notes_text = ("\n" + "\n".join(f"- {n}" for n in notes) + "\n") if notes else ""
    if r.get("engine") == "postgres":
        table = table.replace("walking the catalogue file", "walking the database")
        return f"""{PG_START_MARKER}
## Lineage on PostgreSQL

<!-- Generated by `bench/bench_lineage.py --engine postgres --write-docs`; edits between the markers are overwritten. -->

The lineage benchmark above, with the catalogue in PostgreSQL. **The graph** is generated as
there, with {info['datasets']:,} datasets and {info['links']:,} derivation links
({info['links'] / info['datasets']:.2f} per dataset; {info['raw']:,} raw), seed {spec['seed']}, far links up to
{spec['far_span']:,} positions back. It is smaller than the SQLite benchmark's graph when the default
size is used ({POSTGRES_DEFAULT_N:,} datasets), because the graph is built anew for every run in a new database (registering {info['datasets']:,} datasets took
{info['register_s']:.0f} s, the links {info['links_s']:.0f} s) and `make bench` has to finish in reasonable time.
Datasets are registered with `Catalog.register_datasets` in batches of 10,000; the links are
written straight into the `derivation` table with psql's `COPY` in one transaction, as the rows
`add_derivation` writes (activity NULL, role empty, `seq` numbering them in the order written).
That is fixture setup, not measured. networkx holds the same graph, read from the same database
(psql's `COPY`): a `DiGraph` of PIDs with each dataset's name, kind, state and creation time.

**The walks.** {r['samples']} start datasets, processed, drawn (seed {r['sample_seed']}) from the middle 80% of
the catalogue; from each, ancestors and descendants to depth {r['depth']}. Reached:
{reached} (the start counted). Every side found exactly the same datasets at the same depths
for every start node, and datatrail's graph held exactly the derivation edges of networkx's
subgraph; the run fails otherwise.

Measured {r['date']} on {m['cpu']} ({m['cores']} cores, {m['memory']}), {m['os']}, load average
{r['load_average']:.1f} when the run started and {r.get('load_average_end', r['load_average']):.1f} when it ended;
PostgreSQL {r['postgres']} (the throwaway test server of `scripts/with-postgres.sh` on the same
machine, reached through a Unix socket), Python {r['python']}, networkx {r['networkx']}, datatrail {r['datatrail']}.

| walk, depth {r['depth']} | what is timed | ms per call (median) | networkx time / datatrail time | target | met |
| --- | --- | ---: | --- | --- | --- |
{table}

- Per call: for each start, the median of {r['repeat']} rounds; the table shows the median over the
  start datasets. Rounds are interleaved (every side once per start, the order reversed every
  round) in one process, after one untimed pass that checked the results; garbage collection
  is off inside the clock. Per start node the ratios ranged {per_start}.
- Each datatrail call runs a read transaction on the server (`REPEATABLE READ`), finds the start
  by PID and asks for links and datasets newer than the index holds: 4 round trips (`BEGIN`,
  that check, the PID, `COMMIT`) before the walk, which runs in the process's in-memory index as
  on SQLite. (a) then reads the found datasets' records from the server. networkx, in the same
  process, pays none of that; where (b) is below 1, that fixed cost is what it lacks.
{"- " + small_walks + chr(10) if small_walks else ""}- {first_walk}
{notes_text}
Reproduce with `make bench`; on its own, `scripts/with-postgres.sh python bench/bench_lineage.py
--engine postgres` (`--n` for another size). Regenerate this section with `--write-docs`.
{PG_END_MARKER}"""
    rec_ratio = rec["datatrail_rate"] / rec["sqlite_rate"]
    fixture_note = (f"The fixture was built in {info['register_s'] + info['links_s']:.0f} s "
                    f"({info['register_s']:.0f} s registering, {info['links_s']:.0f} s writing links) and is cached "
                    f"under `build/bench/`, keyed by its parameters and the schema version.")
    per_run = lambda xs: ", ".join(f"{x:,.0f}" for x in xs)  # noqa: E731
    rec_notes = r.get("recording_notes") or []
    rec_notes_text = "\n".join(f"- {n}" for n in rec_notes) + ("\n" if rec_notes else "")
    return f"""{START_MARKER}
## Lineage and activity recording

<!-- Generated by `bench/bench_lineage.py --write-docs`; edits between the markers are overwritten. -->

**The graph.** {info['datasets']:,} datasets and {info['links']:,} derivation links
({info['links'] / info['datasets']:.2f} per dataset) in one catalogue file, shaped like a facility's
provenance in registration order: {info['raw']:,} raw datasets ({spec['raw_fraction']:.0%}) with no
sources; every other dataset processed, derived from {spec['min_sources']} to {spec['max_sources']}
earlier datasets (uniform). A source lies a geometric number of positions back (mean
{spec['mean_offset']:g}: processing reads what was recorded shortly before); {spec['far_fraction']:.0%}
of the links reach uniformly up to {spec['far_span']:,} positions back instead (calibrations,
references, reprocessing of old data). Seed {spec['seed']}. Datasets are registered with
`Catalog.register_datasets` in batches of 10,000; the links are written straight into the
`derivation` table with Python's `sqlite3` in one transaction, as the rows `add_derivation` writes
(activity NULL, role empty, `seq` numbering them in the order written): `add_derivation` (one transaction and a full-ancestry cycle check per
link) would take hours for millions of links. That is fixture setup, not measured. {fixture_note}
networkx holds the same graph, read from the same file: a `DiGraph` of PIDs with each dataset's
name, kind, state and creation time, edges from source to derived.

**The walks.** {r['samples']} start datasets, processed, drawn (seed {r['sample_seed']}) from the middle 80% of
the catalogue; from each, ancestors and descendants to depth {r['depth']}. Reached:
{reached} (the start counted). Every side found exactly the same datasets at the same depths
for every start node, and datatrail's graph held exactly the derivation edges of networkx's
subgraph; the run fails otherwise.

Measured {r['date']} on {m['cpu']} ({m['cores']} cores, {m['memory']}), {m['os']}, load average
{r['load_average']:.1f} when the run started and {r.get('load_average_end', r['load_average']):.1f} when it ended; SQLite {r['sqlite']}, Python {r['python']}, networkx
{r['networkx']}, datatrail {r['datatrail']}.

| walk, depth {r['depth']} | what is timed | ms per call (median) | networkx time / datatrail time | target | met |
| --- | --- | ---: | --- | --- | --- |
{table}

- Per call: for each start, the median of {r['repeat']} rounds; the table shows the median over the
  start datasets. Rounds are interleaved (every side once per start, the order reversed every
  round) in one process, after one untimed pass that warmed the page cache and checked the
  results; garbage collection is off inside the clock, as `timeit` does.
- The target is read as two like-for-like comparisons, both required: (a) the graph a user gets
  against networkx building the same subgraph, and (b) the walk's answer alone against networkx's
  fastest walk. Per start node the ratios ranged {per_start}.
{"- " + small_walks + chr(10) if small_walks else ""}- {first_walk}
- networkx's walk is the fastest of `nx.single_source_shortest_path_length(G, s, cutoff={r['depth']})`
  and `nx.bfs_edges(G, s, depth_limit={r['depth']})` (both measured); ancestors walk
  `G.reverse(copy=False)`, a view whose successors are G's predecessor dicts.
{notes_text}
**Recording activities from Python.** {rec['k']:,} calls of
`with cat.activity("integrate", program=..., version=..., inputs=[a, b]) as run:` with two
`run.output(name, metadata={{"npt": 1000}})` into a fresh catalogue file holding {POOL} raw inputs.
The baseline writes the same rows with Python's `sqlite3` into another fresh catalogue, one
transaction per call: 1 activity (the column values datatrail wrote, environment snapshot
included), 2 used, 2 datasets with 1 metadata value and a full-text row each, 2 generation,
4 derivation; PIDs minted before the clock starts. Both catalogues are checked to hold the same
number of rows in every one of those tables.

| | calls/s (median) | ratio | target |
| --- | ---: | --- | --- |
| Python `sqlite3`, the same rows (baseline) | {rec['rates']['sqlite']:,.0f} | | |
| datatrail `cat.activity(...)` + 2 × `run.output(...)`, as called (in a git work tree) | {rec['rates']['datatrail']:,.0f} | **{rec_ratio:.2f}** of sqlite3 | none in the design |
| the same with `source_tree=` outside any git work tree | {rec['rates']['datatrail_nogit']:,.0f} | {rec['rates']['datatrail_nogit'] / rec['rates']['sqlite']:.2f} of sqlite3 | |

- Medians of {len(rec['runs']['sqlite'])} runs per side, interleaved (the order reversed every other run).
  Per run: sqlite3 {per_run(rec['runs']['sqlite'])}; datatrail {per_run(rec['runs']['datatrail'])};
  outside git {per_run(rec['runs']['datatrail_nogit'])}.
- A run records its environment; in a git work tree that includes the commit and dirty flag,
  one `git status` process per run.
{rec_notes_text}
Reproduce with `make bench` (it builds the Python package first; on its own,
`python bench/bench_lineage.py --help`; `--rebuild` rebuilds the cached fixture). Regenerate this
section with `python bench/bench_lineage.py --write-docs`.
{END_MARKER}"""


def write_docs(path: Path, section: str) -> None:
    """Writes the section into its place: the SQLite one, or the PostgreSQL one (by its marker)."""
    if section.startswith(PG_START_MARKER):
        write_section(path, PG_START_MARKER, PG_END_MARKER, section)
    else:
        write_section(path, START_MARKER, END_MARKER, section)


def measure_walks(location: str, info: dict[str, Any], args: argparse.Namespace,
                  t0: float) -> tuple[list[str], dict[str, Any], dict[str, Any], dict[str, Any]]:
    """networkx's graph loaded from the catalogue at `location`, then every lineage measurement:
    (starts, lineage, ratios, first walk)."""
    import datatrail

    graph = Graph(location)
    print(f"networkx graph loaded: {graph.g.number_of_nodes():,} nodes, {graph.g.number_of_edges():,} edges; "
          f"setup {time.perf_counter() - t0:.0f} s", flush=True)
    if graph.g.number_of_edges() != info["links"] or graph.g.number_of_nodes() != info["datasets"]:
        raise SystemExit(f"bench_lineage.py: {location} does not hold the graph its sidecar describes; "
                         f"rerun with --rebuild")
    gc.collect()
    gc.freeze()  # the graph's millions of objects stay out of every later collection

    starts = pick_starts(graph, args.samples, args.sample_seed)
    print(f"lineage: ancestors and descendants to depth {args.depth} from {len(starts)} start datasets, "
          f"{args.repeat} interleaved round(s)", flush=True)
    with datatrail.Catalog(location) as cat, datatrail.Catalog(location, lineage_index=False) as cat_file:
        lineage = measure_lineage(cat, cat_file, graph, starts, args.depth, args.repeat)
    ratios = lineage_ratios(lineage)
    print("first walk of a newly opened catalogue (loads the lineage index)", flush=True)
    first_walk = measure_first_walk(location, starts[0], args.depth, args.repeat)
    del graph
    gc.unfreeze()
    gc.collect()
    return starts, lineage, ratios, first_walk


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite",
                        help="sqlite (default): a cached catalogue file; postgres: a new database on the server "
                             "at --uri, built for the run (activity recording is measured on SQLite only)")
    parser.add_argument("--uri", help="PostgreSQL server URI (default: $DATATRAIL_TEST_POSTGRES)")
    parser.add_argument("--n", type=positive_int,
                        help=f"datasets in the graph (default 1000000; {POSTGRES_DEFAULT_N} with --engine postgres)")
    parser.add_argument("--seed", type=int, default=2026, help="the graph's seed (default 2026)")
    parser.add_argument("--depth", type=positive_int, default=10, help="walk depth limit (default 10)")
    parser.add_argument("--samples", type=positive_int, default=20, help="start datasets (default 20)")
    parser.add_argument("--sample-seed", type=int, default=7, help="seed of the start sample (default 7)")
    parser.add_argument("--repeat", type=positive_int, default=3,
                        help="interleaved rounds of lineage calls; medians reported (default 3)")
    parser.add_argument("--activities", type=positive_int, default=2000,
                        help="recorded activities per run (default 2000)")
    parser.add_argument("--record-repeat", type=positive_int, default=3,
                        help="runs per side of the recording benchmark (default 3)")
    parser.add_argument("--fixture-dir", type=Path, default=DEFAULT_FIXTURE_DIR,
                        help=f"where the graph fixture is cached (default {DEFAULT_FIXTURE_DIR.relative_to(REPO)})")
    parser.add_argument("--rebuild", action="store_true", help="build the fixture again even if it is cached")
    parser.add_argument("--json", type=Path, help="also write the result as JSON to this file")
    parser.add_argument("--write-docs", action="store_true", help="rewrite the lineage section of the docs")
    parser.add_argument("--docs", type=Path, default=DEFAULT_DOCS, help="the file --write-docs rewrites")
    parser.add_argument("--from-json", type=Path, metavar="RESULT",
                        help="measure nothing: rewrite the docs section from a result saved with --json")
    args = parser.parse_args(argv)
    if args.from_json:
        write_docs(args.docs, docs_section(json.loads(args.from_json.read_text(encoding="utf-8"))))
        print(f"wrote the lineage section of {args.docs} from {args.from_json}")
        return 0

    import datatrail
    import networkx

    missing = [name for name in ("activity", "ancestors", "descendants", "ancestor_pids", "descendant_pids")
               if not hasattr(datatrail.Catalog, name)]
    if missing:
        raise SystemExit(f"bench_lineage.py: this datatrail has no Catalog.{', Catalog.'.join(missing)}: "
                         f"build the Python package with the provenance bindings (make python)")

    load_average = os.getloadavg()[0]
    n = args.n or (POSTGRES_DEFAULT_N if args.engine == "postgres" else 1_000_000)
    spec = GraphSpec(n=n, seed=args.seed, far_span=min(GraphSpec.far_span, n))
    recording: dict[str, Any] | None = None
    postgres = ""
    if args.engine == "postgres":
        server_uri = postgres_server_uri(args.uri)
        postgres = postgres_version(server_uri)
        with postgres_scratch(server_uri, "lineage") as uri:
            print("building the fixture in a new PostgreSQL database (not measured)", flush=True)
            t0 = time.perf_counter()
            info = build_fixture_postgres(uri, spec)
            print(f"  {info['datasets']:,} datasets registered in {info['register_s']:.0f} s, "
                  f"{info['links']:,} links written in {info['links_s']:.0f} s", flush=True)
            starts, lineage, ratios, first_walk = measure_walks(uri, info, args, t0)
    else:
        t0 = time.perf_counter()
        path, info, cached = open_fixture(args.fixture_dir, spec, args.rebuild)
        print(f"fixture {path.name}: {info['datasets']:,} datasets, {info['links']:,} links"
              f"{' (cached)' if cached else ''}", flush=True)
        starts, lineage, ratios, first_walk = measure_walks(str(path), info, args, t0)
        print(f"recording: {args.activities} activities with 2 inputs and 2 outputs per run, "
              f"{args.record_repeat} run(s) per side", flush=True)
        with tempfile.TemporaryDirectory(prefix="datatrail-bench-lineage-") as tmp:
            recording = measure_recording(args.activities, args.record_repeat, Path(tmp))

    result: dict[str, Any] = {
        "benchmark": "lineage",
        "engine": args.engine,
        "postgres": postgres,
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d"),
        "spec": dataclasses.asdict(spec),
        "fixture": info,
        "depth": args.depth,
        "samples": len(starts),
        "sample_seed": args.sample_seed,
        "repeat": args.repeat,
        "statistic": "median",
        "lineage": lineage,
        "ratios": ratios,
        "first_walk": first_walk,
        "recording": recording,
        "machine": machine(),
        "sqlite": sqlite3.sqlite_version,
        "python": platform.python_version(),
        "networkx": networkx.__version__,
        "datatrail": datatrail.__version__,
        "load_average": load_average,
    }

    result["load_average_end"] = os.getloadavg()[0]
    print(f"median per call over {len(starts)} start datasets, {args.repeat} round(s) each, wall clock:")
    for direction in DIRECTIONS:
        s, q = lineage["sides"][direction], ratios[direction]
        print(f"  {direction}: reached {spread(lineage['reached'][direction])} datasets")
        print(f"  {direction} datatrail graph: {ms(s['dt_graph']['median'])} ms")
        print(f"  {direction} networkx walk + graph: {ms(s['nx_graph']['median'])} ms")
        print(f"  {direction} datatrail PIDs and depths: {ms(s['dt_pids']['median'])} ms")
        print(f"  {direction} networkx walk alone: {ms(min(s['nx_sssp']['median'], s['nx_bfs']['median']))} ms "
              f"({q['nx_fastest']})")
        print(f"  {direction} datatrail graph walking the file (lineage_index=False): "
              f"{ms(s['dt_graph_file']['median'])} ms")
        for key, label in (("graph", "networkx graph/datatrail graph"), ("walk", "networkx walk/datatrail PIDs")):
            print(f"  {direction} ratio {label}: {q[key]:.3f} (target > {WALK_TARGET:g}: "
                  f"{'met' if q[key] > WALK_TARGET else 'not met'}; per start {q[key + '_per_start_min']:.3g} "
                  f"to {q[key + '_per_start_max']:.3g})")
        print(f"  {direction} ratio file walk/index walk: {q['index_gain']:.3f}")
    for kind, label in (("index", "with the lineage index"), ("file", "lineage_index=False")):
        f = first_walk[kind]
        print(f"  first walk {label}: {ms(f['first'])} ms, the second {ms(f['second'])} ms, "
              f"memory {f['memory'] / 2**20:.0f} MiB")
    if recording:
        rr = recording["rates"]
        print(f"  activity recording datatrail rate: {rr['datatrail']:.0f} calls/s")
        print(f"  activity recording datatrail outside git rate: {rr['datatrail_nogit']:.0f} calls/s")
        print(f"  activity recording sqlite3 rate: {rr['sqlite']:.0f} calls/s")
        print(f"  ratio datatrail/sqlite3: {rr['datatrail'] / rr['sqlite']:.3f} "
              f"(outside git {rr['datatrail_nogit'] / rr['sqlite']:.3f})")

    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if args.write_docs:
        write_docs(args.docs, docs_section(result))
        print(f"wrote the lineage section of {args.docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
