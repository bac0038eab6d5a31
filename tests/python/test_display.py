"""Rich display in Jupyter: the HTML of datasets, activities, query results, schemas, reports and
lineage graphs is parsed back to check that it is well-formed, that hostile text appears only
escaped, that long listings stop at their limits, and that tables hold the right rows."""

from __future__ import annotations

import pickle
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from IPython.core.formatters import DisplayFormatter

import datatrail as dt
from datatrail import _display

# Markup, an entity, both quotes and the end of an XML comment: whatever of it is not escaped
# shows up as a tag, a broken attribute or a broken document.
HOSTILE = "<script>alert(\"x\")</script> & 'q' -->"
SVG = "{http://www.w3.org/2000/svg}"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


class Page(HTMLParser):
    """The tags and text of an HTML fragment; fails on a tag closed out of order or left open."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: Counter[str] = Counter()
        self.chunks: list[str] = []
        self.attributes: list[str] = []
        self.feed(markup)
        self.close()
        assert not self.stack, f"tags left open: {self.stack}"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_startendtag(tag, attrs)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        self.attributes += [f"{name}={value}" for name, value in attrs]

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)

    @property
    def text(self) -> str:
        return "".join(self.chunks)


def parse(markup: str) -> tuple[Page, ET.Element]:
    """The fragment as HTML and as XML (it is both), after the checks every renderer must pass."""
    page = Page(markup)
    root = ET.fromstring(f"<root>{markup}</root>")
    assert "<script" not in markup and "<style" not in markup
    # No external CSS or JavaScript, nothing fetched.
    assert not {"script", "style", "link", "img", "iframe"} & set(page.tags)
    assert not any(a.startswith(("src=", "href=")) for a in page.attributes)
    # Colours come from the theme: text and backgrounds inherit or are transparent, borders are a
    # half-transparent grey, readable on light and dark backgrounds alike.
    for attribute in page.attributes:
        if not attribute.startswith("style="):
            continue
        for declaration in attribute.removeprefix("style=").split(";"):
            prop, _, value = (part.strip() for part in declaration.partition(":"))
            if prop in ("color", "background", "background-color"):
                assert value in ("inherit", "transparent"), declaration
            if prop.startswith("border") and prop != "border-collapse":
                assert "rgba(128, 128, 128," in value, declaration
    return page, root


def section(root: ET.Element, name: str) -> ET.Element:
    """The <details> part of a record titled `name`."""
    for d in root.iter("details"):
        summary = d.find("summary")
        assert summary is not None
        if summary.text is not None and summary.text.strip() == name:
            return d
    raise AssertionError(f"no section {name!r}")


def rows(part: ET.Element | None) -> list[list[str]]:
    """The body rows of the first table in `part`, as the text of their cells."""
    assert part is not None
    table = part if part.tag == "table" else part.find(".//table")
    assert table is not None
    return [["".join(td.itertext()) for td in tr] for tr in table.iter("tr") if tr.find("td") is not None]


def headers(part: ET.Element) -> list[str]:
    table = part.find(".//table")
    assert table is not None
    return ["".join(th.itertext()) for th in table.iter("th")]


@pytest.fixture
def cat(tmp_path: Path) -> dt.Catalog:
    return dt.Catalog(tmp_path / "display.db")


LENIENT = """
name: beamline
version: "1.0"
strict: false
description: 'checks <b>beamline</b> data & "more"'
fields:
  beam.energy:
    type: float
    unit: keV
    required: true
    minimum: 5 keV
    maximum: 30 keV
    nexus_path: /entry/instrument/source/energy
  sample.name:
    type: string
    pattern: "[a-z]+"
    description: "the sample's <name>"
  mode:
    type: enum
    allowed: [fast, slow]
    default: fast
