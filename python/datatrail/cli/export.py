"""``datatrail export``: provenance as W3C PROV-JSON or PROV-N."""

from __future__ import annotations

import argparse
import sys

import datatrail as dt

from ._common import CliError, Exit, dataset_by_reference, open_catalog

JSON_HELP = "write PROV-JSON (the same as --format prov-json, the default)"


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    parser.description = (
        "Export provenance as W3C PROV: the lineage of the datasets named (their ancestors, or with "
        "--descendants what was made from them), or without datasets the whole catalogue."
    )
    parser.add_argument("datasets", nargs="*", metavar="DATASET", help="PIDs or unique names")
    parser.add_argument("--descendants", action="store_true", help="export what was made from the datasets")
    parser.add_argument("--depth", type=int, metavar="N", help="at most N derivation steps (default: all)")
    parser.add_argument("--format", choices=("prov-json", "prov-n"), help="default: prov-json")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")


def union(graphs: list[dt.ProvGraph]) -> dt.ProvGraph:
    """One graph holding every node and edge of several walks, each once, in the order met."""
    if len(graphs) == 1:
        return graphs[0]
    nodes: dict[str, dt.ProvNode] = {}
    edges: dict[tuple[str, str, str, str, str], dt.ProvEdge] = {}
    for graph in graphs:
        for n in graph.nodes:
            nodes.setdefault(n.id, n)
        for e in graph.edges:
            edges.setdefault((e.source, e.target, e.kind, e.role, e.activity), e)
    return dt.ProvGraph(list(nodes.values()), list(edges.values()))


def run(args: argparse.Namespace) -> int:
    form = args.format or "prov-json"
    if args.json and form != "prov-json":
        raise CliError(f"--json and --format {form} contradict each other", Exit.USAGE)
    if args.depth is not None and args.depth < 0:
        raise CliError(f"--depth {args.depth}: must be 0 or more", Exit.USAGE)
    if not args.datasets and (args.descendants or args.depth is not None):
        raise CliError("--descendants and --depth need the datasets to start from", Exit.USAGE)
    with open_catalog(args) as cat:
        if args.datasets:
            walk = cat.descendants if args.descendants else cat.ancestors
            graph = union([walk(dataset_by_reference(cat, ref), depth=args.depth) for ref in args.datasets])
        else:
            graph = cat.provenance()
    output = graph.to_prov_json() if form == "prov-json" else graph.to_prov_n()
    if not output.endswith("\n"):
        output += "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(output)
    else:
        sys.stdout.write(output)
    return Exit.OK
