"""PROV exports from Python, read back by independent tools: PROV-JSON and PROV-N by the `prov`
package, DOT and SVG by Graphviz. Every entity, activity, agent and relation must arrive."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import prov.model as pm
import pytest

import datatrail as dt

PID_NS = "urn:datatrail:pid:"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")

# The prov package's record class for each relation datatrail writes; the first two formal
# attributes of each are the edge's source and target.
RELATIONS = {
    "used": pm.ProvUsage,
    "wasGeneratedBy": pm.ProvGeneration,
    "wasDerivedFrom": pm.ProvDerivation,
    "wasInformedBy": pm.ProvCommunication,
    "wasAssociatedWith": pm.ProvAssociation,
    "hadMember": pm.ProvMembership,
}
ELEMENTS = {"dataset": pm.ProvEntity, "datafile": pm.ProvEntity, "activity": pm.ProvActivity, "agent": pm.ProvAgent}


def uri(pid: str) -> str:
    """A PID as a URI in datatrail's namespace: characters outside letters, digits and
    ``/#_-~.`` are percent-encoded."""
    return PID_NS + quote(pid, safe="/#")


@dataclass
class World:
    catalog: dt.Catalog
    graph: dt.ProvGraph


@pytest.fixture
def world(catalog: dt.Catalog) -> World:
    """A catalogue using every relation, PIDs that need encoding and names that need escaping."""
    ada = catalog.add_agent("Ada Lovelace", orcid="0000-0002-1825-0097")
    catalog.add_agent("pyFAI", type="software", version="2025.1")
    catalog.add_agent("ESRF", type="organisation")
    catalog.add_agent("Nobody in particular")  # associated with nothing
    raw = catalog.register_dataset("scan_001", files=["scan_001.h5", "frames/0001.h5"])
    odd = catalog.register_dataset('dark "A" \\ 1', pid="20.500.12345/dark:1+x")
    with catalog.activity(
        "integrate",
        program="pyFAI",
        version="2025.1",
        inputs=[dt.Used(raw, file="frames/0001.h5", role="frames"), (odd, "dark")],
        agents=[(ada, "operator"), ("pyFAI", "software"), "ESRF"],
    ) as first:
        pattern = first.output("pattern", role="result")
    with catalog.activity("merge", inputs=[pattern], informed_by=[first]) as second:
        merged = second.output("merged")
    catalog.add_derivation(merged, raw, "calibration")  # no activity recorded for it
    with pytest.raises(RuntimeError):
        with catalog.activity("failing", inputs=[merged]) as third:
            third.output("never valid")
            raise RuntimeError("boom")
    return World(catalog, catalog.provenance())


def expected_relations(graph: dt.ProvGraph) -> list[tuple[str, str, str, str, str]]:
    return sorted((e.kind, uri(e.source), uri(e.target), e.role, uri(e.activity) if e.activity else "") for e in graph.edges)


def relations_of(doc: pm.ProvDocument) -> list[tuple[str, str, str, str, str]]:
    out = []
    for kind, cls in RELATIONS.items():
        for record in doc.get_records(cls):
            values = [v for _, v in record.formal_attributes]
            roles = record.get_attribute("prov:role")
            assert len(roles) <= 1
            # wasDerivedFrom(generatedEntity, usedEntity, activity, generation, usage)
            activity = values[2] if kind == "wasDerivedFrom" else None
            out.append((kind, values[0].uri, values[1].uri, next(iter(roles), ""), activity.uri if activity else ""))
    return sorted(out)


def ident(record: pm.ProvRecord) -> str:
    assert record.identifier is not None
    return str(record.identifier.uri)


def elements_of(doc: pm.ProvDocument, cls: type) -> dict[str, str]:
    """URI -> label of every element record of a class."""
    return {ident(r): next(iter(r.get_attribute("prov:label"))) for r in doc.get_records(cls)}


def check_document(doc: pm.ProvDocument, graph: dt.ProvGraph) -> None:
    for kind, cls in {"entity": pm.ProvEntity, "activity": pm.ProvActivity, "agent": pm.ProvAgent}.items():
        nodes = [n for n in graph.nodes if ELEMENTS[n.kind] is cls]
        assert elements_of(doc, cls) == {uri(n.id): n.name for n in nodes}, kind
    assert relations_of(doc) == expected_relations(graph)
    assert len(list(doc.get_records())) == len(graph.nodes) + len(graph.edges)


def test_the_world_uses_every_relation(world: World) -> None:
    g = world.graph
    assert {e.kind for e in g.edges} == set(RELATIONS)
    assert {n.kind for n in g.nodes} == set(ELEMENTS)
    assert len(g.agents) == 4 and len(g.files) == 1 and len(g.activities) == 3


