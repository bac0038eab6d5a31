"""The ``datatrail`` command line: ``datatrail <command> [options]`` (also ``python -m datatrail``).

Each command lives in its own module of this package, imported only when that command runs: the
command table below holds what ``datatrail --help`` lists, so listing the commands imports none of
them. A module provides ``configure(parser)``, which adds its arguments, and ``run(args) -> int``,
which returns the exit code. Adding a command is one module and one row of :data:`COMMANDS`.

Exit codes (docs/cli.md): 0 success, 1 findings (checksum mismatches, missing files, invalid
datasets or schemas), 2 usage error, 3 no catalogue or it cannot be opened, 4 refused by the
catalogue (invalid input, a conflict, a record not found), 5 failed while running (storage, I/O,
Graphviz), 70 a bug in datatrail, 130 interrupted, 141 output pipe closed.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from typing import NamedTuple, NoReturn

__all__ = ["COMMANDS", "main"]


class Parser(argparse.ArgumentParser):
    """argparse's parser, with its usage errors worded as every other error of the command line."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        command = self.prog.removeprefix("datatrail").strip()
        self.exit(2, f"datatrail: error: {command + ': ' if command else ''}{message}\n")


class Command(NamedTuple):
    module: str
    summary: str


#: Every command, in the order ``datatrail --help`` lists them: its module under this package and
#: its one-line summary.
COMMANDS: dict[str, Command] = {
    "init": Command("init", "create a catalogue (or check an existing one)"),
    "register": Command("register", "register a dataset with its metadata and files"),
    "ingest": Command("ingest", "register NeXus files, their metadata and lineage"),
    "show": Command("show", "show datasets or activities in full"),
    "query": Command("query", "find datasets with the query language"),
    "search": Command("query", "find datasets by full-text search"),
    "lineage": Command("lineage", "what a dataset was made from, or what was made from it"),
    "export": Command("export", "export provenance as W3C PROV-JSON or PROV-N"),
    "verify": Command("verify", "re-checksum the files of datasets"),
    "schema": Command("schema", "metadata schemas: add, list, show, check"),
    "validate": Command("validate", "check datasets against their metadata schemas"),
    "merge": Command("merge", "merge another catalogue into this one"),
    "stats": Command("stats", "count what the catalogue holds"),
}

#: Options of the main parser that take a value, so that the command name can be found in argv
#: without parsing it first.
_VALUE_OPTIONS = ("-c", "--catalog")


def _command_in(argv: Sequence[str]) -> str | None:
    """The command argv names: its first argument that is not an option or an option's value."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg == "--":
            return None
        if arg in _VALUE_OPTIONS:
            skip = True
            continue
        if arg.startswith("-"):
            continue
        return arg if arg in COMMANDS else None
    return None


def _common_options(json_help: str) -> Parser:
    """Options every command takes, before or after its name. SUPPRESS as default keeps a value
    given before the command from being reset by the command's own parser."""
    common = Parser(add_help=False)
    common.add_argument(
        "-c",
        "--catalog",
        metavar="LOCATION",
        default=argparse.SUPPRESS,
        help="the catalogue: an SQLite file, sqlite:///abs/path.db or postgresql://... "
        "(default: $DATATRAIL_CATALOG)",
    )
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help=json_help)
    return common


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    """The parser for argv: every command is listed, only the one argv names is configured."""
    from .. import __version__

    parser = Parser(
        prog="datatrail",
        description="A provenance and metadata catalogue for research data, at the command line.",
        epilog="Run 'datatrail COMMAND --help' for a command's options. Documentation: docs/cli.md.",
        parents=[_common_options("print records as JSON")],
    )
    parser.add_argument("--version", action="version", version=f"datatrail {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    chosen = _command_in(argv)
    for name, command in COMMANDS.items():
        if name != chosen:
            commands.add_parser(name, help=command.summary)
            continue
        module = importlib.import_module(f"{__name__}.{command.module}")
        sub = commands.add_parser(
            name,
            help=command.summary,
            description=command.summary[0].upper() + command.summary[1:] + ".",
            parents=[_common_options(getattr(module, "JSON_HELP", "print records as JSON"))],
        )
        module.configure(sub, name)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    from ._common import Exit, report_error

    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser(args_list)
        try:
            args = parser.parse_args(args_list)
        except SystemExit as e:  # argparse's --help, --version and usage errors
            return int(e.code) if isinstance(e.code, int) else Exit.USAGE
        if getattr(args, "command", None) is None:
            parser.print_usage(sys.stderr)
            print("datatrail: error: a command is required (datatrail --help lists them)", file=sys.stderr)
            return Exit.USAGE
        if not hasattr(args, "catalog"):
            args.catalog = os.environ.get("DATATRAIL_CATALOG") or None
        if not hasattr(args, "json"):
            args.json = False
        code: int = args.run(args)
        sys.stdout.flush()
        return code
    except KeyboardInterrupt:
        print("datatrail: interrupted", file=sys.stderr)
        return Exit.INTERRUPTED
    except BrokenPipeError:
        # The reader (head, less) has gone: say nothing more, and keep Python from complaining
        # about the unflushed stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return Exit.BROKEN_PIPE
    except Exception as e:  # noqa: BLE001 - every error ends as one line and an exit code
        code = report_error(e)
        if code == Exit.BUG:
            traceback.print_exc()
        return code
