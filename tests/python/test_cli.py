"""The datatrail command line: choosing the catalogue, exit codes and errors, and the commands that
write and read datasets (init, register, show, query, search, stats). Run in-process through
main() on real SQLite catalogues; test_cli_script.py runs the installed script."""

from __future__ import annotations

import datetime
import sqlite3
from pathlib import Path

import pytest

import datatrail as dt
from cli_helpers import Cli, cli  # noqa: F401 - cli is a fixture
from datatrail.cli import COMMANDS, main
from datatrail.cli.register import parse_value


def count(path: Path | str) -> int:
    with dt.Catalog(path, read_only=True) as cat:
        return cat.count_datasets()


# --- the main parser -----------------------------------------------------------------------------


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name, command in COMMANDS.items():
        assert f"{name} " in out and command.summary in out


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: datatrail") and "a command is required" in err


def test_unknown_command_and_option_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err
    assert main(["query", "--no-such-option"]) == 2
    assert "unrecognized arguments: --no-such-option" in capsys.readouterr().err


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for name in COMMANDS:
        assert main([name, "--help"]) == 0, name
        assert capsys.readouterr().out.startswith(f"usage: datatrail {name}"), name


# --- which catalogue ------------------------------------------------------------------------------


def test_no_catalogue_given(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATATRAIL_CATALOG", raising=False)
    assert main(["query"]) == 2
    assert capsys.readouterr().err == "datatrail: error: no catalogue given: pass --catalog LOCATION or set DATATRAIL_CATALOG\n"


def test_the_environment_names_the_catalogue(cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cli.ok("register", "scan_001")
    monkeypatch.setenv("DATATRAIL_CATALOG", str(tmp_path / "catalog.db"))
    assert cli("query", "--count", bare=True).out == "1\n"
    # --catalog wins over the environment, before or after the command.
    cli.ok("init", catalog=tmp_path / "other.db")
    assert cli("query", "--count", "-c", str(tmp_path / "other.db"), bare=True).out == "0\n"
    assert cli("--catalog", str(tmp_path / "other.db"), "query", "--count", bare=True).out == "0\n"
    # --json too, before or after the command, also after a group's action.
    assert cli("--json", "query", "--count", bare=True).json() == {"count": 1}
    assert cli("schema", "list", "--json", "-c", str(tmp_path / "other.db"), bare=True).json() == []


@pytest.mark.parametrize("command", [["query"], ["stats"], ["verify"], ["register", "x"], ["schema", "list"], ["validate", "--record"]])
def test_a_missing_catalogue_is_never_created(cli: Cli, tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "missing.db"
    ran = cli(*command, catalog=missing)
    assert ran.code == 3
    assert ran.error == f"no catalogue at '{missing}' (create one with 'datatrail init -c {missing}')"
    assert not missing.exists()


def test_a_file_that_is_no_catalogue_is_left_alone(cli: Cli, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE notes (text)")
    text = tmp_path / "notes.txt"
    text.write_text("not a database at all\n" * 50)
    for path in (other, text):
        for command in (["query"], ["register", "x"], ["init"]):
            ran = cli(*command, catalog=path)
            assert ran.code == 3, (path, command, ran.err)
            assert str(path.name) in ran.error
    with sqlite3.connect(other) as db:
        assert [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["notes"]
    assert text.read_text() == "not a database at all\n" * 50


def test_a_location_that_cannot_be_opened(cli: Cli, tmp_path: Path) -> None:
    ran = cli("init", catalog=tmp_path / "no" / "folder.db")
    assert ran.code == 3 and "does not exist" in ran.error
    ran = cli("query", catalog="ftp://example.org/catalog.db")
    assert ran.code == 3 and "unknown scheme 'ftp'" in ran.error


# --- init -------------------------------------------------------------------------------------------


def test_init_creates_once(cli: Cli, tmp_path: Path) -> None:
    beamline = tmp_path / "beamline.db"
    created = cli.ok("init", "--prefix", "id11", "--json", catalog=beamline).json()
    assert created == {"catalog": str(beamline), "created": True, "pid_prefix": "id11", "schema_version": dt.Catalog.latest_schema_version()}
    assert cli.ok("init", catalog=beamline).out == f"catalogue {beamline} already exists (PID prefix id11)\n"
    assert cli.ok("init", "--json", catalog=beamline).json()["created"] is False
    ran = cli("init", "--prefix", "esrf", catalog=beamline)
    assert ran.code == 4 and "'esrf'" in ran.error and "'id11'" in ran.error


def test_init_refuses_a_bad_prefix(cli: Cli, tmp_path: Path) -> None:
    ran = cli("init", "--prefix", "no spaces", catalog=tmp_path / "x.db")
    assert ran.code == 4 and "no spaces" in ran.error


# --- register ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", 12),
        ("-3", -3),
        ("12.5", 12.5),
        ("1e3", 1000.0),
        ("12.7 keV", (12.7, "keV")),
        ("250mm", (250, "mm")),
        ("12.7 +- 0.1 keV", (12.7, "keV", 0.1)),
        ("12.7 ± 0.1 keV", (12.7, "keV", 0.1)),
        ("-5 degC", (-5, "degC")),
        ("true", True),
        ("false", False),
        ("2026-03-01", datetime.datetime(2026, 3, 1, tzinfo=datetime.timezone.utc)),
        ("2026-03-01T10:00:00+01:00", datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.timezone.utc)),
        ("2026-03-01T10:00Z", datetime.datetime(2026, 3, 1, 10, tzinfo=datetime.timezone.utc)),
        ("[1, 2, 3]", [1, 2, 3]),
        ('{"mode": "fly"}', {"mode": "fly"}),
        ("eiger2_4m", "eiger2_4m"),
        ("lysozyme 01", "lysozyme 01"),
    ],
)
def test_metadata_values_are_typed_by_their_text(text: str, value: object) -> None:
    assert parse_value(text) == value


def test_register_with_metadata_and_files(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "frames.h5").write_bytes(b"detector frames")
    (tmp_path / "data" / "dark.h5").write_bytes(b"dark")
    ran = cli.ok(
        "register", "scan_001", "--technique", "XRD", "--keyword", "steel", "--description", "first sweep",
        "-m", "energy=12.7 keV", "-m", "frames=3600", "--meta-text", "run=0042", "--start", "2026-03-01T10:00:00Z",
        "--location", "data", "-f", "frames.h5", "--file", str(tmp_path / "data" / "dark.h5"), "--json",
    )
    record = ran.json()
    assert dt.is_valid_pid(record["pid"]) and record["name"] == "scan_001" and record["kind"] == "raw"
    assert record["metadata"] == {"energy": {"value": 12.7, "unit": "keV"}, "frames": 3600, "run": "0042"}
    assert record["start_time"] == "2026-03-01T10:00:00.000000Z"
    assert record["location"] == str(tmp_path / "data")
    assert [(f["path"], f["size"]) for f in record["files"]] == [("frames.h5", 15), ("dark.h5", 4)]
    assert record["files"][0]["sha256"] == dt.sha256_file(tmp_path / "data" / "frames.h5")
    with dt.Catalog(cli.catalog) as cat:
        stored = cat.dataset(record["pid"])
        assert stored.techniques == ["XRD"] and stored.keywords == ["steel"] and stored.description == "first sweep"
        assert stored.metadata["energy"] == dt.Quantity(12.7, "keV")


def test_register_prints_the_pid(cli: Cli) -> None:
    out = cli.ok("register", "scan_001").out
    assert out.startswith("registered scan_001 as local/")
    pid = out.split()[-1]
    with dt.Catalog(cli.catalog) as cat:
        assert cat.dataset(pid).name == "scan_001"


def test_register_derived_from(cli: Cli) -> None:
    raw = cli.ok("register", "scan_001", "--json").json()["pid"]
    processed = cli.ok("register", "scan_001_int", "--kind", "processed", "--derived-from", "scan_001", "--json").json()
    with dt.Catalog(cli.catalog) as cat:
        assert list(cat.ancestor_pids(processed["pid"])) == [raw]
    # A source that is not there is found before anything is written.
    ran = cli("register", "orphan", "--derived-from", "local/01NOTTHERE0000000000000000")
    assert ran.code == 4 and "local/01NOTTHERE0000000000000000" in ran.error
    assert count(cli.catalog) == 2


def test_register_refuses_bad_input_and_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    ran = cli("register", "", "-m", "energy=5 furlongs_per_fortnight")
    assert ran.code == 4
    assert "dataset.name = '': must not be empty" in ran.error and "furlongs_per_fortnight" in ran.error
    ran = cli("register", "scan", "--start", "yesterday")
    assert ran.code == 4 and "yesterday" in ran.error
    ran = cli("register", "scan", "--investigation", "ma9999", "--sample", "nobody")
    assert ran.code == 4 and "ma9999" in ran.error and "nobody" in ran.error
    assert count(cli.catalog) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-m", "energy"], "--meta 'energy': expected KEY=VALUE"),
        (["-m", "=5"], "--meta '=5': expected KEY=VALUE"),
        (["-m", "config={not json"], "--meta config: '{not json' is not valid JSON"),
        (["-m", "when=2026-13-45"], "--meta when: '2026-13-45' is not a valid time"),
        (["-f", "nothing.h5"], "--file 'nothing.h5': no such file"),
        (["--location", "sub", "-f", "../outside.h5"], "--file '../outside.h5' is not under the location"),
        (["--kind", "cooked"], "argument --kind: invalid choice: 'cooked'"),
    ],
)
def test_register_usage_errors(cli: Cli, tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "outside.h5").write_bytes(b"x")
    ran = cli("register", "scan", *args)
    assert ran.code == 2
    assert message in ran.error
    assert count(cli.catalog) == 0


