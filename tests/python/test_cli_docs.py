"""The shell sessions in docs/ run: every ``console`` block of a page, in order, in one scratch
folder, with the installed ``datatrail`` first on PATH. A line ``$ command`` is run by bash (a line
ending in ``\\`` continues on the next); the lines after it are what it prints, stdout and stderr
together, compared exactly except that ``...`` in a line stands for any text and a line of only
``...`` for any number of lines (PIDs and times differ on every run). A here-document
(``<<'EOF'`` ... ``EOF``) belongs to its command. A command that fails must be
followed by ``$ echo $?``, which prints its exit code. ``export NAME=value`` sets a variable for the
commands after it."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from cli_helpers import SCRIPT
from conftest import REPO

FENCE = re.compile(r"^```console\n(.*?)^```$", re.S | re.M)
PAGES = [p for p in sorted((REPO / "docs").glob("*.md")) if FENCE.search(p.read_text())]


@dataclass
class Step:
    command: str
    expected: list[str]
    where: str


def steps(page: Path) -> list[Step]:
    found: list[Step] = []
    text = page.read_text()
    for match in FENCE.finditer(text):
        first_line = text[: match.start()].count("\n") + 2
        lines = match.group(1).splitlines()
        i = 0
        while i < len(lines):
            line = lines[i]
            assert line.startswith("$ "), f"{page.name}:{first_line + i}: output before any command: {line!r}"
            command = line[2:]
            where = f"{page.name}:{first_line + i}"
            heredoc = re.search(r"<<-?'?(\w+)'?", command)
            while command.endswith("\\") or (heredoc and command.splitlines()[-1] != heredoc.group(1)):
                i += 1
                command += "\n" + lines[i]
            i += 1
            expected = []
            while i < len(lines) and not lines[i].startswith("$ "):
                expected.append(lines[i])
                i += 1
            found.append(Step(command, expected, where))
    return found


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether the output lines fit the expected ones, with ``...`` as described above."""
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head == "...":
        return any(matches(rest, actual[i:]) for i in range(len(actual) + 1))
    if not actual:
        return False
    pattern = ".*".join(re.escape(part) for part in head.split("..."))
    return re.fullmatch(pattern, actual[0]) is not None and matches(rest, actual[1:])


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_console_blocks_run(page: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATATRAIL_")}
    env["PATH"] = f"{SCRIPT.parent}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "100"
    last = 0
    pending_failure: Step | None = None
    for step in steps(page):
        if step.command == "echo $?":
            pending_failure = None
        elif pending_failure is not None:
            pytest.fail(f"{pending_failure.where}: `{pending_failure.command}` exited {last}; follow it with `$ echo $?`")
        export = re.fullmatch(r"export (\w+)=(\S*)", step.command)
        if export:
            env[export.group(1)] = export.group(2)
            last = 0
            continue
        done = subprocess.run(
            ["bash", "-c", f"(exit {last}); {step.command}"],
            cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120,
        )
        last = done.returncode
        if last != 0:
            pending_failure = step
        actual = done.stdout.splitlines()
        assert matches(step.expected, actual), (
            f"{step.where}: `{step.command}` printed\n" + "\n".join(actual) + "\n--- but the page says ---\n" + "\n".join(step.expected)
        )
    if pending_failure is not None:
        pytest.fail(f"{pending_failure.where}: `{pending_failure.command}` exited {last}; follow it with `$ echo $?`")


def test_the_matcher() -> None:
    assert matches(["a ... c"], ["a b c"])
    assert not matches(["a ... c"], ["a b d"])
    assert matches(["x", "...", "z"], ["x", "z"]) and matches(["x", "...", "z"], ["x", "1", "2", "z"])
    assert not matches(["x", "...", "z"], ["x", "1"])
    assert not matches(["x"], ["x", "extra"])
    assert matches(["a.b (c)"], ["a.b (c)"]) and not matches(["a.b"], ["axb"])
