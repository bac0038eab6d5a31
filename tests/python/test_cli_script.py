"""The installed ``datatrail`` script and ``python -m datatrail`` in processes of their own: what only
a real process shows (exit status, a terminal on stderr, an interrupt, what --help imports)."""

from __future__ import annotations

import errno
import json
import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import datatrail as dt
from cli_helpers import SCRIPT, run_script
from conftest import REPO


def test_the_script_is_installed(tmp_path: Path) -> None:
    assert SCRIPT.is_file()
    done = run_script("--version", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, f"datatrail {dt.__version__}\n")


def test_python_dash_m(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "datatrail", "--help"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("usage: datatrail")


def test_a_session_through_the_script(tmp_path: Path) -> None:
    env = {"DATATRAIL_CATALOG": str(tmp_path / "beamtime.db")}
    assert run_script("query", cwd=tmp_path, env=env).returncode == 3
    assert run_script("init", "--prefix", "bt", cwd=tmp_path, env=env).returncode == 0
    done = run_script("register", "scan_001", "-m", "energy=12.7 keV", "--json", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    pid = json.loads(done.stdout)["pid"]
    assert pid.startswith("bt/")
    done = run_script("query", "energy > 12 keV", "--pids", cwd=tmp_path, env=env)
    assert (done.returncode, done.stdout, done.stderr) == (0, pid + "\n", "")
    done = run_script("query", "energy >", cwd=tmp_path, env=env)
    assert done.returncode == 2 and done.stderr.startswith("datatrail: error: invalid query: ") and done.stderr.count("\n") == 1


def modules_after(argv: list[str]) -> set[str]:
    """The datatrail.cli modules a fresh interpreter has imported after main(argv)."""
    code = (
        "import contextlib, io, sys\n"
        "from datatrail.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main({argv!r})\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('datatrail.cli'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_help_imports_no_command() -> None:
    assert modules_after(["--help"]) == {"datatrail.cli", "datatrail.cli._common"}
    assert modules_after(["verify", "--help"]) == {"datatrail.cli", "datatrail.cli._common", "datatrail.cli.verify"}
    assert modules_after(["search", "--help"]) == {"datatrail.cli", "datatrail.cli._common", "datatrail.cli.query"}


# --- a terminal on stderr ----------------------------------------------------------------------------


def run_with_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str, str]:
    """Runs the script with stderr on a pseudo-terminal; returns its exit code, stdout and what
    the terminal received."""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen([str(SCRIPT), *args], cwd=cwd, env={**os.environ, **env}, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=follower, text=True)
    finally:
        os.close(follower)
    received = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError as e:  # EIO: the process closed its end
            if e.errno != errno.EIO:
                raise
            break
        if not chunk:
            break
        received += chunk
    os.close(leader)
    out, _ = proc.communicate(timeout=120)
    return proc.returncode, out, received.decode()


@pytest.fixture
def scans(tmp_path: Path) -> dict[str, str]:
    """A catalogue with twenty checksummed files; the environment that names it."""
    data = tmp_path / "data"
    data.mkdir()
    with dt.Catalog(tmp_path / "catalog.db") as cat:
        for i in range(20):
            (data / f"f{i}.bin").write_bytes(bytes([i]) * 1000)
        cat.register_dataset("scan", location=str(data), files=[f"f{i}.bin" for i in range(20)], describe_files=True)
    return {"DATATRAIL_CATALOG": str(tmp_path / "catalog.db")}


def test_verify_draws_progress_on_a_terminal_only(tmp_path: Path, scans: dict[str, str]) -> None:
    code, out, terminal = run_with_terminal(["verify"], tmp_path, scans)
    assert (code, out) == (0, "20 files in 1 dataset: 20 ok\n")
    assert "verifying [" in terminal and "/20" in terminal and "\r" in terminal
    code, out, terminal = run_with_terminal(["verify", "--json"], tmp_path, scans)
    assert code == 0 and len(out.splitlines()) == 20
    assert terminal == ""
    done = run_script("verify", cwd=tmp_path, env=scans)
    assert (done.returncode, done.stderr) == (0, "")


def test_merge_draws_progress_on_a_terminal_only(tmp_path: Path, scans: dict[str, str]) -> None:
    with dt.Catalog(tmp_path / "facility.db"):
        pass
    env = {"DATATRAIL_CATALOG": str(tmp_path / "facility.db")}
    code, out, terminal = run_with_terminal(["merge", scans["DATATRAIL_CATALOG"]], tmp_path, env)
    assert code == 0 and "datasets        1      0" in out
    assert "merging " in terminal


def test_an_interrupt_exits_130(tmp_path: Path) -> None:
    """verify blocks reading a FIFO; SIGINT then EOF: the run ends with 130 and one line."""
    fifo = tmp_path / "stream"
    os.mkfifo(fifo)
    with dt.Catalog(tmp_path / "catalog.db") as cat:
        cat.register_dataset("stream", location=str(tmp_path), files=[dt.Datafile("stream", sha256="0" * 64)])
    proc = subprocess.Popen([str(SCRIPT), "-c", str(tmp_path / "catalog.db"), "verify"], cwd=tmp_path,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:  # wait until verify has opened the FIFO for reading
            try:
                writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError as e:
                if e.errno != errno.ENXIO or time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError(f"verify never opened the FIFO: {proc.communicate()}") from e
                time.sleep(0.01)
        proc.send_signal(signal.SIGINT)
        os.close(writer)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, (out, err)
    assert err == "datatrail: interrupted\n"


def test_the_command_line_type_checks() -> None:
    """mypy on the CLI from the source tree (make test runs it on the examples only)."""
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "python/datatrail/cli", "python/datatrail/__main__.py"],
        cwd=REPO, capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stdout + done.stderr
