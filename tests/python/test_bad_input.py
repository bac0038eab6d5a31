"""Every rule on user input, from Python: the error names field, value and rule; nothing is written."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import datatrail as dt


def violations(info: pytest.ExceptionInfo) -> set[tuple[str, str]]:
    return {(v.field, v.value) for v in info.value.violations}


def test_the_error_tree_mirrors_cpp() -> None:
    assert issubclass(dt.ValidationError, dt.Error) and issubclass(dt.ValidationError, ValueError)
    assert issubclass(dt.UnitError, dt.ValidationError)
    assert issubclass(dt.NotFound, dt.Error) and issubclass(dt.NotFound, LookupError)
    assert issubclass(dt.Conflict, dt.Error)
    assert issubclass(dt.QuerySyntaxError, dt.Error)
    assert issubclass(dt.StorageError, dt.Error)
    assert issubclass(dt.NexusError, dt.Error)
    assert issubclass(dt.Error, Exception)


def test_empty_name_and_every_other_field_at_once(beamtime: dt.Catalog) -> None:
    with pytest.raises(dt.ValidationError) as info:
        beamtime.register_dataset(
            "  ",
            pid="not a pid",
            keywords=[""],
            start_time="2026-11-20T10:00Z",
            end_time="2026-11-20T09:00Z",
        )
    assert violations(info) >= {("dataset.name", "  "), ("dataset.pid", "not a pid"), ("dataset.keywords[0]", "")}
    assert any(v.field == "dataset.end_time" for v in info.value.violations)
    assert all(v.rule for v in info.value.violations)
    assert beamtime.count_datasets() == 3


def test_unknown_unit(beamtime: dt.Catalog) -> None:
    with pytest.raises(dt.UnitError) as info:
        beamtime.register_dataset("x", metadata={"speed": (3.0, "bogus_unit")})
    (v,) = info.value.violations
    assert v.field == "dataset.metadata.speed" and "bogus_unit" in v.value and "unknown" in v.rule
    assert beamtime.count_datasets() == 3


def test_incompatible_dimension(beamtime: dt.Catalog) -> None:
    with pytest.raises(dt.UnitError) as info:
        beamtime.register_dataset("x", metadata={"energy": (5.0, "mm")})
    assert "incompatible" in info.value.violations[0].rule
    assert beamtime.count_datasets() == 3


def test_wrong_types(beamtime: dt.Catalog) -> None:
    with pytest.raises(dt.ValidationError) as info:
        beamtime.register_dataset("x", metadata={"gain": math.nan, "2theta": 1.0, "window": [1.0, math.inf]})
    fields = {v.field for v in info.value.violations}
    assert fields == {"dataset.metadata.gain", "dataset.metadata.2theta", "dataset.metadata.window"}
    # A unit on a string: refused where Python values become catalogue values.
    with pytest.raises(dt.ValidationError) as info:
        beamtime.register_dataset("x", metadata={"label": dt.Quantity("text", "keV")})  # type: ignore[arg-type]
    assert info.value.violations[0].field == "dataset.metadata.label"
    with pytest.raises(dt.ValidationError) as info:
        beamtime.register_datasets([{"name": "ok"}, {"name": "y", "metadata": {"label": ("text", "keV", "x")}}])
    assert info.value.violations[0].field == "datasets[1].metadata.label"
    # 'detector.name' holds strings in this catalogue: a number is refused.
    with pytest.raises(dt.ValidationError) as info:
        beamtime.register_dataset("x", metadata={"detector.name": 5})
    assert info.value.violations[0].field == "dataset.metadata.detector.name"
    assert "must be a string" in info.value.violations[0].rule
    with pytest.raises(dt.ValidationError) as info:
        beamtime.register_dataset("x", metadata={"thing": object()})
    assert info.value.violations[0].field == "dataset.metadata.thing"
    with pytest.raises(dt.ValidationError):
        beamtime.register_dataset("x", kind="cooked")
    with pytest.raises(dt.ValidationError):
        beamtime.register_dataset("x", state="done")
    with pytest.raises(dt.ValidationError):
        beamtime.register_dataset("x", start_time="yesterday")
    assert beamtime.count_datasets() == 3


def test_duplicate_pid(beamtime: dt.Catalog) -> None:
    existing = beamtime.find_datasets()[0].pid
    with pytest.raises(dt.Conflict, match="must be unique"):
        beamtime.register_dataset("copy", pid=existing)
    with pytest.raises(dt.Conflict):
        beamtime.register_datasets([{"name": "a", "pid": "local/X"}, {"name": "b", "pid": "local/X"}])
    with pytest.raises(dt.Conflict):
        beamtime.add_investigation(name="ma1234")
    assert beamtime.count_datasets() == 3


def test_dangling_references(beamtime: dt.Catalog) -> None:
    with pytest.raises(dt.ValidationError) as info:
        beamtime.register_dataset("x", investigation="nope", instrument="nope", sample="nope")
    assert violations(info) == {("dataset.investigation", "nope"), ("dataset.instrument", "nope"), ("dataset.sample", "nope")}
    with pytest.raises(dt.ValidationError):
        beamtime.add_sample(name="s", parent="nope")
    assert beamtime.count_datasets() == 3


def test_a_batch_is_all_or_nothing(beamtime: dt.Catalog) -> None:
    batch = [{"name": f"b{i}"} for i in range(50)]
    batch[30]["metadata"] = {"energy": (1.0, "parsecs")}
    with pytest.raises(dt.ValidationError) as info:
        beamtime.register_datasets(batch)
    assert info.value.violations[0].field == "datasets[30].metadata.energy"
    assert beamtime.count_datasets() == 3


def test_files(tmp_path: Path, beamtime: dt.Catalog) -> None:
    with pytest.raises(dt.ValidationError) as info:
        beamtime.register_dataset("x", files=["/abs.h5", "../up.h5", "a.h5", "a.h5"])
    assert len(info.value.violations) == 3
    with pytest.raises(dt.NotFound, match="missing.h5"):
        beamtime.register_dataset("x", location=str(tmp_path), files=["missing.h5"], describe_files=True)
    with pytest.raises(dt.ValidationError):
        beamtime.register_dataset("x", files=[dt.Datafile(path="a.h5", sha256="XYZ")])
    assert beamtime.count_datasets() == 3


def test_investigation_rules(beamtime: dt.Catalog) -> None:
    with pytest.raises(dt.ValidationError) as info:
        beamtime.add_investigation(
            name="ma9", participants=[{"name": "A", "orcid": "0000-0002-1825-0098", "email": "nope"}], doi="doi:10/x"
        )
    assert {v.field for v in info.value.violations} == {
        "investigation.participants[0].orcid",
        "investigation.participants[0].email",
        "investigation.doi",
    }
    assert len(beamtime.investigations()) == 1


def test_lookups_of_unknown_records() -> None:
    with dt.Catalog(":memory:") as cat:
        for call in (cat.dataset, cat.instrument, cat.investigation, cat.sample):
            with pytest.raises(dt.NotFound):
                call("local/NOPE")


def test_bad_catalog_options(tmp_path: Path) -> None:
    with pytest.raises(dt.ValidationError):
        dt.Catalog(tmp_path / "c.db", pid_prefix="bad/prefix")
    with pytest.raises(dt.StorageError, match="does not exist"):
        dt.Catalog(tmp_path / "no" / "such" / "dir" / "c.db")


# A NUL character in any text is refused the same way on both engines (PostgreSQL text cannot
# hold one): a ValidationError naming the field, and nothing written.
NUL_WRITES = {
    "dataset.name": lambda cat: cat.register_dataset("a\0b"),
    "dataset.description": lambda cat: cat.register_dataset("x", description="d\0"),
    "dataset.keywords[1]": lambda cat: cat.register_dataset("x", keywords=["ok", "k\0"]),
    "dataset.metadata.detector.name": lambda cat: cat.register_dataset("x", metadata={"detector.name": "ei\0ger"}),
    "dataset.metadata.tags[0]": lambda cat: cat.register_dataset("x", metadata={"tags": ["\0"]}),
    "dataset.files[0].path": lambda cat: cat.register_dataset("x", files=["a\0.h5"]),
    "instrument.facility": lambda cat: cat.add_instrument(name="ID11", facility="E\0SRF"),
    "investigation.title": lambda cat: cat.add_investigation(name="ma1", title="t\0"),
    "sample.formula": lambda cat: cat.add_sample(name="s", formula="La\0B6"),
    "agent.url": lambda cat: cat.add_agent("Ada", url="https://\0"),
    "activity.command_line": lambda cat: cat.start_activity(dt.Activity("run", command_line="x\0")),
    "activity.environment.packages.numpy": lambda cat: cat.start_activity(
        dt.Activity("run", environment=dt.Environment(packages={"numpy": "2\0"}))
    ),
}


@pytest.mark.parametrize("field", sorted(NUL_WRITES))
def test_a_nul_character_is_refused_naming_the_field(catalog: dt.Catalog, field: str) -> None:
    with pytest.raises(dt.ValidationError) as info:
        NUL_WRITES[field](catalog)
    assert [(v.field, v.rule) for v in info.value.violations] == [(field, "must not contain a NUL character")]
    assert "\\0" in info.value.violations[0].value
    assert catalog.count_datasets() == 0 and catalog.instruments() == [] and catalog.agents() == []
    assert catalog.find_activities() == [] and catalog.investigations() == [] and catalog.samples() == []


def test_lookups_and_filters_with_a_nul_find_nothing_or_name_the_field(catalog: dt.Catalog) -> None:
    catalog.register_dataset("scan")
    with pytest.raises(dt.NotFound):
        catalog.dataset("local/\0")
    with pytest.raises(dt.NotFound):
        catalog.find_datasets(investigation="ma\0")
    with pytest.raises(dt.ValidationError, match="NUL"):
        catalog.find_datasets(name="sc\0*")
    with pytest.raises(dt.ValidationError, match="NUL"):
        catalog.find_datasets(where="detector.name = 'a\0'")
    run = catalog.start_activity(dt.Activity("run"))
    with pytest.raises(dt.ValidationError, match="NUL"):
        catalog.append_log(run, "line\0")
    assert catalog.get_activity(run).log == ""
