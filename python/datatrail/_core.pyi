"""
The compiled core of datatrail: the catalogue, its records, provenance (agents, activities,
lineage graphs and their PROV exports), metadata conversion, units, file-system checks, NeXus
files and the error classes.
Import :mod:`datatrail` instead; it re-exports all of this.
"""
from __future__ import annotations
import collections.abc
import datatrail._activity
import datatrail._datasets
import datatrail._quantity
from datatrail import nexus
from datatrail import units
import datetime
import os
import types
import typing
__all__: list[str] = ['Activity', 'Agent', 'Association', 'Catalog', 'Condition', 'Conflict', 'Datafile', 'Dataset', 'DatasetFile', 'Environment', 'Error', 'IngestItem', 'IngestReport', 'Instrument', 'Investigation', 'Key', 'MergeCount', 'MergeReport', 'NexusError', 'NotFound', 'Participant', 'ProvEdge', 'ProvGraph', 'ProvNode', 'Query', 'QuerySyntaxError', 'Sample', 'Schema', 'SchemaField', 'SchemaReport', 'StorageError', 'UnitError', 'Used', 'ValidationError', 'Violation', 'capture_environment', 'check_catalog_file_system', 'compare_versions', 'describe_file', 'file_system_magic', 'format_time', 'guess_format', 'host_name', 'ingest', 'is_valid_metadata_key', 'is_valid_pid', 'is_valid_pid_prefix', 'key', 'load_schema', 'network_file_system', 'network_file_system_name', 'new_pid', 'new_ulid', 'nexus', 'parse_conditions', 'parse_query', 'parse_schema', 'parse_time', 'sha256_file', 'text', 'to_dot', 'to_prov_json', 'to_prov_n', 'to_svg', 'units']
class Violation:
    """
    One broken rule found while checking input: which field, the value it had, which rule it broke.
    
    A :class:`ValidationError` carries every violation found, not just the first.
    
    :param field: the field, as a path: ``"datasets[3].metadata.energy"``
    :param value: the offending value as text
    :param rule: the rule it broke, e.g. ``"unit must be known to UDUNITS-2 or a datatrail alias"``
    """
    __hash__: typing.ClassVar[None] = None
    def __copy__(self) -> Violation:
        """
        A copy.
        """
    def __deepcopy__(self, memo: dict[int, typing.Any]) -> Violation:
        """
        A copy (the fields are plain values, so it is as deep as it gets).
        """
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> tuple[typing.Any, ...]:
        ...
    def __init__(self, field: str = '', value: str = '', rule: str = '') -> None:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, arg0: tuple[typing.Any, ...]) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def field(self) -> str:
        """
        The field, as a path such as ``datasets[3].metadata.energy``.
        """
    @field.setter
    def field(self, arg0: str) -> None:
        ...
    @property
    def rule(self) -> str:
        """
        The rule the value broke.
        """
    @rule.setter
    def rule(self, arg0: str) -> None:
        ...
    @property
    def value(self) -> str:
        """
        The offending value, as text.
        """
    @value.setter
    def value(self, arg0: str) -> None:
        ...
class Error(Exception):
    """
    The base of every error datatrail reports.
    """
class ValidationError(Error, ValueError):
    """
    Input broke one or more rules; nothing was written.
    
    :attr:`violations` lists every broken rule (field, value, rule), not just the first.
    """
    @property
    def violations(self) -> list[Violation]:
        """
        Every broken rule, as :class:`Violation` objects.
        """
class UnitError(ValidationError):
    """
    A unit that UDUNITS-2 cannot parse, or a unit of the wrong dimension.
    """
class NotFound(Error, LookupError):
    """
    Looked up by PID or name (or a file by path) and not there.
    """
class Conflict(Error):
    """
    The write would clash with what the catalogue holds (a duplicate PID or name, or a merge whose
    records differ from the catalogue's).
    
    :attr:`differences` lists each clash of a merge as :class:`Violation` objects: the field names the
    record and its field, the value is the incoming one, the rule says what it clashes with.
    """
    @property
    def differences(self) -> list[Violation]:
        """
        Each clash, as :class:`Violation` objects (empty for a single one).
        """
class QuerySyntaxError(Error, ValueError):
    """
    A query string that does not parse.
    
    :attr:`query` is the text and :attr:`position` the 0-based offset of the problem in it.
    """
    @property
    def position(self) -> int:
        """
        The 0-based offset of the problem in :attr:`query`.
        """
    @property
    def query(self) -> str:
        """
        The query text that failed to parse.
        """
class StorageError(Error, OSError):
    """
    The storage backend failed: I/O, a database locked past the busy timeout, corruption, or a
    catalogue written by a newer datatrail.
    """
class NexusError(Error):
    """
    Reading or writing a NeXus/HDF5 file failed.
    """
class Datafile:
    """
    One file of a dataset, at a path relative to the dataset's location.
    
    Wherever files are accepted (``files=`` of :meth:`Catalog.register_dataset`,
    :meth:`Catalog.add_files`) a plain path or a dict with these keys does as well.
    
    :param path: the path relative to the dataset's location
    :param size: the size in bytes, or None when unknown
    :param sha256: the SHA-256 of the content as 64 lowercase hex digits; empty when not computed
    :param format: e.g. ``"nexus"``, ``"hdf5"``, ``"tiff"``; guessed from the extension when empty
    :param modified: the modification time, or None
    """
    __hash__: typing.ClassVar[None] = None
    _fields: typing.ClassVar[tuple] = ('path', 'size', 'sha256', 'format', 'modified')
    def __copy__(self) -> Datafile:
        """
        A copy.
        """
    def __deepcopy__(self, memo: dict[int, typing.Any]) -> Datafile:
        """
        A copy (the fields are plain values, so it is as deep as it gets).
        """
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> tuple[typing.Any, ...]:
        ...
    def __init__(self, path: str | os.PathLike[str] = '', size: int | None = None, sha256: str = '', format: str = '', modified: datetime.datetime | datetime.date | str | None = None) -> None:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, arg0: tuple[typing.Any, ...]) -> None:
        ...
    def _repr_html_(self) -> str:
        """
        The HTML a Jupyter notebook shows: every value escaped, long listings truncated (docs/jupyter.md).
        """
    @property
    def format(self) -> str:
        """
        The file format, e.g. ``"nexus"``; guessed from the extension when empty.
        """
    @format.setter
    def format(self, arg0: str) -> None:
        ...
    @property
    def modified(self) -> datetime.datetime | None:
        """
        The modification time (an aware datetime in UTC), or None.
        """
    @modified.setter
    def modified(self, arg1: datetime.datetime | datetime.date | str | None) -> None:
        ...
    @property
    def path(self) -> str:
        """
        The path relative to the dataset's location.
        """
    @path.setter
    def path(self, arg1: str | os.PathLike[str]) -> None:
        ...
    @property
    def sha256(self) -> str:
        """
        The SHA-256 of the content as 64 lowercase hex digits; empty when not computed.
        """
    @sha256.setter
    def sha256(self, arg0: str) -> None:
        ...
    @property
    def size(self) -> int | None:
        """
        The size in bytes, or None when unknown.
        """
    @size.setter
    def size(self, arg1: int | None) -> None:
        ...
class DatasetFile:
    """
    A dataset's file that :meth:`Catalog.datasets_with_file` found, and what matched.
    """
    __hash__: typing.ClassVar[None] = None
    def __eq__(self, arg0: DatasetFile) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    @property
    def at_path(self) -> bool:
        """
        The location joined with the file's path is the path asked for.
        """
    @property
    def dataset(self) -> str:
        """
        The dataset's PID.
        """
    @property
    def dataset_name(self) -> str:
        """
        The dataset's name.
        """
    @property
    def file(self) -> Datafile:
        """
        The :class:`Datafile`, its path relative to the location.
        """
    @property
    def location(self) -> str:
        """
        The dataset's location.
        """
    @property
    def same_content(self) -> bool:
        """
        The file's SHA-256 is the one asked for.
        """
class Instrument:
    """
    A beamline, end station or laboratory set-up. ``(facility, name)`` is unique in a catalogue.
    
    Made by :meth:`Catalog.add_instrument`, which mints the PID; wherever an instrument is referred to
    (``instrument=``) the object, its PID or its name will do.
    
    :param name: e.g. ``"ID11"``
    :param facility: e.g. ``"ESRF"``
    :param type: e.g. ``"beamline"``, ``"laser"``, ``"detector test bench"``
    :param pid: the PID; empty (or None) until the catalogue mints one
    """
    __hash__: typing.ClassVar[None] = None
    _fields: typing.ClassVar[tuple] = ('pid', 'name', 'facility', 'type')
    def __copy__(self) -> Instrument:
        """
        A copy.
        """
    def __deepcopy__(self, memo: dict[int, typing.Any]) -> Instrument:
        """
        A copy (the fields are plain values, so it is as deep as it gets).
        """
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> tuple[typing.Any, ...]:
        ...
    def __init__(self, name: str = '', facility: str = '', type: str = '', pid: str | None = None) -> None:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, arg0: tuple[typing.Any, ...]) -> None:
        ...
    def _repr_html_(self) -> str:
        """
        The HTML a Jupyter notebook shows: every value escaped, long listings truncated (docs/jupyter.md).
        """
    @property
    def facility(self) -> str:
        """
        The facility, e.g. ``"ESRF"``.
        """
    @facility.setter
    def facility(self, arg0: str) -> None:
        ...
    @property
    def name(self) -> str:
        """
        The name, e.g. ``"ID11"``.
        """
    @name.setter
    def name(self, arg0: str) -> None:
        ...
    @property
    def pid(self) -> str:
        """
        The PID; empty until the catalogue mints one.
        """
    @pid.setter
    def pid(self, arg0: str) -> None:
        ...
    @property
    def type(self) -> str:
        """
        The kind of set-up, e.g. ``"beamline"``.
        """
    @type.setter
    def type(self, arg0: str) -> None:
        ...
class Participant:
    """
    A person taking part in an investigation.
    
    Wherever participants are accepted a dict with these keys does as well.
    
    :param name: the person's name
    :param role: free text; ``"PI"``, ``"co-investigator"``, ``"local contact"`` are usual
    :param orcid: optional, e.g. ``"0000-0002-1825-0097"``; its checksum is verified when stored
    :param email: optional
    """
    __hash__: typing.ClassVar[None] = None
    _fields: typing.ClassVar[tuple] = ('name', 'role', 'orcid', 'email')
    def __copy__(self) -> Participant:
        """
        A copy.
        """
    def __deepcopy__(self, memo: dict[int, typing.Any]) -> Participant:
        """
        A copy (the fields are plain values, so it is as deep as it gets).
        """
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> tuple[typing.Any, ...]:
        ...
    def __init__(self, name: str = '', role: str = '', orcid: str = '', email: str = '') -> None:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, arg0: tuple[typing.Any, ...]) -> None:
        ...
    def _repr_html_(self) -> str:
        """
        The HTML a Jupyter notebook shows: every value escaped, long listings truncated (docs/jupyter.md).
        """
    @property
    def email(self) -> str:
        """
        The e-mail address; optional.
        """
    @email.setter
    def email(self, arg0: str) -> None:
        ...
    @property
    def name(self) -> str:
        """
        The person's name.
        """
    @name.setter
    def name(self, arg0: str) -> None:
        ...
    @property
    def orcid(self) -> str:
        """
        The ORCID iD, e.g. ``"0000-0002-1825-0097"``; optional.
        """
    @orcid.setter
    def orcid(self, arg0: str) -> None:
        ...
    @property
    def role(self) -> str:
        """
        The role, e.g. ``"PI"``.
        """
    @role.setter
    def role(self, arg0: str) -> None:
        ...
class Investigation:
    """
    A proposal, beamtime or experiment session. The name (e.g. the proposal number) is unique in a
    catalogue.
    
    Made by :meth:`Catalog.add_investigation`, which mints the PID; wherever an investigation is
    referred to (``investigation=``) the object, its PID or its name will do.
    
    :param name: e.g. the proposal number ``"ma1234"``
    :param title: the title
    :param summary: the abstract
    :param start_time: the start (see :meth:`Catalog.add_investigation` for accepted times)
    :param end_time: the end
    :param instrument: the instrument: an :class:`Instrument`, its PID or its name
    :param participants: :class:`Participant` objects or dicts with their keys
    :param release_date: the end of the embargo
    :param doi: optional, ``"10.<registrant>/<suffix>"``
    :param pid: the PID; empty (or None) until the catalogue mints one
    """
    __hash__: typing.ClassVar[None] = None
    _fields: typing.ClassVar[tuple] = ('pid', 'name', 'title', 'summary', 'start_time', 'end_time', 'instrument', 'participants', 'release_date', 'doi')
    def __copy__(self) -> Investigation:
        """
        A copy.
        """
    def __deepcopy__(self, memo: dict[int, typing.Any]) -> Investigation:
        """
        A copy (the fields are plain values, so it is as deep as it gets).
        """
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> tuple[typing.Any, ...]:
        ...
    def __init__(self, name: str = '', title: str = '', summary: str = '', start_time: datetime.datetime | datetime.date | str | None = None, end_time: datetime.datetime | datetime.date | str | None = None, instrument: str | Instrument | None = None, participants: collections.abc.Iterable[Participant | collections.abc.Mapping[str, str]] = (), release_date: datetime.datetime | datetime.date | str | None = None, doi: str = '', pid: str | None = None) -> None:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, arg0: tuple[typing.Any, ...]) -> None:
        ...
    def _repr_html_(self) -> str:
        """
        The HTML a Jupyter notebook shows: every value escaped, long listings truncated (docs/jupyter.md).
        """
    @property
    def doi(self) -> str:
        """
        The DOI, ``"10.<registrant>/<suffix>"``; optional.
        """
    @doi.setter
    def doi(self, arg0: str) -> None:
        ...
    @property
    def end_time(self) -> datetime.datetime | None:
        """
        The end (an aware datetime in UTC), or None.
        """
    @end_time.setter
    def end_time(self, arg1: datetime.datetime | datetime.date | str | None) -> None:
        ...
    @property
    def instrument(self) -> str:
        """
        The instrument's PID (or the name it was given by); empty when none. Set it to an :class:`Instrument`, a PID or a name.
        """
    @instrument.setter
    def instrument(self, arg1: str | Instrument | None) -> None:
        ...
    @property
    def name(self) -> str:
        """
        The name, e.g. the proposal number; unique in a catalogue.
        """
    @name.setter
    def name(self, arg0: str) -> None:
        ...
    @property
    def participants(self) -> list[Participant]:
        """
        The participants. A new list on every access: change it by assigning a new sequence.
        """
    @participants.setter
    def participants(self, arg1: collections.abc.Iterable[Participant | collections.abc.Mapping[str, str]]) -> None:
        ...
    @property
    def pid(self) -> str:
        """
        The PID; empty until the catalogue mints one.
        """
    @pid.setter
    def pid(self, arg0: str) -> None:
        ...
    @property
    def release_date(self) -> datetime.datetime | None:
        """
        The end of the embargo (an aware datetime in UTC), or None.
        """
    @release_date.setter
    def release_date(self, arg1: datetime.datetime | datetime.date | str | None) -> None:
        ...
    @property
    def start_time(self) -> datetime.datetime | None:
        """
        The start (an aware datetime in UTC), or None.
        """
    @start_time.setter
    def start_time(self, arg1: datetime.datetime | datetime.date | str | None) -> None:
        ...
    @property
    def summary(self) -> str:
        """
        The abstract.
        """
    @summary.setter
    def summary(self, arg0: str) -> None:
        ...
    @property
    def title(self) -> str:
        """
        The title.
        """
    @title.setter
    def title(self, arg0: str) -> None:
        ...
