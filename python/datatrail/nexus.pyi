"""
NeXus/HDF5 files written from the catalogue: a raw dataset's file and a processed dataset's file
that carries its lineage (docs/nexus.md). The extension writes with the system's libhdf5, h5py with
its own copy; both work in one process, but close a file in one before opening it in the other.
"""
from __future__ import annotations
import collections.abc
import datatrail._core
import datetime
import numpy.typing
import os
import types
import typing
__all__: list[str] = ['ArrayInfo', 'DataInfo', 'Entry', 'FrameStack', 'Input', 'NexusFile', 'Process', 'RawLink', 'read_data', 'read_file', 'write_processed_file', 'write_raw_file']
class FrameStack:
    """
    A raw dataset's NeXus file written frame by frame: the layout of :func:`write_raw_file`, with
    ``/entry/data/<signal_name>`` a stack of frames (one HDF5 chunk each) that grows with every
    :meth:`append`. Use it in a ``with`` block: the file is finished when the block ends, and abandoned
    (partial files removed, the dataset marked failed) when an exception leaves it.
    
    The file is written under a temporary name (``.<name>.<random>.part``) and renamed by
    :meth:`close`, so it never looks complete before it is. Appends may come from several threads at
    once (the GIL is released while frames are compressed and written); each call's frames are stored
    together, calls in the order they reach the stack.
    """
    def __enter__(self) -> FrameStack:
        """
        Use the stack in a ``with`` block.
        """
    def __exit__(self, exc_type: type[BaseException] | None, exc_value: BaseException | None, traceback: types.TracebackType | None) -> None:
        """
        Close the stack, or abandon it when the block raised.
        """
    def __init__(self, path: str | os.PathLike[str], catalog: datatrail._core.Catalog, dataset: str | datatrail._core.Dataset, *, dtype: numpy.typing.DTypeLike, frame_shape: collections.abc.Sequence[int], compression: str = 'none', level: typing.SupportsInt | typing.SupportsIndex = 0, threads: typing.SupportsInt | typing.SupportsIndex = 0, units: str = 'counts', long_name: str = '', signal_name: str = 'data', separate_data_file: bool = False, sync_on_close: bool = False, update_catalog: bool = True, checksum: bool = True) -> None:
        """
        Open a frame stack for the raw dataset ``dataset``.
        
        :param path: the master file to write
        :param catalog: the catalogue that holds the dataset
        :param dataset: its PID or the :class:`Dataset`
        :param dtype: the frames' dtype: int8 ... uint64, float32 or float64
        :param frame_shape: one frame's shape, e.g. ``(1024, 1024)``
        :param compression: ``"none"``, ``"gzip"`` (HDF5's deflate), ``"lz4"`` (filter 32004),
            ``"blosc"`` (bitshuffle + LZ4 in Blosc, filter 32001, compressed by the library on ``threads``
            worker threads) or ``"bitshuffle_lz4"`` (filter 32008, needs ``hdf5plugin`` installed)
        :param level: gzip or blosc level, 1-9; 0 for the default
        :param threads: Blosc worker threads per frame; 0 for one per core
        :param units: the frames' ``@units``
        :param long_name: the frames' ``@long_name``
        :param signal_name: the frames' name in NXdata
        :param separate_data_file: write the frames to ``<stem>_data.h5`` beside ``path``, reached by a
            relative external link
        :param sync_on_close: fsync the files before :meth:`close` renames them
        :param update_catalog: keep the dataset ``acquiring`` while the stack is open, make it
            ``complete`` with its files registered on :meth:`close`, ``failed`` when abandoned
        :param checksum: register the files with their SHA-256 (reads them once more)
        :raises ValidationError: for bad arguments, naming each; nothing is written
        :raises NotFound: for an unknown dataset
        :raises NexusError: when HDF5 fails or a filter plugin is missing (naming the filter and what to
            install)
        """
    def abandon(self) -> None:
        """
        Stop without finishing: the partial files are removed and, with ``update_catalog``, the dataset marked failed.
        """
    def append(self, frames: numpy.typing.ArrayLike) -> None:
        """
        Append one frame (an array of ``frame_shape``) or a block of frames (``(n, *frame_shape)``) of the
        stack's dtype, in any memory order (a view that is not C-contiguous is copied once). The GIL is
        released while the frames are compressed and written.
        
        :raises ValidationError: naming ``frames.dtype`` or ``frames.shape``; nothing is written
        :raises NexusError: when writing fails (the stack can then only be abandoned) or the stack is closed
        """
    def append_compressed(self, chunk: bytes | bytearray | memoryview, filter_mask: typing.SupportsInt | typing.SupportsIndex = 0) -> None:
        """
        Append one frame that was compressed already, as the dataset's filter expects (for ``"blosc"`` a
        Blosc buffer, for ``"bitshuffle_lz4"`` a bitshuffle-LZ4 chunk ...), written as is with
        ``H5Dwrite_chunk``. ``filter_mask`` has bit i set for each filter i of the pipeline not applied.
        Uncompressed, the chunk must be one frame's bytes.
        """
    def close(self) -> None:
        """
        Finish the file: flush, close, rename it into place and, with ``update_catalog``, register its
        files and mark the dataset complete. A stack without frames is refused (ValidationError naming
        ``frames``) and abandoned.
        """
    @property
    def data_path(self) -> str | None:
        """
        The data file's final path, or None when the frames are in the master file.
        """
    @property
    def frames(self) -> int:
        """
        Frames appended so far.
        """
    @property
    def is_open(self) -> bool:
        """
        False once closed or abandoned.
        """
    @property
    def path(self) -> str:
        """
        The master file's final path.
        """
