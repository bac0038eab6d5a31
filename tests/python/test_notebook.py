"""Notebook recording in an in-process IPython shell: the %datatrail magic, the cell hooks, file
capture through open, numpy, h5py and the NeXus API, and bad input. Real files, real catalogues;
the kernel-level run of the example notebooks is in test_notebook_examples.py."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import datatrail as dt
from datatrail.jupyter import _capture

IPython = pytest.importorskip("IPython")
from IPython.core.error import UsageError  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402


@pytest.fixture
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An IPython shell in a fresh working folder, the extension loaded; unloaded afterwards."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    ip = InteractiveShell.instance()
    ip.user_ns.pop("__session__", None)
    run(ip, "%load_ext datatrail")
    yield ip
    ip.run_line_magic("unload_ext", "datatrail")
    assert dt.jupyter.current() is None and not _capture.recording()


def run(ip: Any, code: str) -> Any:
    return ip.run_cell(textwrap.dedent(code), store_history=True)


@pytest.fixture
def beamtime(tmp_path: Path) -> Path:
    """A catalogue with one raw dataset, its file beside it."""
    raw = tmp_path / "raw"
    raw.mkdir()
    np.save(raw / "scan_001.npy", np.arange(100.0))
    (raw / "notes.txt").write_text("sample A, 100 K\n")
    with dt.Catalog(str(tmp_path / "beamtime.db")) as cat:
        cat.register_dataset("scan_001", location=str(raw), files=["scan_001.npy", "notes.txt"], describe_files=True)
    return tmp_path / "beamtime.db"


def notebook_activity(path: Path) -> dt.Activity:
    with dt.Catalog(str(path)) as cat:
        [activity] = cat.find_activities(type="notebook")
        return activity


def used_files(path: Path) -> dict[str, str]:
    with dt.Catalog(str(path)) as cat:
        return {u.file: cat.dataset(u.dataset).name for u in notebook_activity(path).used}


def entries(log: str) -> list[tuple[str, str, list[str]]]:
    """Each cell of the log: its header, its code, its file lines."""
    out: list[tuple[str, str, list[str]]] = []
    for line in log.splitlines():
        if line.startswith("In [") or not line.startswith(" "):
            out.append((line, "", []))
        elif line.startswith("    ") and out:
            head, code, files = out[-1]
            out[-1] = (head, code + line[4:] + "\n", files)
        elif line.startswith("  ") and out:
            out[-1][2].append(line.strip())
    return out


# --- the session --------------------------------------------------------------------------------


def test_record_and_stop_make_one_notebook_activity_with_its_cells(shell: Any, beamtime: Path) -> None:
    assert run(shell, f"%datatrail record {beamtime} --name first_look").success
    session = dt.jupyter.current()
    assert session is not None and session.run.running
    run(shell, "x = 1 + 1")
    failed = run(shell, "y = 1 / 0")
    assert isinstance(failed.error_in_exec, ZeroDivisionError)  # the user's error, untouched
    run(shell, "def f():\n    return x\nz = f()")
    assert run(shell, "%datatrail stop").success
    assert dt.jupyter.current() is None

    activity = notebook_activity(beamtime)
    assert activity.type == "notebook" and activity.name == "first_look"
    assert activity.status == "succeeded" and activity.end_time is not None
    assert activity.program == "IPython" and activity.version == IPython.__version__
    assert activity.parameters["notebook.source"] == "process"
    assert activity.parameters["kernel.python"] == sys.executable
    assert activity.environment.python_version and "numpy" in activity.environment.packages
    cells = entries(activity.log)
    assert [c[1] for c in cells] == [f"%datatrail record {beamtime} --name first_look\n", "x = 1 + 1\n", "y = 1 / 0\n", "def f():\n    return x\nz = f()\n"]
    assert cells[1][0].startswith("In [") and ": ok," in cells[1][0]
    assert "failed (ZeroDivisionError: division by zero)" in cells[2][0]
    numbers = [int(c[0][4 : c[0].index("]")]) for c in cells]
    assert numbers == sorted(numbers) and len(set(numbers)) == 4


def test_notebook_path_from_the_session_name(shell: Any, beamtime: Path, tmp_path: Path) -> None:
    notebook = tmp_path / "analysis.ipynb"
    notebook.write_text("{}")
    shell.user_ns["__session__"] = str(notebook)
    run(shell, f"%datatrail record {beamtime}")
    run(shell, "%datatrail stop")
    activity = notebook_activity(beamtime)
    assert activity.name == "analysis"  # the notebook's name when no --name
    assert activity.parameters["notebook.path"] == str(notebook)
    assert activity.parameters["notebook.source"] == "__session__"
    assert activity.command_line == str(notebook)


def test_python_api_records_and_registers(shell: Any, beamtime: Path) -> None:
    session = dt.jupyter.record(str(beamtime), name="from_python")
    run(shell, "import numpy as np\nnp.save('mean.npy', np.load('raw/scan_001.npy').mean(keepdims=True))")
    ds = dt.jupyter.output("mean.npy", metadata={"mean.points": 100})
    assert ds.name == "mean" and ds.kind == "processed"
    finished = dt.jupyter.stop()
    assert finished is session
    with dt.Catalog(str(beamtime)) as cat:
        activity = notebook_activity(beamtime)
        assert activity.generated == [ds.pid]
        stored = cat.dataset(ds.pid)
        assert stored.state == "complete" and stored.metadata["mean.points"] == 100
        assert [d.name for d in cat.raw_sources(stored)] == ["scan_001"]


# --- file capture -------------------------------------------------------------------------------


def test_open_and_numpy_reads_link_to_datasets_and_writes_are_listed(shell: Any, beamtime: Path, tmp_path: Path) -> None:
    run(shell, f"%datatrail record {beamtime}")
    run(
        shell,
        """
        import numpy as np
        with open('raw/notes.txt') as f:
            notes = f.read()
        data = np.load('raw/scan_001.npy')
        np.savetxt('profile.txt', data[:10])
        back = np.loadtxt('profile.txt')
        m = np.memmap('scratch.dat', mode='w+', dtype='f8', shape=(4,))
        m[:] = 1.0
        m.flush()
        del m
        """,
    )
    run(shell, "%datatrail stop")
    assert used_files(beamtime) == {"notes.txt": "scan_001", "scan_001.npy": "scan_001"}
    log = notebook_activity(beamtime).log
    [cell] = [c for c in entries(log) if "savetxt" in c[1]]
    files = "\n".join(cell[2])
    assert f"read {tmp_path / 'raw' / 'notes.txt'} -> " in files
    assert f"wrote {tmp_path / 'profile.txt'} (not in the catalogue" in files
    # Read back after being written in the same cell: the notebook's own output, not an input.
    assert f"read {tmp_path / 'profile.txt'}" not in files
    assert f"wrote {tmp_path / 'scratch.dat'}" in files
    # Listed once more when the session ends, as written and never registered.
    assert "written and not registered as outputs (2):" in log


def test_a_copy_elsewhere_links_by_checksum_and_a_changed_file_does_not(shell: Any, beamtime: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy_of_scan.npy"
    copy.write_bytes((tmp_path / "raw" / "scan_001.npy").read_bytes())
    (tmp_path / "raw" / "notes.txt").write_text("edited after registration\n")
    run(shell, f"%datatrail record {beamtime}")
    run(shell, "import numpy as np\na = np.load('copy_of_scan.npy')\nb = open('raw/notes.txt').read()")
    run(shell, "%datatrail stop")
    assert used_files(beamtime) == {"scan_001.npy": "scan_001"}
    assert f"read {tmp_path / 'raw' / 'notes.txt'} (not in the catalogue" in notebook_activity(beamtime).log


def test_interpreter_packages_caches_and_the_catalogue_are_not_recorded(shell: Any, beamtime: Path) -> None:
    run(shell, f"%datatrail record {beamtime}")
    run(
        shell,
        """
        import json, os
        json.__file__ and open(json.__file__).read()
        open(np.__file__ if 'np' in dir() else os.__file__).read()
        import datatrail as dt
        with dt.Catalog('beamtime.db') as c:
            n = c.count_datasets()
        open('beamtime.db', 'rb').read(16)
        """,
    )
    run(shell, "%datatrail stop")
    activity = notebook_activity(beamtime)
    [cell] = [c for c in entries(activity.log) if "json" in c[1]]
    assert cell[2] == []
    assert activity.used == []


def test_h5py_files_are_seen(shell: Any, beamtime: Path, tmp_path: Path) -> None:
    h5py = pytest.importorskip("h5py")
    with h5py.File(tmp_path / "raw" / "scan_002.h5", "w") as f:
        f["data"] = np.ones(8)
    with dt.Catalog(str(beamtime)) as cat:
        cat.register_dataset("scan_002", location=str(tmp_path / "raw"), files=["scan_002.h5"], describe_files=True)
    run(shell, f"%datatrail record {beamtime}")
    run(shell, "import h5py\nwith h5py.File('raw/scan_002.h5', 'r') as f:\n    total = f['data'][()].sum()\n"
               "with h5py.File('sum.h5', 'w') as f:\n    f['total'] = total")
    run(shell, "%datatrail output sum.h5 --name scan_002_sum")
    run(shell, "%datatrail stop")
    assert used_files(beamtime) == {"scan_002.h5": "scan_002"}
    with dt.Catalog(str(beamtime)) as cat:
        [pid] = notebook_activity(beamtime).generated
        assert cat.dataset(pid).name == "scan_002_sum"
        assert [d.name for d in cat.raw_sources(pid)] == ["scan_002"]


def test_h5py_imported_after_the_extension_is_seen(tmp_path: Path) -> None:
    """In a fresh interpreter, so that h5py is not yet imported when the extension loads; the
    cell that imports h5py opens a file at once."""
    pytest.importorskip("h5py")
    script = textwrap.dedent(
        f"""
        import os, sys
        import numpy as np
        import datatrail as dt
        from IPython.core.interactiveshell import InteractiveShell
        os.chdir({str(tmp_path)!r})
        assert "h5py" not in sys.modules
        dt.Catalog("b.db").close()
        ip = InteractiveShell.instance()
        ip.run_cell("%load_ext datatrail", store_history=True)
        ip.run_cell("%datatrail record b.db", store_history=True)
        ip.run_cell("import h5py\\nwith h5py.File('late.h5', 'w') as f:\\n    f['x'] = 1", store_history=True)
        ip.run_cell("%datatrail stop", store_history=True)
        [a] = dt.Catalog("b.db").find_activities(type="notebook")
        print(a.log)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {tmp_path / 'late.h5'} (not in the catalogue" in proc.stdout


def test_nexus_api_files_are_seen(shell: Any, beamtime: Path, tmp_path: Path) -> None:
    with dt.Catalog(str(beamtime)) as cat:
        raw = cat.register_dataset("scan_003", location=str(tmp_path), metadata={"energy": (12.0, "keV")})
        dt.nexus.write_raw_file(tmp_path / "scan_003.nxs", cat, raw, np.arange(16.0).reshape(4, 4))
        cat.add_files(raw, ["scan_003.nxs"], describe_files=True)
    run(shell, f"%datatrail record {beamtime}")
    run(shell, "import datatrail as dt\nimport numpy as np\nsignal, axes = dt.nexus.read_data('scan_003.nxs')")
    run(
        shell,
        """
        with dt.Catalog('beamtime.db') as c:
            dt.nexus.write_raw_file('scan_004.nxs', c, c.register_dataset('scan_004', location='.'), signal)
            streamed = c.register_dataset('scan_005', location='.', state='acquiring')
            with dt.nexus.FrameStack('scan_005.nxs', c, streamed, dtype='uint16', frame_shape=[4, 4]) as stack:
                stack.append(np.zeros((2, 4, 4), 'uint16'))
        entry = dt.nexus.read_file('scan_003.nxs')
        """,
    )
    run(shell, "%datatrail stop")
    assert used_files(beamtime) == {"scan_003.nxs": "scan_003"}
    log = notebook_activity(beamtime).log
    assert f"wrote {tmp_path / 'scan_004.nxs'} (not in the catalogue" in log
    assert log.count(f"read {tmp_path / 'scan_003.nxs'} -> ") == 2
    assert f"wrote {tmp_path / 'scan_005.nxs'}" in log


def test_hashing_is_memoised_on_the_file_identity(shell: Any, beamtime: Path) -> None:
    run(shell, f"%datatrail record {beamtime}")
    session = dt.jupyter.current()
    assert session is not None
    for _ in range(3):
        run(shell, "import numpy as np\nd = np.load('raw/scan_001.npy')")
    session.flush()
    assert len(session._hashes) == 1
    run(shell, "np.save('raw/scan_001.npy', d + 1)\nd = np.load('raw/scan_001.npy')")
    run(shell, "%datatrail stop")
    assert len(session._hashes) == 2  # the new content is a new identity


def test_nothing_is_captured_when_not_recording(shell: Any, beamtime: Path) -> None:
    assert not _capture.recording()
    run(shell, "open('raw/notes.txt').read()")
    run(shell, f"%datatrail record {beamtime}")
    assert _capture.recording()
    run(shell, "%datatrail stop")
    assert not _capture.recording()
    run(shell, "open('raw/notes.txt').read()")
    assert notebook_activity(beamtime).used == []


def test_a_recording_failure_never_reaches_the_cell(shell: Any, beamtime: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(shell, f"%datatrail record {beamtime}")
    session = dt.jupyter.current()
    assert session is not None
    session.flush()
    session.catalog.close()  # the catalogue goes away under the session
    result = run(shell, "v = 41 + 1")
    session.flush()
    result2 = run(shell, "w = v")
    assert result.success and result2.success and shell.user_ns["w"] == 42
    assert "datatrail could not record cell" in capsys.readouterr().err
    with pytest.raises(dt.Error):  # stopping cannot write either, and says so; the session ends
        dt.jupyter.stop()
    assert dt.jupyter.current() is None


# --- bad input ----------------------------------------------------------------------------------


def magic_error(shell: Any, line: str) -> str:
    result = run(shell, line)
    assert isinstance(result.error_in_exec, UsageError), result.error_in_exec
    return str(result.error_in_exec)


def activity_count(path: Path) -> int:
    with dt.Catalog(str(path)) as cat:
        return len(cat.find_activities())


def test_bad_input_gets_one_clear_line_and_writes_nothing(shell: Any, beamtime: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "needs exactly one catalogue" in magic_error(shell, "%datatrail record")
    assert "needs exactly one catalogue" in magic_error(shell, "%datatrail record a.db b.db")
    message = magic_error(shell, "%datatrail record missing.db")
    assert "catalogue = 'missing.db': no such catalogue file" in message
    assert not (tmp_path / "missing.db").exists()
    assert "unknown option '--nmae'" in magic_error(shell, f"%datatrail record {beamtime} --nmae x")
    assert "not recording" in magic_error(shell, "%datatrail stop")
    assert "not recording" in magic_error(shell, "%datatrail output raw/notes.txt")
    assert "unknown command 'recrod'" in magic_error(shell, f"%datatrail recrod {beamtime}")
    assert "usage: %datatrail record" in magic_error(shell, "%datatrail")
    (tmp_path / "not_a_catalogue.db").write_text("just text")
    assert "cannot be opened" in magic_error(shell, "%datatrail record not_a_catalogue.db")
    assert activity_count(beamtime) == 0

    run(shell, f"%datatrail record {beamtime} --name once")
    assert "already recording notebook activity" in magic_error(shell, f"%datatrail record {beamtime}")
    assert "--name needs a value" in magic_error(shell, "%datatrail output raw/notes.txt --name")
    message = magic_error(shell, "%datatrail output nope.npy raw/notes.txt")
    assert "paths[0] = 'nope.npy': must be an existing file" in message
    assert "takes no arguments" in magic_error(shell, "%datatrail stop now")
    run(shell, "%datatrail stop")
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert activity_count(beamtime) == 1
    activity = notebook_activity(beamtime)
    assert activity.generated == [] and activity.name == "once"


def test_python_api_bad_input(shell: Any, beamtime: Path) -> None:
    with pytest.raises(dt.Error, match="not recording"):
        dt.jupyter.output("raw/notes.txt")
    with pytest.raises(dt.Error, match="not recording"):
        dt.jupyter.stop()
    with pytest.raises(dt.Error, match="name = '': must be a non-empty string"):
        dt.jupyter.record(str(beamtime), name="")
    dt.jupyter.record(str(beamtime))
    with pytest.raises(dt.ValidationError) as caught:
        dt.jupyter.output("nope.npy")
    assert [(v.field, v.value, v.rule) for v in caught.value.violations] == [("paths[0]", "nope.npy", "must be an existing file")]
    with pytest.raises(dt.ValidationError, match="must name at least one file"):
        dt.jupyter.output()
    dt.jupyter.stop()
    assert notebook_activity(beamtime).generated == []


def test_record_needs_the_extension(beamtime: Path) -> None:
    assert dt.jupyter._shell is None  # every test's shell unloads the extension
    with pytest.raises(dt.Error, match="%load_ext datatrail"):
        dt.jupyter.record(str(beamtime))
    assert activity_count(beamtime) == 0


def test_unloading_restores_the_wrapped_functions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    h5py = pytest.importorskip("h5py")
    import h5py._hl.files as h5files

    monkeypatch.chdir(tmp_path)
    originals = (dt.nexus.read_file, dt.nexus.FrameStack.__init__, h5files.make_fid)
    ip = InteractiveShell.instance()
    run(ip, "%load_ext datatrail")
    assert dt.nexus.read_file is not originals[0] and h5files.make_fid is not originals[2]
    assert dt.nexus.read_file.__doc__ == originals[0].__doc__
    with pytest.raises(TypeError):  # the library's own argument check, through the wrapper
        dt.nexus.read_file()
    run(ip, "%unload_ext datatrail")
    assert (dt.nexus.read_file, dt.nexus.FrameStack.__init__, h5files.make_fid) == originals
    assert h5py.File is not None


def test_reading_back_an_output_is_not_an_input(shell: Any, beamtime: Path, tmp_path: Path) -> None:
    run(shell, f"%datatrail record {beamtime}")
    run(shell, "import numpy as np\nnp.save('twice.npy', np.load('raw/scan_001.npy') * 2)")
    run(shell, "%datatrail output twice.npy")
    run(shell, "again = np.load('twice.npy')")
    run(shell, "%datatrail stop")
    activity = notebook_activity(beamtime)
    assert used_files(beamtime) == {"scan_001.npy": "scan_001"}
    [pid] = activity.generated
    assert f"read {tmp_path / 'twice.npy'} (an output of this notebook: {pid})" in activity.log


def test_matching_looks_files_up_without_reading_every_dataset(
    shell: Any, beamtime: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file's dataset is one of many, and a file added to a dataset after the session started
    is matched too: each read is one indexed look-up, never a scan of every dataset's files."""
    with dt.Catalog(str(beamtime)) as cat:
        cat.register_datasets(
            [{"name": f"other_{i}", "location": str(tmp_path / f"run{i}"), "files": ["scan_001.npy"]} for i in range(200)]
        )
    full_scans: list[int] = []
    find_datasets = dt.Catalog.find_datasets

    def spy(self: dt.Catalog, *args: Any, **kwargs: Any) -> Any:
        if not args and not kwargs:
            full_scans.append(1)
        return find_datasets(self, *args, **kwargs)

    monkeypatch.setattr(dt.Catalog, "find_datasets", spy)
    run(shell, f"%datatrail record {beamtime}")
    run(shell, "import numpy as np\na = np.load('raw/scan_001.npy')")
    late = tmp_path / "raw" / "late.txt"
    late.write_text("added while the notebook ran\n")
    with dt.Catalog(str(beamtime)) as cat:
        [scan] = cat.find_datasets(name="scan_001")
        cat.add_files(scan.pid, ["late.txt"], describe_files=True)
    run(shell, "b = open('raw/late.txt').read()")
    run(shell, "%datatrail stop")
    assert used_files(beamtime) == {"scan_001.npy": "scan_001", "late.txt": "scan_001"}
    assert full_scans == []