class Sample:
    """
    A sample: what was measured. It may have been cut from a parent sample.
    
    Made by :meth:`Catalog.add_sample`, which mints the PID; wherever a sample is referred to
    (``sample=``, ``parent=``) the object, its PID or its name will do.
    
    :param name: the name
    :param description: free text
    :param formula: the chemical formula or sample type
    :param investigation: the investigation: an :class:`Investigation`, its PID or its name
    :param parent: the sample this one was cut from: a :class:`Sample`, its PID or its name
    :param metadata: typed metadata, as for :meth:`Catalog.register_dataset`
    :param pid: the PID; empty (or None) until the catalogue mints one
    """
    __hash__: typing.ClassVar[None] = None
    _fields: typing.ClassVar[tuple] = ('pid', 'name', 'description', 'formula', 'investigation', 'parent', 'metadata')
    def __copy__(self) -> Sample:
        """
        A copy.
        """
    def __deepcopy__(self, memo: dict[int, typing.Any]) -> Sample:
        """
        A copy (the fields are plain values, so it is as deep as it gets).
        """
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> tuple[typing.Any, ...]:
        ...
    def __init__(self, name: str = '', description: str = '', formula: str = '', investigation: str | Investigation | None = None, parent: str | Sample | None = None, metadata: collections.abc.Mapping[str, typing.Any] | None = None, pid: str | None = None) -> None:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, arg0: tuple[typing.Any, ...]) -> None:
        ...
    def _repr_html_(self) -> str:
        """
        The HTML a Jupyter notebook shows: every value escaped, long listings truncated (docs/jupyter.md).
        """
    @property
    def description(self) -> str:
        """
        Free text.
        """
    @description.setter
    def description(self, arg0: str) -> None:
        ...
    @property
    def formula(self) -> str:
        """
        The chemical formula or sample type.
        """
    @formula.setter
    def formula(self, arg0: str) -> None:
        ...
    @property
    def investigation(self) -> str:
        """
        The investigation's PID (or the name it was given by); empty when none. Set it to an :class:`Investigation`, a PID or a name.
        """
    @investigation.setter
    def investigation(self, arg1: str | Investigation | None) -> None:
        ...
    @property
    def metadata(self) -> dict[str, typing.Any]:
        """
        The metadata as a new dict on every access: changing that dict does not change the sample; assign a whole mapping to replace it.
        """
    @metadata.setter
    def metadata(self, arg1: collections.abc.Mapping[str, typing.Any] | None) -> None:
        ...
    @property
    def name(self) -> str:
        """
        The name.
        """
    @name.setter
    def name(self, arg0: str) -> None:
        ...
    @property
    def parent(self) -> str:
        """
        The parent sample's PID (or the name it was given by); empty when none. Set it to a :class:`Sample`, a PID or a name.
        """
    @parent.setter
    def parent(self, arg1: str | Sample | None) -> None:
        ...
    @property
    def pid(self) -> str:
        """
        The PID; empty until the catalogue mints one.
        """
    @pid.setter
    def pid(self, arg0: str) -> None:
        ...
class Dataset:
    """
    A dataset, a PROV entity: raw data from an acquisition or processed data made from other
    datasets, with its files and typed metadata.
    
    Usually made by :meth:`Catalog.register_dataset`; a Dataset built here can be passed to
    :meth:`Catalog.register_datasets`. The keywords are those of :meth:`Catalog.register_dataset`,
    plus ``pid`` and ``created_at`` (which the catalogue sets).
    
    Lists and the metadata dict returned by the properties are new objects on every access:
    changing them does not change the dataset; assign a whole new value instead.
    """
    __hash__: typing.ClassVar[None] = None
    _fields: typing.ClassVar[tuple] = ('pid', 'kind', 'name', 'description', 'investigation', 'instrument', 'sample', 'techniques', 'keywords', 'start_time', 'end_time', 'location', 'schema', 'metadata', 'state', 'files', 'created_by', 'created_at', 'valid', 'violations')
    def __copy__(self) -> Dataset:
        """
        A copy.
        """
    def __deepcopy__(self, memo: dict[int, typing.Any]) -> Dataset:
        """
        A copy (the fields are plain values, so it is as deep as it gets).
        """
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> tuple[typing.Any, ...]:
        ...
    def __init__(self, name: str = '', kind: str = 'raw', *, pid: str | None = None, description: str = '', investigation: str | Investigation | None = None, instrument: str | Instrument | None = None, sample: str | Sample | None = None, techniques: collections.abc.Iterable[str] = (), keywords: collections.abc.Iterable[str] = (), start_time: datetime.datetime | datetime.date | str | None = None, end_time: datetime.datetime | datetime.date | str | None = None, location: str | os.PathLike[str] = '', schema: str = '', metadata: collections.abc.Mapping[str, typing.Any] | None = None, state: str = 'complete', files: collections.abc.Iterable[str | os.PathLike[str] | Datafile | collections.abc.Mapping[str, typing.Any]] = (), created_by: str = '', created_at: datetime.datetime | datetime.date | str | None = None) -> None:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, arg0: tuple[typing.Any, ...]) -> None:
        ...
    def _repr_html_(self) -> str:
        """
        The HTML a Jupyter notebook shows: every value escaped, long listings truncated (docs/jupyter.md).
        """
    @property
    def created_at(self) -> datetime.datetime | None:
        """
        When it was registered (an aware datetime in UTC), set by the catalogue; None before.
        """
    @created_at.setter
    def created_at(self, arg1: datetime.datetime | datetime.date | str | None) -> None:
        ...
    @property
    def created_by(self) -> str:
        """
        Who registered it; the catalogue fills in the user.
        """
    @created_by.setter
    def created_by(self, arg0: str) -> None:
        ...
    @property
    def description(self) -> str:
        """
        Free text.
        """
    @description.setter
    def description(self, arg0: str) -> None:
        ...
    @property
    def end_time(self) -> datetime.datetime | None:
        """
        The end (an aware datetime in UTC), or None.
        """
    @end_time.setter
    def end_time(self, arg1: datetime.datetime | datetime.date | str | None) -> None:
        ...
    @property
    def files(self) -> list[Datafile]:
        """
        The files, as :class:`Datafile` objects; a new list on every access.
        """
    @files.setter
    def files(self, arg1: collections.abc.Iterable[str | os.PathLike[str] | Datafile | collections.abc.Mapping[str, typing.Any]]) -> None:
        ...
    @property
    def instrument(self) -> str:
        """
        The instrument's PID (or the name it was given by); empty when none. Set it to an :class:`Instrument`, a PID or a name.
        """
    @instrument.setter
    def instrument(self, arg1: str | Instrument | None) -> None:
        ...
    @property
    def investigation(self) -> str:
        """
        The investigation's PID (or the name it was given by); empty when none. Set it to an :class:`Investigation`, a PID or a name.
        """
    @investigation.setter
    def investigation(self, arg1: str | Investigation | None) -> None:
        ...
    @property
    def keywords(self) -> list[str]:
        """
        The keywords; a new list on every access.
        """
    @keywords.setter
    def keywords(self, arg1: collections.abc.Iterable[str]) -> None:
        ...
    @property
    def kind(self) -> str:
        """
        ``"raw"`` or ``"processed"``.
        """
    @kind.setter
    def kind(self, arg1: str) -> None:
        ...
    @property
    def location(self) -> str:
        """
        The root folder or URI the files' paths are relative to.
        """
    @location.setter
    def location(self, arg1: str | os.PathLike[str]) -> None:
        ...
    @property
    def metadata(self) -> dict[str, typing.Any]:
        """
        The metadata as a new dict on every access: changing that dict does not change the dataset; assign a whole mapping to replace it. Values with a unit or uncertainty are :class:`Quantity` objects.
        """
    @metadata.setter
    def metadata(self, arg1: collections.abc.Mapping[str, typing.Any] | None) -> None:
        ...
    @property
    def name(self) -> str:
        """
        The name, e.g. ``"scan_001"``.
        """
    @name.setter
    def name(self, arg0: str) -> None:
        ...
    @property
    def pid(self) -> str:
        """
        The PID; empty until the catalogue mints one.
        """
    @pid.setter
    def pid(self, arg0: str) -> None:
        ...
    @property
    def sample(self) -> str:
        """
        The sample's PID (or the name it was given by); empty when none. Set it to a :class:`Sample`, a PID or a name.
        """
    @sample.setter
    def sample(self, arg1: str | Sample | None) -> None:
        ...
    @property
    def schema(self) -> str:
        """
        The metadata schema it was checked against, as ``"name@version"``; empty when none.
        """
    @schema.setter
    def schema(self, arg0: str) -> None:
        ...
    @property
    def start_time(self) -> datetime.datetime | None:
        """
        The start of the acquisition or processing (an aware datetime in UTC), or None.
        """
    @start_time.setter
    def start_time(self, arg1: datetime.datetime | datetime.date | str | None) -> None:
        ...
    @property
    def state(self) -> str:
        """
        ``"acquiring"``, ``"complete"`` or ``"failed"``.
        """
    @state.setter
    def state(self, arg1: str) -> None:
        ...
    @property
    def techniques(self) -> list[str]:
        """
        The techniques, e.g. ``["XRD"]``; a new list on every access.
        """
    @techniques.setter
    def techniques(self, arg1: collections.abc.Iterable[str]) -> None:
        ...
    @property
    def valid(self) -> bool:
        """
        False when a lenient schema accepted the dataset with :attr:`violations` (a strict schema refuses such a dataset); True otherwise. Find invalid datasets with ``find_datasets(valid=False)``.
        """
    @property
    def violations(self) -> list[Violation]:
        """
        The rules of its schema that the dataset breaks, as :class:`Violation` objects; a new list on every access.
        """
class SchemaField:
    """
    The rules of one metadata key in a :class:`Schema` (read-only; see docs/schemas.md).
    """
    __hash__: typing.ClassVar[None] = None
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    @property
    def allowed(self) -> list[typing.Any]:
        """
        The values allowed; empty: any.
        """
    @property
    def default(self) -> typing.Any:
        """
        The value filled in when the key is missing, else None.
        """
    @property
    def description(self) -> str:
        """
        What the key means.
        """
    @property
    def dimension(self) -> str:
        """
        Any unit of this dimension is accepted, stored as entered.
        """
    @property
    def element_type(self) -> str | None:
        """
        An array's element type, else None.
        """
    @property
    def key(self) -> str:
        """
        The metadata key, e.g. ``"detector.distance"``.
        """
    @property
    def maximum(self) -> datatrail._quantity.Quantity | None:
        """
        The largest value allowed, as a :class:`Quantity`, else None.
        """
    @property
    def minimum(self) -> datatrail._quantity.Quantity | None:
        """
        The smallest value allowed, as a :class:`Quantity`, else None.
        """
    @property
    def nexus_path(self) -> str:
        """
        Where the key goes in a NeXus file.
        """
    @property
    def pattern(self) -> str:
        """
        A regular expression the whole text must match.
        """
    @property
    def required(self) -> bool:
        """
        Whether a dataset must have the key.
        """
    @property
    def shape(self) -> list[int]:
        """
        An array's shape (-1: any length); empty: any.
        """
    @property
    def type(self) -> str:
        """
        ``"string"``, ``"integer"``, ``"float"``, ``"bool"``, ``"datetime"``, ``"enum"``, ``"array"`` or ``"json"``.
        """
    @property
    def unit(self) -> str:
        """
        Values are stored converted into this unit.
        """
class Schema:
    """
    A metadata schema: named, versioned rules for a dataset's metadata (docs/schemas.md).
    
    Made by :func:`parse_schema` or :func:`load_schema`, stored with :meth:`Catalog.add_schema`;
    the catalogue returns schemas flattened (the fields of the schemas they extend included).
    """
    __hash__: typing.ClassVar[None] = None
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def _repr_html_(self) -> str:
        """
        The HTML a Jupyter notebook shows: every value escaped, long listings truncated (docs/jupyter.md).
        """
    def check(self, dataset: typing.Any) -> list[Violation]:
        """
        The rules a dataset breaks, without a catalogue: a list of :class:`Violation` (empty: none).
        
        :param dataset: a :class:`Dataset` or a mapping of :meth:`Catalog.register_dataset` keywords
        :raises Error: for a schema that still extends another (use the catalogue's flattened schema)
        """
    def field(self, key: str) -> SchemaField | None:
        """
        The field of ``key``, else None.
        """
    @property
    def additional(self) -> bool:
        """
        Whether keys that are no field are allowed.
        """
    @property
    def applies_to(self) -> dict[str, list[str]]:
        """
        The kinds, techniques and instruments it applies to; an empty list: any.
        """
    @property
    def description(self) -> str:
        """
        What it is for.
        """
    @property
    def extends(self) -> str:
        """
        The schema it extends, as written; empty once flattened.
        """
    @property
    def fields(self) -> list[SchemaField]:
        """
        The fields, as :class:`SchemaField` objects.
        """
    @property
    def id(self) -> str:
        """
        ``"name@version"``.
        """
    @property
    def inherits(self) -> list[str]:
        """
        The schemas flattened into it, nearest first (``"base@1.0"``).
        """
    @property
    def name(self) -> str:
        """
        The name, e.g. ``"mx"``.
        """
    @property
    def source(self) -> str:
        """
        The YAML text it was read from.
        """
    @property
    def source_name(self) -> str:
        """
        The file it was read from.
        """
    @property
    def strict(self) -> bool:
        """
        True: a dataset that breaks a rule is refused; False: kept, marked invalid.
        """
    @property
    def version(self) -> str:
        """
        The version, e.g. ``"1.2"``.
        """
class SchemaReport:
    """
    What :meth:`Catalog.validate` found for one dataset.
    """
    __hash__: typing.ClassVar[None] = None
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def _repr_html_(self) -> str:
        """
        The HTML a Jupyter notebook shows: every value escaped, long listings truncated (docs/jupyter.md).
        """
    @property
    def dataset(self) -> str:
        """
        The dataset's PID.
        """
    @property
    def ok(self) -> bool:
        """
        True when it breaks none.
        """
    @property
    def schema(self) -> str:
        """
        The schema checked against (``"name@version"``); empty: none.
        """
    @property
    def violations(self) -> list[Violation]:
        """
        The rules it breaks, as :class:`Violation` objects.
        """
