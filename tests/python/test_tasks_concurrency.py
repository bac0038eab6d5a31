"""Tasks in 8 processes record into one catalogue at once, on both engines: every task is
recorded, none is lost, and no lock error reaches the caller."""

from __future__ import annotations

import multiprocessing
import traceback
from pathlib import Path
from typing import Any

import numpy as np

import datatrail as dt

PROCESSES = 8
TASKS = 12  # per process: half shared by every process (same key), half its own


@dt.task(program="concurrent", version="1", inputs=["src"])
def work(src: str, out: str, n: int, owner: int) -> dict[str, Any]:
    target = Path(out) / f"{Path(src).stem}_{n}_{owner}.npy"
    np.save(target, np.load(src) + n)
    return {"name": target.stem, "files": [str(target)], "metadata": {"n": n}}


def worker(location: str, folder: str, me: int, start: Any, results: Any) -> None:
    try:
        start.wait(60)
        ran = hits = 0
        with dt.Catalog(location) as cat, dt.workflow(cat, f"process {me}"):
            for i in range(TASKS):
                shared = i % 2 == 0
                # A shared call has the same parameters in every process; owner tells them apart otherwise.
                result = work(str(Path(folder) / "in.npy"), folder, n=i, owner=-1 if shared else me)
                hits += result.cache_hit
                ran += not result.cache_hit
        results.put((me, ran, hits, ""))
    except BaseException:  # noqa: BLE001 - reported to the test
        results.put((me, 0, 0, traceback.format_exc()))


def test_eight_processes_record_tasks_into_one_catalogue(catalog_path: Any, tmp_path: Path) -> None:
    dt.Catalog(catalog_path).close()
    np.save(tmp_path / "in.npy", np.arange(4))
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    results = context.Queue()
    children = [context.Process(target=worker, args=(str(catalog_path), str(tmp_path), me, start, results))
                for me in range(PROCESSES)]
    for child in children:
        child.start()
    start.set()
    reports = [results.get(timeout=300) for _ in children]
    for child in children:
        child.join(timeout=60)
    errors = [r[3] for r in reports if r[3]]
    assert errors == [], "\n".join(errors)
    assert [c.exitcode for c in children] == [0] * PROCESSES

    ran = sum(r[1] for r in reports)
    hits = sum(r[2] for r in reports)
    assert ran + hits == PROCESSES * TASKS
    # Every process's own tasks ran; a shared call ran at least once (two processes may both
    # miss at the same moment and both run it).
    assert ran >= PROCESSES * TASKS // 2 + TASKS // 2
    with dt.Catalog(catalog_path) as cat:
        workflows = cat.find_activities(type="workflow")
        assert len(workflows) == PROCESSES and {w.status for w in workflows} == {"succeeded"}
        tasks = cat.find_activities(type="processing")
        assert len(tasks) == PROCESSES * TASKS and {t.status for t in tasks} == {"succeeded"}
        assert sum(1 for t in tasks if t.parameters.get("task.cache_hit")) == hits
        assert cat.count_datasets() == ran
        # Every hit points at a run that made outputs.
        made = {t.pid for t in tasks if not t.parameters.get("task.cache_hit")}
        assert all(t.informed_by[0] in made for t in tasks if t.parameters.get("task.cache_hit"))
