"""The throwaway PostgreSQL server for the tests: scripts/pg-test-server.sh, scripts/with-postgres.sh
and the fixtures in conftest.py, each run for real."""

from __future__ import annotations

import os
import pwd
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import PG_TEST_SERVER, REPO, fresh_database, psql

WITH_POSTGRES = REPO / "scripts" / "with-postgres.sh"


def environment_without_server() -> dict[str, str]:
    """The environment of a shell that has no test server yet (make test sets one)."""
    return {k: v for k, v in os.environ.items() if k != "DATATRAIL_TEST_POSTGRES"}


def server(action: str, state: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(PG_TEST_SERVER), action, str(state)], capture_output=True, text=True, stdin=subprocess.DEVNULL)


def socket_folder(uri: str) -> Path:
    return Path(parse_qs(urlsplit(uri).query)["host"][0])


def owner_uid(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(f"/proc/{pid}/status has no Uid line")


def test_start_runs_a_private_unprivileged_server_and_stop_removes_it(tmp_path: Path) -> None:
    # Deeper than a Unix socket path may be: the socket must live elsewhere.
    state = tmp_path / ("deep" * 15) / ("er" * 30) / "server"
    assert len(str(state)) > 120

    started = server("start", state)
    assert started.returncode == 0, started.stderr
    uri = started.stdout.strip()
    try:
        assert uri.startswith("postgresql:///postgres?")
        assert (state / "uri").read_text().strip() == uri
        sockets = socket_folder(uri)
        assert len(str(sockets / ".s.PGSQL.5432")) < 100

        settings = psql(uri, "SELECT current_user, current_setting('listen_addresses'), current_setting('fsync'), "
                             "current_setting('full_page_writes'), current_setting('synchronous_commit'), "
                             "current_setting('max_connections')::int >= 200, pg_backend_pid(), "
                             "current_setting('data_directory')")
        user, listen, fsync, full_page_writes, synchronous_commit, enough_connections, pid, data = settings.split("|")
        assert (user, listen, fsync, full_page_writes, synchronous_commit, enough_connections) == ("datatrail", "", "off", "off", "off", "t")
        expected_uid = pwd.getpwnam("datatrail-pg").pw_uid if os.geteuid() == 0 else os.geteuid()
        assert expected_uid != 0
        # The server process itself (a connection's backend exits with psql, so its pid may be gone).
        postmaster = int((Path(data) / "postmaster.pid").read_text().splitlines()[0])
        assert owner_uid(postmaster) == expected_uid
        assert int(pid) != postmaster
        assert Path(data).stat().st_uid == expected_uid

        again = server("start", state)
        assert again.returncode == 0, again.stderr
        assert again.stdout.strip() == uri
    finally:
        stopped = server("stop", state)
    assert stopped.returncode == 0, stopped.stderr
    assert not sockets.exists()
    assert not state.exists()  # start created it, so stop removed it
    assert server("stop", state).returncode == 0


def test_start_replaces_a_server_that_stopped_behind_its_back(tmp_path: Path) -> None:
    state = tmp_path / "server"
    first = server("start", state)
    assert first.returncode == 0, first.stderr
    old_sockets = socket_folder(first.stdout.strip())
    try:
        pg_ctl = next(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        as_owner = ["runuser", "-u", "datatrail-pg", "--"] if os.geteuid() == 0 else []
        subprocess.run([*as_owner, str(pg_ctl), "stop", "-D", str(old_sockets / "data"), "-m", "fast", "-w", "-s"], check=True, cwd="/")

        second = server("start", state)
        assert second.returncode == 0, second.stderr
        uri = second.stdout.strip()
        assert psql(uri, "SELECT 41 + 1") == "42"
        assert socket_folder(uri) != old_sockets
        assert not old_sockets.exists()
    finally:
        assert server("stop", state).returncode == 0


def test_with_postgres_runs_the_command_against_a_server_and_returns_its_status() -> None:
    done = subprocess.run(
        ["bash", str(WITH_POSTGRES), "sh", "-c",
         'echo "$DATATRAIL_TEST_POSTGRES"; psql -X -A -t -d "$DATATRAIL_TEST_POSTGRES" -c "SELECT 41 + 1"; exit 3'],
        capture_output=True, text=True, env=environment_without_server(), stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 3, done.stderr
    uri, answer = done.stdout.split()
    assert answer == "42"
    assert not socket_folder(uri).exists()


def test_with_postgres_stops_the_server_when_it_is_terminated(tmp_path: Path) -> None:
    uri_file = tmp_path / "uri"
    wrapper = subprocess.Popen(
        ["bash", str(WITH_POSTGRES), "sh", "-c", f'echo "$DATATRAIL_TEST_POSTGRES" > {uri_file}.part && mv {uri_file}.part {uri_file} && exec sleep 600'],
        env=environment_without_server(), stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120  # a guard against hanging, not a measurement
        while not uri_file.exists():
            assert wrapper.poll() is None, "with-postgres.sh ended before the command started"
            assert time.monotonic() < deadline, "the command did not start within 120 s"
            time.sleep(0.05)
        uri = uri_file.read_text().strip()
        assert socket_folder(uri).exists()
        wrapper.send_signal(signal.SIGTERM)
        # The command (sleep) was passed the signal and died of it; the wrapper reports that.
        assert wrapper.wait(timeout=120) == 128 + signal.SIGTERM
    finally:
        if wrapper.poll() is None:
            wrapper.kill()
    assert not socket_folder(uri).exists()


def test_with_postgres_uses_a_server_that_is_already_named() -> None:
    mine = "postgresql:///mine?host=/nowhere&user=me"
    done = subprocess.run(
        ["bash", str(WITH_POSTGRES), "sh", "-c", 'echo "$DATATRAIL_TEST_POSTGRES"'],
        capture_output=True, text=True, env={**environment_without_server(), "DATATRAIL_TEST_POSTGRES": mine},
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == mine


def test_each_fresh_database_is_empty_private_and_dropped_after(postgres_uri: str) -> None:
    with fresh_database(postgres_uri) as first, fresh_database(postgres_uri) as second:
        assert first != second
        psql(first, "CREATE TABLE only_here (x int)")
        assert psql(first, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_here'") == "1"
        assert psql(second, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_here'") == "0"
        names = [psql(uri, "SELECT current_database()") for uri in (first, second)]
    listed = psql(postgres_uri, "SELECT string_agg(datname, ',') FROM pg_database").split(",")
    assert not set(names) & set(listed)


def test_the_database_fixture_gives_an_empty_database(postgres_database: str) -> None:
    assert psql(postgres_database, "SELECT current_database() LIKE 'dt\\_%'") == "t"
    assert psql(postgres_database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == "0"
