"""The canonical, typed encoding behind a task's cache key, and file content digests memoised on
the file's identity.

The encoding is written for one purpose: two calls get the same bytes exactly when they mean the
same thing. So every value carries its type (``1``, ``1.0``, ``True``, ``"1"``, ``(1,)`` and
``[1]`` all differ), floats are exact (their hex form: ``-0.0`` is not ``0.0``, every NaN is the
same NaN), mappings and sets are ordered by the encoding of their members (never by insertion
order or by ``hash``, which PYTHONHASHSEED changes), and numpy arrays carry dtype (byte order
included) and shape beside their bytes. Anything else is refused with :class:`Uncacheable`
rather than guessed at: a wrong cache hit is worse than a miss.
"""

from __future__ import annotations

import datetime
import decimal
import fractions
import hashlib
import os
import pathlib
import sys
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._core import sha256_file

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Uncacheable", "encode", "digest", "file_digest", "tree_digest"]

#: Changes whenever the encoding does, so keys of an older encoding never match.
ENCODING_VERSION = b"datatrail-task-key/1\n"


class Uncacheable(TypeError):
    """A value the encoding does not know; ``where`` says where it sits (``parameters.opts[2]``)."""

    def __init__(self, where: str, value: Any, reason: str) -> None:
        self.where = where
        self.reason = reason
        self.type_name = type(value).__name__
        super().__init__(f"{where}: {reason} ({self.type_name})")


def _sized(tag: bytes, data: bytes) -> bytes:
    # Length-prefixed, so that no concatenation of two values reads as another pair.
    return tag + str(len(data)).encode() + b":" + data


def _float(x: float) -> bytes:
    return float.hex(x).encode() if x == x else b"nan"


def encode(value: Any, where: str = "value") -> bytes:
    """The canonical bytes of ``value``.

    :raises Uncacheable: for a type the encoding does not know, naming where it sits
    """
    # The key's own parts are mostly plain str and int: their exact types first, before the
    # isinstance chain (bool is not `int` here, and subclasses take the general path below).
    kind = type(value)
    if kind is str:
        return _sized(b"s", value.encode("utf-8", "surrogatepass"))
    if kind is int:
        return b"i" + str(value).encode() + b";"
    # bool before int: True is an int to isinstance.
    # numpy is looked up, not imported: a value can only be a numpy object once numpy is loaded,
    # and `import datatrail` stays quick for the command line.
    np = sys.modules.get("numpy")
    if value is None:
        return b"N"
    if isinstance(value, bool) or (np is not None and isinstance(value, np.bool_)):
        return b"T" if value else b"F"
    if np is not None and isinstance(value, np.generic):
        return _numpy_scalar(value, where)
    if isinstance(value, int):
        return b"i" + str(int(value)).encode() + b";"
    if isinstance(value, float):
        return b"f" + _float(float(value)) + b";"
    if isinstance(value, complex):
        return b"c" + _float(value.real) + b"," + _float(value.imag) + b";"
    if isinstance(value, str):
        return _sized(b"s", value.encode("utf-8", "surrogatepass"))
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _sized(b"b", bytes(value))
    if isinstance(value, decimal.Decimal):
        return _sized(b"D", str(value).encode())
    if isinstance(value, fractions.Fraction):
        return _sized(b"Q", f"{value.numerator}/{value.denominator}".encode())
    if isinstance(value, datetime.datetime):
        return _sized(b"t", value.isoformat().encode())
    if isinstance(value, datetime.date):
        return _sized(b"d", value.isoformat().encode())
    if isinstance(value, datetime.timedelta):
        return _sized(b"e", f"{value.days},{value.seconds},{value.microseconds}".encode())
    if isinstance(value, pathlib.PurePath):
        # As a parameter a path is a name; inputs are hashed by content elsewhere.
        return _sized(b"P", os.fspath(value).encode("utf-8", "surrogateescape"))
    if np is not None and isinstance(value, np.ndarray):
        return _array(value, where)
    if isinstance(value, tuple):
        return _sized(b"(", b"".join(encode(v, f"{where}[{i}]") for i, v in enumerate(value)))
    if isinstance(value, list):
        return _sized(b"[", b"".join(encode(v, f"{where}[{i}]") for i, v in enumerate(value)))
    if isinstance(value, (set, frozenset)):
        members = sorted(encode(v, f"{where}{{...}}") for v in value)
        return _sized(b"{" if isinstance(value, set) else b"}", b"".join(members))
    if isinstance(value, Mapping):
        entries = []
        for k, v in value.items():
            inner = f"{where}[{k!r}]"
            entries.append((encode(k, inner), encode(v, inner)))
        entries.sort()
        return _sized(b"M", b"".join(k + v for k, v in entries))
    raise Uncacheable(where, value, "no canonical encoding for this type")


def _dtype(dtype: np.dtype[Any], where: str) -> bytes:
    import numpy

    if dtype.hasobject:
        raise Uncacheable(where, dtype, "arrays of Python objects have no canonical bytes")
    # The descriptor names byte order and, for structured types, every field with its offset.
    return repr(numpy.lib.format.dtype_to_descr(dtype)).encode()


def _array(a: np.ndarray[Any, Any], where: str) -> bytes:
    import numpy

    head = _dtype(a.dtype, where) + b"|" + ",".join(str(n) for n in a.shape).encode()
    return _sized(b"A", _sized(b"", head) + numpy.ascontiguousarray(a).tobytes())


def _numpy_scalar(x: np.generic, where: str) -> bytes:
    return _sized(b"n", _sized(b"", _dtype(x.dtype, where)) + x.tobytes())


def digest(data: bytes) -> str:
    """The SHA-256 of encoded bytes, as hex, under the encoding's version."""
    return hashlib.sha256(ENCODING_VERSION + data).hexdigest()


# --- file contents ------------------------------------------------------------------------------

_lock = threading.Lock()
_memo: dict[str, tuple[tuple[int, int, int, int], str]] = {}


def _identity(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def file_digest(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's content, memoised on (device, inode, size, modification time in
    ns): a file rewritten in place, replaced or touched is read again; an unchanged one is not.

    :raises OSError: when the file cannot be read
    """
    name = os.path.abspath(os.fspath(path))
    identity = _identity(os.stat(name))
    with _lock:
        known = _memo.get(name)
    if known is not None and known[0] == identity:
        return known[1]
    value = sha256_file(name)
    # Stat again: a file written while it was read must not be memoised under its new identity.
    if _identity(os.stat(name)) == identity:
        with _lock:
            _memo[name] = (identity, value)
    return value


def tree_digest(path: str | os.PathLike[str]) -> str:
    """A file's content digest, or for a folder one over every file below it (relative path and
    content digest, in sorted order; symbolic links followed as the files they name)."""
    root = os.fspath(path)
    if not os.path.isdir(root):
        return file_digest(root)
    entries = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for f in sorted(files):
            full = os.path.join(folder, f)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            entries.append(encode((rel, file_digest(full))))
    return digest(b"".join(entries))