def test_register_against_a_strict_schema(cli: Cli, tmp_path: Path) -> None:
    schema = tmp_path / "powder.yaml"
    schema.write_text('name: powder\nversion: "1.0"\nfields:\n  energy: {type: float, unit: keV, required: true, minimum: 5 keV}\n')
    cli.ok("schema", "add", str(schema))
    ran = cli("register", "scan", "--schema", "powder", "-m", "energy=3 keV")
    assert ran.code == 4
    assert "dataset.metadata.energy = '3 keV': must be at least 5 keV" in ran.error
    assert count(cli.catalog) == 0
    stored = cli.ok("register", "scan", "--schema", "powder", "-m", "energy=6000 eV", "--json").json()
    assert stored["schema"] == "powder@1.0" and stored["metadata"]["energy"] == {"value": 6.0, "unit": "keV"}


# --- show -------------------------------------------------------------------------------------------


def test_show_a_dataset_by_pid_and_by_name(cli: Cli) -> None:
    pid = cli.ok("register", "scan_001", "-m", "energy=12.7 keV", "-m", "detector.name=eiger", "--json").json()["pid"]
    by_pid = cli.ok("show", pid).out
    assert by_pid == cli.ok("show", "scan_001").out
    lines = by_pid.splitlines()
    assert lines[0] == f"scan_001  {pid}"
    assert "  kind:          raw" in lines
    assert "    energy         12.7 keV" in lines and "    detector.name  eiger" in lines
    records = cli.ok("show", pid, "scan_001", "--json").json()
    assert [r["record"] for r in records] == ["dataset", "dataset"] and records[0]["pid"] == pid