class Query:
    """
    A query in datatrail's query language, as a tree: what :meth:`Catalog.find_datasets` takes as
    its first argument, as text or as this object.
    
    Built by :func:`parse_query` from text, or in code with :func:`key` and :func:`text`, combined
    with ``&`` (and), ``|`` (or) and ``~`` (not):
    
    >>> q = (dt.key("technique") == "MX") & (dt.key("energy") > dt.Quantity(12, "keV"))
    >>> str(q)
    'technique == "MX" and energy > 12 keV'
    >>> dt.parse_query(str(q)) == q
    True
    
    ``str()`` gives the text of the query, which parses back to an equal tree. Grammar: docs/query.md.
    """
    def __and__(self, other: Query) -> Query:
        ...
    def __copy__(self) -> Query:
        """
        A copy.
        """
    def __deepcopy__(self, memo: dict[int, typing.Any]) -> Query:
        """
        A copy (the fields are plain values, so it is as deep as it gets).
        """
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> tuple[typing.Any, ...]:
        ...
    def __hash__(self) -> int:
        ...
    def __init__(self, text: str = '') -> None:
        """
        Parse ``text`` (see :func:`parse_query`); the empty text matches every dataset.
        """
    def __invert__(self) -> Query:
        ...
    def __or__(self, other: Query) -> Query:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, arg0: tuple[typing.Any, ...]) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def children(self) -> list[Query]:
        """
        The operands of and/or (two or more), or the one of not; else empty.
        """
    @property
    def key(self) -> str:
        """
        A condition's field or metadata key, else empty.
        """
    @property
    def kind(self) -> str:
        """
        ``"condition"``, ``"text"``, ``"and"``, ``"or"``, ``"not"`` or ``"all"`` (matches everything).
        """
    @property
    def op(self) -> str:
        """
        A condition's operator: ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``between``, ``~``, ``in`` or ``exists``; else empty.
        """
    @property
    def operands(self) -> typing.Any:
        """
        A condition's values (:class:`Quantity` where a unit was given): two for between, none for exists.
        """
    @property
    def text(self) -> str:
        """
        The words of a full-text search, else empty.
        """
class Key:
    """
    A field or metadata key for building a :class:`Query` in code; made by :func:`key`.
    
    >>> dt.key("energy").between(12, 13, unit="keV") & dt.key("sample.name").glob("lyso*")
    Query('energy between 12 keV and 13 keV and sample.name ~ "lyso*"')
    """
    __hash__: typing.ClassVar[None] = None
    def __eq__(self, value: typing.Any) -> Query:
        ...
    def __ge__(self, value: typing.Any) -> Query:
        ...
    def __gt__(self, value: typing.Any) -> Query:
        ...
    def __le__(self, value: typing.Any) -> Query:
        ...
    def __lt__(self, value: typing.Any) -> Query:
        ...
    def __ne__(self, value: typing.Any) -> Query:
        ...
    def __repr__(self) -> str:
        ...
    def between(self, low: typing.Any, high: typing.Any, *, unit: str = '') -> Query:
        """
        Both bounds inclusive; ``unit`` applies to both (or give :class:`Quantity` bounds).
        """
    def exists(self) -> Query:
        """
        The dataset has this metadata key (or the field is set).
        """
    def glob(self, pattern: str) -> Query:
        """
        Text matching a pattern: ``*`` any run, ``?`` one character, ``[abc]`` one of a set.
        """
    def isin(self, values: typing.Any) -> Query:
        """
        Equal to any of ``values`` (the query language's ``in [...]``).
        """
    @property
    def name(self) -> str:
        """
        The field or metadata key.
        """
class Condition:
    """
    One test on a metadata value, for ``where=`` of :meth:`Catalog.find_datasets`.
    
    Numbers are compared after conversion to SI, so ``energy between 12 and 13 keV`` finds a value
    stored as 12700 eV; without a unit a number is dimensionless. Strings compare as text, booleans
    by value, datetimes as instants. :func:`parse_conditions` makes these from text; ``str()`` gives
    the text back.
    
    :param key: the metadata key, e.g. ``"detector.distance"``
    :param op: ``"="``, ``"!="``, ``"<"``, ``"<="``, ``">"``, ``">="`` or ``"between"``
    :param value: the value compared with (the lower bound for ``"between"``)
    :param upper: the upper bound for ``"between"`` (inclusive), else None
    :param unit: the unit of ``value`` and ``upper``; empty for dimensionless numbers and non-numbers
    """
    __hash__: typing.ClassVar[None] = None
    def __copy__(self) -> Condition:
        """
        A copy.
        """
    def __deepcopy__(self, memo: dict[int, typing.Any]) -> Condition:
        """
        A copy (the fields are plain values, so it is as deep as it gets).
        """
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> tuple[typing.Any, ...]:
        ...
    def __init__(self, key: str = '', op: str = '=', value: str | int | float | bool | datetime.datetime | datetime.date = '', upper: str | int | float | bool | datetime.datetime | datetime.date | None = None, unit: str = '') -> None:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, arg0: tuple[typing.Any, ...]) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def key(self) -> str:
        """
        The metadata key.
        """
    @key.setter
    def key(self, arg0: str) -> None:
        ...
    @property
    def op(self) -> str:
        """
        The comparison: ``"="``, ``"!="``, ``"<"``, ``"<="``, ``">"``, ``">="`` or ``"between"``.
        """
    @op.setter
    def op(self, arg1: str) -> None:
        ...
    @property
    def unit(self) -> str:
        """
        The unit of the value(s); empty when none.
        """
    @unit.setter
    def unit(self, arg0: str) -> None:
        ...
    @property
    def upper(self) -> str | int | float | bool | datetime.datetime | None:
        """
        The inclusive upper bound for ``"between"``, else None.
        """
    @upper.setter
    def upper(self, arg1: str | int | float | bool | datetime.datetime | datetime.date | None) -> None:
        ...
    @property
    def value(self) -> str | int | float | bool | datetime.datetime:
        """
        The value compared with (the lower bound for ``"between"``).
        """
    @value.setter
    def value(self, arg1: str | int | float | bool | datetime.datetime | datetime.date) -> None:
        ...
class Agent:
    """
    A PROV agent: a person, a piece of software or an organisation that bears responsibility for
    an activity. ``(type, name)`` is unique in a catalogue.
    
    Made by :meth:`Catalog.add_agent`, which checks the fields and mints the PID; wherever an agent
    is referred to (``agents=``, :meth:`Catalog.associate`) the object, its PID or its name will do.
    
    :param name: e.g. ``"Ada Lovelace"``, ``"pyFAI"``, ``"ESRF"``
    :param type: ``"person"``, ``"software"`` or ``"organisation"``
    :param orcid: a person's ORCID iD, e.g. ``"0000-0002-1825-0097"`` (its checksum is verified)
    :param email: an e-mail address
    :param version: a piece of software's version
    :param url: a home page, a repository, a ROR id
    :param pid: the PID; empty (or None) until the catalogue mints one
    """
    __hash__: typing.ClassVar[None] = None
    _fields: typing.ClassVar[tuple] = ('pid', 'type', 'name', 'orcid', 'email', 'version', 'url')
    def __copy__(self) -> Agent:
        """
        A copy.
        """
    def __deepcopy__(self, memo: dict[int, typing.Any]) -> Agent:
        """
        A copy (the fields are plain values, so it is as deep as it gets).
        """
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> tuple[typing.Any, ...]:
        ...
    def __init__(self, name: str = '', type: str = 'person', *, orcid: str = '', email: str = '', version: str = '', url: str = '', pid: str | None = None) -> None:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, arg0: tuple[typing.Any, ...]) -> None:
        ...
    def _repr_html_(self) -> str:
        """
        The HTML a Jupyter notebook shows: every value escaped, long listings truncated (docs/jupyter.md).
        """
    @property
    def email(self) -> str:
        """
        An e-mail address; empty when none.
        """
    @email.setter
    def email(self, arg0: str) -> None:
        ...
    @property
    def name(self) -> str:
        """
        The name; unique among agents of the same type.
        """
    @name.setter
    def name(self, arg0: str) -> None:
        ...
    @property
    def orcid(self) -> str:
        """
        A person's ORCID iD; empty when none.
        """
    @orcid.setter
    def orcid(self, arg0: str) -> None:
        ...
    @property
    def pid(self) -> str:
        """
        The PID; empty until the catalogue mints one.
        """
    @pid.setter
    def pid(self, arg0: str) -> None:
        ...
    @property
    def type(self) -> str:
        """
        ``"person"``, ``"software"`` or ``"organisation"``.
        """
    @type.setter
    def type(self, arg1: str) -> None:
        ...
    @property
    def url(self) -> str:
        """
        A home page, repository or ROR id; empty when none.
        """
    @url.setter
    def url(self, arg0: str) -> None:
        ...
    @property
    def version(self) -> str:
        """
        A piece of software's version; empty when none.
        """
    @version.setter
    def version(self, arg0: str) -> None:
        ...
class Environment:
    """
    Where and with what an activity ran: operating system, user, the git state of the caller's
    source tree and, from Python, the interpreter's version and the installed packages.
    
    :func:`capture_environment` fills in what C++ can see; :meth:`Catalog.activity` adds the Python
    side.
    
    :param os: e.g. ``"Linux 6.1.0-18-amd64 x86_64"``
    :param user: the account that ran it
    :param source_tree: the git work tree of the caller's code, if any
    :param git_commit: its HEAD commit
    :param git_dirty: whether it had uncommitted changes; None when unknown (not in git)
    :param python_version: e.g. ``"3.11.7"``
    :param packages: installed distributions, name to version
    """
    __hash__: typing.ClassVar[None] = None
    _fields: typing.ClassVar[tuple] = ('os', 'user', 'source_tree', 'git_commit', 'git_dirty', 'python_version', 'packages')
    def __copy__(self) -> Environment:
        """
        A copy.
        """
    def __deepcopy__(self, memo: dict[int, typing.Any]) -> Environment:
        """
        A copy (the fields are plain values, so it is as deep as it gets).
        """
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> tuple[typing.Any, ...]:
        ...
    def __init__(self, *, os: str = '', user: str = '', source_tree: str | os.PathLike[str] = '', git_commit: str = '', git_dirty: bool | None = None, python_version: str = '', packages: collections.abc.Mapping[str, str] | None = None) -> None:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, arg0: tuple[typing.Any, ...]) -> None:
        ...
    def _repr_html_(self) -> str:
        """
        The HTML a Jupyter notebook shows: every value escaped, long listings truncated (docs/jupyter.md).
        """
    @property
    def git_commit(self) -> str:
        """
        The source tree's HEAD commit; empty when not in git.
        """
    @git_commit.setter
    def git_commit(self, arg0: str) -> None:
        ...
    @property
    def git_dirty(self) -> bool | None:
        """
        Whether the source tree had uncommitted changes to tracked files; None when not in git.
        """
    @git_dirty.setter
    def git_dirty(self, arg0: bool | None) -> None:
        ...
    @property
    def os(self) -> str:
        """
        The operating system: name, release, machine.
        """
    @os.setter
    def os(self, arg0: str) -> None:
        ...
    @property
    def packages(self) -> dict[str, str]:
        """
        The installed Python distributions, name to version, as a new dict on every access.
        """
    @packages.setter
    def packages(self, arg1: collections.abc.Mapping[str, str] | None) -> None:
        ...
    @property
    def python_version(self) -> str:
        """
        The Python version, e.g. ``"3.11.7"``; empty for activities recorded from C++.
        """
    @python_version.setter
    def python_version(self, arg0: str) -> None:
        ...
    @property
    def source_tree(self) -> str:
        """
        The top of the git work tree the caller's code lives in; empty when not in git.
        """
    @source_tree.setter
    def source_tree(self, arg0: str) -> None:
        ...
    @property
    def user(self) -> str:
        """
        The account that ran the activity.
        """
    @user.setter
    def user(self, arg0: str) -> None:
        ...
class Used:
    """
    An activity used a dataset, or one file of it, in a role.
    
    Wherever inputs are accepted a dataset (:class:`Dataset` or PID) or a ``(dataset, role)`` tuple
    will do as well; a Used is needed to name one file.
    
    :param dataset: the dataset: a :class:`Dataset` or its PID
    :param file: the path of one of its files; empty for the whole dataset
    :param role: e.g. ``"input"``, ``"dark"``, ``"calibration"``
    """
    __hash__: typing.ClassVar[None] = None
    _fields: typing.ClassVar[tuple] = ('dataset', 'file', 'role')
    def __copy__(self) -> Used:
        """
        A copy.
        """
    def __deepcopy__(self, memo: dict[int, typing.Any]) -> Used:
        """
        A copy (the fields are plain values, so it is as deep as it gets).
        """
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> tuple[typing.Any, ...]:
        ...
    def __init__(self, dataset: str | Dataset = '', file: str | os.PathLike[str] = '', role: str = '') -> None:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, arg0: tuple[typing.Any, ...]) -> None:
        ...
    def _repr_html_(self) -> str:
        """
        The HTML a Jupyter notebook shows: every value escaped, long listings truncated (docs/jupyter.md).
        """
    @property
    def dataset(self) -> str:
        """
        The dataset's PID. Set it to a :class:`Dataset` or a PID.
        """
    @dataset.setter
    def dataset(self, arg1: str | Dataset) -> None:
        ...
    @property
    def file(self) -> str:
        """
        The path of the file used, relative to the dataset's location; empty for the whole dataset.
        """
    @file.setter
    def file(self, arg1: str | os.PathLike[str]) -> None:
        ...
    @property
    def role(self) -> str:
        """
        The role it played, e.g. ``"dark"``; empty when none.
        """
    @role.setter
    def role(self, arg0: str) -> None:
        ...
class Association:
    """
    An activity was associated with an agent, in a role (``"operator"``, ``"author"``,
    ``"processing software"``).
    
    Wherever agents are accepted an agent (:class:`Agent`, PID or name) or an ``(agent, role)``
    tuple will do as well.
    
    :param agent: the agent: an :class:`Agent`, its PID or its name
    :param role: the role it played
    """
    __hash__: typing.ClassVar[None] = None
    _fields: typing.ClassVar[tuple] = ('agent', 'role')
    def __copy__(self) -> Association:
        """
        A copy.
        """
    def __deepcopy__(self, memo: dict[int, typing.Any]) -> Association:
        """
        A copy (the fields are plain values, so it is as deep as it gets).
        """
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> tuple[typing.Any, ...]:
        ...
    def __init__(self, agent: str | Agent = '', role: str = '') -> None:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, arg0: tuple[typing.Any, ...]) -> None:
        ...
    def _repr_html_(self) -> str:
        """
        The HTML a Jupyter notebook shows: every value escaped, long listings truncated (docs/jupyter.md).
        """
    @property
    def agent(self) -> str:
        """
        The agent's PID (read back from the catalogue) or the PID or name it was given by. Set it to an :class:`Agent`, a PID or a name.
        """
    @agent.setter
    def agent(self, arg1: str | Agent) -> None:
        ...
    @property
    def role(self) -> str:
        """
        The role the agent played; empty when none.
        """
    @role.setter
    def role(self, arg0: str) -> None:
        ...
