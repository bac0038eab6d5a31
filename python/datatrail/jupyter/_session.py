"""A notebook session being recorded: one activity of type ``notebook``, its cells in the log, the
files its cells opened linked to the datasets that hold them.

Cells go to the activity's log, not its parameters: parameters are typed values fixed when the
activity starts, whereas cells arrive one by one for as long as the session lasts and are text;
the log is appended to in order, one write per cell, and shows as the session's transcript.

Each cell is one log entry::

    In [3]: ok, 0.012 s, 2026-12-02T12:00:01.123Z
        data = np.load("raw/scan_001.npy")
        print(data.mean())
      read /beamtime/raw/scan_001.npy -> local/01JQ... (scan_001)
      wrote /beamtime/out/mean.npy (not in the catalogue)

The code is indented by four spaces, so a line that starts otherwise is datatrail's.
"""

from __future__ import annotations

import datetime
import os
import queue
import site
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._activity import ActivityRun
from .._core import Catalog, Dataset, Error, Used, sha256_file
from ..tasks import _invalid
from . import _capture
from ._identity import NotebookIdentity


def _utc_now() -> str:
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _ignored_roots(catalog_path: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """Folders whose files a notebook opens without them being its data (the interpreter, its
    packages, caches and configuration), and the catalogue's own files."""
    roots: set[str] = set()
    for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix):
        roots.add(os.path.realpath(p))
        roots.add(os.path.abspath(p))
    try:
        roots.update(os.path.abspath(p) for p in site.getsitepackages())
    except AttributeError:
        pass
    user_site = site.getusersitepackages() if hasattr(site, "getusersitepackages") else ""
    if user_site:
        roots.add(os.path.abspath(user_site))
    home = os.path.expanduser("~")
    for folder in (".cache", ".config", ".ipython", ".jupyter", ".local", ".matplotlib", ".keras", ".nv"):
        roots.add(os.path.join(home, folder))
    for variable in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "IPYTHONDIR", "JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "MPLCONFIGDIR"):
        value = os.environ.get(variable)
        if value:
            roots.add(os.path.abspath(value))
    for folder in ("/proc", "/sys", "/dev", "/etc", "/usr", "/lib", "/lib64", "/bin", "/sbin"):
        roots.add(folder)
    catalogue: set[str] = set()
    if catalog_path and catalog_path != ":memory:" and "://" not in catalog_path:
        base = os.path.abspath(catalog_path)
        catalogue = {base, base + "-wal", base + "-shm", base + "-journal"}
    return tuple(sorted(r.rstrip(os.sep) + os.sep for r in roots if r)), frozenset(catalogue)


@dataclass
class _Cell:
    number: int
    code: str
    started: str
    seconds: float
    outcome: str
    files: dict[str, list[Any]]
    #: identities of the written files, taken when the cell ended
    written: dict[str, _capture.Identity | None] = field(default_factory=dict)


@dataclass
class _FileRecord:
    dataset: str
    name: str
    path: str  # relative to the dataset's location
    sha256: str