"""


# --- datasets -------------------------------------------------------------------------------


def test_a_dataset_shows_its_fields_metadata_with_units_and_files(cat: dt.Catalog) -> None:
    ds = cat.register_dataset(
        HOSTILE,
        description=HOSTILE,
        techniques=["XRD", HOSTILE],
        location="/data/<x>&y",
        metadata={"energy": (12.7, "keV"), "detector.distance": (250.0, "mm", 0.5), "note": HOSTILE, "frames": 3},
        files=[dt.Datafile("scan.h5", size=3 * 1024 * 1024, sha256="ab" * 32), dt.Datafile(HOSTILE, size=10)],
    )
    markup = ds._repr_html_()
    page, root = parse(markup)
    # The title, the description, the list of techniques, a metadata value, a file's path.
    assert page.text.count(HOSTILE) == 5 and f"XRD, {HOSTILE}" in page.text
    assert ds.pid in page.text and "raw · complete" in page.text

    metadata = section(root, "metadata")
    assert headers(metadata) == ["key", "value", "unit"]
    assert rows(metadata) == [
        ["detector.distance", "250.0 ± 0.5", "mm"],
        ["energy", "12.7", "keV"],
        ["frames", "3", ""],
        ["note", HOSTILE, ""],
    ]
    files = section(root, "files")
    assert headers(files) == ["path", "size", "sha256", "format"]
    assert rows(files)[0] == ["scan.h5", "3.0 MiB", "abababababab…", "hdf5"]
    assert rows(files)[1][:2] == [HOSTILE, "10 B"]
    # The whole checksum and the exact size are in the tooltips.
    assert f"title={'ab' * 32}" in page.attributes and f"title={3 * 1024 * 1024} bytes" in page.attributes


def test_long_metadata_and_file_lists_are_cut_with_a_count(cat: dt.Catalog) -> None:
    n_keys, n_files = _display.MAX_ROWS + 70, _display.MAX_ROWS + 10
    ds = cat.register_dataset(
        "big",
        metadata={f"k{i:03d}": i for i in range(n_keys)},
        files=[dt.Datafile(f"f{i:03d}.tif", size=i) for i in range(n_files)],
    )
    _, root = parse(ds._repr_html_())
    metadata = rows(section(root, "metadata"))
    assert len(metadata) == _display.MAX_ROWS + 1
    assert metadata[0] == ["k000", "0"] and metadata[-2] == [f"k{_display.MAX_ROWS - 1:03d}", str(_display.MAX_ROWS - 1)]
    assert metadata[-1] == ["… and 70 more keys"]
    files = rows(section(root, "files"))
    assert len(files) == _display.MAX_ROWS + 1 and files[-1] == ["… and 10 more files"]


def test_a_long_value_is_cut_before_it_is_escaped(cat: dt.Catalog) -> None:
    ds = cat.register_dataset("long", description="&" * 1000)
    page, _ = parse(ds._repr_html_())
    assert "&" * (_display.MAX_TEXT - 1) + "…" in page.text and "&" * _display.MAX_TEXT not in page.text


def test_an_invalid_dataset_shows_its_violations(cat: dt.Catalog) -> None:
    cat.add_schema(dt.parse_schema(LENIENT))
    ds = cat.register_dataset("bad", schema="beamline", metadata={"sample.name": HOSTILE})
    assert not ds.valid
    page, root = parse(ds._repr_html_())
    assert ["valid", "✗ no"] in rows(root.find(".//table"))
    violations = rows(section(root, "violations"))
    assert len(violations) == len(ds.violations) == 2
    assert {r[0] for r in violations} == {v.field for v in ds.violations}
    assert any(HOSTILE in r[1] for r in violations)


def test_every_record_of_a_field_table_renders(cat: dt.Catalog) -> None:
    inv = cat.add_investigation(HOSTILE, title=HOSTILE, participants=[dt.Participant(HOSTILE, role="PI")])
    records: list[Any] = [
        inv,
        cat.add_sample(HOSTILE, metadata={"mass": (2.0, "mg")}),
        cat.add_agent(HOSTILE, type="software", version="1.0"),
        cat.add_instrument(HOSTILE, facility="ESRF"),
        dt.Datafile(HOSTILE, size=5 * 1024**4),
        dt.Used(dataset="local/x", role=HOSTILE),
        dt.Environment(os=HOSTILE, packages={"numpy": "2.0"}),
    ]
    for record in records:
        assert type(record)._fields, type(record)
        page, _ = parse(record._repr_html_())
        assert HOSTILE in page.text, type(record)
    page, _ = parse(dt.Datafile(HOSTILE, size=5 * 1024**4)._repr_html_())
    assert page.text.count(HOSTILE) == 1 and "5.0 TiB" in page.text  # the path heads it, once
    _, root = parse(inv._repr_html_())
    assert rows(section(root, "participants"))[0][:2] == [HOSTILE, "PI"]


# --- activities -----------------------------------------------------------------------------


def test_an_activity_shows_parameters_inputs_outputs_and_status(cat: dt.Catalog) -> None:
    raw = cat.register_dataset("raw")
    with cat.activity(
        HOSTILE, program="pyFAI", version="2025.1", inputs=[(raw, "sample")],
        parameters={"npt": 1000, "distance": (250.0, "mm"), "mask": HOSTILE},
    ) as run:
        out = run.output("integrated")
    act = cat.get_activity(run.pid)
    page, root = parse(act._repr_html_())
    assert HOSTILE in page.text and "processing · succeeded" in page.text
    assert rows(section(root, "parameters")) == [["distance", "250.0", "mm"], ["mask", HOSTILE, ""], ["npt", "1000", ""]]
    assert rows(section(root, "used")) == [[raw.pid, "sample"]]
    fields = dict(r[:2] for r in rows(root.find(".//table")))
    assert fields["program"] == "pyFAI" and fields["status"] == "succeeded" and fields["generated"] == out.pid
    # The environment (hundreds of packages) is folded away.
    environment = section(root, "environment")
    assert "open" not in environment.attrib
    packages, n = rows(section(environment, "packages")), len(act.environment.packages)
    assert n > 0 and len(packages) == min(n, _display.MAX_ROWS) + (n > _display.MAX_ROWS)


def test_a_log_shows_its_last_lines() -> None:
    act = dt.Activity("run", status="failed", log="\n".join(f"line {i} <&>" for i in range(100)))
    page, root = parse(act._repr_html_())
    assert "failed" in page.text
    log = "".join(section(root, "log").itertext())
    assert f"… {100 - _display.MAX_LOG_LINES} earlier lines" in log
    assert "line 99 <&>" in log and f"line {100 - _display.MAX_LOG_LINES} <&>" in log
    assert f"line {99 - _display.MAX_LOG_LINES} <&>" not in log


# --- query results --------------------------------------------------------------------------


def test_find_datasets_returns_a_list_that_shows_as_a_table(cat: dt.Catalog) -> None:
    n = _display.MAX_ROWS + 10
    cat.register_datasets(
        [
            {"name": f"scan_{i:03d}", "metadata": {"energy": (12 + i / 100, "keV"), "sample.name": HOSTILE}}
            for i in range(n)
        ]
    )
    found = cat.find_datasets()
    assert isinstance(found, dt.Datasets) and isinstance(found, list) and len(found) == n
    assert found == list(found) and list(found) == found
    assert pickle.loads(pickle.dumps(found)) == found and type(pickle.loads(pickle.dumps(found))) is dt.Datasets
    assert type(found[:3]) is dt.Datasets and found[:3] == list(found)[:3]
    assert isinstance(found[0], dt.Dataset) and repr(found) == repr(list(found))

    page, root = parse(found._repr_html_())
    assert f"{n} datasets" in page.text
    assert headers(root) == ["name", "pid", "kind", "state", "start_time", "files", "energy", "sample.name"]
    body = rows(root)
    assert len(body) == _display.MAX_ROWS + 1 and body[-1] == ["… and 10 more datasets"]
    assert body[0][0] == "scan_000" and body[0][6:] == ["12.0 keV", HOSTILE]
    assert page.text.count(HOSTILE) == _display.MAX_ROWS

    ten = found[:10]
    assert len(rows(parse(ten._repr_html_())[1])) == 10


def test_lineage_results_are_tables_too(cat: dt.Catalog) -> None:
    raw = cat.register_dataset("raw_001")
    with cat.activity("integrate", program="pyFAI", version="2024.2", inputs=[raw]) as run:
        result = run.output("result_001")
    for found in (cat.raw_sources(result), cat.downstream(raw), cat.generated_by_program("pyFAI")):
        assert isinstance(found, dt.Datasets) and len(found) == 1
        assert "1 dataset" in parse(found._repr_html_())[0].text


def test_an_empty_result_says_so(cat: dt.Catalog) -> None:
    found = cat.find_datasets(limit=0)
    assert found == [] and isinstance(found, dt.Datasets)
    page, root = parse(found._repr_html_())
    assert "0 datasets" in page.text and root.find(".//table") is None


def test_a_result_table_keeps_the_most_common_metadata_keys(cat: dt.Catalog) -> None:
    common = {f"c{i}": i for i in range(_display.MAX_COLUMNS)}
    cat.register_dataset("a", metadata={**common, "rare": 1})
    cat.register_dataset("b", metadata=common)
    _, root = parse(cat.find_datasets()._repr_html_())
    assert headers(root)[6:] == list(common)


# --- schemas and reports --------------------------------------------------------------------


def test_a_schema_shows_its_fields_as_a_table() -> None:
    schema = dt.parse_schema(LENIENT)
    page, root = parse(schema._repr_html_())
    assert "beamline@1.0" in page.text and "lenient" in page.text
    assert 'checks <b>beamline</b> data & "more"' in page.text
    fields = section(root, "fields")
    assert headers(fields) == ["key", "type", "unit", "required", "range", "allowed", "default", "pattern",
                               "nexus_path", "description"]
    body = {r[0]: r for r in rows(fields)}
    assert list(body) == [f.key for f in schema.fields]
    assert body["beam.energy"][1:5] == ["float", "keV", "yes", "5.0 keV … 30.0 keV"]
    assert body["sample.name"][-1] == "the sample's <name>"


def test_a_schema_with_many_fields_is_cut() -> None:
    n = _display.MAX_ROWS + 5
    text = 'name: many\nversion: "1"\nfields:\n' + "".join(f"  f{i:03d}:\n    type: string\n" for i in range(n))
    _, root = parse(dt.parse_schema(text)._repr_html_())
    body = rows(section(root, "fields"))
    assert len(body) == _display.MAX_ROWS + 1 and body[-1] == ["… and 5 more fields"]


def test_a_validation_report_is_valid_or_lists_its_violations(cat: dt.Catalog) -> None:
    cat.add_schema(dt.parse_schema(LENIENT))
    good = cat.register_dataset("good", schema="beamline", metadata={"beam.energy": (12.0, "keV")})
    bad = cat.register_dataset("bad", schema="beamline", metadata={"beam.energy": (50.0, "keV"), "sample.name": HOSTILE})
    reports = {r.dataset: r for r in cat.validate(pids=[good.pid, bad.pid])}
    page, root = parse(reports[good.pid]._repr_html_())
    assert "✓ valid" in page.text and "beamline@1.0" in page.text and root.find(".//table") is None
    page, root = parse(reports[bad.pid]._repr_html_())
    assert "✗ invalid: 2 violations" in page.text
    body = rows(root)
    assert len(body) == len(reports[bad.pid].violations) == 2
    assert [HOSTILE in r[1] for r in body].count(True) == 1


def test_a_merge_report_counts_each_kind_of_record(cat: dt.Catalog, tmp_path: Path) -> None:
    source = dt.Catalog(tmp_path / "beamline.db")
    source.register_dataset("one")
    source.register_dataset("two")
    report = cat.merge_from(source)
    _, root = parse(report._repr_html_())
    body = rows(root)
    assert [r[0] for r in body] == [*dt.MergeReport._fields, "total"]
    assert ["datasets", "2", "0"] in body and body[-1][1:] == [str(sum(getattr(report, n).added for n in dt.MergeReport._fields)), "0"]


def test_an_ingest_report_counts_outcomes_and_lists_failures(cat: dt.Catalog, tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "broken.nxs").write_bytes(b"not HDF5")
    (folder / f"{HOSTILE.replace('/', '_')}.nxs").write_bytes(b"not HDF5 either")
    report = cat.ingest(folder)
    page, root = parse(report._repr_html_())
    assert rows(root.find(".//table")) == [["ingested", "0"], ["already_present", "0"], ["skipped", "0"], ["failed", "2"]]
    failed = rows(section(root, "failed"))
    assert len(failed) == 2 and all(r[1] == "NexusError" for r in failed)
    assert any(HOSTILE.replace("/", "_") in r[0] for r in failed)


# --- lineage graphs -------------------------------------------------------------------------


def lineage(cat: dt.Catalog) -> dt.ProvGraph:
    raw = cat.register_dataset(HOSTILE)
    with cat.activity("integrate & fit", inputs=[raw], agents=[cat.add_agent(HOSTILE)]) as run:
        out = run.output("result")
    return cat.ancestors(out)


@needs_dot
def test_a_graph_shows_the_drawing_graphviz_makes(cat: dt.Catalog) -> None:
    graph = lineage(cat)
    page, root = parse(graph._repr_html_())
    svg = root.find(f".//{SVG}svg")
    assert svg is not None
    texts = {t.text for t in svg.iter(f"{SVG}text")}
    assert {HOSTILE, "integrate & fit", "result"} <= texts
    assert len([g for g in svg.iter(f"{SVG}g") if g.get("class") == "node"]) == len(graph.nodes)
    assert f"{len(graph.edges)} edges" in page.text


def test_without_graphviz_a_graph_shows_its_nodes_and_edges(
    cat: dt.Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = lineage(cat)
    monkeypatch.setenv("PATH", str(tmp_path))  # a folder without dot
    page, root = parse(graph._repr_html_())
    assert root.find(f".//{SVG}svg") is None and "Graphviz is not installed" in page.text
    nodes = rows(section(root, "nodes"))
    assert sorted(r[2] for r in nodes) == sorted(n.id for n in graph.nodes)
    edges = rows(section(root, "edges"))
    assert len(edges) == len(graph.edges)
    assert [HOSTILE, "wasGeneratedBy"] not in [r[:2] for r in edges]  # the raw dataset was used, not made
    assert any(r[1] == "used" and r[2] == HOSTILE for r in edges)


def test_a_large_graph_without_graphviz_is_cut(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    n = _display.MAX_ROWS + 3
    graph = dt.ProvGraph(nodes=[dt.ProvNode(f"local/{i}", "dataset", f"d{i}") for i in range(n)])
    _, root = parse(graph._repr_html_())
    body = rows(section(root, "nodes"))
    assert len(body) == _display.MAX_ROWS + 1 and body[-1] == ["… and 3 more nodes"]


def test_an_empty_graph_says_so() -> None:
    page, _ = parse(dt.ProvGraph()._repr_html_())
    assert "no nodes" in page.text


# --- in IPython -----------------------------------------------------------------------------


@pytest.mark.parametrize("dot", [True, False], ids=["graphviz", "no-graphviz"])
def test_ipython_gets_html_and_plain_text(
    cat: dt.Catalog, dot: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if dot and shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    graph = lineage(cat)
    if not dot:
        monkeypatch.setenv("PATH", str(tmp_path))
    objects: list[Any] = [
        cat.find_datasets()[0],
        cat.find_activities()[0],
        dt.parse_schema(LENIENT),
        cat.validate()[0],
        graph,
        cat.merge_from(dt.Catalog(tmp_path / "empty.db")),
        cat.ingest(tmp_path, suffixes=[".nothing"]),
    ]
    formatter = DisplayFormatter()
    for obj in objects:
        data, _ = formatter.format(obj)
        assert data["text/html"] == obj._repr_html_(), type(obj)
        assert data["text/plain"] == repr(obj) and "\n" not in repr(obj), type(obj)
    data, _ = formatter.format(graph)
    assert ("image/svg+xml" in data) is dot
    found = cat.find_datasets()
    data, _ = formatter.format(found)
    assert data["text/html"] == found._repr_html_() and data["text/plain"].startswith("[Dataset(")
