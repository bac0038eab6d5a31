"""What the commands share: exit codes, errors, opening the catalogue, picking datasets, records as
JSON and text, and the progress bar."""

from __future__ import annotations

import argparse
import datetime
import enum
import json
import os
import sys
import time
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

import datatrail as dt


class Exit(enum.IntEnum):
    """The exit codes (docs/cli.md#exit-codes)."""

    OK = 0
    FINDINGS = 1
    USAGE = 2
    NO_CATALOG = 3
    REFUSED = 4
    FAILED = 5
    BUG = 70
    INTERRUPTED = 130
    BROKEN_PIPE = 141


class CliError(Exception):
    """A mistake or failure to report in one line, with its exit code."""

    def __init__(self, message: str, code: Exit) -> None:
        super().__init__(message)
        self.code = code


def one_line(text: str) -> str:
    """A multi-line message (a ValidationError lists a violation per line) joined into one line."""
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    if not lines:
        return ""
    head, rest = lines[0], lines[1:]
    if not rest:
        return head
    return head + (" " if head.endswith(":") else ": ") + "; ".join(rest)


def report_error(e: BaseException) -> Exit:
    """Print ``datatrail: error: ...`` for ``e`` on stderr and return its exit code."""
    code: Exit
    if isinstance(e, CliError):
        message, code = str(e), e.code
    elif isinstance(e, dt.QuerySyntaxError):
        # The first line names the problem and its position; the rest repeats the query with a caret.
        message, code = "invalid query: " + str(e).splitlines()[0], Exit.USAGE
    elif isinstance(e, (dt.ValidationError, dt.NotFound, dt.Conflict)):
        message, code = one_line(str(e)), Exit.REFUSED
    elif isinstance(e, dt.Error):
        message, code = one_line(str(e)), Exit.FAILED
    elif isinstance(e, OSError):
        message, code = one_line(str(e)), Exit.FAILED
    else:
        message, code = f"internal error, please report it: {type(e).__name__}: {e}", Exit.BUG
    print(f"datatrail: error: {message}", file=sys.stderr)
    return code


# --- the catalogue -------------------------------------------------------------------------------


def is_uri(location: str) -> bool:
    return "://" in location


def shown(location: str) -> str:
    """The location as messages show it: a URI's password hidden."""
    if not is_uri(location):
        return location
    parts = urllib.parse.urlsplit(location)
    if parts.password is None:
        return location
    netloc = parts.netloc.replace(":" + parts.password + "@", ":***@", 1)
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def catalog_location(args: argparse.Namespace) -> str:
    location: str | None = args.catalog
    if not location:
        raise CliError("no catalogue given: pass --catalog LOCATION or set DATATRAIL_CATALOG", Exit.USAGE)
    return location


def _probe(location: str) -> None:
    """Open the location read-only, which creates nothing: raises CliError(NO_CATALOG) when it holds
    no catalogue or cannot be opened."""
    try:
        dt.Catalog(location, read_only=True, lineage_index=False).close()
    except dt.NotFound:
        raise CliError(
            f"no catalogue at '{shown(location)}' (create one with 'datatrail init -c {shown(location)}')",
            Exit.NO_CATALOG,
        ) from None
    except dt.Error as e:
        raise CliError(f"cannot open the catalogue '{shown(location)}': {one_line(str(e))}", Exit.NO_CATALOG) from None


def open_catalog(args: argparse.Namespace, *, write: bool = False) -> dt.Catalog:
    """The catalogue of ``--catalog`` (or DATATRAIL_CATALOG), which must exist: only ``init``
    creates one. Read-only unless the command writes.

    Lineage walks from the command line are one-off, so the in-memory lineage index (which loads
    every derivation link on the first walk) would cost more than it saves.
    """
    location = catalog_location(args)
    return open_location(location, write=write)


def open_location(location: str, *, write: bool = False) -> dt.Catalog:
    # Opened read-only first even to write: a read-write open would create a missing catalogue,
    # or create datatrail's tables in another program's SQLite file.
    _probe(location)
    if not write:
        return dt.Catalog(location, read_only=True, lineage_index=False)
    try:
        return dt.Catalog(location, lineage_index=False)
    except dt.Error as e:
        raise CliError(f"cannot open the catalogue '{shown(location)}': {one_line(str(e))}", Exit.NO_CATALOG) from None


# --- picking datasets ----------------------------------------------------------------------------


def dataset_by_reference(cat: dt.Catalog, reference: str) -> dt.Dataset:
    """A dataset by PID, or by name when its name is unique (a name may look like a PID)."""
    if dt.is_valid_pid(reference):
        try:
            return cat.dataset(reference)
        except dt.NotFound:
            pass
    found = cat.find_datasets(dt.key("name") == reference, limit=2)
    if not found:
        raise CliError(f"no dataset with PID or name '{reference}' in the catalogue", Exit.REFUSED)
    if len(found) > 1:
        count = cat.count_datasets(dt.key("name") == reference)
        raise CliError(f"{count} datasets are named '{reference}': give a PID instead", Exit.REFUSED)
    return found[0]


def add_selection(parser: argparse.ArgumentParser, what: str) -> None:
    """DATASET arguments and --query, as the commands that work on several datasets take them."""
    parser.add_argument("datasets", nargs="*", metavar="DATASET", help=f"PIDs or names of the datasets to {what}")
    parser.add_argument(
        "-q", "--query", metavar="QUERY", help=f"{what} the datasets this query finds (docs/query.md)"
    )