class ArrayInfo:
    """
    What an array in a NeXus file is, without reading it.
    """
    def __repr__(self) -> str:
        ...
    @property
    def bytes(self) -> int:
        """
        Its size uncompressed, in bytes.
        """
    @property
    def dtype(self) -> str:
        """
        The numpy dtype name: ``uint16``, ``float64`` ...
        """
    @property
    def file(self) -> str:
        """
        The file that holds it, as HDF5 opened it: another file's path when the array is reached through an external link (frames in a detector's data file).
        """
    @property
    def filters(self) -> list[str]:
        """
        Its HDF5 filter pipeline by name: ``deflate``, ``lz4``, ``blosc``, ``bitshuffle``, ``filter 307`` ...
        """
    @property
    def long_name(self) -> str:
        """
        Its ``@long_name``, or ``""``.
        """
    @property
    def name(self) -> str:
        """
        The link's name in its group.
        """
    @property
    def path(self) -> str:
        """
        Its path from the file's root: ``/entry/data/data``.
        """
    @property
    def shape(self) -> tuple:
        """
        The shape, a tuple (empty for a scalar).
        """
    @property
    def units(self) -> str:
        """
        Its ``@units``, or ``""``.
        """
class DataInfo:
    """
    An NXdata group: its signal and, per dimension, the axis that labels it.
    """
    def __repr__(self) -> str:
        ...
    @property
    def axes(self) -> list[ArrayInfo]:
        """
        One :class:`ArrayInfo` per dimension of the signal; ``name`` is empty where there is no axis.
        """
    @property
    def path(self) -> str:
        """
        The group's path: ``/entry/data``.
        """
    @property
    def signal(self) -> ArrayInfo:
        """
        The signal's :class:`ArrayInfo`.
        """
class Input:
    """
    One input of an NXprocess: the dataset's PID, its role, its files and their SHA-256.
    """
    def __repr__(self) -> str:
        ...
    @property
    def dataset(self) -> str:
        ...
    @property
    def files(self) -> list[str]:
        ...
    @property
    def role(self) -> str:
        ...
    @property
    def sha256(self) -> list[str]:
        ...
