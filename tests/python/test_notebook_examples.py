"""The example notebooks run in a real ipykernel (through nbclient) and leave behind in the
catalogue what they promise: a notebook activity each, its cells, the raw files it read linked as
used, and the registered result as generated. Their printed output is not checked."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

import datatrail as dt
from conftest import REPO

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = REPO / "examples" / "notebooks"
KERNEL = "datatrail-test"


@pytest.fixture
def beamline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with the notebooks and their demo helper, and a kernelspec for this
    interpreter in a folder of its own (so the kernel is this venv's Python, whatever kernels the
    machine has)."""
    spec = tmp_path / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "datatrail test",
                "language": "python",
            }
        )
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    # A kernel started with CI's HOME might not write its runtime files elsewhere.
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    work = tmp_path / "work"
    work.mkdir()
    for item in NOTEBOOKS.iterdir():
        if item.suffix in (".ipynb", ".py"):
            shutil.copy(item, work / item.name)
    return work


def execute(folder: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = folder / name
    notebook = nbformat.read(path, as_version=4)
    # The server tells a kernel its notebook through JPY_SESSION_NAME; nbclient has no server.
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    client = nbclient.NotebookClient(notebook, kernel_name=KERNEL, timeout=180, resources={"metadata": {"path": str(folder)}})
    client.execute()


def cells_of(log: str) -> list[str]:
    """The code of each cell in a notebook activity's log."""
    cells: list[list[str]] = []
    for line in log.splitlines():
        if line.startswith("In ["):
            cells.append([])
        elif line.startswith("    ") and cells:
            cells[-1].append(line[4:])
    return ["\n".join(c) for c in cells]


def test_explore_raw_data_records_its_reads(beamline: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    execute(beamline, "explore_raw_data.ipynb", monkeypatch)
    with dt.Catalog(str(beamline / "beamtime.db")) as cat:
        [activity] = cat.find_activities(type="notebook")
        assert activity.name == "explore_raw_saxs"
        assert activity.status == "succeeded"
        assert activity.parameters["notebook.path"] == str(beamline / "explore_raw_data.ipynb")
        # ipykernel puts the server's JPY_SESSION_NAME into the namespace as __session__.
        assert activity.parameters["notebook.source"] == "__session__"
        assert activity.parameters["kernel.name"] == KERNEL
        assert activity.program == "ipykernel"
        assert activity.environment.python_version and activity.environment.packages.get("datatrail")
        cells = cells_of(activity.log)
        assert "%datatrail record beamtime.db" in cells[0]
        assert any("find_datasets" in c for c in cells) and any("h5py.File" in c for c in cells)
        # The cold scans above 12.2 keV: only scan_002 (scan_001 is at 12.0 keV).
        used = {cat.dataset(u.dataset).name: u.file for u in activity.used}
        assert used == {"scan_002": "scan_002.h5"}
        assert activity.generated == []


def test_process_and_register_links_result_to_raw(beamline: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    execute(beamline, "process_and_register.ipynb", monkeypatch)
    with dt.Catalog(str(beamline / "beamtime.db")) as cat:
        [activity] = cat.find_activities(type="notebook")
        assert activity.name == "peak_areas_295K" and activity.status == "succeeded"
        used = sorted(cat.dataset(u.dataset).name for u in activity.used)
        assert used == ["scan_003", "scan_004"]
        [result_pid] = activity.generated
        result = cat.dataset(result_pid)
        assert result.name == "peak_areas_295K" and result.kind == "processed" and result.state == "complete"
        assert [f.path for f in result.files] == ["peak_areas.npy"]
        assert result.files[0].sha256 == dt.sha256_file(beamline / "processed" / "peak_areas.npy")
        assert sorted(d.name for d in cat.raw_sources(result)) == ["scan_003", "scan_004"]
        assert any("np.save" in c for c in cells_of(activity.log))
        assert "processed/peak_areas.npy" in activity.log


def test_both_notebooks_in_one_beamtime(beamline: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("explore_raw_data.ipynb", "process_and_register.ipynb"):
        execute(beamline, name, monkeypatch)
    with dt.Catalog(str(beamline / "beamtime.db")) as cat:
        names = sorted(a.name for a in cat.find_activities(type="notebook"))
        assert names == ["explore_raw_saxs", "peak_areas_295K"]
        assert os.path.exists(beamline / "processed" / "peak_areas.npy")


def test_a_notebook_that_never_stops_is_finished_when_its_kernel_shuts_down(beamline: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nbformat.v4 import new_code_cell, new_notebook

    dt.Catalog(str(beamline / "session.db")).close()
    notebook = new_notebook(cells=[
        new_code_cell("%load_ext datatrail\n%datatrail record session.db --name unfinished"),
        new_code_cell("with open('note.txt', 'w') as f:\n    f.write('left running')"),
    ])
    nbformat.write(notebook, beamline / "unfinished.ipynb")
    execute(beamline, "unfinished.ipynb", monkeypatch)  # nbclient shuts the kernel down at the end
    with dt.Catalog(str(beamline / "session.db")) as cat:
        [activity] = cat.find_activities(type="notebook")
        assert activity.status == "succeeded" and activity.end_time is not None
        assert f"wrote {beamline / 'note.txt'}" in activity.log
        assert f"not registered: {beamline / 'note.txt'}" in activity.log
