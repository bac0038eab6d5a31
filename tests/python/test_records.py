"""The record classes (Dataset, Activity, ...): pickle states, reprs, mappings of their keywords
and their properties, every record type and every field."""

from __future__ import annotations

import copy
import datetime as _dt
import pickle
from typing import Any, Callable

import pytest

import datatrail as dt

T = _dt.datetime(2026, 3, 1, 8, 0, 0, 123456, tzinfo=_dt.timezone.utc)
T_STATE = 1772352000123456  # T in microseconds since 1970 UTC, as pickle states hold times

ENV = dict(os="Linux", user="ada", source_tree="/src", git_commit="0123456789abcdef0123", git_dirty=True,
           python_version="3.11.7", packages={"numpy": "2.0"})


def full_records() -> dict[str, Any]:
    """One record of every type with every field set to something other than its default."""
    return {
        "Dataset": dt.Dataset(
            "scan", "processed", pid="local/P", description="desc", investigation="ma1", instrument="ID11",
            sample="s1", techniques=["XRD", "SAXS"], keywords=["k"], start_time=T,
            end_time="2026-03-02T00:00:00+02:00", location="/data/x", schema="sch",
            metadata={"energy": (12.7, "keV", 0.1), "n": 3, "label": "x", "when": T, "arr": [1, 2],
                      "farr": [1.5], "sarr": ["a"], "js": {"a": [1, "b"]}, "b": True},
            state="failed", files=[dt.Datafile("a.h5", size=3, sha256="ab" * 32, format="hdf5", modified=T), "b.tiff"],
            created_by="ada", created_at=T),
        "Activity": dt.Activity(
            "act", "workflow", pid="local/A", program="pyFAI", version="1.0",
            parameters={"npt": 1000, "d": (250.0, "mm")}, start_time=T, end_time=T, status="failed", host="h",
            command_line="run x", parent="local/PAR", log="l", environment=dt.Environment(**ENV),
            used=["local/X", ("local/Y", "dark"), dt.Used("local/Z", "f.h5", "r")], agents=["ada", ("bob", "op")],
            informed_by=["local/I1"], created_by="c"),
        "Agent": dt.Agent("ada", "software", orcid="0000-0002-1825-0097", email="a@b.c", version="1", url="http://x",
                          pid="local/AG"),
        "Investigation": dt.Investigation("ma1", "title", "sum", T, T, "ID11",
                                          [{"name": "P", "role": "PI", "orcid": "o", "email": "e"}], T, "10.1/x",
                                          "local/INV"),
        "Sample": dt.Sample("s", "desc", "LaB6", "ma1", "par", {"t": (3, "K")}, "local/S"),
        "Instrument": dt.Instrument("ID11", "ESRF", "beamline", "local/I"),
        "Datafile": dt.Datafile("a/b.h5", 12, "cd" * 32, "hdf5", T),
        "Participant": dt.Participant("P", "PI", "0000", "e@x"),
        "Environment": dt.Environment(**ENV),
        "Used": dt.Used("local/X", "f.h5", "dark"),
        "Association": dt.Association("ada", "op"),
    }


