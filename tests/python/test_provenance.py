"""Recording provenance from Python: agents, activities (directly and as a context manager), their
inputs, outputs, agents, parents and informants, and every rule on bad input."""

from __future__ import annotations

import copy
import datetime as dtm
import os
import pickle
import platform
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import datatrail as dt
from conftest import Blocker

ORCID = "0000-0002-1825-0097"


def violations(info: pytest.ExceptionInfo) -> set[tuple[str, str]]:
    return {(v.field, v.value) for v in info.value.violations}


@pytest.fixture
def raw(catalog: dt.Catalog) -> list[dt.Dataset]:
    """Three raw datasets: two scans (with files) and a dark."""
    return catalog.register_datasets(
        [
            {"name": "scan_001", "metadata": {"energy": (12.7, "keV")}, "files": ["scan_001.h5", "frames_0001.h5"]},
            {"name": "scan_002", "metadata": {"energy": (12.7, "keV")}},
            {"name": "dark_001", "metadata": {"exposure_time": (0.1, "s")}},
        ]
    )


def unknown_pid(catalog: dt.Catalog) -> str:
    """A well-formed PID that the catalogue does not hold."""
    return dt.new_pid(catalog.pid_prefix)


# --- agents ----------------------------------------------------------------------------------


def test_agents_round_trip(catalog: dt.Catalog) -> None:
    ada = catalog.add_agent("Ada Lovelace", orcid=ORCID, email="ada@example.org")
    fai = catalog.add_agent("pyFAI", type="software", version="2025.1", url="https://github.com/silx-kit/pyFAI")
    esrf = catalog.add_agent("ESRF", "organisation")
    assert isinstance(ada, dt.Agent) and ada.pid.startswith(catalog.pid_prefix + "/")
    assert (ada.type, fai.type, esrf.type) == ("person", "software", "organisation")
    assert catalog.agent(ada.pid) == ada == catalog.agent("Ada Lovelace")
    assert catalog.agent("pyFAI").version == "2025.1"
    assert catalog.agents() == [ada, fai, esrf]
    assert "orcid='0000-0002-1825-0097'" in repr(ada) and "type='person'" in repr(ada)
    assert dt.Agent(name="Ada Lovelace", orcid=ORCID, email="ada@example.org", pid=ada.pid) == ada
    assert pickle.loads(pickle.dumps(fai)) == fai and copy.deepcopy(fai) == fai
    with pytest.raises(dt.Conflict):
        catalog.add_agent("Ada Lovelace")
    # The same name is fine for another type of agent.
    assert catalog.add_agent("ESRF", type="software").type == "software"
    with pytest.raises(dt.NotFound):
        catalog.agent("Charles Babbage")


def test_bad_agents_are_refused_and_nothing_is_written(catalog: dt.Catalog) -> None:
    with pytest.raises(dt.ValidationError) as info:
        catalog.add_agent("Ada", orcid="0000-0002-1825-0098")  # checksum digit wrong
    (v,) = info.value.violations
    assert (v.field, v.value) == ("agent.orcid", "0000-0002-1825-0098") and "check digit" in v.rule
    with pytest.raises(dt.ValidationError) as info:
        catalog.add_agent("Ada", type="robot")
    (v,) = info.value.violations
    assert (v.field, v.value) == ("agent.type", "robot") and "person, software, organisation" in v.rule
    with pytest.raises(dt.ValidationError) as info:
        catalog.add_agent("  ", email="not an address")
    assert violations(info) == {("agent.name", "  "), ("agent.email", "not an address")}
    with pytest.raises(dt.ValidationError) as info:
        catalog.add_agent("pyFAI", type="software", orcid=ORCID)
    assert violations(info) == {("agent.orcid", ORCID)}
    with pytest.raises(dt.ValidationError) as info:
        catalog.add_agent("Ada", type=3)  # type: ignore[arg-type]
    assert violations(info) == {("agent.type", "3")}
    with pytest.raises(dt.ValidationError) as info:
        dt.Agent("Ada", type="robot")
    assert violations(info) == {("type", "robot")}
    assert catalog.agents() == []


# --- activities recorded directly --------------------------------------------------------------


