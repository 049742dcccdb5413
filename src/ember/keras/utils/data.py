"""Keras's data utilities: ``PyDataset`` (alias ``Sequence``), ``split_dataset`` and the
``pack_x_y_sample_weight``/``unpack_x_y_sample_weight`` helpers.

Example::

    >>> class Batches(keras.utils.PyDataset):
    ...     def __init__(self, x, y, batch_size, **kwargs):
    ...         super().__init__(**kwargs)
    ...         self.x, self.y, self.batch_size = x, y, batch_size
    ...     def __len__(self):
    ...         return math.ceil(len(self.x) / self.batch_size)
    ...     def __getitem__(self, idx):
    ...         part = slice(idx * self.batch_size, (idx + 1) * self.batch_size)
    ...         return self.x[part], self.y[part]
    >>> model.fit(Batches(x, y, 32), epochs=5)
"""
from __future__ import annotations

import itertools
import random

import numpy as np

from ... import Generator
from ...utils.data import Subset, TensorDataset


class PyDataset:
    """Base class for datasets of ready-made batches: implement ``__len__`` (the number of
    batches) and ``__getitem__(index)`` (the batch ``(x, y)`` or ``(x, y, sample_weight)``).
    ``fit`` asks for the batches in order, every epoch, then calls ``on_epoch_end()``.

    Args:
        workers, use_multiprocessing, max_queue_size: accepted for Keras programs; ember reads
            the batches in the calling thread.
    """

    workers, use_multiprocessing, max_queue_size = 1, False, 10

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")  # abstract

    def __len__(self):
        """The number of batches: a subclass defines ``__len__`` or the ``num_batches`` property."""
        if type(self).num_batches is PyDataset.num_batches:
            raise TypeError(f"{type(self).__name__} must implement __len__ or num_batches")
        n = self.num_batches
        if n is None:
            raise TypeError(f"{type(self).__name__} is infinite (num_batches is None)")
        return n

    @property
    def num_batches(self):
        """The number of batches, or None for an endless dataset (``len(self)`` by default)."""
        if type(self).__len__ is not PyDataset.__len__:
            return len(self)
        raise NotImplementedError("You need to implement the `num_batches` property:\n\n"
                                  "@property\ndef num_batches(self):\n  return ...")

    def on_epoch_begin(self):
        """Called before each pass over the batches."""

    def on_epoch_end(self):
        """Called after each pass over the batches (shuffle here if you like)."""

    def __iter__(self):
        self.on_epoch_begin()
        n = self.num_batches
        index = 0
        while n is None or index < n:
            yield self[index]
            index += 1
        self.on_epoch_end()

    def shuffled_batches(self):
        """What ``fit(shuffle=True)`` iterates: every epoch, the batches in an order shuffled by
        Python's ``random`` (as Keras's adapter does, so ``set_random_seed`` fixes it)."""
        return _ShuffledBatches(self)


class _ShuffledBatches:
    def __init__(self, dataset):
        self.dataset = dataset

    def __len__(self):
        return len(self.dataset)

    def __iter__(self):
        ds = self.dataset
        ds.on_epoch_begin()
        n = ds.num_batches
        if n is None:  # endless: nothing to shuffle
            yield from (ds[i] for i in itertools.count())
            return
        order = list(range(n))
        random.shuffle(order)
        for i in order:
            yield ds[i]
        ds.on_epoch_end()


Sequence = PyDataset


def _split_sizes(left_size, right_size, total):
    """Keras's rules for the two sizes (a fraction or a count each; one may be None)."""
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if size is not None and type(size) not in (int, float):
            raise TypeError(f"Invalid `{name}` Type. Expected: int or float or None, Received: "
                            f"type({name})={type(size)}")
    if left_size is None and right_size is None:
        raise ValueError("At least one of the `left_size` or `right_size` must be specified. "
                         "Received: left_size=None and right_size=None")
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if (type(size) is int and not 0 < size < total) or \
                (type(size) is float and not 0 < size < 1):
            raise ValueError(f"`{name}` should be either a positive integer smaller than {total}, "
                             f"or a float within the range `[0, 1]`. Received: {name}={size}")
    if type(left_size) is float and type(right_size) is float and left_size + right_size > 1:
        raise ValueError("The sum of `left_size` and `right_size` is greater than 1. It must be "
                         "less than or equal to 1.")
    left = round(left_size * total) if type(left_size) is float else left_size
    right = round(right_size * total) if type(right_size) is float else right_size
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(f"The sum of `left_size` and `right_size` should be smaller than the "
                         f"{total}. Received: left_size + right_size = {left + right}and "
                         f"total_length = {total}")
    for size, side in ((left, "left"), (right, "right")):
        if size == 0:
            raise ValueError(f"With `dataset` of length={total}, `left_size`={left} and "
                             f"`right_size`={right}.Resulting {side} side dataset split will be "
                             f"empty. Adjust any of the aforementioned parameters")
    return int(left), int(right)


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None,
                  preferred_backend=None):
    """Splits an array, a tuple/list of arrays or a map-style dataset into two
    ``ember.utils.data.Subset``s (as Keras's torch backend returns torch Subsets).

    ``left_size``/``right_size`` are counts or fractions (one may be None: the rest). The order
    is kept unless ``shuffle`` (Keras's torch backend always shuffles; ember follows the
    argument).

    Example::

        >>> train, test = keras.utils.split_dataset((x, y), left_size=0.8)
        >>> len(train), len(test)
        (80, 20)
    """
    if isinstance(dataset, np.ndarray):
        dataset = TensorDataset(dataset)
    elif isinstance(dataset, (list, tuple)):
        dataset = TensorDataset(*[np.asarray(a) for a in dataset])
    elif not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
        raise TypeError(f"The `dataset` argument must be a map-style dataset, or a list/tuple of "
                        f"arrays. Received: dataset={dataset} of type {type(dataset)}")
    total = len(dataset)
    left, right = _split_sizes(left_size, right_size, total)
    order = np.arange(total)
    if shuffle:
        gen = Generator()
        gen.manual_seed(seed) if seed is not None else gen.seed()
        order = gen.np.permutation(total)
    return (Subset(dataset, order[:left].tolist()),
            Subset(dataset, order[total - right:].tolist()))


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``; a lone tuple/list ``x`` is kept whole."""
    if y is None:
        return x if not isinstance(x, (tuple, list)) else (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data):
    """``(x, y, sample_weight)`` from a batch given as ``x``, ``(x,)``, ``(x, y)`` or
    ``(x, y, sample_weight)`` (missing parts are None)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return (data, None, None)
    if len(data) == 1:
        return (data[0], None, None)
    if len(data) == 2:
        return (data[0], data[1], None)
    if len(data) == 3:
        return (data[0], data[1], data[2])
    raise ValueError(f"Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, "
                     f"sample_weight)`, found: {data}")
