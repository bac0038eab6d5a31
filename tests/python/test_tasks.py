"""Workflow tasks: the decorator and the context manager record activities under a workflow run,
hits of the cache are recorded and only count while the earlier outputs are intact, explain names
what changed, and bad input is refused with nothing written. Every test runs on both engines."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import datatrail as dt
import datatrail.tasks as tasks_module

calls: list[str] = []


@dt.task(program="scaler", version="1.0", inputs=["source"])
def scale(source: Any, out: str, factor: float = 2.0, options: Any = None) -> dict[str, Any]:
    """Multiplies the numbers of a dataset's first file (or of a file) by factor."""
    calls.append("scale")
    if isinstance(source, dt.Dataset):
        path = Path(source.location) / source.files[0].path
    else:
        path = Path(source)
    data = np.load(path) * factor
    target = Path(out) / f"{path.stem}_x{factor:g}.npy"
    np.save(target, data)
    return {"name": target.stem, "files": [str(target)], "metadata": {"factor": factor}}


@pytest.fixture
def raw(catalog: dt.Catalog, tmp_path: Path) -> dt.Dataset:
    np.save(tmp_path / "raw.npy", np.arange(5.0))
    return catalog.register_dataset("raw", location=str(tmp_path), files=["raw.npy"], describe_files=True)


@pytest.fixture(autouse=True)
def no_calls() -> None:
    calls.clear()


def counts(catalog: dt.Catalog) -> tuple[int, int]:
    return len(catalog.find_activities()), catalog.count_datasets()


def test_a_second_call_is_a_recorded_hit(catalog: dt.Catalog, raw: dt.Dataset, tmp_path: Path) -> None:
    with dt.workflow(catalog, "reduce") as wf:
        first = scale(raw, str(tmp_path), factor=3.0)
        second = scale(raw, str(tmp_path), factor=3.0)
    assert calls == ["scale"]
    assert not first.cache_hit and second.cache_hit
    assert [d.pid for d in second] == [d.pid for d in first]
    assert second.cached_from == first.activity and second.key == first.key

    made = catalog.get_activity(first.activity)
    assert made.parent == wf.pid and made.program == "scaler" and made.version == "1.0"
    assert made.parameters["factor"] == 3.0 and made.parameters["task.cache_key"] == first.key
    assert [u.dataset for u in made.used] == [raw.pid]
    assert made.generated == [first[0].pid]
    output = catalog.dataset(first[0].pid)
    assert output.kind == "processed" and output.state == "complete"
    assert output.files[0].sha256 and output.files[0].size > 0
    assert catalog.raw_sources(output)[0].pid == raw.pid

    hit = catalog.get_activity(second.activity)
    assert hit.parameters["task.cache_hit"] is True
    assert hit.informed_by == [first.activity] and hit.parent == wf.pid and hit.status == "succeeded"
    assert [u.dataset for u in hit.used] == [raw.pid] and hit.generated == []
    assert catalog.get_activity(wf.pid).type == "workflow"


def test_tasks_sharing_a_program_and_version_do_not_share_outputs(catalog: dt.Catalog, raw: dt.Dataset,
                                                                   tmp_path: Path) -> None:
    # The tasks of one package under one program and version: the same arguments, other work.
    @dt.task(program="scaler", version="1.0", inputs=["source"])
    def scale_again(source: Any, out: str, factor: float = 2.0, options: Any = None) -> dict[str, Any]:
        calls.append("scale_again")
        return {"name": "other_result", "metadata": {"factor": factor}}

    with dt.workflow(catalog, "reduce"):
        first = scale(raw, str(tmp_path), factor=3.0)
        other = scale_again(raw, str(tmp_path), factor=3.0)
    assert calls == ["scale", "scale_again"]
    assert not other.cache_hit and other.key != first.key
    assert [d.name for d in other] == ["other_result"]


def test_rerun_runs_again(catalog: dt.Catalog, raw: dt.Dataset, tmp_path: Path) -> None:
    with dt.workflow(catalog, "reduce"):
        scale(raw, str(tmp_path))
        again = scale.rerun(raw, str(tmp_path))
    with dt.workflow(catalog, "reduce", rerun=True):
        third = scale(raw, str(tmp_path))
    assert calls == ["scale"] * 3 and not again.cache_hit and not third.cache_hit


