"""``datatrail schema add|list|show|check``: metadata schemas (docs/schemas.md)."""

from __future__ import annotations

import argparse
import os
from typing import Any

import datatrail as dt

from ._common import CliError, Exit, open_catalog, plain, print_json, print_table, text, violation_dict

JSON_HELP = "print the schemas (or the check's findings) as JSON"


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", title="actions", required=True)
    add = actions.add_parser("add", help="add schemas from YAML files to the catalogue")
    add.add_argument("files", nargs="+", metavar="FILE")
    actions.add_parser("list", help="list the catalogue's schemas")
    show = actions.add_parser("show", help="show a schema's fields, or its YAML")
    show.add_argument("schema", metavar="NAME[@VERSION]", help="without a version: the latest")
    show.add_argument("--yaml", action="store_true", help="print the YAML it was added as")
    check = actions.add_parser(
        "check", help="check YAML schema files without adding them (needs no catalogue)"
    )
    check.add_argument("files", nargs="+", metavar="FILE")
    for sub in (add, show, check, actions.choices["list"]):
        # The group's own parser holds --catalog and --json; repeating them here lets them follow the action.
        sub.add_argument("-c", "--catalog", metavar="LOCATION", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        sub.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help=JSON_HELP)


def field_dict(f: dt.SchemaField) -> dict[str, Any]:
    return {
        "key": f.key, "type": f.type, "element_type": f.element_type, "shape": f.shape, "unit": f.unit or None,
        "dimension": f.dimension or None, "required": f.required, "default": plain(f.default),
        "minimum": plain(f.minimum), "maximum": plain(f.maximum), "allowed": plain(f.allowed),
        "pattern": f.pattern or None, "nexus_path": f.nexus_path or None, "description": f.description or None,
    }


def schema_dict(s: dt.Schema, *, fields: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": s.id, "name": s.name, "version": s.version, "description": s.description, "strict": s.strict,
        "additional": s.additional, "applies_to": s.applies_to, "inherits": s.inherits,
    }
    if fields:
        out["fields"] = [field_dict(f) for f in s.fields]
    return out


def _read(path: str) -> dt.Schema:
    if not os.path.isfile(path):
        raise CliError(f"no such file '{path}'", Exit.USAGE)
    return dt.load_schema(path)


def in_dependency_order(schemas: list[dt.Schema]) -> list[dt.Schema]:
    """The schemas with each one after the schema it extends, when that is among them, so that
    files can be given in any order; otherwise in the order given."""
    ordered: list[dt.Schema] = []
    pending = list(schemas)
    while pending:
        waiting = {s.name for s in pending}
        ready = [s for s in pending if s.extends.partition("@")[0] not in waiting - {s.name}]
        if not ready:  # a cycle: the catalogue names it when the first one is added
            ready = pending[:1]
        ordered.extend(ready)
        pending = [s for s in pending if not any(s is r for r in ready)]
    return ordered


def add(args: argparse.Namespace) -> int:
    # Every file is read and checked before the first is added.
    schemas = in_dependency_order([_read(path) for path in args.files])
    with open_catalog(args, write=True) as cat:
        added = [cat.add_schema(s) for s in schemas]
    if args.json:
        print_json([schema_dict(s) for s in added])
    else:
        for s in added:
            print(f"added {s.id} ({len(s.fields)} fields, {'strict' if s.strict else 'lenient'})")
    return Exit.OK


def list_(args: argparse.Namespace) -> int:
    with open_catalog(args) as cat:
        schemas = cat.schemas()
    if args.json:
        print_json([schema_dict(s, fields=False) for s in schemas])
    elif schemas:
        print_table(
            ["ID", "STRICT", "FIELDS", "DESCRIPTION"],
            [[s.id, s.strict, len(s.fields), s.description] for s in schemas],
        )
    return Exit.OK


def _constraints(f: dt.SchemaField) -> str:
    parts = []
    if f.unit:
        parts.append(f"unit {f.unit}")
    if f.dimension:
        parts.append(f"dimension {f.dimension}")
    if f.minimum is not None:
        parts.append(f">= {f.minimum}")
    if f.maximum is not None:
        parts.append(f"<= {f.maximum}")
    if f.allowed:
        parts.append("one of " + ", ".join(text(a) for a in f.allowed))
    if f.pattern:
        parts.append(f"matches {f.pattern}")
    if f.default is not None:
        parts.append(f"default {text(f.default)}")
    return "; ".join(parts)


def show(args: argparse.Namespace) -> int:
    with open_catalog(args) as cat:
        s = cat.schema(args.schema)
    if args.json:
        print_json(schema_dict(s))
    elif args.yaml:
        print(s.source, end="" if s.source.endswith("\n") else "\n")
    else:
        print(f"{s.id}  {'strict' if s.strict else 'lenient'}" + (f"  extends {', '.join(s.inherits)}" if s.inherits else ""))
        if s.description:
            print(f"  {s.description}")
        scope = {k: v for k, v in s.applies_to.items() if v}
        if scope:
            print("  applies to " + "; ".join(f"{k}: {', '.join(v)}" for k, v in scope.items()))
        print_table(
            ["KEY", "TYPE", "REQUIRED", "RULES"],
            [[f.key, f.type if not f.element_type else f"{f.type} of {f.element_type}", f.required, _constraints(f)] for f in s.fields],
        )
    return Exit.OK


def check(args: argparse.Namespace) -> int:
    """Findings, not errors: a malformed schema is what this command looks for."""
    results = []
    for path in args.files:
        if not os.path.isfile(path):
            raise CliError(f"no such file '{path}'", Exit.USAGE)
        try:
            s = dt.load_schema(path)
            results.append({"file": path, "ok": True, "id": s.id, "violations": []})
        except dt.ValidationError as e:
            results.append({"file": path, "ok": False, "id": None, "violations": [violation_dict(v) for v in e.violations]})
    if args.json:
        print_json(results)
    else:
        for r in results:
            if r["ok"]:
                print(f"ok       {r['file']} ({r['id']})")
            else:
                print(f"invalid  {r['file']}")
                for v in r["violations"]:
                    print(f"  {v['field']}: {v['rule']}" + (f" (got '{v['value']}')" if v["value"] else ""))
    return Exit.OK if all(r["ok"] for r in results) else Exit.FINDINGS


def run(args: argparse.Namespace) -> int:
    action = {"add": add, "list": list_, "show": show, "check": check}[args.action]
    return action(args)
