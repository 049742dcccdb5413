"""Turning a list of samples into a batch: ``default_collate`` and ``default_convert``.

The rules and result dtypes follow ``torch.utils.data.default_collate``: tensors are stacked
and keep their dtype, NumPy arrays and NumPy scalars become tensors of their dtype, Python
ints become int64, Python floats float64, bools bool; strings stay a list; tuples and lists
are transposed (a tuple sample gives a list batch), dicts are collated key by key.
"""
from __future__ import annotations

import collections.abc
import copy
import re

import numpy as np

from ..._tensor import Tensor
from ...autograd.grad_mode import STATE

__all__ = ["default_collate", "default_convert", "collate"]

_BAD_NUMPY = re.compile(r"[SaUO]")
_ERROR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
          "found {}")


def _stack_tensors(batch):
    if STATE.enabled and any(t.requires_grad for t in batch):
        from ...ops.shape import stack
        return stack(list(batch), 0)
    first = batch[0].shape
    for i, t in enumerate(batch):
        if t.shape != first:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(first)} "
                               f"at entry 0 and {list(t.shape)} at entry {i}")
    return Tensor._make(np.stack([t._data for t in batch]))


def _collate_numpy(batch):
    elem = batch[0]
    if _BAD_NUMPY.search(elem.dtype.str) is not None:
        raise TypeError(_ERROR.format(elem.dtype))
    if elem.shape == ():  # NumPy scalars and 0-d arrays
        return Tensor._make(np.asarray(batch, dtype=elem.dtype))
    return _stack_tensors([Tensor._make(np.asarray(b)) for b in batch])


def collate(batch, *, collate_fn_map: dict | None = None):
    """The general collate: looks each element's type up in ``collate_fn_map`` (type →
    ``fn(batch, *, collate_fn_map)``) before the built-in container rules."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for kind, fn in collate_fn_map.items():
            if isinstance(elem, kind):
                return fn(batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        fields = {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map) for key in elem}
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(fields)
            return clone
        try:
            return elem_type(fields)
        except TypeError:
            return fields
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return columns
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, column in enumerate(columns):
                    clone[i] = column
                return clone
            return elem_type(columns)
        except TypeError:
            return columns
    raise TypeError(_ERROR.format(elem_type))


def _tensor_fn(batch, *, collate_fn_map=None):
    return _stack_tensors(batch)


def _numpy_fn(batch, *, collate_fn_map=None):
    return _collate_numpy(batch)


def _float_fn(batch, *, collate_fn_map=None):
    return Tensor._make(np.asarray(batch, dtype=np.float64))


def _int_fn(batch, *, collate_fn_map=None):
    if all(isinstance(b, bool) for b in batch):
        return Tensor._make(np.asarray(batch, dtype=np.bool_))
    return Tensor._make(np.asarray(batch, dtype=np.int64))


def _str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map = {Tensor: _tensor_fn, np.ndarray: _numpy_fn, (np.bool_, np.number): _numpy_fn,
                          float: _float_fn, int: _int_fn, str: _str_fn, bytes: _str_fn}


def default_collate(batch):
    """Collates a list of samples into a batch, with torch's rules and dtypes.

    Example::

        >>> xb, yb = default_collate([(ember.zeros(3), 1), (ember.ones(3), 0)])
        >>> xb.shape, yb.dtype
        (ember.Size([2, 3]), ember.int64)
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)


def default_convert(data):
    """Converts NumPy arrays (not strings or objects) to tensors inside containers, without
    batching; the loader's conversion when automatic batching is off (``batch_size=None``)."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray) or (isinstance(data, np.generic) and not isinstance(data, (np.str_, np.bytes_))):
        if _BAD_NUMPY.search(data.dtype.str) is not None:
            return data
        return Tensor._make(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        fields = {key: default_convert(data[key]) for key in data}
        if isinstance(data, collections.abc.MutableMapping):
            clone = copy.copy(data)
            clone.update(fields)
            return clone
        try:
            return type(data)(fields)
        except TypeError:
            return fields
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        converted = [default_convert(d) for d in data]
        if isinstance(data, collections.abc.MutableSequence):
            clone = copy.copy(data)
            for i, d in enumerate(converted):
                clone[i] = d
            return clone
        try:
            return type(data)(converted)
        except TypeError:
            return converted
    return data
