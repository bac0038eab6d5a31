"""Merging catalogues by PID: a beamline's catalogue into a facility's."""

from __future__ import annotations

from pathlib import Path

import pytest

import datatrail as dt


def beamline(path: Path) -> dt.Catalog:
    cat = dt.Catalog(path, pid_prefix="id11")
    cat.add_instrument(name="ID11", facility="ESRF", type="beamline")
    cat.add_investigation(name="ma1234", title="Strain in steel", instrument="ID11")
    raw = cat.register_datasets(
        [
            {"name": "scan_001", "investigation": "ma1234", "metadata": {"energy": (12.7, "keV", 0.01), "detector.name": "eiger"}},
            {"name": "dark_001", "metadata": {"exposure": (0.1, "s")}},
        ]
    )
    run = cat.start_activity(
        {
            "name": "integrate",
            "program": "pyFAI",
            "version": "2025.1",
            "parameters": {"npt": 1000},
            "used": [dt.Used(raw[0].pid, "", "input"), dt.Used(raw[1].pid, "", "dark")],
        }
    )
    cat.add_outputs(run, [{"name": "integrated_001", "metadata": {"q_max": (30.0, "nm^-1")}}], role="result")
    cat.finish_activity(run, "succeeded")
    return cat


def records(cat: dt.Catalog) -> tuple:
    return (
        cat.instruments(),
        cat.investigations(),
        cat.samples(),
        cat.agents(),
        cat.find_datasets(),
        cat.find_activities(),
    )


def test_merge_copies_everything_once_and_reports_progress(tmp_path: Path, catalog_path: str | Path) -> None:
    # A beamline's SQLite file into the engine under test, and back into a new SQLite file.
    source = beamline(tmp_path / "beamline.db")
    facility = dt.Catalog(catalog_path, pid_prefix="esrf")
    calls: list[tuple[str, int, int]] = []
    report = facility.merge_from(source, progress=lambda stage, done, total: calls.append((stage, done, total)))
    assert (report.datasets.added, report.datasets.skipped) == (3, 0)
    assert (report.activities.added, report.links.added) == (1, 2)
    assert "datasets" in {stage for stage, _, _ in calls} and all(done <= total for _, done, total in calls)
    assert records(facility) == records(source)
    integrated = facility.find_datasets(name="integrated_001")[0]
    assert facility.ancestors(integrated.pid) == source.ancestors(integrated.pid)
    assert facility.find_datasets(where="energy > 12000 eV")[0].metadata["energy"] == source.find_datasets(name="scan_001")[0].metadata["energy"]

    again = facility.merge_from(source, progress=True)
    assert (again.datasets.added, again.datasets.skipped) == (0, 3)
    assert "MergeReport(schemas=MergeCount(added=0, skipped=0), instruments=MergeCount(added=0, skipped=1)" in repr(again)

    copy = dt.Catalog(tmp_path / "copy.db")
    copy.merge_from(facility)
    assert records(copy) == records(source)
    assert copy.ancestors(integrated.pid) == source.ancestors(integrated.pid)


def test_a_merge_with_differences_raises_conflict_listing_them_and_writes_nothing(
    tmp_path: Path, catalog_path: str | Path
) -> None:
    source = beamline(tmp_path / "beamline.db")
    facility = dt.Catalog(catalog_path)
    facility.merge_from(source)
    scan = source.find_datasets(name="scan_001")[0]
    source.set_metadata(scan.pid, {"detector.name": "pilatus"})
    source.register_dataset(name="new_one")
    with pytest.raises(dt.Conflict) as caught:
        facility.merge_from(source)
    fields = [d.field for d in caught.value.differences]
    assert f"dataset {scan.pid}.metadata.detector.name" in fields
    assert all(isinstance(d, dt.Violation) for d in caught.value.differences)
    assert "nothing was merged" in str(caught.value)
    assert facility.count_datasets(name="new_one") == 0


def test_merge_from_bad_arguments_are_clear(tmp_path: Path, catalog_path: str | Path) -> None:
    facility = dt.Catalog(catalog_path)
    with pytest.raises(TypeError):
        facility.merge_from("beamline.db")  # type: ignore[arg-type]
    with pytest.raises(dt.ValidationError, match="progress"):
        facility.merge_from(dt.Catalog(":memory:"), progress=42)  # type: ignore[arg-type]

    def broken(stage: str, done: int, total: int) -> None:
        raise RuntimeError("stop")

    source = beamline(tmp_path / "beamline.db")
    with pytest.raises(RuntimeError, match="stop"):
        facility.merge_from(source, progress=broken)
    assert facility.count_datasets() == 0  # the callback's error rolled the merge back