class NotebookSession:
    """The recording of one notebook session into one catalogue."""

    def __init__(self, catalog: Catalog, identity: NotebookIdentity, name: str, opened_here: bool) -> None:
        self.catalog = catalog
        self.identity = identity
        self._opened_here = opened_here
        parameters: dict[str, Any] = {
            "notebook.path": identity.notebook,
            "notebook.source": identity.source,
            "kernel.python": sys.executable,
            "kernel.pid": os.getpid(),
            "kernel.working_directory": os.getcwd(),
        }
        if identity.kernel_name:
            parameters["kernel.name"] = identity.kernel_name
        if identity.kernel_id:
            parameters["kernel.id"] = identity.kernel_id
        self.run: ActivityRun = catalog.activity(
            name,
            type="notebook",
            program=identity.program,
            version=identity.version,
            parameters=parameters,
            source_tree=identity.folder(),
            command_line=identity.notebook,
        )
        self._roots, self._catalogue_files = _ignored_roots(catalog.path)
        self._hashes: dict[_capture.Identity, str] = {}
        self._linked: set[tuple[str, str]] = set()
        self._generated_files: set[str] = set()
        self._generated_pids: set[str] = set()
        #: written files not registered: path to its checksum when the cell ended
        self.unregistered: dict[str, str] = {}
        self._queue: queue.Queue[_Cell | None] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._cell_started: tuple[str, float] | None = None
        # Set while no cell runs. The worker hashes and writes only then: on the cell's thread
        # or not, its Python code would take the GIL from the running cell.
        self._idle = threading.Event()
        self._idle.set()
        self._stopping = False
        self.problems: list[str] = []
        self._problems_shown = 0
        self.cells = 0

    # --- start and stop ---------------------------------------------------------------------

    def start(self) -> None:
        self.run.__enter__()
        self._worker = threading.Thread(target=self._work, name="datatrail-notebook", daemon=True)
        self._worker.start()
        _capture.begin()

    def stop(self, failed: BaseException | None = None) -> None:
        """Flush the pending cells, then finish the activity (succeeded, or failed with ``failed``)."""
        leftover = _capture.end()
        if leftover.files:
            self._queue.put(_Cell(0, "", _utc_now(), 0.0, "between cells", leftover.files, self._written_identities(leftover.files)))
        self._stopping = True
        self.flush()
        self._queue.put(None)
        if self._worker is not None:
            self._worker.join()
        if self.unregistered:
            lines = "".join(f"  not registered: {p}" + (f" (sha256 {s[:16]}...)\n" if s else "\n") for p, s in sorted(self.unregistered.items()))
            self._append(f"written and not registered as outputs ({len(self.unregistered)}):\n{lines}")
        if failed is not None:
            self.run.__exit__(type(failed), failed, failed.__traceback__)
        else:
            self.run.__exit__(None, None, None)
        if self._opened_here:
            try:
                self.catalog.close()
            except Exception:  # noqa: BLE001 - it was recorded; closing is housekeeping
                pass

    def flush(self) -> None:
        """Wait until every cell handed over so far is in the catalogue (the worker may run
        even though a cell is running: the one that asks)."""
        self._idle.set()
        try:
            self._queue.join()
        finally:
            if self._cell_started is not None and not self._stopping:
                self._idle.clear()

    # --- cells ------------------------------------------------------------------------------

    def pre_run_cell(self) -> None:
        self._idle.clear()
        self._cell_started = (_utc_now(), time.perf_counter())
        _capture.take()  # what was opened between cells belongs to no cell: dropped

    def post_run_cell(self, number: int, code: str, error: BaseException | None) -> None:
        files = _capture.take().files
        started, t0 = self._cell_started or (_utc_now(), time.perf_counter())
        self._cell_started = None
        seconds = time.perf_counter() - t0
        if error is None:
            outcome = "ok"
        else:
            text = str(error).strip().splitlines()
            outcome = f"failed ({type(error).__name__}" + (f": {text[0]}" if text else "") + ")"
        self.cells += 1
        # Written files are stat'ed now, before a later cell can change them; hashing waits.
        self._queue.put(_Cell(number, code, started, seconds, outcome, files, self._written_identities(files)))
        self._idle.set()

    def take_problems(self) -> list[str]:
        new = self.problems[self._problems_shown :]
        self._problems_shown = len(self.problems)
        return new

    @staticmethod
    def _written_identities(files: dict[str, list[Any]]) -> dict[str, _capture.Identity | None]:
        return {p: _capture.identity(p) for p, (_, written) in files.items() if written}

    # --- the worker ---------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            cell = self._queue.get()
            if cell is not None:
                self._idle.wait()
            try:
                if cell is None:
                    return
                self._record(cell)
            except Exception as e:  # noqa: BLE001 - never into the user's cell; said after it
                self.problems.append(f"datatrail could not record cell {cell.number if cell else ''}: {e}")
            finally:
                self._queue.task_done()

    def _ignored(self, path: str) -> bool:
        if path in self._catalogue_files:
            return True
        if path.endswith((".pyc", ".pyo")) or f"{os.sep}__pycache__{os.sep}" in path:
            return True
        return path.startswith(self._roots)

    def _record(self, cell: _Cell) -> None:
        lines: list[str] = []
        used: list[tuple[int, Used]] = []
        for path in sorted(cell.files):
            self._idle.wait()
            first_read, written = cell.files[path]
            if self._ignored(path):
                continue
            if first_read is not None:
                sha = self._hash(path, first_read)
                match = self._match(path, sha)
                if match is not None and match.dataset in self._generated_pids:
                    lines.append(f"  read {path} (an output of this notebook: {match.dataset})")
                elif match is not None:
                    key = (match.dataset, match.path)
                    lines.append(f"  read {path} -> {match.dataset} ({match.name})")
                    if key not in self._linked:
                        used.append((len(lines) - 1, Used(match.dataset, match.path, "")))
                        self._linked.add(key)
                elif path not in self._generated_files and path not in self.unregistered:
                    lines.append(f"  read {path} (not in the catalogue" + (f", sha256 {sha[:16]}...)" if sha else ")"))
                else:
                    lines.append(f"  read {path} (written by this notebook)")
            if written:
                now = cell.written.get(path)
                if now is None:
                    continue  # written, then removed or never created
                sha = self._hash(path, now)
                if path in self._generated_files:
                    lines.append(f"  wrote {path} (an output of this notebook)")
                    continue
                match = self._match(path, sha)
                if match is not None:
                    lines.append(f"  wrote {path} = {match.dataset} ({match.name})")
                else:
                    self.unregistered[path] = sha
                    lines.append(f"  wrote {path} (not in the catalogue; register it with %datatrail output)")
        if used:
            try:
                self.catalog.add_inputs(self.run.pid, [u for _, u in used])
            except Error:
                # One refused link (a dataset downstream of this notebook's outputs would make a
                # cycle) must not cost the others, nor the cell's entry.
                for line, u in used:
                    try:
                        self.catalog.add_inputs(self.run.pid, [u])
                    except Error as e:
                        lines[line] += f" (not linked: {e})"
        if cell.number == 0:
            head = f"between cells, {cell.started}\n"
        else:
            head = f"In [{cell.number}]: {cell.outcome}, {cell.seconds:.3f} s, {cell.started}\n"
        code = "".join(f"    {line}\n" for line in cell.code.splitlines())
        self._append(head + code + "".join(line + "\n" for line in lines))

    def _append(self, text: str) -> None:
        self.catalog.append_log(self.run.pid, text)

    def _hash(self, path: str, ident: _capture.Identity) -> str:
        """SHA-256 of the content the identity names, memoised on it; empty when the file has
        changed since (the content that was used is gone) or cannot be read."""
        known = self._hashes.get(ident)
        if known is not None:
            return known
        try:
            sha = sha256_file(path)
        except Exception:  # noqa: BLE001 - unreadable: recorded without a checksum
            return ""
        if _capture.identity(path) != ident:
            return ""
        self._hashes[ident] = sha
        return sha

    # --- the catalogue's files ----------------------------------------------------------------

    def _match(self, path: str, sha: str) -> _FileRecord | None:
        """The dataset file this is: the one at this path whose checksum matches (or that has
        none), else one anywhere with this checksum (a copy). One indexed lookup in the
        catalogue: it reads only the files at this path or with this checksum."""
        found = self.catalog.datasets_with_file(path=path, sha256=sha or None)
        for f in found:
            if f.at_path and (not f.file.sha256 or (sha and f.file.sha256 == sha)):
                return _FileRecord(f.dataset, f.dataset_name, f.file.path, f.file.sha256)
        for f in found:
            if f.same_content:
                return _FileRecord(f.dataset, f.dataset_name, f.file.path, f.file.sha256)
        return None

    # --- outputs ------------------------------------------------------------------------------

    def output(self, paths: Iterable[str | os.PathLike[str]], name: str | None, fields: Mapping[str, Any]) -> Dataset:
        given = list(paths)
        problems: list[tuple[str, Any, str]] = []
        if not given:
            problems.append(("paths", [], "must name at least one file"))
        full: list[str] = []
        for i, p in enumerate(given):
            try:
                path = os.path.abspath(os.fspath(p))
            except TypeError:
                problems.append((f"paths[{i}]", p, "must be a path (str or os.PathLike)"))
                continue
            if not os.path.isfile(path):
                problems.append((f"paths[{i}]", os.fspath(p), "must be an existing file"))
                continue
            full.append(path)
        if problems:
            raise _invalid(problems)
        # Its reads must be links before the output is registered: outputs are derived from
        # what the activity used.
        self.flush()
        location = os.path.commonpath([os.path.dirname(p) for p in full])
        dataset_name = name or os.path.splitext(os.path.basename(full[0]))[0]
        ds = self.run.output(
            dataset_name,
            location=location,
            files=[os.path.relpath(p, location) for p in full],
            describe_files=True,
            **dict(fields),
        )
        self._generated_files.update(full)
        self._generated_pids.add(ds.pid)
        for p in full:
            self.unregistered.pop(p, None)
        return ds


def warn(message: str) -> None:
    """A one-line message to stderr, as IPython shows warnings, never an exception."""
    print(f"datatrail: {message}", file=sys.stderr)
