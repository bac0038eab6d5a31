"""
NeXus/HDF5 files written from the catalogue: a raw dataset's file and a processed dataset's file
that carries its lineage (docs/nexus.md). The extension writes with the system's libhdf5, h5py with
its own copy; both work in one process, but close a file in one before opening it in the other.
"""
from __future__ import annotations
import collections.abc
import datatrail._core
import numpy.typing
import os
import typing
__all__: list[str] = ['write_processed_file', 'write_raw_file']
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
