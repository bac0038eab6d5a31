"""Datasets: the list of datasets a query returns, shown as a table in a notebook."""

from __future__ import annotations

from typing import TYPE_CHECKING, SupportsIndex, overload

if TYPE_CHECKING:
    from ._core import Dataset

__all__ = ["Datasets"]


class Datasets(list["Dataset"]):
    """The datasets :meth:`Catalog.find_datasets` found, in the query's order.

    A plain ``list`` in every other respect: it compares equal to a list of the same datasets,
    pickles, and ``repr`` prints the list. In Jupyter it shows as a table (docs/jupyter.md); a
    slice is a ``Datasets`` too, so ``hits[:10]`` shows as a table of ten.
    """

    __slots__ = ()

    @overload
    def __getitem__(self, index: SupportsIndex) -> Dataset: ...

    @overload
    def __getitem__(self, index: slice) -> Datasets: ...

    def __getitem__(self, index: SupportsIndex | slice) -> Dataset | Datasets:
        if isinstance(index, slice):
            return Datasets(super().__getitem__(index))
        return super().__getitem__(index)

    def _repr_html_(self) -> str:
        from ._display import datasets_html

        return datasets_html(self)
