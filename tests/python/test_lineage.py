"""Lineage from Python: ancestors and descendants with depth limits, paths, raw sources, impact
queries by program version, and the ProvGraph the walks return (also as networkx)."""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest

import datatrail as dt


@dataclass
class Chain:
    """raw_1 + dark -> p_1, raw_2 + dark -> p_2 (pyFAI 1.2 and 1.10), p_1 + p_2 -> merged
    (merger 0.3), merged -> report; and an unrelated raw_3 -> p_3 (pyFAI 1.9)."""

    raw_1: dt.Dataset
    raw_2: dt.Dataset
    raw_3: dt.Dataset
    dark: dt.Dataset
    p_1: dt.Dataset
    p_2: dt.Dataset
    p_3: dt.Dataset
    merged: dt.Dataset
    report: dt.Dataset
    integrate_1: str
    integrate_2: str
    merge: str


@pytest.fixture
def chain(catalog: dt.Catalog) -> Chain:
    raw_1, raw_2, raw_3, dark = catalog.register_datasets(
        [{"name": "raw_1", "files": ["raw_1.h5"]}, {"name": "raw_2"}, {"name": "raw_3"}, {"name": "dark"}]
    )
    catalog.add_agent("Ada Lovelace")
    catalog.add_agent("Unrelated Person")
    with catalog.activity(
        "integrate", program="pyFAI", version="1.2", inputs=[dt.Used(raw_1, file="raw_1.h5"), (dark, "dark")], agents=[("Ada Lovelace", "operator")]
    ) as run_1:
        p_1 = run_1.output("p_1")
    with catalog.activity("integrate", program="pyFAI", version="1.10", inputs=[raw_2, (dark, "dark")]) as run_2:
        p_2 = run_2.output("p_2")
    with catalog.activity("integrate", program="pyFAI", version="1.9", inputs=[raw_3]) as run_3:
        p_3 = run_3.output("p_3")
    with catalog.activity("merge", program="merger", version="0.3", inputs=[p_1, p_2], informed_by=[run_1, run_2]) as merge:
        merged = merge.output("merged")
    with catalog.activity("report", program="reporter", version="2.0rc1", inputs=[merged]) as report_run:
        report = report_run.output("report")
    return Chain(raw_1, raw_2, raw_3, dark, p_1, p_2, p_3, merged, report, run_1.pid, run_2.pid, merge.pid)


def names(items: list[dt.ProvNode] | list[dt.Dataset]) -> set[str]:
    return {x.name for x in items}


def test_ancestors_all_the_way_and_by_depth(catalog: dt.Catalog, chain: Chain) -> None:
    graph = catalog.ancestors(chain.report)
    assert isinstance(graph, dt.ProvGraph)
    assert graph.nodes[0].id == chain.report.pid  # the start comes first
    assert names(graph.datasets) == {"report", "merged", "p_1", "p_2", "raw_1", "raw_2", "dark"}
    depth = {n.name: n.depth for n in graph.datasets}
    assert depth == {"report": 0, "merged": 1, "p_1": 2, "p_2": 2, "raw_1": 3, "raw_2": 3, "dark": 3}
    assert names(graph.activities) == {"report", "merge", "integrate"} and len(graph.activities) == 4
    assert names(graph.agents) == {"Ada Lovelace"}
    assert [n.id for n in graph.files] == [f"{chain.raw_1.pid}#raw_1.h5"]

    assert names(catalog.ancestors(chain.report, depth=0).datasets) == {"report"}
    one = catalog.ancestors(chain.report, depth=1)
    assert names(one.datasets) == {"report", "merged"}
    assert names(one.activities) == {"report"}  # the merge's inputs are beyond the limit
    assert names(catalog.ancestors(chain.report, depth=2).datasets) == {"report", "merged", "p_1", "p_2"}
    assert catalog.ancestors(chain.report, depth=3) == graph == catalog.ancestors(chain.report.pid, depth=10**12)
    assert names(catalog.ancestors(chain.raw_1).datasets) == {"raw_1"}


def test_ancestors_of_an_activity(catalog: dt.Catalog, chain: Chain) -> None:
    graph = catalog.ancestors(chain.merge)
    assert graph.nodes[0].id == chain.merge and graph.nodes[0].kind == "activity"
    assert names(graph.datasets) == {"p_1", "p_2", "raw_1", "raw_2", "dark"}
    assert {n.name: n.depth for n in graph.datasets}["p_1"] == 1
    run = catalog.get_activity(chain.merge)
    assert catalog.ancestors(run) == graph
    assert names(catalog.raw_sources(run)) == {"raw_1", "raw_2", "dark"}


