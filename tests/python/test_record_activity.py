"""Catalog.record_activity: a finished activity with its outputs in one transaction, stored as
start_activity + add_outputs + finish_activity store it, and all or nothing; and workflow tasks,
which record themselves with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import datatrail as dt

START = "2026-01-02T10:00:00Z"
END = "2026-01-02T10:05:00Z"


@pytest.fixture
def inputs(catalog: dt.Catalog) -> list[dt.Dataset]:
    return catalog.register_datasets([{"name": "scan_001"}, {"name": "scan_002"}])


def activity(name: str, inputs: list[dt.Dataset], **fields: Any) -> dt.Activity:
    return dt.Activity(name=name, program="pyFAI", version="2025.1", start_time=START,
                       parameters={"npt": 1000, "distance": (250.0, "mm")},
                       used=[(inputs[0], "input"), (inputs[1], "dark")], **fields)


def outputs(prefix: str) -> list[dict[str, Any]]:
    return [{"name": f"{prefix}_{s}", "kind": "processed", "state": "acquiring",
             "metadata": {"npt": 1000, "q_max": (30.0, "nm^-1")}} for s in "ab"]


def comparable_activity(a: dt.Activity) -> dict[str, Any]:
    return {f: getattr(a, f) for f in ("type", "program", "version", "parameters", "start_time", "end_time", "status",
                                       "host", "command_line", "parent", "log", "used", "agents", "informed_by",
                                       "created_by")}


def comparable_dataset(d: dt.Dataset) -> dict[str, Any]:
    return {f: getattr(d, f) for f in ("kind", "state", "metadata", "files", "start_time", "end_time", "location",
                                       "created_by", "valid")} | {"name": d.name.split("_", 1)[1]}


@pytest.mark.parametrize("status", ["succeeded", "failed"])
def test_one_call_stores_what_the_three_calls_store(catalog: dt.Catalog, inputs: list[dt.Dataset],
                                                     status: str) -> None:
    started = catalog.start_activity(activity("three", inputs))
    added = catalog.add_outputs(started, outputs("three"), role="result")
    catalog.finish_activity(started, status, END)

    stored, recorded = catalog.record_activity(activity("one", inputs, status=status, end_time=END),
                                               outputs("one"), role="result")

    three = catalog.get_activity(started.pid)
    assert comparable_activity(stored) == comparable_activity(three)
    assert comparable_activity(catalog.get_activity(stored.pid)) == comparable_activity(three)
    assert stored.generated == [d.pid for d in recorded]
    for new, old in zip(recorded, added):
        assert catalog.dataset(new.pid) == new  # returned as stored, in its final state
        assert comparable_dataset(new) == comparable_dataset(catalog.dataset(old.pid))
        assert new.state == ("failed" if status == "failed" else "complete")
        assert sorted(catalog.ancestor_pids(new, 1)) == sorted(catalog.ancestor_pids(old, 1)) == sorted(
            d.pid for d in inputs)


def test_a_bad_output_writes_nothing_and_is_named(catalog: dt.Catalog, inputs: list[dt.Dataset]) -> None:
    before = (len(catalog.find_activities()), catalog.count_datasets())
    bad = outputs("bad")
    bad[1]["metadata"] = {"q_max": (30.0, "flubbers")}
    with pytest.raises(dt.ValidationError) as e:
        catalog.record_activity(activity("bad", inputs, status="succeeded"), bad)
    assert [v.field for v in e.value.violations] == ["outputs[1].metadata.q_max"]
    assert "flubbers" in e.value.violations[0].value

    lone = outputs("bad")[:1]
    lone[0]["name"] = ""
    with pytest.raises(dt.ValidationError) as e:
        catalog.record_activity(activity("bad", inputs, status="succeeded"), lone)
    assert [v.field for v in e.value.violations] == ["outputs[0].name"]

    # An unknown input is found inside the transaction, after the outputs were checked.
    unknown = activity("bad", inputs, status="succeeded")
    unknown.used = [*unknown.used, dt.Used("local/01JGZZZZZZZZZZZZZZZZZZZZZZ", "", "input")]
    with pytest.raises(dt.ValidationError) as e:
        catalog.record_activity(unknown, outputs("bad"))
    assert [v.field for v in e.value.violations] == ["activity.used[2].dataset"]

    with pytest.raises(dt.ValidationError) as e:
        catalog.record_activity(activity("bad", inputs), [{"name": "x"}, 42])
    assert [v.field for v in e.value.violations] == ["outputs[1]"]
    assert (len(catalog.find_activities()), catalog.count_datasets()) == before


def test_a_task_records_its_call_in_one_write_and_a_refused_output_leaves_nothing(
    catalog: dt.Catalog, inputs: list[dt.Dataset], tmp_path: Path
) -> None:
    @dt.task(program="p", version="1", inputs=["src"])
    def reduce(src: Any, unit: str) -> list[dict[str, Any]]:
        return [{"name": "reduced", "metadata": {"q_max": (30.0, unit)}}]

    with dt.workflow(catalog, "wf") as wf:
        before = (len(catalog.find_activities()), catalog.count_datasets())
        with pytest.raises(dt.ValidationError) as e:
            reduce(inputs[0], "flubbers")
        assert [v.field for v in e.value.violations] == ["outputs[0].metadata.q_max"]
        assert (len(catalog.find_activities()), catalog.count_datasets()) == before

        result = reduce(inputs[0], "nm^-1")
    task = catalog.get_activity(result.activity)
    assert (task.status, task.parent, task.generated) == ("succeeded", wf.pid, [result.outputs[0].pid])
    assert task.end_time is not None and task.end_time >= task.start_time
    out = catalog.dataset(result.outputs[0].pid)
    assert (out.kind, out.state, out.metadata["task.activity"]) == ("processed", "complete", task.pid)
    assert out.metadata["task.cache_key"] == task.parameters["task.cache_key"] == result.key
