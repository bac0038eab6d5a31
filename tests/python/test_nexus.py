"""NeXus files written by datatrail, read back by h5py (the PyPI wheel, with its own HDF5) and
checked by nexusformat's validator, in the same process as the extension (which links the
system's libhdf5)."""

from __future__ import annotations

import datetime as dtm
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest

import datatrail as dt
from nexus_helpers import default_signal, nexus_check

SCHEMA = """
name: beam
version: "1.0"
strict: false
fields:
  beam.wavelength:
    type: float
    unit: angstrom
    nexus_path: /entry/instrument/beam/incident_wavelength
  detector.distance:
    type: float
    unit: mm
    nexus_path: /entry/instrument/detector/distance
  sample.temperature:
    type: float
    unit: K
    nexus_path: /entry/sample/temperature
"""

START = dtm.datetime(2026, 3, 1, 10, 0, tzinfo=dtm.timezone.utc)


@pytest.fixture
def beamtime(catalog: dt.Catalog) -> dt.Catalog:
    catalog.add_instrument("P11", facility="PETRA III", type="beamline")
    catalog.add_investigation(
        "11019362",
        title="Lysozyme",
        instrument="P11",
        participants=[{"name": "Ada Lovelace", "role": "PI", "orcid": "0000-0002-1825-0097"}, {"name": "Grace Hopper"}],
    )
    catalog.add_sample("lyso-3", formula="C613H959N193O185S10")
    catalog.add_schema(dt.parse_schema(SCHEMA, "beam.yaml"))
    return catalog


@pytest.fixture
def scan(beamtime: dt.Catalog) -> dt.Dataset:
    return beamtime.register_dataset(
        "scan_001",
        investigation="11019362",
        instrument="P11",
        sample="lyso-3",
        schema="beam",
        start_time=START,
        end_time=START + dtm.timedelta(minutes=5),
        metadata={
            "beam.wavelength": (1.0332, "angstrom"),
            "detector.distance": (25.0, "cm"),
            "sample.temperature": (100.0, "K"),
            "detector.name": "Eiger2 16M",
            "ring.current": (98.5, "mA"),
            "exposures": 2,
        },
    )


def frames() -> np.ndarray:
    return (np.arange(2 * 3 * 4, dtype=np.uint16) * 3).reshape(2, 3, 4)



def check_file(path: Path) -> None:
    """What every file datatrail writes must satisfy."""
    assert nexus_check(path) == (0, 0)
    with h5py.File(path, "r") as f:
        default_signal(f)

        def visit(name: str, obj: Any) -> None:
            if isinstance(obj, h5py.Group):
                assert isinstance(obj.attrs["NX_class"], str), name
            for key, value in obj.attrs.items():
                if isinstance(value, (bytes, np.bytes_)):
                    raise AssertionError(f"{name}@{key} reads as bytes, not str")
            if isinstance(obj, h5py.Dataset):
                info = h5py.check_string_dtype(obj.dtype)
                if info is not None:
                    assert info.encoding == "utf-8" and info.length is None, name
                    value = obj.asstr()[()]
                    assert isinstance(value if obj.shape == () else value[0], str), name
                elif obj.dtype.kind == "f":
                    assert obj.attrs.get("units"), f"{name} is a quantity without @units"

        f.visititems(visit)


