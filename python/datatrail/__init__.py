"""datatrail: a provenance and metadata catalogue for research facilities.

Records what research data exists (datasets, their files, typed and unit-aware metadata), where
it came from (investigations, instruments, samples) and how it was made (activities, agents and
the W3C PROV links between them), in an SQLite catalogue.

>>> import datatrail as dt
>>> with dt.Catalog("beamtime.db") as cat:
...     ds = cat.register_dataset("scan_001", metadata={"energy": (12.7, "keV")})
"""

from __future__ import annotations

import sys as _sys

from . import _core
from ._core import (
    Activity,
    Agent,
    Association,
    Catalog,
    Condition,
    Conflict,
    Datafile,
    Dataset,
    Environment,
    Error,
    Instrument,
    Investigation,
    Key,
    MergeCount,
    MergeReport,
    NexusError,
    NotFound,
    Participant,
    ProvEdge,
    ProvGraph,
    ProvNode,
    Query,
    QuerySyntaxError,
    Sample,
    StorageError,
    UnitError,
    Used,
    ValidationError,
    Violation,
    capture_environment,
    check_catalog_file_system,
    compare_versions,
    describe_file,
    file_system_magic,
    format_time,
    guess_format,
    host_name,
    is_valid_metadata_key,
    is_valid_pid,
    is_valid_pid_prefix,
    key,
    network_file_system,
    network_file_system_name,
    new_pid,
    new_ulid,
    parse_conditions,
    parse_query,
    parse_time,
    sha256_file,
    text,
    to_dot,
    to_prov_json,
    to_prov_n,
    to_svg,
    units,
)
from ._activity import ActivityRun
from ._quantity import Quantity

__version__: str = _core.__version__

# The units submodule lives in the extension; registering it makes `import datatrail.units` and
# `from datatrail.units import convert` work as they would for a package module.
_sys.modules.setdefault(__name__ + ".units", units)

__all__ = [
    "Activity",
    "ActivityRun",
    "Agent",
    "Association",
    "Catalog",
    "Condition",
    "Conflict",
    "Datafile",
    "Dataset",
    "Environment",
    "Error",
    "Instrument",
    "Investigation",
    "Key",
    "MergeCount",
    "MergeReport",
    "NexusError",
    "NotFound",
    "Participant",
    "ProvEdge",
    "ProvGraph",
    "ProvNode",
    "Quantity",
    "Query",
    "QuerySyntaxError",
    "Sample",
    "StorageError",
    "UnitError",
    "Used",
    "ValidationError",
    "Violation",
    "__version__",
    "capture_environment",
    "check_catalog_file_system",
    "compare_versions",
    "describe_file",
    "file_system_magic",
    "format_time",
    "guess_format",
    "host_name",
    "is_valid_metadata_key",
    "is_valid_pid",
    "is_valid_pid_prefix",
    "key",
    "network_file_system",
    "network_file_system_name",
    "new_pid",
    "new_ulid",
    "parse_conditions",
    "parse_query",
    "parse_time",
    "sha256_file",
    "text",
    "to_dot",
    "to_prov_json",
    "to_prov_n",
    "to_svg",
    "units",
]
