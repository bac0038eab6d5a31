"""Workflow tasks that record themselves and skip work already done.

>>> with dt.workflow(cat, "reduce_ma1234") as wf:
...     pattern = integrate(raw, npt=1000)      # a @dt.task: runs and records
...     pattern = integrate(raw, npt=1000)      # the same call again: a cache hit, not run

A workflow run is an activity of type ``workflow``; every task called inside its ``with`` block
(found through a context variable, so threads and asyncio tasks started inside it see it too)
is recorded as a ``processing`` activity whose parent is the workflow run, with its inputs,
parameters and outputs. The environment snapshot (OS, user, git state, Python packages) is taken
once, when the workflow starts, and reused by its tasks while their source tree is unchanged.

The cache lives in the catalogue: each task activity carries its cache key among its parameters
(``task.cache_key``) and each output carries it as metadata, so that a metadata query finds the
earlier outputs through the index, from any process and on either engine, and a merged catalogue
brings its cache along. See docs/workflow.md.
"""

from __future__ import annotations

import contextvars
import copy
import datetime
import functools
import inspect
import json
import os
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Generic, Literal, ParamSpec, cast

from ._activity import ActivityRun, _caller_source_tree, _fill_environment
from ._cache_key import Uncacheable, digest, encode, file_digest, tree_digest
from ._core import (
    Activity,
    Catalog,
    Dataset,
    Environment,
    NotFound,
    ValidationError,
    Violation,
    capture_environment,
    is_valid_metadata_key,
    is_valid_pid,
    new_pid,
)

__all__ = [
    "CacheWarning",
    "Explanation",
    "Task",
    "TaskResult",
    "TaskRun",
    "Workflow",
    "current_task",
    "current_workflow",
    "explain",
    "task",
    "task_run",
    "workflow",
]

P = ParamSpec("P")

#: Parameter and metadata keys the tasks write; a task's own parameters may not use ``task.``.
KEY = "task.cache_key"
PARTS = "task.key_parts"
HIT = "task.cache_hit"
ACTIVITY = "task.activity"
DESCRIBED = "task.described"
RESERVED = "task"

_workflow: contextvars.ContextVar[Workflow | None] = contextvars.ContextVar("datatrail_workflow", default=None)
_task: contextvars.ContextVar[TaskRun | None] = contextvars.ContextVar("datatrail_task", default=None)


class CacheWarning(UserWarning):
    """A task call could not be cached (an input without a canonical encoding): it runs, and is
    recorded, as if caching were off."""


def _invalid(violations: list[tuple[str, Any, str]]) -> ValidationError:
    """A ValidationError like the library's own: every violation, each naming field, value, rule."""
    text = "; ".join(f"{f} = {v!r}: {r}" for f, v, r in violations)
    error = ValidationError(f"invalid {text}")
    error._violations = [Violation(f, repr(v) if not isinstance(v, str) else v, r) for f, v, r in violations]  # type: ignore[attr-defined]
    return error


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


# --- the environment snapshot -------------------------------------------------------------------


_git_dirs: dict[str, str | None] = {}


def _git_dir(tree: str) -> str | None:
    """The git directory of the work tree that holds ``tree`` (a worktree's .git is a file
    naming it), found without running git; remembered per folder, as a task checks it on every
    call and a folder seldom moves into or out of a work tree while a program runs."""
    known = _git_dirs.get(tree, False)
    if known is not False:
        return cast("str | None", known)
    found = _find_git_dir(tree)
    _git_dirs[tree] = found
    return found


