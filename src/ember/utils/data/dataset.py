"""Datasets: the map-style ``Dataset`` and its building blocks, like ``torch.utils.data``.

A map-style dataset answers ``len(ds)`` and ``ds[i]``; an ``IterableDataset`` only yields
samples. ``TensorDataset`` and ``Subset`` also offer ``_batcher()``, a function that builds a
whole batch with one indexing call per tensor: the ``DataLoader`` uses it to skip
per-sample collation.
"""
from __future__ import annotations

import bisect
import itertools
import math
import numbers
from typing import Generic, TypeVar
import warnings

import numpy as np

from ..._tensor import Tensor
from ...autograd.grad_mode import STATE
from ...random import _gen

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset",
           "ChainDataset", "StackDataset", "random_split"]


_T_co = TypeVar("_T_co", covariant=True)


class Dataset(Generic[_T_co]):
    """Base class of map-style datasets: override ``__getitem__`` (and usually ``__len__``).

    ``ds1 + ds2`` concatenates two datasets into a :class:`ConcatDataset`.

    Example::

        >>> class Squares(Dataset):
        ...     def __len__(self): return 5
        ...     def __getitem__(self, i): return i * i
        >>> Squares()[3]
        9
    """

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")  # abstract

    def __add__(self, other: "Dataset") -> "ConcatDataset":
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """Base class of datasets that yield samples from ``__iter__`` (streams, generators).

    Example::

        >>> class Count(IterableDataset):
        ...     def __iter__(self): return iter(range(3))
        >>> list(Count())
        [0, 1, 2]
    """

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")  # abstract

    def __add__(self, other: "IterableDataset") -> "ChainDataset":
        return ChainDataset([self, other])


def _as_tensor(value, position: int) -> Tensor:
    if isinstance(value, Tensor):
        return value
    if isinstance(value, np.ndarray):
        return Tensor._make(value)
    raise TypeError(f"TensorDataset expects tensors or NumPy arrays, got {type(value).__name__} "
                    f"at position {position}")


class TensorDataset(Dataset):
    """Wraps tensors of equal length; sample ``i`` is ``tuple(t[i] for t in tensors)``.

    NumPy arrays are accepted too and shared without copying.

    Example::

        >>> ds = TensorDataset(ember.zeros(4, 3), ember.arange(4))
        >>> x, y = ds[1]
        >>> x.shape, y
        (ember.Size([3]), tensor(1))
    """

    def __init__(self, *tensors) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        self.tensors = tuple(_as_tensor(t, i) for i, t in enumerate(tensors))
        for i, t in enumerate(self.tensors):
            if t.ndim == 0:
                raise ValueError(f"TensorDataset needs tensors with a first (sample) dimension; "
                                 f"the tensor at position {i} is 0-d")
        lengths = [t.shape[0] for t in self.tensors]
        if len(set(lengths)) != 1:
            raise ValueError(f"Size mismatch between tensors: TensorDataset needs tensors of the "
                             f"same length along dim 0, got lengths {lengths}")

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def _batcher(self, contiguous: bool = False):
        """A function from an int64 index array (or, when ``contiguous``, a slice) to the
        collated batch: one fresh tensor per input tensor."""
        tensors = self.tensors
        if STATE.enabled and any(t.requires_grad for t in tensors):
            return lambda index: [t[index] for t in tensors]
        arrays = [t._data for t in tensors]
        make = Tensor._make
        if contiguous:
            return lambda index: [make(a[index].copy()) for a in arrays]
        return lambda index: [make(a[index]) for a in arrays]