def test_other_parameters_or_input_content_miss(catalog: dt.Catalog, raw: dt.Dataset, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    np.save(other / "raw.npy", np.arange(5.0))
    twin = catalog.register_dataset("twin", location=str(other), files=["raw.npy"], describe_files=True)
    np.save(other / "changed.npy", np.arange(6.0))
    changed = catalog.register_dataset("changed", location=str(other), files=["changed.npy"], describe_files=True)
    with dt.workflow(catalog, "reduce"):
        scale(raw, str(tmp_path), factor=2.0)
        assert not scale(raw, str(tmp_path), factor=2.5).cache_hit
        assert not scale(raw, str(tmp_path), factor=2).cache_hit  # an int is not a float
        assert not scale(changed, str(tmp_path), factor=2.0).cache_hit
        # Another dataset with the same content: the same input content, a hit.
        assert scale(twin, str(tmp_path), factor=2.0).cache_hit
    assert len(calls) == 4


def test_path_inputs_are_keyed_by_content(catalog: dt.Catalog, tmp_path: Path) -> None:
    source = tmp_path / "input.npy"
    np.save(source, np.arange(3.0))
    out = tmp_path / "out"
    out.mkdir()
    with dt.workflow(catalog, "reduce"):
        scale(str(source), str(out))
        assert scale(source, str(out)).cache_hit  # a Path or a str: the same file
        np.save(source, np.arange(4.0))
        assert not scale(str(source), str(out)).cache_hit
    assert len(calls) == 2


def test_a_hit_needs_the_outputs_intact(catalog: dt.Catalog, raw: dt.Dataset, tmp_path: Path) -> None:
    with dt.workflow(catalog, "reduce"):
        first = scale(raw, str(tmp_path))
        path = Path(first[0].location) / first[0].files[0].path
        np.save(path, np.zeros(5))  # an output changed behind the catalogue's back
        why = scale.explain(raw, str(tmp_path))
        assert not why.hit and "changed since it was recorded" in str(why)
        second = scale(raw, str(tmp_path))
        assert not second.cache_hit and second[0].pid != first[0].pid
        os.remove(Path(second[0].location) / second[0].files[0].path)
        why = scale.explain(raw, str(tmp_path))
        assert not why.hit and "is missing" in str(why)
        assert not scale(raw, str(tmp_path)).cache_hit
    assert len(calls) == 3


def test_explain_names_the_part_of_the_key_that_changed(catalog: dt.Catalog, raw: dt.Dataset, tmp_path: Path) -> None:
    np.save(tmp_path / "b.npy", np.arange(7.0))
    other = catalog.register_dataset("other", location=str(tmp_path), files=["b.npy"], describe_files=True)
    nothing = dt.explain(catalog, scale, raw, str(tmp_path))
    assert not nothing.hit and "no earlier run" in str(nothing)
    with dt.workflow(catalog, "reduce") as wf:
        done = scale(raw, str(tmp_path), factor=2.0, options={"mode": "fast"})
    hit = dt.explain(catalog, scale, raw, str(tmp_path), factor=2.0, options={"mode": "fast"})
    assert hit.hit and hit.earlier == done.activity and hit.reasons == []
    why = dt.explain(catalog, scale, raw, str(tmp_path), factor=2.5, options={"mode": "fast"})
    assert not why.hit and why.reasons == ["parameter factor changed"] and why.earlier == done.activity
    why = dt.explain(catalog, scale, other, str(tmp_path), factor=2.0, options={"mode": "fast"})
    assert why.reasons == [f"input source changed content ({raw.pid} -> {other.pid})"]
    why = dt.explain(wf, scale, raw, str(tmp_path), factor=2.0, options={"mode": "slow"})
    assert why.reasons == ["parameter options changed"]

    @dt.task(program="scaler", version="1.1", name="scale", inputs=["source"])
    def scale_v11(source: Any, out: str, factor: float = 2.0, options: Any = None) -> None:
        return None

    why = dt.explain(catalog, scale_v11, raw, str(tmp_path), factor=2.0, options={"mode": "fast"})
    assert why.reasons == ["version changed: '1.0' -> '1.1'"]
    assert counts(catalog)[0] == 2  # explain records nothing


def test_an_input_without_an_encoding_disables_caching_with_a_warning(
    catalog: dt.Catalog, raw: dt.Dataset, tmp_path: Path
) -> None:
    with dt.workflow(catalog, "reduce"):
        for _ in range(2):
            with pytest.warns(dt.CacheWarning, match=r"parameters.options\[0\]"):
                result = scale(raw, str(tmp_path), options=[object()])
            assert not result.cache_hit and result.key is None
        why = scale.explain(raw, str(tmp_path), options=[object()])
    assert not why.hit and "not cacheable" in str(why)
    assert calls == ["scale", "scale"]
    recorded = catalog.get_activity(result.activity)
    assert "task.cache_key" not in recorded.parameters
    assert recorded.parameters["task.described.options"].startswith("[<object object")
    assert "task.cache_key" not in catalog.dataset(result[0].pid).metadata


def test_numpy_parameters_with_other_dtypes_miss(catalog: dt.Catalog, raw: dt.Dataset, tmp_path: Path) -> None:
    with dt.workflow(catalog, "reduce"):
        scale(raw, str(tmp_path), options=np.zeros(4, np.int32))
        assert not scale(raw, str(tmp_path), options=np.zeros(2, np.int64)).cache_hit
        assert scale(raw, str(tmp_path), options=np.zeros(4, np.int32)).cache_hit
    assert len(calls) == 2


def test_the_context_manager(catalog: dt.Catalog, raw: dt.Dataset, tmp_path: Path) -> None:
    ran = []
    with dt.workflow(catalog, "reduce") as wf:
        for _ in range(2):
            with dt.task_run("fit", program="fitter", version="2.0", inputs={"data": raw},
                             parameters={"model": "gauss", "bounds": (0.0, 1.0)}) as t:
                assert dt.current_task() is t
                if not t.cache_hit:
                    ran.append(1)
                    np.save(tmp_path / "fit.npy", np.ones(2))
                    t.output("fit", location=str(tmp_path), files=["fit.npy"], metadata={"chi2": 1.5})
            assert dt.current_task() is None
        assert t.cache_hit and [d.name for d in t.outputs] == ["fit"]
    assert ran == [1]
    first = catalog.get_activity(t.cached_from)
    assert first.parent == wf.pid and first.name == "fit" and first.parameters["model"] == "gauss"


def test_a_failing_task_is_recorded_failed_and_never_hit(catalog: dt.Catalog, raw: dt.Dataset) -> None:
    @dt.task(program="broken", version="1")
    def broken(x: int) -> None:
        calls.append("broken")
        raise RuntimeError("boom")

    with dt.workflow(catalog, "reduce"):
        for _ in range(2):
            with pytest.raises(RuntimeError, match="boom"):
                broken(1)
        with pytest.raises(ZeroDivisionError):
            with dt.task_run("cm", program="p", version="1", parameters={"x": 1}) as t:
                t.output("half")
                1 / 0
    failed = catalog.find_activities(status="failed")
    assert sorted(a.name for a in failed) == ["broken", "broken", "cm"]
    assert "RuntimeError: boom" in failed[0].log
    assert catalog.dataset(t.outputs[0].pid).state == "failed"
    assert calls == ["broken", "broken"]


def test_outputs_must_be_intact_across_processes(catalog_path: Any, tmp_path: Path) -> None:
    """A second process finds the first one's outputs: the cache lives in the catalogue."""
    script = tmp_path / "run.py"
    script.write_text(f"""
import sys
import numpy as np
import datatrail as dt

@dt.task(program="p", version="1", inputs=["src"])
def double(src, out):
    np.save(out + "/double.npy", np.load(src) * 2)
    return {{"name": "double", "files": [out + "/double.npy"]}}

with dt.Catalog({str(catalog_path)!r}) as cat, dt.workflow(cat, "wf"):
    print("hit" if double({str(tmp_path / 'in.npy')!r}, {str(tmp_path)!r}).cache_hit else "ran")
""")
    np.save(tmp_path / "in.npy", np.arange(3))
    outs = []
    for _ in range(2):
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        outs.append(done.stdout.strip())
    assert outs == ["ran", "hit"]


# --- the environment snapshot -------------------------------------------------------------------


def git(tree: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(tree), *args], capture_output=True, text=True, check=True,
                          env=dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@x", GIT_COMMITTER_NAME="t",
                                   GIT_COMMITTER_EMAIL="t@x"))
    return done.stdout.strip()


