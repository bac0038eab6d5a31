"""``datatrail query`` and ``datatrail search``: find datasets by the query language or by text."""

from __future__ import annotations

import argparse

import datatrail as dt

from ._common import CliError, Exit, dataset_dict, open_catalog, print_json, print_table, text

JSON_HELP = "print the datasets found as one JSON list, with their metadata and files"


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    if name == "search":
        parser.description = (
            "Find datasets whose name, description, keywords, techniques or text metadata hold every "
            "word; 'lyso*' matches words that start with lyso."
        )
        parser.add_argument("words", nargs="+", metavar="WORD")
        parser.add_argument("-q", "--query", metavar="QUERY", help="and also match this query")
    else:
        parser.description = (
            "Find datasets with the query language (docs/query.md), e.g. "
            "'technique == MX and energy between 12 and 13 keV'. No query: every dataset."
        )
        parser.add_argument("query", nargs="?", default="", metavar="QUERY")
    parser.add_argument("--order", default="created", metavar="KEY", help="sort by a field or metadata key (default: created)")
    parser.add_argument("--descending", action="store_true", help="reverse the order")
    parser.add_argument("--limit", type=int, metavar="N", help="at most N datasets")
    parser.add_argument("--offset", type=int, default=0, metavar="N", help="skip the first N")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--count", action="store_true", help="print only how many datasets match")
    out.add_argument("--pids", action="store_true", help="print only their PIDs, one a line")
    parser.add_argument("--show", action="append", default=[], metavar="KEY", help="add a column with this metadata key; repeatable")


def the_query(args: argparse.Namespace) -> dt.Query:
    if args.command == "search":
        query = dt.text(" ".join(args.words))
        return query & dt.parse_query(args.query) if args.query else query
    return dt.parse_query(args.query)


def run(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 0:
        raise CliError(f"--limit {args.limit}: must be 0 or more", Exit.USAGE)
    if args.offset < 0:
        raise CliError(f"--offset {args.offset}: must be 0 or more", Exit.USAGE)
    query = the_query(args)
    with open_catalog(args) as cat:
        if args.count:
            count = cat.count_datasets(query)
            if args.json:
                print_json({"count": count})
            else:
                print(count)
            return Exit.OK
        found = cat.find_datasets(query, order=args.order, descending=args.descending, limit=args.limit, offset=args.offset)
    if args.json:
        print_json([dataset_dict(d) for d in found])
    elif args.pids:
        for d in found:
            print(d.pid)
    elif found:
        header = ["PID", "NAME", "KIND", "STATE", *(k.upper() for k in args.show)]
        rows = []
        for d in found:
            metadata = d.metadata
            rows.append([d.pid, d.name, d.kind, d.state, *(text(metadata.get(k, "")) for k in args.show)])
        print_table(header, rows)
    return Exit.OK
