"""Metadata schemas from Python, on both engines: the example schemas and datasets of
examples/schemas/ registered into a real catalogue, strict and lenient schemas, validation on
demand, and every entry point's bad input."""

from __future__ import annotations

import datetime as dtm
from pathlib import Path
from typing import Any

import pytest
import yaml

import datatrail as dt
from conftest import REPO

SCHEMAS = REPO / "examples" / "schemas"
EXAMPLES = sorted((SCHEMAS / "examples").glob("*.yaml"))

SCAN = """
name: scan
version: "1.0"
fields:
  energy: {type: float, unit: keV, required: true, minimum: 5 keV, maximum: 30 keV}
  detector: {type: enum, allowed: [eiger, pilatus], default: eiger}
"""
LENIENT = SCAN.replace('version: "1.0"', 'version: "1.1"\nstrict: false')


def value(v: Any) -> Any:
    """An example file's value as register_dataset takes it (format: docs/schemas.md)."""
    if isinstance(v, dict) and "json" in v:
        return v["json"]
    if isinstance(v, dict) and "value" in v:
        return (v["value"], v["unit"], v["uncertainty"]) if "uncertainty" in v else (v["value"], v["unit"])
    return v


def load_example(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    return {
        "schema": data["schema"],
        "dataset": {
            "name": path.stem, "kind": data["kind"], "techniques": data.get("techniques", []),
            "instrument": data.get("instrument", ""), "schema": data["schema"],
            "metadata": {k: value(v) for k, v in (data.get("metadata") or {}).items()},
        },
        "stored": {k: value(v) for k, v in (data.get("stored") or {}).items()},
        "violations": [(v["field"], v["rule"]) for v in data.get("violations") or []],
    }


def add_example_schemas(cat: dt.Catalog) -> list[dt.Schema]:
    added = [cat.add_schema(SCHEMAS / "common.yaml")]
    added += [cat.add_schema(str(p)) for p in sorted(SCHEMAS.glob("*.yaml")) if p.name != "common.yaml"]
    return added


def same_value(got: Any, want: Any) -> bool:
    if isinstance(want, tuple):
        return (isinstance(got, dt.Quantity) and got.unit == want[1]
                and got.value == pytest.approx(want[0]) and (len(want) < 3 or got.uncertainty == pytest.approx(want[2])))
    if isinstance(got, dtm.datetime):
        return got == dt.parse_time(want)
    return bool(got == want)


def test_the_example_schemas_register_their_good_datasets_and_refuse_their_broken_ones(catalog: dt.Catalog) -> None:
    schemas = add_example_schemas(catalog)
    assert {s.name for s in schemas} == {"common", "mx", "tomo", "sas", "draco-shot"}
    examples = [load_example(p) for p in EXAMPLES]
    for instrument in sorted({e["dataset"]["instrument"] for e in examples} - {""}):
        catalog.add_instrument(name=instrument, facility="X", type="beamline")
    good = broken = kept = 0
    for e in examples:
        name = e["dataset"]["name"]
        expected = sorted(e["violations"])
        if not expected:
            ds = catalog.register_dataset(**e["dataset"])
            assert ds.valid and ds.schema == e["schema"], name
            for key, want in e["stored"].items():
                assert same_value(ds.metadata[key], want), (name, key, ds.metadata[key], want)
            assert catalog.validate(pids=[ds.pid])[0].ok, name
            good += 1
            continue
        broken += 1
        if catalog.schema(e["schema"]).strict:
            before = catalog.count_datasets()
            with pytest.raises(dt.ValidationError) as info:
                catalog.register_dataset(**e["dataset"])
            found = info.value.violations
            assert catalog.count_datasets() == before, name
        else:
            ds = catalog.register_dataset(**e["dataset"])
            assert not ds.valid, name
            found = ds.violations
            kept += 1
        # Every violation named, and no other: field and rule.
        assert sorted(v.field for v in found) == [f for f, _ in expected], name
        for field, rule in expected:
            assert any(v.field == field and rule in v.rule for v in found), (name, field, rule)
    assert good >= 8 and broken >= 5 and kept >= 1
    assert catalog.count_datasets(valid=False) == kept
    assert catalog.count_datasets("valid == true") == good


def test_add_schema_takes_a_schema_a_path_or_text_and_is_versioned(catalog: dt.Catalog, tmp_path: Path) -> None:
    path = tmp_path / "scan.yaml"
    path.write_text(SCAN)
    first = catalog.add_schema(path)
    assert repr(first) == "Schema('scan@1.0', 2 fields, strict)"
    assert catalog.add_schema(str(path)) == first  # the same again: nothing changes
    assert catalog.add_schema(dt.parse_schema(SCAN, "again.yaml")).id == "scan@1.0"
    catalog.add_schema(LENIENT)
    assert [s.id for s in catalog.schemas()] == ["scan@1.0", "scan@1.1"]
    assert catalog.schema("scan").version == "1.1" and catalog.schema("scan@1.0").strict
    energy = catalog.schema("scan@1.0").field("energy")
    assert energy is not None and energy.unit == "keV" and energy.required
    assert energy.minimum == dt.Quantity(5, "keV") and energy.maximum == dt.Quantity(30, "keV")
    detector = catalog.schema("scan@1.0").field("detector")
    assert detector is not None and detector.type == "enum" and detector.allowed == ["eiger", "pilatus"]
    assert detector.default == "eiger"
    with pytest.raises(dt.Conflict) as conflict:
        catalog.add_schema(SCAN.replace("30 keV", "40 keV"))
    assert [d.field for d in conflict.value.differences] == ["schema scan@1.0"]
    with pytest.raises(dt.NotFound):
        catalog.schema("scan@2")
    # The catalogue keeps a schema's YAML: one it flattened has none of its own.
    catalog.add_schema("name: child\nversion: '1'\nextends: scan@1.0\nfields:\n  note: {type: string}\n")
    with pytest.raises(dt.ValidationError) as flattened:
        catalog.add_schema(catalog.schema("child"))
    assert flattened.value.violations[0].field == "schema.source"


def test_a_malformed_schema_names_file_line_and_column_and_nothing_is_stored(catalog: dt.Catalog,
                                                                             tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text('name: bad\nversion: "1"\nfields:\n  energy: {type: float, unit: bogus_unit, requried: true}\n')
    with pytest.raises(dt.ValidationError) as info:
        catalog.add_schema(path)
    # Every problem, each with the file, line and column: a unit UDUNITS-2 does not know, a typo.
    fields = sorted(v.field for v in info.value.violations)
    assert fields == [f"{path}:4:31: fields.energy.unit", f"{path}:4:43: fields.energy.requried"], fields
    with pytest.raises(dt.ValidationError):
        catalog.add_schema("name: child\nversion: '1'\nextends: missing\nfields: {}\n")  # no parent here
    for bad in [42, None, ["name: x"]]:
        with pytest.raises(dt.ValidationError) as err:
            catalog.add_schema(bad)  # type: ignore[arg-type]
        assert err.value.violations[0].field == "schema"
    assert catalog.schemas() == []


def test_lenient_datasets_are_kept_invalid_found_fixed_and_validated_again(catalog: dt.Catalog) -> None:
    catalog.add_schema(SCAN)
    catalog.add_schema(LENIENT)
    hot = catalog.register_dataset("hot", schema="scan@1.1", metadata={"energy": (50, "keV"), "detector": "mar"})
    assert not hot.valid
    assert sorted(v.field for v in hot.violations) == ["dataset.metadata.detector", "dataset.metadata.energy"]
    assert catalog.dataset(hot.pid).violations == hot.violations
    fine = catalog.register_dataset("fine", schema="scan", metadata={"energy": (12000, "eV")})
    assert fine.valid and fine.metadata["energy"] == dt.Quantity(12, "keV")
    plain = catalog.register_dataset("plain", metadata={"energy": (2, "keV")})
    assert plain.valid and plain.schema == ""

    assert [d.name for d in catalog.find_datasets(valid=False)] == ["hot"]
    assert [d.name for d in catalog.find_datasets("not valid == true")] == ["hot"]
    assert "dataset_invalid" in catalog.explain(valid=False)

    reports = catalog.validate()
    assert [(r.dataset, r.schema, len(r.violations)) for r in reports] == [
        (hot.pid, "scan@1.1", 2), (fine.pid, "scan@1.1", 0), (plain.pid, "", 0)]
    # Against the strict version, recorded: plain now names it and is invalid.
    strict = catalog.validate(pids=[plain.pid], schema="scan@1.0", record=True)
    assert [v.field for v in strict[0].violations] == ["dataset.metadata.energy"]
    stored = catalog.dataset(plain.pid)
    assert (stored.schema, stored.valid) == ("scan@1.0", False)

    catalog.set_metadata(hot.pid, {"energy": (20, "keV"), "detector": "pilatus"})
    assert catalog.dataset(hot.pid).valid
    assert [d.name for d in catalog.find_datasets(valid=False)] == ["plain"]


def test_bad_schema_references_and_validate_arguments_are_refused(catalog: dt.Catalog) -> None:
    catalog.add_schema(SCAN)
    with pytest.raises(dt.ValidationError) as info:
        catalog.register_datasets([{"name": "a", "schema": "scan", "metadata": {"energy": (10, "keV")}},
                                   {"name": "b", "schema": "nope"}])
    assert [(v.field, v.value) for v in info.value.violations] == [("datasets[1].schema", "nope")]
    assert catalog.count_datasets() == 0
    ds = catalog.register_dataset("a", schema="scan", metadata={"energy": (10, "keV")})
    with pytest.raises(dt.ValidationError) as strict:
        catalog.set_metadata(ds.pid, {"energy": (1, "keV")})
    assert strict.value.violations[0].field == "dataset.metadata.energy"
    assert catalog.dataset(ds.pid).metadata["energy"] == dt.Quantity(10, "keV")
    with pytest.raises(dt.ValidationError):
        catalog.validate("name == a", pids=[ds.pid])
    with pytest.raises(dt.ValidationError) as missing:
        catalog.validate(pids=[ds.pid, "local/none"])
    assert missing.value.violations[0].field == "pids[1]"
    with pytest.raises(dt.NotFound):
        catalog.validate(schema="nope")
    with pytest.raises(dt.ValidationError):
        catalog.find_datasets(valid="yes")  # type: ignore[arg-type]


def test_a_schema_checks_a_dataset_without_a_catalogue() -> None:
    schema = dt.parse_schema(SCAN)
    assert schema.check({"name": "x", "metadata": {"energy": (12, "keV")}}) == []
    violations = schema.check(dt.Dataset("x", metadata={"energy": (3, "keV")}))
    assert [v.field for v in violations] == ["dataset.metadata.energy"]
    assert "at least 5 keV" in violations[0].rule
    parsed = dt.load_schema(SCHEMAS / "mx.yaml")
    assert parsed.extends == "common@1.0" and parsed.applies_to["kinds"] == ["raw"]
    with pytest.raises(dt.Error):
        parsed.check({"name": "x"})  # it still extends common: flatten it in a catalogue first
