"""``datatrail lineage``: what a dataset was made from (or what was made from it), as a tree,
Graphviz DOT, SVG or JSON."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import datatrail as dt

from ._common import CliError, Exit, dataset_by_reference, open_catalog, print_json

JSON_HELP = "print the graph's nodes and edges as JSON (the same as --format json)"


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    parser.description = (
        "Walk the derivations from a dataset: its ancestors (what it was made from), or with "
        "--descendants what was made from it. The tree marks each link with the activity that made it."
    )
    parser.add_argument("dataset", metavar="DATASET", help="a PID or unique name")
    parser.add_argument("--descendants", action="store_true", help="walk to what was made from it")
    parser.add_argument("--depth", type=int, metavar="N", help="at most N derivation steps (default: all)")
    parser.add_argument("--format", choices=("text", "dot", "svg", "json"), help="default: text")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")


def walk(cat: dt.Catalog, args: argparse.Namespace) -> dt.ProvGraph:
    if args.depth is not None and args.depth < 0:
        raise CliError(f"--depth {args.depth}: must be 0 or more", Exit.USAGE)
    start = dataset_by_reference(cat, args.dataset)
    return (cat.descendants if args.descendants else cat.ancestors)(start, depth=args.depth)


def graph_dict(graph: dt.ProvGraph) -> dict[str, Any]:
    return {
        "nodes": [{"id": n.id, "kind": n.kind, "name": n.name, "depth": n.depth, "attributes": n.attributes} for n in graph.nodes],
        "edges": [
            {"source": e.source, "target": e.target, "kind": e.kind, "role": e.role or None, "activity": e.activity or None}
            for e in graph.edges
        ],
    }


def tree_lines(graph: dt.ProvGraph, descendants: bool) -> list[str]:
    """The derivations as an indented tree from the walk's start. A dataset reached twice (a
    diamond) is expanded once and marked where it comes again."""
    nodes = {n.id: n for n in graph.nodes}
    children: dict[str, list[tuple[str, str]]] = {}
    for e in graph.edges_of("wasDerivedFrom"):
        parent, child = (e.target, e.source) if descendants else (e.source, e.target)
        children.setdefault(parent, []).append((child, e.activity))

    def label(pid: str) -> str:
        node = nodes.get(pid)
        if node is None:
            return pid
        attributes = node.attributes
        return f"{node.name} ({attributes.get('kind', '')}, {attributes.get('state', '')}) {pid}"

    def via(activity: str) -> str:
        node = nodes.get(activity) if activity else None
        if node is None:
            return f"  <- {activity}" if activity else ""
        attributes = node.attributes
        program = " ".join(x for x in (attributes.get("program", ""), attributes.get("version", "")) if x)
        return f"  <- {node.name}" + (f" [{program}]" if program else "")

    start = graph.datasets[0].id
    lines = [label(start)]
    expanded = {start}

    def descend(pid: str, indent: str) -> None:
        kids = sorted(children.get(pid, []), key=lambda kid: nodes[kid[0]].name if kid[0] in nodes else kid[0])
        for i, (kid, activity) in enumerate(kids):
            last = i == len(kids) - 1
            again = kid in expanded
            lines.append(indent + ("└── " if last else "├── ") + label(kid) + via(activity) + (" (see above)" if again else ""))
            if not again:
                expanded.add(kid)
                descend(kid, indent + ("    " if last else "│   "))

    descend(start, "")
    return lines


def run(args: argparse.Namespace) -> int:
    form = args.format or ("json" if args.json else "text")
    if args.json and form != "json":
        raise CliError(f"--json and --format {form} contradict each other", Exit.USAGE)
    with open_catalog(args) as cat:
        graph = walk(cat, args)
    if form == "dot":
        output = graph.to_dot()
    elif form == "svg":
        output = graph.to_svg()
    elif form == "json":
        output = ""
    else:
        output = "\n".join(tree_lines(graph, args.descendants)) + "\n"
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    try:
        if form == "json":
            print_json(graph_dict(graph), out)
        else:
            out.write(output if output.endswith("\n") else output + "\n")
    finally:
        if args.output:
            out.close()
    return Exit.OK