def test_a_raw_file_reads_back_in_h5py_and_is_valid_nexus(beamtime: dt.Catalog, scan: dt.Dataset, tmp_path: Path) -> None:
    path = tmp_path / "scan_001.nxs"
    angle = np.array([0.0, 0.25])
    dt.nexus.write_raw_file(path, beamtime, scan, frames(), axes={"omega": (angle, "deg")}, units="counts", long_name="intensity")
    assert files_in(tmp_path) == ["scan_001.nxs"]  # no temporary file left behind
    check_file(path)
    with h5py.File(path, "r") as f:
        assert f.attrs["creator"] == f"datatrail {dt.__version__}"
        assert f.attrs["file_name"] == "scan_001.nxs"
        signal = default_signal(f)
        assert signal.dtype == np.uint16 and signal.shape == (2, 3, 4)
        np.testing.assert_array_equal(signal[()], frames())
        assert signal.attrs["units"] == "counts" and signal.attrs["long_name"] == "intensity"
        data = f["entry/data"]
        assert list(data.attrs["axes"]) == ["omega", ".", "."]
        assert data.attrs["omega_indices"] == 0
        np.testing.assert_array_equal(data["omega"][()], angle)
        assert data["omega"].attrs["units"] == "deg"
        entry = f["entry"]
        assert entry["entry_identifier"].asstr()[()] == scan.pid
        assert entry["title"].asstr()[()] == "scan_001"
        assert entry["experiment_identifier"].asstr()[()] == "11019362"
        assert dtm.datetime.fromisoformat(entry["start_time"].asstr()[()]) == START
        assert entry["user_1/name"].asstr()[()] == "Ada Lovelace"
        assert entry["user_1/ORCID"].asstr()[()] == "0000-0002-1825-0097"
        assert entry["user_2/name"].asstr()[()] == "Grace Hopper"
        assert entry["sample"].attrs["NX_class"] == "NXsample"
        assert entry["sample/name"].asstr()[()] == "lyso-3"
        assert entry["instrument/name"].asstr()[()] == "P11"
        assert entry["instrument/source"].attrs["NX_class"] == "NXsource"
        assert entry["instrument/source/name"].asstr()[()] == "PETRA III"
        assert entry["instrument/detector"].attrs["NX_class"] == "NXdetector"
        # Metadata at its schema's NeXus paths, in the units the catalogue stored (25 cm -> 250 mm).
        assert entry["instrument/beam"].attrs["NX_class"] == "NXbeam"
        assert entry["instrument/beam/incident_wavelength"][()] == pytest.approx(1.0332)
        assert entry["instrument/beam/incident_wavelength"].attrs["units"] == "angstrom"
        assert entry["instrument/detector/distance"][()] == pytest.approx(250.0)
        assert entry["instrument/detector/distance"].attrs["units"] == "mm"
        assert entry["sample/temperature"].attrs["units"] == "K"
        # The rest in /entry/metadata, dotted keys as nested collections.
        assert entry["metadata"].attrs["NX_class"] == "NXcollection"
        assert entry["metadata/detector/name"].asstr()[()] == "Eiger2 16M"
        assert entry["metadata/ring/current"][()] == pytest.approx(98.5)
        assert entry["metadata/ring/current"].attrs["units"] == "mA"
        assert entry["metadata/exposures"][()] == 2 and entry["metadata/exposures"].dtype == np.int64


@pytest.mark.parametrize(
    "dtype", ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64", "<f8"]
)
def test_every_standard_dtype_is_written_as_it_is(catalog: dt.Catalog, tmp_path: Path, dtype: str) -> None:
    scan = catalog.register_dataset("scan")
    values = (np.arange(12) % 7).astype(dtype).reshape(3, 4)
    dt.nexus.write_raw_file(tmp_path / "x.nxs", catalog, scan.pid, values, units="counts")
    check_file(tmp_path / "x.nxs")
    with h5py.File(tmp_path / "x.nxs", "r") as f:
        back = f["entry/data/data"]
        assert back.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(back[()], values)


@pytest.mark.parametrize(
    "view",
    [lambda a: a.T, lambda a: a[:, ::2], lambda a: a[::-1], lambda a: np.asfortranarray(a)],
    ids=["transposed", "strided", "reversed", "fortran"],
)
def test_arrays_in_any_memory_order_are_written_in_c_order(catalog: dt.Catalog, tmp_path: Path, view: Any) -> None:
    scan = catalog.register_dataset("scan")
    values = view(np.arange(4 * 6, dtype=np.float32).reshape(4, 6))
    dt.nexus.write_raw_file(tmp_path / "x.nxs", catalog, scan, values, units="counts")
    check_file(tmp_path / "x.nxs")
    with h5py.File(tmp_path / "x.nxs", "r") as f:
        np.testing.assert_array_equal(f["entry/data/data"][()], np.ascontiguousarray(values))