class Process:
    """
    One NXprocess: a step of the lineage that made the entry's data.
    """
    def __repr__(self) -> str:
        ...
    @property
    def activity(self) -> str:
        """
        The activity's PID.
        """
    @property
    def date(self) -> datetime.datetime | None:
        ...
    @property
    def generated(self) -> list[str]:
        """
        PIDs of the datasets it generated.
        """
    @property
    def group(self) -> str:
        """
        The group's name: ``process_1``.
        """
    @property
    def inputs(self) -> list[Input]:
        """
        Its inputs, :class:`Input` records.
        """
    @property
    def name(self) -> str:
        """
        The activity's name.
        """
    @property
    def note(self) -> str:
        """
        The NXnote's data: the whole activity as JSON, when datatrail wrote it.
        """
    @property
    def note_type(self) -> str:
        """
        The NXnote's type: ``application/json``.
        """
    @property
    def parameters(self) -> dict[str, typing.Any]:
        """
        The NXparameters, quantities with their ``@units``.
        """
    @property
    def program(self) -> str:
        ...
    @property
    def sequence_index(self) -> int:
        """
        1, 2 ... oldest first; 0 when the file has none.
        """
    @property
    def type(self) -> str:
        """
        The activity's type.
        """
    @property
    def version(self) -> str:
        ...
class RawLink:
    """
    The link of a processed file to its raw file.
    """
    def __repr__(self) -> str:
        ...
    @property
    def entry_identifier(self) -> str:
        """
        The raw entry's PID.
        """
    @property
    def file_name(self) -> str:
        """
        The raw file, relative to the processed file's folder.
        """
class Entry:
    """
    One NXentry as read from a file: identifiers, times, people, metadata, the NXprocess steps and
    where its data is (:attr:`data`; read the arrays with :func:`read_data` or
    :meth:`NexusFile.read_array`).
    """
    def __repr__(self) -> str:
        ...
    @property
    def data(self) -> DataInfo | None:
        """
        The NXdata ``@default`` names (else the first with a signal), or None.
        """
    @property
    def definition(self) -> str:
        """
        The application definition, ``NXmx``, or ``""``.
        """
    @property
    def description(self) -> str:
        """
        ``experiment_description``.
        """
    @property
    def end_time(self) -> datetime.datetime | None:
        ...
    @property
    def experiment_identifier(self) -> str:
        """
        The investigation's name.
        """
    @property
    def facility(self) -> str:
        """
        ``instrument/source/name``.
        """
    @property
    def fields(self) -> dict[str, typing.Any]:
        """
        The scalar fields of the entry (``run_number`` ...) and of its NXinstrument and NXsample groups by
        their path with dots (``instrument.monochromator.energy``, ``sample.temperature``), with ``@units``:
        what files from other software say about their data.
        """
    @property
    def identifier(self) -> str:
        """
        ``entry_identifier``: the dataset's PID, or ``""``.
        """
    @property
    def instrument(self) -> str:
        """
        ``instrument/name``.
        """
    @property
    def metadata(self) -> dict[str, typing.Any]:
        """
        The values at the schema's NeXus paths (when a schema was given) under its keys, and every field
        under ``/entry/metadata`` (nested groups as dotted keys); quantities with their ``@units``.
        """
    @property
    def name(self) -> str:
        """
        The group's name: ``entry``.
        """
    @property
    def problems(self) -> list[str]:
        """
        What could not be read as NeXus says, one sentence each.
        """
    @property
    def processes(self) -> list[Process]:
        """
        The NXprocess groups, by ``sequence_index``.
        """
    @property
    def raw(self) -> RawLink | None:
        """
        The link to the raw file, or None.
        """
    @property
    def record(self) -> str:
        """
        The dataset as datatrail's catalogue recorded it (JSON), or ``""`` in files from other software.
        """
    @property
    def sample(self) -> str:
        """
        ``sample/name``.
        """
    @property
    def sample_description(self) -> str:
        ...
    @property
    def sample_formula(self) -> str:
        ...
    @property
    def start_time(self) -> datetime.datetime | None:
        ...
    @property
    def title(self) -> str:
        ...
    @property
    def users(self) -> list[datatrail._core.Participant]:
        """
        The NXuser groups as :class:`~datatrail.Participant` records.
        """
