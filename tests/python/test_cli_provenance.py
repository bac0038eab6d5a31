"""The datatrail command line on provenance and files: lineage (tree, DOT, SVG, JSON), export
(PROV-JSON read by the prov package, PROV-N), verify (modified and deleted files) and merge."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from prov.model import ProvDocument

import datatrail as dt
from cli_helpers import Cli, cli  # noqa: F401 - cli is a fixture

PROV_PID = "urn:datatrail:pid:"


class Lineage:
    """raw + dark --integrate (pyFAI 2025.1)--> integrated --merge (merger 0.3)--> merged, and an
    unrelated scan."""

    def __init__(self, catalog: str) -> None:
        with dt.Catalog(catalog) as cat:
            self.raw = cat.register_dataset("scan_001").pid
            self.dark = cat.register_dataset("dark_001").pid
            self.other = cat.register_dataset("scan_002").pid
            with cat.activity("integrate", program="pyFAI", version="2025.1", inputs=[self.raw, (self.dark, "dark")]) as run:
                self.integrated = run.output("scan_001_int").pid
            self.integrate = run.pid
            with cat.activity("merge", program="merger", version="0.3", inputs=[self.integrated]) as run:
                self.merged = run.output("merged").pid
            self.merge = run.pid


@pytest.fixture
def lineage(cli: Cli) -> Lineage:
    return Lineage(cli.catalog)


# --- lineage ----------------------------------------------------------------------------------------


def test_lineage_tree_of_ancestors(cli: Cli, lineage: Lineage) -> None:
    assert cli.ok("lineage", "merged").out.splitlines() == [
        f"merged (processed, complete) {lineage.merged}",
        f"└── scan_001_int (processed, complete) {lineage.integrated}  <- merge [merger 0.3]",
        f"    ├── dark_001 (raw, complete) {lineage.dark}  <- integrate [pyFAI 2025.1]",
        f"    └── scan_001 (raw, complete) {lineage.raw}  <- integrate [pyFAI 2025.1]",
    ]
    assert cli.ok("lineage", lineage.merged, "--depth", "1").out.splitlines()[1:] == [
        f"└── scan_001_int (processed, complete) {lineage.integrated}  <- merge [merger 0.3]",
    ]


def test_lineage_tree_of_descendants_marks_a_diamond(cli: Cli, lineage: Lineage) -> None:
    with dt.Catalog(cli.catalog) as cat:
        # scan_001 reaches merged twice: through scan_001_int and directly.
        cat.add_derivation(lineage.merged, lineage.raw)
    assert cli.ok("lineage", "scan_001", "--descendants").out.splitlines() == [
        f"scan_001 (raw, complete) {lineage.raw}",
        f"├── merged (processed, complete) {lineage.merged}",
        f"└── scan_001_int (processed, complete) {lineage.integrated}  <- integrate [pyFAI 2025.1]",
        f"    └── merged (processed, complete) {lineage.merged}  <- merge [merger 0.3] (see above)",
    ]


def test_lineage_json(cli: Cli, lineage: Lineage) -> None:
    graph = cli.ok("lineage", "merged", "--json").json()
    assert graph == cli.ok("lineage", "merged", "--format", "json").json()
    assert graph["nodes"][0]["id"] == lineage.merged
    datasets = {n["id"]: n["depth"] for n in graph["nodes"] if n["kind"] == "dataset"}
    assert datasets == {lineage.merged: 0, lineage.integrated: 1, lineage.raw: 2, lineage.dark: 2}
    derived = {(e["source"], e["target"], e["activity"]) for e in graph["edges"] if e["kind"] == "wasDerivedFrom"}
    assert (lineage.integrated, lineage.dark, lineage.integrate) in derived


def test_lineage_dot_parsed_by_graphviz(cli: Cli, lineage: Lineage, tmp_path: Path) -> None:
    cli.ok("lineage", "merged", "--format", "dot", "-o", str(tmp_path / "lineage.dot"))
    # Graphviz's plain output lists every node it parsed: "node <name> x y w h <label> ...".
    plain = subprocess.run(["dot", "-Tplain", str(tmp_path / "lineage.dot")], capture_output=True, text=True, check=True).stdout
    nodes = {line.split()[1].strip('"') for line in plain.splitlines() if line.startswith("node ")}
    assert {lineage.merged, lineage.integrated, lineage.raw, lineage.dark, lineage.integrate, lineage.merge} <= nodes
    assert lineage.other not in nodes


def test_lineage_svg_is_well_formed(cli: Cli, lineage: Lineage) -> None:
    svg = ET.fromstring(cli.ok("lineage", "scan_001", "--descendants", "--format", "svg").out)
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    titles = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}title")}
    assert {lineage.raw, lineage.integrated, lineage.merged} <= titles


def test_lineage_errors(cli: Cli, lineage: Lineage) -> None:
    ran = cli("lineage", "nothing")
    assert (ran.code, ran.error) == (4, "no dataset with PID or name 'nothing' in the catalogue")
    ran = cli("lineage", "merged", "--json", "--format", "dot")
    assert (ran.code, ran.error) == (2, "--json and --format dot contradict each other")
    ran = cli("lineage", "merged", "--depth", "-2")
    assert (ran.code, ran.error) == (2, "--depth -2: must be 0 or more")
    ran = cli("lineage", "merged", "--format", "png")
    assert ran.code == 2 and "invalid choice: 'png'" in ran.error


# --- export -----------------------------------------------------------------------------------------


def prov_ids(document: ProvDocument) -> set[str]:
    return {str(record.identifier.uri) for record in document.get_records() if record.identifier is not None}


def test_export_prov_json_read_by_prov(cli: Cli, lineage: Lineage, tmp_path: Path) -> None:
    text = cli.ok("export", "merged").out
    document = ProvDocument.deserialize(content=text, format="json")
    ids = prov_ids(document)
    for pid in (lineage.merged, lineage.integrated, lineage.raw, lineage.dark, lineage.integrate, lineage.merge):
        assert PROV_PID + pid in ids
    assert PROV_PID + lineage.other not in ids
    # Two starting points: one document holding both walks, each record once.
    both = ProvDocument.deserialize(content=cli.ok("export", "scan_001", "scan_002", "--descendants").out, format="json")
    assert PROV_PID + lineage.other in prov_ids(both) and PROV_PID + lineage.merged in prov_ids(both)
    assert len(json.loads(cli.ok("export", "scan_001", "scan_001").out)["entity"]) == len(json.loads(cli.ok("export", "scan_001").out)["entity"])


def test_export_the_whole_catalogue(cli: Cli, lineage: Lineage, tmp_path: Path) -> None:
    cli.ok("export", "--json", "-o", str(tmp_path / "all.json"))
    document = ProvDocument.deserialize(source=str(tmp_path / "all.json"), format="json")
    assert PROV_PID + lineage.other in prov_ids(document) and PROV_PID + lineage.merged in prov_ids(document)
    prov_n = cli.ok("export", "--format", "prov-n").out
    assert prov_n.startswith("document\n") and prov_n.rstrip().endswith("endDocument")
    assert f"pid:{lineage.merged}" in prov_n


def test_export_errors(cli: Cli, lineage: Lineage) -> None:
    ran = cli("export", "--descendants")
    assert (ran.code, ran.error) == (2, "--descendants and --depth need the datasets to start from")
    ran = cli("export", "--json", "--format", "prov-n")
    assert (ran.code, ran.error) == (2, "--json and --format prov-n contradict each other")
    ran = cli("export", "scan_404")
    assert ran.code == 4


# --- verify -----------------------------------------------------------------------------------------


@pytest.fixture
def files(cli: Cli, tmp_path: Path) -> dict[str, Path]:
    """Two datasets with three files in data/, checksummed when registered."""
    data = tmp_path / "data"
    data.mkdir()
    paths = {name: data / name for name in ("a.h5", "b.h5", "c.h5")}
    for name, path in paths.items():
        path.write_bytes(name.encode() * 1000)
    cli.ok("register", "scan_a", "--location", str(data), "-f", "a.h5", "-f", "b.h5")
    cli.ok("register", "scan_c", "--location", str(data), "-f", "c.h5")
    return paths


def test_verify_all_well(cli: Cli, files: dict[str, Path]) -> None:
    assert cli.ok("verify").out == "3 files in 2 datasets: 3 ok\n"
    assert cli.ok("verify", "scan_c").out == "1 file in 1 dataset: 1 ok\n"


def test_verify_modified_and_deleted_files(cli: Cli, files: dict[str, Path]) -> None:
    files["a.h5"].write_bytes(b"A" * 4000)  # same size, other content: only the checksum tells
    files["b.h5"].unlink()
    files["c.h5"].write_bytes(b"short")
    ran = cli("verify")
    assert ran.code == 1 and ran.err == ""
    lines = ran.out.splitlines()
    assert lines[0].startswith(f"MODIFIED   {files['a.h5']}  (scan_a ") and ": sha256 " in lines[0]
    assert lines[1].startswith(f"MISSING    {files['b.h5']}  (scan_a ")
    assert lines[2].startswith(f"MODIFIED   {files['c.h5']}  (scan_c ") and lines[2].endswith(": size 5 B, recorded 4000 B")
    assert lines[3] == "3 files in 2 datasets: 0 ok, 1 missing, 2 modified"
    # Only the datasets asked for.
    assert cli("verify", "-q", "name == scan_c").code == 1
    files["c.h5"].write_bytes(b"c.h5" * 1000)
    assert cli("verify", "-q", "name == scan_c").code == 0


def test_verify_json_lines(cli: Cli, files: dict[str, Path]) -> None:
    files["b.h5"].unlink()
    ran = cli("verify", "--json")
    assert ran.code == 1
    records = ran.json_lines()
    assert [(r["name"], r["path"], r["status"]) for r in records] == [
        ("scan_a", "a.h5", "ok"), ("scan_a", "b.h5", "missing"), ("scan_c", "c.h5", "ok"),
    ]
    assert records[0]["sha256"] == records[0]["expected_sha256"] == dt.sha256_file(files["a.h5"])
    assert records[1]["file"] == str(files["b.h5"])


def test_verify_counts_what_it_cannot_check(cli: Cli, files: dict[str, Path], tmp_path: Path) -> None:
    cli.ok("register", "unhashed", "--location", str(tmp_path / "data"), "-f", "a.h5", "--no-checksum")
    with dt.Catalog(cli.catalog) as cat:
        cat.register_dataset("remote", location="https://data.example.org/scan", files=[dt.Datafile("x.h5", size=3, sha256="0" * 64)])
    ran = cli.ok("verify", "-v")
    assert ran.out.splitlines()[-1] == "5 files in 4 datasets: 3 ok, 1 unchecked, 1 remote"
    assert "UNCHECKED" in ran.out and "REMOTE     https://data.example.org/scan/x.h5" in ran.out


def test_verify_a_file_that_cannot_be_read(cli: Cli, tmp_path: Path) -> None:
    # A folder where the file was: there, but no file to read (permissions would not stop root).
    (tmp_path / "frames.h5").mkdir()
    with dt.Catalog(cli.catalog) as cat:
        cat.register_dataset("scan", location=str(tmp_path), files=[dt.Datafile("frames.h5", sha256="0" * 64)])
    ran = cli("verify", "--json")
    assert ran.code == 1
    assert [(r["status"], str(tmp_path / "frames.h5") in r["error"]) for r in ran.json_lines()] == [("unreadable", True)]
    line = cli("verify").out.splitlines()[0]
    assert line.startswith(f"UNREADABLE {tmp_path / 'frames.h5'}  (scan ") and "SHA-256" in line


def test_verify_nothing_to_do(cli: Cli) -> None:
    assert cli.ok("verify").out == "0 files in 0 datasets: 0 ok\n"
    ran = cli("verify", "-q", "energy >")
    assert ran.code == 2 and ran.error.startswith("invalid query: ")


# --- merge ------------------------------------------------------------------------------------------


def test_merge_two_catalogues(cli: Cli, lineage: Lineage, tmp_path: Path) -> None:
    facility = tmp_path / "facility.db"
    cli.ok("init", "--prefix", "esrf", catalog=facility)
    cli.ok("register", "esrf_scan", catalog=facility)
    report = cli.ok("merge", cli.catalog, "--json", catalog=facility).json()
    assert report["datasets"] == {"added": 5, "skipped": 0}
    assert report["activities"] == {"added": 2, "skipped": 0}
    assert cli.ok("query", "--count", catalog=facility).out == "6\n"
    # The lineage came along.
    assert cli.ok("lineage", lineage.merged, catalog=facility).out == cli.ok("lineage", lineage.merged).out
    # Twice: nothing more.
    again = cli.ok("merge", cli.catalog, catalog=facility).out.splitlines()
    assert again[0].split() == ["RECORDS", "ADDED", "SKIPPED"]
    assert "datasets        0      5" in again


def test_merge_refused_on_a_difference(cli: Cli, lineage: Lineage, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    shutil.copy(cli.catalog, copy)
    with dt.Catalog(copy) as cat:
        cat.set_state(lineage.raw, "failed")
        cat.register_dataset("only_in_copy")
    ran = cli("merge", str(copy))
    assert ran.code == 4
    assert lineage.raw in ran.error and "nothing was merged" in ran.error
    assert cli.ok("query", "--count").out == "5\n"
    assert cli.ok("query", "--count", "name == only_in_copy").out == "0\n"


def test_merge_errors(cli: Cli, tmp_path: Path) -> None:
    ran = cli("merge", str(tmp_path / "missing.db"))
    assert ran.code == 3 and "missing.db" in ran.error
    assert not (tmp_path / "missing.db").exists()
    ran = cli("merge", cli.catalog)
    assert (ran.code, ran.error) == (2, "SOURCE is the catalogue itself: nothing to merge")