# What pickling writes: changing one of these breaks pickles written by an earlier datatrail.
STATES: dict[str, tuple[Any, ...]] = {
    "Dataset": (
        "local/P", "processed", "scan", "desc", "ma1", "ID11", "s1", ["XRD", "SAXS"], ["k"], T_STATE,
        1772402400000000, "/data/x", "sch",
        [("arr", (6, [1, 2]), "", None), ("b", (3, True), "", None), ("energy", (2, 12.7), "keV", 0.1),
         ("farr", (7, [1.5]), "", None), ("js", (5, '{"a":[1,"b"]}'), "", None), ("label", (0, "x"), "", None),
         ("n", (1, 3), "", None), ("sarr", (8, ["a"]), "", None), ("when", (4, T_STATE), "", None)],
        "failed", [("a.h5", 3, "ab" * 32, "hdf5", T_STATE), ("b.tiff", None, "", "", None)], "ada", T_STATE,
        True, []),
    "Activity": (
        "local/A", "act", "workflow", "pyFAI", "1.0", [("d", (2, 250.0), "mm", None), ("npt", (1, 1000), "", None)],
        T_STATE, T_STATE, "failed", "h", "run x", "local/PAR", "l",
        ("Linux", "ada", "/src", "0123456789abcdef0123", True, "3.11.7", {"numpy": "2.0"}),
        [("local/X", "", ""), ("local/Y", "", "dark"), ("local/Z", "f.h5", "r")], [("ada", ""), ("bob", "op")],
        ["local/I1"], [], "c"),
    "Agent": ("local/AG", "software", "ada", "0000-0002-1825-0097", "a@b.c", "1", "http://x"),
    "Investigation": ("local/INV", "ma1", "title", "sum", T_STATE, T_STATE, "ID11", [("P", "PI", "o", "e")], T_STATE,
                      "10.1/x"),
    "Sample": ("local/S", "s", "desc", "LaB6", "ma1", "par", [("t", (1, 3), "K", None)]),
    "Instrument": ("local/I", "ID11", "ESRF", "beamline"),
    "Datafile": ("a/b.h5", 12, "cd" * 32, "hdf5", T_STATE),
    "Participant": ("P", "PI", "0000", "e@x"),
    "Environment": ("Linux", "ada", "/src", "0123456789abcdef0123", True, "3.11.7", {"numpy": "2.0"}),
    "Used": ("local/X", "f.h5", "dark"),
    "Association": ("ada", "op"),
}

REPRS: dict[str, tuple[str, str]] = {  # (every field set, a new object)
    "Dataset": ("Dataset(pid='local/P', name='scan', kind='processed', metadata=9 keys, files=2)",
                "Dataset(pid='', name='', kind='raw', metadata=0 keys, files=0)"),
    "Activity": ("Activity(pid='local/A', name='act', type='workflow', program='pyFAI', version='1.0', "
                 "status='failed', parameters=2 keys, used=3, generated=0)",
                 "Activity(pid='', name='', type='processing', status='running', parameters=0 keys, used=0, "
                 "generated=0)"),
    "Agent": ("Agent(pid='local/AG', name='ada', type='software', orcid='0000-0002-1825-0097', email='a@b.c', "
              "version='1', url='http://x')", "Agent(pid='', name='', type='person')"),
    "Investigation": ("Investigation(pid='local/INV', name='ma1', title='title', instrument='ID11', participants=1)",
                      "Investigation(pid='', name='', participants=0)"),
    "Sample": ("Sample(pid='local/S', name='s', formula='LaB6', parent='par', metadata=1 key)",
               "Sample(pid='', name='', metadata=0 keys)"),
    "Instrument": ("Instrument(pid='local/I', name='ID11', facility='ESRF', type='beamline')",
                   "Instrument(pid='', name='', facility='', type='')"),
    "Datafile": ("Datafile(path='a/b.h5', size=12, format='hdf5', sha256='cdcdcdcdcdcd...', "
                 "modified='2026-03-01T08:00:00.123456Z')", "Datafile(path='')"),
    "Participant": ("Participant(name='P', role='PI', orcid='0000', email='e@x')", "Participant(name='')"),
    "Environment": ("Environment(os='Linux', user='ada', source_tree='/src', git_commit='0123456789ab', "
                    "git_dirty=True, python_version='3.11.7', packages=1)", "Environment(os='', user='')"),
    "Used": ("Used(dataset='local/X', file='f.h5', role='dark')", "Used(dataset='')"),
    "Association": ("Association(agent='ada', role='op')", "Association(agent='')"),
}

NAMES = sorted(STATES)


def properties(cls: type) -> list[str]:
    return [name for name, value in vars(cls).items() if isinstance(value, property)]


@pytest.mark.parametrize("name", NAMES)
def test_pickle_writes_the_same_state_and_reads_back_every_field(name: str) -> None:
    record = full_records()[name]
    assert record.__getstate__() == STATES[name]
    back = pickle.loads(pickle.dumps(record))
    assert type(back) is type(record) and back == record
    fields = properties(type(record))
    assert len(fields) == len(STATES[name])  # every field is in the state
    for field in fields:
        assert getattr(back, field) == getattr(record, field), field
    assert copy.copy(record) == record and copy.deepcopy(record) == record