def test_prov_json_is_read_whole_by_the_prov_package(world: World) -> None:
    text = world.graph.to_prov_json()
    doc = pm.ProvDocument.deserialize(content=text, format="json")
    check_document(doc, world.graph)
    # PROV types and attributes arrive too.
    agents = {ident(r): {str(t) for t in r.get_attribute("prov:type")} for r in doc.get_records(pm.ProvAgent)}
    by_name = {n.name: uri(n.id) for n in world.graph.agents}
    assert agents[by_name["Ada Lovelace"]] == {"prov:Person"}
    assert agents[by_name["pyFAI"]] == {"prov:SoftwareAgent"}
    assert agents[by_name["ESRF"]] == {"prov:Organization"}
    failing = next(n for n in world.graph.activities if n.name == "failing")
    (record,) = [r for r in doc.get_records(pm.ProvActivity) if ident(r) == uri(failing.id)]
    assert isinstance(record, pm.ProvActivity)
    assert {str(v) for v in record.get_attribute("dt:status")} == {"failed"}
    assert record.get_endTime() == dt.parse_time(failing.attributes["end_time"])
    assert json.loads(text)["prefix"] == {"pid": PID_NS, "dt": "urn:datatrail:ns#"}
    assert dt.to_prov_json(world.graph) == text


def test_prov_n_is_read_whole_by_the_prov_package(world: World) -> None:
    text = world.graph.to_prov_n()
    lines = text.splitlines()
    assert lines[0] == "document" and lines[-1] == "endDocument"
    assert f"  prefix pid <{PID_NS}>" in lines
    # One line per record, named as PROV-N names it.
    records = [line.strip().split("(", 1)[0] for line in lines if line.startswith("  ") and "(" in line]
    assert sorted(records) == sorted(
        ["entity" if n.kind in ("dataset", "datafile") else n.kind for n in world.graph.nodes] + [e.kind for e in world.graph.edges]
    )
    doc = pm.ProvDocument.deserialize(content=text, format="provn")
    check_document(doc, world.graph)
    assert doc == pm.ProvDocument.deserialize(content=world.graph.to_prov_json(), format="json")
    assert dt.to_prov_n(world.graph) == text


def test_a_lineage_graph_exports_as_well(world: World) -> None:
    merged = world.catalog.find_datasets(name="merged")[0]
    graph = world.catalog.ancestors(merged)
    doc = pm.ProvDocument.deserialize(content=graph.to_prov_json(), format="json")
    check_document(doc, graph)
    document = json.loads(graph.to_prov_json())
    assert sorted(document) == sorted(["prefix", "entity", "activity", "agent", *{e.kind for e in graph.edges}])


@needs_dot
def test_dot_is_read_by_graphviz(world: World) -> None:
    g = world.graph
    text = g.to_dot()
    assert text.startswith("digraph provenance {") and text.endswith("}\n")
    assert text == dt.to_dot(g)
    # Graphviz's plain output: one "node" line per node, one "edge" line per edge.
    plain = subprocess.run(["dot", "-Tplain"], input=text, capture_output=True, text=True, check=True).stdout.splitlines()
    assert sum(1 for line in plain if line.startswith("node ")) == len(g.nodes)
    assert sum(1 for line in plain if line.startswith("edge ")) == len(g.edges)
    shapes = {"dataset": "ellipse", "datafile": "note", "activity": "box", "agent": "house"}
    for n in g.nodes:
        # Labels hold line breaks, so a node's statement may span lines.
        statement = re.search(re.escape(json.dumps(n.id)) + r" \[label=.*?, shape=(\w+)", text, re.S)
        assert statement is not None and statement.group(1) == shapes[n.kind]


@needs_dot
def test_svg_is_drawn_by_graphviz(world: World) -> None:
    g = world.catalog.ancestors(world.catalog.find_datasets(name="pattern")[0])
    svg = g.to_svg()
    root = ET.fromstring(svg.encode())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    groups = [e.get("class") for e in root.iter("{http://www.w3.org/2000/svg}g")]
    assert groups.count("node") == len(g.nodes) and groups.count("edge") == len(g.edges)
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"pattern", "scan_001", 'dark "A" \\ 1', "integrate", "Ada Lovelace"} <= texts
    assert dt.to_svg(g) == svg
    assert g._repr_svg_() == svg


def test_without_graphviz_svg_fails_clearly_and_jupyter_falls_back(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a folder without dot
    with pytest.raises(dt.Error, match="Graphviz"):
        world.graph.to_svg()
    assert world.graph._repr_svg_() is None
    assert "digraph" in world.graph.to_dot()  # DOT needs no Graphviz