class StackDataset(Dataset):
    """Zips datasets of equal length: ``StackDataset(a, b)[i] == (a[i], b[i])``;
    keyword datasets give dict samples."""

    def __init__(self, *args, **kwargs) -> None:
        if args and kwargs:
            raise ValueError("StackDataset takes either positional or keyword datasets, not both")
        if not args and not kwargs:
            raise ValueError("StackDataset needs at least one dataset")
        self.datasets = args or kwargs
        items = args if args else list(kwargs.values())
        lengths = [len(d) for d in items]
        if len(set(lengths)) != 1:
            raise ValueError(f"Size mismatch between datasets: got lengths {lengths}")
        self._length = lengths[0]

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __len__(self) -> int:
        return self._length


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order.

    Example::

        >>> sub = Subset(TensorDataset(ember.arange(10)), [7, 2])
        >>> len(sub), sub[0]
        (2, (tensor(7),))
    """

    def __init__(self, dataset, indices) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: list) -> list:
        inner = getattr(self.dataset, "__getitems__", None)
        if callable(inner):
            return inner([self.indices[i] for i in indices])
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self) -> int:
        return len(self.indices)

    def _batcher(self, contiguous: bool = False):
        own = np.asarray(self.indices, dtype=np.int64)
        inner = self.dataset._batcher()
        return lambda index: inner(own[index])


def _supports_batcher(dataset) -> bool:
    """True when ``dataset`` can build a batch with one indexing call per tensor."""
    kind = type(dataset)
    if isinstance(dataset, TensorDataset):
        return kind.__getitem__ is TensorDataset.__getitem__ and kind._batcher is TensorDataset._batcher
    if isinstance(dataset, Subset):
        return (kind.__getitem__ is Subset.__getitem__ and kind._batcher is Subset._batcher
                and _supports_batcher(dataset.dataset))
    return False


class ConcatDataset(Dataset):
    """Map-style datasets one after another; ``cumulative_sizes[k]`` is where dataset k ends.

    Example::

        >>> ds = ConcatDataset([TensorDataset(ember.zeros(2)), TensorDataset(ember.ones(3))])
        >>> len(ds), ds.cumulative_sizes
        (5, [2, 5])
    """

    def __init__(self, datasets) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset; use ChainDataset")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError(f"absolute value of index should not exceed dataset length, "
                                 f"got index {idx} for length {len(self)}")
            idx = len(self) + idx
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        if which == len(self.datasets):
            raise IndexError(f"index {idx} is out of range for a dataset of length {len(self)}")
        start = self.cumulative_sizes[which - 1] if which > 0 else 0
        return self.datasets[which][idx - start]


class ChainDataset(IterableDataset):
    """Iterable datasets one after another."""

    def __init__(self, datasets) -> None:
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise TypeError(f"ChainDataset only supports IterableDataset, got {type(d).__name__}")
            yield from d

    def __len__(self) -> int:
        return sum(len(d) for d in self.datasets)


def _lengths_from_fractions(n: int, fractions: list) -> list:
    """torch's rule: floor each share, then hand the remainder out one by one from the front."""
    for i, frac in enumerate(fractions):
        if frac < 0 or frac > 1:
            raise ValueError(f"Fraction at index {i} is not between 0 and 1, got {frac}")
    lengths = [int(math.floor(n * frac)) for frac in fractions]
    for i in range(n - sum(lengths)):
        lengths[i % len(lengths)] += 1
    for i, length in enumerate(lengths):
        if length == 0:
            warnings.warn(f"Length of split at index {i} is 0. This might result in an empty dataset.",
                          stacklevel=3)
    return lengths


def random_split(dataset, lengths, generator=None) -> list:
    """Splits ``dataset`` into non-overlapping random :class:`Subset` s.

    Args:
        dataset: a map-style dataset.
        lengths: the sizes of the splits, or fractions summing to 1 (sizes are floored and the
            remainder is given one by one to the first splits, as torch does).
        generator: an ``ember.Generator``; the global one when omitted.

    Example::

        >>> train, val = random_split(range(10), [0.8, 0.2], generator=ember.Generator().manual_seed(0))
        >>> len(train), len(val)
        (8, 2)
    """
    lengths = list(lengths)
    n = len(dataset)
    if not lengths:
        raise ValueError("random_split needs at least one length or fraction")
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        lengths = _lengths_from_fractions(n, lengths)
    for length in lengths:
        if not isinstance(length, numbers.Integral) or length < 0:
            raise ValueError(f"random_split lengths must be non-negative integers summing to the "
                             f"dataset's length ({n}), or fractions summing to 1; got {lengths}")
    if sum(lengths) != n:
        raise ValueError(f"Sum of input lengths ({sum(lengths)}) does not equal the length of the "
                         f"input dataset ({n})")
    perm = _gen(generator).permutation(n).tolist()
    bounds = list(itertools.accumulate(lengths))
    return [Subset(dataset, perm[end - length:end]) for end, length in zip(bounds, lengths)]