class Activity:
    """
    A PROV activity: an acquisition, a processing step, a workflow run or a notebook session, with
    its program, typed parameters, times, status, environment, what it used, its agents and what it
    generated.
    
    Most code records activities with :meth:`Catalog.activity` (a context manager); an Activity built
    here can be recorded with :meth:`Catalog.start_activity`. Activities read back from the
    catalogue (:meth:`Catalog.get_activity`, :meth:`Catalog.find_activities`) carry PIDs everywhere:
    in ``used``, ``agents``, ``parent``, ``informed_by`` and ``generated``.
    
    Lists and the parameters dict returned by the properties are new objects on every access:
    changing them does not change the activity; assign a whole new value instead.
    
    :param name: e.g. ``"azimuthal_integration"``
    :param type: ``"acquisition"``, ``"processing"``, ``"workflow"``, ``"notebook"`` or ``"other"``
    :param pid: the PID; None until the catalogue mints one
    :param program: the program that ran, e.g. ``"pyFAI"``
    :param version: its version, e.g. ``"2025.1"``
    :param parameters: typed parameters, written like dataset metadata (``{"distance": (250.0, "mm")}``)
    :param start_time: when it started; the catalogue uses now when None
    :param end_time: when it ended
    :param status: ``"running"``, ``"succeeded"`` or ``"failed"``
    :param host: the machine; the catalogue fills in this one when empty
    :param command_line: the command that ran
    :param parent: the activity that contains this one (a workflow run): an :class:`Activity`,
        :class:`ActivityRun` or PID
    :param log: the log text
    :param environment: an :class:`Environment` (or a mapping of its fields)
    :param used: inputs: datasets (objects or PIDs), ``(dataset, role)`` tuples or :class:`Used`
    :param agents: agents (names, PIDs or :class:`Agent` objects), ``(agent, role)`` tuples or
        :class:`Association` objects
    :param informed_by: activities whose results this one used (objects or PIDs)
    :param created_by: who recorded it; the catalogue fills in the user when empty
    """
    __hash__: typing.ClassVar[None] = None
    _fields: typing.ClassVar[tuple] = ('pid', 'name', 'type', 'program', 'version', 'parameters', 'start_time', 'end_time', 'status', 'host', 'command_line', 'parent', 'log', 'environment', 'used', 'agents', 'informed_by', 'generated', 'created_by')
    def __copy__(self) -> Activity:
        """
        A copy.
        """
    def __deepcopy__(self, memo: dict[int, typing.Any]) -> Activity:
        """
        A copy (the fields are plain values, so it is as deep as it gets).
        """
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> tuple[typing.Any, ...]:
        ...
    def __init__(self, name: str = '', type: str = 'processing', *, pid: str | None = None, program: str = '', version: str = '', parameters: collections.abc.Mapping[str, typing.Any] | None = None, start_time: datetime.datetime | datetime.date | str | None = None, end_time: datetime.datetime | datetime.date | str | None = None, status: str = 'running', host: str = '', command_line: str = '', parent: str | Activity | datatrail._activity.ActivityRun | None = None, log: str = '', environment: Environment | collections.abc.Mapping[str, typing.Any] | None = None, used: collections.abc.Iterable[str | Dataset | Used | tuple[str | Dataset, str]] = (), agents: collections.abc.Iterable[str | Agent | Association | tuple[str | Agent, str]] = (), informed_by: collections.abc.Iterable[str | Activity | datatrail._activity.ActivityRun] = (), created_by: str = '') -> None:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, arg0: tuple[typing.Any, ...]) -> None:
        ...
    def _repr_html_(self) -> str:
        """
        The HTML a Jupyter notebook shows: every value escaped, long listings truncated (docs/jupyter.md).
        """
    @property
    def agents(self) -> list[Association]:
        """
        Its agents with their roles, as :class:`Association` objects; a new list on every access.
        """
    @agents.setter
    def agents(self, arg1: collections.abc.Iterable[str | Agent | Association | tuple[str | Agent, str]]) -> None:
        ...
    @property
    def command_line(self) -> str:
        """
        The command that ran; empty when not recorded.
        """
    @command_line.setter
    def command_line(self, arg0: str) -> None:
        ...
    @property
    def created_by(self) -> str:
        """
        Who recorded it.
        """
    @created_by.setter
    def created_by(self, arg0: str) -> None:
        ...
    @property
    def end_time(self) -> datetime.datetime | None:
        """
        When it ended (an aware datetime in UTC), or None while running.
        """
    @end_time.setter
    def end_time(self, arg1: datetime.datetime | datetime.date | str | None) -> None:
        ...
    @property
    def environment(self) -> Environment:
        """
        Where and with what it ran, as an :class:`Environment` (changes to it change the activity).
        """
    @environment.setter
    def environment(self, arg0: Environment) -> None:
        ...
    @property
    def generated(self) -> list[str]:
        """
        The PIDs of the datasets it generated, read back from the catalogue (record outputs with :meth:`Catalog.add_outputs` or :meth:`ActivityRun.output`).
        """
    @property
    def host(self) -> str:
        """
        The machine it ran on.
        """
    @host.setter
    def host(self, arg0: str) -> None:
        ...
    @property
    def informed_by(self) -> list[str]:
        """
        The PIDs of the activities whose results it used; a new list on every access.
        """
    @informed_by.setter
    def informed_by(self, arg1: collections.abc.Iterable[str | Activity | datatrail._activity.ActivityRun]) -> None:
        ...
    @property
    def log(self) -> str:
        """
        The log text (a failed run's ends with the traceback).
        """
    @log.setter
    def log(self, arg0: str) -> None:
        ...
    @property
    def name(self) -> str:
        """
        The name, e.g. ``"azimuthal_integration"``.
        """
    @name.setter
    def name(self, arg0: str) -> None:
        ...
    @property
    def parameters(self) -> dict[str, typing.Any]:
        """
        The parameters as a new dict on every access; values with a unit or uncertainty are :class:`Quantity` objects.
        """
    @parameters.setter
    def parameters(self, arg1: collections.abc.Mapping[str, typing.Any] | None) -> None:
        ...
    @property
    def parent(self) -> str:
        """
        The PID of the activity that contains this one; empty when none. Set it to an :class:`Activity`, :class:`ActivityRun` or PID.
        """
    @parent.setter
    def parent(self, arg1: str | Activity | datatrail._activity.ActivityRun | None) -> None:
        ...
    @property
    def pid(self) -> str:
        """
        The PID; empty until the catalogue mints one.
        """
    @pid.setter
    def pid(self, arg0: str) -> None:
        ...
    @property
    def program(self) -> str:
        """
        The program that ran; empty when none.
        """
    @program.setter
    def program(self, arg0: str) -> None:
        ...
    @property
    def start_time(self) -> datetime.datetime | None:
        """
        When it started (an aware datetime in UTC), or None before it is recorded.
        """
    @start_time.setter
    def start_time(self, arg1: datetime.datetime | datetime.date | str | None) -> None:
        ...
    @property
    def status(self) -> str:
        """
        ``"running"``, ``"succeeded"`` or ``"failed"``.
        """
    @status.setter
    def status(self, arg1: str) -> None:
        ...
    @property
    def type(self) -> str:
        """
        ``"acquisition"``, ``"processing"``, ``"workflow"``, ``"notebook"`` or ``"other"``.
        """
    @type.setter
    def type(self, arg1: str) -> None:
        ...
    @property
    def used(self) -> list[Used]:
        """
        What it used, as :class:`Used` objects; a new list on every access.
        """
    @used.setter
    def used(self, arg1: collections.abc.Iterable[str | Dataset | Used | tuple[str | Dataset, str]]) -> None:
        ...
    @property
    def version(self) -> str:
        """
        The program's version; empty when none.
        """
    @version.setter
    def version(self, arg0: str) -> None:
        ...
class ProvNode:
    """
    A node of a provenance graph: a dataset, one file of a dataset, an activity or an agent.
    
    :param id: the PID; a file is ``"<dataset PID>#<path>"``
    :param kind: ``"dataset"``, ``"datafile"``, ``"activity"`` or ``"agent"``
    :param name: its name (a file's: its path)
    :param attributes: text attributes: for a dataset ``kind`` (raw/processed), ``state``,
        ``start_time``, ``end_time``, ``created_at``, ``created_by``; for an activity ``type``,
        ``program``, ``version``, ``status``, ``start_time``, ``end_time``, ``host``; for an agent
        ``type``, ``orcid``, ``email``, ``version``, ``url``. Times are ISO 8601 text in UTC.
    :param depth: derivation steps from where the walk started
    """
    __hash__: typing.ClassVar[None] = None
    def __copy__(self) -> ProvNode:
        """
        A copy.
        """
    def __deepcopy__(self, memo: dict[int, typing.Any]) -> ProvNode:
        """
        A copy (the fields are plain values, so it is as deep as it gets).
        """
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> tuple[typing.Any, ...]:
        ...
    def __init__(self, id: str = '', kind: str = 'dataset', name: str = '', attributes: collections.abc.Mapping[str, str] | None = None, depth: typing.SupportsInt | typing.SupportsIndex = 0) -> None:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, arg0: tuple[typing.Any, ...]) -> None:
        ...
    @property
    def attributes(self) -> dict[str, str]:
        """
        Text attributes (see the class), as a new dict on every access.
        """
    @attributes.setter
    def attributes(self, arg1: collections.abc.Mapping[str, str] | None) -> None:
        ...
    @property
    def depth(self) -> int:
        """
        Derivation steps from where the walk started.
        """
    @depth.setter
    def depth(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def id(self) -> str:
        """
        The PID; a file's is ``"<dataset PID>#<path>"``.
        """
    @id.setter
    def id(self, arg0: str) -> None:
        ...
    @property
    def kind(self) -> str:
        """
        ``"dataset"``, ``"datafile"``, ``"activity"`` or ``"agent"``.
        """
    @kind.setter
    def kind(self, arg1: str) -> None:
        ...
    @property
    def name(self) -> str:
        """
        The name; a file's path.
        """
    @name.setter
    def name(self, arg0: str) -> None:
        ...
class ProvEdge:
    """
    A typed edge of a provenance graph, pointing as PROV does from the later to the earlier thing:
    ``used`` (activity to dataset or file), ``wasGeneratedBy`` (dataset to activity),
    ``wasDerivedFrom`` (dataset to dataset), ``wasInformedBy`` (activity to activity),
    ``wasAssociatedWith`` (activity to agent), ``hadMember`` (dataset to file).
    
    :param source: the ID of the node it starts from (C++ ``from``)
    :param target: the ID of the node it points to (C++ ``to``)
    :param kind: the PROV relation's name, e.g. ``"wasDerivedFrom"``
    :param role: the role, for ``used``, ``wasGeneratedBy``, ``wasDerivedFrom`` and ``wasAssociatedWith``
    :param activity: for ``wasDerivedFrom``, the PID of the activity that did it, if recorded
    """
    __hash__: typing.ClassVar[None] = None
    def __copy__(self) -> ProvEdge:
        """
        A copy.
        """
    def __deepcopy__(self, memo: dict[int, typing.Any]) -> ProvEdge:
        """
        A copy (the fields are plain values, so it is as deep as it gets).
        """
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> tuple[typing.Any, ...]:
        ...
    def __init__(self, source: str = '', target: str = '', kind: str = 'wasDerivedFrom', role: str = '', activity: str = '') -> None:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, arg0: tuple[typing.Any, ...]) -> None:
        ...
    @property
    def activity(self) -> str:
        """
        For ``wasDerivedFrom``: the PID of the activity that did it; empty when not recorded.
        """
    @activity.setter
    def activity(self, arg0: str) -> None:
        ...
    @property
    def kind(self) -> str:
        """
        The PROV relation: ``"used"``, ``"wasGeneratedBy"``, ``"wasDerivedFrom"``, ``"wasInformedBy"``, ``"wasAssociatedWith"`` or ``"hadMember"``.
        """
    @kind.setter
    def kind(self, arg1: str) -> None:
        ...
    @property
    def role(self) -> str:
        """
        The role; empty when none.
        """
    @role.setter
    def role(self, arg0: str) -> None:
        ...
    @property
    def source(self) -> str:
        """
        The ID of the node the edge starts from.
        """
    @source.setter
    def source(self, arg0: str) -> None:
        ...
    @property
    def target(self) -> str:
        """
        The ID of the node the edge points to.
        """
    @target.setter
    def target(self, arg0: str) -> None:
        ...
class ProvGraph:
    """
    A provenance graph, as :meth:`Catalog.ancestors`, :meth:`Catalog.descendants`,
    :meth:`Catalog.lineage_path` and :meth:`Catalog.provenance` return it: nodes (datasets, files,
    activities, agents) and typed PROV edges between them. A lineage walk's starting node comes first.
    
    It exports as W3C PROV-JSON and PROV-N, Graphviz DOT and SVG, and converts to networkx; in
    Jupyter it displays itself as SVG where Graphviz is installed.
    
    >>> graph = cat.ancestors(merged)
    >>> [n.name for n in graph.datasets]
    ['merged', 'scan_001_integrated', 'scan_001']
    >>> merged.pid in graph
    True
    
    :param nodes: :class:`ProvNode` objects
    :param edges: :class:`ProvEdge` objects
    """
    __hash__: typing.ClassVar[None] = None
    def __contains__(self, item: typing.Any) -> bool:
        """
        Whether a node with this ID is in the graph; a :class:`ProvNode`, :class:`Dataset`, :class:`Activity`, :class:`ActivityRun` or :class:`Agent` stands for its PID.
        """
    def __copy__(self) -> ProvGraph:
        """
        A copy.
        """
    def __deepcopy__(self, memo: dict[int, typing.Any]) -> ProvGraph:
        """
        A copy (the fields are plain values, so it is as deep as it gets).
        """
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> tuple[typing.Any, ...]:
        ...
    def __init__(self, nodes: typing.Any = (), edges: typing.Any = ()) -> None:
        ...
    def __iter__(self) -> collections.abc.Iterator[ProvNode]:
        """
        Iterate over (copies of) the nodes.
        """
    def __len__(self) -> int:
        """
        The number of nodes.
        """
    def __repr__(self) -> str:
        ...
    def __setstate__(self, arg0: tuple[typing.Any, ...]) -> None:
        ...
    def _repr_html_(self) -> str:
        """
        The HTML a Jupyter notebook shows: every value escaped, long listings truncated (docs/jupyter.md).
        """
    def _repr_svg_(self) -> str | None:
        """
        The SVG drawing for Jupyter; None (so Jupyter shows the repr) when Graphviz is missing.
        """
    def edges_of(self, kind: str) -> list[ProvEdge]:
        """
        The edges of one PROV relation.
        
        :param kind: ``"used"``, ``"wasGeneratedBy"``, ``"wasDerivedFrom"``, ``"wasInformedBy"``,
            ``"wasAssociatedWith"`` or ``"hadMember"``
        :raises ValidationError: for another name
        """
    def find(self, id: str) -> ProvNode | None:
        """
        The node with this ID (a copy), or None.
        
        :param id: a PID, or ``"<dataset PID>#<path>"`` for a file
        """
    def to_dot(self) -> str:
        """
        The graph as Graphviz DOT, in PROV's usual shapes and colours: datasets as yellow ellipses,
        files as notes, activities as blue boxes, agents as orange houses; edges point from the later
        to the earlier thing, as in PROV.
        """
    def to_networkx(self) -> typing.Any:
        """
        The graph as a ``networkx.MultiDiGraph``: nodes keyed by ID with the data ``kind``, ``name``,
        ``depth`` and ``attributes`` (a dict), edges from ``source`` to ``target`` with ``kind``,
        ``role`` and ``activity``.
        
        :raises ImportError: when networkx is not installed
        """
    def to_prov_json(self) -> str:
        """
        The graph as W3C PROV-JSON (the 2013 member submission), a str. Datasets and files are
        entities, activities activities, agents agents; the relations are ``used``,
        ``wasGeneratedBy``, ``wasDerivedFrom``, ``wasInformedBy``, ``wasAssociatedWith`` and
        ``hadMember``. PIDs are qualified names in the namespace ``pid`` (``urn:datatrail:pid:``),
        datatrail's attributes live in ``dt`` (``urn:datatrail:ns#``). The ``prov`` package reads it:
        ``prov.model.ProvDocument.deserialize(content=text, format="json")``.
        """
    def to_prov_n(self) -> str:
        """
        The graph in W3C PROV-N, the notation for people: ``document ... endDocument`` with the same
        records and namespaces as the PROV-JSON.
        """
    def to_svg(self) -> str:
        """
        The graph drawn as SVG by Graphviz's ``dot`` (run with the GIL released).
        
        :raises Error: when Graphviz is not installed or ``dot`` fails
        """
    @property
    def activities(self) -> list[ProvNode]:
        """
        The activity nodes.
        """
    @property
    def agents(self) -> list[ProvNode]:
        """
        The agent nodes.
        """
    @property
    def datasets(self) -> list[ProvNode]:
        """
        The dataset nodes, in the graph's order.
        """
    @property
    def edges(self) -> list[ProvEdge]:
        """
        Every edge, as :class:`ProvEdge` objects; a new list on every access.
        """
    @edges.setter
    def edges(self, arg0: collections.abc.Sequence[ProvEdge]) -> None:
        ...
    @property
    def files(self) -> list[ProvNode]:
        """
        The file nodes: files used individually (``Used(file=...)``).
        """
    @property
    def nodes(self) -> list[ProvNode]:
        """
        Every node, as :class:`ProvNode` objects; a new list on every access.
        """
    @nodes.setter
    def nodes(self, arg0: collections.abc.Sequence[ProvNode]) -> None:
        ...