def test_a_processed_file_carries_the_lineage_and_links_to_the_raw_file(
    beamtime: dt.Catalog, scan: dt.Dataset, tmp_path: Path
) -> None:
    raw_dir, out_dir = tmp_path / "raw", tmp_path / "processed"
    raw_dir.mkdir()
    out_dir.mkdir()
    raw_path = raw_dir / "scan_001.nxs"
    dt.nexus.write_raw_file(raw_path, beamtime, scan, frames(), units="counts")
    beamtime.add_files(scan, [{"path": "scan_001.nxs", "sha256": dt.sha256_file(raw_path)}])

    with beamtime.activity(
        "integrate",
        program="pyFAI",
        version="2024.2",
        parameters={"npt": 5, "distance": (250.0, "mm"), "method": "csr", "mask.file": "mask.edf"},
        inputs=[scan],
    ) as first:
        profile = first.output("profile")
    with beamtime.activity("fit", program="peakfit", version="0.3", parameters={"peaks": 2}, inputs=[profile]) as second:
        fitted = second.output("fitted")

    q = np.linspace(1.0, 5.0, 5)
    out = out_dir / "fitted.nxs"
    dt.nexus.write_processed_file(
        out, beamtime, fitted, np.array([5.0, 4, 3, 2, 1]), axes={"q": (q, "1/nm", "q")}, units="counts", signal_name="I",
        raw_file=raw_path,
    )
    check_file(out)

    lineage = beamtime.ancestors(fitted)
    activities = sorted((beamtime.get_activity(n.id) for n in lineage.activities), key=lambda a: a.start_time)
    assert [a.pid for a in activities] == [first.pid, second.pid]
    with h5py.File(out, "r") as f:
        entry = f["entry"]
        assert entry["entry_identifier"].asstr()[()] == fitted.pid
        assert default_signal(f).name == "/entry/data/I"
        processes = sorted((g for g in entry.values() if g.attrs.get("NX_class") == "NXprocess"), key=lambda g: g["sequence_index"][()])
        assert [g["sequence_index"][()] for g in processes] == [1, 2]
        for process, activity in zip(processes, activities):
            assert process["program"].asstr()[()] == activity.program
            assert process["version"].asstr()[()] == activity.version
            assert dtm.datetime.fromisoformat(process["date"].asstr()[()]) == activity.start_time
            assert process["provenance/activity_identifier"].asstr()[()] == activity.pid
            assert process["parameters"].attrs["NX_class"] == "NXparameters"
            note = process["configuration"]
            assert note.attrs["NX_class"] == "NXnote" and note["type"].asstr()[()] == "application/json"
            config = json.loads(note["data"].asstr()[()])
            assert config["pid"] == activity.pid
            assert set(config["parameters"]) == set(activity.parameters)
            used = [u.dataset for u in activity.used]
            assert process["provenance/input_1/dataset_identifier"].asstr()[()] == used[0]
        first_process = processes[0]
        assert first_process["parameters/distance"][()] == 250.0
        assert first_process["parameters/distance"].attrs["units"] == "mm"
        assert first_process["parameters/mask/file"].asstr()[()] == "mask.edf"
        assert json.loads(first_process["configuration/data"].asstr()[()])["parameters"]["distance"] == {
            "type": "float",
            "unit": "mm",
            "value": 250.0,
        }
        assert list(first_process["provenance/input_1/file_names"].asstr()[()]) == ["scan_001.nxs"]
        assert list(first_process["provenance/input_1/file_sha256"].asstr()[()]) == [dt.sha256_file(raw_path)]
        # The raw file, by a relative path, followed by h5py from this file's folder.
        link = entry["raw"].get("data", getlink=True)
        assert isinstance(link, h5py.ExternalLink)
        assert (link.filename, link.path) == ("../raw/scan_001.nxs", "/entry/data")
        assert entry["raw/entry_identifier"].asstr()[()] == scan.pid
        np.testing.assert_array_equal(entry["raw/data/data"][()], frames())