def test_activity_round_trip_with_typed_parameters(catalog: dt.Catalog, raw: list[dt.Dataset]) -> None:
    catalog.add_agent("Ada Lovelace", orcid=ORCID)
    start = dtm.datetime(2026, 11, 21, 9, 30, tzinfo=dtm.timezone.utc)
    recorded = catalog.start_activity(
        dt.Activity(
            "azimuthal_integration",
            program="pyFAI",
            version="2025.1",
            parameters={
                "npt": 1000,
                "distance": (250.0, "mm"),
                "wavelength": dt.Quantity(0.9763, "angstrom", 0.0001),
                "method": "csr",
                "mask": np.array([1, 2, 3]),
                "polarization_corrected": True,
            },
            start_time=start,
            command_line="integrate --npt 1000",
            used=[raw[0], (raw[2], "dark")],
            agents=[("Ada Lovelace", "operator")],
        )
    )
    assert isinstance(recorded, dt.Activity)
    back = catalog.get_activity(recorded.pid)
    assert back == recorded
    assert (back.name, back.type, back.status, back.program, back.version) == (
        "azimuthal_integration",
        "processing",
        "running",
        "pyFAI",
        "2025.1",
    )
    p = back.parameters
    assert p["npt"] == 1000 and isinstance(p["npt"], int)
    assert p["distance"] == dt.Quantity(250.0, "mm")
    assert p["wavelength"] == dt.Quantity(0.9763, "angstrom", 0.0001)
    assert p["method"] == "csr" and p["mask"] == [1, 2, 3] and p["polarization_corrected"] is True
    assert back.start_time == start and back.end_time is None
    assert back.host == dt.host_name() and back.created_by
    assert back.command_line == "integrate --npt 1000"
    assert back.used == [dt.Used(raw[0].pid), dt.Used(raw[2].pid, role="dark")]
    assert back.agents == [dt.Association(catalog.agent("Ada Lovelace").pid, "operator")]
    assert back.generated == [] and back.parent == "" and back.informed_by == []
    # A parameter key's dimension is fixed by its first use, as for dataset metadata.
    with pytest.raises(dt.UnitError) as info:
        catalog.start_activity(dt.Activity("again", parameters={"distance": (3.0, "keV")}))
    (v,) = info.value.violations
    assert v.field.startswith("activity.") and v.field.endswith(".distance")  # exact name: see below
    assert v.value == "3 keV" and "incompatible" in v.rule
    assert len(catalog.find_activities()) == 1

    outputs = catalog.add_outputs(recorded, [{"name": "pattern", "kind": "processed", "state": "acquiring"}], role="result")
    catalog.append_log(recorded, "first line\n")
    catalog.append_log(recorded.pid, "second line\n")
    end = start + dtm.timedelta(minutes=5)
    catalog.finish_activity(recorded, "succeeded", end_time=end)
    done = catalog.get_activity(recorded)
    assert done.status == "succeeded" and done.end_time == end
    assert done.log == "first line\nsecond line\n"
    assert done.generated == [outputs[0].pid]
    assert catalog.dataset(outputs[0].pid).state == "complete"
    assert {d.name for d in catalog.raw_sources(outputs[0])} == {"scan_001", "dark_001"}


def test_a_parameter_of_the_wrong_dimension_is_named_as_a_parameter(catalog: dt.Catalog) -> None:
    catalog.start_activity(dt.Activity("first", parameters={"distance": (250.0, "mm")}))
    with pytest.raises(dt.UnitError) as info:
        catalog.start_activity(dt.Activity("again", parameters={"distance": (3.0, "keV")}))
    assert info.value.violations[0].field == "activity.parameters.distance"


def test_activity_structs_behave_like_values() -> None:
    env = dt.Environment(os="Linux", user="ada", git_commit="abc", git_dirty=False, packages={"numpy": "2.0"})
    a = dt.Activity(
        "step",
        "workflow",
        pid="local/01JD3X5K7M9Q2R4T6V8W0Y1Z2A",
        parameters={"x": (1.0, "mm")},
        status="failed",
        environment=env,
        used=[dt.Used("local/01JD3X5K7M9Q2R4T6V8W0Y1Z2B", file="a.h5", role="frames")],
        agents=["Ada", dt.Association("pyFAI", "software")],
        informed_by=["local/01JD3X5K7M9Q2R4T6V8W0Y1Z2C"],
    )
    assert (a.type, a.status) == ("workflow", "failed")
    assert a.environment == env and a.environment.git_dirty is False and a.environment.packages == {"numpy": "2.0"}
    assert a.agents == [dt.Association("Ada"), dt.Association("pyFAI", "software")]
    assert pickle.loads(pickle.dumps(a)) == a
    assert copy.copy(a) == a and copy.copy(a) is not a
    assert pickle.loads(pickle.dumps(env)) == env
    # The environment is part of the activity: changing it changes the activity.
    a.environment.python_version = "3.11.7"
    assert a.environment.python_version == "3.11.7"
    a.type = "notebook"
    assert a.type == "notebook"
    with pytest.raises(dt.ValidationError) as info:
        a.status = "done"
    assert violations(info) == {("status", "done")}
    assert "Activity(pid='local/01JD3X5K7M9Q2R4T6V8W0Y1Z2A', name='step', type='notebook'" in repr(a)
    assert dt.Environment().git_dirty is None


# --- the context manager -----------------------------------------------------------------------