def test_descendants_all_the_way_and_by_depth(catalog: dt.Catalog, chain: Chain) -> None:
    graph = catalog.descendants(chain.dark)
    assert graph.nodes[0].id == chain.dark.pid
    assert names(graph.datasets) == {"dark", "p_1", "p_2", "merged", "report"}
    assert {n.name: n.depth for n in graph.datasets} == {"dark": 0, "p_1": 1, "p_2": 1, "merged": 2, "report": 3}
    assert names(catalog.descendants(chain.dark, depth=1).datasets) == {"dark", "p_1", "p_2"}
    assert names(catalog.descendants(chain.raw_1, depth=2).datasets) == {"raw_1", "p_1", "merged"}
    assert names(catalog.descendants(chain.report).datasets) == {"report"}
    assert names(catalog.descendants(chain.integrate_2).datasets) == {"p_2", "merged", "report"}


def test_ancestor_and_descendant_pids(catalog: dt.Catalog, chain: Chain) -> None:
    up = catalog.ancestor_pids(chain.report)
    assert isinstance(up, dict)
    by_name = {d.pid: d.name for d in catalog.find_datasets()}
    assert {by_name[p]: d for p, d in up.items()} == {"merged": 1, "p_1": 2, "p_2": 2, "raw_1": 3, "raw_2": 3, "dark": 3}
    assert list(up.values()) == sorted(up.values())  # nearest first
    # The same datasets and depths as the graph, without the start.
    assert up == {n.id: n.depth for n in catalog.ancestors(chain.report).datasets if n.id != chain.report.pid}
    assert catalog.ancestor_pids(chain.report.pid, depth=1) == {chain.merged.pid: 1}
    assert catalog.ancestor_pids(chain.report, depth=0) == {}
    assert catalog.ancestor_pids(chain.raw_1) == {}
    assert catalog.descendant_pids(chain.dark) == {chain.p_1.pid: 1, chain.p_2.pid: 1, chain.merged.pid: 2,
                                                    chain.report.pid: 3}
    # From an activity: its inputs (or outputs) at depth 1.
    assert catalog.ancestor_pids(chain.merge, depth=1) == {chain.p_1.pid: 1, chain.p_2.pid: 1}
    assert catalog.descendant_pids(chain.integrate_2) == {chain.p_2.pid: 1, chain.merged.pid: 2, chain.report.pid: 3}


def test_walks_with_and_without_the_lineage_index_agree(catalog_path: Path, catalog: dt.Catalog, chain: Chain) -> None:
    with dt.Catalog(catalog_path, lineage_index=False) as file_walks:
        for d in catalog.find_datasets():
            for depth in (None, 1, 2):
                assert catalog.ancestor_pids(d, depth=depth) == file_walks.ancestor_pids(d, depth=depth)
                assert catalog.descendant_pids(d, depth=depth) == file_walks.descendant_pids(d, depth=depth)
                assert catalog.ancestors(d, depth=depth) == file_walks.ancestors(d, depth=depth)
        assert catalog.lineage_path(chain.raw_2, chain.report) == file_walks.lineage_path(chain.raw_2, chain.report)


WRITER = """
import sys
import datatrail as dt
with dt.Catalog(sys.argv[1]) as cat:
    with cat.activity("reprocess", program="pyFAI", version="2.0", inputs=[sys.argv[2]]) as run:
        print(run.output("p_1_again").pid)
    cat.add_derivation(sys.argv[3], sys.argv[2], role="reference")
"""


def test_the_lineage_index_sees_what_another_process_wrote(catalog_path: Path, catalog: dt.Catalog, chain: Chain) -> None:
    before = catalog.descendant_pids(chain.raw_1)  # the first walk loads the index
    assert set(before) == {chain.p_1.pid, chain.merged.pid, chain.report.pid}
    proc = subprocess.run([sys.executable, "-c", WRITER, str(catalog_path), chain.raw_1.pid, chain.p_3.pid],
                          capture_output=True, text=True, timeout=120, check=True)
    again = proc.stdout.strip()
    after = catalog.descendant_pids(chain.raw_1)
    assert after == {**before, again: 1, chain.p_3.pid: 1} and list(after.values()) == sorted(after.values())
    assert catalog.ancestor_pids(chain.p_3) == {chain.raw_3.pid: 1, chain.raw_1.pid: 1}
    assert catalog.lineage_path(chain.raw_1, again).datasets[-1].id == again