def test_tasks_reuse_the_workflow_snapshot_until_the_tree_changes(
    catalog: dt.Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = tmp_path / "repo"
    tree.mkdir()
    git(tree, "init", "-q")
    (tree / "steps.py").write_text("x = 1\n")
    git(tree, "add", "steps.py")
    git(tree, "commit", "-q", "-m", "one")
    first_commit = git(tree, "rev-parse", "HEAD")
    captures: list[str] = []
    real = tasks_module.capture_environment

    def counting(source_tree: Any = None) -> dt.Environment:
        captures.append(str(source_tree))
        return real(source_tree)

    monkeypatch.setattr(tasks_module, "capture_environment", counting)
    pids = []
    with dt.workflow(catalog, "reduce", source_tree=tree) as wf:
        for i in range(5):
            with dt.task_run("step", program="p", version="1", parameters={"i": i}, source_file=str(tree / "steps.py")) as t:
                pass
            pids.append(t.pid)
        assert captures == []  # every task reused the workflow's snapshot
        (tree / "steps.py").write_text("x = 2\n")
        git(tree, "commit", "-q", "-am", "two")
        with dt.task_run("step", program="p", version="1", parameters={"i": 99}, source_file=str(tree / "steps.py")) as t:
            pass
    assert len(captures) == 1
    envs = [catalog.get_activity(p).environment for p in pids]
    assert {e.git_commit for e in envs} == {first_commit}
    assert catalog.get_activity(wf.pid).environment.git_commit == first_commit
    after = catalog.get_activity(t.pid).environment
    assert after.git_commit == git(tree, "rev-parse", "HEAD") != first_commit and after.git_dirty is False
    assert envs[0].packages and envs[0].python_version


# --- bad input ----------------------------------------------------------------------------------


def violation(e: pytest.ExceptionInfo[dt.ValidationError]) -> list[tuple[str, str]]:
    return [(v.field, v.rule) for v in e.value.violations]


@pytest.mark.parametrize(
    "decorate, field",
    [
        (lambda: dt.task(program="p", version="1")(42), "task.func"),
        (lambda: dt.task(program="", version="1"), "task.program"),
        (lambda: dt.task(program="p", version=1), "task.version"),
        (lambda: dt.task(program="p", version="1", inputs=["nope"])(lambda x: None), "task.inputs"),
        (lambda: dt.task(lambda x: None, version="1"), "task.program"),
    ],
    ids=["not callable", "empty program", "version not a str", "unknown input", "bare decorator"],
)
def test_bad_decorations_are_refused(decorate: Any, field: str) -> None:
    with pytest.raises(dt.ValidationError) as e:
        decorate()
    assert [f for f, _ in violation(e)] == [field]
    assert field in str(e.value)


def test_bad_calls_are_refused_with_nothing_written(catalog: dt.Catalog, raw: dt.Dataset, tmp_path: Path) -> None:
    @dt.task(program="p", version="1", inputs=["src"])
    def wrong_outputs(src: Any) -> Any:
        return 42

    @dt.task(program="p", version="1")
    def nameless(x: int) -> Any:
        return [{"files": []}]

    with dt.workflow(catalog, "reduce"):
        before = counts(catalog)
        with pytest.raises(dt.ValidationError) as e:
            scale(str(tmp_path / "missing.npy"), str(tmp_path))
        assert violation(e) == [("inputs.source", "must be an existing file or folder")]
        assert "missing.npy" in e.value.violations[0].value
        with pytest.raises(dt.ValidationError) as e:
            scale("local/01J0000000000000000000000Z", str(tmp_path))
        assert violation(e) == [("inputs.source", "must be a dataset in the catalogue")]
        with pytest.raises(dt.ValidationError) as e:
            scale(raw, str(tmp_path), factor=1.0, nope=3)  # type: ignore[call-arg]
        assert "nope" in str(e.value)
        with pytest.raises(dt.ValidationError) as e:
            wrong_outputs(raw)
        assert violation(e)[0][0] == "outputs" and "must return its outputs" in violation(e)[0][1]
        with pytest.raises(dt.ValidationError) as e:
            nameless(1)
        assert violation(e)[0][0] == "outputs[0]"
        with pytest.raises(dt.ValidationError) as e:
            with dt.task_run("", program="p", version="", parameters={"task.x": 1, "bad key": 2}):
                pass
        assert sorted(f for f, _ in violation(e)) == sorted(
            ["parameters['bad key']", "parameters.task.x", "task.name", "task.version"])
        assert counts(catalog) == before
    with pytest.raises(dt.ValidationError) as e:
        scale(raw, str(tmp_path))  # outside a workflow, and no catalog given
    assert violation(e)[0][0] == "task.catalog"
    with pytest.raises(dt.ValidationError) as e:
        dt.workflow(catalog, "")
    assert violation(e) == [("workflow.name", "must be a non-empty str")]


def test_a_task_outside_a_workflow_records_without_a_parent(catalog: dt.Catalog, raw: dt.Dataset, tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with dt.task_run("alone", program="p", version="1", inputs=[raw], catalog=catalog) as t:
            t.output("alone_out")
    recorded = catalog.get_activity(t.pid)
    assert recorded.parent == "" and recorded.environment.os


def test_an_activity_run_records_a_given_snapshot_as_it_is(catalog: dt.Catalog) -> None:
    given = dt.Environment(os="TestOS 1.0", user="someone", source_tree="/nowhere", git_commit="abc123", git_dirty=True)
    with dt.ActivityRun(catalog, dt.Activity(name="given"), environment=given) as run:
        assert run.environment.git_commit == "abc123"
    recorded = catalog.get_activity(run.pid).environment
    assert (recorded.os, recorded.user, recorded.source_tree, recorded.git_commit, recorded.git_dirty) == (
        "TestOS 1.0", "someone", "/nowhere", "abc123", True)
    assert recorded.python_version and recorded.packages  # the Python fields are filled in
    with pytest.raises(TypeError, match="environment must be"):
        dt.ActivityRun(catalog, dt.Activity(name="x"), environment={"os": "x"})  # type: ignore[arg-type]
