"""
The compiled core of datatrail: the catalogue, its records, metadata conversion, units and the
error classes. Import :mod:`datatrail` instead; it re-exports all of this.
"""
from __future__ import annotations
import collections.abc
from datatrail import units
import datetime
import os
import types
import typing
__all__: list[str] = ['Catalog', 'Condition', 'Conflict', 'Datafile', 'Dataset', 'Error', 'Instrument', 'Investigation', 'NexusError', 'NotFound', 'Participant', 'QuerySyntaxError', 'Sample', 'StorageError', 'UnitError', 'ValidationError', 'Violation', 'describe_file', 'format_time', 'guess_format', 'is_valid_metadata_key', 'is_valid_pid', 'is_valid_pid_prefix', 'new_pid', 'new_ulid', 'parse_conditions', 'parse_time', 'sha256_file', 'units']
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
    The write would clash with what the catalogue holds (a duplicate PID or name).
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
        The name of the metadata schema it conforms to; optional.
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
class Catalog:
    """
    A datatrail catalogue: one SQLite file holding investigations, instruments, samples, datasets,
    their files and metadata.
    
    >>> with datatrail.Catalog("beamtime.db") as cat:
    ...     ds = cat.register_dataset("scan_001", metadata={"energy": (12.7, "keV")})
    
    A catalogue may be shared by threads: writes are serialised inside, reads run concurrently, and
    the GIL is released during every call. Several processes may write the same file. Every write is
    atomic: when it fails (with a :class:`ValidationError`, :class:`NotFound`, :class:`Conflict` ...)
    nothing has been written.
    
    :param path: the file, created if missing and migrated if older; ``":memory:"`` gives a private
        in-memory catalogue
    :param pid_prefix: the PID prefix of a new catalogue (default ``"local"``); an existing catalogue
        keeps its own, and naming a different one is a :class:`Conflict`
    :param busy_timeout: seconds a write waits for another process's write before
        :class:`StorageError`
    :raises StorageError: when the file cannot be opened or was written by a newer datatrail
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
    def __init__(self, path: str | os.PathLike[str], pid_prefix: str | None = None, busy_timeout: typing.SupportsFloat | typing.SupportsIndex = 10.0) -> None:
        ...
    def __repr__(self) -> str:
        ...
    def add_files(self, pid: str | Dataset, files: collections.abc.Iterable[str | os.PathLike[str] | Datafile | collections.abc.Mapping[str, typing.Any]], *, describe_files: bool = False) -> None:
        """
        Add files to a dataset, typically one still acquiring.
        
        :param pid: the dataset: its PID or the :class:`Dataset`
        :param files: paths relative to its location, :class:`Datafile` objects or dicts of their fields
        :param describe_files: compute size, SHA-256, modification time and format from disk
        :raises NotFound: when the dataset, or with ``describe_files`` a file, is missing
        :raises ValidationError: when a file breaks a rule; nothing is written
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
    def close(self) -> None:
        """
        Close the catalogue. Using it afterwards raises :class:`Error`; closing twice is harmless.
        Calls already running in other threads finish first.
        """
    def count_datasets(self, *, kind: str | None = None, state: str | None = None, investigation: str | Investigation | None = None, instrument: str | Instrument | None = None, sample: str | Sample | None = None, started_after: datetime.datetime | datetime.date | str | None = None, started_before: datetime.datetime | datetime.date | str | None = None, name: str | None = None, text: str | None = None, keyword: str | None = None, technique: str | None = None, where: str | collections.abc.Iterable[Condition | str] | None = None) -> int:
        """
        Count the datasets :meth:`find_datasets` would find with the same filters.
        
        :param kind: ``"raw"`` or ``"processed"``
        :param state: ``"acquiring"``, ``"complete"`` or ``"failed"``
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
        :raises QuerySyntaxError: when ``where`` does not parse
        """
    def dataset(self, pid: str | Dataset) -> Dataset:
        """
        The dataset with this PID, with its files and metadata.
        
        :raises NotFound: when there is none
        """
    def find_datasets(self, *, kind: str | None = None, state: str | None = None, investigation: str | Investigation | None = None, instrument: str | Instrument | None = None, sample: str | Sample | None = None, started_after: datetime.datetime | datetime.date | str | None = None, started_before: datetime.datetime | datetime.date | str | None = None, name: str | None = None, text: str | None = None, keyword: str | None = None, technique: str | None = None, where: str | collections.abc.Iterable[Condition | str] | None = None, order: str = 'created', descending: bool = False, limit: int | None = None, offset: int = 0) -> list[Dataset]:
        """
        Find datasets by their fields and metadata. Every filter given must hold; None means any.
        Quantities compare across units: ``where="energy > 12 keV"`` finds 12700 eV.
        
        >>> cat.find_datasets(investigation="ma1234", where="energy between 12 and 13 keV", limit=10)
        
        :param kind: ``"raw"`` or ``"processed"``
        :param state: ``"acquiring"``, ``"complete"`` or ``"failed"``
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
        :param order: ``"created"``, ``"start_time"`` or ``"name"``
        :param descending: reverse the order
        :param limit: at most this many; None for all
        :param offset: skip this many first (for paging)
        :returns: the datasets, with their files and metadata
        :raises ValidationError: when a filter breaks a rule
        :raises NotFound: when ``investigation``, ``instrument`` or ``sample`` is not in the catalogue
        :raises QuerySyntaxError: when ``where`` does not parse
        
        Times are accepted as an aware :class:`datetime.datetime` (converted exactly), a naive one (taken
        as local time), a :class:`datetime.date` (midnight UTC) or an ISO 8601 str; they come back as
        aware datetimes in UTC.
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
        :param schema: the name of the metadata schema it conforms to
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
    @property
    def closed(self) -> bool:
        """
        Whether :meth:`close` has been called.
        """
    @property
    def path(self) -> str:
        """
        The catalogue's file (or ``":memory:"``).
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
def describe_file(root: str | os.PathLike[str], relative_path: str | os.PathLike[str]) -> Datafile:
    """
    Read the file at ``root / relative_path`` and describe it: size, SHA-256, modification time and
    format (guessed from the extension). The GIL is released while the file is read.
    
    :param root: the dataset's location
    :param relative_path: the file's path under it, as it will be recorded
    :returns: a :class:`Datafile` whose ``path`` is ``relative_path``
    :raises NotFound: naming the full path when it is not a readable regular file
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
__version__: str = '0.1.0'