class Catalog:
    """
    A datatrail catalogue: one SQLite file (a beamline, a laptop) or a PostgreSQL database (a
    facility) holding investigations, instruments, samples, datasets, their files and metadata, and
    provenance. Both engines have the same API, rules and answers.
    
    >>> with datatrail.Catalog("beamtime.db") as cat:
    ...     ds = cat.register_dataset("scan_001", metadata={"energy": (12.7, "keV")})
    
    A catalogue may be shared by threads: writes are serialised inside, reads run concurrently, and
    the GIL is released during every call. Several processes may write the same file. Every write is
    atomic: when it fails (with a :class:`ValidationError`, :class:`NotFound`, :class:`Conflict` ...)
    nothing has been written.
    
    :param path: an SQLite file, created if missing and migrated if older (also as
        ``"sqlite:///abs/path.db"``); ``":memory:"`` gives a private in-memory catalogue; a libpq URI
        (``"postgresql://user@host:5432/facility"``, ``"postgresql:///facility?host=/run/postgresql"``)
        opens a PostgreSQL database, whose tables are created on first use
    :param pid_prefix: the PID prefix of a new catalogue (default ``"local"``); an existing catalogue
        keeps its own, and naming a different one is a :class:`Conflict`
    :param busy_timeout: seconds a write waits for another writer before :class:`StorageError`
        (SQLite's busy timeout; PostgreSQL's lock timeout)
    :param lineage_index: whether lineage walks use an in-memory copy of the derivation links
        and the datasets' PIDs, loaded on the first walk (about 140 MB for a million datasets and
        three million links) and kept current with every write from any process; ``False`` walks
        the file instead, holding no memory, several times slower for deep walks in large catalogues
    :param read_only: open an existing catalogue for reading only: nothing is created, migrated or
        written, and every write raises :class:`StorageError`; allowed on a network file system. A
        catalogue in WAL mode (the default) still needs its ``-wal`` and ``-shm`` files beside it,
        which SQLite creates if they are missing.
    :param sqlite_network_file_system: SQLite only: write a catalogue on a network or cluster file
        system (NFS, SMB, Lustre, GPFS, CephFS ... see :func:`network_file_system`) anyway, accepting
        the risk: the file is used in rollback-journal mode, relying on the file system's locks, one
        writer at a time; every process that opens the file should pass it
    :param postgres_pool_size: PostgreSQL only (an SQLite catalogue refuses it): at most this many
        connections open at once, shared by the catalogue's threads (default 4)
    :raises StorageError: when the catalogue cannot be opened (a missing folder, a server that does
        not answer), was written by a newer datatrail, or is an SQLite file on a network file system
        that would be written without ``sqlite_network_file_system``; nothing is created then
    :raises NotFound: when ``read_only`` names a file that does not exist
    :raises ValidationError: when options contradict each other (``read_only`` with
        ``sqlite_network_file_system``, either with ``":memory:"``) or belong to the other engine
    """
    @staticmethod
    def latest_schema_version() -> int:
        """
        The newest database schema version this datatrail knows (and migrates older catalogues to).
        """
    def __enter__(self) -> Catalog:
        """
        Use the catalogue in a ``with`` block; it is closed at the end.
        """
    def __exit__(self, exc_type: type[BaseException] | None, exc_value: BaseException | None, traceback: types.TracebackType | None) -> None:
        """
        Close the catalogue.
        """
    def __init__(self, path: str | os.PathLike[str], pid_prefix: str | None = None, busy_timeout: typing.SupportsFloat | typing.SupportsIndex = 10.0, lineage_index: bool = True, read_only: bool = False, sqlite_network_file_system: bool = False, postgres_pool_size: int | None = None) -> None:
        ...
    def __repr__(self) -> str:
        ...
    def activity(self, name: str, *, type: str = 'processing', program: str = '', version: str = '', parameters: collections.abc.Mapping[str, typing.Any] | None = None, inputs: collections.abc.Iterable[str | Dataset | Used | tuple[str | Dataset, str]] = (), agents: collections.abc.Iterable[str | Agent | Association | tuple[str | Agent, str]] = (), parent: str | Activity | datatrail._activity.ActivityRun | None = None, informed_by: collections.abc.Iterable[str | Activity | datatrail._activity.ActivityRun] = (), command_line: str | None = None, source_tree: str | os.PathLike[str] | None = None, pid: str | None = None) -> datatrail._activity.ActivityRun:
        """
        Record an activity as it runs: a context manager (an :class:`ActivityRun`).
        
        >>> with cat.activity("azimuthal_integration", program="pyFAI", version="2025.1",
        ...                   parameters={"npt": 1000, "distance": (250.0, "mm")},
        ...                   inputs=[raw, (dark, "dark")], agents=[("Ada Lovelace", "operator")]) as run:
        ...     run.log("integrating")
        ...     pattern = run.output("scan_001_integrated", metadata={"npt": 1000})
        
        The arguments' Python types are checked here. Entering the ``with`` block captures the
        environment (OS, user, git state of the caller's source tree, Python version and installed
        packages) and records the activity as running; the catalogue's own rules (names, units, PIDs
        that must exist) are checked then, before anything is written. Leaving the block normally
        marks the activity succeeded and its outputs complete; an exception marks it and its outputs
        failed, appends the traceback to its log, and propagates.
        
        :param name: e.g. ``"azimuthal_integration"``
        :param type: ``"acquisition"`` (its outputs are raw), ``"processing"``, ``"workflow"``,
            ``"notebook"`` or ``"other"``
        :param program: the program that runs, e.g. ``"pyFAI"``
        :param version: its version
        :param parameters: typed parameters, written like dataset metadata
        :param inputs: what it uses: datasets (objects or PIDs), ``(dataset, role)`` tuples, or
            :class:`Used` objects (to name one file)
        :param agents: who or what is responsible: agents (names, PIDs or :class:`Agent` objects) or
            ``(agent, role)`` tuples
        :param parent: the activity that contains this one (a workflow run)
        :param informed_by: activities whose results this one uses
        :param command_line: the command that runs; None for ``" ".join(sys.argv)``
        :param source_tree: the folder of the code that runs, for its git commit; None for the folder of
            the calling module's ``__file__`` or, where there is none (a notebook), the working directory
        :param pid: a PID minted elsewhere; None to mint one
        :returns: the run, not yet started
        :raises ValidationError: when an argument has the wrong type; on entering the block, when
            it breaks one of the catalogue's rules (an empty name, an unknown unit, a PID the catalogue
            does not hold), and nothing is written
        
        Activities may be given as an :class:`Activity`, a started :class:`ActivityRun` or a PID;
        datasets as a :class:`Dataset` or a PID; agents as an :class:`Agent`, a PID or a name.
        """
    def add_agent(self, name: str, type: str = 'person', *, orcid: str = '', email: str = '', version: str = '', url: str = '', pid: str | None = None) -> Agent:
        """
        Add an agent: a person, a piece of software or an organisation.
        
        >>> cat.add_agent("Ada Lovelace", orcid="0000-0002-1825-0097")
        >>> cat.add_agent("pyFAI", type="software", version="2025.1")
        
        :param name: the name; ``(type, name)`` is unique
        :param type: ``"person"``, ``"software"`` or ``"organisation"``
        :param orcid: a person's ORCID iD (its checksum is verified)
        :param email: an e-mail address
        :param version: a piece of software's version
        :param url: a home page, a repository, a ROR id
        :param pid: a PID minted elsewhere; None to mint one
        :returns: the agent as stored, with its PID
        :raises ValidationError: when a field breaks a rule (an empty name, an unknown type, a bad
            ORCID or e-mail, an ORCID for a non-person); nothing is written
        :raises Conflict: when the PID or ``(type, name)`` is taken
        """
    def add_derivation(self, derived: str | Dataset, source: str | Dataset, role: str = '') -> None:
        """
        Record that a dataset was derived from another, where no recorded activity says so.
        
        :param derived: the dataset made
        :param source: the dataset it was made from
        :param role: the role the source played
        :raises ValidationError: when either is not in the catalogue, or the link would make a cycle
            (``source`` is ``derived`` or was made from it); nothing is written
        """
    def add_files(self, pid: str | Dataset, files: collections.abc.Iterable[str | os.PathLike[str] | Datafile | collections.abc.Mapping[str, typing.Any]], *, describe_files: bool = False) -> None:
        """
        Add files to a dataset, typically one still acquiring.
        
        :param pid: the dataset: its PID or the :class:`Dataset`
        :param files: paths relative to its location, :class:`Datafile` objects or dicts of their fields
        :param describe_files: compute size, SHA-256, modification time and format from disk
        :raises NotFound: when the dataset, or with ``describe_files`` a file, is missing
        :raises ValidationError: when a file breaks a rule; nothing is written
        """
    def add_informed_by(self, activity: str | Activity | datatrail._activity.ActivityRun, informant: str | Activity | datatrail._activity.ActivityRun) -> None:
        """
        Record that an activity used results of another (PROV wasInformedBy).
        
        :param activity: the activity informed
        :param informant: the activity whose results it used
        :raises NotFound: when ``activity`` is not in the catalogue
        :raises ValidationError: when ``informant`` is not, or the link would make a cycle; nothing is
            written
        """
    def add_inputs(self, activity: str | Activity | datatrail._activity.ActivityRun, inputs: collections.abc.Iterable[str | Dataset | Used | tuple[str | Dataset, str]]) -> None:
        """
        Record more inputs of an activity. Datasets it already generated become derived from them too.
        
        :param activity: the activity
        :param inputs: datasets (objects or PIDs), ``(dataset, role)`` tuples or :class:`Used` objects
        :raises NotFound: when the activity is not in the catalogue
        :raises ValidationError: when an input is not in the catalogue (or names a file the dataset does
            not have), or would make a cycle (the activity generated it or something it was made from);
            nothing is written
        
        Activities may be given as an :class:`Activity`, a started :class:`ActivityRun` or a PID;
        datasets as a :class:`Dataset` or a PID; agents as an :class:`Agent`, a PID or a name.
        """
    def add_instrument(self, name: str, facility: str = '', type: str = '', pid: str | None = None) -> Instrument:
        """
        Add an instrument: a beamline, end station or laboratory set-up.
        
        :param name: e.g. ``"ID11"``; ``(facility, name)`` is unique
        :param facility: e.g. ``"ESRF"``
        :param type: e.g. ``"beamline"``
        :param pid: a PID minted elsewhere; None to mint one
        :returns: the instrument as stored, with its PID
        :raises ValidationError: when an argument breaks a rule
        :raises Conflict: when the PID or ``(facility, name)`` is taken
        """
    def add_investigation(self, name: str, title: str = '', summary: str = '', start_time: datetime.datetime | datetime.date | str | None = None, end_time: datetime.datetime | datetime.date | str | None = None, instrument: str | Instrument | None = None, participants: collections.abc.Iterable[Participant | collections.abc.Mapping[str, str]] = (), release_date: datetime.datetime | datetime.date | str | None = None, doi: str = '', pid: str | None = None) -> Investigation:
        """
        Add an investigation: a proposal, beamtime or experiment session.
        
        :param name: e.g. the proposal number ``"ma1234"``; unique
        :param title: the title
        :param summary: the abstract
        :param start_time: the start
        :param end_time: the end
        :param instrument: an :class:`Instrument`, its PID or its name
        :param participants: :class:`Participant` objects or dicts with keys ``name``, ``role``,
            ``orcid``, ``email``
        :param release_date: the end of the embargo
        :param doi: ``"10.<registrant>/<suffix>"``
        :param pid: a PID minted elsewhere; None to mint one
        :returns: the investigation as stored, with its PID and the instrument's PID
        :raises ValidationError: when an argument breaks a rule (e.g. an ORCID with a bad checksum)
            or the instrument is not in the catalogue
        :raises Conflict: when the PID or name is taken
        
        Times are accepted as an aware :class:`datetime.datetime` (converted exactly), a naive one (taken
        as local time), a :class:`datetime.date` (midnight UTC) or an ISO 8601 str; they come back as
        aware datetimes in UTC.
        """
    def add_outputs(self, activity: str | Activity | datatrail._activity.ActivityRun, datasets: collections.abc.Iterable[Dataset | collections.abc.Mapping[str, typing.Any]], *, role: str = '', describe_files: bool = False) -> list[Dataset]:
        """
        Register datasets generated by an activity, derived from every dataset it used. They are
        registered as given (kind and state included): give ``state="acquiring"`` for outputs that
        :meth:`finish_activity` should complete, or mark failed.
        
        :param activity: the activity: an :class:`Activity`, a started :class:`ActivityRun` or a PID
        :param datasets: :class:`Dataset` objects, or dicts of :meth:`register_dataset`'s keywords
        :param role: the role of the generation, e.g. ``"result"``
        :param describe_files: as for :meth:`register_dataset`
        :returns: the datasets as stored, in order
        :raises NotFound: when the activity is not in the catalogue
        :raises ValidationError: naming every broken rule as ``datasets[i].<field>`` (``dataset.<field>``
            when there is one); nothing is written
        """
    def add_sample(self, name: str, description: str = '', formula: str = '', investigation: str | Investigation | None = None, parent: str | Sample | None = None, metadata: collections.abc.Mapping[str, typing.Any] | None = None, pid: str | None = None) -> Sample:
        """
        Add a sample.
        
        :param name: the name
        :param description: free text
        :param formula: the chemical formula or sample type
        :param investigation: an :class:`Investigation`, its PID or its name
        :param parent: the sample it was cut from: a :class:`Sample`, its PID or its name
        :param metadata: typed metadata, as for :meth:`register_dataset`
        :param pid: a PID minted elsewhere; None to mint one
        :returns: the sample as stored, with its PID and references resolved to PIDs
        :raises ValidationError: when an argument breaks a rule or the investigation or parent is
            not in the catalogue
        :raises Conflict: when the PID is taken
        """
    def add_schema(self, schema: Schema | str | os.PathLike[str]) -> Schema:
        """
        Store a metadata schema, versioned; datasets then name it with ``schema="mx"`` (the latest
        version) or ``schema="mx@1.2"``.
        
        >>> cat.add_schema("examples/schemas/mx.yaml")
        Schema('mx@1.0', 25 fields, strict)
        
        :param schema: a :class:`Schema`, the path of a YAML file, or YAML text (a str without a line
            break that ends in ``.yaml``/``.yml`` or names a file is a path)
        :returns: the schema as the catalogue applies it, flattened
        :raises ValidationError: for a malformed schema (file, line, column and rule), or when the schema it
            extends is not in the catalogue
        :raises Conflict: when its name and version are taken by a schema with other content
        """
    def agent(self, pid_or_name: str) -> Agent:
        """
        The agent with this PID or name.
        
        :raises NotFound: when there is none
        """
    def agents(self) -> list[Agent]:
        """
        All agents, in the order they were added.
        """
    def ancestor_pids(self, x: str | Dataset | Activity | datatrail._activity.ActivityRun, depth: int | None = None) -> dict[str, int]:
        """
        The datasets :meth:`ancestors` reaches, without the graph: each PID with the number of derivation
        steps back it lies, nearest first. ``x`` itself is not included. Much cheaper than
        :meth:`ancestors` for large lineages, where reading every node and link is most of the cost.
        
        >>> cat.ancestor_pids(merged, depth=1)
        {'local/01J...': 1, 'local/01J...': 1}
        
        :param x: a :class:`Dataset`, :class:`Activity`, started :class:`ActivityRun` or PID
        :param depth: the number of derivation steps; None for all the way
        :returns: a dict from PID to depth
        :raises NotFound: when ``x`` is not in the catalogue
        """
    def ancestors(self, x: str | Dataset | Activity | datatrail._activity.ActivityRun, depth: int | None = None) -> ProvGraph:
        """
        What a dataset or activity was made from: the datasets it was derived from, ``depth`` derivation
        steps back, with the activities, agents and individually used files on the way.
        
        >>> [n.name for n in cat.ancestors(merged).datasets]
        
        :param x: a :class:`Dataset`, :class:`Activity`, started :class:`ActivityRun` or PID
        :param depth: the number of derivation steps; None for all the way
        :returns: a :class:`ProvGraph` whose first node is ``x``
        :raises NotFound: when ``x`` is not in the catalogue
        """
    def append_log(self, activity: str | Activity | datatrail._activity.ActivityRun, text: str) -> None:
        """
        Append text to an activity's log, as is (add the newline yourself; :meth:`ActivityRun.log` does).
        
        :param activity: an :class:`Activity`, a started :class:`ActivityRun` or a PID
        :param text: the text
        :raises NotFound: when the activity is not in the catalogue
        """
    def associate(self, activity: str | Activity | datatrail._activity.ActivityRun, agent: str | Agent, role: str = '') -> None:
        """
        Record that an agent was responsible for an activity, in a role (PROV wasAssociatedWith).
        
        :param activity: the activity
        :param agent: an :class:`Agent`, its PID or its name
        :param role: e.g. ``"operator"``
        :raises NotFound: when the activity is not in the catalogue
        :raises ValidationError: when the agent is not; nothing is written
        """
    def close(self) -> None:
        """
        Close the catalogue. Using it afterwards raises :class:`Error`; closing twice is harmless.
        Calls already running in other threads finish first.
        """
    def count_datasets(self, query: str | Query | None = None, *, kind: str | None = None, state: str | None = None, valid: bool | None = None, investigation: str | Investigation | None = None, instrument: str | Instrument | None = None, sample: str | Sample | None = None, started_after: datetime.datetime | datetime.date | str | None = None, started_before: datetime.datetime | datetime.date | str | None = None, name: str | None = None, text: str | None = None, keyword: str | None = None, technique: str | None = None, where: str | collections.abc.Iterable[Condition | str] | None = None) -> int:
        """
        Count the datasets :meth:`find_datasets` would find with the same query and filters, without
        reading them.
        
        :param query: a query in the query language, as text or a :class:`Query` (see
            :func:`parse_query`): ``'technique == "MX" and (energy > 12 keV or exists detector.distance)'``
        :param kind: ``"raw"`` or ``"processed"``
        :param state: ``"acquiring"``, ``"complete"`` or ``"failed"``
        :param valid: False for datasets a lenient schema accepted with violations, True for the others
        :param investigation: an :class:`Investigation`, its PID or its name
        :param instrument: an :class:`Instrument`, its PID or its name
        :param sample: a :class:`Sample`, its PID or its name
        :param started_after: only datasets whose start time is at or after this
        :param started_before: only datasets whose start time is before this
        :param name: a glob pattern on the name: ``"scan_*"``, ``"*_dark"``, ``"scan_00[1-5]"``
        :param text: full-text search over names, descriptions, keywords and text metadata
        :param keyword: an exact keyword
        :param technique: an exact technique
        :param where: metadata conditions: a str such as ``"energy between 12 and 13 keV and
            detector.name = 'eiger'"`` (see :func:`parse_conditions`), or a list of :class:`Condition`
            objects and such strings; all must hold
        :raises ValidationError: when a filter breaks a rule
        :raises NotFound: when ``investigation``, ``instrument`` or ``sample`` is not in the catalogue
        :raises QuerySyntaxError: when ``query`` or ``where`` does not parse
        """
    def dataset(self, pid: str | Dataset) -> Dataset:
        """
        The dataset with this PID, with its files and metadata.
        
        :raises NotFound: when there is none
        """
    def datasets_with_file(self, path: str | os.PathLike[str] | None = None, sha256: str | None = None) -> list[DatasetFile]:
        """
        The datasets that hold a file: the one at ``path`` and/or any whose SHA-256 is ``sha256`` (a
        copy elsewhere). A file is at ``path`` when its dataset's location joined with its relative path
        is ``path``, both normalised (``.``, ``..`` and doubled slashes); a relative or empty location
        counts from the current directory. Indexed: reads only the files that match, however large the
        catalogue.
        
        >>> [f.dataset for f in cat.datasets_with_file("/data/ma1234/run7/scan.h5")]
        >>> cat.datasets_with_file(sha256=dt.sha256_file("copy.h5"))
        
        :param path: an absolute path to the file
        :param sha256: its checksum, 64 lowercase hexadecimal digits
        :returns: one :class:`DatasetFile` per matching file, in registration order, each saying whether
            it is at the path (``at_path``), has the checksum (``same_content``) or both
        :raises ValidationError: when neither is given, the path is not absolute or names a folder, or
            the checksum is malformed; naming the field, value and rule
        """
    def descendant_pids(self, x: str | Dataset | Activity | datatrail._activity.ActivityRun, depth: int | None = None) -> dict[str, int]:
        """
        The datasets :meth:`descendants` reaches, without the graph: each PID with the number of
        derivation steps on it lies, nearest first. ``x`` itself is not included.
        
        :param x: a :class:`Dataset`, :class:`Activity`, started :class:`ActivityRun` or PID
        :param depth: the number of derivation steps; None for all the way
        :returns: a dict from PID to depth
        :raises NotFound: when ``x`` is not in the catalogue
        """
    def descendants(self, x: str | Dataset | Activity | datatrail._activity.ActivityRun, depth: int | None = None) -> ProvGraph:
        """
        What was made from a dataset or activity, ``depth`` derivation steps on, with the activities and
        agents on the way.
        
        :param x: a :class:`Dataset`, :class:`Activity`, started :class:`ActivityRun` or PID
        :param depth: the number of derivation steps; None for all the way
        :returns: a :class:`ProvGraph` whose first node is ``x``
        :raises NotFound: when ``x`` is not in the catalogue
        """
    def downstream(self, x: str | Dataset | Activity | datatrail._activity.ActivityRun) -> datatrail._datasets.Datasets:
        """
        Every dataset made from a dataset (or from an activity's outputs), however indirectly: what
        must be redone when it turns out to be wrong.
        
        :param x: a :class:`Dataset`, :class:`Activity`, started :class:`ActivityRun` or PID
        :returns: the datasets, with their files and metadata, as a :class:`Datasets` list
        :raises NotFound: when ``x`` is not in the catalogue
        """
    def explain(self, query: str | Query | None = None, *, kind: str | None = None, state: str | None = None, valid: bool | None = None, investigation: str | Investigation | None = None, instrument: str | Instrument | None = None, sample: str | Sample | None = None, started_after: datetime.datetime | datetime.date | str | None = None, started_before: datetime.datetime | datetime.date | str | None = None, name: str | None = None, text: str | None = None, keyword: str | None = None, technique: str | None = None, where: str | collections.abc.Iterable[Condition | str] | None = None, order: str = 'created', descending: bool = False, limit: int | None = None, offset: int = 0) -> str:
        """
        How the engine would run :meth:`find_datasets` with the same arguments: its query plan as text,
        one step per line (SQLite's ``EXPLAIN QUERY PLAN``, PostgreSQL's ``EXPLAIN``). A metadata range
        query should show the ``dataset_metadata_si`` index.
        """
    def find_activities(self, *, name: str | None = None, type: str | None = None, status: str | None = None, program: str | None = None, min_version: str | None = None, max_version: str | None = None, parent: str | Activity | datatrail._activity.ActivityRun | None = None, limit: int | None = None) -> list[Activity]:
        """
        Find activities, oldest first. Every filter given must hold; None means any.
        
        >>> cat.find_activities(program="pyFAI", min_version="2025.1", max_version="2025.2")
        
        :param name: a glob pattern on the name: ``"azimuthal_*"``
        :param type: ``"acquisition"``, ``"processing"``, ``"workflow"``, ``"notebook"`` or ``"other"``
        :param status: ``"running"``, ``"succeeded"`` or ``"failed"``
        :param program: the program, exactly
        :param min_version: the oldest version wanted (inclusive); versions compare part by part,
            numbers as numbers: ``1.2 < 1.10 < 2.0rc1 < 2.0`` (see :func:`compare_versions`)
        :param max_version: the first version not wanted (exclusive)
        :param parent: only the activities this one contains
        :param limit: at most this many; None for all
        :raises ValidationError: when a filter breaks a rule
        :raises NotFound: when ``parent`` is not in the catalogue
        """
    def find_datasets(self, query: str | Query | None = None, *, kind: str | None = None, state: str | None = None, valid: bool | None = None, investigation: str | Investigation | None = None, instrument: str | Instrument | None = None, sample: str | Sample | None = None, started_after: datetime.datetime | datetime.date | str | None = None, started_before: datetime.datetime | datetime.date | str | None = None, name: str | None = None, text: str | None = None, keyword: str | None = None, technique: str | None = None, where: str | collections.abc.Iterable[Condition | str] | None = None, order: str = 'created', descending: bool = False, limit: int | None = None, offset: int = 0) -> datatrail._datasets.Datasets:
        """
        Find datasets by a query, by their fields and by metadata. Every filter given must hold; None
        means any. Quantities compare across units: ``"energy > 12 keV"`` finds 12700 eV.
        
        >>> cat.find_datasets('technique == "MX" and (energy > 12 keV or wavelength < 1 angstrom)', limit=10)
        >>> cat.find_datasets(investigation="ma1234", where="energy between 12 and 13 keV", order="energy")
        
        :param query: a query in the query language, as text or a :class:`Query` (see
            :func:`parse_query`): ``'technique == "MX" and (energy > 12 keV or exists detector.distance)'``
        :param kind: ``"raw"`` or ``"processed"``
        :param state: ``"acquiring"``, ``"complete"`` or ``"failed"``
        :param valid: False for datasets a lenient schema accepted with violations, True for the others
        :param investigation: an :class:`Investigation`, its PID or its name
        :param instrument: an :class:`Instrument`, its PID or its name
        :param sample: a :class:`Sample`, its PID or its name
        :param started_after: only datasets whose start time is at or after this
        :param started_before: only datasets whose start time is before this
        :param name: a glob pattern on the name: ``"scan_*"``, ``"*_dark"``, ``"scan_00[1-5]"``
        :param text: full-text search over names, descriptions, keywords and text metadata
        :param keyword: an exact keyword
        :param technique: an exact technique
        :param where: metadata conditions: a str such as ``"energy between 12 and 13 keV and
            detector.name = 'eiger'"`` (see :func:`parse_conditions`), or a list of :class:`Condition`
            objects and such strings; all must hold
        :param order: ``"created"`` (registration order), or any dataset field or metadata key:
            ``"name"``, ``"start_time"``, ``"energy"`` (numbers by value across units); datasets without
            the key come first, or last with ``descending``
        :param descending: reverse the order
        :param limit: at most this many; None for all
        :param offset: skip this many first (for paging)
        :returns: the datasets, with their files and metadata, as a :class:`Datasets` list (a notebook shows
            it as a table)
        :raises ValidationError: when a filter breaks a rule, or the query compares a field or key with a
            value of another type
        :raises UnitError: when a unit's dimension differs from the key's
        :raises NotFound: when ``investigation``, ``instrument`` or ``sample`` is not in the catalogue
        :raises QuerySyntaxError: when ``query`` or ``where`` does not parse
        
        Times are accepted as an aware :class:`datetime.datetime` (converted exactly), a naive one (taken
        as local time), a :class:`datetime.date` (midnight UTC) or an ISO 8601 str; they come back as
        aware datetimes in UTC.
        """
    def finish_activity(self, activity: str | Activity | datatrail._activity.ActivityRun, status: str, end_time: datetime.datetime | datetime.date | str | None = None) -> None:
        """
        End an activity. ``"failed"`` marks every dataset it generated failed, so none looks valid;
        ``"succeeded"`` marks those still acquiring complete.
        
        :param activity: an :class:`Activity`, a started :class:`ActivityRun` or a PID
        :param status: ``"succeeded"`` or ``"failed"`` (``"running"`` changes only the end time)
        :param end_time: when it ended; None for now
        :raises NotFound: when the activity is not in the catalogue
        :raises ValidationError: for an unknown status or an end before the start
        """
    def generated_by_program(self, program: str, min_version: str | None = None, max_version: str | None = None, include_downstream: bool = False) -> datatrail._datasets.Datasets:
        """
        The datasets that versions of a program generated and, with ``include_downstream``,
        everything made from them: what a bug in those versions touched.
        
        >>> cat.generated_by_program("pyFAI", min_version="2025.1", max_version="2025.2",
        ...                          include_downstream=True)
        
        :param program: the program, exactly
        :param min_version: the first affected version (inclusive); None for no lower bound. Versions
            compare part by part, numbers as numbers: ``1.2 < 1.10``
        :param max_version: the first version not affected (exclusive); None for no upper bound
        :param include_downstream: add every dataset made from them
        :returns: the datasets, with their files and metadata, as a :class:`Datasets` list
        :raises ValidationError: when ``program`` is empty
        """
    def get_activity(self, pid: str | Activity | datatrail._activity.ActivityRun) -> Activity:
        """
        The activity with this PID, read now: status, log, what it used and generated.
        (:meth:`activity` is the context manager that records one.)
        
        :param pid: a PID, an :class:`Activity` or a started :class:`ActivityRun`
        :raises NotFound: when there is none
        """
    def ingest(self, path: str | os.PathLike[str], *, recursive: bool = True, suffixes: collections.abc.Iterable[str] | None = None, progress: bool | collections.abc.Callable[[str, int, int, str], typing.Any] | None = None) -> IngestReport:
        """
        Ingest the NeXus file at ``path``, or every file with one of ``suffixes`` in the folder at
        ``path`` (and its sub-folders when ``recursive``; hidden entries, whose name starts with ``.``,
        are left out): datasets with the PIDs the files carry, each file with its size, SHA-256 and
        modification time, metadata with units, and the provenance processed files embed (activities
        with their parameters, inputs and outputs), so that a catalogue can be rebuilt from the files.
        
        Each file is registered whole or not at all, raw files before processed ones. Ingesting the same
        files again changes nothing (``already_present``); a file whose dataset PID is in the catalogue
        with a file of other content is a ``Conflict`` in ``failed``. A file that is not HDF5, is
        truncated or lacks a required field is in ``failed`` with its path and reason; an HDF5 file
        without an NXentry is in ``skipped``. The GIL is released while files are read and registered.
        
        :param path: a NeXus file (read whatever its suffix) or a folder
        :param recursive: descend into sub-folders
        :param suffixes: which files of a folder to read, compared without case; default
            ``[".nxs", ".nx5", ".h5", ".hdf5"]``
        :param progress: ``True`` for a bar on standard error, or a callable
            ``progress(stage, done, total, path)``, ``stage`` being ``"reading"`` or ``"registering"``
        :returns: an :class:`IngestReport`
        :raises ValidationError: for a path that does not exist or a bad suffix, naming it; nothing is read
        :raises StorageError: when the catalogue cannot be written (opened read-only); files registered
            before stay
        """
    def instrument(self, pid_or_name: str) -> Instrument:
        """
        The instrument with this PID or name.
        
        :raises NotFound: when there is none
        """
    def instruments(self) -> list[Instrument]:
        """
        All instruments.
        """
    def investigation(self, pid_or_name: str) -> Investigation:
        """
        The investigation with this PID or name.
        
        :raises NotFound: when there is none
        """
    def investigations(self) -> list[Investigation]:
        """
        All investigations.
        """
    def lineage_path(self, ancestor: str | Dataset, descendant: str | Dataset) -> ProvGraph:
        """
        The shortest derivation path from one dataset down to another, with the activities that made
        each step.
        
        >>> " -> ".join(n.name for n in cat.lineage_path(raw, merged).datasets)
        'scan_001 -> scan_001_integrated -> merged'
        
        :param ancestor: the dataset the path starts from
        :param descendant: the dataset it leads to
        :returns: a :class:`ProvGraph` whose nodes run from ``ancestor`` to ``descendant`` (each
            dataset's ``depth`` counts the steps left to ``descendant``), each step's activity after
            the dataset it made
        :raises ValidationError: when either is not in the catalogue
        :raises NotFound: when ``descendant`` was not made from ``ancestor``
        """
    def merge_from(self, source: Catalog, *, progress: typing.Any = None) -> MergeReport:
        """
        Copies into this catalogue what it lacks of ``source``, matched by PID.
        
        Instruments, investigations, samples, agents, datasets with their files and metadata,
        activities with their parameters and links, and derivation links are copied with their PIDs
        and prefixes. Records already here with the same content are skipped, so merging twice adds
        nothing. All in one transaction: a record here whose content differs from the source's (or a
        unique name taken by another PID, a metadata key of another class or dimension, a link that
        would make a cycle) raises :class:`Conflict`, whose ``differences`` lists each one, and nothing
        is written. Works between any two engines (a beamline's SQLite file into the facility's).
        
        :param source: the catalogue to copy from (read in one snapshot)
        :param progress: ``True`` for a progress line on standard error, or a callable
            ``progress(stage, done, total)`` called as records are merged
        :returns: a :class:`MergeReport` of what was added and skipped
        
        >>> report = facility.merge_from(dt.Catalog("beamline.db"))  # doctest: +SKIP
        >>> report.datasets  # doctest: +SKIP
        MergeCount(added=1200, skipped=0)
        """
    def provenance(self) -> ProvGraph:
        """
        The whole catalogue's provenance as one :class:`ProvGraph`: every dataset, activity and agent
        and every link, for export (``cat.provenance().to_prov_json()``).
        """
    def raw_sources(self, x: str | Dataset | Activity | datatrail._activity.ActivityRun) -> datatrail._datasets.Datasets:
        """
        The raw datasets a dataset (or an activity's inputs) was ultimately made from.
        
        :param x: a :class:`Dataset`, :class:`Activity`, started :class:`ActivityRun` or PID
        :returns: the raw datasets, with their files and metadata, as a :class:`Datasets` list (a notebook
            shows it as a table)
        :raises NotFound: when ``x`` is not in the catalogue
        """
    def record_activity(self, activity: Activity | collections.abc.Mapping[str, typing.Any], outputs: collections.abc.Iterable[Dataset | collections.abc.Mapping[str, typing.Any]] = (), *, role: str = '', describe_files: bool = False) -> tuple[Activity, list[Dataset]]:
        """
        Record an activity whose work is done, with its outputs, in one transaction: what
        :meth:`start_activity`, :meth:`add_outputs` and :meth:`finish_activity` record, with the same
        checks and rules, in one write instead of three. A workflow task records itself this way once
        its function has returned.
        
        Its status is the activity's: ``"succeeded"`` or ``"failed"`` (the end time defaulting to now)
        does to the outputs what :meth:`finish_activity` does (failed: all failed; succeeded: those
        ``"acquiring"`` complete); ``"running"`` records it as :meth:`start_activity` and
        :meth:`add_outputs` would. The outputs are registered as given, derived from every dataset the
        activity used.
        
        :param activity: an :class:`Activity`, or a dict of its keywords
        :param outputs: :class:`Dataset` objects, or dicts of :meth:`register_dataset`'s keywords
        :param role: the role of the generation, e.g. ``"result"``
        :param describe_files: as for :meth:`register_dataset`
        :returns: ``(activity, outputs)`` as stored, the outputs in order
        :raises ValidationError: naming every broken rule, the activity's as ``activity.<field>`` and the
            outputs' as ``outputs[i].<field>``; nothing is written
        :raises Conflict: when a PID is taken
        """
    def register_dataset(self, name: str, kind: str = 'raw', *, description: str = '', investigation: str | Investigation | None = None, instrument: str | Instrument | None = None, sample: str | Sample | None = None, techniques: collections.abc.Iterable[str] = (), keywords: collections.abc.Iterable[str] = (), start_time: datetime.datetime | datetime.date | str | None = None, end_time: datetime.datetime | datetime.date | str | None = None, location: str | os.PathLike[str] = '', schema: str = '', metadata: collections.abc.Mapping[str, typing.Any] | None = None, state: str = 'complete', files: collections.abc.Iterable[str | os.PathLike[str] | Datafile | collections.abc.Mapping[str, typing.Any]] = (), created_by: str = '', pid: str | None = None, describe_files: bool = False) -> Dataset:
        """
        Register a dataset with its files and metadata.
        
        >>> cat.register_dataset("scan_001", investigation="ma1234", instrument="ID11",
        ...                      techniques=["XRD"], location="/data/ma1234/scan_001",
        ...                      metadata={"energy": (12.7, "keV"), "detector.name": "eiger"},
        ...                      files=["scan_001.nxs"], describe_files=True)
        Dataset(pid='local/01J...', name='scan_001', kind='raw', metadata=2 keys, files=1)
        
        Metadata values may be a str, bool, int, float (numpy scalars too), a datetime or date, a list
        or 1-D numpy array of ints, floats or str (an array), a dict or nested list (stored as JSON), a
        ``(value, "unit")`` or ``(value, "unit", uncertainty)`` tuple or a :class:`Quantity`. (A tuple
        whose second item is a str is always read as a quantity; write other arrays as lists.) Keys are
        dotted paths: ``"detector.distance"``.
        
        :param name: the name, e.g. ``"scan_001"``
        :param kind: ``"raw"`` or ``"processed"``
        :param description: free text
        :param investigation: an :class:`Investigation`, its PID or its name
        :param instrument: an :class:`Instrument`, its PID or its name
        :param sample: a :class:`Sample`, its PID or its name
        :param techniques: e.g. ``["XRD"]``
        :param keywords: free keywords
        :param start_time: the start of the acquisition or processing
        :param end_time: its end
        :param location: the root folder or URI the files' paths are relative to
        :param schema: the metadata schema to check it against: ``"mx"`` (the catalogue's latest version) or ``"mx@1.2"`` (see :meth:`Catalog.add_schema`)
        :param metadata: a mapping of keys to values (see above)
        :param state: ``"acquiring"``, ``"complete"`` or ``"failed"``
        :param files: paths relative to ``location``, :class:`Datafile` objects or dicts of their fields
        :param created_by: who made it; empty for the user running the process
        :param pid: a PID minted elsewhere; None to mint one
        :param describe_files: compute size, SHA-256, modification time and format of every file from
            disk (under ``location``), with the GIL released
        :returns: the dataset as stored: PID minted, references resolved to PIDs
        :raises ValidationError: naming every field that breaks a rule, including references that
            are not in the catalogue (:class:`UnitError` when only units are wrong); nothing is written
        :raises NotFound: with ``describe_files``, when a file is missing
        :raises Conflict: when the PID is taken
        
        Times are accepted as an aware :class:`datetime.datetime` (converted exactly), a naive one (taken
        as local time), a :class:`datetime.date` (midnight UTC) or an ISO 8601 str; they come back as
        aware datetimes in UTC.
        """
    def register_datasets(self, datasets: collections.abc.Iterable[Dataset | collections.abc.Mapping[str, typing.Any]], *, describe_files: bool = False) -> list[Dataset]:
        """
        Register many datasets in one transaction: all or nothing, and much faster than one by one.
        
        :param datasets: :class:`Dataset` objects, or dicts of :meth:`register_dataset`'s keywords
            (without ``describe_files``)
        :param describe_files: as for :meth:`register_dataset`
        :returns: the datasets as stored, in order
        :raises ValidationError: naming every broken rule as ``datasets[i].<field>``; nothing is written
        :raises NotFound: with ``describe_files``, when a file is missing
        :raises Conflict: when a PID is taken
        """
    def sample(self, pid_or_name: str) -> Sample:
        """
        The sample with this PID or name.
        
        :raises NotFound: when there is none
        """
    def samples(self) -> list[Sample]:
        """
        All samples.
        """
    def schema(self, name: str) -> Schema:
        """
        The schema ``"mx"`` (its latest version) or ``"mx@1.2"``, flattened.
        
        :raises NotFound: when the catalogue lacks it
        """
    def schemas(self) -> list[Schema]:
        """
        Every version of every schema, flattened, by name and version.
        """
    def set_metadata(self, pid: str | Dataset, metadata: collections.abc.Mapping[str, typing.Any] | None) -> None:
        """
        Add metadata keys to a dataset or replace their values; other keys stay.
        
        :param pid: the dataset: its PID or the :class:`Dataset`
        :param metadata: keys and values, as for :meth:`register_dataset`
        :raises NotFound: when the dataset is missing
        :raises ValidationError: when a value breaks a rule; nothing is written
        """
    def set_state(self, pid: str | Dataset, state: str, end_time: datetime.datetime | datetime.date | str | None = None) -> None:
        """
        Change a dataset's state, e.g. mark an acquiring dataset ``"complete"`` or ``"failed"``.
        
        :param pid: the dataset: its PID or the :class:`Dataset`
        :param state: ``"acquiring"``, ``"complete"`` or ``"failed"``
        :param end_time: when given, the dataset's end time
        :raises NotFound: when the dataset is missing
        :raises ValidationError: when the state or time is not valid
        
        Times are accepted as an aware :class:`datetime.datetime` (converted exactly), a naive one (taken
        as local time), a :class:`datetime.date` (midnight UTC) or an ISO 8601 str; they come back as
        aware datetimes in UTC.
        """
    def start_activity(self, activity: Activity | collections.abc.Mapping[str, typing.Any]) -> Activity:
        """
        Record an activity with what it used, its agents, parent and informants: the building block
        under :meth:`activity`. It is running unless it says otherwise; end it with
        :meth:`finish_activity`.
        
        :param activity: an :class:`Activity`, or a dict of its keywords
        :returns: the activity as stored: PID minted, start time, host and user filled in, agents
            resolved to PIDs
        :raises ValidationError: when a field breaks a rule or a PID it refers to (input, parent,
            informant, agent) is not in the catalogue; nothing is written
        :raises Conflict: when the PID is taken
        """
    def validate(self, query: str | Query | None = None, *, pids: collections.abc.Iterable[str] | None = None, schema: str | None = None, record: bool = False) -> list[SchemaReport]:
        """
        Check datasets again, each against the schema it names, or against ``schema`` when given.
        
        >>> [r for r in cat.validate("technique == MX", schema="mx@2.0") if not r.ok]
        
        :param query: the datasets, as for :meth:`find_datasets` (None: all), or
        :param pids: their PIDs
        :param schema: ``"mx"`` or ``"mx@1.2"`` to check against instead of each dataset's own
        :param record: store each result with its dataset (schema, valid, violations; the metadata is left
            as it is); otherwise nothing is written
        :returns: one :class:`SchemaReport` per dataset, in order
        :raises NotFound: when ``schema`` is not in the catalogue
        :raises ValidationError: for a PID that names no dataset
        """
    @property
    def closed(self) -> bool:
        """
        Whether :meth:`close` has been called.
        """
    @property
    def path(self) -> str:
        """
        The catalogue's location as given: a file, ``":memory:"`` or a URI.
        """
    @property
    def pid_prefix(self) -> str:
        """
        The prefix of the PIDs this catalogue mints, e.g. ``"local"``.
        """
    @property
    def schema_version(self) -> int:
        """
        The version of the catalogue's database schema.
        """
