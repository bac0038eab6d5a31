"""datatrail ingest: NeXus files into a catalogue from the command line, its report as text and
JSON Lines, the exit code when a file fails, and ingesting twice."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import datatrail as dt
from cli_helpers import Cli, cli  # noqa: F401  (the fixture)


def write_files(folder: Path) -> dt.Dataset:
    folder.mkdir()
    with dt.Catalog(folder.parent / "source.db") as source:
        scan = source.register_dataset("scan_201", location=str(folder), metadata={"energy": (17.0, "keV")})
        dt.nexus.write_raw_file(folder / "scan_201.nxs", source, scan, np.ones((4, 8), np.uint16), units="counts")
    return scan


def test_ingest_registers_the_files_and_reports_failures(cli: Cli, tmp_path: Path) -> None:
    scan = write_files(tmp_path / "nexus")
    (tmp_path / "nexus" / "notes.h5").write_bytes(b"not HDF5")
    ran = cli("ingest", "nexus")
    assert ran.code == 1, ran.err
    assert "FAILED" in ran.out and "notes.h5" in ran.out and "NexusError" in ran.out
    assert ran.out.splitlines()[-1] == "2 files: 1 ingested, 0 already present, 0 skipped, 1 failed"
    with dt.Catalog(cli.catalog, read_only=True) as cat:
        d = cat.dataset(scan.pid)
        assert d.metadata["energy"] == dt.Quantity(17.0, "keV")
        assert [f.path for f in d.files] == ["scan_201.nxs"]

    (tmp_path / "nexus" / "notes.h5").unlink()
    again = cli.ok("ingest", "nexus", "--json")
    (line,) = again.json_lines()
    assert line == {"path": "nexus/scan_201.nxs", "status": "already_present", "dataset": scan.pid,
                    "error": None, "reason": None, "notes": []}


def test_ingest_options_and_errors(cli: Cli, tmp_path: Path) -> None:
    write_files(tmp_path / "nexus")
    (tmp_path / "nexus" / "deeper").mkdir()
    assert cli.ok("ingest", "nexus", "--no-recursive", "--suffix", ".nx5", "-v").out.splitlines()[-1] == (
        "0 files: 0 ingested, 0 already present, 0 skipped, 0 failed")
    verbose = cli.ok("ingest", "nexus", "-v").out
    assert verbose.startswith("INGESTED") and "scan_201.nxs" in verbose
    missing = cli("ingest", "nowhere")
    assert missing.code == 4 and "nowhere" in missing.error
    bad_suffix = cli("ingest", "nexus", "--suffix", "nxs")
    assert bad_suffix.code == 4 and "suffixes" in bad_suffix.error
    no_catalogue = cli("ingest", "nexus", catalog=tmp_path / "absent.db")
    assert no_catalogue.code == 3 and not (tmp_path / "absent.db").exists()
