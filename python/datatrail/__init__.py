"""datatrail: a provenance and metadata catalogue for research facilities.

Records what research data exists (datasets, their files, typed and unit-aware metadata), where
it came from (investigations, instruments, samples) and how it was made, in an SQLite catalogue.

>>> import datatrail as dt
>>> with dt.Catalog("beamtime.db") as cat:
...     ds = cat.register_dataset("scan_001", metadata={"energy": (12.7, "keV")})
"""

from __future__ import annotations

import sys as _sys

from . import _core
from ._core import (
    Catalog,
    Condition,
    Conflict,
    Datafile,
    Dataset,
    Error,
    Instrument,
    Investigation,
    NexusError,
    NotFound,
    Participant,
    QuerySyntaxError,
    Sample,
    StorageError,
    UnitError,
    ValidationError,
    Violation,
    describe_file,
    format_time,
    guess_format,
    is_valid_metadata_key,
    is_valid_pid,
    is_valid_pid_prefix,
    new_pid,
    new_ulid,
    parse_conditions,
    parse_time,
    sha256_file,
    units,
)
from ._quantity import Quantity

__version__: str = _core.__version__

# The units submodule lives in the extension; registering it makes `import datatrail.units` and
# `from datatrail.units import convert` work as they would for a package module.
_sys.modules.setdefault(__name__ + ".units", units)

__all__ = [
    "Catalog",
    "Condition",
    "Conflict",
    "Datafile",
    "Dataset",
    "Error",
    "Instrument",
    "Investigation",
    "NexusError",
    "NotFound",
    "Participant",
    "Quantity",
    "QuerySyntaxError",
    "Sample",
    "StorageError",
    "UnitError",
    "ValidationError",
    "Violation",
    "__version__",
    "describe_file",
    "format_time",
    "guess_format",
    "is_valid_metadata_key",
    "is_valid_pid",
    "is_valid_pid_prefix",
    "new_pid",
    "new_ulid",
    "parse_conditions",
    "parse_time",
    "sha256_file",
    "units",
]