def test_show_an_activity(cli: Cli) -> None:
    with dt.Catalog(cli.catalog) as cat:
        raw = cat.register_dataset("scan_001")
        with cat.activity("integrate", program="pyFAI", version="2025.1", parameters={"npt": 1000}, inputs=[raw]) as run:
            out = run.output("scan_001_int")
    text = cli.ok("show", run.pid).out
    assert text.splitlines()[0] == f"integrate  {run.pid}"
    assert "  program:       pyFAI" in text and "    npt  1000" in text and f"    {raw.pid}" in text
    record = cli.ok("show", run.pid, "--json").json()[0]
    assert record["record"] == "activity" and record["type"] == "processing" and record["status"] == "succeeded"
    assert record["used"] == [{"dataset": raw.pid, "file": None, "role": None}] and record["generated"] == [out.pid]


def test_show_what_is_not_there(cli: Cli) -> None:
    ran = cli("show", "local/01NOTTHERE0000000000000000")
    assert (ran.code, ran.error) == (4, "no dataset or activity with PID or name 'local/01NOTTHERE0000000000000000' in the catalogue")
    ran = cli("show", "scan_404")
    assert (ran.code, ran.error) == (4, "no dataset with PID or name 'scan_404' in the catalogue")
    cli.ok("register", "twin")
    cli.ok("register", "twin")
    ran = cli("show", "twin")
    assert (ran.code, ran.error) == (4, "2 datasets are named 'twin': give a PID instead")
    # A name may look like a PID.
    pid = cli.ok("register", "beam/line", "--json").json()["pid"]
    assert cli.ok("show", "beam/line", "--json").json()[0]["pid"] == pid


