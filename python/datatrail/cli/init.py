"""``datatrail init``: create a catalogue, the only command that does."""

from __future__ import annotations

import argparse
import os

import datatrail as dt

from ._common import CliError, Exit, catalog_location, is_uri, one_line, print_json, shown

JSON_HELP = "print the catalogue's description as JSON"


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    parser.description = (
        "Create the catalogue named by --catalog (or DATATRAIL_CATALOG): an SQLite file, or datatrail's "
        "tables in a PostgreSQL database. An existing catalogue is left as it is (migrated if older); "
        "an SQLite file that holds something else is refused."
    )
    parser.add_argument("--prefix", metavar="PREFIX", help="the PID prefix of a new catalogue (default: local)")


def _existing(location: str) -> bool:
    """Whether the location already holds a catalogue; raises for a file that holds something else."""
    try:
        dt.Catalog(location, read_only=True, lineage_index=False).close()
        return True
    except dt.NotFound:
        return False
    except dt.Error as e:
        message = one_line(str(e))
        if not is_uri(location) and os.path.isfile(location) and os.path.getsize(location) > 0:
            raise CliError(f"'{location}' is not a datatrail catalogue, and init leaves it alone: {message}", Exit.NO_CATALOG) from None
        # A PostgreSQL database without datatrail's tables, an empty file, an older catalogue:
        # the read-write open below creates or migrates it, or says why it cannot.
        return False


def run(args: argparse.Namespace) -> int:
    location = catalog_location(args)
    existed = _existing(location)
    try:
        cat = dt.Catalog(location, pid_prefix=args.prefix, lineage_index=False)
    except (dt.Conflict, dt.ValidationError):
        raise  # a prefix that breaks a rule or differs from the catalogue's: refused, not unopenable
    except dt.Error as e:
        raise CliError(f"cannot create the catalogue '{shown(location)}': {one_line(str(e))}", Exit.NO_CATALOG) from None
    with cat:
        record = {
            "catalog": shown(location),
            "created": not existed,
            "pid_prefix": cat.pid_prefix,
            "schema_version": cat.schema_version,
        }
    if args.json:
        print_json(record)
    elif existed:
        print(f"catalogue {record['catalog']} already exists (PID prefix {record['pid_prefix']})")
    else:
        print(f"created catalogue {record['catalog']} (PID prefix {record['pid_prefix']})")
    return Exit.OK
