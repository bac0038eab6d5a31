"""``datatrail stats``: how many of each record the catalogue holds."""

from __future__ import annotations

import argparse
from typing import Any

from ._common import Exit, human_size, open_catalog, print_json

JSON_HELP = "print the counts as one JSON object"


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    parser.description = "Count datasets (by kind and state, invalid ones), activities, agents and the other records."
    parser.add_argument("--files", action="store_true", help="also count the files and their size (reads every dataset)")


def run(args: argparse.Namespace) -> int:
    with open_catalog(args) as cat:
        stats: dict[str, Any] = {
            "catalog": {"pid_prefix": cat.pid_prefix, "schema_version": cat.schema_version},
            "datasets": {
                "total": cat.count_datasets(),
                "raw": cat.count_datasets(kind="raw"),
                "processed": cat.count_datasets(kind="processed"),
                **{state: cat.count_datasets(state=state) for state in ("acquiring", "complete", "failed")},
                "invalid": cat.count_datasets(valid=False),
            },
            "activities": {"total": 0, "running": 0, "succeeded": 0, "failed": 0},
            "investigations": len(cat.investigations()),
            "instruments": len(cat.instruments()),
            "samples": len(cat.samples()),
            "agents": len(cat.agents()),
            "schemas": len(cat.schemas()),
        }
        for activity in cat.find_activities():
            stats["activities"]["total"] += 1
            stats["activities"][activity.status] = stats["activities"].get(activity.status, 0) + 1
        if args.files:
            files = [f for d in cat.find_datasets() for f in d.files]
            stats["files"] = {
                "total": len(files),
                "bytes": sum(f.size or 0 for f in files),
                "without_checksum": sum(1 for f in files if not f.sha256),
            }
    if args.json:
        print_json(stats)
        return Exit.OK
    print(f"catalogue      PID prefix {stats['catalog']['pid_prefix']}, schema version {stats['catalog']['schema_version']}")
    for title in ("datasets", "activities"):
        counts = stats[title]
        details = ", ".join(f"{v} {k}" for k, v in counts.items() if k != "total")
        print(f"{title:<15}{counts['total']} ({details})")
    for title in ("investigations", "instruments", "samples", "agents", "schemas"):
        print(f"{title:<15}{stats[title]}")
    if args.files:
        f = stats["files"]
        print(f"{'files':<15}{f['total']} ({human_size(f['bytes'])}, {f['without_checksum']} without checksum)")
    return Exit.OK
