"""``datatrail validate``: check datasets against their metadata schemas again."""

from __future__ import annotations

import argparse

from ._common import Exit, add_selection, plural, open_catalog, print_json, selected_datasets, violation_dict, violation_text

JSON_HELP = "print one JSON list of reports (dataset, name, schema, ok, violations)"


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    parser.description = (
        "Check datasets again, each against the schema it names (or --schema), and list those that "
        "break a rule; exits with 1 when any does. Every dataset when none is named."
    )
    add_selection(parser, "validate")
    parser.add_argument("--schema", metavar="NAME[@VERSION]", help="check against this schema instead of each dataset's own")
    parser.add_argument("--record", action="store_true", help="store each result with its dataset (its valid flag and violations)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the valid datasets too")


def run(args: argparse.Namespace) -> int:
    with open_catalog(args, write=args.record) as cat:
        if args.datasets:
            pids = [d.pid for d in selected_datasets(cat, args)]
            reports = cat.validate(pids=pids, schema=args.schema, record=args.record)
        else:
            reports = cat.validate(args.query, schema=args.schema, record=args.record)
        # Reports carry PIDs; names are read for the datasets listed only.
        listed = [r for r in reports if args.json or args.verbose or not r.ok]
        names = {r.dataset: cat.dataset(r.dataset).name for r in listed}
    bad = [r for r in reports if not r.ok]
    if args.json:
        print_json([
            {"dataset": r.dataset, "name": names[r.dataset], "schema": r.schema or None, "ok": r.ok,
             "violations": [violation_dict(v) for v in r.violations]}
            for r in reports
        ])
    else:
        for r in listed:
            print(f"{'ok' if r.ok else 'INVALID':<8} {names[r.dataset]}  {r.dataset}  {r.schema or '(no schema)'}")
            for v in r.violations:
                print(f"  {violation_text(v)}")
        print(f"{plural(len(reports), 'dataset')} checked: {len(reports) - len(bad)} valid, {len(bad)} invalid")
    return Exit.FINDINGS if bad else Exit.OK