def test_a_run_that_succeeds_completes_its_outputs(catalog: dt.Catalog, raw: list[dt.Dataset]) -> None:
    run = catalog.activity(
        "azimuthal_integration",
        program="pyFAI",
        version="2025.1",
        parameters={"npt": 1000, "distance": (250.0, "mm")},
        inputs=[raw[0], (raw[2], "dark")],
    )
    assert isinstance(run, dt.ActivityRun)
    # Nothing is recorded before the block is entered.
    assert (run.pid, run.running, catalog.find_activities()) == ("", False, [])
    with run:
        assert run.running and run.pid
        assert run.activity.status == "running"
        run.log("integrating scan_001")
        pattern = run.output("scan_001_integrated", metadata={"npt": 1000}, role="result")
        assert pattern.kind == "processed" and pattern.state == "acquiring"
        assert catalog.dataset(pattern).state == "acquiring"
    assert run.finished and not run.running
    activity = catalog.get_activity(run)
    assert activity.status == "succeeded" and activity.end_time is not None
    assert activity.log == "integrating scan_001\n"
    assert activity.generated == [pattern.pid]
    assert catalog.dataset(pattern.pid).state == "complete"
    assert {d.name for d in catalog.raw_sources(pattern)} == {"scan_001", "dark_001"}
    derived = catalog.ancestors(pattern, depth=1).edges_of("wasDerivedFrom")
    assert {(e.target, e.role, e.activity) for e in derived} == {(raw[0].pid, "", run.pid), (raw[2].pid, "dark", run.pid)}
    (generation,) = catalog.ancestors(pattern).edges_of("wasGeneratedBy")
    assert (generation.source, generation.target, generation.role) == (pattern.pid, run.pid, "result")
    assert "finished" in repr(run) and "azimuthal_integration" in repr(run)


def test_the_environment_is_captured(catalog: dt.Catalog) -> None:
    with catalog.activity("capture") as run:
        pass
    env = catalog.get_activity(run.pid).environment
    assert env.python_version == platform.python_version()
    assert env.packages["numpy"] == np.__version__
    assert env.packages["datatrail"] == dt.__version__
    assert env.os.startswith(platform.system())
    assert catalog.get_activity(run.pid).command_line == " ".join(sys.argv)
    # This test file lives in the project's git work tree: its commit is recorded.
    top = subprocess.run(["git", "-C", str(Path(__file__).parent), "rev-parse", "--show-toplevel"], capture_output=True, text=True)
    if top.returncode == 0:
        head = subprocess.run(["git", "-C", top.stdout.strip(), "rev-parse", "HEAD"], capture_output=True, text=True)
        assert Path(env.source_tree).resolve() == Path(top.stdout.strip()).resolve()
        assert env.git_commit == head.stdout.strip() and env.git_dirty is not None