class MergeCount:
    """
    Records of one kind a merge added, and those the catalogue already had.
    """
    __hash__: typing.ClassVar[None] = None
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    @property
    def added(self) -> int:
        """
        Records copied into the catalogue.
        """
    @property
    def skipped(self) -> int:
        """
        Records the catalogue already had, with the same content.
        """
class MergeReport:
    """
    What :meth:`Catalog.merge_from` did, per kind of record: each attribute is a :class:`MergeCount`.
    ``links`` counts derivation links; an activity's own links (inputs, agents, informants) come with it.
    """
    __hash__: typing.ClassVar[None] = None
    _fields: typing.ClassVar[tuple] = ('schemas', 'instruments', 'investigations', 'samples', 'agents', 'datasets', 'activities', 'links')
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def _repr_html_(self) -> str:
        """
        The HTML a Jupyter notebook shows: every value escaped, long listings truncated (docs/jupyter.md).
        """
    @property
    def activities(self) -> MergeCount:
        ...
    @property
    def agents(self) -> MergeCount:
        ...
    @property
    def datasets(self) -> MergeCount:
        ...
    @property
    def instruments(self) -> MergeCount:
        ...
    @property
    def investigations(self) -> MergeCount:
        ...
    @property
    def links(self) -> MergeCount:
        ...
    @property
    def samples(self) -> MergeCount:
        ...
    @property
    def schemas(self) -> MergeCount:
        ...
