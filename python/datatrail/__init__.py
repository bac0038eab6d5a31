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
    DatasetFile,
    Environment,
    Error,
    IngestItem,
    IngestReport,
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
    Schema,
    SchemaField,
    SchemaReport,
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
    ingest,
    is_valid_metadata_key,
    is_valid_pid,
    is_valid_pid_prefix,
    key,
    load_schema,
    network_file_system,
    network_file_system_name,
    new_pid,
    new_ulid,
    nexus,
    parse_conditions,
    parse_query,
    parse_schema,
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
from ._datasets import Datasets
from ._quantity import Quantity
from .tasks import (
    CacheWarning,
    Explanation,
    Task,
    TaskResult,
    TaskRun,
    Workflow,
    current_task,
    current_workflow,
    explain,
    task,
    task_run,
    workflow,
)

__version__: str = _core.__version__

# After everything above: the notebook recorder uses ActivityRun and the task helpers.
from . import jupyter  # noqa: E402


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext datatrail``: the ``%datatrail`` magic that records a notebook session
    (:mod:`datatrail.jupyter`)."""
    jupyter.load_ipython_extension(ipython)


def unload_ipython_extension(ipython: object) -> None:
    """``%unload_ext datatrail``: stops recording and removes the magic and hooks."""
    jupyter.unload_ipython_extension(ipython)

# The units and nexus submodules live in the extension; registering them makes `import datatrail.units` and
# `from datatrail.units import convert` work as they would for a package module.
_sys.modules.setdefault(__name__ + ".units", units)
_sys.modules.setdefault(__name__ + ".nexus", nexus)

__all__ = [
    "Activity",
    "ActivityRun",
    "Agent",
    "CacheWarning",
    "Association",
    "Catalog",
    "Condition",
    "Conflict",
    "Datafile",
    "Dataset",
    "DatasetFile",
    "Datasets",
    "Environment",
    "Error",
    "Explanation",
    "IngestItem",
    "IngestReport",
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
    "Schema",
    "SchemaField",
    "SchemaReport",
    "StorageError",
    "Task",
    "TaskResult",
    "TaskRun",
    "UnitError",
    "Used",
    "ValidationError",
    "Violation",
    "Workflow",
    "__version__",
    "capture_environment",
    "check_catalog_file_system",
    "compare_versions",
    "current_task",
    "current_workflow",
    "describe_file",
    "explain",
    "file_system_magic",
    "format_time",
    "guess_format",
    "host_name",
    "ingest",
    "is_valid_metadata_key",
    "is_valid_pid",
    "is_valid_pid_prefix",
    "jupyter",
    "key",
    "load_schema",
    "network_file_system",
    "network_file_system_name",
    "new_pid",
    "new_ulid",
    "nexus",
    "parse_conditions",
    "parse_query",
    "parse_schema",
    "parse_time",
    "sha256_file",
    "task",
    "task_run",
    "text",
    "to_dot",
    "to_prov_json",
    "to_prov_n",
    "to_svg",
    "units",
    "workflow",
]