def selected_datasets(cat: dt.Catalog, args: argparse.Namespace) -> list[dt.Dataset]:
    """The datasets named, then those the query finds (each once); every dataset when neither is given."""
    chosen = [dataset_by_reference(cat, ref) for ref in args.datasets]
    if args.query is not None:
        chosen.extend(cat.find_datasets(args.query))
    elif not args.datasets:
        chosen = cat.find_datasets()
    seen: set[str] = set()
    unique = []
    for d in chosen:
        if d.pid not in seen:
            seen.add(d.pid)
            unique.append(d)
    return unique


# --- records as JSON and text ----------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A metadata or parameter value as JSON: a quantity as {value, unit[, uncertainty]}, a time
    as ISO 8601 text in UTC."""
    if isinstance(value, dt.Quantity):
        out: dict[str, Any] = {"value": value.value, "unit": value.unit}
        if value.uncertainty is not None:
            out["uncertainty"] = value.uncertainty
        return out
    if isinstance(value, (datetime.datetime, datetime.date)):
        return dt.format_time(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    tolist = getattr(value, "tolist", None)  # numpy values
    if callable(tolist):
        return tolist()
    return value


def text(value: Any) -> str:
    """A value as the text output shows it."""
    if isinstance(value, (datetime.datetime, datetime.date)):
        return dt.format_time(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (Mapping, list, tuple)):
        return json.dumps(plain(value), ensure_ascii=False)
    return str(value)


def violation_dict(v: dt.Violation) -> dict[str, str]:
    return {"field": v.field, "value": v.value, "rule": v.rule}


def violation_text(v: dt.Violation) -> str:
    return f"{v.field} = '{v.value}': {v.rule}"


def file_dict(f: dt.Datafile) -> dict[str, Any]:
    return {"path": f.path, "size": f.size, "sha256": f.sha256 or None, "format": f.format, "modified": plain(f.modified)}


#: A dataset's fields in the order `show` lists them; the metadata, files and violations follow.
DATASET_FIELDS = (
    "pid", "name", "kind", "state", "valid", "description", "investigation", "instrument", "sample",
    "techniques", "keywords", "start_time", "end_time", "location", "schema", "created_by", "created_at",
)


def dataset_dict(d: dt.Dataset) -> dict[str, Any]:
    out = {field: plain(getattr(d, field)) for field in DATASET_FIELDS}
    out["metadata"] = plain(d.metadata)
    out["files"] = [file_dict(f) for f in d.files]
    out["violations"] = [violation_dict(v) for v in d.violations]
    return out


#: An activity's fields in the order `show` lists them; parameters and links follow.
ACTIVITY_FIELDS = (
    "pid", "name", "type", "status", "program", "version", "start_time", "end_time", "host",
    "command_line", "parent", "created_by",
)


def activity_dict(a: dt.Activity) -> dict[str, Any]:
    out = {field: plain(getattr(a, field)) for field in ACTIVITY_FIELDS}
    out["parameters"] = plain(a.parameters)
    out["used"] = [{"dataset": u.dataset, "file": u.file or None, "role": u.role or None} for u in a.used]
    out["generated"] = list(a.generated)
    out["agents"] = [{"agent": x.agent, "role": x.role or None} for x in a.agents]
    out["informed_by"] = list(a.informed_by)
    env = a.environment
    out["environment"] = {
        "os": env.os, "user": env.user, "source_tree": env.source_tree, "git_commit": env.git_commit,
        "git_dirty": env.git_dirty, "python_version": env.python_version, "packages": env.packages,
    }
    out["log"] = a.log
    return out


def print_json(document: Any, out: TextIO | None = None) -> None:
    """One JSON document on stdout."""
    json.dump(document, out or sys.stdout, indent=2, ensure_ascii=False)
    (out or sys.stdout).write("\n")


def print_json_line(record: Any) -> None:
    """One record of a JSON Lines stream, flushed so a reader sees it at once."""
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def print_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Columns padded to their widest cell; the last column is not padded."""
    cells = [list(header)] + [[text(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        line = "  ".join(c.ljust(w) for c, w in zip(row[:-1], widths[:-1]))
        print((line + "  " + row[-1]) if len(row) > 1 else row[-1])


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def human_size(size: int | None) -> str:
    if size is None:
        return "?"
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


# --- progress --------------------------------------------------------------------------------------


def progress_wanted(args: argparse.Namespace) -> bool:
    """A progress bar only for a person watching: stderr is a terminal and the output is not JSON."""
    return not args.json and sys.stderr.isatty()


class Progress:
    """A one-line progress bar on stderr, redrawn at most ten times a second; silent when disabled."""

    WIDTH = 30

    def __init__(self, label: str, total: int, enabled: bool) -> None:
        self.label = label
        self.total = total
        self.enabled = enabled
        self._shown = 0.0
        self._drawn = False

    def update(self, done: int, detail: str = "", *, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._shown < 0.1:
            return
        self._shown = now
        filled = self.WIDTH * done // self.total if self.total else self.WIDTH
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        line = f"{self.label} [{bar}] {done}/{self.total} {detail}"
        sys.stderr.write("\r" + line[: _columns() - 1].ljust(_columns() - 1))
        sys.stderr.flush()
        self._drawn = True

    def close(self) -> None:
        """Erase the bar, so that what follows starts on a clean line."""
        if self._drawn:
            sys.stderr.write("\r" + " " * (_columns() - 1) + "\r")
            sys.stderr.flush()
            self._drawn = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _columns() -> int:
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns
    except OSError:
        return 80
