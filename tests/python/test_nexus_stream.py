"""Frame stacks streamed by datatrail (the system's libhdf5), read back with h5py and hdf5plugin (the
wheel's own HDF5) in the same process, and checked by nexusformat's validator."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import h5py
import hdf5plugin
import numpy as np
import pytest

import datatrail as dt
from nexus_helpers import default_signal, nexus_check

FRAME = (32, 48)
FILTERS = {"none": None, "gzip": 1, "lz4": 32004, "blosc": 32001, "bitshuffle_lz4": 32008}


def poisson_frames(n: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).poisson(2.0, size=(n, *FRAME)).astype(np.uint16)


@pytest.fixture
def scan(catalog: dt.Catalog, tmp_path: Path) -> dt.Dataset:
    catalog.add_instrument("P11", facility="PETRA III", type="beamline")
    catalog.add_sample("lyso-3", formula="C613H959N193O185S10")
    return catalog.register_dataset("scan_001", instrument="P11", sample="lyso-3", location=tmp_path,
                                    state="acquiring", metadata={"detector.distance": (250.0, "mm")})



def filter_ids(d: h5py.Dataset) -> list[int]:
    plist = d.id.get_create_plist()
    return [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]


def only_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "catalog.db" and not p.name.startswith("catalog.db-"))


@pytest.mark.parametrize("compression", list(FILTERS))
def test_each_compression_reads_back_in_h5py_and_validates(catalog: dt.Catalog, scan: dt.Dataset, tmp_path: Path,
                                                           compression: str) -> None:
    frames = poisson_frames(5)
    path = tmp_path / "scan_001.nxs"
    with dt.nexus.FrameStack(path, catalog, scan, dtype=np.uint16, frame_shape=FRAME, compression=compression) as stack:
        stack.append(frames[0])  # one frame
        stack.append(frames[1:])  # a block
        assert stack.frames == 5
        assert not path.exists()
        assert catalog.dataset(scan.pid).state == "acquiring"
    assert not stack.is_open
    assert only_files(tmp_path) == ["scan_001.nxs"]

    assert nexus_check(path) == (0, 0)
    with h5py.File(path, "r") as f:
        signal = default_signal(f)
        assert signal.name == "/entry/data/data"
        assert signal.chunks == (1, *FRAME)
        assert signal.maxshape == (None, *FRAME)
        assert signal.attrs["units"] == "counts"
        assert filter_ids(signal) == ([] if FILTERS[compression] is None else [FILTERS[compression]])
        np.testing.assert_array_equal(signal[()], frames)
        assert f["entry/instrument/detector/data"] == signal  # a second link to the frames, for NXmx readers
        assert f["entry/entry_identifier"].asstr()[()] == scan.pid
        assert f["entry/instrument"].attrs["NX_class"] == "NXinstrument"
        assert f["entry/sample/name"].asstr()[()] == "lyso-3"
        assert f["entry/metadata/detector/distance"].attrs["units"] == "mm"

    done = catalog.dataset(scan.pid)
    assert done.state == "complete"
    assert [fi.path for fi in done.files] == ["scan_001.nxs"]
    assert done.files[0].size == path.stat().st_size
    assert done.files[0].sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_frames_in_a_separate_data_file(catalog: dt.Catalog, scan: dt.Dataset, tmp_path: Path) -> None:
    frames = poisson_frames(4)
    path = tmp_path / "scan_001_master.nxs"
    with dt.nexus.FrameStack(path, catalog, scan.pid, dtype="uint16", frame_shape=FRAME, compression="blosc",
                             separate_data_file=True, sync_on_close=True) as stack:
        stack.append(frames)
    assert stack.data_path == str(tmp_path / "scan_001_master_data.h5")
    assert only_files(tmp_path) == ["scan_001_master.nxs", "scan_001_master_data.h5"]
    assert nexus_check(path) == (0, 0)
    with h5py.File(path, "r") as f:
        link = f["entry/data"].get("data", getlink=True)
        assert isinstance(link, h5py.ExternalLink)
        assert (link.filename, link.path) == ("scan_001_master_data.h5", "/entry/data/data")
        np.testing.assert_array_equal(default_signal(f)[()], frames)
        detector_link = f["entry/instrument/detector"].get("data", getlink=True)
        assert isinstance(detector_link, h5py.ExternalLink)
        np.testing.assert_array_equal(f["entry/instrument/detector/data"][()], frames)
    assert sorted(fi.path for fi in catalog.dataset(scan.pid).files) == ["scan_001_master.nxs", "scan_001_master_data.h5"]


def test_an_exception_in_the_block_abandons_the_stack(catalog: dt.Catalog, scan: dt.Dataset, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="detector stopped"):
        with dt.nexus.FrameStack(tmp_path / "scan_001.nxs", catalog, scan, dtype=np.uint16, frame_shape=FRAME) as stack:
            stack.append(poisson_frames(3))
            assert len(only_files(tmp_path)) == 1  # the partial file, under its temporary name
            raise RuntimeError("detector stopped")
    assert only_files(tmp_path) == []
    after = catalog.dataset(scan.pid)
    assert after.state == "failed"
    assert after.files == []


def test_threads_append_at_once_and_keep_their_order(catalog: dt.Catalog, scan: dt.Dataset, tmp_path: Path) -> None:
    path = tmp_path / "threads.nxs"
    threads, per_thread = 4, 20
    errors: list[BaseException] = []
    with dt.nexus.FrameStack(path, catalog, scan, dtype=np.uint16, frame_shape=FRAME, compression="blosc",
                             threads=1) as stack:

        def acquire(t: int) -> None:
            try:
                for k in range(per_thread):
                    stack.append(np.full(FRAME, t * 1000 + k, dtype=np.uint16))
            except BaseException as e:  # noqa: BLE001 - reported by the main thread
                errors.append(e)

        workers = [threading.Thread(target=acquire, args=(t,)) for t in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    assert errors == []
    with h5py.File(path, "r") as f:
        tags = f["entry/data/data"][:, 0, 0].tolist()
    assert len(tags) == threads * per_thread
    for t in range(threads):
        assert [tag % 1000 for tag in tags if tag // 1000 == t] == list(range(per_thread))


def test_append_compressed_writes_the_chunks_as_given(catalog: dt.Catalog, scan: dt.Dataset, tmp_path: Path) -> None:
    frames = poisson_frames(3)
    with dt.nexus.FrameStack(tmp_path / "a.nxs", catalog, scan, dtype=np.uint16, frame_shape=FRAME,
                             compression="blosc", update_catalog=False) as stack:
        stack.append(frames)
    with h5py.File(tmp_path / "a.nxs", "r") as f:
        d = f["entry/data/data"]
        chunks = [d.id.read_direct_chunk((i, 0, 0)) for i in range(3)]
    assert all(mask == 0 and len(chunk) < frames[0].nbytes for mask, chunk in chunks)
    with dt.nexus.FrameStack(tmp_path / "b.nxs", catalog, scan, dtype=np.uint16, frame_shape=FRAME,
                             compression="blosc") as stack:
        for mask, chunk in chunks:
            stack.append_compressed(chunk, mask)
    with h5py.File(tmp_path / "b.nxs", "r") as f:
        np.testing.assert_array_equal(f["entry/data/data"][()], frames)


def test_strided_frames_are_written_in_c_order(catalog: dt.Catalog, scan: dt.Dataset, tmp_path: Path) -> None:
    frames = poisson_frames(2)
    view = np.ascontiguousarray(frames.transpose(0, 2, 1)).transpose(0, 2, 1)  # same values, Fortran-like strides
    assert not view.flags.c_contiguous
    with dt.nexus.FrameStack(tmp_path / "s.nxs", catalog, scan, dtype=np.uint16, frame_shape=FRAME) as stack:
        stack.append(view)
    with h5py.File(tmp_path / "s.nxs", "r") as f:
        np.testing.assert_array_equal(f["entry/data/data"][()], frames)


def violations(e: pytest.ExceptionInfo[dt.ValidationError]) -> dict[str, tuple[str, str]]:
    return {v.field: (v.value, v.rule) for v in e.value.violations}


def test_bad_input_names_the_field_and_writes_nothing(catalog: dt.Catalog, scan: dt.Dataset, tmp_path: Path) -> None:
    path = tmp_path / "bad.nxs"
    with pytest.raises(dt.ValidationError) as e:
        dt.nexus.FrameStack(path, catalog, scan, dtype="complex64", frame_shape=(4, 0), compression="zstd")
    found = violations(e)
    assert found["dtype"][0] == "complex64"
    assert "compression" in found and "none, gzip, lz4, blosc or bitshuffle_lz4" in found["compression"][1]
    with pytest.raises(dt.ValidationError) as e:
        dt.nexus.FrameStack(path, catalog, scan, dtype=np.uint16, frame_shape=(4, 0), level=3)
    found = violations(e)
    assert found["frame_shape"][0] == "[4, 0]"
    assert "no level" in found["level"][1]
    assert only_files(tmp_path) == []

    with dt.nexus.FrameStack(path, catalog, scan, dtype=np.uint16, frame_shape=FRAME) as stack:
        with pytest.raises(dt.ValidationError) as e:
            stack.append(np.zeros(FRAME, dtype=np.float32))
        assert violations(e)["frames.dtype"] == ("float32", "must be uint16 like the frame stack")
        with pytest.raises(dt.ValidationError) as e:
            stack.append(np.zeros((2, 48, 32), dtype=np.uint16))
        assert violations(e)["frames.shape"][0] == "(2, 48, 32)"
        with pytest.raises(dt.ValidationError, match="frames"):
            stack.append("not an array")
        assert stack.frames == 0
        stack.append(poisson_frames(1)[0])
    assert stack.frames == 1
    with pytest.raises(dt.NexusError, match="closed"):
        stack.append(poisson_frames(1)[0])


def test_an_empty_stack_is_refused_at_close(catalog: dt.Catalog, scan: dt.Dataset, tmp_path: Path) -> None:
    with pytest.raises(dt.ValidationError, match="at least one frame"):
        with dt.nexus.FrameStack(tmp_path / "empty.nxs", catalog, scan, dtype=np.uint16, frame_shape=FRAME):
            pass
    assert only_files(tmp_path) == []
    assert catalog.dataset(scan.pid).state == "failed"


def test_bitshuffle_from_datatrail_and_from_h5py_with_hdf5plugin_in_one_process(catalog: dt.Catalog, scan: dt.Dataset,
                                                                                tmp_path: Path) -> None:
    """Each HDF5 gets its own instance of hdf5plugin's bitshuffle plugin: writing with one does not
    unbind the other."""
    frames = poisson_frames(4)

    def datatrail_write(name: str) -> Path:
        path = tmp_path / name
        with dt.nexus.FrameStack(path, catalog, scan, dtype=np.uint16, frame_shape=FRAME,
                                 compression="bitshuffle_lz4", update_catalog=False) as stack:
            stack.append(frames)
        return path

    first = datatrail_write("dt_1.nxs")
    with h5py.File(tmp_path / "h5py.h5", "w") as f:
        f.create_dataset("data", data=frames, chunks=(1, *FRAME), **hdf5plugin.Bitshuffle(cname="lz4"))
    second = datatrail_write("dt_2.nxs")
    for path, name in ((first, "entry/data/data"), (second, "entry/data/data"), (tmp_path / "h5py.h5", "data")):
        with h5py.File(path, "r") as f:
            assert filter_ids(f[name]) == [32008]
            np.testing.assert_array_equal(f[name][()], frames)
    assert dt.nexus._ensure_filter(32008)


def test_a_catalogue_kept_alive_by_the_stack(catalog_path: Any, tmp_path: Path) -> None:
    """The stack holds the catalogue it updates, even when the caller lets go of it."""
    cat = dt.Catalog(catalog_path)
    ds = cat.register_dataset("scan", location=tmp_path, state="acquiring")
    stack = dt.nexus.FrameStack(tmp_path / "scan.nxs", cat, ds, dtype=np.uint16, frame_shape=FRAME)
    del cat
    stack.append(poisson_frames(1))
    stack.close()
    with dt.Catalog(catalog_path) as again:
        assert again.dataset(ds.pid).state == "complete"


def test_bitshuffle_when_datatrail_binds_the_plugin_before_hdf5plugin_is_imported(tmp_path: Path) -> None:
    """The other order, in a fresh interpreter: datatrail loads its copy of the plugin first, then
    `import hdf5plugin` binds the original to h5py's HDF5; both keep writing."""
    script = f"""
import numpy as np, sys
import datatrail as dt
assert "hdf5plugin" not in sys.modules
frames = np.random.default_rng(1).poisson(2.0, size=(3, 16, 16)).astype(np.uint16)
folder = {str(tmp_path)!r}
with dt.Catalog(folder + "/c.db") as cat:
    ds = cat.register_dataset("scan")
    def write(name):
        with dt.nexus.FrameStack(folder + "/" + name, cat, ds, dtype=np.uint16, frame_shape=(16, 16),
                                 compression="bitshuffle_lz4", update_catalog=False) as stack:
            stack.append(frames)
    write("a.nxs")
    assert "hdf5plugin" not in sys.modules  # found without importing it
    import h5py, hdf5plugin
    with h5py.File(folder + "/h.h5", "w") as f:
        f.create_dataset("data", data=frames, chunks=(1, 16, 16), **hdf5plugin.Bitshuffle(cname="lz4"))
    write("b.nxs")
    for name, path in (("a.nxs", "entry/data/data"), ("b.nxs", "entry/data/data"), ("h.h5", "data")):
        with h5py.File(folder + "/" + name, "r") as f:
            assert f[path].id.get_create_plist().get_filter(0)[0] == 32008
            assert (f[path][()] == frames).all(), name
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
