"""
Units through UDUNITS-2, the unit system NeXus names, plus the aliases facility data uses that
UDUNITS-2 lacks: ``deg`` (arc degree), ``pixel``/``pixels``/``px`` (a dimension of their own),
``counts`` and ``photon``/``photons`` (dimensionless). The empty unit is dimensionless.
"""
from __future__ import annotations
import typing
__all__: list[str] = ['are_compatible', 'convert', 'is_known', 'si_unit', 'to_si']
def are_compatible(a: str, b: str) -> bool:
    """
    Whether values in unit ``a`` can be converted to unit ``b`` (the same dimension).
    
    Unknown units are not compatible with anything.
    """
def convert(value: typing.SupportsFloat | typing.SupportsIndex, from_unit: str, to_unit: str) -> float:
    """
    Convert a value between units of the same dimension.
    
    >>> datatrail.units.convert(12.7, "keV", "eV")
    12700.0
    
    :param value: the number, in ``from_unit``
    :param from_unit: its unit, e.g. ``"keV"``, ``"mm"``, ``"degC"``
    :param to_unit: the unit wanted
    :raises UnitError: when either unit is unknown or they differ in dimension
    """
def is_known(unit: str) -> bool:
    """
    Whether ``unit`` parses (the empty unit counts as dimensionless ``"1"``).
    """
def si_unit(unit: str) -> str:
    """
    The coherent SI unit of ``unit``'s dimension, as UDUNITS-2 writes it:
    ``"keV"`` gives ``"m2.kg.s-2"``, ``"degC"`` gives ``"K"``, ``"mm"`` gives ``"m"``,
    ``"deg"`` gives ``"rad"``, ``""`` gives ``"1"``.
    
    :raises UnitError: when the unit is unknown
    """
def to_si(value: typing.SupportsFloat | typing.SupportsIndex, unit: str) -> tuple[float, str]:
    """
    Express a value in the SI unit of its dimension.
    
    >>> datatrail.units.to_si(12.7, "keV")
    (2.0347...e-15, 'm2.kg.s-2')
    
    :returns: ``(value, si_unit)``
    :raises UnitError: when the unit is unknown
    """
