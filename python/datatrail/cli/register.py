"""``datatrail register``: register one dataset with its metadata and files."""

from __future__ import annotations

import argparse
import json
import os
import re
from typing import Any

import datatrail as dt

from ._common import CliError, Exit, dataset_by_reference, dataset_dict, open_catalog, print_json

JSON_HELP = "print the registered dataset as JSON"

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_INTEGER = re.compile(r"[-+]?\d+")
_FLOAT = re.compile(_NUMBER)
# 12.7 keV, 250mm, 12.7 +- 0.1 keV, 12.7 ± 0.1 keV
_QUANTITY = re.compile(rf"({_NUMBER})\s*(?:(?:\+-|±)\s*({_NUMBER})\s*)?([^\d\s.+-].*)")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}.*)?")


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    parser.description = (
        "Register a dataset in an existing catalogue. Metadata values are typed by their text: "
        "12 is an integer, 12.7 a float, '12.7 keV' or '12.7 +- 0.1 keV' a quantity, true/false "
        "booleans, 2026-03-01T10:00Z a time, [..] and {..} JSON; anything else is text "
        "(--meta-text keeps a value as text). Files are described (size, SHA-256, time) from disk."
    )
    parser.add_argument("name", help="the dataset's name, e.g. scan_001")
    parser.add_argument("--kind", choices=("raw", "processed"), default="raw", help="default: raw")
    parser.add_argument("--description", default="")
    parser.add_argument("--investigation", metavar="PID_OR_NAME")
    parser.add_argument("--instrument", metavar="PID_OR_NAME")
    parser.add_argument("--sample", metavar="PID_OR_NAME")
    parser.add_argument("--technique", action="append", default=[], metavar="TECHNIQUE", help="repeatable")
    parser.add_argument("--keyword", action="append", default=[], metavar="KEYWORD", help="repeatable")
    parser.add_argument("--start", metavar="TIME", help="ISO 8601, e.g. 2026-03-01T10:00:00Z")
    parser.add_argument("--end", metavar="TIME")
    parser.add_argument("--state", choices=("acquiring", "complete", "failed"), default="complete")
    parser.add_argument("--schema", default="", metavar="NAME[@VERSION]", help="check the metadata against this schema")
    parser.add_argument("-m", "--meta", action="append", default=[], metavar="KEY=VALUE", help="a metadata value, typed by its text; repeatable")
    parser.add_argument("--meta-text", action="append", default=[], metavar="KEY=VALUE", help="a metadata value kept as text; repeatable")
    parser.add_argument("--location", metavar="FOLDER", help="the folder the files are in (default: the working folder when files are given)")
    parser.add_argument("-f", "--file", action="append", default=[], metavar="PATH", help="a file of the dataset, under --location; repeatable")
    parser.add_argument("--no-checksum", action="store_true", help="record the files' paths only, without reading them")
    parser.add_argument("--derived-from", action="append", default=[], metavar="DATASET", help="a dataset (PID or name) this one was made from; repeatable")
    parser.add_argument("--pid", help="a PID minted elsewhere (default: the catalogue mints one)")


def parse_value(text: str) -> Any:
    """A metadata value from its text, typed as the command's help describes."""
    stripped = text.strip()
    if stripped in ("true", "false"):
        return stripped == "true"
    if _INTEGER.fullmatch(stripped):
        return int(stripped)
    if _FLOAT.fullmatch(stripped):
        return float(stripped)
    if _TIME.fullmatch(stripped):
        return dt.parse_time(stripped)
    if stripped[:1] in ("[", "{"):
        return json.loads(stripped)
    quantity = _QUANTITY.fullmatch(stripped)
    if quantity:
        value_text, uncertainty, unit = quantity.groups()
        value: float | int = int(value_text) if _INTEGER.fullmatch(value_text) else float(value_text)
        if uncertainty is not None:
            return (value, unit.strip(), float(uncertainty))
        return (value, unit.strip())
    return text


def _pairs(items: list[str], option: str) -> list[tuple[str, str]]:
    pairs = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise CliError(f"{option} '{item}': expected KEY=VALUE", Exit.USAGE)
        pairs.append((key.strip(), value))
    return pairs


def metadata_of(args: argparse.Namespace) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    for key, value in _pairs(args.meta, "--meta"):
        try:
            metadata[key] = parse_value(value)
        except json.JSONDecodeError as e:
            raise CliError(f"--meta {key}: '{value}' is not valid JSON ({e.msg} at position {e.pos})", Exit.USAGE) from None
        except dt.ValidationError as e:
            raise CliError(f"--meta {key}: '{value}' is not a valid time ({e.violations[0].rule if e.violations else e})", Exit.USAGE) from None
    for key, value in _pairs(args.meta_text, "--meta-text"):
        metadata[key] = value
    return metadata


def files_of(args: argparse.Namespace) -> tuple[str, list[str]]:
    """The dataset's location, made absolute so that `verify` finds the files from anywhere, and
    the files' paths relative to it."""
    if args.location is None and not args.file:
        return "", []
    location = os.path.abspath(args.location if args.location is not None else os.curdir)
    files = []
    for path in args.file:
        full = os.path.abspath(os.path.join(location, path))
        relative = os.path.relpath(full, location)
        if relative == os.curdir or relative.startswith(os.pardir + os.sep) or relative == os.pardir:
            raise CliError(f"--file '{path}' is not under the location '{location}'", Exit.USAGE)
        if not args.no_checksum and not os.path.isfile(full):
            raise CliError(f"--file '{path}': no such file '{full}'", Exit.USAGE)
        files.append(relative)
    return location, files


def run(args: argparse.Namespace) -> int:
    metadata = metadata_of(args)
    location, files = files_of(args)
    with open_catalog(args, write=True) as cat:
        # Sources are looked up before anything is written, so that a wrong one leaves nothing behind.
        sources = [dataset_by_reference(cat, ref).pid for ref in args.derived_from]
        dataset = cat.register_dataset(
            args.name,
            kind=args.kind,
            description=args.description,
            investigation=args.investigation,
            instrument=args.instrument,
            sample=args.sample,
            techniques=args.technique,
            keywords=args.keyword,
            start_time=args.start,
            end_time=args.end,
            location=location,
            schema=args.schema,
            metadata=metadata,
            state=args.state,
            files=files,
            pid=args.pid,
            describe_files=bool(files) and not args.no_checksum,
        )
        for source in sources:
            cat.add_derivation(dataset, source)
    if args.json:
        print_json(dataset_dict(dataset))
    else:
        print(f"registered {dataset.name} as {dataset.pid}")
        for v in dataset.violations:
            print(f"  invalid: {v.field} = '{v.value}': {v.rule}")
    return Exit.OK
