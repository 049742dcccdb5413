"""Samplers: which dataset indices a ``DataLoader`` visits, and in what order.

Each index sampler also offers ``_index_array()``, the whole epoch's indices as one int64
array drawn exactly as ``__iter__`` would draw them, so the loader can batch by slicing
that array instead of collecting Python ints one by one.
"""
from __future__ import annotations

import numbers
from typing import Generic, TypeVar

import numpy as np

from ..._tensor import Tensor
from ...random import _gen

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]


def _check_positive_int(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value!r}")


def _check_bool(name: str, value, error=ValueError) -> None:
    if not isinstance(value, bool):
        raise error(f"{name} should be a boolean value, but got {name}={value!r}")


_T_co = TypeVar("_T_co", covariant=True)


class Sampler(Generic[_T_co]):
    """Base class: ``__iter__`` yields dataset indices, ``__len__`` (optional) counts them."""

    def __init__(self, data_source=None) -> None:
        pass

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")  # abstract


class SequentialSampler(Sampler):
    """Indices ``0, 1, …, len(data_source) - 1`` in order.

    Example::

        >>> list(SequentialSampler(range(3)))
        [0, 1, 2]
    """

    def __init__(self, data_source) -> None:
        self.data_source = data_source

    def _index_array(self) -> np.ndarray:
        return np.arange(len(self.data_source), dtype=np.int64)

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random permutation of the indices, or ``num_samples`` draws with replacement.

    Without a ``generator`` each epoch seeds a fresh generator from ember's global one (as
    torch does), so ``ember.manual_seed(n)`` makes every epoch's order reproducible.

    Args:
        data_source: the dataset (only its length is used).
        replacement: draw with replacement.
        num_samples: how many indices per epoch (default: the dataset's length). Without
            replacement, more than the length gives several whole permutations back to back.
        generator: an ``ember.Generator``.

    Example::

        >>> sorted(RandomSampler(range(4), generator=ember.Generator().manual_seed(0)))
        [0, 1, 2, 3]
    """

    def __init__(self, data_source, replacement: bool = False, num_samples=None,
                 generator=None) -> None:
        _check_bool("replacement", replacement, TypeError)  # torch's RandomSampler: TypeError
        if num_samples is not None:
            _check_positive_int("num_samples", num_samples)
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        _check_positive_int("num_samples", self.num_samples)  # an empty dataset: torch's ValueError

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _rng(self) -> np.random.Generator:
        if self.generator is not None:
            return self.generator.np
        seed = int(_gen(None).integers(0, 1 << 63))
        return np.random.Generator(np.random.PCG64(seed))

    def _index_array(self) -> np.ndarray:
        n, count = len(self.data_source), self.num_samples
        rng = self._rng()
        if self.replacement:
            if n == 0:
                raise ValueError("RandomSampler cannot draw with replacement from an empty dataset")
            return rng.integers(0, n, size=count, dtype=np.int64)
        whole, rest = divmod(count, n) if n else (0, 0)
        parts = [rng.permutation(n) for _ in range(whole)]
        if rest:
            parts.append(rng.permutation(n)[:rest])
        return np.concatenate(parts).astype(np.int64, copy=False) if parts else np.zeros(0, np.int64)

    def __iter__(self):
        return iter(self._index_array().tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order (drawn from ``generator`` or the global one).

    Example::

        >>> sorted(SubsetRandomSampler([5, 7, 9]))
        [5, 7, 9]
    """

    def __init__(self, indices, generator=None) -> None:
        self.indices = indices
        self.generator = generator

    def _index_array(self) -> np.ndarray:
        order = _gen(self.generator).permutation(len(self.indices))
        own = self.indices._data if isinstance(self.indices, Tensor) else self.indices
        return np.asarray(own, dtype=np.int64)[order]

    def __iter__(self):
        return iter(self._index_array().tolist())

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probabilities proportional to ``weights``.

    Args:
        weights: one non-negative weight per index (need not sum to 1).
        num_samples: how many indices to draw per epoch.
        replacement: draw with replacement (default); without it each index appears at most once.
        generator: an ``ember.Generator``; the global one when omitted.

    Example::

        >>> s = WeightedRandomSampler([0.0, 1.0, 0.0], 3)
        >>> list(s)
        [1, 1, 1]
    """

    def __init__(self, weights, num_samples: int, replacement: bool = True, generator=None) -> None:
        _check_positive_int("num_samples", num_samples)
        _check_bool("replacement", replacement)
        w = np.asarray(weights._data if isinstance(weights, Tensor) else weights, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape {w.shape}")
        if w.size == 0 or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise ValueError(f"weights must be finite, non-negative and not all zero, got {w.tolist()[:10]}")
        if not replacement and num_samples > np.count_nonzero(w):
            raise ValueError(f"cannot draw num_samples={num_samples} indices without replacement "
                             f"from {np.count_nonzero(w)} non-zero weights")
        self.weights = Tensor._make(w)
        self.num_samples = int(num_samples)
        self.replacement = replacement
        self.generator = generator

    def _index_array(self) -> np.ndarray:
        w = self.weights._data
        rng = _gen(self.generator)
        return rng.choice(w.size, size=self.num_samples, replace=self.replacement,
                          p=w / w.sum()).astype(np.int64, copy=False)

    def __iter__(self):
        return iter(self._index_array().tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Groups another sampler's indices into lists of ``batch_size``.

    Example::

        >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
        [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler, batch_size: int, drop_last: bool) -> None:
        _check_positive_int("batch_size", batch_size)
        _check_bool("drop_last", drop_last)
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def __iter__(self):
        batch = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size


def _has_index_array(sampler) -> bool:
    """True when the sampler is one of ours with its ``__iter__`` not overridden."""
    for base in (SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler):
        if isinstance(sampler, base):
            kind = type(sampler)
            return kind.__iter__ is base.__iter__ and kind._index_array is base._index_array
    return False


def _index_batches(batch_sampler):
    """``(contiguous, batches)``: slices (sequential, ``contiguous=True``) or int64 arrays,
    one per batch, for an unmodified ``BatchSampler`` over one of our samplers; ``None`` when
    the batches must come from ``__iter__``."""
    if type(batch_sampler).__iter__ is not BatchSampler.__iter__:
        return None
    sampler, size = batch_sampler.sampler, batch_sampler.batch_size
    if not _has_index_array(sampler):
        return None
    if type(sampler) is SequentialSampler:
        n = len(sampler.data_source)
        stop = n - n % size if batch_sampler.drop_last else n
        return True, map(slice, range(0, stop, size), range(size, stop + size, size))
    order = sampler._index_array()
    stop = len(order) - len(order) % size if batch_sampler.drop_last else len(order)
    return False, (order[i:i + size] for i in range(0, stop, size))