class IngestItem:
    """
    What :meth:`Catalog.ingest` did with one file.
    """
    def __repr__(self) -> str:
        ...
    @property
    def dataset(self) -> str:
        """
        The dataset's PID, when the file named or got one.
        """
    @property
    def error(self) -> str:
        """
        For a failed file, the error's class: ``NexusError``, ``Conflict``, ``ValidationError``, ``NotFound``.
        """
    @property
    def notes(self) -> list[str]:
        """
        What was left out or assumed: an input not in the catalogue, a schema it lacks, a PID derived from the file.
        """
    @property
    def path(self) -> str:
        """
        The file, as found under the path given.
        """
    @property
    def reason(self) -> str:
        """
        Why it failed or was skipped, naming the file.
        """
    @property
    def status(self) -> str:
        """
        ``ingested``, ``already_present``, ``skipped`` or ``failed``: the report's list it is in.
        """
class IngestReport:
    """
    What :meth:`Catalog.ingest` did: one :class:`IngestItem` per file, by outcome.
    """
    def __repr__(self) -> str:
        ...
    def _repr_html_(self) -> str:
        """
        The HTML a Jupyter notebook shows: every value escaped, long listings truncated (docs/jupyter.md).
        """
    @property
    def already_present(self) -> list[IngestItem]:
        """
        Same PID and same SHA-256: nothing changed.
        """
    @property
    def failed(self) -> list[IngestItem]:
        """
        Not HDF5, truncated, a required field missing, or a Conflict.
        """
    @property
    def ingested(self) -> list[IngestItem]:
        """
        New datasets, or files added to a dataset already here.
        """
    @property
    def skipped(self) -> list[IngestItem]:
        """
        HDF5 files without an NXentry.
        """
