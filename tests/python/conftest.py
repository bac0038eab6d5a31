"""Shared fixtures: real catalogue files in a temporary folder and a real PostgreSQL server,
never mocks."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

import datatrail as dt

REPO = Path(__file__).resolve().parents[2]
PG_TEST_SERVER = REPO / "scripts" / "pg-test-server.sh"
_URI = re.compile(r"^(postgres(?:ql)?://[^/?]*)(/[^?]*)?(\?.*)?$")


# CI runs the property tests on the same examples every time (a red build names a change, not a
# draw of the dice) and keeps no example database; a developer's runs explore new examples.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

#: The engines every catalogue test runs on.
ENGINES = ("sqlite", "postgres")


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """The engine under test: each test that uses a catalogue runs once per engine."""
    return str(request.param)


@pytest.fixture
def catalog_path(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str | Path]:
    """Where the test's own catalogue lives: a file in the test's folder (SQLite), or a fresh
    database on the test server (PostgreSQL), dropped when the test ends."""
    if engine == "sqlite":
        yield tmp_path / "catalog.db"
        return
    with fresh_database(request.getfixturevalue("postgres_uri")) as uri:
        yield uri


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    """A catalogue file, for tests of what only SQLite has (its file, its locks); each such test
    says why it is not run on PostgreSQL."""
    return tmp_path / "catalog.db"


@pytest.fixture
def catalog(catalog_path: str | Path) -> Iterator[dt.Catalog]:
    with dt.Catalog(catalog_path) as cat:
        yield cat


@pytest.fixture
def beamtime(catalog: dt.Catalog) -> dt.Catalog:
    """A catalogue with an instrument, an investigation, a sample and a few raw scans."""
    catalog.add_instrument(name="ID11", facility="ESRF", type="beamline")
    catalog.add_investigation(name="ma1234", title="Strain in steel", instrument="ID11")
    catalog.add_sample(name="LaB6", formula="LaB6")
    catalog.register_datasets(
        [
            {"name": "scan_001", "investigation": "ma1234", "metadata": {"energy": (12.7, "keV"), "detector.name": "eiger"}},
            {"name": "scan_002", "investigation": "ma1234", "metadata": {"energy": (12700.0, "eV"), "detector.name": "eiger"}},
            {"name": "scan_003", "sample": "LaB6", "metadata": {"energy": (8.0, "keV"), "detector.name": "pilatus"}},
        ]
    )
    return catalog


def psql_program() -> str:
    """psql from PATH, else from the newest /usr/lib/postgresql/<version>/bin (Debian's layout)."""
    found = shutil.which("psql")
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob("[0-9]*/bin/psql"), key=lambda p: int(p.parts[-3]))
    if not candidates:
        pytest.fail("psql not found: scripts/install-deps.sh installs postgresql, which brings it")
    return str(candidates[-1])


def psql(uri: str, sql: str) -> str:
    """Runs `sql` on `uri` and returns psql's unaligned output; a failure fails the test."""
    done = subprocess.run(
        [psql_program(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", uri, "-c", sql],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        pytest.fail(f"psql {sql!r} on {uri} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout.strip()


def postgres_uri_for(uri: str, database: str) -> str:
    """`uri` pointing at another database."""
    match = _URI.match(uri)
    if not match:
        pytest.fail(f"DATATRAIL_TEST_POSTGRES must be a postgresql:// URI, not {uri!r}")
    return f"{match.group(1)}/{database}{match.group(3) or ''}"


@contextlib.contextmanager
def fresh_database(server_uri: str) -> Iterator[str]:
    """A new, empty database on the server for the block; yields its URI and drops it after."""
    name = f"dt_{secrets.token_hex(8)}"
    psql(server_uri, f"CREATE DATABASE {name}")
    try:
        yield postgres_uri_for(server_uri, name)
    finally:
        # FORCE: a test that failed half-way may have left connections open.
        psql(server_uri, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def postgres_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The libpq URI of the PostgreSQL server for the tests.

    DATATRAIL_TEST_POSTGRES when it is set (`make test` starts one server for ctest and pytest;
    a developer may name their own), else a throwaway server started for this session with
    scripts/pg-test-server.sh and stopped at its end. Never skipped: without a server, the
    tests that need one fail.
    """
    given = os.environ.get("DATATRAIL_TEST_POSTGRES")
    if given:
        yield given
        return
    state = tmp_path_factory.mktemp("postgres")
    started = subprocess.run(["bash", str(PG_TEST_SERVER), "start", str(state)], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    try:
        if started.returncode != 0:
            pytest.fail(f"scripts/pg-test-server.sh could not start a server ({started.returncode}):\n{started.stderr}")
        yield started.stdout.strip()
    finally:
        subprocess.run(["bash", str(PG_TEST_SERVER), "stop", str(state)], check=False, stdin=subprocess.DEVNULL)


@pytest.fixture
def postgres_database(postgres_uri: str) -> Iterator[str]:
    """The URI of a fresh database of the test's own, dropped when the test ends."""
    with fresh_database(postgres_uri) as uri:
        yield uri


#: Every table a write of the catalogue inserts into or updates.
WRITTEN_TABLES = (
    "instrument", "investigation", "participant", "sample", "sample_metadata", "dataset", "datafile",
    "metadata_key", "dataset_metadata", "dataset_text", "agent", "activity", "activity_parameter", "used",
    "generation", "derivation", "communication", "association",
)


class Blocker:
    """Another connection that holds what every datatrail write needs, until release(): SQLite's
    write lock (BEGIN IMMEDIATE), or on PostgreSQL exclusive locks on the tables writes change,
    taken by psql in an open transaction (reads go on: EXCLUSIVE mode lets them)."""

    def __init__(self, engine: str, location: str | Path) -> None:
        self._sqlite: sqlite3.Connection | None = None
        self._psql: subprocess.Popen[str] | None = None
        if engine == "sqlite":
            self._sqlite = sqlite3.connect(location, isolation_level=None, check_same_thread=False)
            self._sqlite.execute("BEGIN IMMEDIATE")
            return
        self._psql = subprocess.Popen(
            [psql_program(), "-X", "-q", "-A", "-t", "-d", str(location)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._psql.stdin and self._psql.stdout
        self._psql.stdin.write(f"BEGIN; LOCK TABLE {', '.join(WRITTEN_TABLES)} IN EXCLUSIVE MODE; SELECT 'locked';\n")
        self._psql.stdin.flush()
        assert self._psql.stdout.readline().strip() == "locked"

    def release(self, commit: bool = True) -> None:
        if self._sqlite is not None:
            self._sqlite.execute("COMMIT" if commit else "ROLLBACK")
            self._sqlite.close()
        if self._psql is not None:
            assert self._psql.stdin
            self._psql.stdin.write("COMMIT;\n" if commit else "ROLLBACK;\n")
            self._psql.stdin.close()
            assert self._psql.wait(timeout=30) == 0
