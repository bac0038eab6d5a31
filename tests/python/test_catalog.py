"""Registering and reading back: every record, every metadata type, Python conveniences."""

from __future__ import annotations

import datetime as dtm
import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

import datatrail as dt

UTC = dtm.timezone.utc


def test_a_catalogue_is_created_and_reopened(engine: str, catalog_path: Path) -> None:
    with dt.Catalog(catalog_path, pid_prefix="esrf") as cat:
        assert cat.pid_prefix == "esrf"
        assert cat.schema_version == dt.Catalog.latest_schema_version()
        pid = cat.register_dataset("scan").pid
        assert pid.startswith("esrf/")
    if engine == "sqlite":
        assert Path(catalog_path).exists()
    with dt.Catalog(str(catalog_path)) as again:
        assert again.pid_prefix == "esrf"
        assert again.dataset(pid).name == "scan"
    with pytest.raises(dt.Conflict):
        dt.Catalog(catalog_path, pid_prefix="hzdr")


def test_options_of_one_engine_are_refused_by_the_other(tmp_path: Path, postgres_database: str) -> None:
    with pytest.raises(dt.ValidationError, match="PostgreSQL catalogues only"):
        dt.Catalog(tmp_path / "c.db", postgres_pool_size=2)
    assert not (tmp_path / "c.db").exists()
    with pytest.raises(dt.ValidationError, match="postgres_pool_size"):
        dt.Catalog(postgres_database, postgres_pool_size=-1)
    with dt.Catalog(postgres_database, postgres_pool_size=2) as cat:
        cat.register_dataset("scan")
        assert cat.count_datasets() == 1


def test_a_postgresql_uri_is_shown_without_its_password(postgres_database: str) -> None:
    # A URI with a password: the server trusts the socket, so any password is accepted.
    with_password = postgres_database.replace("user=datatrail", "user=datatrail&password=s3cret")
    with dt.Catalog(with_password) as cat:
        assert "s3cret" not in repr(cat) and "password=***" in repr(cat)


def test_a_closed_catalogue_says_so(catalog_path: Path) -> None:
    cat = dt.Catalog(catalog_path)
    cat.close()
    assert cat.closed
    with pytest.raises(dt.Error, match="closed"):
        cat.count_datasets()


def test_instruments_investigations_samples(catalog: dt.Catalog) -> None:
    inst = catalog.add_instrument(name="ID11", facility="ESRF", type="beamline")
    assert isinstance(inst, dt.Instrument)
    inv = catalog.add_investigation(
        name="ma1234",
        title="Strain",
        instrument=inst,  # an object works where a PID or name does
        start_time=dtm.datetime(2026, 11, 20, 8, tzinfo=UTC),
        participants=[dt.Participant(name="Ada", role="PI", orcid="0000-0002-1825-0097"), {"name": "Bob", "role": "co-investigator"}],
        doi="10.15151/ESRF-ES-1",
    )
    assert inv.instrument == inst.pid
    assert [p.name for p in catalog.investigation("ma1234").participants] == ["Ada", "Bob"]
    assert catalog.investigation(inv.pid).start_time == dtm.datetime(2026, 11, 20, 8, tzinfo=UTC)
    rod = catalog.add_sample(name="rod", metadata={"mass": (2.5, "g")})
    piece = catalog.add_sample(name="piece", parent=rod, investigation="ma1234")
    assert piece.parent == rod.pid
    assert catalog.sample("rod").metadata["mass"] == dt.Quantity(2.5, "g")
    assert [s.name for s in catalog.samples()] == ["rod", "piece"]
    assert [i.name for i in catalog.instruments()] == ["ID11"]
    assert [i.name for i in catalog.investigations()] == ["ma1234"]


def test_every_metadata_type_round_trips(catalog: dt.Catalog) -> None:
    when = dtm.datetime(2026, 11, 20, 10, 0, 0, 123456, tzinfo=UTC)
    metadata = {
        "energy": (12.7, "keV"),
        "distance": dt.Quantity(250.0, "mm", uncertainty=0.5),
        "frames": 3600,
        "gain": 1.5,
        "detector.name": "eiger2",
        "detector.cooled": True,
        "started": when,
        "roi": [0, 0, 1024, 1024],
        "wavelengths": ([0.97, 0.98], "angstrom"),
        "filters": ["Al", "Cu"],
        "config": {"mode": "fast", "gains": [1, 2]},
    }
    ds = catalog.register_dataset("scan", metadata=metadata)
    got = catalog.dataset(ds.pid).metadata
    assert got["energy"] == dt.Quantity(12.7, "keV")
    assert got["distance"] == dt.Quantity(250.0, "mm", uncertainty=0.5)
    assert got["frames"] == 3600 and type(got["frames"]) is int
    assert got["gain"] == 1.5 and type(got["gain"]) is float
    assert got["detector.name"] == "eiger2"
    assert got["detector.cooled"] is True
    assert got["started"] == when and got["started"].tzinfo is not None
    assert got["roi"] == [0, 0, 1024, 1024]
    assert got["wavelengths"] == dt.Quantity([0.97, 0.98], "angstrom")
    assert got["filters"] == ["Al", "Cu"]
    assert got["config"] == {"mode": "fast", "gains": [1, 2]}