def _find_git_dir(tree: str) -> str | None:
    folder = os.path.abspath(tree)
    while True:
        dot_git = os.path.join(folder, ".git")
        if os.path.isdir(dot_git):
            return dot_git
        if os.path.isfile(dot_git):
            try:
                with open(dot_git, encoding="utf-8") as f:
                    line = f.readline().strip()
            except OSError:
                return None
            if line.startswith("gitdir:"):
                return os.path.normpath(os.path.join(folder, line[7:].strip()))
            return None
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _mtime(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return -1


_git_files: dict[str, tuple[tuple[int, int], str, str]] = {}


def _git_state(git_dir: str) -> tuple[str, str, int]:
    """The content of HEAD, the common git directory (a linked worktree's commondir) and HEAD's
    time, read again only when HEAD's size or time changed: a task checks them on every call."""
    try:
        st = os.stat(os.path.join(git_dir, "HEAD"))
        identity = (st.st_mtime_ns, st.st_size)
    except OSError:
        identity = (-1, -1)
    known = _git_files.get(git_dir)
    if known is not None and known[0] == identity:
        return known[1], known[2], identity[0]
    common = git_dir
    try:
        with open(os.path.join(git_dir, "commondir"), encoding="utf-8") as f:
            common = os.path.normpath(os.path.join(git_dir, f.read().strip()))
    except OSError:
        pass
    try:
        with open(os.path.join(git_dir, "HEAD"), encoding="utf-8") as f:
            head = f.read().strip()
    except OSError:
        head = ""
    _git_files[git_dir] = (identity, head, common)
    return head, common, identity[0]


def _git_stamp(tree: str) -> tuple[Any, ...]:
    """What changes when a commit is made or a branch switched: the times of HEAD, the branch's
    ref and packed-refs. A handful of stat calls, against the fork and exec of ``git status``.
    Not the index: ``git status`` itself rewrites it while its entries are racily clean, and
    staging changes nothing that the snapshot records."""
    git_dir = _git_dir(tree)
    if git_dir is None:
        return ()
    # HEAD's time as _git_state saw it: one stat of it per call, not two.
    head, common, head_mtime = _git_state(git_dir)
    stamp: list[Any] = [git_dir, head_mtime]
    if head.startswith("ref:"):
        ref = head[4:].strip()
        stamp += [head, _mtime(os.path.join(git_dir, ref)), _mtime(os.path.join(common, ref))]
    stamp.append(_mtime(os.path.join(common, "packed-refs")))
    return tuple(stamp)


@dataclass
class _Snapshot:
    environment: Environment
    stamp: tuple[Any, ...]
    taken_ns: int


class _Snapshots:
    """Environment snapshots per source tree, reused while the tree's git state and the task's
    own source file are unchanged since the snapshot was taken."""

    def __init__(self) -> None:
        self._by_tree: dict[str, _Snapshot] = {}

    def seed(self, tree: str, environment: Environment, taken_ns: int) -> None:
        self._by_tree[tree] = _Snapshot(copy.copy(environment), _git_stamp(tree), taken_ns)

    def get(self, tree: str, source_file: str | None, base: Environment | None, *, shared: bool = False) -> Environment:
        """The snapshot for ``tree``; with ``shared`` the one held here, for a caller that only
        reads it (an Activity takes a copy of what it is given), else a copy."""
        known = self._by_tree.get(tree)
        if known is not None and known.stamp == _git_stamp(tree):
            # A source file saved after the snapshot may have made the tree dirty.
            if source_file is None or _mtime(source_file) <= known.taken_ns:
                return known.environment if shared else copy.copy(known.environment)
        taken_ns = _now_ns()
        env = copy.copy(base) if base is not None else Environment()
        captured = capture_environment(tree)
        env.os, env.user = captured.os, captured.user
        env.source_tree, env.git_commit, env.git_dirty = captured.source_tree, captured.git_commit, captured.git_dirty
        self._by_tree[tree] = _Snapshot(copy.copy(env), _git_stamp(tree), taken_ns)
        return env


def _now_ns() -> int:
    return time.time_ns()


# --- workflow runs ------------------------------------------------------------------------------


class Workflow:
    """A workflow run: an activity of type ``workflow`` that holds the tasks called inside its
    ``with`` block. Made by :func:`workflow`.

    :param catalog: the catalogue its tasks record in
    :param name: the workflow's name, e.g. ``"reduce_ma1234"``
    :param rerun: run every task even when the cache holds its outputs (the runs are recorded
        as usual, and later calls may hit their outputs)
    """

    def __init__(
        self,
        catalog: Catalog,
        name: str,
        *,
        program: str = "",
        version: str = "",
        parameters: Mapping[str, Any] | None = None,
        agents: Iterable[Any] = (),
        source_tree: str | os.PathLike[str] | None = None,
        rerun: bool = False,
    ) -> None:
        problems: list[tuple[str, Any, str]] = []
        # Any: callers may pass anything, whatever the annotations say.
        if not isinstance(cast(Any, catalog), Catalog):
            problems.append(("workflow.catalog", catalog, "must be a datatrail.Catalog"))
        if not isinstance(name, str) or not name.strip():
            problems.append(("workflow.name", name, "must be a non-empty str"))
        if not isinstance(cast(Any, rerun), bool):
            problems.append(("workflow.rerun", rerun, "must be a bool"))
        if problems:
            raise _invalid(problems)
        tree = os.fspath(source_tree) if source_tree is not None else _caller_source_tree()
        self._catalog = catalog
        self._tree = tree
        self._rerun = rerun
        self._run = catalog.activity(
            name, type="workflow", program=program, version=version, parameters=parameters, agents=agents, source_tree=tree
        )
        self._snapshots = _Snapshots()
        self._trees: dict[str, str] = {}  # a task's source file -> the tree whose snapshot it uses
        self._environment = Environment()
        self._token: contextvars.Token[Workflow | None] | None = None

    def __enter__(self) -> Workflow:
        taken_ns = _now_ns()
        self._run.__enter__()
        self._environment = self._run.environment
        self._snapshots.seed(self._tree, self._environment, taken_ns)
        self._token = _workflow.set(self)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> Literal[False]:
        if self._token is not None:
            _workflow.reset(self._token)
            self._token = None
        return self._run.__exit__(exc_type, exc, tb)

    @property
    def pid(self) -> str:
        """The workflow run's activity PID; empty until the ``with`` block is entered."""
        return self._run.pid

    @property
    def catalog(self) -> Catalog:
        return self._catalog

    @property
    def rerun(self) -> bool:
        return self._rerun

    @property
    def run(self) -> ActivityRun:
        """The workflow run's :class:`ActivityRun` (to log, or to record outputs of its own)."""
        return self._run

    def environment_for(self, source_file: str | None, *, shared: bool = False) -> Environment:
        """The environment snapshot for a task whose code is in ``source_file``: the workflow's,
        reused while that file's git work tree has the same HEAD, index and refs and the file
        was not saved after the snapshot; otherwise taken afresh (and reused from then on). With
        ``shared``, the snapshot itself rather than a copy, for a caller that does not change it."""
        tree = self._trees.get(source_file) if source_file else self._tree
        if tree is None:
            assert source_file is not None
            tree = os.path.dirname(os.path.abspath(source_file))
            if _git_dir(tree) == _git_dir(self._tree):
                tree = self._tree
            self._trees[source_file] = tree
        return self._snapshots.get(tree, source_file, self._environment, shared=shared)

    def __repr__(self) -> str:
        return f"Workflow(name={self._run.name!r}, pid={self.pid!r})"


def workflow(catalog: Catalog, name: str, **options: Any) -> Workflow:
    """Open a workflow run: ``with dt.workflow(cat, "reduce") as wf: ...``. Tasks called inside the
    block record under it. The keywords are :class:`Workflow`'s."""
    return Workflow(catalog, name, **options)


def current_workflow() -> Workflow | None:
    """The workflow run whose ``with`` block is running here, or None."""
    return _workflow.get()


def current_task() -> TaskRun | None:
    """The task running here (inside a :func:`task` function or a :func:`task_run` block), or None."""
    return _task.get()


# --- inputs, parameters, the key ----------------------------------------------------------------


@dataclass
class _Input:
    name: str
    dataset: str = ""  # PID
    path: str = ""
    digest: str = ""


@dataclass
class _Key:
    """The key of one call and its parts, as stored in the activity's ``task.key_parts``."""

    value: str | None
    parts: dict[str, Any]
    uncacheable: str = ""


def _dataset_digest(ds: Dataset) -> str:
    files = ds.files
    if files and all(f.sha256 for f in files):
        return digest(encode(("dataset-files", sorted((f.path, f.sha256) for f in files))))
    # Without checksums the content is unknown: the dataset itself is the identity.
    return digest(encode(("dataset", ds.pid)))


def _resolve_inputs(catalog: Catalog, inputs: Any, problems: list[tuple[str, Any, str]]) -> list[_Input]:
    rule = "must be a Dataset, a dataset PID, an existing file or folder, or a list of those"
    if inputs is None:
        return []
    named: list[tuple[str, Any]]
    if isinstance(inputs, Mapping):
        named = []
        for k, v in inputs.items():
            if not isinstance(k, str) or not k:
                problems.append((f"inputs[{k!r}]", k, "input names must be non-empty str"))
                continue
            named.append((k, v))
    elif isinstance(inputs, (str, os.PathLike, Dataset)):
        named = [("0", inputs)]
    elif isinstance(inputs, Iterable):
        named = [(str(i), v) for i, v in enumerate(inputs)]
    else:
        problems.append(("inputs", inputs, "must be a mapping of names to inputs, or an iterable of inputs"))
        return []
    out: list[_Input] = []
    for name, value in named:
        items = value if isinstance(value, (list, tuple)) else [value]
        for j, item in enumerate(items):
            where = f"inputs.{name}" if item is value else f"inputs.{name}[{j}]"
            label = name if item is value else f"{name}[{j}]"
            resolved = _resolve_input(catalog, label, item, where, rule, problems)
            if resolved is not None:
                out.append(resolved)
    return out


def _resolve_input(
    catalog: Catalog, label: str, item: Any, where: str, rule: str, problems: list[tuple[str, Any, str]]
) -> _Input | None:
    if isinstance(item, Dataset) or (isinstance(item, str) and is_valid_pid(item)):
        pid = item.pid if isinstance(item, Dataset) else item
        try:
            ds = catalog.dataset(pid)
        except NotFound:
            problems.append((where, pid, "must be a dataset in the catalogue"))
            return None
        return _Input(label, dataset=ds.pid, digest=_dataset_digest(ds))
    if isinstance(item, (str, os.PathLike)):
        path = os.path.abspath(os.fspath(item))
        if not os.path.exists(path):
            problems.append((where, os.fspath(item), "must be an existing file or folder"))
            return None
        try:
            content = tree_digest(path)
        except OSError as e:
            problems.append((where, os.fspath(item), f"must be readable ({e.strerror or e})"))
            return None
        return _Input(label, path=path, digest=digest(encode(("file", content))))
    problems.append((where, item, rule))
    return None


def _check_parameters(parameters: Any, problems: list[tuple[str, Any, str]]) -> dict[str, Any]:
    if parameters is None:
        return {}
    if not isinstance(parameters, Mapping):
        problems.append(("parameters", parameters, "must be a mapping of names to values"))
        return {}
    out: dict[str, Any] = {}
    for k, v in parameters.items():
        if not isinstance(k, str) or not is_valid_metadata_key(k):
            problems.append((f"parameters[{k!r}]", k, "names must be valid metadata keys (letters, digits, _ and dots)"))
        elif k == RESERVED or k.startswith(RESERVED + "."):
            problems.append((f"parameters.{k}", k, "names under 'task.' are reserved for the task's cache key"))
        else:
            out[k] = v
    return out


def _make_key(task_name: str, program: str, version: str, parameters: Mapping[str, Any], inputs: Sequence[_Input]) -> _Key:
    params: dict[str, str] = {}
    uncacheable = ""
    for name, value in parameters.items():
        try:
            params[name] = digest(encode(value, f"parameters.{name}"))
        except Uncacheable as e:
            uncacheable = uncacheable or str(e)
            params[name] = ""
    parts: dict[str, Any] = {
        "task": task_name,
        "program": program,
        "version": version,
        "parameters": params,
        "inputs": {i.name: {"dataset": i.dataset, "path": i.path, "digest": i.digest} for i in inputs},
    }
    if uncacheable:
        return _Key(None, parts, uncacheable)
    # Names in the key, values as digests: the input's identity (PID or path) is not part of it,
    # its content is. The task's name is: the tasks of a package often share its program and
    # version, and two of them given the same arguments must not take each other's outputs.
    key = digest(encode(("task", task_name, program, version, params, {i.name: i.digest for i in inputs})))
    return _Key(key, parts)


def _recordable(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters as the activity records them: typed where the catalogue takes the value,
    else a short description (the cache key holds the exact value either way)."""
    try:
        Activity(name="check", parameters=dict(parameters))
        return dict(parameters)
    except Exception:  # noqa: BLE001 - fall back one parameter at a time below
        pass
    out: dict[str, Any] = {}
    for k, v in parameters.items():
        try:
            Activity(name="check", parameters={k: v})
            out[k] = v
        except Exception:  # noqa: BLE001
            # Under a key of its own: a key's values are of one class across the catalogue.
            if hasattr(v, "shape") and hasattr(v, "dtype"):
                out[f"{DESCRIBED}.{k}"] = f"array shape={tuple(v.shape)} dtype={v.dtype}"
            else:
                text = repr(v)
                out[f"{DESCRIBED}.{k}"] = text if len(text) <= 200 else text[:197] + "..."
    return out


# --- finding earlier outputs --------------------------------------------------------------------


@dataclass
class _Hit:
    activity: Activity
    outputs: list[Dataset]


def _output_problems(catalog: Catalog, activity: Activity) -> tuple[list[Dataset], list[str]]:
    """The earlier activity's outputs, and what is wrong with them: gone, not complete, a file
    missing or changed."""
    outputs: list[Dataset] = []
    problems: list[str] = []
    for pid in activity.generated:
        try:
            ds = catalog.dataset(pid)
        except NotFound:
            problems.append(f"output {pid} is no longer in the catalogue")
            continue
        outputs.append(ds)
        if ds.state != "complete":
            problems.append(f"output {ds.name} ({pid}) is {ds.state}")
        for f in ds.files:
            path = os.path.join(ds.location, f.path) if ds.location else f.path
            try:
                now = file_digest(path)
            except OSError:
                problems.append(f"output {ds.name}: file {path} is missing")
                continue
            if f.sha256 and now != f.sha256:
                problems.append(f"output {ds.name}: file {path} changed since it was recorded (checksum differs)")
    return outputs, problems


def _candidates(catalog: Catalog, key: str) -> list[str]:
    """PIDs of earlier task activities with this key and at least one output, newest first."""
    found = catalog.find_datasets(where=f'{KEY} == "{key}"')
    pids = {str(ds.metadata.get(ACTIVITY, "")) for ds in found}
    pids.discard("")
    # PIDs are ULIDs: they sort by time.
    return sorted(pids, key=lambda p: p.rsplit("/", 1)[-1], reverse=True)


def _find_hit(catalog: Catalog, key: str) -> tuple[_Hit | None, list[str]]:
    rejected: list[str] = []
    for pid in _candidates(catalog, key):
        try:
            activity = catalog.get_activity(pid)
        except NotFound:
            continue
        if activity.status != "succeeded" or activity.parameters.get(KEY) != key:
            continue
        outputs, problems = _output_problems(catalog, activity)
        if problems:
            rejected.extend(f"{pid}: {p}" for p in problems)
            continue
        return _Hit(activity, outputs), rejected
    return None, rejected


# --- results, explanations ----------------------------------------------------------------------


@dataclass
class TaskResult:
    """What a task call returns: its outputs as the catalogue holds them, and how they came."""

    outputs: list[Dataset]
    activity: str  #: PID of the activity that recorded this call
    cache_hit: bool = False
    cached_from: str = ""  #: on a hit, PID of the earlier activity that made the outputs
    key: str | None = None  #: the cache key; None when the call could not be cached

    def __iter__(self) -> Iterator[Dataset]:
        return iter(self.outputs)

    def __len__(self) -> int:
        return len(self.outputs)

    def __getitem__(self, index: int | str) -> Dataset:
        """An output by position, or by name."""
        if isinstance(index, str):
            for ds in self.outputs:
                if ds.name == index:
                    return ds
            raise KeyError(f"no output named {index!r}; outputs: {[d.name for d in self.outputs]}")
        return self.outputs[index]


@dataclass
class Explanation:
    """Why a call would hit or miss the cache (:func:`explain`, ``Task.explain``)."""

    hit: bool
    key: str | None
    reasons: list[str] = field(default_factory=list)
    earlier: str = ""  #: the earlier activity compared with (or hit)

    def __str__(self) -> str:
        head = "cache hit" if self.hit else "cache miss"
        if self.earlier:
            head += f" (against {self.earlier})"
        return head + "".join(f"\n- {r}" for r in self.reasons)


def _diff(parts: Mapping[str, Any], earlier: Mapping[str, Any]) -> list[str]:
    reasons: list[str] = []
    for what in ("program", "version"):
        if parts.get(what) != earlier.get(what):
            reasons.append(f"{what} changed: {earlier.get(what)!r} -> {parts.get(what)!r}")
    new_p, old_p = parts.get("parameters", {}), earlier.get("parameters", {})
    for name in sorted(set(new_p) | set(old_p)):
        if name not in old_p:
            reasons.append(f"parameter {name} is new")
        elif name not in new_p:
            reasons.append(f"parameter {name} was dropped")
        elif new_p[name] != old_p[name]:
            reasons.append(f"parameter {name} changed")
    new_i, old_i = parts.get("inputs", {}), earlier.get("inputs", {})
    for name in sorted(set(new_i) | set(old_i)):
        if name not in old_i:
            reasons.append(f"input {name} is new")
        elif name not in new_i:
            reasons.append(f"input {name} was dropped")
        elif new_i[name]["digest"] != old_i[name]["digest"]:
            was = old_i[name]["dataset"] or old_i[name]["path"]
            now = new_i[name]["dataset"] or new_i[name]["path"]
            reasons.append(f"input {name} changed content ({was} -> {now})" if was != now else f"input {name} ({now}) changed content")
    return reasons


def _explain(catalog: Catalog, name: str, key: _Key) -> Explanation:
    if key.value is None:
        return Explanation(False, None, [f"not cacheable: {key.uncacheable}"])
    hit, rejected = _find_hit(catalog, key.value)
    if hit is not None:
        return Explanation(True, key.value, [], hit.activity.pid)
    if rejected:
        return Explanation(False, key.value, [f"same key, but {r}" for r in rejected])
    # No run with this key: compare with the earlier run of the same task that differs least
    # (the newest of those), so that the reasons name what changed rather than every difference.
    best: Explanation | None = None
    for activity in reversed(catalog.find_activities(name=_glob_literal(name), status="succeeded")):
        if activity.parameters.get(HIT) or PARTS not in activity.parameters:
            continue
        earlier = json.loads(str(activity.parameters[PARTS]))
        reasons = _diff(key.parts, earlier) or ["the key differs, though no part of it that is recorded does"]
        if best is None or len(reasons) < len(best.reasons):
            best = Explanation(False, key.value, reasons, activity.pid)
    return best or Explanation(False, key.value, [f"no earlier run of task {name!r} in the catalogue"])


def _glob_literal(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


# --- one task call ------------------------------------------------------------------------------


class TaskRun:
    """One task call, as a context manager: the equivalent of a :func:`task` function for code
    that is not one.

    >>> with dt.task_run("fit", program="fitter", version="1.2", inputs={"pattern": pattern},
    ...                  parameters={"model": "gauss"}) as t:
    ...     if not t.cache_hit:
    ...         t.output("fit_result", location=out, files=["fit.npy"])
    >>> t.outputs

    Entering checks the arguments (a :class:`ValidationError` naming each bad one, and nothing
    written), computes the cache key and looks for earlier outputs. On a hit the call is recorded
    at once as a cache hit (informed by the earlier activity), :attr:`cache_hit` is true and
    :attr:`outputs` holds the earlier outputs: the block should skip its work. On a miss the
    activity is recorded as running, the block registers outputs with :meth:`output`, and leaving
    it marks the activity succeeded (or failed, with the traceback, on an exception).
    """

    def __init__(
        self,
        name: str,
        *,
        program: str,
        version: str,
        inputs: Mapping[str, Any] | Iterable[Any] | None = None,
        parameters: Mapping[str, Any] | None = None,
        workflow: Workflow | None = None,
        catalog: Catalog | None = None,
        rerun: bool = False,
        role: str = "",
        source_file: str | None = None,
    ) -> None:
        self._name = name
        self._program = program
        self._version = version
        self._inputs_arg = inputs
        self._parameters_arg = parameters
        self._workflow = workflow if workflow is not None else _workflow.get()
        self._catalog_arg = catalog
        self._rerun_arg = rerun
        self._role = role
        if source_file is None:
            frame = sys._getframe(1)
            source_file = frame.f_code.co_filename
        self._source_file = source_file if source_file and os.path.isfile(source_file) else None
        self._start = _now()
        self._state = "new"
        self._key: _Key | None = None
        self._inputs: list[_Input] = []
        self._parameters: dict[str, Any] = {}
        self._run: ActivityRun | None = None
        self._outputs: list[Dataset] = []
        self._hit: _Hit | None = None
        self._pid = ""
        self._token: contextvars.Token[TaskRun | None] | None = None

    # --- checks and the key, shared with explain ------------------------------------------------

    def _prepare(self) -> Catalog:
        problems: list[tuple[str, Any, str]] = []
        catalog: Any = self._catalog_arg if self._catalog_arg is not None else (
            self._workflow.catalog if self._workflow is not None else None)
        if catalog is None:
            problems.append(("task.catalog", None, "a task runs inside `with dt.workflow(cat, ...)` or is given catalog="))
        elif not isinstance(catalog, Catalog):
            problems.append(("task.catalog", catalog, "must be a datatrail.Catalog"))
        if self._workflow is not None and not self._workflow.pid:
            problems.append(("task.workflow", self._workflow, "must be a started workflow run (entered with `with`)"))
        for what, value in (("name", self._name), ("program", self._program), ("version", self._version)):
            if not isinstance(value, str) or not value.strip():
                problems.append((f"task.{what}", value, "must be a non-empty str"))
        if not isinstance(cast(Any, self._rerun_arg), bool):
            problems.append(("task.rerun", self._rerun_arg, "must be a bool"))
        self._parameters = _check_parameters(self._parameters_arg, problems)
        if isinstance(catalog, Catalog):
            self._inputs = _resolve_inputs(catalog, self._inputs_arg, problems)
        if problems:
            raise _invalid(problems)
        assert isinstance(catalog, Catalog)
        self._key = _make_key(self._name, self._program, self._version, self._parameters, self._inputs)
        return catalog

    def explain(self) -> Explanation:
        """Why this call would hit or miss the cache, without running or recording anything."""
        catalog = self._prepare()
        assert self._key is not None
        return _explain(catalog, self._name, self._key)

    # --- the with block -------------------------------------------------------------------------

    def __enter__(self) -> TaskRun:
        if self._state != "new":
            raise _invalid([("task", self._name, "a TaskRun runs once: make a new one")])
        catalog = self._prepare()
        key = self._key
        assert key is not None
        if key.value is None:
            warnings.warn(f"task {self._name!r} is not cached for this call: {key.uncacheable}", CacheWarning, stacklevel=2)
        rerun = self._rerun_arg or (self._workflow is not None and self._workflow.rerun)
        if key.value is not None and not rerun:
            hit, _ = _find_hit(catalog, key.value)
            if hit is not None:
                self._record_hit(catalog, hit)
                self._state = "running"
                self._token = _task.set(self)
                return self
        self._start_miss(catalog)
        self._token = _task.set(self)
        return self

    def _start_miss(self, catalog: Catalog) -> None:
        self._run = ActivityRun(catalog, self._activity(), source_tree=self._tree(), command_line=" ".join(sys.argv),
                                environment=self._environment())
        self._run.__enter__()
        self._pid = self._run.pid
        self._state = "running"

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> Literal[False]:
        if self._token is not None:
            _task.reset(self._token)
            self._token = None
        if self._state != "running":
            return False
        self._state = "finished"
        if self._run is not None:
            return self._run.__exit__(exc_type, exc, tb)
        if exc is not None and self._pid:
            # The body of a hit failed: the hit itself stays recorded, with the failure in its log.
            try:
                text = "".join(traceback.format_exception(exc_type, exc, tb))
                catalog = self._catalog()
                catalog.append_log(self._pid, text)
            except Exception:  # noqa: BLE001 - the caller's exception matters more
                pass
        return False

    # --- while it runs --------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self._name

    @property
    def pid(self) -> str:
        """The PID of the activity recording this call; empty until the block is entered."""
        return self._pid

    @property
    def cache_hit(self) -> bool:
        """Whether the cache held this call's outputs: the block should skip its work."""
        return self._hit is not None

    @property
    def cached_from(self) -> str:
        """On a hit, the PID of the earlier activity whose outputs are returned."""
        return self._hit.activity.pid if self._hit is not None else ""

    @property
    def key(self) -> str | None:
        """The cache key; None before entering, or when the call could not be cached."""
        return self._key.value if self._key is not None else None

    @property
    def outputs(self) -> list[Dataset]:
        """The outputs: on a hit the earlier ones, else those registered by :meth:`output`."""
        return list(self._outputs)

    def result(self) -> TaskResult:
        return TaskResult(self.outputs, self._pid, self.cache_hit, self.cached_from, self.key)

    def log(self, text: str) -> None:
        """Append a line to the task's log."""
        self._catalog().append_log(self._pid, text + "\n")

    def output(self, name: str, **fields: Any) -> Dataset:
        """Register one output: a processed dataset made by this call, derived from its inputs.
        The keywords are :meth:`Catalog.register_dataset`'s; files are described (size,
        SHA-256) from disk, and absolute file paths without a ``location`` are stored relative to
        their common folder.

        :raises Error: on a cache hit (the outputs exist) or outside the block
        :raises ValidationError: naming the broken rule; nothing is written
        """
        return self.register_outputs([dict(fields, name=name)])[0]

    def register_outputs(self, outputs: Iterable[Mapping[str, Any] | Dataset]) -> list[Dataset]:
        """Register several outputs in one transaction (dicts of register_dataset keywords, or
        Dataset objects)."""
        if self._state != "running" or self._run is None:
            reason = "it was a cache hit: its outputs exist" if self._hit is not None else "it is not running"
            raise _invalid([("task.outputs", self._name, f"cannot register outputs of this task call: {reason}")])
        items = [self._output_fields(o, f"outputs[{i}]") for i, o in enumerate(outputs)]
        stored = self._run.outputs(items, role=self._role, describe_files=True)
        self._outputs.extend(stored)
        return stored

    # --- helpers --------------------------------------------------------------------------------

    def _catalog(self) -> Catalog:
        if self._catalog_arg is not None:
            return self._catalog_arg
        assert self._workflow is not None
        return self._workflow.catalog

    def _tree(self) -> str:
        return os.path.dirname(self._source_file) if self._source_file else os.getcwd()

    def _environment(self) -> Environment | None:
        if self._workflow is None:
            return None
        return self._workflow.environment_for(self._source_file, shared=True)

    def _activity(self, *, hit: _Hit | None = None) -> Activity:
        assert self._key is not None
        own: dict[str, Any] = {PARTS: json.dumps(self._key.parts, sort_keys=True)}
        if self._key.value is not None:
            own[KEY] = self._key.value
        if hit is not None:
            own[HIT] = True
        fields: dict[str, Any] = dict(
            name=self._name,
            type="processing",
            program=self._program,
            version=self._version,
            start_time=self._start,
            used=[(i.dataset, "input" if i.name.isdigit() else i.name) for i in self._inputs if i.dataset],
            parent=self._workflow.pid if self._workflow is not None else "",
        )
        try:
            # Usually the catalogue takes every parameter as it is: one conversion, not two.
            activity = Activity(parameters={**self._parameters, **own}, **fields)
        except Exception:  # noqa: BLE001 - some parameter is not a metadata value: described below
            activity = Activity(parameters={**_recordable(self._parameters), **own}, **fields)
        if hit is not None:
            activity.informed_by = [hit.activity.pid]
        return activity

    def _finished_activity(self, status: str, *, hit: _Hit | None = None) -> Activity:
        """The activity of a call whose work is done (or was not needed), as recorded in one write."""
        activity = self._activity(hit=hit)
        env = self._environment()
        activity.environment = _fill_environment(env if env is not None else activity.environment, self._tree(),
                                                 capture=env is None)
        activity.command_line = " ".join(sys.argv)
        activity.status = status
        activity.end_time = _now()
        return activity

    def _record_hit(self, catalog: Catalog, hit: _Hit) -> None:
        activity = self._finished_activity("succeeded", hit=hit)
        activity.log = f"cache hit: the outputs of {hit.activity.pid} are returned, not made again\n"
        self._pid = catalog.start_activity(activity).pid
        self._hit = hit
        self._outputs = list(hit.outputs)

    def _record_done(self, catalog: Catalog, outputs: Sequence[Any], failure: BaseException | None = None) -> None:
        """Record a call whose function has returned (or raised) in one transaction: the activity,
        finished, with its outputs (Catalog.record_activity). Nothing of the call is in the
        catalogue before, so an output the catalogue refuses leaves nothing written."""
        # The PID is minted here: the outputs name their activity in their metadata.
        self._pid = new_pid(catalog.pid_prefix)
        try:
            items = []
            for i, o in enumerate(outputs):
                item = self._output_fields(o, f"outputs[{i}]")
                # As ActivityRun.outputs registers them: processed, and acquiring until the
                # activity's end completes them (in the same transaction here).
                if isinstance(item, Dataset):
                    item.kind = "processed"
                    item.state = "acquiring"
                else:
                    item.setdefault("kind", "processed")
                    item["state"] = "acquiring"
                items.append(item)
            activity = self._finished_activity("failed" if failure is not None else "succeeded")
            activity.pid = self._pid
            if failure is not None:
                activity.log = "".join(traceback.format_exception(type(failure), failure, failure.__traceback__))
            _, stored = catalog.record_activity(activity, items, role=self._role, describe_files=True)
        except BaseException:
            self._pid = ""
            raise
        finally:
            self._state = "finished"
        self._outputs = stored

    def _output_fields(self, item: Any, where: str) -> Any:
        if isinstance(item, Dataset):
            ds = copy.copy(item)
            if self._key is not None and self._key.value is not None:
                ds.metadata = dict(ds.metadata, **{KEY: self._key.value, ACTIVITY: self._pid})
            return ds
        if not isinstance(item, Mapping):
            raise _invalid([(where, item, "an output must be a mapping of register_dataset keywords (with 'name') or a Dataset")])
        fields = dict(item)
        if "name" not in fields:
            raise _invalid([(f"{where}.name", None, "an output needs a name")])
        metadata = fields.get("metadata") or {}
        if not isinstance(metadata, Mapping):
            raise _invalid([(f"{where}.metadata", metadata, "must be a mapping")])
        if self._key is not None and self._key.value is not None:
            metadata = dict(metadata)
            for k in (KEY, ACTIVITY):
                if k in metadata:
                    raise _invalid([(f"{where}.metadata.{k}", metadata[k], "is written by the task itself")])
            metadata[KEY] = self._key.value
            metadata[ACTIVITY] = self._pid
        fields["metadata"] = metadata
        files = fields.get("files")
        if files and not fields.get("location") and not isinstance(files, (str, bytes)):
            paths = list(files)
            if paths and all(isinstance(p, (str, os.PathLike)) and os.path.isabs(os.fspath(p)) for p in paths):
                root = os.path.commonpath([os.path.dirname(os.fspath(p)) for p in paths])
                fields["location"] = root
                fields["files"] = [os.path.relpath(os.fspath(p), root) for p in paths]
        return fields


def task_run(name: str, **options: Any) -> TaskRun:
    """One task call as a context manager; the keywords are :class:`TaskRun`'s."""
    frame = sys._getframe(1)
    options.setdefault("source_file", frame.f_code.co_filename)
    return TaskRun(name, **options)


# --- the decorator ------------------------------------------------------------------------------


_OUTPUTS_RULE = (
    "a task function must return its outputs: a mapping of register_dataset keywords (with 'name'), "
    "a Dataset, a list or tuple of those, or None"
)


def _outputs_of(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, Dataset) or (isinstance(value, Mapping) and "name" in value):
        return [value]
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            if not isinstance(v, (Mapping, Dataset)) or (isinstance(v, Mapping) and "name" not in v):
                raise _invalid([(f"outputs[{i}]", v, _OUTPUTS_RULE)])
        return list(value)
    raise _invalid([("outputs", value, _OUTPUTS_RULE)])


class Task(Generic[P]):
    """A function recorded as a workflow task (made by :func:`task`). Calling it returns a
    :class:`TaskResult`; :meth:`rerun` runs it even on a hit; :meth:`explain` tells whether a
    call would hit, and why not."""

    def __init__(self, func: Callable[P, Any], *, program: str, version: str, name: str | None,
                 inputs: Sequence[str], role: str) -> None:
        self._func = func
        self._program = program
        self._version = version
        self._name: str = name or str(getattr(func, "__name__", "task"))
        self._inputs = tuple(inputs)
        self._role = role
        self._signature = inspect.signature(func)
        code = getattr(func, "__code__", None)
        self._source_file = code.co_filename if code is not None else None
        functools.update_wrapper(self, func)

    @property
    def program(self) -> str:
        return self._program

    @property
    def version(self) -> str:
        return self._version

    def _task_run(self, args: tuple[Any, ...], kwargs: dict[str, Any], rerun: bool, *,
                  workflow: Workflow | None = None, catalog: Catalog | None = None) -> TaskRun:
        try:
            bound = self._signature.bind(*args, **kwargs)
        except TypeError as e:
            raise _invalid([(f"{self._name}(...)", f"{len(args)} positional, keywords {sorted(kwargs)}", str(e))]) from None
        bound.apply_defaults()
        inputs = {k: v for k, v in bound.arguments.items() if k in self._inputs}
        parameters = {k: v for k, v in bound.arguments.items() if k not in self._inputs}
        return TaskRun(self._name, program=self._program, version=self._version, inputs=inputs,
                       parameters=parameters, rerun=rerun, role=self._role, source_file=self._source_file,
                       workflow=workflow, catalog=catalog)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> TaskResult:
        return self._call(args, kwargs, rerun=False)

    def rerun(self, *args: P.args, **kwargs: P.kwargs) -> TaskResult:
        """Call the task even when the cache holds its outputs."""
        return self._call(args, kwargs, rerun=True)

    def explain(self, *args: P.args, **kwargs: P.kwargs) -> Explanation:
        """Whether this call would be a cache hit and, if not, which part of its key changed
        since the latest earlier run of the task (program, version, which parameter, which
        input), or which earlier output is gone or changed. Runs and records nothing."""
        return self._task_run(args, kwargs, rerun=False).explain()

    def _call(self, args: tuple[Any, ...], kwargs: dict[str, Any], rerun: bool) -> TaskResult:
        t = self._task_run(args, kwargs, rerun)
        catalog = t._prepare()
        key = t._key
        assert key is not None
        if key.value is None:
            warnings.warn(f"task {self._name!r} is not cached for this call: {key.uncacheable}", CacheWarning, stacklevel=3)
        workflow = t._workflow
        if key.value is not None and not rerun and not (workflow is not None and workflow.rerun):
            hit, _ = _find_hit(catalog, key.value)
            if hit is not None:
                t._record_hit(catalog, hit)
                t._state = "finished"
                return t.result()
        # The activity is written once the function has returned, with the call's start time and
        # its outputs, in one transaction: outputs of the wrong type, or that the catalogue
        # refuses, are then refused with nothing written. A failure of the function is recorded.
        token = _task.set(t)
        try:
            value = self._func(*args, **kwargs)
        except BaseException as e:
            _task.reset(token)
            try:
                t._record_done(catalog, [], failure=e)
            except Exception as recording:  # noqa: BLE001 - the task's own exception matters more
                warnings.warn(f"datatrail could not record the failure of task {self._name!r}: {recording!r}",
                              RuntimeWarning, stacklevel=3)
            raise
        _task.reset(token)
        t._record_done(catalog, _outputs_of(value))
        return t.result()

    def __repr__(self) -> str:
        return f"<datatrail task {self._name} ({self._program} {self._version})>"


def task(
    func: Callable[P, Any] | None = None,
    *,
    program: str | None = None,
    version: str | None = None,
    name: str | None = None,
    inputs: Sequence[str] = (),
    role: str = "",
) -> Any:
    """Make a function a recorded, cached workflow task.

    >>> @dt.task(program="integrator", version="1.0", inputs=["raw"])
    ... def integrate(raw, npt=1000):
    ...     ...
    ...     return {"name": "pattern", "files": [path], "metadata": {"npt": npt}}

    The arguments named in ``inputs`` are inputs (datasets, dataset PIDs, paths, or lists of
    them); every other argument is a parameter. The function returns its outputs: a dict of
    :meth:`Catalog.register_dataset` keywords, a list of them, or None. Called inside
    ``with dt.workflow(cat, ...)``, a call returns a :class:`TaskResult`: the registered outputs,
    or on a cache hit the earlier ones, the function not called.

    :raises ValidationError: when ``func`` is not callable, ``program`` or ``version`` is not a
        non-empty str (a bare ``@dt.task`` has neither), or ``inputs`` names an argument the
        function does not have
    """
    problems: list[tuple[str, Any, str]] = []
    for what, value in (("program", program), ("version", version)):
        if not isinstance(value, str) or not value.strip():
            problems.append((f"task.{what}", value, "must be a non-empty str"))
    if name is not None and (not isinstance(name, str) or not name.strip()):
        problems.append(("task.name", name, "must be a non-empty str or None"))
    if isinstance(inputs, str) or not all(isinstance(i, str) for i in inputs):
        problems.append(("task.inputs", inputs, "must be a list of argument names"))
    if problems:
        raise _invalid(problems)

    def wrap(f: Callable[P, Any]) -> Task[P]:
        if not callable(f):
            raise _invalid([("task.func", f, "must be callable (a function to decorate)")])
        params = inspect.signature(f).parameters
        unknown = [i for i in inputs if i not in params]
        if unknown:
            raise _invalid([("task.inputs", unknown, f"must name arguments of {getattr(f, '__name__', f)!r}")])
        assert program is not None and version is not None
        return Task(f, program=program, version=version, name=name, inputs=inputs, role=role)

    if func is not None:
        return wrap(func)
    return wrap


def explain(catalog: Catalog | Workflow, task_fn: Task[Any], *args: Any, **kwargs: Any) -> Explanation:
    """Whether ``task_fn(*args, **kwargs)`` would be a cache hit in ``catalog`` and, if not, why:
    :meth:`Task.explain` for use outside a workflow's ``with`` block."""
    if isinstance(catalog, Workflow):
        return task_fn._task_run(args, kwargs, rerun=False, workflow=catalog).explain()
    if not isinstance(task_fn, Task):
        raise _invalid([("task", task_fn, "must be a function made a task with @dt.task")])
    return task_fn._task_run(args, kwargs, rerun=False, catalog=catalog).explain()