def capture_environment(source_tree: str | os.PathLike[str] | None = None) -> Environment:
    """
    What C++ can see of the environment: operating system, user and, when ``source_tree`` is
    inside a git work tree, its top, HEAD commit and whether tracked files have uncommitted
    changes. Runs ``git`` with the GIL released; a missing git is no error (the git fields stay empty).
    
    :param source_tree: a folder of the code that runs; None for the working directory
    :returns: an :class:`Environment` without the Python fields
    """
def check_catalog_file_system(path: str | os.PathLike[str], magic: int | None, *, read_only: bool = False, sqlite_network_file_system: bool = False) -> None:
    """
    The check :class:`Catalog` makes before it opens the catalogue file ``path`` with these options,
    for a file system given by its ``f_type``: it reads and writes nothing, so a rule can be tried
    for any file system from anywhere.
    
    >>> datatrail.check_catalog_file_system("catalog.db", datatrail.file_system_magic("catalog.db"))
    
    :param path: the catalogue file (``":memory:"`` for an in-memory catalogue)
    :param magic: the ``f_type`` of its folder (see :func:`file_system_magic`); None for none
    :param read_only: as for :class:`Catalog`
    :param sqlite_network_file_system: as for :class:`Catalog`
    :raises StorageError: when the file is on a network file system and would be opened for writing
        without ``sqlite_network_file_system``; the message names the file, the file system, why,
        and the remedies
    :raises ValidationError: when the options contradict each other or the path, or ``magic`` is not
        an int from 0 to 2**64 - 1
    """
def compare_versions(a: str, b: str) -> int:
    """
    Compare two version strings the way :meth:`Catalog.find_activities` does: dotted parts one by
    one, numbers as numbers (``1.2 < 1.10``), and a pre-release suffix before its release
    (``2.0rc1 < 2.0``).
    
    :returns: a negative number, 0 or a positive number as ``a`` is older than, equal to or newer than ``b``
    """
def describe_file(root: str | os.PathLike[str], relative_path: str | os.PathLike[str]) -> Datafile:
    """
    Read the file at ``root / relative_path`` and describe it: size, SHA-256, modification time and
    format (guessed from the extension). The GIL is released while the file is read.
    
    :param root: the dataset's location
    :param relative_path: the file's path under it, as it will be recorded
    :returns: a :class:`Datafile` whose ``path`` is ``relative_path``
    :raises NotFound: naming the full path when it is not a readable regular file
    """
def file_system_magic(path: str | os.PathLike[str]) -> int:
    """
    The ``statfs()`` ``f_type`` of the file system that holds, or will hold, the catalogue file
    ``path``: that of the folder it is in, after following symbolic links (SQLite keeps its journal,
    ``-wal`` and ``-shm`` files beside the real file).
    
    :param path: a catalogue file, which need not exist yet
    :raises StorageError: when its folder cannot be examined (e.g. it does not exist)
    """
def format_time(time: datetime.datetime | datetime.date | str) -> str:
    """
    Format a time as datatrail writes it: ISO 8601 in UTC with microseconds,
    ``"2026-11-21T20:03:15.123456Z"``. The width is fixed, so text order is time order.
    
    :param time: an aware :class:`datetime.datetime` (a naive one is local time), a
        :class:`datetime.date` (midnight UTC) or an ISO 8601 str
    :raises ValidationError: when ``time`` is none of these
    """
def guess_format(path: str) -> str:
    """
    The format datatrail records for a file, guessed from its extension: ``"nexus"`` for
    ``.nxs``/``.nx5``, ``"hdf5"`` for ``.h5``/``.hdf5``, ``"tiff"``, ``"cbf"``, ``"edf"``, ``"json"``,
    ``"csv"``, ``"text"`` ...; empty when unknown.
    """
def host_name() -> str:
    """
    This machine's host name, as activities record it.
    """
def ingest(catalog: Catalog, path: str | os.PathLike[str], *, recursive: bool = True, suffixes: collections.abc.Iterable[str] | None = None, progress: bool | collections.abc.Callable[[str, int, int, str], typing.Any] | None = None) -> IngestReport:
    """
    Same as ``catalog.ingest(path, ...)``.
    
    Ingest the NeXus file at ``path``, or every file with one of ``suffixes`` in the folder at
    ``path`` (and its sub-folders when ``recursive``; hidden entries, whose name starts with ``.``,
    are left out): datasets with the PIDs the files carry, each file with its size, SHA-256 and
    modification time, metadata with units, and the provenance processed files embed (activities
    with their parameters, inputs and outputs), so that a catalogue can be rebuilt from the files.
    
    Each file is registered whole or not at all, raw files before processed ones. Ingesting the same
    files again changes nothing (``already_present``); a file whose dataset PID is in the catalogue
    with a file of other content is a ``Conflict`` in ``failed``. A file that is not HDF5, is
    truncated or lacks a required field is in ``failed`` with its path and reason; an HDF5 file
    without an NXentry is in ``skipped``. The GIL is released while files are read and registered.
    
    :param path: a NeXus file (read whatever its suffix) or a folder
    :param recursive: descend into sub-folders
    :param suffixes: which files of a folder to read, compared without case; default
        ``[".nxs", ".nx5", ".h5", ".hdf5"]``
    :param progress: ``True`` for a bar on standard error, or a callable
        ``progress(stage, done, total, path)``, ``stage`` being ``"reading"`` or ``"registering"``
    :returns: an :class:`IngestReport`
    :raises ValidationError: for a path that does not exist or a bad suffix, naming it; nothing is read
    :raises StorageError: when the catalogue cannot be written (opened read-only); files registered
        before stay
    """
def is_valid_metadata_key(key: str) -> bool:
    """
    Whether ``key`` is a valid metadata key: a dotted path of identifiers such as ``"energy"``,
    ``"detector.distance"`` or ``"sample.temperature_2"`` (at most 255 characters).
    """
def is_valid_pid(pid: str) -> bool:
    """
    Whether ``pid`` has the form ``"<prefix>/<suffix>"`` with a valid prefix and a non-empty
    suffix free of whitespace and control characters. PIDs minted elsewhere (handles, DOIs) count.
    """
def is_valid_pid_prefix(prefix: str) -> bool:
    """
    Whether ``prefix`` is a valid PID prefix: a letter or digit followed by letters, digits,
    ``.``, ``_`` or ``-`` (``"local"``, ``"20.500.12345"``).
    """
def key(name: str) -> Key:
    """
    A dataset field or metadata key, to build a :class:`Query` in code:
    ``dt.key("energy") > dt.Quantity(12, "keV")``, ``dt.key("technique") == "MX"``.
    """
def load_schema(path: str | os.PathLike[str]) -> Schema:
    """
    Read a schema from a YAML file.
    
    :raises ValidationError: naming the file, line and column of each problem, or a file that cannot be read
    """
def network_file_system(path: str | os.PathLike[str]) -> str | None:
    """
    The network or cluster file system that holds, or will hold, the catalogue file ``path``: a data
    manager's check before pointing jobs at a folder. A catalogue there is not opened for writing
    unless :class:`Catalog` is given ``sqlite_network_file_system=True``.
    
    >>> datatrail.network_file_system("/gpfs/beamline/catalog.db")  # on a GPFS mount
    'GPFS (IBM Storage Scale)'
    
    :param path: a catalogue file, which need not exist yet
    :returns: the file system's name, as :func:`network_file_system_name` gives it; None when the
        folder is on a local file system
    :raises StorageError: when its folder cannot be examined (e.g. it does not exist)
    """
def network_file_system_name(magic: int) -> str | None:
    """
    The name of the network or cluster file system whose ``statfs()`` ``f_type`` is ``magic``.
    
    >>> datatrail.network_file_system_name(0x6969)
    'NFS'
    
    :param magic: the file system's ``f_type``, as :func:`file_system_magic` returns it
    :returns: e.g. ``"NFS"``, ``"Lustre"``, ``"GPFS (IBM Storage Scale)"``; None for a local file
        system (ext4, xfs, btrfs, tmpfs, overlayfs ...) and for a number datatrail does not know
    :raises ValidationError: when ``magic`` is not an int from 0 to 2**64 - 1
    """
def new_pid(prefix: str) -> str:
    """
    A new PID: ``prefix + "/" + new_ulid()``, e.g. ``"local/01JD3X5K7M9Q2R4T6V8W0Y1Z2A"``.
    
    :param prefix: the catalogue's PID prefix, e.g. ``"local"`` or a handle prefix ``"20.500.12345"``
    """
def new_ulid() -> str:
    """
    A new 26-character ULID: 48-bit millisecond time and 80 random bits in Crockford base32.
    ULIDs sort by creation time and are monotonic within a process.
    """
def parse_conditions(text: str) -> list[Condition]:
    """
    Parse a conjunction of metadata conditions, as ``where=`` of :meth:`Catalog.find_datasets` does.
    
    >>> datatrail.parse_conditions('energy between 12 and 13 keV and detector.name = "eiger"')
    [Condition(key='energy', op='between', value=12, upper=13, unit='keV'), Condition(key='detector.name', op='=', value='eiger')]
    
    Operators: ``= == != < <= > >= between ... and ...``. Strings in single or double quotes;
    ``true``/``false``; datetimes as ISO 8601 (``2026-11-21T10:00:00Z``, quoted or not).
    
    :param text: the conditions, joined by ``and``
    :returns: the conditions, in order
    :raises QuerySyntaxError: with the position of the first problem
    """
def parse_query(text: str) -> Query:
    """
    Parse a query in datatrail's query language.
    
    >>> dt.parse_query('technique == "MX" and (energy > 12 keV or wavelength < 1 angstrom)')
    Query('technique == "MX" and (energy > 12 keV or wavelength < 1 angstrom)')
    
    Conditions compare a dataset field (``pid``, ``name``, ``description``, ``kind``, ``state``,
    ``technique``, ``keyword``, ``investigation``, ``instrument``, ``sample``, ``start``, ``end``,
    ``created``, ``created_by``, ``location``, ``schema``, ``valid``) or a metadata key with ``== != < <= > >=``,
    ``between ... and ...``, ``~`` (glob), ``in [...]``; ``exists key``; ``text("words")``; joined
    by ``and``, ``or``, ``not`` and parentheses. Numbers take units (``12 keV``). Grammar and
    semantics: docs/query.md.
    
    :param text: the query; empty matches every dataset
    :raises QuerySyntaxError: with the position of the problem and what was expected
    """
def parse_schema(text: str, source_name: str = '<schema>') -> Schema:
    """
    Read a schema from YAML text (format: docs/schemas.md).
    
    :param text: the YAML
    :param source_name: how errors name the text, e.g. a file name
    :raises ValidationError: naming ``<source_name>:<line>:<column>: <path>`` for each problem
    """
def parse_time(text: str) -> datetime.datetime:
    """
    Parse an ISO 8601 time as datatrail does everywhere it accepts a time as text.
    
    Accepts ``YYYY-MM-DD`` and ``YYYY-MM-DDTHH:MM[:SS[.ffffff]]`` with an optional ``Z`` or
    ``+HH:MM``/``-HH:MM`` offset (``T`` may be a space). Without an offset the time is UTC.
    
    :param text: the time, e.g. ``"2026-11-21T10:00:00+01:00"``
    :returns: a timezone-aware :class:`datetime.datetime` in UTC
    :raises ValidationError: when the text is not such a time
    """
def sha256_file(path: str | os.PathLike[str]) -> str:
    """
    The SHA-256 of a file's content as 64 lowercase hex digits. The GIL is released while the file
    is read.
    
    :raises NotFound: when the file cannot be read
    """
def text(words: str) -> Query:
    """
    A full-text search as a :class:`Query`: every word must occur in a dataset's name, description,
    keywords, techniques or text metadata; ``"lyso*"`` matches words that start with ``lyso``.
    """
def to_dot(graph: ProvGraph) -> str:
    """
    The graph as Graphviz DOT, in PROV's usual shapes and colours: datasets as yellow ellipses,
    files as notes, activities as blue boxes, agents as orange houses; edges point from the later
    to the earlier thing, as in PROV.
    
    :param graph: a :class:`ProvGraph`
    """
def to_prov_json(graph: ProvGraph) -> str:
    """
    The graph as W3C PROV-JSON (the 2013 member submission), a str. Datasets and files are
    entities, activities activities, agents agents; the relations are ``used``,
    ``wasGeneratedBy``, ``wasDerivedFrom``, ``wasInformedBy``, ``wasAssociatedWith`` and
    ``hadMember``. PIDs are qualified names in the namespace ``pid`` (``urn:datatrail:pid:``),
    datatrail's attributes live in ``dt`` (``urn:datatrail:ns#``). The ``prov`` package reads it:
    ``prov.model.ProvDocument.deserialize(content=text, format="json")``.
    
    :param graph: a :class:`ProvGraph`
    """
def to_prov_n(graph: ProvGraph) -> str:
    """
    The graph in W3C PROV-N, the notation for people: ``document ... endDocument`` with the same
    records and namespaces as the PROV-JSON.
    
    :param graph: a :class:`ProvGraph`
    """
def to_svg(graph: ProvGraph) -> str:
    """
    The graph drawn as SVG by Graphviz's ``dot`` (run with the GIL released).
    
    :raises Error: when Graphviz is not installed or ``dot`` fails
    :param graph: a :class:`ProvGraph`
    """
__version__: str = '0.1.0'