def test_a_dataset_pickled_before_schemas_reads_back_valid() -> None:
    older = STATES["Dataset"][:-2]  # what datatrail wrote before datasets had valid and violations
    d = dt.Dataset.__new__(dt.Dataset)
    d.__setstate__(older)
    assert d.name == "scan" and d.created_by == "ada"
    assert d.valid is True and d.violations == []


def test_a_dataset_keeps_its_violations_through_pickle(catalog: dt.Catalog) -> None:
    catalog.add_schema("name: loose\nversion: '1'\nstrict: false\nfields:\n  energy: {type: float, unit: keV, required: true}\n")
    d = catalog.register_dataset("scan", schema="loose")
    assert not d.valid and [v.field for v in d.violations] == ["dataset.metadata.energy"]
    back = pickle.loads(pickle.dumps(d))
    assert back == d and back.violations == d.violations and back.valid is False
    assert "valid=False, violations=1" in repr(d)


@pytest.mark.parametrize("name", NAMES)
def test_a_broken_pickle_state_names_the_class(name: str) -> None:
    cls = getattr(dt, name)
    with pytest.raises(ValueError, match=f"invalid pickle state for {name}$"):
        cls.__new__(cls).__setstate__(("too short",))


@pytest.mark.parametrize("name", NAMES)
def test_repr(name: str) -> None:
    full, new = REPRS[name]
    assert repr(full_records()[name]) == full
    assert repr(getattr(dt, name)()) == new


def test_a_pickled_activity_keeps_what_it_generated(catalog: dt.Catalog) -> None:
    with catalog.activity("step", program="p") as run:
        out = run.output("result")
    activity = catalog.get_activity(run.pid)
    assert activity.generated == [out.pid]
    back = pickle.loads(pickle.dumps(activity))
    assert back == activity and back.generated == [out.pid]


Build = Callable[[dict[Any, Any]], Any]

# Where a mapping of a record's keywords is accepted: how to pass one, the field the mapping is
# named by, and the two rules its bad keys break.
MAPPINGS: list[tuple[str, Build, str, str, str]] = [
    ("Dataset", lambda m: dt.Catalog(":memory:").register_datasets([m]), "datasets[0]",
     "is not a dataset field", "dataset keys must be str"),
    ("Datafile", lambda m: dt.Dataset("x", files=[m]), "files[0]", "is not a file field", "file keys must be str"),
    ("Participant", lambda m: dt.Investigation("x", participants=[m]), "participants[0]",
     "is not a participant field", "participant keys must be str"),
    ("Activity", lambda m: dt.Catalog(":memory:").start_activity(m), "activity", "is not an Activity field",
     "an Activity keys must be str"),
    ("Environment", lambda m: dt.Activity("x", environment=m), "environment", "is not an Environment field",
     "an Environment keys must be str"),
    ("Used", lambda m: dt.Activity("x", used=[m]), "used[0]", "is not a Used field", "a Used keys must be str"),
    ("Association", lambda m: dt.Activity("x", agents=[m]), "agents[0]", "is not an Association field",
     "an Association keys must be str"),
]

KNOWN_KEYS = {
    "Dataset": "pid, kind, name, description, investigation, instrument, sample, techniques, keywords, start_time, "
               "end_time, location, schema, metadata, state, files, created_by, created_at",
    "Datafile": "path, size, sha256, format, modified",
    "Participant": "name, role, orcid, email",
    # Not `generated`: the catalogue reads that back.
    "Activity": "pid, name, type, program, version, parameters, start_time, end_time, status, host, command_line, "
                "parent, log, environment, used, agents, informed_by, created_by",
    "Environment": "os, user, source_tree, git_commit, git_dirty, python_version, packages",
    "Used": "dataset, file, role",
    "Association": "agent, role",
}