def test_the_files_do_not_depend_on_the_working_directory(
    catalog: dt.Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan = catalog.register_dataset("scan")
    with catalog.activity("reduce", program="r", inputs=[scan]) as run:
        out = run.output("reduced")
    (tmp_path / "a").mkdir()
    dt.nexus.write_raw_file(tmp_path / "a" / "raw.nxs", catalog, scan, np.ones(3), units="counts")
    monkeypatch.chdir(tmp_path / "a")
    # Relative paths in, as a notebook would give them.
    dt.nexus.write_processed_file("reduced.nxs", catalog, out, np.ones(3), units="counts", raw_file="raw.nxs")
    monkeypatch.chdir(tmp_path)
    with h5py.File(tmp_path / "a" / "reduced.nxs", "r") as f:
        assert f["entry/raw/data/data"].shape == (3,)
    check_file(tmp_path / "a" / "reduced.nxs")


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "catalog.db" and not p.name.startswith("catalog.db-"))


@pytest.mark.parametrize(
    ("signal", "kwargs", "field", "rule"),
    [
        (np.zeros((0, 3)), {}, "signal.shape", "at least 1"),
        (np.float64(1.0), {}, "signal.shape", "at least one dimension"),
        (np.ones((2, 3)), {"axes": {"x": np.arange(3.0)}}, "axes['x'].shape", "length of the dimension it labels (2)"),
        (np.ones((2, 3)), {"axes": {"x": np.array([0.0, np.nan])}}, "axes['x'][1]", "finite"),
        (np.ones(3), {"axes": {"x": np.arange(3.0), "y": np.arange(3.0)}}, "axes", "at most one axis per dimension"),
        (np.ones(3), {"signal_name": "my data"}, "signal_name", "NeXus name"),
        (np.ones(3, dtype=bool), {}, "signal.dtype", "integers"),
        (np.ones(3, dtype=np.complex128), {}, "signal.dtype", "integers"),
        (np.ones(3, dtype=np.float16), {}, "signal.dtype", "integers"),
        (np.ones(3, dtype=">f8"), {}, "signal.dtype", "big-endian"),
        ([1.0, 2.0], {}, "signal", "buffer protocol"),
        (np.ones(3), {"axes": [np.arange(3.0)]}, "axes", "mapping"),
        (np.ones(3), {"axes": {"x": (np.arange(3.0), 5)}}, "axes['x'].units", "str"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_leaves_no_file(
    catalog: dt.Catalog, tmp_path: Path, signal: Any, kwargs: dict[str, Any], field: str, rule: str
) -> None:
    scan = catalog.register_dataset("scan")
    with pytest.raises(dt.ValidationError) as info:
        dt.nexus.write_raw_file(tmp_path / "bad.nxs", catalog, scan, signal, **kwargs)
    fields = {v.field: v.rule for v in info.value.violations}
    assert field in fields, fields
    assert rule in fields[field]
    assert files_in(tmp_path) == []


def test_unknown_datasets_unwritable_folders_and_wrong_kinds_are_clear_errors(
    catalog: dt.Catalog, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    scan = catalog.register_dataset("scan")
    with pytest.raises(dt.NotFound):
        dt.nexus.write_raw_file(tmp_path / "x.nxs", catalog, "local/01J0000000000000000000000Z", np.ones(3))
    # A file where the folder should be: refused even to root, unlike a read-only folder.
    (tmp_path / "not-a-folder").write_text("x")
    target = tmp_path / "not-a-folder" / "x.nxs"
    with pytest.raises(dt.NexusError, match="cannot create the file") as info:
        dt.nexus.write_raw_file(target, catalog, scan, np.ones(3))
    assert str(target) in str(info.value)
    # HDF5's own report went into the exception, not to the process's stderr.
    assert "HDF5-DIAG" not in capfd.readouterr().err
    with pytest.raises(dt.ValidationError, match="must be a processed dataset"):
        dt.nexus.write_processed_file(tmp_path / "x.nxs", catalog, scan, np.ones(3))
    with catalog.activity("reduce", inputs=[scan]) as run:
        reduced = run.output("reduced")
    with pytest.raises(dt.ValidationError, match="raw_file .*must be a NeXus/HDF5 file"):
        dt.nexus.write_processed_file(tmp_path / "x.nxs", catalog, reduced, np.ones(3), raw_file=tmp_path / "not-a-folder")
    with pytest.raises(dt.ValidationError, match="raw_file .*must be an existing NeXus file"):
        dt.nexus.write_processed_file(tmp_path / "x.nxs", catalog, reduced, np.ones(3), raw_file=tmp_path / "missing.nxs")
    assert files_in(tmp_path) == ["not-a-folder"]


def test_a_failed_write_keeps_the_previous_file(catalog: dt.Catalog, tmp_path: Path) -> None:
    scan = catalog.register_dataset("scan")
    path = tmp_path / "x.nxs"
    dt.nexus.write_raw_file(path, catalog, scan, np.arange(3.0), units="counts")
    with pytest.raises(dt.ValidationError):
        dt.nexus.write_raw_file(path, catalog, scan, np.zeros((0,)))
    check_file(path)
    with h5py.File(path, "r") as f:
        np.testing.assert_array_equal(f["entry/data/data"][()], np.arange(3.0))
    assert files_in(tmp_path) == ["x.nxs"]


@pytest.mark.parametrize("first", ["h5py", "datatrail"])
def test_the_extension_and_h5py_coexist_in_one_process(tmp_path: Path, first: str) -> None:
    # A fresh interpreter, so that the import order is the one under test.
    script = f"""
import sys
import {first}
import {"datatrail" if first == "h5py" else "h5py"}
import datatrail as dt, h5py, numpy as np
cat = dt.Catalog(sys.argv[1] + "/catalog.db")
scan = cat.register_dataset("scan")
dt.nexus.write_raw_file(sys.argv[1] + "/x.nxs", cat, scan, np.arange(6, dtype=np.int32).reshape(2, 3), units="counts")
with h5py.File(sys.argv[1] + "/x.nxs", "r") as f:
    assert f["entry/data/data"][()].tolist() == [[0, 1, 2], [3, 4, 5]]
with h5py.File(sys.argv[1] + "/y.h5", "w") as f:
    f["z"] = 1
print("ok", h5py.version.hdf5_version)
"""
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")
    assert result.stderr == ""  # HDF5's automatic error printing stays off


def test_a_dimension_without_an_axis_is_a_dot_in_axes(catalog: dt.Catalog, tmp_path: Path) -> None:
    scan = catalog.register_dataset("scan")
    x = np.array([0.5, 1.5, 2.5], dtype=np.float32)
    dt.nexus.write_raw_file(tmp_path / "x.nxs", catalog, scan, np.ones((2, 3)), units="counts",
                            axes={"frame": None, "x": (x, "mm", "position")})
    check_file(tmp_path / "x.nxs")
    with h5py.File(tmp_path / "x.nxs", "r") as f:
        data = f["entry/data"]
        assert list(data.attrs["axes"]) == [".", "x"]
        assert data.attrs["x_indices"] == 1 and "frame_indices" not in data.attrs and "frame" not in data
        assert data["x"].dtype == np.float32
        assert (data["x"].attrs["units"], data["x"].attrs["long_name"]) == ("mm", "position")