class NexusFile:
    """
    A NeXus/HDF5 file open for reading, with the system's libhdf5. Use it as a context manager, or call
    :meth:`close`: while it is open, h5py (its own HDF5) cannot open the file for writing.
    
    >>> with dt.nexus.NexusFile("scan_001.nxs") as f:  # doctest: +SKIP
    ...     frames = f.read_array(f.entry().data.signal.path)
    """
    def __enter__(self) -> typing.Any:
        ...
    def __exit__(self, exc_type: type[BaseException] | None, exc_value: BaseException | None, traceback: types.TracebackType | None) -> bool:
        ...
    def __init__(self, path: str | os.PathLike[str]) -> None:
        """
        :raises NotFound: when there is no such file
        :raises NexusError: when it is not HDF5 or HDF5 cannot open it (truncated, locked), naming it
        """
    def __repr__(self) -> str:
        ...
    def array_info(self, object_path: str) -> ArrayInfo:
        """
        What the array at ``object_path`` is. :raises NotFound: when it is not a numeric dataset
        """
    def close(self) -> None:
        """
        Close the file; later calls raise :class:`~datatrail.Error`.
        """
    def default_entry(self) -> str:
        """
        The entry the root's ``@default`` names, else the first.
        """
    def entries(self) -> list[str]:
        """
        The names of the root's NXentry groups.
        """
    def entry(self, name: str | None = None, *, schema: datatrail._core.Schema | None = None) -> Entry:
        """
        Read an entry (the default one when ``name`` is None). ``schema`` maps its NeXus paths back to
        metadata keys. The GIL is released while the file is read.
        
        :raises NotFound: when there is no such NXentry
        """
    def read_array(self, object_path: str) -> numpy.typing.NDArray[typing.Any]:
        """
        Read the array at ``object_path`` into a numpy array, whatever filter compressed it (gzip natively;
        LZ4, Blosc and others through HDF5's plugins). The GIL is released while it is read.
        
        :raises NotFound: when it is not a numeric dataset
        :raises NexusError: naming a filter whose plugin is missing
        """
    def read_data(self, *, entry: str | None = None) -> tuple[numpy.typing.NDArray[typing.Any], dict[str, numpy.typing.NDArray[typing.Any]]]:
        """
        The signal and the axes (name -> array) of an entry's NXdata, as numpy arrays.
        """
    @property
    def creator(self) -> str:
        """
        The root's ``@creator``, or ``""``.
        """
    @property
    def path(self) -> str:
        ...
def _ensure_filter(filter_id: typing.SupportsInt | typing.SupportsIndex) -> bool:
    """
    Make the HDF5 filter ``filter_id`` usable by this extension's libhdf5 (not h5py's): for
    bitshuffle-LZ4 (32008), hdf5plugin's plugin is loaded from a private copy, bound to this libhdf5 and
    registered. True when the filter is available. Called by :class:`FrameStack`; for readers of
    filtered files.
    """
def read_data(path: str | os.PathLike[str], *, entry: str | None = None) -> tuple[numpy.typing.NDArray[typing.Any], dict[str, numpy.typing.NDArray[typing.Any]]]:
    """
    Read the data of an entry (the default one when ``entry`` is None): ``(signal, axes)``, the signal
    as a numpy array and the axes as a dict of name to numpy array. Any filter HDF5 can decode.
    
    :raises NotFound: no such file, entry or NXdata
    :raises NexusError: not HDF5, or a filter whose plugin is missing
    """
def read_file(path: str | os.PathLike[str], *, entry: str | None = None, schema: datatrail._core.Schema | None = None) -> Entry:
    """
    Read one entry of a NeXus file (the default one when ``entry`` is None): its identifier (the PID),
    title, times, experiment identifier, users, instrument and sample, metadata with units (those at
    ``schema``'s NeXus paths under its keys), NXprocess steps with parameters and inputs, the raw link
    and where its data is. The file is closed on return; the GIL is released while it is read.
    
    :raises NotFound: no such file, or no such NXentry
    :raises NexusError: not HDF5, or HDF5 cannot open it, naming the file
    """