@pytest.mark.parametrize("name, build, field, unknown_rule, key_rule", MAPPINGS, ids=[m[0] for m in MAPPINGS])
def test_a_mapping_with_bad_keys_names_every_key_and_the_known_ones(
    name: str, build: Build, field: str, unknown_rule: str, key_rule: str
) -> None:
    good = {"path": "a.h5"} if name == "Datafile" else {}
    with pytest.raises(dt.ValidationError) as info:
        build({**good, "bogus": 1, 5: "x"})
    found = {(v.field, v.value, v.rule) for v in info.value.violations}
    assert found == {
        (f"{field}.bogus", "1", f"{unknown_rule}; known: {KNOWN_KEYS[name]}"),
        (f"{field}.5", "5", f"{key_rule}: {KNOWN_KEYS[name]}"),
    }


def test_a_file_mapping_needs_a_path() -> None:
    with pytest.raises(dt.ValidationError) as info:
        dt.Dataset("x", files=[{"size": 1}])
    (v,) = info.value.violations
    assert (v.field, v.value, v.rule) == ("files[0].path", "{'size': 1}", "a file given as a mapping needs a 'path'")


def test_a_participant_that_is_no_mapping_names_the_keys() -> None:
    with pytest.raises(dt.ValidationError) as info:
        dt.Investigation("x", participants=[5])
    (v,) = info.value.violations
    assert v.rule == "must be a Participant or a mapping with keys name, role, orcid, email"


# (record, property, a value of the wrong type): properties that convert their value name the
# field in a ValidationError; plain ones are pybind11's TypeError.
CONVERTED = [
    ("Dataset", "kind", "cooked"), ("Dataset", "start_time", "yesterday"), ("Dataset", "files", 5),
    ("Dataset", "metadata", 5), ("Dataset", "location", 5), ("Dataset", "instrument", 5),
    ("Activity", "type", "nap"), ("Activity", "parent", 5), ("Activity", "used", 5), ("Activity", "informed_by", 5),
    ("Agent", "type", "robot"), ("Investigation", "participants", "P"), ("Investigation", "release_date", 5),
    ("Sample", "parent", 5), ("Datafile", "path", None), ("Datafile", "size", -1), ("Datafile", "modified", 5),
    ("Environment", "packages", {"numpy": 2}), ("Used", "dataset", 5), ("Used", "file", 5),
    ("Association", "agent", 5),
]
PLAIN = [
    ("Dataset", "name", 5), ("Dataset", "pid", None), ("Activity", "environment", 5), ("Agent", "orcid", 5),
    ("Instrument", "facility", None), ("Participant", "role", 5), ("Environment", "git_dirty", "yes"),
    ("Environment", "source_tree", 5), ("Used", "role", 5), ("Association", "role", 5),
]


@pytest.mark.parametrize("name, field, value", CONVERTED)
def test_a_converting_setter_names_the_field(name: str, field: str, value: Any) -> None:
    record = full_records()[name]
    before = copy.deepcopy(record)
    with pytest.raises(dt.ValidationError) as info:
        setattr(record, field, value)
    assert info.value.violations
    assert all(v.field == field or v.field.startswith((f"{field}.", f"{field}[")) for v in info.value.violations)
    assert record == before  # a value that breaks a rule changes nothing


@pytest.mark.parametrize("name, field, value", PLAIN)
def test_a_plain_setter_takes_only_its_type(name: str, field: str, value: Any) -> None:
    record = full_records()[name]
    with pytest.raises(TypeError):
        setattr(record, field, value)


def test_a_plain_property_hands_out_the_member() -> None:
    activity = dt.Activity("x")
    activity.environment.user = "ada"
    assert activity.environment.user == "ada"


def test_what_an_activity_generated_is_read_only() -> None:
    with pytest.raises(AttributeError):
        dt.Activity("x").generated = ["local/X"]  # type: ignore[misc]


def test_constructor_keywords_are_keyword_only_where_the_signature_says() -> None:
    assert dt.Dataset("x", "processed").kind == "processed"
    assert dt.Investigation("ma1", "t", "s").summary == "s"
    for make in (lambda: dt.Dataset("x", "raw", "local/P"), lambda: dt.Agent("x", "person", "0000"),
                 lambda: dt.Activity("x", "other", "local/A"), lambda: dt.Environment("Linux")):
        with pytest.raises(TypeError):
            make()
