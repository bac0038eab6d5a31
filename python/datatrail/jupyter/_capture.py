"""Which files a notebook's cells open: Python's audit hook for the opens Python sees, small
wrappers for the libraries that open files in C (h5py, datatrail's NeXus API).

Everything here runs on the cell's thread while the cell runs, so it only notes what happened:
the absolute path, whether the file was read or written, and for a read the file's identity
(device, inode, size, modification time in ns) at the moment it was opened. Checksums and
catalogue look-ups come later, in :mod:`._session`'s worker.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import os
import sys
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

__all__ = ["Identity", "CellFiles", "install", "uninstall", "begin", "take", "end", "identity"]

#: (device, inode, size, modification time in ns): equal identities are taken to mean equal content.
Identity = tuple[int, int, int, int]


def identity(path: str) -> Identity | None:
    """The file's identity now, or None when it is not a regular file."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not (st.st_mode & 0o170000 == 0o100000):
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class CellFiles:
    """The files one cell opened: path to ``[identity when first read, written]``."""

    __slots__ = ("files",)

    def __init__(self) -> None:
        self.files: dict[str, list[Any]] = {}

    def note(self, path: str, reading: bool, writing: bool) -> None:
        entry = self.files.get(path)
        if entry is None:
            # The identity of what was read is taken before the read; a write needs none until
            # the cell has finished and closed the file.
            self.files[path] = [identity(path) if reading else None, writing]
        else:
            if reading and entry[0] is None and not entry[1]:
                entry[0] = identity(path)
            if writing:
                entry[1] = True


# The current cell's files while recording, else None: the one thing the hooks look at first.
_cell: CellFiles | None = None
_lock = threading.Lock()
_hook_added = False

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


# The working directory, kept while recording: os.path.abspath asks the system for it on every
# call, which is a good part of what noting an open costs. os.chdir fires an audit event, which
# drops it.
_cwd: str | None = None


def _absolute(path: Any) -> str | None:
    global _cwd
    if isinstance(path, int):
        return None  # an already open descriptor: its file was seen when it was opened
    try:
        text = path if isinstance(path, str) else os.fsdecode(path)
    except (TypeError, ValueError):
        return None
    if not text.startswith(os.sep):
        cwd = _cwd
        if cwd is None:
            cwd = _cwd = os.getcwd()
        text = cwd + os.sep + text
    if "/." in text or "//" in text:
        text = os.path.normpath(text)
    return text


def _audit(event: str, args: tuple[Any, ...]) -> None:
    # Runs on every audit event of the process, for the rest of its life (an audit hook cannot
    # be removed): two comparisons when not recording.
    if event != "open":
        if event == "os.chdir":
            global _cwd
            _cwd = None
        return
    cell = _cell
    if cell is None:
        return
    try:
        path, mode, flags = args
        if mode is None:  # os.open
            writing = bool(flags & _WRITE_FLAGS)
            reading = not (flags & os.O_WRONLY)
        else:
            writing = any(c in mode for c in "wax+")
            reading = "r" in mode or "+" in mode
        full = _absolute(path)
        if full is not None:
            cell.note(full, reading, writing)
    except Exception:  # noqa: BLE001 - an exception here would surface in the user's open()
        pass


def _note(path: Any, reading: bool, writing: bool) -> None:
    cell = _cell
    if cell is None:
        return
    try:
        full = _absolute(path)
        if full is not None:
            cell.note(full, reading, writing)
    except Exception:  # noqa: BLE001 - never break the user's call
        pass


# --- h5py ---------------------------------------------------------------------------------------

_H5_MODES = {"r": (True, False), "r+": (True, True), "a": (True, True), "w": (False, True), "w-": (False, True), "x": (False, True)}


def _patch_h5py(files_module: ModuleType) -> None:
    """Wrap ``h5py._hl.files.make_fid``, through which every ``h5py.File`` opens or creates its
    file: HDF5 opens it in C, where no audit event fires. Wrapping the module function rather
    than the class also sees ``File`` objects of code that imported the class before."""
    original = getattr(files_module, "make_fid", None)
    if original is None or getattr(original, "_datatrail_wrapped", False):
        return

    @functools.wraps(original)
    def make_fid(name: Any, mode: Any, *args: Any, **kwargs: Any) -> Any:
        if _cell is not None:
            reading, writing = _H5_MODES.get(mode if isinstance(mode, str) else "a", (True, True))
            _note(name, reading, writing)
        return original(name, mode, *args, **kwargs)

    make_fid._datatrail_wrapped = True  # type: ignore[attr-defined]
    make_fid._datatrail_original = original  # type: ignore[attr-defined]
    files_module.make_fid = make_fid  # type: ignore[attr-defined]


