"""Catalog.ingest: files written from one catalogue rebuild another on each engine; files from
h5py and a facility's example file go in with what they have; broken files are reported while the
rest go in; a second ingest changes nothing."""

from __future__ import annotations

import datetime as dtm
import shutil
import threading
from pathlib import Path

import h5py
import nexusformat
import numpy as np
import pytest

import datatrail as dt
from conftest import Blocker

START = dtm.datetime(2026, 3, 1, 10, 0, tzinfo=dtm.timezone.utc)
CHOPPER = Path(nexusformat.__file__).parent / "examples" / "chopper.nxs"
SCHEMA = """
name: beam
version: "1.0"
fields:
  beam.wavelength:
    type: float
    unit: angstrom
    nexus_path: /entry/instrument/beam/incident_wavelength
"""


class Source:
    """A catalogue with a raw scan, a dark, and two processing steps, and the files of all four."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.cat = cat = dt.Catalog(":memory:")
        cat.add_schema(dt.parse_schema(SCHEMA, "beam.yaml"))
        cat.add_instrument("P11", facility="PETRA III", type="beamline")
        cat.add_investigation("11019362", title="Lysozyme", instrument="P11",
                              participants=[{"name": "Ada Lovelace", "role": "PI", "orcid": "0000-0002-1825-0097"}])
        cat.add_sample("lyso-3", formula="C613H959N193O185S10", investigation="11019362")
        cat.add_agent("Ada Lovelace", type="person", orcid="0000-0002-1825-0097")
        cat.add_agent("pyFAI", type="software", version="2024.2")
        common = {"investigation": "11019362", "instrument": "P11", "sample": "lyso-3", "location": str(folder)}
        self.scan = cat.register_dataset(
            "scan_001", schema="beam", start_time=START, end_time=START + dtm.timedelta(minutes=5),
            keywords=["lysozyme"], techniques=["MX"],
            metadata={"beam.wavelength": (1.0332, "angstrom"), "detector.distance": (25.0, "cm"), "exposures": 2,
                      "collected": START, "detector.name": "Eiger2 16M", "pixels": [4148, 4362],
                      "config": {"mode": "fast"}, "cooled": True},
            **common)
        self.dark = cat.register_dataset("dark_001", metadata={"exposure_time": (0.1, "s")}, **common)
        self.frames = np.random.default_rng(3).poisson(5.0, size=(4, 8, 8)).astype(np.uint16)
        (folder / "raw").mkdir()
        dt.nexus.write_raw_file(folder / "raw" / "scan_001.nxs", cat, self.scan, self.frames, units="counts")
        dt.nexus.write_raw_file(folder / "raw" / "dark_001.nxs", cat, self.dark, self.frames[:1])
        with cat.activity("integrate", program="pyFAI", version="2024.2",
                          parameters={"npt": 8, "radius": (1.5, "mm"), "unit": "q_nm^-1"},
                          inputs=[self.scan, (self.dark, "dark")],
                          agents=[("Ada Lovelace", "operator"), ("pyFAI", "software")]) as run:
            self.integrated = run.output("scan_001_integrated", metadata={"q_max": (6.4, "1/nm")},
                                         location=str(folder / "processed"))
        self.step1 = cat.get_activity(run.pid)
        with cat.activity("normalise", program="numpy", version=np.__version__, parameters={"scale": 2.0},
                          inputs=[self.integrated]) as run:
            self.normalised = run.output("scan_001_normalised", location=str(folder / "processed"))
        self.step2 = cat.get_activity(run.pid)
        (folder / "processed").mkdir()
        profile = self.frames.mean(axis=(0, 1))
        dt.nexus.write_processed_file(folder / "processed" / "scan_001_integrated.nxs", cat, self.integrated, profile,
                                      raw_file=folder / "raw" / "scan_001.nxs")
        dt.nexus.write_processed_file(folder / "processed" / "scan_001_normalised.nxs", cat, self.normalised,
                                      profile * 2.0, raw_file=folder / "raw" / "scan_001.nxs")

    @property
    def datasets(self) -> list[dt.Dataset]:
        return [self.scan, self.dark, self.integrated, self.normalised]


@pytest.fixture
def source(tmp_path: Path) -> Source:
    folder = tmp_path / "files"
    folder.mkdir()
    return Source(folder)


def names(items: list[dt.IngestItem]) -> list[str]:
    return sorted(Path(i.path).name for i in items)


def test_a_catalogue_is_rebuilt_from_its_files(catalog: dt.Catalog, source: Source) -> None:
    catalog.add_schema(dt.parse_schema(SCHEMA, "beam.yaml"))
    report = catalog.ingest(source.folder)
    assert report.failed == [] and report.skipped == []
    assert names(report.ingested) == ["dark_001.nxs", "scan_001.nxs", "scan_001_integrated.nxs", "scan_001_normalised.nxs"]
    for before in source.datasets:
        original = source.cat.dataset(before.pid)  # as it is now, its activity finished
        d = catalog.dataset(original.pid)
        for field in ("kind", "name", "state", "keywords", "techniques", "start_time", "end_time",
                      "investigation", "instrument", "sample", "schema", "created_by"):
            assert getattr(d, field) == getattr(original, field), field
        assert d.metadata == original.metadata  # values, types and units
        (f,) = d.files
        assert f == dt.describe_file(d.location, f.path)
        assert f.format == "nexus" and len(f.sha256) == 64
    assert catalog.investigation("11019362").participants == source.cat.investigation("11019362").participants
    assert catalog.sample("lyso-3") == source.cat.sample("lyso-3")
    assert catalog.instrument("P11") == source.cat.instrument("P11")
    assert catalog.investigation("11019362") == source.cat.investigation("11019362")
    for step in (source.step1, source.step2):
        a = catalog.get_activity(step.pid)
        for field in ("name", "program", "version", "parameters", "status", "start_time", "end_time",
                      "generated", "host"):
            assert getattr(a, field) == getattr(step, field), field
        # Listed in the order of the records' internal ids, which differ between the catalogues.
        assert sorted((u.dataset, u.role) for u in a.used) == sorted((u.dataset, u.role) for u in step.used)
        assert sorted((x.agent, x.role) for x in a.agents) == sorted((x.agent, x.role) for x in step.agents)
    assert catalog.agent("Ada Lovelace").orcid == "0000-0002-1825-0097"
    assert catalog.agent("pyFAI").version == "2024.2"
    # The lineage, both ways.
    assert sorted(map(repr, catalog.ancestor_pids(source.normalised))) == sorted(
        map(repr, source.cat.ancestor_pids(source.normalised)))
    assert sorted(
        d.pid for d in catalog.raw_sources(source.normalised)) == sorted([source.scan.pid, source.dark.pid])
    assert {d.pid for d in catalog.downstream(source.scan)} == {source.integrated.pid, source.normalised.pid}


def test_ingesting_again_changes_nothing(catalog: dt.Catalog, source: Source) -> None:
    assert len(catalog.ingest(source.folder).ingested) == 4
    again = catalog.ingest(source.folder)
    assert again.ingested == [] and again.failed == []
    assert names(again.already_present) == ["dark_001.nxs", "scan_001.nxs", "scan_001_integrated.nxs", "scan_001_normalised.nxs"]
    assert catalog.count_datasets() == 4
    assert len(catalog.find_activities()) == 2


def test_the_catalogue_that_wrote_the_files_gets_them_as_datafiles(catalog: dt.Catalog, tmp_path: Path) -> None:
    scan = catalog.register_dataset("scan_001", location=str(tmp_path), metadata={"energy": (12.7, "keV")})
    dt.nexus.write_raw_file(tmp_path / "scan_001.nxs", catalog, scan, np.arange(6.0))
    report = catalog.ingest(tmp_path)
    (item,) = report.ingested
    assert item.status == "ingested" and item.dataset == scan.pid
    assert "the file was added" in item.notes[0]
    assert catalog.dataset(scan).files == [dt.describe_file(tmp_path, "scan_001.nxs")]
    again = catalog.ingest(tmp_path)
    assert [i.status for i in again.already_present] == ["already_present"]
    assert catalog.count_datasets() == 1


def test_inputs_ingested_after_their_results_are_linked_on_the_next_ingest(catalog: dt.Catalog, source: Source) -> None:
    first = catalog.ingest(source.folder / "processed")
    assert len(first.ingested) == 2
    notes = [n for item in first.ingested for n in item.notes]
    assert any(source.scan.pid in n and "not in the catalogue" in n for n in notes)
    assert catalog.raw_sources(source.integrated) == []
    catalog.ingest(source.folder / "raw")
    again = catalog.ingest(source.folder / "processed")
    (item,) = [i for i in again.ingested if i.dataset == source.integrated.pid]
    assert "2 input link(s)" in item.notes[0]
    assert sorted(d.pid for d in catalog.raw_sources(source.normalised)) == sorted([source.scan.pid, source.dark.pid])
    assert len(catalog.ingest(source.folder).already_present) == 4


def test_the_same_pid_with_other_content_is_a_conflict_for_that_file(catalog: dt.Catalog, source: Source,
                                                                     tmp_path: Path) -> None:
    catalog.ingest(source.folder)
    other = tmp_path / "other"
    other.mkdir()
    dt.nexus.write_raw_file(other / "scan_001.nxs", source.cat, source.scan, source.frames + 1)
    shutil.copy(source.folder / "raw" / "dark_001.nxs", other / "dark_001.nxs")
    report = catalog.ingest(other)
    (failed,) = report.failed
    assert failed.error == "Conflict" and failed.dataset == source.scan.pid
    assert "another content" in failed.reason and str(other / "scan_001.nxs") in failed.path
    assert names(report.already_present) == ["dark_001.nxs"]
    assert len(catalog.dataset(source.scan).files) == 1


def test_broken_files_are_reported_and_the_rest_ingested(catalog: dt.Catalog, source: Source) -> None:
    folder = source.folder
    (folder / "notes.h5").write_text("plain text with an HDF5 suffix")
    data = (folder / "raw" / "scan_001.nxs").read_bytes()
    (folder / "cut.nxs").write_bytes(data[: len(data) // 2])
    shutil.copy(folder / "raw" / "dark_001.nxs", folder / "no_pid.nxs")
    with h5py.File(folder / "no_pid.nxs", "a") as f:
        del f["entry/entry_identifier"]
    shutil.copy(folder / "raw" / "dark_001.nxs", folder / "bad_pid.nxs")
    with h5py.File(folder / "bad_pid.nxs", "a") as f:
        del f["entry/entry_identifier"]
        f["entry/entry_identifier"] = "not a pid"
    with h5py.File(folder / "plain.h5", "w") as f:
        f["x"] = np.arange(4)
    (folder / "readme.txt").write_text("not read: not a NeXus suffix")
    report = catalog.ingest(folder)
    assert names(report.ingested) == ["dark_001.nxs", "scan_001.nxs", "scan_001_integrated.nxs", "scan_001_normalised.nxs"]
    assert names(report.skipped) == ["plain.h5"]
    assert "without an NXentry" in report.skipped[0].reason
    failed = {Path(i.path).name: i for i in report.failed}
    assert sorted(failed) == ["bad_pid.nxs", "cut.nxs", "no_pid.nxs", "notes.h5"]
    assert failed["notes.h5"].error == "NexusError" and "not an HDF5 file" in failed["notes.h5"].reason
    assert failed["cut.nxs"].error == "NexusError" and "cut.nxs" in failed["cut.nxs"].reason
    assert failed["no_pid.nxs"].error == "ValidationError" and "/entry/entry_identifier" in failed["no_pid.nxs"].reason
    assert "must be a PID" in failed["bad_pid.nxs"].reason
    assert catalog.count_datasets() == 4


def test_files_from_h5py_are_ingested_with_what_they_have(catalog: dt.Catalog, tmp_path: Path) -> None:
    path = tmp_path / "h5py_scan.nxs"
    with h5py.File(path, "w") as f:
        f.attrs["default"] = "entry"
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        entry["title"] = "written by h5py"
        entry["start_time"] = "2026-03-01T10:00:00+01:00"
        sample = entry.create_group("sample")
        sample.attrs["NX_class"] = "NXsample"
        sample["name"] = "LaB6"
        sample["temperature"] = 295.0
        sample["temperature"].attrs["units"] = "K"
        meta = entry.create_group("metadata")
        meta.attrs["NX_class"] = "NXcollection"
        meta["energy"] = 12.7
        meta["energy"].attrs["units"] = "keV"
        meta["odd"] = 1.0
        meta["odd"].attrs["units"] = "not-a-unit"
        data = entry.create_group("data")
        data.attrs["NX_class"] = "NXdata"
        data.attrs["signal"] = "counts"
        data["counts"] = np.arange(10, dtype=np.int32)
    # h5py's file is closed (file locks are per library) before datatrail opens it.
    report = catalog.ingest(path)
    (item,) = report.ingested
    assert dt.is_valid_pid(item.dataset) and item.dataset.startswith(catalog.pid_prefix + "/")
    assert any("derived from its content" in n for n in item.notes)
    assert any("'odd'" in n for n in item.notes)  # a unit UDUNITS does not know: left out, with a note
    d = catalog.dataset(item.dataset)
    assert d.name == "written by h5py" and d.kind == "raw"
    assert d.start_time == dtm.datetime(2026, 3, 1, 9, 0, tzinfo=dtm.timezone.utc)
    assert d.metadata["energy"] == dt.Quantity(12.7, "keV")
    assert d.metadata["sample.temperature"] == dt.Quantity(295.0, "K")
    assert "odd" not in d.metadata
    assert catalog.sample("LaB6").name == "LaB6"
    # The PID comes from the file's content: the same file again is the same dataset.
    again = catalog.ingest(path)
    assert [i.dataset for i in again.already_present] == [item.dataset]


def test_the_example_file_nexusformat_ships_is_ingested(catalog: dt.Catalog, tmp_path: Path) -> None:
    shutil.copy(CHOPPER, tmp_path / "chopper.nxs")
    report = catalog.ingest(tmp_path)
    (item,) = report.ingested
    d = catalog.dataset(item.dataset)
    assert d.name.startswith("MgB2 PDOS")
    assert d.techniques == ["NXdirecttof"]
    assert d.metadata["sample.temperature"] == dt.Quantity(8.0, "K")
    assert d.instrument == catalog.instrument("LRMECS").pid
    assert d.files[0].sha256 == dt.sha256_file(tmp_path / "chopper.nxs")


def test_progress_is_reported_to_a_callable_and_as_a_bar(catalog: dt.Catalog, source: Source,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[tuple[str, int, int, str]] = []
    catalog.ingest(source.folder / "raw", progress=lambda *a: seen.append(a))
    assert [(s, d, t) for s, d, t, _ in seen] == [("reading", 1, 2), ("reading", 2, 2), ("registering", 1, 2),
                                                  ("registering", 2, 2)]
    assert Path(seen[0][3]).name == "dark_001.nxs"
    dt.ingest(catalog, source.folder / "processed", progress=True)
    err = capsys.readouterr().err
    assert "registering [" in err and "2/2" in err


def test_an_exception_from_the_progress_callable_stops_the_ingest(catalog: dt.Catalog, source: Source) -> None:
    def stop(stage: str, done: int, total: int, path: str) -> None:
        if stage == "registering" and done == 1:
            raise KeyError("stop here")

    with pytest.raises(KeyError, match="stop here"):
        catalog.ingest(source.folder / "raw", progress=stop)
    assert catalog.count_datasets() == 1  # the file registered before the callback raised stays


def test_suffixes_and_recursion_choose_the_files(catalog: dt.Catalog, source: Source) -> None:
    assert catalog.ingest(source.folder, recursive=False).ingested == []
    report = catalog.ingest(source.folder, suffixes=[".NXS"])
    assert len(report.ingested) == 4
    assert catalog.ingest(source.folder, suffixes=[".h5"]).already_present == []


def test_bad_arguments_are_named(catalog: dt.Catalog, tmp_path: Path) -> None:
    with pytest.raises(dt.ValidationError) as e:
        catalog.ingest(tmp_path / "missing")
    assert [(v.field, v.rule) for v in e.value.violations] == [("path", "must be an existing file or folder")]
    with pytest.raises(dt.ValidationError) as e:
        catalog.ingest(tmp_path, suffixes=["nxs", ".h5"])
    assert [v.field for v in e.value.violations] == ["suffixes[0]"]
    with pytest.raises(dt.ValidationError) as e:
        catalog.ingest(tmp_path, suffixes=".nxs")  # type: ignore[arg-type]
    assert e.value.violations[0].field == "suffixes"
    with pytest.raises(dt.ValidationError) as e:
        catalog.ingest(tmp_path, progress="yes")  # type: ignore[arg-type]
    assert e.value.violations[0].field == "progress"
    with pytest.raises(dt.ValidationError) as e:
        catalog.ingest(tmp_path, recursive="yes")  # type: ignore[arg-type]
    assert e.value.violations[0].field == "recursive"
    with pytest.raises(dt.ValidationError) as e:
        catalog.ingest(None)  # type: ignore[arg-type]
    assert e.value.violations[0].field == "path"


def test_a_read_only_catalogue_is_refused(catalog_path: str | Path, source: Source) -> None:
    dt.Catalog(catalog_path).close()
    with dt.Catalog(catalog_path, read_only=True) as cat:
        with pytest.raises(dt.StorageError, match="read"):
            cat.ingest(source.folder)
    with dt.Catalog(catalog_path) as cat:
        assert cat.count_datasets() == 0


def test_the_gil_is_released_while_ingesting(engine: str, catalog_path: str | Path, source: Source) -> None:
    """As in test_concurrency: another connection holds the write lock, and the ingest waits for it
    at its first write. If the ingest held the GIL, this thread could not count, nor release the
    lock, and the ingest would time out."""
    with dt.Catalog(catalog_path, busy_timeout=20.0) as cat:
        blocker = Blocker(engine, catalog_path)
        result: dict[str, object] = {}

        def run() -> None:
            try:
                result["report"] = cat.ingest(source.folder)
            except BaseException as e:  # noqa: BLE001
                result["error"] = e

        thread = threading.Thread(target=run)
        thread.start()
        progressed = 0
        while thread.is_alive() and progressed < 200_000:
            progressed += 1
        assert thread.is_alive(), "the ingest finished while the lock was held"
        blocker.release()
        thread.join(timeout=60)
        assert "error" not in result, result.get("error")
        assert progressed == 200_000
        assert cat.count_datasets() == 4



@pytest.mark.parametrize(
    ("compression", "separate_data_file"),
    [("none", False), ("none", True), ("gzip", False), ("lz4", True), ("blosc", False), ("bitshuffle_lz4", True)],
)
def test_streamed_files_read_back_and_rebuild_their_dataset(catalog: dt.Catalog, tmp_path: Path, compression: str,
                                                            separate_data_file: bool) -> None:
    folder = tmp_path / "stream"
    folder.mkdir()
    source = dt.Catalog(":memory:")
    source.add_instrument("P11", facility="PETRA III", type="beamline")
    scan = source.register_dataset("scan_streamed", instrument="P11", location=str(folder), start_time=START,
                                   metadata={"energy": (12.7, "keV"), "detector.name": "Eiger2"})
    frames = np.random.default_rng(11).poisson(3.0, size=(6, 16, 16)).astype(np.uint16)
    with dt.nexus.FrameStack(folder / "scan.nxs", source, scan, dtype="uint16", frame_shape=(16, 16),
                             compression=compression, separate_data_file=separate_data_file) as stack:
        for frame in frames:
            stack.append(frame)
    written = source.dataset(scan.pid)
    assert written.state == "complete" and written.end_time is not None

    # Read back by datatrail itself, through whatever filter and external link the stream used.
    info = dt.nexus.read_file(folder / "scan.nxs").data
    assert info is not None and info.signal.shape == frames.shape
    assert Path(info.signal.file).name == ("scan_data.h5" if separate_data_file else "scan.nxs")
    signal, _ = dt.nexus.read_data(folder / "scan.nxs")
    np.testing.assert_array_equal(signal, frames)

    report = catalog.ingest(folder)
    assert report.failed == []
    assert names(report.ingested) == ["scan.nxs"]
    # A data file is part of its master's dataset, not a dataset of its own.
    assert names(report.skipped) == (["scan_data.h5"] if separate_data_file else [])
    d = catalog.dataset(scan.pid)
    for field in ("name", "kind", "state", "start_time", "end_time", "instrument", "metadata"):
        assert getattr(d, field) == getattr(written, field), field
    assert sorted((f.path, f.size, f.sha256) for f in d.files) == sorted(
        (f.path, f.size, f.sha256) for f in written.files)
    assert len(d.files) == (2 if separate_data_file else 1)

    again = catalog.ingest(folder)
    assert again.ingested == [] and names(again.already_present) == ["scan.nxs"]


def test_a_metadata_key_held_with_another_type_fails_the_file_and_writes_nothing_for_it(catalog: dt.Catalog,
                                                                                       tmp_path: Path) -> None:
    catalog.register_dataset("earlier", metadata={"energy": (12.7, "keV")})
    source = dt.Catalog(":memory:")
    source.add_instrument("ID11", facility="ESRF")
    source.add_investigation("ma9999", instrument="ID11")
    odd = source.register_dataset("odd", instrument="ID11", investigation="ma9999", metadata={"energy": "high"})
    dt.nexus.write_raw_file(tmp_path / "odd.nxs", source, odd, np.zeros((2, 2), np.uint16))
    report = catalog.ingest(tmp_path / "odd.nxs")
    assert [(Path(i.path).name, i.error) for i in report.failed] == [("odd.nxs", "ValidationError")]
    assert "energy" in report.failed[0].reason
    # Nothing the file refers to was added for it.
    assert catalog.instruments() == [] and catalog.investigations() == []
    assert [d.name for d in catalog.find_datasets()] == ["earlier"]
