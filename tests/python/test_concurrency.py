"""Threads sharing a Catalog, processes sharing a file, and the GIL released around storage."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from pathlib import Path

import pytest

import datatrail as dt
from conftest import Blocker


def test_threads_share_a_catalog(catalog: dt.Catalog) -> None:
    errors: list[BaseException] = []

    def writer(w: int) -> None:
        try:
            for i in range(25):
                catalog.register_dataset(f"w{w}_{i}", metadata={"writer": w, "energy": (10 + i, "keV")})
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    def reader() -> None:
        try:
            for _ in range(20):
                for ds in catalog.find_datasets(where="energy >= 10 keV"):
                    assert set(ds.metadata) == {"writer", "energy"}
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)] + [threading.Thread(target=reader)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert catalog.count_datasets() == 100


def _register_in_another_process(path: str, n: int) -> None:
    with dt.Catalog(path) as cat:
        for i in range(n):
            cat.register_dataset(f"child_{i}", metadata={"energy": (12.0, "keV")})


def test_two_processes_write_one_file(catalog_path: Path) -> None:
    dt.Catalog(catalog_path).close()
    context = multiprocessing.get_context("spawn")
    child = context.Process(target=_register_in_another_process, args=(str(catalog_path), 50))
    child.start()
    with dt.Catalog(catalog_path) as cat:
        for i in range(50):
            cat.register_dataset(f"parent_{i}", metadata={"energy": (12000.0, "eV")})
        child.join(timeout=120)
        assert child.exitcode == 0
        assert cat.count_datasets(where="energy = 12 keV") == 100


def test_the_gil_is_released_while_a_write_waits_for_the_lock(engine: str, catalog_path: Path) -> None:
    """Another connection holds the write lock; a datatrail write waits for it. If the GIL were
    held during the wait, this thread could not release the lock and the write would time out."""
    with dt.Catalog(catalog_path, busy_timeout=20.0) as cat:
        blocker = Blocker(engine, catalog_path)
        started = threading.Event()
        result: dict[str, object] = {}

        def write() -> None:
            started.set()
            try:
                result["pid"] = cat.register_dataset("waited").pid
            except BaseException as e:  # noqa: BLE001
                result["error"] = e

        thread = threading.Thread(target=write)
        thread.start()
        started.wait()
        # Python code runs here while the other thread is inside the catalogue call.
        progressed = 0
        while thread.is_alive() and progressed < 200_000:
            progressed += 1
        assert thread.is_alive(), "the write finished while the lock was held"
        blocker.release()
        thread.join(timeout=30)
        assert "error" not in result, result.get("error")
        assert progressed == 200_000
        assert cat.dataset(str(result["pid"])).name == "waited"


def test_a_write_that_stays_locked_is_a_storage_error(engine: str, catalog_path: Path) -> None:
    with dt.Catalog(catalog_path, busy_timeout=0.2) as cat:
        blocker = Blocker(engine, catalog_path)
        try:
            # SQLite: "database is locked"; PostgreSQL: "canceling statement due to lock timeout".
            with pytest.raises(dt.StorageError, match="locked|lock timeout"):
                cat.register_dataset("never")
        finally:
            blocker.release(commit=False)
        assert cat.count_datasets() == 0