def test_many_metadata_values_are_stored_found_and_replaced(catalog: dt.Catalog) -> None:
    # More values than PostgreSQL is sent in one statement (16 rows), and a count that is no
    # multiple of it: each value must land once, with its own key, in either engine.
    metadata = {f"scan.v{i:02d}": (float(i), "mm") for i in range(37)}
    metadata["scan.mode"] = "fly"
    first, second = catalog.register_datasets([
        {"name": "many", "metadata": metadata},
        {"name": "other", "metadata": {"scan.v00": (5.0, "m")}},
    ])
    got = catalog.dataset(first.pid).metadata
    assert got == {**{k: dt.Quantity(*v) for k, v in metadata.items() if k != "scan.mode"}, "scan.mode": "fly"}
    assert catalog.dataset(second.pid).metadata == {"scan.v00": dt.Quantity(5.0, "m")}
    assert [d.name for d in catalog.find_datasets(where="scan.v36 = 3.6 cm")] == ["many"]

    catalog.set_metadata(first, {f"scan.v{i:02d}": (i + 0.5, "mm") for i in range(0, 37, 2)})
    got = catalog.dataset(first.pid).metadata
    assert len(got) == 38
    assert got["scan.v00"] == dt.Quantity(0.5, "mm") and got["scan.v01"] == dt.Quantity(1.0, "mm")
    assert got["scan.v36"] == dt.Quantity(36.5, "mm")


def test_keywords_and_techniques_keep_quotes_commas_and_braces(catalog: dt.Catalog) -> None:
    awkward = ['say "hi"', "back\\slash", "a,b", "{braced}", "NULL", " spaced ", "Ünïcode"]
    ds = catalog.register_dataset("odd", keywords=awkward, techniques=list(reversed(awkward)))
    got = catalog.dataset(ds.pid)
    assert got.keywords == awkward
    assert got.techniques == list(reversed(awkward))
    assert [d.name for d in catalog.find_datasets(keyword="a,b")] == ["odd"]


def test_numpy_scalars_and_arrays_are_accepted(catalog: dt.Catalog) -> None:
    ds = catalog.register_dataset(
        "np",
        metadata={
            "i": np.int32(7),
            "f": np.float32(1.5),
            "b": np.bool_(True),
            "a": np.arange(3),
            "q": (np.float64(12.7), "keV"),
            "fa": np.linspace(0.0, 1.0, 3),
        },
    )
    got = catalog.dataset(ds.pid).metadata
    assert got["i"] == 7 and type(got["i"]) is int
    assert got["f"] == 1.5
    assert got["b"] is True
    assert got["a"] == [0, 1, 2]
    assert got["q"] == dt.Quantity(12.7, "keV")
    assert got["fa"] == [0.0, 0.5, 1.0]


def test_naive_datetimes_are_local_time(catalog: dt.Catalog) -> None:
    naive = dtm.datetime(2026, 11, 20, 10, 0, 0)
    ds = catalog.register_dataset("t", start_time=naive)
    assert catalog.dataset(ds.pid).start_time == naive.astimezone(UTC)
    ds = catalog.register_dataset("iso", start_time="2026-11-20T10:00:00+01:00", end_time=dtm.date(2026, 11, 21))
    got = catalog.dataset(ds.pid)
    assert got.start_time == dtm.datetime(2026, 11, 20, 9, tzinfo=UTC)
    assert got.end_time == dtm.datetime(2026, 11, 21, tzinfo=UTC)


def test_files_described_from_disk(tmp_path: Path, catalog: dt.Catalog) -> None:
    (tmp_path / "scan").mkdir()
    content = b"detector frames"
    (tmp_path / "scan" / "frames.h5").write_bytes(content)
    ds = catalog.register_dataset("scan", location=str(tmp_path), files=["scan/frames.h5"], describe_files=True)
    f = catalog.dataset(ds.pid).files[0]
    assert f.path == "scan/frames.h5"
    assert f.size == len(content)
    assert f.sha256 == hashlib.sha256(content).hexdigest()
    assert f.format == "hdf5"
    assert abs(f.modified.timestamp() - os.path.getmtime(tmp_path / "scan" / "frames.h5")) < 1e-3
    assert dt.sha256_file(tmp_path / "scan" / "frames.h5") == f.sha256
    assert dt.describe_file(str(tmp_path), "scan/frames.h5").sha256 == f.sha256


