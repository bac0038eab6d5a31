"""The canonical encoding behind a task's cache key: typed, exact, independent of insertion order
and of PYTHONHASHSEED; numpy arrays with dtype, shape and byte order; file digests memoised on
the file's identity."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from datatrail._cache_key import Uncacheable, digest, encode, file_digest, tree_digest


def key(value: Any) -> str:
    return digest(encode(value))


@pytest.mark.parametrize(
    "a, b",
    [
        (1, 1.0),
        (1, True),
        (0, False),
        (1, "1"),
        ("1", b"1"),
        (0.0, -0.0),
        (0.1, 0.1 + 2**-56),
        ((1, 2), [1, 2]),
        ((), []),
        ({1, 2}, frozenset({1, 2})),
        ({"a": 1}, {"a": 1.0}),
        ([1, [2]], [[1], 2]),
        (("ab", "c"), ("a", "bc")),
        (None, "None"),
        (None, 0),
        (datetime.date(2026, 1, 2), "2026-01-02"),
        (np.float64(1.0), 1.0),
        (np.int32(1), np.int64(1)),
        (np.zeros(4, np.int32), np.zeros(2, np.int64)),
        (np.zeros(4, "<i4"), np.zeros(4, ">i4")),
        (np.zeros((2, 3)), np.zeros((3, 2))),
        (np.zeros(6), np.zeros((2, 3))),
        (np.arange(3), [0, 1, 2]),
        (Path("a"), "a"),
    ],
    ids=repr,
)
def test_values_that_differ_get_different_keys(a: Any, b: Any) -> None:
    assert key(a) != key(b)


@pytest.mark.parametrize(
    "a, b",
    [
        (float("nan"), float("-nan")),
        (float("nan"), float("inf") - float("inf")),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}),
        ({3, 1, 2}, {2, 3, 1}),
        (np.arange(6).reshape(2, 3).T, np.ascontiguousarray(np.arange(6).reshape(2, 3).T)),
        (10**30, 10**30),
    ],
    ids=repr,
)
def test_equal_values_get_the_same_key(a: Any, b: Any) -> None:
    assert key(a) == key(b)


class _Text(str):
    pass


class _Number(int):
    pass


@pytest.mark.parametrize(
    "value, expected",
    [
        ("ab", b"s2:ab"),
        ("\u00e9", b"s2:\xc3\xa9"),
        (7, b"i7;"),
        (-3, b"i-3;"),
        (True, b"T"),
        (_Text("ab"), b"s2:ab"),
        (_Number(7), b"i7;"),
        ({"b": 1, "a": "x"}, b"M15:s1:as1:xs1:bi1;"),
        (("task", "n", [1, 2.5], {"k": None}), b"(48:s4:tasks1:n[25:i1;f0x1.4000000000000p+1;M5:s1:kN"),
    ],
    ids=repr,
)
def test_encoding_is_stable(value: Any, expected: bytes) -> None:
    # Keys stored by earlier versions must still match: the bytes themselves are pinned.
    assert encode(value) == expected


def test_floats_are_exact() -> None:
    assert encode(0.1) != encode(0.1000000000000000055511151231257827 + 1e-17)
    assert encode(-0.0) == b"f-0x0.0p+0;"
    assert encode(float("inf")) != encode(float("-inf"))


@pytest.mark.parametrize(
    "value, where",
    [
        (object(), "value"),
        ({"opts": [1, object()]}, "value['opts'][1]"),
        (np.array([1, "a", None], dtype=object), "value"),
        (lambda: 1, "value"),
    ],
    ids=["object", "nested", "object array", "lambda"],
)
def test_what_has_no_encoding_is_refused_with_where_it_sits(value: Any, where: str) -> None:
    with pytest.raises(Uncacheable) as e:
        encode(value)
    assert e.value.where == where


PROGRAM = """
import sys
sys.path.insert(0, {path!r})
from datatrail._cache_key import digest, encode
value = {{"names": {{"alpha", "beta", "gamma", "delta", "epsilon"}}, "frozen": frozenset({{"x", "y", "z"}}),
          "nested": {{"b": {{"q", "r"}}, "a": ("s", "t")}}}}
