"""Reading NeXus files with datatrail.nexus: files datatrail wrote, files h5py wrote (compressed
with gzip, LZ4 and Blosc through hdf5plugin), and a facility's example file that nexusformat
ships. h5py and the extension each have their own HDF5; every h5py file is closed before
datatrail opens it."""

from __future__ import annotations

import datetime as dtm
import json
from pathlib import Path

import h5py
import hdf5plugin
import nexusformat
import numpy as np
import pytest

import datatrail as dt

SCHEMA = """
name: beam
version: "1.0"
fields:
  beam.wavelength:
    type: float
    unit: angstrom
    nexus_path: /entry/instrument/beam/incident_wavelength
  detector.name:
    type: string
    nexus_path: /entry/instrument/detector@name
"""

START = dtm.datetime(2026, 3, 1, 10, 0, tzinfo=dtm.timezone.utc)
CHOPPER = Path(nexusformat.__file__).parent / "examples" / "chopper.nxs"


@pytest.fixture
def files(tmp_path: Path) -> tuple[dt.Catalog, dt.Dataset, dt.Dataset, np.ndarray]:
    cat = dt.Catalog(":memory:")
    cat.add_schema(dt.parse_schema(SCHEMA, "beam.yaml"))
    cat.add_instrument("P11", facility="PETRA III")
    cat.add_investigation("11019362", instrument="P11", participants=[{"name": "Ada Lovelace", "role": "PI"}])
    cat.add_sample("lyso-3", formula="C613H959N193O185S10")
    raw = cat.register_dataset(
        "scan_001",
        investigation="11019362",
        instrument="P11",
        sample="lyso-3",
        schema="beam",
        start_time=START,
        metadata={"beam.wavelength": (1.0332, "angstrom"), "detector.name": "Eiger2", "ring.current": (98.5, "mA")},
    )
    frames = np.arange(3 * 4 * 5, dtype=np.uint16).reshape(3, 4, 5)
    dt.nexus.write_raw_file(tmp_path / "scan_001.nxs", cat, raw, frames,
                            axes={"angle": (np.array([0.0, 0.5, 1.0]), "deg")}, units="counts")
    with cat.activity("integrate", program="pyFAI", version="2024.2", parameters={"npt": 5, "radius": (1.5, "mm")},
                      inputs=[raw]) as run:
        result = run.output("scan_001_integrated")
    dt.nexus.write_processed_file(tmp_path / "scan_001_integrated.nxs", cat, result, frames.mean(axis=(0, 1)),
                                  signal_name="I", raw_file=tmp_path / "scan_001.nxs")
    return cat, raw, result, frames


def test_a_raw_file_reads_back_with_metadata_at_the_schemas_paths(files, tmp_path: Path) -> None:
    cat, raw, _, frames = files
    entry = dt.nexus.read_file(tmp_path / "scan_001.nxs", schema=cat.schema("beam"))
    assert entry.identifier == raw.pid
    assert entry.title == "scan_001"
    assert entry.experiment_identifier == "11019362"
    assert entry.start_time == START
    assert [u.name for u in entry.users] == ["Ada Lovelace"]
    assert (entry.instrument, entry.facility, entry.sample) == ("P11", "PETRA III", "lyso-3")
    assert entry.metadata["beam.wavelength"] == dt.Quantity(1.0332, "angstrom")
    assert entry.metadata["detector.name"] == "Eiger2"
    assert entry.metadata["ring.current"] == dt.Quantity(98.5, "mA")
    assert json.loads(entry.record)["pid"] == raw.pid
    assert entry.problems == []
    assert entry.data is not None
    assert entry.data.signal.path == "/entry/data/data"
    assert (entry.data.signal.dtype, entry.data.signal.shape, entry.data.signal.bytes) == ("uint16", (3, 4, 5), 120)
    assert [a.name for a in entry.data.axes] == ["angle", "", ""]
    signal, axes = dt.nexus.read_data(tmp_path / "scan_001.nxs")
    assert signal.dtype == np.uint16
    np.testing.assert_array_equal(signal, frames)
    np.testing.assert_array_equal(axes["angle"], [0.0, 0.5, 1.0])


def test_a_processed_file_reads_back_its_process_and_raw_link(files, tmp_path: Path) -> None:
    _, raw, result, frames = files
    entry = dt.nexus.read_file(tmp_path / "scan_001_integrated.nxs")
    assert entry.identifier == result.pid
    (p,) = entry.processes
    assert (p.program, p.version, p.sequence_index) == ("pyFAI", "2024.2", 1)
    assert p.parameters == {"npt": 5, "radius": dt.Quantity(1.5, "mm")}
    assert p.note_type == "application/json"
    assert json.loads(p.note)["pid"] == p.activity
    assert p.generated == [result.pid]
    assert [(i.dataset, i.role) for i in p.inputs] == [(raw.pid, "")]
    assert entry.raw is not None and entry.raw.entry_identifier == raw.pid
    with dt.nexus.NexusFile(tmp_path / "scan_001_integrated.nxs") as f:
        assert f.entries() == ["entry"]
        assert f.creator.startswith("datatrail ")
        np.testing.assert_array_equal(f.read_array("/entry/raw/data/data"), frames)  # through the external link
        signal, _ = f.read_data()
        np.testing.assert_allclose(signal, frames.mean(axis=(0, 1)))
    with pytest.raises(dt.Error, match="closed"):
        f.entries()


