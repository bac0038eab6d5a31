"""The code in docs/ runs: Python blocks execute in order, one namespace per page, in a scratch
folder; C++ blocks are cut from the examples (which ctest builds and runs) and must match them."""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path

import pytest

from conftest import REPO

DOCS = sorted((REPO / "docs").glob("*.md"))
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.S | re.M)


def blocks(page: Path, language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(page.read_text()) if lang == language]


def snippet(path: Path, name: str) -> str:
    marker = f"// [snippet:{name}]\n"
    text = path.read_text()
    assert text.count(marker) == 2, f"{path.name} must hold [snippet:{name}] twice (start and end)"
    body = text.split(marker)[1]
    body = body[: body.rfind("\n") + 1]  # drop the end marker's indentation
    return textwrap.dedent(body).rstrip() + "\n"


def test_there_are_docs() -> None:
    names = {p.name for p in DOCS}
    assert {"concepts.md", "python-guide.md", "cpp-guide.md", "provenance.md", "benchmarks.md"} <= names


@pytest.mark.parametrize("page", [p for p in DOCS if blocks(p, "python")], ids=lambda p: p.name)
def test_python_blocks_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs.{page.stem}"}
    for i, code in enumerate(blocks(page, "python")):
        try:
            exec(compile(code, f"{page.name}[python block {i}]", "exec"), namespace)
        except Exception as e:  # noqa: BLE001 - rethrown with the block named
            raise AssertionError(f"{page.name}, python block {i} failed: {e!r}\n{code}") from e


@pytest.mark.parametrize("page", [p for p in DOCS if blocks(p, "cpp")], ids=lambda p: p.name)
def test_cpp_blocks_match_the_examples(page: Path) -> None:
    for code in blocks(page, "cpp"):
        first, _, body = code.partition("\n")
        source = re.fullmatch(r"// (\S+) \[snippet:([\w-]+)\]", first)
        assert source, f"{page.name}: a C++ block must start with '// <example path> [snippet:<name>]', got {first!r}"
        assert os.path.exists(REPO / source.group(1)), source.group(1)
        assert body == snippet(REPO / source.group(1), source.group(2)), f"{page.name}: block {first} differs from its example"
