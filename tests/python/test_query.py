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


# ---- the query language ----------------------------------------------------------------------


def test_a_query_string_is_the_first_argument(beamtime: dt.Catalog) -> None:
    assert names(beamtime.find_datasets("energy > 12 keV or detector.name ~ 'pil*'")) == ["scan_001", "scan_002", "scan_003"]
    assert names(beamtime.find_datasets("not (energy > 12 keV) and exists energy")) == ["scan_003"]
    assert beamtime.count_datasets("energy between 12 and 13 keV and not detector.name == pilatus") == 2
    # Keyword filters narrow the query: both hold.
    assert names(beamtime.find_datasets("energy > 1 eV", investigation="ma1234", where="energy < 12.71 keV")) == [
        "scan_001", "scan_002"]
    assert names(beamtime.find_datasets("")) == names(beamtime.find_datasets())


def test_queries_are_trees_that_print_parse_and_pickle() -> None:
    import copy
    import pickle

    q = (dt.key("energy") > dt.Quantity(12, "keV")) & ~dt.key("state").isin(["failed", "acquiring"]) | dt.text("lyso*")
    assert q.kind == "or"
    assert [c.kind for c in q.children] == ["and", "text"]
    energy = q.children[0].children[0]
    assert (energy.key, energy.op, energy.operands) == ("energy", ">", [dt.Quantity(12.0, "keV")])
    assert dt.parse_query(str(q)) == q
    assert repr(dt.parse_query("a == 1")) == "Query('a == 1')"
    assert pickle.loads(pickle.dumps(q)) == q
    assert copy.deepcopy(q) == q
    assert hash(dt.parse_query("a == 1")) == hash(dt.parse_query("a = 1"))
    assert dt.key("x").between(1, 2, unit="mm") == dt.parse_query("x between 1 and 2 mm")
    assert dt.key("x").exists() == dt.parse_query("exists x")
    assert dt.Query() == dt.parse_query("") and dt.Query().kind == "all"


def test_query_syntax_errors_give_position_and_expectation(beamtime: dt.Catalog) -> None:
    for text, position, expected in [
        ("energy > 12 keV and (technique == MX", 36, "expected ')'"),
        ("energy >", 8, "expected a value"),
        ("kind in raw", 8, "expected '['"),
        ("energy > 5 parsecs_per_hour", 11, "not a unit"),
        ("a == 1 or or", 10, "expected a condition such as energy > 12 keV, not 'or'"),
    ]:
        with pytest.raises(dt.QuerySyntaxError) as info:
            beamtime.find_datasets(text)
        assert info.value.position == position, text
        assert expected in str(info.value), text
        assert info.value.query == text


def test_bad_queries_name_the_key_and_write_nothing(beamtime: dt.Catalog) -> None:
    cases: list[tuple[object, type[Exception], str]] = [
        ("kind == cooked", dt.ValidationError, "query.kind"),
        ("start > 5", dt.ValidationError, "query.start"),
        ("technique < MX", dt.ValidationError, "query.technique"),
        ("energy ~ '12*'", dt.ValidationError, "query.energy"),
        ("energy > 5 mm", dt.UnitError, "query.energy"),
        (dt.key("energy") > float("nan"), dt.ValidationError, "query.energy"),
        (dt.key("name") == "a\0b", dt.ValidationError, "query.name"),
        (42, dt.ValidationError, "query"),
    ]
    for query, error, field in cases:
        with pytest.raises(error) as info:
            beamtime.find_datasets(query)  # type: ignore[arg-type]
        assert info.value.violations[0].field == field, query
    with pytest.raises(dt.ValidationError) as bad:
        dt.key("x").isin([])
    assert bad.value.violations[0].field == "values"
    with pytest.raises(dt.ValidationError):
        beamtime.find_datasets(order="technique")
    assert beamtime.count_datasets() == 3


def test_injection_attempts_are_plain_values(beamtime: dt.Catalog) -> None:
    attempts = ["x'); DROP TABLE dataset; --", "' OR '1'='1", '" OR 1=1 --', "*/ SELECT 1 /*", "\x01\x02 x", "a;b"]
    for text in attempts:
        q = (dt.key("detector.name") == text) | dt.key("name").glob(text) | dt.text(text) | (dt.key("sample") == text)
        assert beamtime.find_datasets(q) == [], repr(text)
        assert beamtime.find_datasets(dt.parse_query(str(q))) == [], repr(text)
    assert beamtime.count_datasets() == 3


def test_injection_attempts_in_keys_and_sort_keys_are_refused(beamtime: dt.Catalog) -> None:
    for key in ["x'); DROP TABLE dataset; --", "energy;DELETE FROM dataset", "a--b", "a/*b*/", "a b", "a\0b"]:
        with pytest.raises(dt.ValidationError):
            beamtime.find_datasets(dt.key(key) == 1)
        with pytest.raises(dt.ValidationError) as order:
            beamtime.find_datasets(order=key)
        assert order.value.violations[0].field == "order"
        with pytest.raises((dt.QuerySyntaxError, dt.ValidationError)):
            beamtime.find_datasets(f"{key} == 1")
    assert beamtime.count_datasets() == 3


def test_sort_by_any_field_or_metadata_key(beamtime: dt.Catalog) -> None:
    assert names(beamtime.find_datasets(order="energy")) == ["scan_003", "scan_001", "scan_002"] or names(
        beamtime.find_datasets(order="energy")) == ["scan_003", "scan_002", "scan_001"]
    assert names(beamtime.find_datasets(order="energy", descending=True))[-1] == "scan_003"
    assert names(beamtime.find_datasets(order="detector.name", descending=True)) == ["scan_003", "scan_002", "scan_001"]
    assert names(beamtime.find_datasets(order="humidity")) == ["scan_001", "scan_002", "scan_003"]
    assert names(beamtime.find_datasets(order="name", limit=None)) == ["scan_001", "scan_002", "scan_003"]
    assert beamtime.find_datasets(limit=0) == []


def test_explain_shows_the_metadata_index(beamtime: dt.Catalog) -> None:
    assert "dataset_metadata_si" in beamtime.explain("energy between 12 and 13 keV")
    assert "dataset_metadata_text" in beamtime.explain("detector.name == 'eiger'")