def test_a_closed_file_can_be_written_by_h5py(files, tmp_path: Path) -> None:
    path = tmp_path / "scan_001.nxs"
    f = dt.nexus.NexusFile(path)
    f.close()
    with h5py.File(path, "a") as h:
        h["entry"].attrs["note"] = "changed by h5py"


@pytest.mark.parametrize(
    "compression",
    [
        {"compression": "gzip", "compression_opts": 4},
        {"compression": "gzip", "shuffle": True},
        dict(hdf5plugin.LZ4()),
        dict(hdf5plugin.Blosc(cname="lz4", clevel=5, shuffle=hdf5plugin.Blosc.SHUFFLE)),
        dict(hdf5plugin.Blosc(cname="zstd", clevel=3, shuffle=hdf5plugin.Blosc.BITSHUFFLE)),
        # As Dectris detectors write: the hdf5plugin plugin, bound to the extension's libhdf5 too.
        dict(hdf5plugin.Bitshuffle(cname="lz4")),
    ],
    ids=["gzip", "gzip-shuffle", "lz4", "blosc-lz4", "blosc-zstd-bitshuffle", "bitshuffle-lz4"],
)
def test_compressed_files_from_h5py_read_back(tmp_path: Path, compression: dict) -> None:
    rng = np.random.default_rng(7)
    frames = rng.poisson(4.0, size=(6, 32, 32)).astype(np.uint16)
    path = tmp_path / "compressed.h5"
    with h5py.File(path, "w") as f:
        f.attrs["default"] = "entry"
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        entry.attrs["default"] = "data"
        data = entry.create_group("data")
        data.attrs["NX_class"] = "NXdata"
        data.attrs["signal"] = "frames"
        d = data.create_dataset("frames", data=frames, chunks=(1, 32, 32), **compression)
        d.attrs["units"] = "counts"
    info = dt.nexus.read_file(path).data
    assert info is not None
    assert info.signal.filters  # the pipeline is reported
    signal, _ = dt.nexus.read_data(path)
    np.testing.assert_array_equal(signal, frames)


def test_a_missing_filter_is_named(tmp_path: Path) -> None:
    # A filter id no plugin provides; h5py writes it as an optional filter (flag 1), so the file
    # holds it in the pipeline while the chunks stay raw.
    path = tmp_path / "odd.h5"
    with h5py.File(path, "w") as f:
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((4,))
        dcpl.set_filter(31999, h5py.h5z.FLAG_OPTIONAL, ())
        space = h5py.h5s.create_simple((4,))
        h5py.h5d.create(f.id, b"x", h5py.h5t.NATIVE_INT32, space, dcpl=dcpl)
    with dt.nexus.NexusFile(path) as nf:
        with pytest.raises(dt.NexusError, match="filter 31999 is not available"):
            nf.read_array("/x")


def test_the_chopper_example_nexusformat_ships_reads(tmp_path: Path) -> None:
    entry = dt.nexus.read_file(CHOPPER)
    assert entry.title.startswith("MgB2 PDOS")
    assert entry.identifier == ""
    assert entry.definition == "NXdirecttof"
    # "-0600": an offset without its colon, as this writer put it.
    assert entry.start_time == dtm.datetime(2001, 2, 7, 14, 54, 21, tzinfo=dtm.timezone.utc)
    assert entry.instrument == "LRMECS"
    assert entry.fields["sample.temperature"] == dt.Quantity(8.0, "K")
    assert entry.fields["run_number"] > 0
    assert entry.data is not None and entry.data.signal.shape == (148, 750)
    assert [a.name for a in entry.data.axes] == ["polar_angle", "time_of_flight"]
    signal, axes = dt.nexus.read_data(CHOPPER)
    with h5py.File(CHOPPER, "r") as f:
        np.testing.assert_array_equal(signal, f["entry/data/data"][()])


def test_bad_input_is_named(tmp_path: Path) -> None:
    with pytest.raises(dt.NotFound, match="missing.nxs"):
        dt.nexus.read_file(tmp_path / "missing.nxs")
    (tmp_path / "text.nxs").write_text("not HDF5")
    with pytest.raises(dt.NexusError, match="not an HDF5 file"):
        dt.nexus.read_file(tmp_path / "text.nxs")
    with pytest.raises(dt.ValidationError) as e:
        dt.nexus.read_file(42)  # type: ignore[arg-type]
    assert e.value.violations[0].field == "path"
    with pytest.raises(dt.ValidationError) as e:
        dt.nexus.read_file(CHOPPER, schema="beam")  # type: ignore[arg-type]
    assert e.value.violations[0].field == "schema"
    with pytest.raises(dt.ValidationError) as e:
        dt.nexus.read_file(CHOPPER, entry=3)  # type: ignore[arg-type]
    assert e.value.violations[0].field == "entry"
    with pytest.raises(dt.NotFound, match="no NXentry named nope"):
        dt.nexus.read_file(CHOPPER, entry="nope")
    with dt.nexus.NexusFile(CHOPPER) as f:
        with pytest.raises(dt.NotFound, match="no numeric dataset"):
            f.read_array("/entry/title")
        with pytest.raises(dt.ValidationError) as e:
            f.read_array("")
        assert e.value.violations[0].field == "object_path"