def _unpatch_h5py() -> None:
    module = sys.modules.get("h5py._hl.files")
    wrapped = getattr(module, "make_fid", None) if module is not None else None
    if wrapped is not None and getattr(wrapped, "_datatrail_wrapped", False):
        module.make_fid = wrapped._datatrail_original  # type: ignore[union-attr]


class _H5pyFinder(importlib.abc.MetaPathFinder):
    """Wraps h5py's file opening as soon as h5py is imported, in whatever cell that happens: a
    check between cells would miss the files of the cell that imports h5py and opens a file."""

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> Any:
        if fullname != "h5py._hl.files":
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
                spec.loader = _PatchingLoader(spec.loader)
                return spec
        return None


class _PatchingLoader(importlib.abc.Loader):
    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        module: ModuleType | None = self._loader.create_module(spec)
        return module

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        _patch_h5py(module)


_finder = _H5pyFinder()


# --- datatrail's NeXus API ----------------------------------------------------------------------

# Function name: (reads, writes); the path is each one's first argument.
_NEXUS = {
    "read_file": (True, False),
    "read_data": (True, False),
    "write_raw_file": (False, True),
    "write_processed_file": (False, True),
}


def _patch_nexus() -> None:
    """Wrap the NeXus functions that open a file (in C++, unseen by the audit hook)."""
    from .. import nexus

    for name, (reading, writing) in _NEXUS.items():
        original = getattr(nexus, name, None)
        if original is None or getattr(original, "_datatrail_wrapped", False):
            continue
        setattr(nexus, name, _wrap_path_function(original, reading, writing))
    stack = getattr(nexus, "FrameStack", None)
    if stack is not None and not getattr(stack.__init__, "_datatrail_wrapped", False):
        original_init = stack.__init__

        @functools.wraps(original_init)
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            if _cell is not None:
                _note(args[0] if args else kwargs.get("path"), False, True)
            original_init(self, *args, **kwargs)

        __init__._datatrail_wrapped = True  # type: ignore[attr-defined]
        __init__._datatrail_original = original_init  # type: ignore[attr-defined]
        try:
            stack.__init__ = __init__
        except (TypeError, AttributeError):
            pass  # a class that does not let its constructor be replaced stays unseen


def _wrap_path_function(original: Callable[..., Any], reading: bool, writing: bool) -> Callable[..., Any]:
    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        # Whatever the arguments, the library checks them and words its own errors.
        if _cell is not None:
            _note(args[0] if args else kwargs.get("path"), reading, writing)
        return original(*args, **kwargs)

    wrapper._datatrail_wrapped = True  # type: ignore[attr-defined]
    wrapper._datatrail_original = original  # type: ignore[attr-defined]
    return wrapper


def _unpatch_nexus() -> None:
    from .. import nexus

    for name in _NEXUS:
        wrapped = getattr(nexus, name, None)
        if wrapped is not None and getattr(wrapped, "_datatrail_wrapped", False):
            setattr(nexus, name, wrapped._datatrail_original)
    stack = getattr(nexus, "FrameStack", None)
    init = getattr(stack, "__init__", None) if stack is not None else None
    if init is not None and getattr(init, "_datatrail_wrapped", False):
        setattr(stack, "__init__", init._datatrail_original)


# --- switching it on and off --------------------------------------------------------------------


def install() -> None:
    """Add the audit hook (once per process) and the wrappers; all inert until :func:`begin`."""
    global _hook_added
    with _lock:
        if not _hook_added:
            sys.addaudithook(_audit)
            _hook_added = True
        if _finder not in sys.meta_path:
            sys.meta_path.insert(0, _finder)
        module = sys.modules.get("h5py._hl.files")
        if module is not None:
            _patch_h5py(module)
        _patch_nexus()


def uninstall() -> None:
    """Remove the wrappers and the import hook; the audit hook stays (it cannot be removed) but
    does nothing."""
    global _cell
    with _lock:
        _cell = None
        if _finder in sys.meta_path:
            sys.meta_path.remove(_finder)
        _unpatch_h5py()
        _unpatch_nexus()


def begin() -> None:
    """Start noting the files opened, for a new cell."""
    global _cell, _cwd
    _cwd = None
    _cell = CellFiles()


def take() -> CellFiles:
    """The files noted since :func:`begin` or the last take, and a fresh start."""
    global _cell
    cell, _cell = _cell, CellFiles()
    return cell if cell is not None else CellFiles()


def end() -> CellFiles:
    """Stop noting; what was noted since the last take."""
    global _cell
    cell, _cell = _cell, None
    return cell if cell is not None else CellFiles()


def recording() -> bool:
    return _cell is not None