# --- query and search -------------------------------------------------------------------------------


@pytest.fixture
def scans(cli: Cli) -> dict[str, str]:
    """Three scans, by name to PID."""
    pids = {}
    for name, energy, extra in (("scan_001", "12.7 keV", ["--technique", "MX", "--description", "lysozyme crystal"]),
                                ("scan_002", "12000 eV", ["--technique", "MX"]),
                                ("scan_003", "8 keV", ["--technique", "SAXS", "--state", "failed"])):
        pids[name] = cli.ok("register", name, "-m", f"energy={energy}", *extra, "--json").json()["pid"]
    return pids


def test_query_table(cli: Cli, scans: dict[str, str]) -> None:
    lines = cli.ok("query", "energy between 12 and 13 keV", "--show", "energy").out.splitlines()
    assert lines[0].split() == ["PID", "NAME", "KIND", "STATE", "ENERGY"]
    assert [line.split()[:2] for line in lines[1:]] == [[scans["scan_001"], "scan_001"], [scans["scan_002"], "scan_002"]]
    assert lines[1].endswith("12.7 keV") and lines[2].endswith("12000 eV")
    assert cli.ok("query", "humidity > 40").out == ""


def test_query_json_count_pids_order_and_paging(cli: Cli, scans: dict[str, str]) -> None:
    found = cli.ok("query", "technique == MX", "--json").json()
    assert [d["name"] for d in found] == ["scan_001", "scan_002"]
    assert found[0]["metadata"]["energy"] == {"value": 12.7, "unit": "keV"} and found[0]["techniques"] == ["MX"]
    assert cli.ok("query", "--count").out == "3\n"
    assert cli.ok("query", "technique == MX", "--count", "--json").json() == {"count": 2}
    assert cli.ok("query", "--pids", "--order", "energy").out.split() == [scans["scan_003"], scans["scan_002"], scans["scan_001"]]
    assert cli.ok("query", "--pids", "--order", "energy", "--descending", "--limit", "1", "--offset", "1").out.split() == [scans["scan_002"]]


def test_query_errors(cli: Cli, scans: dict[str, str]) -> None:
    ran = cli("query", "energy > 12 keV and (technique == MX")
    assert ran.code == 2
    assert ran.error == "invalid query: expected ')' to close the '(' at position 20 at position 36"
    ran = cli("query", "energy > 5 mm")
    assert ran.code == 4 and "query.energy" in ran.error
    ran = cli("query", "--limit", "-1")
    assert (ran.code, ran.error) == (2, "--limit -1: must be 0 or more")
    ran = cli("query", "--count", "--pids")
    assert ran.code == 2 and "not allowed with argument" in ran.err


def test_search(cli: Cli, scans: dict[str, str]) -> None:
    assert cli.ok("search", "lysozyme", "--pids").out.split() == [scans["scan_001"]]
    assert cli.ok("search", "lyso*", "crystal", "--json").json()[0]["name"] == "scan_001"
    assert cli.ok("search", "lysozyme", "-q", "state == failed", "--count").out == "0\n"
    ran = cli("search")
    assert ran.code == 2 and "the following arguments are required: WORD" in ran.err


# --- stats ------------------------------------------------------------------------------------------


def test_stats(cli: Cli, scans: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "f.h5").write_bytes(b"12345")
    cli.ok("register", "with_file", "-f", "f.h5")
    stats = cli.ok("stats", "--files", "--json").json()
    assert stats["datasets"] == {"total": 4, "raw": 4, "processed": 0, "acquiring": 0, "complete": 3, "failed": 1, "invalid": 0}
    assert stats["files"] == {"total": 1, "bytes": 5, "without_checksum": 0}
    assert stats["activities"]["total"] == 0 and stats["catalog"]["pid_prefix"] == "local"
    text = cli.ok("stats").out
    assert "datasets       4 (4 raw, 0 processed, 0 acquiring, 3 complete, 1 failed, 0 invalid)" in text
    assert "files" not in text
