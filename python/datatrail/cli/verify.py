"""``datatrail verify``: read the files of datasets again and compare them with their recorded
size and SHA-256."""

from __future__ import annotations

import argparse
import os
import urllib.parse
from collections import Counter
from typing import Any

import datatrail as dt

from ._common import Exit, Progress, add_selection, human_size, one_line, plural, open_catalog, print_json_line, progress_wanted, selected_datasets

JSON_HELP = "print one JSON object per file as it is checked (JSON Lines)"

#: What a file's check can find; the first three make the exit code 1.
PROBLEMS = ("missing", "modified", "unreadable")
STATUSES = ("ok", *PROBLEMS, "unchecked", "remote")


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    parser.description = (
        "Read every file of the datasets again and compare its size and SHA-256 with what was "
        "recorded. Lists missing, modified and unreadable files and exits with 1 when there is any. "
        "Files recorded without a checksum and files under a remote location (a URI) are counted "
        "but not read. Every dataset when none is named."
    )
    add_selection(parser, "verify")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every file, not only the problems")


def local_folder(location: str) -> str | None:
    """The local folder of a dataset's location; None for a remote URI. A relative location is
    taken from the working folder, as the library does."""
    if location.startswith("file://"):
        return urllib.parse.unquote(urllib.parse.urlsplit(location).path)
    if "://" in location:
        return None
    return location


def check(dataset: dt.Dataset, f: dt.Datafile) -> dict[str, Any]:
    folder = local_folder(dataset.location)
    record: dict[str, Any] = {"dataset": dataset.pid, "name": dataset.name, "path": f.path}
    if folder is None:
        return {**record, "file": f"{dataset.location.rstrip('/')}/{f.path}", "status": "remote"}
    full = os.path.join(folder, f.path)
    record["file"] = full
    if not f.sha256:
        return {**record, "status": "unchecked"}
    record.update(expected_size=f.size, expected_sha256=f.sha256)
    if not os.path.lexists(full):
        return {**record, "status": "missing"}
    try:
        size = os.stat(full).st_size
        record["size"] = size
        if f.size is not None and size != f.size:
            return {**record, "status": "modified"}  # no need to read it
        record["sha256"] = dt.sha256_file(full)
    except (OSError, dt.Error) as e:
        return {**record, "status": "unreadable", "error": one_line(str(e))}
    return {**record, "status": "ok" if record["sha256"] == f.sha256 else "modified"}


def describe(record: dict[str, Any]) -> str:
    status = record["status"]
    line = f"{status.upper():<10} {record['file']}  ({record['name']} {record['dataset']})"
    if status == "modified" and "size" in record and record["size"] != record.get("expected_size"):
        line += f": size {record['size']} B, recorded {record['expected_size']} B"
    elif status == "modified":
        line += f": sha256 {record['sha256'][:16]}..., recorded {record['expected_sha256'][:16]}..."
    elif status == "unreadable":
        line += f": {record['error']}"
    return line


def run(args: argparse.Namespace) -> int:
    with open_catalog(args) as cat:
        datasets = selected_datasets(cat, args)
    files = [(d, f) for d in datasets for f in d.files]
    total_bytes = sum(f.size or 0 for _, f in files)
    counts: Counter[str] = Counter()
    done_bytes = 0
    with Progress("verifying", len(files), progress_wanted(args)) as progress:
        for i, (dataset, f) in enumerate(files):
            progress.update(i, f"{human_size(done_bytes)} of {human_size(total_bytes)}")
            record = check(dataset, f)
            done_bytes += f.size or 0
            counts[record["status"]] += 1
            if args.json:
                print_json_line(record)
            elif args.verbose or record["status"] in PROBLEMS:
                progress.close()
                print(describe(record), flush=True)
        progress.update(len(files), f"{human_size(done_bytes)} of {human_size(total_bytes)}", force=True)
    problems = sum(counts[s] for s in PROBLEMS)
    if not args.json:
        summary = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s] or s == "ok")
        print(f"{plural(len(files), 'file')} in {plural(len(datasets), 'dataset')}: {summary}")
    return Exit.FINDINGS if problems else Exit.OK