def test_lineage_path(catalog: dt.Catalog, chain: Chain) -> None:
    path = catalog.lineage_path(chain.raw_2, chain.report)
    assert [n.name for n in path.datasets] == ["raw_2", "p_2", "merged", "report"]
    assert [n.depth for n in path.datasets] == [3, 2, 1, 0]
    assert len(path.activities) == 3
    steps = {(e.source, e.target) for e in path.edges_of("wasDerivedFrom")}
    assert steps == {(chain.p_2.pid, chain.raw_2.pid), (chain.merged.pid, chain.p_2.pid), (chain.report.pid, chain.merged.pid)}
    assert [n.name for n in catalog.lineage_path(chain.merged, chain.merged).datasets] == ["merged"]
    with pytest.raises(dt.NotFound, match="no derivation path"):
        catalog.lineage_path(chain.raw_1, chain.p_2)
    with pytest.raises(dt.NotFound):
        catalog.lineage_path(chain.report, chain.raw_2)  # the wrong way round


def test_raw_sources_and_downstream(catalog: dt.Catalog, chain: Chain) -> None:
    sources = catalog.raw_sources(chain.report)
    assert all(isinstance(d, dt.Dataset) for d in sources)
    assert names(sources) == {"raw_1", "raw_2", "dark"}
    assert names(catalog.raw_sources(chain.p_3.pid)) == {"raw_3"}
    assert catalog.raw_sources(chain.raw_1) == []
    assert names(catalog.downstream(chain.raw_1)) == {"p_1", "merged", "report"}
    assert names(catalog.downstream(chain.dark)) == {"p_1", "p_2", "merged", "report"}
    assert catalog.downstream(chain.report) == []
    # Datasets come back whole.
    assert [f.path for f in next(d for d in catalog.raw_sources(chain.p_1) if d.name == "raw_1").files] == ["raw_1.h5"]


def test_generated_by_program_compares_versions_part_by_part(catalog: dt.Catalog, chain: Chain) -> None:
    # 1.2 < 1.9 < 1.10: a text comparison would put 1.10 first.
    assert names(catalog.generated_by_program("pyFAI")) == {"p_1", "p_2", "p_3"}
    assert names(catalog.generated_by_program("pyFAI", min_version="1.9")) == {"p_2", "p_3"}
    assert names(catalog.generated_by_program("pyFAI", max_version="1.10")) == {"p_1", "p_3"}
    assert names(catalog.generated_by_program("pyFAI", min_version="1.3", max_version="1.10")) == {"p_3"}
    assert names(catalog.generated_by_program("pyFAI", min_version="1.10", include_downstream=True)) == {"p_2", "merged", "report"}
    assert names(catalog.generated_by_program("pyFAI", max_version="1.3", include_downstream=True)) == {"p_1", "merged", "report"}
    assert names(catalog.generated_by_program("reporter", max_version="2.0")) == {"report"}  # 2.0rc1 < 2.0
    assert catalog.generated_by_program("reporter", max_version="2.0rc1") == []
    assert catalog.generated_by_program("nobody") == []
    versions = [a.version for a in catalog.find_activities(program="pyFAI", min_version="1.2", max_version="2")]
    assert versions == ["1.2", "1.10", "1.9"]  # oldest first, as recorded
    assert dt.compare_versions("1.2", "1.10") < 0 < dt.compare_versions("2.0", "2.0rc1")
    assert dt.compare_versions("1.10", "1.10") == 0


def test_the_whole_catalogues_provenance(catalog: dt.Catalog, chain: Chain) -> None:
    graph = catalog.provenance()
    assert len(graph.datasets) == 9 and len(graph.activities) == 5
    assert names(graph.agents) == {"Ada Lovelace", "Unrelated Person"}  # unassociated agents too
    kinds = {e.kind for e in graph.edges}
    assert kinds == {"used", "wasGeneratedBy", "wasDerivedFrom", "wasInformedBy", "wasAssociatedWith", "hadMember"}
    assert len(graph.edges_of("wasInformedBy")) == 2
    assert len(graph) == 9 + 5 + 2 + 1