print(digest(encode(value)))
"""


def test_sets_and_dicts_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    import datatrail

    package_parent = str(Path(datatrail.__file__).resolve().parents[1])
    keys = set()
    for seed in ("0", "1", "12345", "4242"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run([sys.executable, "-c", PROGRAM.format(path=package_parent)], capture_output=True,
                              text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        keys.add(done.stdout.strip())
    assert len(keys) == 1, keys
    # ... and the sets really iterate differently under those seeds (else the test proves nothing).
    orders = set()
    for seed in ("0", "1", "12345", "4242"):
        done = subprocess.run([sys.executable, "-c", "print(list({'alpha','beta','gamma','delta','epsilon'}))"],
                              capture_output=True, text=True, env=dict(os.environ, PYTHONHASHSEED=seed), timeout=60)
        orders.add(done.stdout)
    assert len(orders) > 1


def test_file_digests_follow_the_content_and_are_memoised_on_identity(tmp_path: Path) -> None:
    f = tmp_path / "data.bin"
    f.write_bytes(b"one")
    first = file_digest(f)
    assert first == file_digest(str(f))
    # Same size, new content and a new modification time: read again.
    f.write_bytes(b"two")
    os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns + 1_000_000))
    assert file_digest(f) != first
    # Replaced by another file (a new inode) with the first content: the first digest again.
    g = tmp_path / "other.bin"
    g.write_bytes(b"one")
    os.replace(g, f)
    assert file_digest(f) == first


def test_folders_are_digested_over_their_files(tmp_path: Path) -> None:
    d = tmp_path / "d"
    (d / "sub").mkdir(parents=True)
    (d / "a.txt").write_text("a")
    (d / "sub" / "b.txt").write_text("b")
    before = tree_digest(d)
    (d / "sub" / "b.txt").rename(d / "b.txt")  # same contents, another layout
    assert tree_digest(d) != before


def test_importing_datatrail_does_not_load_numpy() -> None:
    # The command line imports the package; numpy costs it a tenth of a second at every start.
    done = subprocess.run([sys.executable, "-c", "import sys, datatrail; print('numpy' in sys.modules)"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_keys_equal_those_cpp_computes(tmp_path: Path) -> None:
    """The same keys as tests/cpp/test_task.cpp pins for C++'s task_cache_key: the two languages
    share one encoding, so a C++ task and a Python task of the same name share one cache."""
    import datatrail as dt

    cat = dt.Catalog(":memory:")
    raw = cat.register_dataset("raw", files=[{"path": "b.dat", "sha256": "b" * 64},
                                             {"path": "a.dat", "sha256": "a" * 64}])
    (tmp_path / "mask.dat").write_bytes(b"abc")
    (tmp_path / "tree" / "sub").mkdir(parents=True)
    (tmp_path / "tree" / "x.txt").write_bytes(b"1")
    (tmp_path / "tree" / "sub" / "y.txt").write_bytes(b"2")

    def task_key(**options: Any) -> str | None:
        t = dt.task_run("integrate", program="pyFAI", version="2025.1", catalog=cat, **options)
        t._prepare()
        return t.key

    assert task_key(inputs=[str(tmp_path / "mask.dat")]) == (
        "bb118e00cfc95a1cfe1e52e254891e1a3b94562a50d564abe850aaba9ee06f64")
    assert task_key(parameters={"x": 0.1}) == "fe1c29f6ef6c71d6ee2aa1063db891f67213d946464e8cbf7847c87aea99d0b9"
    parameters = {"npt": 1000, "distance": (250.0, "mm"), "model": "gauss", "flag": True,
                  "ratios": [0.1, -0.0, 5e-324, 1e300],
                  "when": datetime.datetime(2026, 1, 2, 10, 0, 0, 123456, tzinfo=datetime.timezone.utc),
                  "counts": [1, 2, -3], "labels": ["a", "b"], "config": {"a": [1, 2.5, None], "b": "x"},
                  "err": (1.5, "keV", 0.25)}
    inputs = {"raw": raw, "mask": str(tmp_path / "mask.dat"), "tree": str(tmp_path / "tree")}
    assert task_key(inputs=inputs, parameters=parameters) == (
        "4cdc768aa6ad214fc48264fa015a9c6006bc849312a60b81d0e25f0dd2e68100")
