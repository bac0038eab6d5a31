"""ActivityRun: an activity recorded while it runs, as the context manager Catalog.activity returns."""

from __future__ import annotations

import copy
import datetime
import importlib.metadata
import os
import platform
import sys
import traceback
import warnings
from collections.abc import Iterable, Mapping
from types import FrameType, TracebackType
from typing import Any, Literal, TypeAlias, cast

from ._core import (
    Activity,
    Catalog,
    Datafile,
    Dataset,
    Environment,
    Error,
    Instrument,
    Investigation,
    Sample,
    Used,
    capture_environment,
)

__all__ = ["ActivityRun"]

#: What ``inputs=`` and :meth:`ActivityRun.input` take: a dataset (object or PID), a
#: ``(dataset, role)`` tuple or a :class:`Used`.
Input: TypeAlias = "str | Dataset | Used | tuple[str | Dataset, str]"
Time: TypeAlias = "datetime.datetime | datetime.date | str | None"
Files: TypeAlias = "Iterable[str | os.PathLike[str] | Datafile | Mapping[str, Any]]"


def _ours(frame: FrameType) -> bool:
    name = frame.f_globals.get("__name__", "")
    return isinstance(name, str) and (name == "datatrail" or name.startswith("datatrail."))


def _caller_source_tree() -> str:
    """The folder of the calling module's ``__file__`` (the first frame outside datatrail), else
    the working directory: a notebook, an interactive session and exec'd code have no file."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and _ours(frame):
        frame = frame.f_back
    if frame is not None:
        file = frame.f_globals.get("__file__")
        if isinstance(file, str) and file:
            return os.path.dirname(os.path.abspath(file))
    return os.getcwd()


def _path_state() -> tuple[tuple[str, int], ...]:
    """sys.path with each folder's modification time: installing or removing a distribution adds
    or removes entries in a folder on it, which changes that folder's time."""
    state = []
    for entry in sys.path:
        try:
            state.append((entry, os.stat(entry or ".").st_mtime_ns))
        except OSError:
            state.append((entry, -1))
    return tuple(state)


_packages_cache: tuple[tuple[tuple[str, int], ...], dict[str, str]] | None = None


def _installed_packages() -> dict[str, str]:
    """Every installed distribution, name to version; the first of a name on sys.path wins, as
    for imports. Reading every distribution's metadata takes milliseconds, so the answer is kept
    until sys.path or a folder on it changes (a ``pip install`` in a notebook does)."""
    global _packages_cache
    state = _path_state()
    if _packages_cache is not None and _packages_cache[0] == state:
        return dict(_packages_cache[1])
    packages: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"] if dist.metadata else None
        if name:
            packages.setdefault(name, dist.version)
    _packages_cache = (state, packages)
    return dict(packages)


def _fill_environment(given: Environment, source_tree: str, capture: bool = True) -> Environment:
    """``given`` with its empty fields filled in from what can be seen now: with ``capture`` the
    OS, user and git state of ``source_tree``; always the Python version and packages."""
    if not capture and given.python_version and given.packages:
        return given  # a snapshot taken before, complete: nothing to fill in, so no copy
    env = copy.copy(given)
    if capture:
        captured = capture_environment(source_tree)
        if not env.os:
            env.os = captured.os
        if not env.user:
            env.user = captured.user
        if not env.source_tree:
            env.source_tree = captured.source_tree
            env.git_commit = captured.git_commit
            env.git_dirty = captured.git_dirty
    if not env.python_version:
        env.python_version = platform.python_version()
    if not env.packages:
        env.packages = _installed_packages()
    return env


