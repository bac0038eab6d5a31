"""Running the datatrail command line from the CLI tests: in-process through main() (fast, most
tests) and as the installed console script (a few, for what only a real process shows)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from datatrail.cli import main

#: The console script pip installed beside the interpreter that runs the tests.
SCRIPT = Path(sys.executable).with_name("datatrail")


@dataclass
class Ran:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def json_lines(self) -> list[Any]:
        return [json.loads(line) for line in self.out.splitlines()]

    @property
    def error(self) -> str:
        """The one line an error prints, checked to be one line that starts as every error does."""
        lines = self.err.splitlines()
        assert lines, f"expected an error on stderr, got nothing (exit {self.code}, stdout {self.out!r})"
        assert lines[-1].startswith("datatrail: error: "), self.err
        assert "Traceback" not in self.err, self.err
        return lines[-1].removeprefix("datatrail: error: ")


class Cli:
    """``cli("query", "energy > 12 keV")`` runs ``datatrail -c <the test's catalogue> query ...``."""

    def __init__(self, capsys: pytest.CaptureFixture[str], catalog: str | Path) -> None:
        self.capsys = capsys
        self.catalog = str(catalog)

    def __call__(self, *args: str, catalog: str | Path | None = None, bare: bool = False) -> Ran:
        argv = list(args) if bare else ["-c", str(catalog or self.catalog), *args]
        self.capsys.readouterr()
        code = main(argv)
        captured = self.capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    def ok(self, *args: str, catalog: str | Path | None = None) -> Ran:
        """Runs and checks for exit code 0 and nothing on stderr."""
        ran = self(*args, catalog=catalog)
        assert ran.code == 0, f"datatrail {' '.join(args)} exited {ran.code}: {ran.err}"
        assert ran.err == "", ran.err
        return ran


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    """The command line on a new SQLite catalogue in the test's folder, run from that folder, with
    DATATRAIL_CATALOG unset so that only --catalog counts."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATATRAIL_CATALOG", raising=False)
    tool = Cli(capsys, tmp_path / "catalog.db")
    assert tool("init").code == 0
    yield tool


def run_script(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The installed console script in a process of its own."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [str(SCRIPT), *args], cwd=cwd, env=full_env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=timeout
    )