def test_prov_graph_api(catalog: dt.Catalog, chain: Chain) -> None:
    graph = catalog.ancestors(chain.merged)
    assert chain.merged.pid in graph and chain.merged in graph and chain.raw_3 not in graph
    assert catalog.get_activity(chain.merge) in graph and catalog.agent("Ada Lovelace") in graph
    assert graph.nodes[0] in graph and 42 not in graph and "local/nothing" not in graph
    assert [n.id for n in graph] == [n.id for n in graph.nodes]
    node = graph.find(chain.merged.pid)
    assert node is not None and (node.kind, node.name, node.depth) == ("dataset", "merged", 0)
    assert node.attributes["kind"] == "processed" and node.attributes["state"] == "complete"
    activity = graph.find(chain.merge)
    assert activity is not None and activity.attributes["program"] == "merger" and activity.attributes["status"] == "succeeded"
    assert graph.find("local/nothing") is None
    assert len(graph) == len(graph.nodes) == len(graph.datasets) + len(graph.activities) + len(graph.agents) + len(graph.files)
    assert {e.kind for e in graph.edges_of("used")} == {"used"}
    with pytest.raises(dt.ValidationError):
        graph.edges_of("wasDerivedBy")
    text = repr(graph)
    assert text.startswith("ProvGraph(6 datasets, 3 activities, 1 agent, 1 file, ") and "first='merged'" in text
    assert "kind='wasDerivedFrom'" in repr(graph.edges_of("wasDerivedFrom")[0])
    assert pickle.loads(pickle.dumps(graph)) == graph and copy.deepcopy(graph) == graph
    # Built by hand, e.g. to export something the catalogue does not hold.
    made = dt.ProvGraph(
        nodes=[dt.ProvNode("x/1", "dataset", "a", {"kind": "raw"}), dt.ProvNode("x/2", "activity", "b")],
        edges=[dt.ProvEdge(source="x/1", target="x/2", kind="wasGeneratedBy")],
    )
    assert len(made) == 2 and made.edges[0].kind == "wasGeneratedBy"
    with pytest.raises(dt.ValidationError) as info:
        dt.ProvEdge(kind="derivedFrom")
    assert info.value.violations[0].field == "kind" and "wasDerivedFrom" in info.value.violations[0].rule
    with pytest.raises(dt.ValidationError):
        dt.ProvNode(kind="thing")
    with pytest.raises(dt.ValidationError):
        dt.ProvGraph(nodes=["x"])


def test_to_networkx_matches_the_graph(catalog: dt.Catalog, chain: Chain) -> None:
    graph = catalog.provenance()
    g = graph.to_networkx()
    assert isinstance(g, nx.MultiDiGraph)
    assert set(g.nodes) == {n.id for n in graph.nodes}
    assert g.number_of_edges() == len(graph.edges)
    for n in graph.nodes:
        assert g.nodes[n.id] == {"kind": n.kind, "name": n.name, "depth": n.depth, "attributes": n.attributes}
    edges = sorted((u, v, d["kind"], d["role"], d["activity"]) for u, v, d in g.edges(data=True))
    assert edges == sorted((e.source, e.target, e.kind, e.role, e.activity) for e in graph.edges)
    # PROV edges point from the later to the earlier thing: what networkx reaches from a dataset
    # is its ancestry, the same as the catalogue's walk finds.
    reached = {v for v in nx.descendants(g, chain.report.pid) if g.nodes[v]["kind"] == "dataset"} | {chain.report.pid}
    assert reached == {n.id for n in catalog.ancestors(chain.report).datasets}


def test_to_networkx_says_what_is_missing(catalog: dt.Catalog, chain: Chain, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "networkx", None)  # what `import networkx` sees when it is not installed
    with pytest.raises(ImportError, match="pip install networkx"):
        catalog.ancestors(chain.merged).to_networkx()


def test_lineage_of_unknown_pids(catalog: dt.Catalog, chain: Chain) -> None:
    nowhere = dt.new_pid(catalog.pid_prefix)
    for walk in (catalog.ancestors, catalog.descendants, catalog.ancestor_pids, catalog.descendant_pids,
                 catalog.raw_sources, catalog.downstream):
        with pytest.raises(dt.NotFound):
            walk(nowhere)
    with pytest.raises(dt.ValidationError) as info:
        catalog.lineage_path(nowhere, chain.merged)
    assert {(v.field, v.value) for v in info.value.violations} == {("ancestor", nowhere)}