def test_acquisition_adds_files_and_metadata_then_completes(tmp_path: Path, catalog: dt.Catalog) -> None:
    ds = catalog.register_dataset("live", state="acquiring", location=str(tmp_path))
    (tmp_path / "f1.h5").write_bytes(b"1")
    catalog.add_files(ds.pid, ["f1.h5"], describe_files=True)
    catalog.add_files(ds.pid, [dt.Datafile(path="f2.h5", size=10), {"path": "f3.h5"}])
    catalog.set_metadata(ds, {"frames": 3})
    catalog.set_state(ds.pid, "complete", end_time=dtm.datetime(2026, 11, 20, 12, tzinfo=UTC))
    got = catalog.dataset(ds.pid)
    assert got.state == "complete"
    assert [f.path for f in got.files] == ["f1.h5", "f2.h5", "f3.h5"]
    assert got.metadata["frames"] == 3


def test_batch_registration_takes_dicts_and_objects(catalog: dt.Catalog) -> None:
    items: list = [{"name": f"scan_{i}", "metadata": {"index": i}} for i in range(100)]
    items.append(dt.Dataset(name="object", kind="processed"))
    stored = catalog.register_datasets(items)
    assert [d.name for d in stored[:3]] == ["scan_0", "scan_1", "scan_2"]
    assert stored[-1].kind == "processed"
    assert catalog.count_datasets() == 101
    assert len(catalog.find_datasets(limit=10)) == 10


def test_reprs_are_readable(beamtime: dt.Catalog) -> None:
    ds = beamtime.find_datasets(name="scan_001")[0]
    text = repr(ds)
    assert "scan_001" in text and ds.pid in text and "raw" in text
    assert "ID11" in repr(beamtime.instrument("ID11"))
    assert "keV" in str(dt.Quantity(12.7, "keV"))
    assert repr(beamtime).startswith("Catalog(")


def test_quantity_converts() -> None:
    q = dt.Quantity(12.7, "keV")
    assert q.to("eV") == dt.Quantity(pytest.approx(12700.0), "eV")
    with pytest.raises(dt.UnitError):
        q.to("mm")


def test_units_module() -> None:
    assert dt.units.convert(25.0, "degC", "K") == pytest.approx(298.15)
    assert dt.units.are_compatible("mm/pixel", "um/px")
    assert not dt.units.are_compatible("mm/pixel", "mm")
    assert dt.units.is_known("deg") and not dt.units.is_known("furlongz")
    assert dt.units.si_unit("degC") == "K"
    value, unit = dt.units.to_si(12.7, "keV")
    assert unit == dt.units.si_unit("J") and value == pytest.approx(2.0347e-15, rel=1e-3)


def test_pids() -> None:
    pid = dt.new_pid("hzdr")
    assert pid.startswith("hzdr/") and len(pid) == 5 + 26
    assert dt.is_valid_pid(pid)
    assert not dt.is_valid_pid("no slash")


def _metadata_state(ds: dt.Dataset) -> list:
    # The one list of (key, (code, payload), unit, uncertainty) tuples in a Dataset's pickle state.
    return next(x for x in ds.__getstate__() if isinstance(x, list) and x and isinstance(x[0], tuple))


def test_pickles_carry_fixed_value_type_codes() -> None:
    # Pickles (and catalogue rows) hold these codes; changing one breaks every pickle written before.
    when = dtm.datetime(2026, 1, 1, tzinfo=dtm.timezone.utc)
    ds = dt.Dataset(
        name="x",
        metadata={"s": "a", "i": 1, "f": 1.5, "b": True, "t": when, "ia": [1, 2], "fa": [1.0, 2.5], "sa": ["a", "b"]},
    )
    codes = {key: value[0] for key, value, _unit, _uncertainty in _metadata_state(ds)}
    assert codes == {"s": 0, "i": 1, "f": 2, "b": 3, "t": 4, "ia": 6, "fa": 7, "sa": 8}
    state = list(ds.__getstate__())
    position = state.index(_metadata_state(ds))
    state[position] = [("s", (42, "a"), "", None)]
    with pytest.raises(ValueError, match="unknown type code"):
        dt.Dataset.__new__(dt.Dataset).__setstate__(tuple(state))