def test_packages_installed_meanwhile_are_seen(catalog: dt.Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    (site / "fakepkg-1.0.dist-info").mkdir(parents=True)
    (site / "fakepkg-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: fakepkg\nVersion: 1.0\n")
    monkeypatch.syspath_prepend(str(site))

    def packages() -> dict[str, str]:
        with catalog.activity("probe") as run:
            pass
        return catalog.get_activity(run).environment.packages

    assert packages()["fakepkg"] == "1.0"
    # An upgrade in place, as pip does it: the folder's entries (and so its time) change.
    before = (site).stat().st_mtime_ns
    (site / "fakepkg-1.0.dist-info").rename(site / "fakepkg-2.0.dist-info")
    (site / "fakepkg-2.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: fakepkg\nVersion: 2.0\n")
    os.utime(site, ns=(before + 10**9, before + 10**9))  # file times may be coarser than this test is fast
    assert packages()["fakepkg"] == "2.0"


def git(repo: Path, *args: str) -> str:
    command = ["git", "-C", str(repo), "-c", "user.name=Ada", "-c", "user.email=ada@example.org", *args]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


def test_the_callers_git_commit_is_recorded(catalog: dt.Catalog, tmp_path: Path) -> None:
    # A script in a git repository, run from a folder outside it: the commit recorded is the
    # script's, not the working directory's.
    repo = tmp_path / "analysis"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    script = repo / "step.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys
            import datatrail as dt

            with dt.Catalog(sys.argv[1]) as cat:
                with cat.activity("scripted_step", program="step.py") as run:
                    pass
                print(run.pid)
            """
        )
    )
    git(repo, "add", "step.py")
    git(repo, "commit", "-q", "-m", "the analysis")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    def run_script() -> dt.Environment:
        result = subprocess.run(
            [sys.executable, str(script), catalog.path], cwd=elsewhere, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        activity = catalog.get_activity(result.stdout.strip())
        assert activity.command_line == f"{script} {catalog.path}"
        return activity.environment

    env = run_script()
    assert env.git_commit == git(repo, "rev-parse", "HEAD") and len(env.git_commit) == 40
    assert env.git_dirty is False
    assert Path(env.source_tree).resolve() == repo.resolve()
    assert env.python_version == platform.python_version() and "numpy" in env.packages

    script.write_text(script.read_text() + "# an uncommitted change\n")
    assert run_script().git_dirty is True


def test_capture_environment_outside_git(tmp_path: Path) -> None:
    env = dt.capture_environment(tmp_path)
    assert env.os and env.git_commit == "" and env.git_dirty is None and env.source_tree == ""
    assert env.python_version == "" and env.packages == {}  # the Python side is the caller's


def test_a_run_that_raises_is_failed_with_its_outputs_and_the_exception_propagates(
    catalog: dt.Catalog, raw: list[dt.Dataset]
) -> None:
    with pytest.raises(RuntimeError, match="the detector mask is missing"):
        with catalog.activity("azimuthal_integration", program="pyFAI", version="2025.2", inputs=[raw[0]]) as run:
            first = run.output("scan_001_integrated")
            second = run.outputs([{"name": "scan_001_azimuthal"}, dt.Dataset("scan_001_radial")])[1]
            run.log("about to fail")
            raise RuntimeError("the detector mask is missing")
    failed = catalog.get_activity(run.pid)
    assert failed.status == "failed" and failed.end_time is not None
    assert failed.log.startswith("about to fail\nTraceback (most recent call last):")
    assert "RuntimeError: the detector mask is missing" in failed.log
    assert "test_provenance.py" in failed.log
    assert len(failed.generated) == 3
    assert {catalog.dataset(pid).state for pid in failed.generated} == {"failed"}
    assert catalog.dataset(second).kind == "processed"  # a Dataset object takes the run's kind
    assert first.pid in failed.generated
    # A finished run cannot be used again.
    for use in (lambda: run.log("late"), lambda: run.output("late"), lambda: run.input(raw[1]), run.__enter__):
        with pytest.raises(dt.Error):
            use()
    assert catalog.get_activity(run.pid).log == failed.log


def test_a_keyboard_interrupt_fails_the_run_too(catalog: dt.Catalog) -> None:
    with pytest.raises(KeyboardInterrupt):
        with catalog.activity("interrupted", type="notebook") as run:
            run.output("half_done")
            raise KeyboardInterrupt
    activity = catalog.get_activity(run.pid)
    assert activity.status == "failed" and "KeyboardInterrupt" in activity.log
    assert catalog.dataset(activity.generated[0]).state == "failed"


def test_a_failed_run_leaves_the_catalogue_consistent(catalog: dt.Catalog, raw: list[dt.Dataset]) -> None:
    with catalog.activity("merge", program="merger", version="0.3", inputs=raw[:2]) as good:
        merged = good.output("merged")
    with pytest.raises(ZeroDivisionError):
        with catalog.activity("merge", program="merger", version="0.3", inputs=raw[:2]) as bad:
            bad.outputs([{"name": "merged_again"}, {"name": "merged_again_log"}])
            1 / 0  # noqa: B018
    assert catalog.count_datasets() == 3 + 1 + 2
    complete = {d.name for d in catalog.find_datasets(state="complete")}
    assert complete == {"scan_001", "scan_002", "dark_001", "merged"}
    assert {d.name for d in catalog.find_datasets(state="failed")} == {"merged_again", "merged_again_log"}
    assert catalog.find_datasets(state="acquiring") == []
    # The failed run's outputs are no ancestors of anything and its inputs are untouched.
    assert {d.name for d in catalog.downstream(raw[0])} == {"merged", "merged_again", "merged_again_log"}
    assert {d.state for d in catalog.downstream(raw[0]) if d.pid not in catalog.get_activity(good).generated} == {"failed"}
    assert catalog.dataset(merged).state == "complete"
    assert [a.status for a in catalog.find_activities(name="merge")] == ["succeeded", "failed"]
    assert [a.pid for a in catalog.find_activities(status="failed")] == [bad.pid]


def test_reprocessing_is_a_new_activity_and_both_stay_findable(catalog: dt.Catalog, raw: list[dt.Dataset]) -> None:
    with catalog.activity("azimuthal_integration", program="pyFAI", version="2025.1", parameters={"npt": 1000}, inputs=[raw[0]]) as first:
        one = first.output("scan_001_integrated")
    with catalog.activity("azimuthal_integration", program="pyFAI", version="2025.2", parameters={"npt": 2000}, inputs=[raw[0]]) as second:
        two = second.output("scan_001_integrated_npt2000")
    assert first.pid != second.pid
    found = catalog.find_activities(program="pyFAI")
    assert [a.pid for a in found] == [first.pid, second.pid]
    assert [a.parameters["npt"] for a in found] == [1000, 2000]
    assert [a.generated for a in found] == [[one.pid], [two.pid]]
    assert [a.pid for a in catalog.find_activities(program="pyFAI", min_version="2025.2")] == [second.pid]
    assert [a.pid for a in catalog.find_activities(program="pyFAI", limit=1)] == [first.pid]
    assert catalog.find_activities(program="pyFAI", limit=0) == []
    assert catalog.find_activities(program="pyfai") == []
    assert {d.name for d in catalog.downstream(raw[0])} == {"scan_001_integrated", "scan_001_integrated_npt2000"}


def test_an_acquisition_run_makes_raw_data(catalog: dt.Catalog) -> None:
    with catalog.activity("scan", type="acquisition", program="bliss") as run:
        scan = run.output("scan_007", metadata={"energy": (8.0, "keV")}, files=["scan_007.h5"])
    assert scan.kind == "raw" and catalog.dataset(scan).state == "complete"
    assert catalog.get_activity(run).type == "acquisition"


def test_inputs_as_datasets_pids_tuples_and_used_files(catalog: dt.Catalog, raw: list[dt.Dataset]) -> None:
    scan, scan2, dark = raw
    flat = catalog.register_dataset("flat_001")
    with catalog.activity(
        "correct",
        inputs=[
            scan2,  # a Dataset
            dark.pid,  # a PID
            (flat, "flat"),  # a (dataset, role) tuple
            dt.Used(dataset=scan, file="frames_0001.h5", role="frames"),  # one file
        ],
    ) as run:
        out = run.output("corrected")
        extra = catalog.register_dataset("mask")
        run.input(extra, "mask")  # added later: the output becomes derived from it too
    used = catalog.get_activity(run).used
    assert sorted((u.dataset, u.file, u.role) for u in used) == sorted(
        [
            (scan.pid, "frames_0001.h5", "frames"),
            (scan2.pid, "", ""),
            (dark.pid, "", ""),
            (flat.pid, "", "flat"),
            (extra.pid, "", "mask"),
        ]
    )
    assert {d.name for d in catalog.raw_sources(out)} == {"scan_001", "scan_002", "dark_001", "flat_001", "mask"}
    graph = catalog.ancestors(out)
    file_id = f"{scan.pid}#frames_0001.h5"
    file_node = graph.find(file_id)
    assert [n.id for n in graph.files] == [file_id] and file_node is not None and file_node.name == "frames_0001.h5"
    assert any(e.kind == "hadMember" and (e.source, e.target) == (scan.pid, file_id) for e in graph.edges)
    assert any(e.kind == "used" and (e.source, e.target, e.role) == (run.pid, file_id, "frames") for e in graph.edges)
    # run.input with a file, and a file the dataset does not have.
    with catalog.activity("more") as more:
        more.input(scan, file="scan_001.h5")
        with pytest.raises(dt.ValidationError) as info:
            more.input(scan, file="missing.h5")
        assert violations(info) == {("used[0].file", "missing.h5")}
    assert [(u.file, u.role) for u in catalog.get_activity(more).used] == [("scan_001.h5", "")]


def test_agents_and_associations(catalog: dt.Catalog) -> None:
    ada = catalog.add_agent("Ada Lovelace", orcid=ORCID)
    fai = catalog.add_agent("pyFAI", type="software", version="2025.1")
    esrf = catalog.add_agent("ESRF", type="organisation")
    with catalog.activity("step", agents=["Ada Lovelace", (fai, "software"), dt.Association(esrf.pid, "facility")]) as run:
        pass
    catalog.associate(run, ada, "author")
    agents = catalog.get_activity(run).agents
    assert sorted((a.agent, a.role) for a in agents) == sorted(
        [(ada.pid, ""), (ada.pid, "author"), (fai.pid, "software"), (esrf.pid, "facility")]
    )
    graph = catalog.ancestors(run)
    assert run in graph and graph.nodes[0].id == run.pid
    assert {n.id for n in graph.agents} == {ada.pid, fai.pid, esrf.pid}
    ada_node = graph.find(ada.pid)
    assert ada_node is not None and ada_node.attributes == {"type": "person", "orcid": ORCID}
    roles = sorted((e.target, e.role) for e in graph.edges_of("wasAssociatedWith"))
    assert roles == sorted([(ada.pid, ""), (ada.pid, "author"), (fai.pid, "software"), (esrf.pid, "facility")])
    with pytest.raises(dt.ValidationError) as info:
        catalog.associate(run, "Charles Babbage")
    assert violations(info) == {("agent", "Charles Babbage")}
    assert len(catalog.get_activity(run).agents) == 4


def test_parents_and_informants(catalog: dt.Catalog, raw: list[dt.Dataset]) -> None:
    with catalog.activity("pipeline", type="workflow", program="ewoks") as workflow:
        with catalog.activity("integrate", parent=workflow, inputs=[raw[0]]) as first:
            pattern = first.output("pattern")
        with catalog.activity("fit", parent=workflow.pid, informed_by=[first], inputs=[pattern]) as second:
            second.output("fit")
        with catalog.activity("report", parent=catalog.get_activity(workflow)) as third:
            pass
        catalog.add_informed_by(third, second)
    assert [a.pid for a in catalog.find_activities(parent=workflow)] == [first.pid, second.pid, third.pid]
    assert catalog.find_activities(parent=first) == []
    assert catalog.get_activity(second).parent == workflow.pid
    assert catalog.get_activity(second).informed_by == [first.pid]
    assert catalog.get_activity(third).informed_by == [second.pid]
    assert catalog.get_activity(workflow).status == "succeeded"
    graph = catalog.provenance()
    assert {(e.source, e.target) for e in graph.edges_of("wasInformedBy")} == {(second.pid, first.pid), (third.pid, second.pid)}
    # A run not yet started has no PID to point to.
    later = catalog.activity("later")
    with pytest.raises(dt.ValidationError) as info:
        catalog.activity("child", parent=later)
    assert info.value.violations[0].field == "activity.parent" and "started" in info.value.violations[0].rule
    with pytest.raises(dt.NotFound):
        catalog.find_activities(parent=unknown_pid(catalog))


# --- threads --------------------------------------------------------------------------------

WRITES: dict[str, Callable[[dt.Catalog, dict[str, Any]], object]] = {
    "add_agent": lambda cat, x: cat.add_agent("Ada"),
    "activity": lambda cat, x: cat.activity("waited").__enter__(),
    "start_activity": lambda cat, x: cat.start_activity(dt.Activity("waited", used=[x["raw"]])),
    "add_inputs": lambda cat, x: cat.add_inputs(x["run"], [x["raw"]]),
    "add_outputs": lambda cat, x: cat.add_outputs(x["run"], [{"name": "out", "kind": "processed"}]),
    "append_log": lambda cat, x: cat.append_log(x["run"], "line\n"),
    "finish_activity": lambda cat, x: cat.finish_activity(x["run"], "succeeded"),
    "add_derivation": lambda cat, x: cat.add_derivation(x["raw"], x["other"]),
    "add_informed_by": lambda cat, x: cat.add_informed_by(x["run"], x["other_run"]),
    "associate": lambda cat, x: cat.associate(x["run"], "Bob"),
}


@pytest.mark.parametrize("call", sorted(WRITES))
def test_the_gil_is_released_while_a_provenance_write_waits(engine: str, catalog_path: Path, call: str) -> None:
    """As in test_concurrency: another connection holds the write lock. If the call held the GIL
    while it waits, this thread could not release the lock and the call would time out."""
    with dt.Catalog(catalog_path, busy_timeout=5.0) as cat:
        raw, other = cat.register_datasets([{"name": "raw"}, {"name": "other"}])
        cat.add_agent("Bob")
        x: dict[str, Any] = {"raw": raw, "other": other}
        x["run"] = cat.start_activity(dt.Activity("run"))
        x["other_run"] = cat.start_activity(dt.Activity("other run"))
        blocker = Blocker(engine, catalog_path)
        started = threading.Event()
        result: dict[str, object] = {}

        def write() -> None:
            started.set()
            try:
                WRITES[call](cat, x)
            except BaseException as e:  # noqa: BLE001 - reported below
                result["error"] = e

        thread = threading.Thread(target=write)
        thread.start()
        started.wait()
        progressed = 0
        while thread.is_alive() and progressed < 100_000:
            progressed += 1
        assert thread.is_alive(), f"{call} finished while the lock was held: {result.get('error')!r}"
        blocker.release()
        thread.join(timeout=30)
        assert "error" not in result, result.get("error")
        assert progressed == 100_000


# --- refused links ---------------------------------------------------------------------------


def test_cycles_are_refused_and_nothing_is_written(catalog: dt.Catalog, raw: list[dt.Dataset]) -> None:
    with catalog.activity("integrate", inputs=[raw[0]]) as run:
        pattern = run.output("pattern")
        with pytest.raises(dt.ValidationError) as info:
            run.input(pattern)  # its own output
        assert violations(info) == {("used[0].dataset", pattern.pid)} and "cycle" in info.value.violations[0].rule
    assert [u.dataset for u in catalog.get_activity(run).used] == [raw[0].pid]
    before = catalog.provenance()

    with pytest.raises(dt.ValidationError) as info:
        catalog.add_derivation(raw[0], pattern)  # raw made from what was made from it
    assert violations(info) == {("source", pattern.pid)} and "cycle" in info.value.violations[0].rule
    with pytest.raises(dt.ValidationError):
        catalog.add_derivation(pattern, pattern)

    with catalog.activity("a") as a, catalog.activity("b", informed_by=[a]) as b:
        pass
    with pytest.raises(dt.ValidationError) as info:
        catalog.add_informed_by(a, b)
    assert violations(info) == {("informant", b.pid)} and "cycle" in info.value.violations[0].rule
    with pytest.raises(dt.ValidationError):
        catalog.add_informed_by(a, a)
    assert catalog.get_activity(a).informed_by == []

    after = catalog.provenance()
    assert [e for e in after.edges if e.kind != "wasInformedBy"] == before.edges
    assert len(after.edges_of("wasInformedBy")) == 1
    # A derivation that is no cycle is recorded.
    catalog.add_derivation(pattern, raw[1], "reference")
    assert any(e.target == raw[1].pid and e.role == "reference" and e.activity == "" for e in catalog.ancestors(pattern).edges)


def test_unknown_pids_are_refused_and_nothing_is_written(catalog: dt.Catalog, raw: list[dt.Dataset]) -> None:
    nowhere = unknown_pid(catalog)
    catalog.add_agent("Ada Lovelace")

    with pytest.raises(dt.ValidationError) as info:
        with catalog.activity("x", inputs=[raw[0], nowhere]):
            pytest.fail("the block must not run")
    assert violations(info) == {("activity.used[1].dataset", nowhere)}
    with pytest.raises(dt.ValidationError) as info:
        with catalog.activity("x", agents=["Ada Lovelace", "Charles Babbage"]):
            pass
    assert violations(info) == {("activity.agents[1].agent", "Charles Babbage")}
    with pytest.raises(dt.ValidationError) as info:
        with catalog.activity("x", parent=nowhere):
            pass
    assert violations(info) == {("activity.parent", nowhere)}
    with pytest.raises(dt.ValidationError) as info:
        with catalog.activity("x", informed_by=[nowhere]):
            pass
    assert violations(info) == {("activity.informed_by[0]", nowhere)}
    with pytest.raises(dt.ValidationError) as info:
        catalog.start_activity(dt.Activity("x", used=[dt.Used(raw[0], file="nope.h5")]))
    assert violations(info) == {("activity.used[0].file", "nope.h5")}
    assert catalog.find_activities() == []

    with pytest.raises(dt.ValidationError) as info:
        catalog.add_derivation(raw[0], nowhere)
    assert violations(info) == {("source", nowhere)}
    with pytest.raises(dt.ValidationError) as info:
        catalog.add_derivation(nowhere, raw[0])
    assert violations(info) == {("derived", nowhere)}
    with catalog.activity("y", inputs=[raw[0]]) as run:
        with pytest.raises(dt.ValidationError) as info:
            catalog.add_inputs(run, [raw[1], nowhere])
        assert violations(info) == {("used[1].dataset", nowhere)}
        with pytest.raises(dt.ValidationError) as info:
            catalog.add_informed_by(run, nowhere)
        assert violations(info) == {("informant", nowhere)}
    activity = catalog.get_activity(run)
    assert [u.dataset for u in activity.used] == [raw[0].pid] and activity.informed_by == []
    assert catalog.provenance().edges_of("wasDerivedFrom") == []
    # The activity itself missing is a lookup that fails.
    for call in (
        lambda: catalog.add_inputs(nowhere, [raw[0]]),
        lambda: catalog.append_log(nowhere, "x"),
        lambda: catalog.finish_activity(nowhere, "failed"),
        lambda: catalog.add_outputs(nowhere, [{"name": "orphan"}]),
        lambda: catalog.get_activity(nowhere),
        lambda: catalog.ancestors(nowhere),
    ):
        with pytest.raises(dt.NotFound):
            call()
    assert catalog.count_datasets() == 3


# --- bad input from Python ------------------------------------------------------------------


def test_bad_input_to_every_entry_point_names_field_value_and_rule(catalog: dt.Catalog, raw: list[dt.Dataset]) -> None:
    def refused(call: Callable[[], object], expected: set[tuple[str, str]]) -> None:
        with pytest.raises(dt.ValidationError) as info:
            call()
        assert violations(info) == expected
        assert all(v.rule for v in info.value.violations)

    refused(lambda: catalog.activity("x", type="cooking"), {("activity.type", "cooking")})
    refused(lambda: catalog.activity("x", parameters={"distance": {1, 2}}), {("activity.parameters.distance", "{1, 2}")})
    refused(lambda: catalog.activity("x", inputs=[42]), {("activity.used[0]", "42")})  # type: ignore[list-item]
    refused(lambda: catalog.activity("x", inputs=[(raw[0], 7)]), {("activity.used[0].role", "7")})  # type: ignore[list-item]
    refused(lambda: catalog.activity("x", inputs=[dt.Dataset("unregistered")]), {("activity.used[0].dataset", "Dataset(pid='', name='unregistered', kind='raw', metadata=0 keys, files=0)")})
    refused(lambda: catalog.activity("x", agents=[3.5]), {("activity.agents[0]", "3.5")})  # type: ignore[list-item]
    refused(lambda: catalog.activity("x", parent=12), {("activity.parent", "12")})  # type: ignore[arg-type]
    refused(lambda: catalog.activity("x", command_line=["ls"]), {("activity.command_line", "['ls']")})  # type: ignore[arg-type]
    refused(lambda: catalog.activity("x", source_tree=5), {("source_tree", "5")})  # type: ignore[arg-type]

    # Checked by the catalogue when the block is entered: nothing is recorded.
    def enter(**kwargs: Any) -> Callable[[], None]:
        def call() -> None:
            with catalog.activity(**kwargs):
                pytest.fail("the block must not run")

        return call

    refused(enter(name=""), {("activity.name", "")})
    refused(enter(name="x", parameters={"distance": (1.0, "bogus_unit")}), {("activity.parameters.distance", "1 bogus_unit")})
    refused(enter(name="x", pid="no prefix"), {("activity.pid", "no prefix")})
    refused(enter(name="x", inputs=["not a pid"]), {("activity.used[0].dataset", "not a pid")})

    refused(lambda: catalog.start_activity(dt.Activity("  ")), {("activity.name", "  ")})
    refused(lambda: catalog.start_activity({"name": "x", "type": "cooking", "colour": "red"}), {("activity.type", "cooking"), ("activity.colour", "'red'")})
    refused(lambda: catalog.start_activity("x"), {("activity", "'x'")})  # type: ignore[arg-type]
    refused(lambda: dt.Activity("x", type="cooking", status="done"), {("type", "cooking"), ("status", "done")})
    refused(lambda: dt.Activity("x", start_time="yesterday"), {("start_time", "yesterday")})
    refused(lambda: dt.Environment(git_dirty="yes"), {("git_dirty", "'yes'")})  # type: ignore[arg-type]
    refused(lambda: dt.Used(dataset=3), {("dataset", "3")})  # type: ignore[arg-type]
    refused(lambda: catalog.find_activities(type="cooking", status="done"), {("type", "cooking"), ("status", "done")})
    refused(lambda: catalog.find_activities(limit=-1), {("limit", "-1")})
    refused(lambda: catalog.get_activity(None), {("pid", "None")})  # type: ignore[arg-type]
    with catalog.activity("y") as run:
        refused(lambda: catalog.finish_activity(run, "done"), {("status", "done")})
        refused(lambda: catalog.finish_activity(run, "failed", end_time=dtm.datetime(2000, 1, 1, tzinfo=dtm.timezone.utc)), {("end_time", "2000-01-01T00:00:00.000000Z")})
        refused(lambda: catalog.add_inputs(run, [{"dataset": raw[0], "colour": "red"}]), {("used[0].colour", "'red'")})  # type: ignore[list-item]
        refused(lambda: catalog.add_outputs(run, [{"name": "ok"}, {"name": "bad", "metadata": {"e": (1.0, "nonsense_unit")}}]), {("datasets[1].metadata.e", "1 nonsense_unit")})
        refused(lambda: catalog.add_outputs(run, {"name": "lone"}), {("datasets", "{'name': 'lone'}")})  # type: ignore[dict-item]
        refused(lambda: run.output(""), {("dataset.name", "")})
        refused(lambda: run.outputs([{"name": "ok"}, 42]), {("datasets[1]", "42")})  # type: ignore[list-item]
        refused(lambda: run.output("x", kind="cooked"), {("dataset.kind", "cooked")})
        refused(lambda: run.log(5), {("text", "5")})  # type: ignore[arg-type]
        refused(lambda: catalog.associate(run, 5), {("agent", "5")})  # type: ignore[arg-type]
        refused(lambda: catalog.add_derivation(raw[0], None), {("source", "None")})  # type: ignore[arg-type]
    assert catalog.get_activity(run).status == "succeeded" and catalog.get_activity(run).generated == []
    refused(lambda: catalog.ancestors(42), {("pid", "42")})  # type: ignore[arg-type]
    refused(lambda: catalog.descendants(raw[0], depth=-1), {("depth", "-1")})
    refused(lambda: catalog.ancestor_pids(raw[0], depth=-2), {("depth", "-2")})
    refused(lambda: catalog.descendant_pids(3.5, depth="far"), {("pid", "3.5"), ("depth", "'far'")})  # type: ignore[arg-type]
    refused(lambda: catalog.generated_by_program(""), {("program", "")})
    nowhere = unknown_pid(catalog)
    refused(lambda: catalog.lineage_path(raw[0], nowhere), {("descendant", nowhere)})
    assert [a.name for a in catalog.find_activities()] == ["y"]
    assert catalog.count_datasets() == 3


def test_an_activity_run_made_directly(catalog: dt.Catalog, tmp_path: Path) -> None:
    activity = dt.Activity("direct", type="workflow", program="snakemake", command_line="snakemake -j4")
    with dt.ActivityRun(catalog, activity, source_tree=tmp_path) as run:
        run.log("ran")
    recorded = catalog.get_activity(run)
    assert (recorded.name, recorded.type, recorded.status, recorded.command_line) == ("direct", "workflow", "succeeded", "snakemake -j4")
    assert recorded.environment.git_commit == "" and recorded.environment.python_version == platform.python_version()
    assert activity.pid == "" and activity.environment == dt.Environment()  # the caller's object is left alone
    with dt.ActivityRun(catalog, activity, command_line="other") as again:
        pass
    assert catalog.get_activity(again).command_line == "other"
    with pytest.raises(TypeError):
        dt.ActivityRun(catalog, "direct")  # type: ignore[arg-type]


def test_a_closed_catalogue_refuses_runs(catalog_path: Path) -> None:
    cat = dt.Catalog(catalog_path)
    run = cat.activity("x")
    cat.close()
    with pytest.raises(dt.Error, match="closed"):
        cat.activity("y")
    with pytest.raises(dt.Error, match="closed"):
        run.__enter__()
