"""Network file systems: telling them by statfs() f_type, refusing to write a catalogue there,
reading one read-only, and writing one in rollback-journal mode when the caller accepts the risk."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import datatrail as dt

# Written out here rather than taken from the library, so a changed number in its table fails.
NETWORK = {
    0x6969: "NFS",
    0x517B: "SMB (smbfs)",
    0xFF534D42: "CIFS/SMB",
    0xFE534D42: "SMB2/SMB3",
    0x0BD00BD0: "Lustre",
    0x47504653: "GPFS (IBM Storage Scale)",
    0x00C36400: "CephFS",
    0x5346414F: "AFS (OpenAFS)",
    0x6B414653: "AFS (kAFS)",
    0x01021997: "9p (v9fs)",
    0x7461636F: "OCFS2",
    0x01161970: "GFS2",
    0x19830326: "BeeGFS",
    0x73757245: "Coda",
    0xAAD7AAEA: "PanFS (Panasas)",
    0x65735546: "FUSE (e.g. sshfs, GlusterFS): network locking not guaranteed",
}
LOCAL = {"ext4": 0xEF53, "xfs": 0x58465342, "btrfs": 0x9123683E, "tmpfs": 0x01021994, "overlayfs": 0x794C7630}


def journal_mode(path: Path) -> str:
    """Read through a separate connection, as another program would."""
    con = sqlite3.connect(path)
    try:
        return str(con.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        con.close()


def fill(path: Path, **options: object) -> None:
    with dt.Catalog(path, **options) as cat:  # type: ignore[arg-type]
        cat.add_instrument(name="ID11", facility="ESRF")
        cat.add_agent("Ada")
        raw = cat.register_dataset("scan_001", metadata={"energy": (12.7, "keV")})
        with cat.activity("integrate", inputs=[raw]) as run:
            run.output("scan_001_integrated")


@pytest.mark.parametrize("magic", sorted(NETWORK), ids=hex)
def test_each_network_file_system_has_its_name(magic: int) -> None:
    assert dt.network_file_system_name(magic) == NETWORK[magic]
    assert dt.network_file_system_name(np.uint32(magic)) == NETWORK[magic]


@pytest.mark.parametrize("name", sorted(LOCAL))
def test_local_file_systems_have_none(name: str) -> None:
    assert dt.network_file_system_name(LOCAL[name]) is None


@pytest.mark.parametrize("bad", [-1, 2**64, True, "nfs", 1.5, None])
def test_a_magic_that_is_not_an_unsigned_64_bit_int_is_refused(bad: object) -> None:
    with pytest.raises(dt.ValidationError) as e:
        dt.network_file_system_name(bad)  # type: ignore[arg-type]
    assert e.value.violations[0].field == "magic"
    assert "2**64 - 1" in str(e.value)


def test_a_local_temporary_folder_is_not_a_network_file_system(tmp_path: Path) -> None:
    # coreutils' stat reads the same statfs() field, independently of datatrail.
    if shutil.which("stat"):
        f_type = subprocess.run(["stat", "-f", "-c", "%t", str(tmp_path)], check=True, capture_output=True, text=True)
        assert dt.file_system_magic(tmp_path / "new.db") == int(f_type.stdout, 16)
    assert dt.network_file_system(tmp_path / "new.db") is None
    assert dt.network_file_system(str(tmp_path / "new.db")) is None
    with pytest.raises(dt.StorageError, match="missing"):
        dt.file_system_magic(tmp_path / "missing" / "cat.db")


@pytest.mark.parametrize("magic", sorted(NETWORK), ids=hex)
def test_writing_on_each_network_file_system_is_refused(magic: int, tmp_path: Path) -> None:
    path = tmp_path / "cat.db"
    with pytest.raises(dt.StorageError) as e:
        dt.check_catalog_file_system(path, magic)
    message = str(e.value)
    for part in (str(path), NETWORK[magic], "WAL", "shared memory", "locks", "local disk", "PostgreSQL", "read_only",
                 "sqlite_network_file_system"):
        assert part in message
    dt.check_catalog_file_system(path, magic, read_only=True)
    dt.check_catalog_file_system(path, magic, sqlite_network_file_system=True)
    assert list(tmp_path.iterdir()) == []


def test_the_check_allows_local_file_systems_and_memory(tmp_path: Path) -> None:
    for magic in LOCAL.values():
        dt.check_catalog_file_system(tmp_path / "cat.db", magic)
    dt.check_catalog_file_system(":memory:", None)
    dt.check_catalog_file_system(tmp_path / "cat.db", dt.file_system_magic(tmp_path / "cat.db"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("path", "options", "field"),
    [
        ("cat.db", {"read_only": True, "sqlite_network_file_system": True}, "sqlite_network_file_system"),
        (":memory:", {"read_only": True}, "read_only"),
        (":memory:", {"sqlite_network_file_system": True}, "sqlite_network_file_system"),
    ],
)
def test_contradicting_options_name_the_option_and_create_nothing(
    path: str, options: dict[str, bool], field: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(dt.ValidationError) as e:
        dt.Catalog(path, **options)  # type: ignore[arg-type]
    assert e.value.violations[0].field == field
    with pytest.raises(dt.ValidationError):
        dt.check_catalog_file_system(path, 0x6969, **options)
    assert list(tmp_path.iterdir()) == []


def test_read_only_reads_and_changes_nothing(sqlite_path: Path) -> None:
    # SQLite only: reads the file's bytes; PostgreSQL's read_only is tested in test_postgres.cpp.
    fill(sqlite_path)
    before = sqlite_path.read_bytes()
    with dt.Catalog(sqlite_path, read_only=True) as cat:
        assert cat.count_datasets() == 2
        assert [d.name for d in cat.find_datasets(where="energy > 12 keV")] == ["scan_001"]
        assert [d.name for d in cat.raw_sources(cat.find_datasets(name="*_integrated")[0])] == ["scan_001"]
        assert cat.agent("Ada").name == "Ada"
        assert cat.schema_version == dt.Catalog.latest_schema_version()
    assert sqlite_path.read_bytes() == before


def test_read_only_refuses_every_write(engine: str, catalog_path: Path) -> None:
    fill(catalog_path)
    before = Path(catalog_path).read_bytes() if engine == "sqlite" else b""
    with dt.Catalog(catalog_path, read_only=True) as cat:
        raw = cat.find_datasets(name="scan_001")[0]
        run = cat.find_activities()[0]
        writes: dict[str, Callable[[], object]] = {
            "add_instrument": lambda: cat.add_instrument(name="ID31"),
            "add_investigation": lambda: cat.add_investigation(name="ma9999"),
            "add_sample": lambda: cat.add_sample(name="rod"),
            "register_dataset": lambda: cat.register_dataset("scan_002"),
            "register_datasets": lambda: cat.register_datasets([{"name": "scan_003"}]),
            "add_files": lambda: cat.add_files(raw, ["a.h5"]),
            "set_metadata": lambda: cat.set_metadata(raw, {"gain": 2}),
            "set_state": lambda: cat.set_state(raw, "failed"),
            "add_agent": lambda: cat.add_agent("Bob"),
            "start_activity": lambda: cat.start_activity({"name": "another"}),
            "activity": lambda: cat.activity("another", inputs=[raw]).__enter__(),
            "add_inputs": lambda: cat.add_inputs(run, [raw]),
            "add_outputs": lambda: cat.add_outputs(run, [{"name": "out"}]),
            "append_log": lambda: cat.append_log(run, "text"),
            "finish_activity": lambda: cat.finish_activity(run, "failed"),
            "add_derivation": lambda: cat.add_derivation(raw, raw),
            "add_informed_by": lambda: cat.add_informed_by(run, run),
            "associate": lambda: cat.associate(run, "Ada"),
        }
        for name, write in writes.items():
            with pytest.raises(dt.StorageError, match="read-only") as e:
                write()
            assert str(catalog_path) in str(e.value), name
        assert cat.count_datasets() == 2
    if engine == "sqlite":
        assert Path(catalog_path).read_bytes() == before
    with dt.Catalog(catalog_path) as cat:
        assert cat.count_datasets() == 2  # nothing was written


def test_read_only_creates_no_missing_catalogue(tmp_path: Path) -> None:
    with pytest.raises(dt.NotFound, match="read_only"):
        dt.Catalog(tmp_path / "missing.db", read_only=True)
    with pytest.raises(dt.NotFound):
        dt.Catalog(tmp_path / "no-folder" / "missing.db", read_only=True)
    assert list(tmp_path.iterdir()) == []


def test_read_only_refuses_an_older_catalogue_it_cannot_migrate(sqlite_path: Path) -> None:
    fill(sqlite_path)
    con = sqlite3.connect(sqlite_path)
    con.execute("PRAGMA user_version = 1")
    con.close()
    with pytest.raises(dt.StorageError, match="schema version 1.*without read_only"):
        dt.Catalog(sqlite_path, read_only=True)
    con = sqlite3.connect(sqlite_path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == 1
    con.close()


def test_the_opt_in_writes_in_rollback_journal_mode(tmp_path: Path) -> None:
    path = tmp_path / "cat.db"
    with dt.Catalog(path, sqlite_network_file_system=True) as cat:
        cat.register_dataset("scan_001")
        assert journal_mode(path) == "delete"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["cat.db"]
        cat.register_datasets([{"name": "scan_002"}, {"name": "scan_003"}])
        assert cat.count_datasets() == 3
        assert sorted(p.name for p in tmp_path.iterdir()) == ["cat.db"]
    assert journal_mode(path) == "delete"
    with dt.Catalog(path, read_only=True) as cat:
        assert cat.count_datasets() == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cat.db"]


def test_a_wal_catalogue_opened_with_the_opt_in_is_switched(tmp_path: Path) -> None:
    path = tmp_path / "cat.db"
    fill(path)
    assert journal_mode(path) == "wal"
    with dt.Catalog(path, sqlite_network_file_system=True) as cat:
        assert journal_mode(path) == "delete"
        cat.register_dataset("after the switch")
        assert cat.count_datasets() == 3
        assert not (tmp_path / "cat.db-wal").exists()
    assert journal_mode(path) == "delete"


def test_the_switch_says_why_it_failed_while_another_connection_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "cat.db"
    fill(path)
    with dt.Catalog(path) as other:
        assert other.count_datasets() == 2
        with pytest.raises(dt.StorageError, match="rollback-journal.*another connection"):
            dt.Catalog(path, busy_timeout=0.05, sqlite_network_file_system=True)
        assert journal_mode(path) == "wal"