class ActivityRun:
    """An activity recorded while it runs: a context manager, usually made by
    :meth:`Catalog.activity`.

    >>> with cat.activity("merge", program="merger", version="0.3", inputs=patterns) as run:
    ...     run.log("merging 2 patterns")
    ...     merged = run.output("merged", metadata={"patterns": 2})

    Entering the ``with`` block captures the environment (:func:`capture_environment` for the
    OS, user and git state of the source tree, plus the Python version and every installed
    distribution) and records the activity as running; before that nothing is written, and
    :attr:`pid` is empty. Leaving the block normally marks the activity succeeded and its outputs
    complete. Leaving it by an exception (any :class:`BaseException`, KeyboardInterrupt too)
    appends the traceback to the log, marks the activity failed and its outputs failed (so that
    nothing it wrote looks valid), and lets the exception propagate. A run runs once: using it
    after the block raises :class:`Error`.

    :param catalog: the catalogue to record in
    :param activity: what to record; its environment fields that are empty are filled in
    :param source_tree: the folder of the code that runs, whose git commit is recorded; None for
        the folder of the calling module's ``__file__`` or, where there is none (a notebook), the
        working directory
    :param command_line: the command that runs; None keeps the activity's, or if that is empty
        records ``" ".join(sys.argv)``
    :param environment: a snapshot taken before (a workflow run's, which its tasks reuse),
        recorded instead of capturing one: capturing runs ``git status``, which costs more than
        recording the activity. Its empty Python fields are filled in. None to capture.
    """

    def __init__(
        self,
        catalog: Catalog,
        activity: Activity,
        *,
        source_tree: str | os.PathLike[str] | None = None,
        command_line: str | None = None,
        environment: Environment | None = None,
    ) -> None:
        if not isinstance(catalog, Catalog):
            raise TypeError(f"catalog must be a datatrail.Catalog, not {type(catalog).__name__}")
        if not isinstance(activity, Activity):
            raise TypeError(f"activity must be a datatrail.Activity, not {type(activity).__name__}")
        if environment is not None and not isinstance(environment, Environment):
            raise TypeError(f"environment must be a datatrail.Environment or None, not {type(environment).__name__}")
        self._given_environment = copy.copy(environment) if environment is not None else None
        self._catalog = catalog
        self._activity = copy.copy(activity)
        # Resolved now, while the caller's frame is at hand; the git state is read on entering.
        self._source_tree = os.fspath(source_tree) if source_tree is not None else _caller_source_tree()
        self._command_line = command_line
        self._pid = ""
        self._state = "new"  # then "running", then "finished"
        self._snapshot: Environment | None = None

    # --- the with block ----------------------------------------------------------------------

    def __enter__(self) -> ActivityRun:
        """Capture the environment and record the activity as running.

        :raises Error: when the run was entered before
        :raises ValidationError: when the activity breaks a rule or refers to a PID the catalogue
            does not hold; nothing is written
        """
        if self._state != "new":
            raise Error(f"{self._describe()} was started before: an ActivityRun runs once, make a new one")
        activity = copy.copy(self._activity)
        activity.environment = self._environment(
            self._given_environment if self._given_environment is not None else activity.environment,
            capture=self._given_environment is None,
        )
        self._snapshot = activity.environment
        if self._command_line is not None:
            activity.command_line = self._command_line
        elif not activity.command_line:
            activity.command_line = " ".join(sys.argv)
        activity.status = "running"
        self._pid = self._catalog.start_activity(activity).pid
        self._state = "running"
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        tb: TracebackType | None,
    ) -> Literal[False]:
        """Finish the activity: succeeded, or failed when an exception leaves the block (its
        traceback goes to the log). Never swallows the exception."""
        if self._state != "running":
            return False
        # Over whatever happens below: a run is finished once.
        self._state = "finished"
        if exc_value is None:
            self._catalog.finish_activity(self._pid, "succeeded")
            return False
        try:
            text = "".join(traceback.format_exception(exc_type, exc_value, tb))
            self._catalog.append_log(self._pid, text if text.endswith("\n") else text + "\n")
            self._catalog.finish_activity(self._pid, "failed")
        except Exception as e:  # noqa: BLE001 - the caller's exception matters more than ours
            warnings.warn(
                f"datatrail could not record the failure of activity {self._pid}: {e!r}",
                RuntimeWarning,
                stacklevel=2,
            )
        return False

    # --- while it runs ------------------------------------------------------------------------

    @property
    def pid(self) -> str:
        """The activity's PID; empty until the ``with`` block is entered."""
        return self._pid

    @property
    def name(self) -> str:
        """The activity's name."""
        return self._activity.name

    @property
    def environment(self) -> Environment:
        """The environment snapshot recorded on entering the block (a copy), for runs inside this
        one to reuse (:func:`datatrail.workflow` gives it to its tasks).

        :raises Error: before the ``with`` block is entered
        """
        if self._snapshot is None:
            raise Error(f"{self._describe()} has not started: use it in a `with` block")
        return copy.copy(self._snapshot)

    @property
    def running(self) -> bool:
        """Whether the ``with`` block has been entered and not yet left."""
        return self._state == "running"

    @property
    def finished(self) -> bool:
        """Whether the ``with`` block has been left."""
        return self._state == "finished"

    @property
    def catalog(self) -> Catalog:
        """The catalogue the run records in."""
        return self._catalog

    @property
    def activity(self) -> Activity:
        """The activity as the catalogue holds it now (read afresh on every access).

        :raises Error: before the ``with`` block is entered
        """
        if not self._pid:
            raise Error(f"{self._describe()} has not started: use it in a `with` block")
        return self._catalog.get_activity(self._pid)

    def log(self, text: str) -> None:
        """Append a line to the activity's log (a newline is added).

        :raises Error: when the run is not running
        """
        self._require_running()
        self._catalog.append_log(self._pid, text + "\n" if isinstance(text, str) else text)

    def input(
        self,
        dataset: Input,
        role: str | None = None,
        *,
        file: str | os.PathLike[str] | None = None,
    ) -> None:
        """Record one more input. Outputs the run has already registered become derived from it.

        >>> run.input(flat_field, "flat")
        >>> run.input(scan, file="scan_001_master.h5")

        :param dataset: a :class:`Dataset` or PID; or, without ``role`` and ``file``, anything
            ``inputs=`` takes (a ``(dataset, role)`` tuple, a :class:`Used`)
        :param role: the role it plays, e.g. ``"dark"``
        :param file: the path of the one file of it that was used
        :raises Error: when the run is not running
        :raises ValidationError: when the dataset (or file) is not in the catalogue, or the link
            would make a cycle; nothing is written
        """
        self._require_running()
        item: Input = dataset
        if role is not None or file is not None:
            if not isinstance(dataset, (str, Dataset)):
                raise TypeError("role= and file= go with a Dataset or a PID, not with a Used or a tuple")
            item = Used(dataset, file if file is not None else "", role if role is not None else "")
        self._catalog.add_inputs(self._pid, [item])

    def output(
        self,
        name: str,
        *,
        kind: str | None = None,
        role: str = "",
        description: str = "",
        investigation: Investigation | str | None = None,
        instrument: Instrument | str | None = None,
        sample: Sample | str | None = None,
        techniques: Iterable[str] = (),
        keywords: Iterable[str] = (),
        start_time: Time = None,
        end_time: Time = None,
        location: str | os.PathLike[str] = "",
        schema: str = "",
        metadata: Mapping[str, Any] | None = None,
        files: Files = (),
        created_by: str = "",
        pid: str | None = None,
        describe_files: bool = False,
    ) -> Dataset:
        """Register a dataset generated by this run, derived from everything it used. It stays
        ``"acquiring"`` until the run ends, then becomes ``"complete"`` (or ``"failed"``).

        The keywords are those of :meth:`Catalog.register_dataset`, less ``state``, plus
        ``role``.

        :param name: the dataset's name
        :param kind: ``"processed"``, or for an ``"acquisition"`` activity ``"raw"``, when None
        :param role: the role of the generation, e.g. ``"result"``
        :returns: the dataset as stored, with its PID
        :raises Error: when the run is not running
        :raises ValidationError: when a field breaks a rule, naming it ``dataset.<field>``; nothing is
            written
        """
        fields: dict[str, Any] = {
            "name": name,
            "kind": kind if kind is not None else self._default_kind(),
            "description": description,
            "investigation": investigation,
            "instrument": instrument,
            "sample": sample,
            "techniques": techniques,
            "keywords": keywords,
            "start_time": start_time,
            "end_time": end_time,
            "location": location,
            "schema": schema,
            "metadata": metadata,
            "files": files,
            "created_by": created_by,
            "pid": pid,
        }
        return self.outputs([fields], role=role, describe_files=describe_files)[0]

    def outputs(
        self,
        datasets: Iterable[Dataset | Mapping[str, Any]],
        *,
        role: str = "",
        describe_files: bool = False,
    ) -> list[Dataset]:
        """Register several datasets generated by this run, in one transaction.

        Each is a :class:`Dataset` or a dict of :meth:`Catalog.register_dataset`'s keywords. All
        are registered ``"acquiring"`` until the run ends. A dict's ``kind`` defaults as in
        :meth:`output`; a Dataset object takes the run's kind (``"raw"`` for an acquisition,
        else ``"processed"``), as C++'s ``ActivityRun::output`` does.

        :param role: the role of the generation
        :param describe_files: as for :meth:`Catalog.register_dataset`
        :returns: the datasets as stored, in order
        :raises Error: when the run is not running
        :raises ValidationError: naming every broken rule as ``datasets[i].<field>``
            (``dataset.<field>`` when there is one); nothing is written
        """
        self._require_running()
        items: list[Any] = []
        # Any: whatever the annotation says, callers may pass anything; add_outputs names it.
        for item in cast(Iterable[Any], datasets):
            if isinstance(item, Dataset):
                ds = copy.copy(item)
                ds.kind = self._default_kind()
                ds.state = "acquiring"
                items.append(ds)
            elif isinstance(item, Mapping):
                fields = dict(item)
                fields.setdefault("kind", self._default_kind())
                fields["state"] = "acquiring"
                items.append(fields)
            else:
                items.append(item)  # refused, with its index, by add_outputs
        return self._catalog.add_outputs(self._pid, items, role=role, describe_files=describe_files)

    def __repr__(self) -> str:
        state = {"new": "not started", "running": "running", "finished": "finished"}[self._state]
        return f"ActivityRun(name={self._activity.name!r}, pid={self._pid!r}, {state})"

    # --- helpers ------------------------------------------------------------------------------

    def _describe(self) -> str:
        return f"activity run {self._activity.name!r}" + (f" ({self._pid})" if self._pid else "")

    def _require_running(self) -> None:
        if self._state == "new":
            raise Error(f"{self._describe()} has not started: use it in a `with` block")
        if self._state == "finished":
            raise Error(f"{self._describe()} is finished: record more in a new run")

    def _default_kind(self) -> str:
        return "raw" if self._activity.type == "acquisition" else "processed"

    def _environment(self, given: Environment, capture: bool = True) -> Environment:
        """``given`` with its empty fields filled in from what can be seen now; without
        ``capture`` only the Python ones (the rest is a snapshot taken before)."""
        return _fill_environment(given, self._source_tree, capture)
