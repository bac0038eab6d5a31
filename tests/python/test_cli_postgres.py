"""The datatrail command line on PostgreSQL: a database is a catalogue only once init made it one,
and the commands work on it as on an SQLite file (a beamline's file merged into it)."""

from __future__ import annotations

from pathlib import Path

import datatrail as dt
from cli_helpers import Cli, cli  # noqa: F401 - cli is a fixture
from conftest import psql


def tables(uri: str) -> int:
    return int(psql(uri, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"))


def test_an_empty_database_is_no_catalogue_until_init(cli: Cli, postgres_database: str) -> None:
    for command in (["query"], ["register", "scan"], ["verify"]):
        ran = cli(*command, catalog=postgres_database)
        assert ran.code == 3 and "holds no datatrail catalogue" in ran.error, ran.err
    assert tables(postgres_database) == 0
    assert cli.ok("init", "--prefix", "fac", "--json", catalog=postgres_database).json()["created"] is True
    assert tables(postgres_database) > 0
    assert cli.ok("init", "--json", catalog=postgres_database).json()["created"] is False


def test_commands_on_postgres(cli: Cli, postgres_database: str, tmp_path: Path) -> None:
    cli.ok("init", "--prefix", "fac", catalog=postgres_database)
    (tmp_path / "frames.h5").write_bytes(b"frames")
    pid = cli.ok("register", "scan_001", "-m", "energy=12.7 keV", "-f", "frames.h5", "--json", catalog=postgres_database).json()["pid"]
    cli.ok("register", "scan_001_int", "--kind", "processed", "--derived-from", pid, catalog=postgres_database)
    assert cli.ok("query", "energy between 12 and 13 keV", "--pids", catalog=postgres_database).out == pid + "\n"
    assert cli.ok("search", "scan_001_int", "--count", catalog=postgres_database).out == "1\n"
    assert cli.ok("lineage", "scan_001_int", catalog=postgres_database).out.splitlines()[1].startswith("└── scan_001 (raw, complete) fac/")
    assert cli.ok("verify", catalog=postgres_database).out == "1 file in 2 datasets: 1 ok\n"
    (tmp_path / "frames.h5").write_bytes(b"other!")
    assert cli("verify", catalog=postgres_database).code == 1


def test_merge_a_beamline_file_into_postgres(cli: Cli, postgres_database: str) -> None:
    with dt.Catalog(cli.catalog) as beamline:
        raw = beamline.register_dataset("scan_001")
        with beamline.activity("integrate", program="pyFAI", version="2025.1", inputs=[raw]) as run:
            run.output("scan_001_int")
    cli.ok("init", "--prefix", "fac", catalog=postgres_database)
    report = cli.ok("merge", cli.catalog, "--json", catalog=postgres_database).json()
    assert report["datasets"] == {"added": 2, "skipped": 0} and report["activities"] == {"added": 1, "skipped": 0}
    assert cli.ok("lineage", "scan_001_int", catalog=postgres_database).out == cli.ok("lineage", "scan_001_int").out


def test_a_password_is_never_shown(cli: Cli) -> None:
    # Port 1 on the loopback: nothing listens there, so the connection is refused at once.
    ran = cli("query", catalog="postgresql://someone:hunter2@127.0.0.1:1/facility")
    assert ran.code == 3
    assert "hunter2" not in ran.err and "someone:***@127.0.0.1:1" in ran.error
