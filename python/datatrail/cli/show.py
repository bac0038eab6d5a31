"""``datatrail show``: datasets and activities in full."""

from __future__ import annotations

import argparse
from typing import Any

import datatrail as dt

from ._common import (
    ACTIVITY_FIELDS,
    CliError,
    DATASET_FIELDS,
    Exit,
    activity_dict,
    dataset_by_reference,
    dataset_dict,
    human_size,
    open_catalog,
    print_json,
    text,
)

JSON_HELP = "print the records as one JSON list"


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    parser.description = "Show datasets (by PID or unique name) and activities (by PID) with every field."
    parser.add_argument("records", nargs="+", metavar="PID_OR_NAME")


def _record(cat: dt.Catalog, reference: str) -> dict[str, Any]:
    """A dataset, or else an activity, as a dict whose "record" says which."""
    if dt.is_valid_pid(reference):
        try:
            return {"record": "activity", **activity_dict(cat.get_activity(reference))}
        except dt.NotFound:
            pass
    try:
        return {"record": "dataset", **dataset_dict(dataset_by_reference(cat, reference))}
    except CliError:
        if dt.is_valid_pid(reference):
            raise CliError(f"no dataset or activity with PID or name '{reference}' in the catalogue", Exit.REFUSED) from None
        raise


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _print_fields(record: dict[str, Any], fields: tuple[str, ...]) -> None:
    for field in fields:
        if field in ("pid", "name") or _empty(record[field]):
            continue
        value = record[field]
        shown = ", ".join(value) if isinstance(value, list) else text(value)
        print(f"  {field + ':':<15}{shown}")


def _print_values(title: str, values: dict[str, Any]) -> None:
    if not values:
        return
    print(f"  {title}:")
    width = max(len(k) for k in values)
    for key, value in values.items():
        if isinstance(value, dict) and "unit" in value and "value" in value:
            shown = f"{text(value['value'])}"
            if "uncertainty" in value:
                shown += f" ± {text(value['uncertainty'])}"
            shown += f" {value['unit']}" if value["unit"] else ""
        else:
            shown = text(value)
        print(f"    {key:<{width}}  {shown}")


def print_dataset(record: dict[str, Any]) -> None:
    print(f"{record['name']}  {record['pid']}")
    _print_fields(record, DATASET_FIELDS)
    _print_values("metadata", record["metadata"])
    if record["files"]:
        print("  files:")
        for f in record["files"]:
            checksum = f"sha256:{f['sha256']}" if f["sha256"] else "no checksum"
            print(f"    {f['path']}  {human_size(f['size'])}  {checksum}")
    if record["violations"]:
        print("  violations:")
        for v in record["violations"]:
            print(f"    {v['field']} = '{v['value']}': {v['rule']}")


def print_activity(record: dict[str, Any]) -> None:
    print(f"{record['name']}  {record['pid']}")
    _print_fields(record, ACTIVITY_FIELDS)
    _print_values("parameters", record["parameters"])
    for title, items in (("used", record["used"]), ("agents", record["agents"])):
        if items:
            print(f"  {title}:")
            for item in items:
                print("    " + "  ".join(str(v) for v in item.values() if v))
    for title in ("generated", "informed_by"):
        if record[title]:
            print(f"  {title}:")
            for pid in record[title]:
                print(f"    {pid}")


def run(args: argparse.Namespace) -> int:
    with open_catalog(args) as cat:
        records = [_record(cat, ref) for ref in args.records]
    if args.json:
        print_json(records)
        return Exit.OK
    for i, record in enumerate(records):
        if i:
            print()
        (print_dataset if record["record"] == "dataset" else print_activity)(record)
    return Exit.OK