def write_processed_file(path: str | os.PathLike[str], catalog: datatrail._core.Catalog, dataset: str | datatrail._core.Dataset, signal: numpy.typing.ArrayLike, *, axes: collections.abc.Mapping[str, numpy.typing.ArrayLike | tuple[numpy.typing.ArrayLike, str] | tuple[numpy.typing.ArrayLike, str, str] | None] | None = None, units: str = '', long_name: str = '', signal_name: str = 'data', raw_file: str | os.PathLike[str] | None = None) -> None:
    """
    Write a processed dataset's NeXus file: the skeleton of a raw file, one NXprocess per activity of
    its lineage, oldest first (program, version, date, sequence_index, NXparameters, an NXnote of type
    application/json with the whole activity, and its inputs' PIDs and files' SHA-256), an external
    link to ``raw_file``'s ``/entry/data`` by a path relative to ``path``, and the result as
    ``/entry/data``. The GIL is released while the file is written.
    
    :param path: the file to write; replaced only when the new one is complete
    :param catalog: the catalogue that holds the dataset
    :param dataset: its PID or the :class:`Dataset`
    :param signal: the data, any array with the buffer protocol (a numpy array of int8 ... uint64,
        float32 or float64, in any memory order: only an array that is not C-contiguous is copied)
    :param axes: axis name -> values, in the signal's dimension order: an array, ``(array, units)`` or
        ``(array, units, long_name)``; each 1-D with its dimension's length and finite; ``None`` for a
        dimension without an axis
    :param units: the signal's ``@units`` (UDUNITS form: ``"counts"``)
    :param long_name: the signal's ``@long_name``, a label for plots
    :param signal_name: the signal's name in NXdata
    :param raw_file: the raw dataset's NeXus file, linked when given
    :raises ValidationError: for bad input, naming each field (``signal.dtype``, ``signal.shape``,
        ``axes['q'][3]`` ...); nothing is written
    :raises NotFound: for an unknown dataset
    :raises NexusError: when HDF5 fails, naming the file and object; no file is left behind
    """
def write_raw_file(path: str | os.PathLike[str], catalog: datatrail._core.Catalog, dataset: str | datatrail._core.Dataset, signal: numpy.typing.ArrayLike, *, axes: collections.abc.Mapping[str, numpy.typing.ArrayLike | tuple[numpy.typing.ArrayLike, str] | tuple[numpy.typing.ArrayLike, str, str] | None] | None = None, units: str = '', long_name: str = '', signal_name: str = 'data') -> None:
    """
    Write a raw dataset's NeXus file: NXroot attributes, ``/entry`` with the dataset's PID as
    ``entry_identifier``, its title, times, users, sample and instrument, its metadata at the NeXus
    paths its schema names (the rest under ``/entry/metadata``), and the signal and axes as
    ``/entry/data``, the ``@default`` chain's end. The GIL is released while the file is written.
    
    :param path: the file to write; replaced only when the new one is complete
    :param catalog: the catalogue that holds the dataset
    :param dataset: its PID or the :class:`Dataset`
    :param signal: the data, any array with the buffer protocol (a numpy array of int8 ... uint64,
        float32 or float64, in any memory order: only an array that is not C-contiguous is copied)
    :param axes: axis name -> values, in the signal's dimension order: an array, ``(array, units)`` or
        ``(array, units, long_name)``; each 1-D with its dimension's length and finite; ``None`` for a
        dimension without an axis
    :param units: the signal's ``@units`` (UDUNITS form: ``"counts"``)
    :param long_name: the signal's ``@long_name``, a label for plots
    :param signal_name: the signal's name in NXdata
    :raises ValidationError: for bad input, naming each field (``signal.dtype``, ``signal.shape``,
        ``axes['q'][3]`` ...); nothing is written
    :raises NotFound: for an unknown dataset
    :raises NexusError: when HDF5 fails, naming the file and object; no file is left behind
    """
