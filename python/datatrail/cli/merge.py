"""``datatrail merge``: copy into the catalogue what it lacks of another one, matched by PID."""

from __future__ import annotations

import argparse

from ._common import CliError, Exit, Progress, catalog_location, open_catalog, open_location, print_json, print_table, progress_wanted

JSON_HELP = "print what was added and skipped, per kind of record, as JSON"

KINDS = ("instruments", "investigations", "samples", "agents", "schemas", "datasets", "activities", "links")


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    parser.description = (
        "Copy into the catalogue (--catalog) what it lacks of SOURCE, matched by PID; what it has "
        "already is skipped. A record that differs refuses the whole merge, each difference listed, "
        "and nothing is written. SOURCE is only read."
    )
    parser.add_argument("source", metavar="SOURCE", help="the catalogue to merge from: a file or URI")


def run(args: argparse.Namespace) -> int:
    if args.source == catalog_location(args):
        raise CliError("SOURCE is the catalogue itself: nothing to merge", Exit.USAGE)
    with open_location(args.source) as source, open_catalog(args, write=True) as target:
        with Progress("merging", 1, progress_wanted(args)) as bar:

            def progress(stage: str, done: int, total: int) -> None:
                bar.label = f"merging {stage}"
                bar.total = total
                bar.update(done)

            report = target.merge_from(source, progress=progress if bar.enabled else None)
    counts = {kind: {"added": getattr(report, kind).added, "skipped": getattr(report, kind).skipped} for kind in KINDS}
    if args.json:
        print_json(counts)
    else:
        print_table(["RECORDS", "ADDED", "SKIPPED"], [[kind, c["added"], c["skipped"]] for kind, c in counts.items()])
    return Exit.OK
