"""``datatrail ingest``: register NeXus/HDF5 files, with the metadata and provenance they carry."""

from __future__ import annotations

import argparse
from typing import Any

import datatrail as dt

from ._common import Exit, Progress, open_catalog, plural, print_json_line, progress_wanted

JSON_HELP = "print one JSON object per file (JSON Lines): path, status, dataset, error, reason, notes"

#: The report's lists, in the order the summary names them.
STATUSES = ("ingested", "already_present", "skipped", "failed")


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    parser.description = (
        "Register the datasets of NeXus/HDF5 files (a file, or every .nxs, .nx5, .h5 and .hdf5 file "
        "of a folder and its sub-folders): their files with size and SHA-256, metadata with units, and "
        "the provenance processed files embed, so that a catalogue can be rebuilt from its files. "
        "Ingesting the same files again changes nothing. Files that cannot be read, lack a required "
        "field or clash with the catalogue are listed and the exit code is 1; the others go in."
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="NeXus files or folders")
    parser.add_argument("--no-recursive", dest="recursive", action="store_false",
                        help="read only the folders' own files, not their sub-folders'")
    parser.add_argument("--suffix", dest="suffixes", action="append", metavar=".SUFFIX",
                        help="read a folder's files with this suffix (repeatable; default .nxs .nx5 .h5 .hdf5)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="list every file with what happened to it, not only the failures")


def item_dict(item: dt.IngestItem) -> dict[str, Any]:
    return {"path": item.path, "status": item.status, "dataset": item.dataset or None,
            "error": item.error or None, "reason": item.reason or None, "notes": list(item.notes)}


def describe(item: dt.IngestItem) -> str:
    line = f"{item.status.upper().replace('_', ' '):<16} {item.path}"
    if item.dataset:
        line += f"  {item.dataset}"
    if item.status == "failed":
        line += f": {item.error}: {item.reason}"
    elif item.status == "skipped":
        line += f": {item.reason}"
    return "\n".join([line, *(f"  note: {n}" for n in item.notes)])


def run(args: argparse.Namespace) -> int:
    counts = dict.fromkeys(STATUSES, 0)
    with open_catalog(args, write=True) as cat, Progress("ingesting", 1, progress_wanted(args)) as bar:

        def progress(stage: str, done: int, total: int, path: str) -> None:
            bar.label = stage
            bar.total = total
            bar.update(done, path)

        for path in args.paths:
            options: dict[str, Any] = {"recursive": args.recursive, "progress": progress if bar.enabled else None}
            if args.suffixes:
                options["suffixes"] = args.suffixes
            report = cat.ingest(path, **options)
            bar.close()
            for status in STATUSES:
                for item in getattr(report, status):
                    counts[status] += 1
                    if args.json:
                        print_json_line(item_dict(item))
                    elif args.verbose or status == "failed":
                        print(describe(item), flush=True)
    if not args.json:
        total = sum(counts.values())
        print(f"{plural(total, 'file')}: " + ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in counts.items()))
    return Exit.FINDINGS if counts["failed"] else Exit.OK
