"""Quantity: a number (or a list of numbers) with a unit, as datatrail metadata carries it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

__all__ = ["Quantity"]

Number: TypeAlias = int | float


def _plain(value: object) -> object:
    """numpy scalars and arrays, tuples -> plain Python numbers and lists (so == and str behave)."""
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return tolist()
    if isinstance(value, tuple):
        return list(value)
    return value


@dataclass(frozen=True)
class Quantity:
    """A value with a unit and an optional uncertainty.

    Metadata values that carry a unit or an uncertainty come back as a Quantity, and a
    Quantity is accepted wherever metadata is (as is the tuple ``(value, "unit")`` or
    ``(value, "unit", uncertainty)``).

    >>> q = Quantity(12.7, "keV")
    >>> str(q)
    '12.7 keV'
    >>> q.to("eV").value
    12700.0

    :param value: a number, or a list of numbers (numpy arrays and tuples become lists)
    :param unit: the unit in UDUNITS-2 form, e.g. ``"keV"``, ``"mm"``, ``"degC"``; empty for
        dimensionless
    :param uncertainty: the standard uncertainty, in the same unit as ``value``; None if unknown
    """

    value: Number | Sequence[Number]
    unit: str = ""
    uncertainty: float | None = None

    def __post_init__(self) -> None:
        # The dataclass is frozen; normalising the input once here is the one exception.
        object.__setattr__(self, "value", _plain(self.value))
        if self.uncertainty is not None:
            object.__setattr__(self, "uncertainty", _plain(self.uncertainty))

    def __str__(self) -> str:
        text = str(self.value)
        if self.uncertainty is not None:
            text += f" ± {self.uncertainty}"
        return f"{text} {self.unit}" if self.unit else text

    def to(self, unit: str) -> Quantity:
        """The same quantity in another unit of the same dimension.

        :param unit: the unit wanted, e.g. ``"eV"``
        :raises UnitError: when either unit is unknown or they differ in dimension
        """
        from ._core import units

        def convert(x: Number) -> float:
            return units.convert(float(x), self.unit, unit)

        value: float | list[float]
        if isinstance(self.value, Sequence):
            value = [convert(x) for x in self.value]
        else:
            value = convert(self.value)
        uncertainty = None
        if self.uncertainty is not None:
            # An interval, not a point: converting the difference drops the offset of affine
            # units such as degC -> K.
            uncertainty = abs(convert(self.uncertainty) - convert(0.0))
        return Quantity(value, unit, uncertainty)
