"""Finding datasets: metadata conditions across units, fields, text, order and paging."""

from __future__ import annotations

import datetime as dtm

import pytest

import datatrail as dt


def names(datasets: list[dt.Dataset]) -> list[str]:
    return [d.name for d in datasets]


def test_energy_between_12_and_13_kev_finds_12700_ev(beamtime: dt.Catalog) -> None:
    assert names(beamtime.find_datasets(where="energy between 12 and 13 keV")) == ["scan_001", "scan_002"]
    assert names(beamtime.find_datasets(where="energy = 12.7 keV")) == ["scan_001", "scan_002"]
    assert names(beamtime.find_datasets(where="energy < 0.01 MeV")) == ["scan_003"]
    assert beamtime.count_datasets(where="energy >= 8000 eV") == 3


def test_conditions_combine_and_take_objects(beamtime: dt.Catalog) -> None:
    assert names(beamtime.find_datasets(where="energy > 10 keV and detector.name = eiger")) == ["scan_001", "scan_002"]
    conditions = dt.parse_conditions("energy between 12 and 13 keV")
    assert conditions[0].key == "energy" and conditions[0].unit == "keV"
    assert names(beamtime.find_datasets(where=conditions)) == ["scan_001", "scan_002"]
    assert names(beamtime.find_datasets(where=["energy > 10 keV", "detector.name != eiger"])) == []


def test_field_filters(beamtime: dt.Catalog) -> None:
    assert names(beamtime.find_datasets(investigation="ma1234")) == ["scan_001", "scan_002"]
    inv = beamtime.investigation("ma1234")
    assert names(beamtime.find_datasets(investigation=inv)) == ["scan_001", "scan_002"]
    assert names(beamtime.find_datasets(sample="LaB6")) == ["scan_003"]
    assert names(beamtime.find_datasets(name="scan_00[23]")) == ["scan_002", "scan_003"]
    assert names(beamtime.find_datasets(kind="processed")) == []
    assert names(beamtime.find_datasets(text="pilatus")) == ["scan_003"]
    assert names(beamtime.find_datasets(order="name", descending=True, limit=2)) == ["scan_003", "scan_002"]
    assert names(beamtime.find_datasets(order="name", offset=1)) == ["scan_002", "scan_003"]


def test_time_range(catalog: dt.Catalog) -> None:
    utc = dtm.timezone.utc
    for hour in range(4):
        catalog.register_dataset(f"s{hour}", start_time=dtm.datetime(2026, 11, 20, hour, tzinfo=utc))
    found = catalog.find_datasets(
        started_after=dtm.datetime(2026, 11, 20, 1, tzinfo=utc), started_before="2026-11-20T03:00:00Z"
    )
    assert names(found) == ["s1", "s2"]


def test_results_iterate(beamtime: dt.Catalog) -> None:
    total = 0
    for ds in beamtime.find_datasets():
        assert isinstance(ds, dt.Dataset)
        total += 1
    assert total == 3


def test_syntax_errors_carry_the_position(beamtime: dt.Catalog) -> None:
    with pytest.raises(dt.QuerySyntaxError) as info:
        beamtime.find_datasets(where="energy >> 5 keV")
    assert info.value.position == 8
    assert info.value.query == "energy >> 5 keV"
    assert "position 8" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_a_unit_of_the_wrong_dimension_is_an_error_not_an_empty_result(beamtime: dt.Catalog) -> None:
    with pytest.raises(dt.UnitError) as info:
        beamtime.find_datasets(where="energy > 5 mm")
    assert info.value.violations[0].field == "where.energy"
    with pytest.raises(dt.NotFound):
        beamtime.find_datasets(investigation="no-such-proposal")


def test_text_search_takes_any_text(beamtime: dt.Catalog) -> None:
    # Control characters (NUL too) separate words; quotes and operators are plain text.
    for text in ["eiger\0", "\0eiger", "eig*\x01", "eiger\n\t", '"eiger"']:
        assert {d.name for d in beamtime.find_datasets(text=text)} == {"scan_001", "scan_002"}, repr(text)
    for text in ["AND OR NOT ( ) * ^ :", "'; DROP TABLE dataset; --", "NEAR(eiger pilatus)"]:
        assert beamtime.find_datasets(text=text) == [], repr(text)
    assert beamtime.count_datasets(text="\0 \x01") == 3  # no words: no text filter, as for ""
    assert beamtime.count_datasets(text="eiger\0pilatus") == 0  # both words must occur
